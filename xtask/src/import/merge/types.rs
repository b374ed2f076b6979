//! Names and types of new members: Rust names that do not collide, and `string`, `bool` or
//! an enum (an existing one with the same values, or a new one) from the documented values.

use std::collections::HashSet;

use toml_edit::{value, Table};

use crate::import::dump::DocParam;
use crate::import::spec_files::{field_name, get_str, push_sub, sub_tables, type_name, Kind, Loc};

use super::{variant_name, Merge};

/// Boolean spellings: an enumlist of only these, with a true and a false one, is a `bool`.
const TRUE: [&str; 5] = ["yes", "true", "on", "1", "y"];
const FALSE: [&str; 5] = ["no", "false", "off", "0", "n"];

impl Merge<'_> {
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

    pub(super) fn member_taken(&self, loc: Loc, kind: Kind, rust: &str) -> bool {
        self.member_names(loc, kind).iter().any(|n| n == rust)
    }

    /// An explicit Rust name for a new member when the derived one is taken or unusable.
    pub(super) fn member_rust(&self, loc: Loc, kind: Kind, wire: &str) -> Option<String> {
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
    pub(super) fn set_type(
        &mut self,
        t: &mut Table,
        file: usize,
        owner: &str,
        p: &DocParam,
        what: &str,
    ) {
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
    pub(super) fn check_values(
        &mut self,
        what: &str,
        ty: &str,
        enum_name: Option<&str>,
        p: &DocParam,
    ) {
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
}
