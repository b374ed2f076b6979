//! Actions: new ones with their params, and the params existing ones lack.

use toml_edit::{value, Array, Item, Table};

use crate::import::dump::{DocAction, DocParam};
use crate::import::spec_files::{
    get_bool, get_str, get_strs, push_sub, sub_tables, type_name, Kind, Loc,
};

use super::Merge;

impl Merge<'_> {
    pub(super) fn action(&mut self, doc: &DocAction) {
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
}
