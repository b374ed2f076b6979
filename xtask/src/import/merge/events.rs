//! Events: new ones with their headers as fields or fieldset includes, and the headers
//! existing ones lack.

use std::collections::HashSet;

use toml_edit::{value, Table};

use crate::import::dump::{DocEvent, DocParam};
use crate::import::spec_files::{
    field_name, get_bool, get_str, push_sub, sub_tables, type_name, Kind, Loc,
};

use super::Merge;

impl Merge<'_> {
    pub(super) fn event(&mut self, doc: &DocEvent) {
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
}
