//! Merging dumps into the spec: what is missing is added, what the spec states is kept, and
//! every difference is reported.
//!
//! Version rule: dumps are merged oldest first. Nothing documented by the first dump gets a
//! version. An item first documented by a later dump `N` is added with `since = "N"` (the first
//! release the imports show it in). An item documented by the previous dump `P` of the run but
//! not by `N` gets `removed = "P+1"` (the first release that may lack it). The XML `<since>`
//! tags are not used: they date the documentation, which often came long after the feature.

use std::collections::{BTreeMap, HashMap, HashSet};

use toml_edit::{value, Array, Item, Table};

use super::dump::{DocAction, DocEvent, DocParam, Dump};
use super::spec_files::{
    field_name, get_bool, get_str, get_strs, push_sub, sub_tables, type_name, Kind, Loc, SpecFiles,
};
use super::Report;

/// Merges `dump` into `files`. `prev` is the dump merged just before it in this run.
pub fn merge(files: &mut SpecFiles, dump: &Dump, prev: Option<&Dump>, report: &mut Report) {
    let mut m = Merge {
        files,
        dump,
        first: prev.is_none(),
        report,
        votes: HashMap::new(),
    };
    m.count_votes();
    for event in &dump.events {
        m.event(event);
    }
    for action in &dump.actions {
        m.action(action);
    }
    if let Some(prev) = prev {
        m.removals(prev);
    }
}

struct Merge<'a> {
    files: &'a mut SpecFiles,
    dump: &'a Dump,
    first: bool,
    report: &'a mut Report,
    /// Origin key → spec file stem → how many of its items the file already holds.
    votes: HashMap<String, BTreeMap<String, usize>>,
}

/// Boolean spellings: an enumlist of only these, with a true and a false one, is a `bool`.
const TRUE: [&str; 5] = ["yes", "true", "on", "1", "y"];
const FALSE: [&str; 5] = ["no", "false", "off", "0", "n"];

impl Merge<'_> {
    fn version(&self) -> String {
        self.dump.version.to_string()
    }

    fn change(&mut self, text: String) {
        self.report.changes.push(text);
    }

    fn disagree(&mut self, text: String) {
        self.report.disagreements.push(text);
    }

    /// Where the spec already keeps the items documented in each source file or module.
    fn count_votes(&mut self) {
        let mut votes: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        let found = self
            .dump
            .actions
            .iter()
            .map(|a| (Kind::Action, &a.name, &a.origin));
        let found = found.chain(
            self.dump
                .events
                .iter()
                .map(|e| (Kind::Event, &e.name, &e.origin)),
        );
        for (kind, name, origin) in found {
            if let Some(loc) = self.files.find(kind, name) {
                let stem = self.files.files[loc.file].stem.clone();
                *votes
                    .entry(origin.key().to_string())
                    .or_default()
                    .entry(stem)
                    .or_default() += 1;
            }
        }
        self.votes = votes;
    }

    /// The file for a new item: the one holding most items of the same source file or module,
    /// else the one named after its module (created when missing).
    fn target_file(&mut self, origin: &super::dump::Origin) -> usize {
        let stem = match self.votes.get(origin.key()) {
            Some(v) => v
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.clone()),
            None => None,
        };
        let stem = stem.unwrap_or_else(|| origin.default_file());
        let file = self.files.file(&stem, &mut self.report.created);
        *self
            .votes
            .entry(origin.key().to_string())
            .or_default()
            .entry(stem)
            .or_default() += 1;
        file
    }

    /// Disagreements on an item's version range.
    fn check_versions(&mut self, what: &str, t: &Table) {
        let n = self.dump.version;
        let since = get_str(t, "since").and_then(|s| s.parse::<u32>().ok());
        if let Some(s) = since.filter(|s| *s > n) {
            let text = format!("{what}: the spec says since {s}, but Asterisk {n} documents it");
            self.disagree(text);
        }
        let removed = get_str(t, "removed").and_then(|s| s.parse::<u32>().ok());
        if let Some(r) = removed.filter(|r| *r <= n) {
            let text =
                format!("{what}: the spec says removed in {r}, but Asterisk {n} documents it");
            self.disagree(text);
        }
    }

    // ------------------------------------------------------------------------------ events

    fn event(&mut self, doc: &DocEvent) {
        match self.files.find(Kind::Event, &doc.name) {
            Some(loc) => self.existing_event(loc, doc),
            None => self.new_event(doc),
        }
    }

    fn new_event(&mut self, doc: &DocEvent) {
        let file = self.target_file(&doc.origin);
        let mut t = Table::new();
        t.insert("name", value(&doc.name));
        let rust = type_name(&doc.name);
        if self.files.rust_item_taken(Kind::Event, &rust) {
            t.insert("rust", value(format!("{rust}Event")));
        }
        t.insert("needs_synopsis", value(true));
        if let Some(class) = &doc.class {
            t.insert("privilege", value(class));
        }
        if !self.first {
            t.insert("since", value(self.version()));
        }
        let loc = self.files.push(file, Kind::Event, t);
        let stem = self.files.files[file].stem.clone();
        self.change(format!("added event {} ({stem}.toml)", doc.name));
        self.add_headers(loc, doc, &doc.params.iter().collect::<Vec<_>>(), false);
    }

    fn existing_event(&mut self, loc: Loc, doc: &DocEvent) {
        let what = format!("event {}", doc.name);
        let t = self.files.get(Kind::Event, loc).clone();
        self.check_versions(&what, &t);
        match (get_str(&t, "privilege"), &doc.class) {
            (None, Some(class)) => {
                self.files
                    .get_mut(Kind::Event, loc)
                    .insert("privilege", value(class));
                self.change(format!("{what}: privilege {class}"));
            }
            (Some(p), Some(class)) if !p.eq_ignore_ascii_case(class) => {
                self.disagree(format!(
                    "{what}: the spec says privilege {p}, the XML class {class}"
                ));
            }
            _ => {}
        }
        let mut missing = Vec::new();
        for p in &doc.params {
            match self.files.covers(&t, &p.name) {
                Some(c) => {
                    let header = format!("{what}, field {}", p.name);
                    if let Some(i) = c.own {
                        self.check_versions(&header, sub_tables(&t, "field")[i]);
                    }
                    self.check_values(&header, &c.ty, c.enum_name.as_deref(), p);
                }
                None => missing.push(p),
            }
        }
        if !missing.is_empty() {
            self.add_headers(loc, doc, &missing, true);
        }
    }

    /// Adds an event's undeclared headers: full snapshot blocks as includes, the rest as fields.
    fn add_headers(&mut self, loc: Loc, doc: &DocEvent, params: &[&DocParam], existing: bool) {
        let mut left: Vec<&DocParam> = params.to_vec();
        for (set, prefix, fields) in self.find_fieldsets(&left) {
            let rust = self.include_name(loc, &set, &prefix);
            let mut inc = Table::new();
            inc.insert("fieldset", value(&set));
            if !prefix.is_empty() {
                inc.insert("prefix", value(&prefix));
            }
            inc.insert("rust", value(&rust));
            push_sub(self.files.get_mut(Kind::Event, loc), "include", inc);
            left.retain(|p| !fields.iter().any(|f| f.eq_ignore_ascii_case(&p.name)));
            if existing {
                self.change(format!(
                    "event {}: include {set} with prefix {prefix:?}",
                    doc.name
                ));
            }
        }
        let owner = self.files.get(Kind::Event, loc).clone();
        let owner_rust = get_str(&owner, "rust")
            .map(str::to_string)
            .unwrap_or_else(|| type_name(&doc.name));
        for p in left {
            let mut f = Table::new();
            f.insert("name", value(&p.name));
            if let Some(rust) = self.member_rust(loc, Kind::Event, &p.name) {
                f.insert("rust", value(rust));
            }
            let file = loc.file;
            self.set_type(
                &mut f,
                file,
                &owner_rust,
                p,
                &format!("event {}, field {}", doc.name, p.name),
            );
            if existing && !self.first {
                f.insert("since", value(self.version()));
            }
            push_sub(self.files.get_mut(Kind::Event, loc), "field", f);
            if existing {
                self.change(format!("event {}: field {}", doc.name, p.name));
            }
        }
    }

    /// Fieldsets whose headers, with one prefix, make up at least three quarters of its fields
    /// (the first included) among `params`: `(fieldset, prefix, the matched header names)`.
    fn find_fieldsets(&self, params: &[&DocParam]) -> Vec<(String, String, Vec<String>)> {
        let mut found = Vec::new();
        let mut used: HashSet<String> = HashSet::new();
        let mut sets: Vec<(String, Vec<String>)> = self
            .files
            .all(Kind::Fieldset)
            .into_iter()
            .map(|(_, t)| {
                let fields = sub_tables(t, "field")
                    .into_iter()
                    .filter(|f| !get_bool(f, "repeated") && !get_bool(f, "prefix_match"))
                    .filter_map(|f| get_str(f, "name").map(str::to_string))
                    .collect();
                (get_str(t, "name").unwrap_or_default().to_string(), fields)
            })
            .collect();
        sets.sort_by_key(|(_, f)| std::cmp::Reverse(f.len()));
        for (set, fields) in sets {
            let Some(anchor) = fields.first() else {
                continue;
            };
            for p in params {
                let lower = p.name.to_ascii_lowercase();
                if used.contains(&lower) || !lower.ends_with(&anchor.to_ascii_lowercase()) {
                    continue;
                }
                let prefix = &p.name[..p.name.len() - anchor.len()];
                let matched: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{prefix}{f}"))
                    .filter(|h| params.iter().any(|q| q.name.eq_ignore_ascii_case(h)))
                    .filter(|h| !used.contains(&h.to_ascii_lowercase()))
                    .collect();
                if fields.len() >= 2 && matched.len() * 4 >= fields.len() * 3 {
                    used.extend(matched.iter().map(|h| h.to_ascii_lowercase()));
                    found.push((set.clone(), prefix.to_string(), matched));
                }
            }
        }
        found
    }

    /// The Rust name of a new include: the prefix in snake_case, or the fieldset's name without
    /// `Snapshot`; qualified by the fieldset when taken.
    fn include_name(&self, loc: Loc, set: &str, prefix: &str) -> String {
        let base = field_name(set.trim_end_matches("Snapshot"));
        let name = if prefix.is_empty() {
            base.clone()
        } else {
            field_name(prefix)
        };
        if self.member_taken(loc, Kind::Event, &name) {
            format!("{name}_{base}")
        } else {
            name
        }
    }

    // ------------------------------------------------------------------------------ actions

    fn action(&mut self, doc: &DocAction) {
        match self.files.find(Kind::Action, &doc.name) {
            Some(loc) => self.existing_action(loc, doc),
            None => self.new_action(doc),
        }
    }

    fn new_action(&mut self, doc: &DocAction) {
        let file = self.target_file(&doc.origin);
        let mut t = Table::new();
        t.insert("name", value(&doc.name));
        let rust = type_name(&doc.name);
        if self.files.rust_item_taken(Kind::Action, &rust) {
            t.insert("rust", value(format!("{rust}Action")));
        }
        t.insert("needs_synopsis", value(true));
        if !self.first {
            t.insert("since", value(self.version()));
        }
        let mut response = Table::new();
        match doc
            .list
            .as_ref()
            .and_then(|l| l.complete.as_ref().map(|c| (&l.items, c)))
        {
            Some((items, complete)) if !items.is_empty() => {
                response.insert("kind", value("list"));
                response.insert(
                    "items",
                    value(Array::from_iter(items.iter().map(String::as_str))),
                );
                response.insert("complete", value(complete.as_str()));
            }
            _ => {
                response.insert("kind", value("plain"));
            }
        }
        t.insert("response", Item::Table(response));
        let loc = self.files.push(file, Kind::Action, t);
        let stem = self.files.files[file].stem.clone();
        self.change(format!("added action {} ({stem}.toml)", doc.name));
        for p in &doc.params {
            self.add_param(loc, doc, p, false);
        }
        // The response table goes after the params, as in hand-written entries.
        let t = self.files.get_mut(Kind::Action, loc);
        if let Some(response) = t.remove("response") {
            t.insert("response", response);
        }
    }

    fn existing_action(&mut self, loc: Loc, doc: &DocAction) {
        let what = format!("action {}", doc.name);
        let t = self.files.get(Kind::Action, loc).clone();
        self.check_versions(&what, &t);
        let params = sub_tables(&t, "param");
        for p in &doc.params {
            let found = params
                .iter()
                .find(|q| get_str(q, "name").is_some_and(|n| n.eq_ignore_ascii_case(&p.name)));
            match found {
                Some(q) => {
                    let header = format!("{what}, param {}", p.name);
                    self.check_versions(&header, q);
                    if get_bool(q, "required") != p.required {
                        let (spec, xml) = if p.required {
                            ("optional", "required")
                        } else {
                            ("required", "optional")
                        };
                        self.disagree(format!("{header}: the spec says {spec}, the XML {xml}"));
                    }
                    let ty = get_str(q, "type").unwrap_or("string");
                    self.check_values(&header, ty, get_str(q, "enum"), p);
                }
                None => self.add_param(loc, doc, p, true),
            }
        }
        if let Some(list) = &doc.list {
            let response = t.get("response").and_then(Item::as_table);
            let kind = response
                .and_then(|r| get_str(r, "kind"))
                .unwrap_or_default();
            if kind != "list" {
                self.disagree(format!(
                    "{what}: the XML documents an event list, the spec a {kind} response"
                ));
            } else if let Some(r) = response {
                let items = get_strs(r, "items");
                for item in &list.items {
                    if !items.iter().any(|i| i.eq_ignore_ascii_case(item)) {
                        self.disagree(format!(
                            "{what}: the XML lists item event {item}, the spec does not"
                        ));
                    }
                }
                let complete = get_str(r, "complete").unwrap_or_default();
                if let Some(c) = list
                    .complete
                    .as_ref()
                    .filter(|c| !c.eq_ignore_ascii_case(complete))
                {
                    self.disagree(format!(
                        "{what}: the XML ends the list with {c}, the spec with {complete}"
                    ));
                }
            }
        }
    }

    fn add_param(&mut self, loc: Loc, doc: &DocAction, p: &DocParam, existing: bool) {
        let what = format!("action {}, param {}", doc.name, p.name);
        if p.name.contains(char::is_whitespace) || p.name.contains(':') {
            self.disagree(format!("{what}: not a header name; skipped"));
            return;
        }
        let mut t = Table::new();
        t.insert("name", value(&p.name));
        if let Some(rust) = self.member_rust(loc, Kind::Action, &p.name) {
            t.insert("rust", value(rust));
        }
        let owner = self.files.get(Kind::Action, loc).clone();
        let owner_rust = get_str(&owner, "rust")
            .map(str::to_string)
            .unwrap_or_else(|| type_name(&doc.name));
        self.set_type(&mut t, loc.file, &owner_rust, p, &what);
        if p.required {
            t.insert("required", value(true));
        }
        if p.name.contains("(0)") {
            t.insert("indexed", value(true));
        }
        if existing && !self.first {
            t.insert("since", value(self.version()));
        }
        push_sub(self.files.get_mut(Kind::Action, loc), "param", t);
        if existing {
            self.change(format!("{what}: added"));
        }
    }

    // ------------------------------------------------------------------------------ members

    /// The Rust names the members (params or fields and includes) of an item already use.
    fn member_names(&self, loc: Loc, kind: Kind) -> Vec<String> {
        let t = self.files.get(kind, loc);
        let key = if kind == Kind::Action {
            "param"
        } else {
            "field"
        };
        let mut names: Vec<String> = sub_tables(t, key)
            .into_iter()
            .map(|f| {
                get_str(f, "rust")
                    .map(str::to_string)
                    .unwrap_or_else(|| field_name(get_str(f, "name").unwrap_or_default()))
            })
            .collect();
        names.extend(
            sub_tables(t, "include")
                .into_iter()
                .filter_map(|i| get_str(i, "rust").map(str::to_string)),
        );
        names
    }

    fn member_taken(&self, loc: Loc, kind: Kind, rust: &str) -> bool {
        self.member_names(loc, kind).iter().any(|n| n == rust)
    }

    /// An explicit Rust name for a new member when the derived one is taken or unusable.
    fn member_rust(&self, loc: Loc, kind: Kind, wire: &str) -> Option<String> {
        let derived = field_name(wire);
        let usable = !derived.is_empty()
            && derived != "_"
            && !matches!(derived.as_str(), "self" | "super" | "crate");
        if usable && !self.member_taken(loc, kind, &derived) {
            return None;
        }
        let base = if usable {
            derived
        } else {
            "header".to_string()
        };
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|n| !self.member_taken(loc, kind, n))
    }

    // ------------------------------------------------------------------------------ types

    /// The `type` of a new param or field: `string`, `bool` for yes/no-like value lists, else an
    /// enum of its documented values (an existing one with exactly those values, or a new one).
    fn set_type(&mut self, t: &mut Table, file: usize, owner: &str, p: &DocParam, what: &str) {
        if p.values.is_empty() || !p.placeholders.is_empty() {
            if !p.placeholders.is_empty() {
                let list = p.placeholders.join("`, `");
                self.report
                    .notes
                    .push(format!("{what}: placeholder values `{list}`: typed string"));
            }
            t.insert("type", value("string"));
            return;
        }
        let lower: Vec<String> = p.values.iter().map(|v| v.to_ascii_lowercase()).collect();
        let is_bool = lower
            .iter()
            .all(|v| TRUE.contains(&v.as_str()) || FALSE.contains(&v.as_str()))
            && lower.iter().any(|v| TRUE.contains(&v.as_str()))
            && lower.iter().any(|v| FALSE.contains(&v.as_str()));
        if is_bool {
            t.insert("type", value("bool"));
            return;
        }
        let name = match self.same_enum(&lower) {
            Some(name) => name,
            None => self.new_enum(file, owner, p),
        };
        t.insert("type", value("enum"));
        t.insert("enum", value(name));
    }

    /// An existing enum whose variants are exactly these values.
    fn same_enum(&self, values: &[String]) -> Option<String> {
        let wanted: HashSet<&str> = values.iter().map(String::as_str).collect();
        self.files.all(Kind::Enum).into_iter().find_map(|(_, t)| {
            let name = get_str(t, "name")?;
            let spellings = self.files.enum_wire_spellings(name)?;
            let exact = spellings.len() == wanted.len()
                && spellings
                    .iter()
                    .all(|s| s.iter().any(|x| wanted.contains(x.as_str())))
                && wanted
                    .iter()
                    .all(|w| spellings.iter().any(|s| s.iter().any(|x| x == w)));
            exact.then(|| name.to_string())
        })
    }

    fn new_enum(&mut self, file: usize, owner: &str, p: &DocParam) -> String {
        let header = type_name(&p.name);
        let base = if header.starts_with(owner) {
            header
        } else {
            format!("{owner}{header}")
        };
        let name = std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}{n}")))
            .find(|n| !self.files.type_taken(n))
            .expect("an unused name");
        let mut t = Table::new();
        t.insert("name", value(&name));
        t.insert("needs_synopsis", value(true));
        self.files.push(file, Kind::Enum, t);
        let loc = self.files.find(Kind::Enum, &name).expect("just added");
        for v in &p.values {
            self.add_variant(loc, v);
        }
        let stem = self.files.files[file].stem.clone();
        self.change(format!(
            "added enum {name} ({stem}.toml) with {} values",
            p.values.len()
        ));
        name
    }

    fn add_variant(&mut self, loc: Loc, wire: &str) {
        let taken: Vec<String> = sub_tables(self.files.get(Kind::Enum, loc), "variant")
            .into_iter()
            .filter_map(|v| get_str(v, "name").map(str::to_string))
            .collect();
        let base = variant_name(wire);
        let name = std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}{n}")))
            .find(|n| !taken.contains(n))
            .expect("an unused name");
        let mut v = Table::new();
        v.insert("name", value(name));
        v.insert("wire", value(wire));
        if let Ok(n) = wire.parse::<i64>() {
            v.insert("value", value(n));
        }
        push_sub(self.files.get_mut(Kind::Enum, loc), "variant", v);
    }

    /// Compares documented values with a declared header's type: enum values it lacks are added,
    /// a `string` given values is reported.
    fn check_values(&mut self, what: &str, ty: &str, enum_name: Option<&str>, p: &DocParam) {
        if p.values.is_empty() || !p.placeholders.is_empty() {
            return;
        }
        match (ty, enum_name) {
            ("enum", Some(name)) => {
                let Some(spellings) = self.files.enum_spellings(name) else {
                    return;
                };
                let Some(loc) = self.files.find(Kind::Enum, name) else {
                    return;
                };
                for v in &p.values {
                    let lower = v.to_ascii_lowercase();
                    if !spellings.iter().any(|s| s.contains(&lower)) {
                        self.add_variant(loc, v);
                        self.change(format!("enum {name}: value {v:?} (from {what})"));
                    }
                }
            }
            ("string", _) => {
                let text = format!(
                    "{what}: the XML lists values ({}), the spec types it string",
                    p.values.join(", ")
                );
                self.report.notes.push(text);
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------------------ removals

    /// Items the previous dump documented and this one does not get `removed`.
    fn removals(&mut self, prev: &Dump) {
        let removed = (prev.version + 1).to_string();
        let dump = self.dump;
        for old in &prev.actions {
            let now = dump
                .actions
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(&old.name));
            let now = now.map(|a| a.params.as_slice());
            self.removal(Kind::Action, &old.name, &old.params, now, &removed);
        }
        for old in &prev.events {
            let now = dump
                .events
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(&old.name));
            let now = now.map(|e| e.params.as_slice());
            self.removal(Kind::Event, &old.name, &old.params, now, &removed);
        }
    }

    /// Marks the action or event `name` removed when this dump lacks it (`now` is `None`), or
    /// those of its params or fields that the previous dump had (`old`) and this one lacks.
    fn removal(
        &mut self,
        kind: Kind,
        name: &str,
        old: &[DocParam],
        now: Option<&[DocParam]>,
        removed: &str,
    ) {
        let Some(loc) = self.files.find(kind, name) else {
            return;
        };
        let (noun, member) = match kind {
            Kind::Action => ("action", "param"),
            _ => ("event", "field"),
        };
        let Some(now) = now else {
            let what = format!("{noun} {name}");
            return self.mark_removed(kind, loc, None, &what, removed);
        };
        let gone = old
            .iter()
            .filter(|p| !now.iter().any(|q| q.name.eq_ignore_ascii_case(&p.name)));
        for p in gone {
            let t = self.files.get(kind, loc);
            let i = match kind {
                Kind::Action => sub_tables(t, member).iter().position(|q| {
                    get_str(q, "name").is_some_and(|n| n.eq_ignore_ascii_case(&p.name))
                }),
                // A field the event has through a fieldset is the fieldset's, not marked here.
                _ => {
                    let t = t.clone();
                    self.files.covers(&t, &p.name).and_then(|c| c.own)
                }
            };
            if let Some(i) = i {
                let what = format!("{noun} {name}, {member} {}", p.name);
                self.mark_removed(kind, loc, Some((member, i)), &what, removed);
            }
        }
    }

    fn mark_removed(
        &mut self,
        kind: Kind,
        loc: Loc,
        member: Option<(&str, usize)>,
        what: &str,
        removed: &str,
    ) {
        let item = self.files.get_mut(kind, loc);
        let t = match member {
            None => item,
            Some((key, i)) => match item
                .get_mut(key)
                .and_then(Item::as_array_of_tables_mut)
                .and_then(|a| a.get_mut(i))
            {
                Some(t) => t,
                None => return,
            },
        };
        match get_str(t, "removed") {
            Some(r) if r == removed => {}
            Some(r) => {
                let text =
                    format!("{what}: the spec says removed in {r}, the imports show {removed}");
                self.disagree(text);
            }
            None => {
                t.insert("removed", value(removed));
                self.change(format!("{what}: removed = {removed}"));
            }
        }
    }
}

/// A Rust variant name for a wire value: UpperCamelCase, `Minus` for a leading `-`, `Value` before
/// a leading digit, `OtherValue` for `Other` (reserved for the catch-all).
pub fn variant_name(wire: &str) -> String {
    let (sign, rest) = match wire.strip_prefix('-') {
        Some(rest) => ("Minus", rest),
        None => ("", wire),
    };
    let words: String = rest
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            let first = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or_default();
            let rest: String = chars.collect();
            // Keep CamelCase words as they are; lower ALL-CAPS ones.
            if rest.chars().all(|c| !c.is_ascii_lowercase()) {
                format!("{first}{}", rest.to_ascii_lowercase())
            } else {
                format!("{first}{rest}")
            }
        })
        .collect();
    let name = format!("{sign}{words}");
    if name.is_empty() {
        "Empty".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Value{name}")
    } else if name == "Other" {
        "OtherValue".to_string()
    } else {
        name
    }
}
