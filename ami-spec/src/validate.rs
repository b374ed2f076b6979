//! Lowering of [`raw`] files into the checked [`model`](crate::model), with every check.
//!
//! Each check is a named function. None stops at the first problem: errors are pushed and
//! lowering goes on with a stand-in value, so one load reports everything; the spec built
//! alongside is thrown away when any error was found.
//!
//! This file holds the checks across files; `items.rs` lowers each item and `checks.rs` holds
//! the checks shared by items (types, references, names).

mod checks;
mod items;

use crate::error::{Error, ErrorKind};
use crate::model::*;
use crate::names;
use crate::raw;
use crate::source::Source;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

/// A parsed file and the source it came from.
pub(crate) struct File {
    /// Name, path and text, to locate errors.
    pub source: Source,
    /// What it parsed into.
    pub raw: raw::File,
}

/// `(kind, name)` of items left out because they did not parse, e.g. `("event", "Hangup")`.
pub(crate) type Broken = HashSet<(&'static str, String)>;

/// Checks and lowers every file. `complete` is false when some file could not be read or parsed
/// at all: references are then not checked, since their targets may be in that file.
pub(crate) fn validate(
    files: &[File],
    broken: &Broken,
    complete: bool,
    errors: &mut Vec<Error>,
) -> Spec {
    check_unique_modules(files, errors);
    let actions = files.iter().flat_map(|f| {
        (f.raw.actions.iter())
            .map(move |a| (&f.source, &a.get_ref().name, a.get_ref().rust.as_ref()))
    });
    check_unique_items("action", actions, errors);
    let events = files.iter().flat_map(|f| {
        (f.raw.events.iter())
            .map(move |e| (&f.source, &e.get_ref().name, e.get_ref().rust.as_ref()))
    });
    check_unique_items("event", events, errors);
    check_unique_types(files, errors);
    let index = Index::new(files, broken, complete);
    let mut modules = Vec::new();
    for file in files {
        let mut lower = Lower {
            src: &file.source,
            index: &index,
            errors: &mut *errors,
        };
        modules.push(lower.module(&file.raw));
    }
    Spec { modules }
}

/// Module names name the generated files, so no two modules may share one.
fn check_unique_modules(files: &[File], errors: &mut Vec<Error>) {
    let mut seen = FirstSeen::default();
    for file in files {
        let name = &file.raw.module.get_ref().name;
        let loc = file.source.locate(name.span().start);
        if let Some((_, first)) = seen.see(name.get_ref().clone(), String::new(), loc) {
            let kind = duplicate("module", name, first);
            errors.push(file.source.error(&name.span(), "", kind));
        }
    }
}

/// Action (and event) wire names must differ by more than case: AMI matches action names
/// case-insensitively, and `Foo`/`foo` would get one Rust name. Rust type names must differ too.
fn check_unique_items<'a>(
    what: &'static str,
    items: impl Iterator<Item = (&'a Source, &'a Spanned<String>, Option<&'a Spanned<String>>)>,
    errors: &mut Vec<Error>,
) {
    let (mut wire, mut rust) = (FirstSeen::default(), FirstSeen::default());
    for (src, name, explicit) in items {
        let loc = src.locate(name.span().start);
        let folded = name.get_ref().to_ascii_lowercase();
        if let Some((_, first)) = wire.see(folded, String::new(), loc) {
            errors.push(src.error(&name.span(), "", duplicate(what, name, first)));
            continue;
        }
        let (rust_name, span) = match explicit {
            Some(r) => (r.get_ref().clone(), r.span()),
            None => (names::type_name(name.get_ref()), name.span()),
        };
        let who = format!("{what} {}", name.get_ref());
        if let Some((other, first)) =
            rust.see(rust_name.clone(), who.clone(), src.locate(span.start))
        {
            let kind = ErrorKind::DuplicateRust {
                name: rust_name,
                other,
                first,
            };
            errors.push(src.error(&span, who, kind));
        }
    }
}

/// Enums and fieldsets are both Rust types, so their names share one namespace.
fn check_unique_types(files: &[File], errors: &mut Vec<Error>) {
    let mut seen = FirstSeen::default();
    for file in files {
        let enums = file.raw.enums.iter().map(|e| &e.get_ref().name);
        let mut types: Vec<_> = enums
            .chain(file.raw.fieldsets.iter().map(|f| &f.get_ref().name))
            .collect();
        types.sort_by_key(|name| name.span().start);
        for name in types {
            let loc = file.source.locate(name.span().start);
            if let Some((_, first)) = seen.see(name.get_ref().clone(), String::new(), loc) {
                let kind = duplicate("type name", name, first);
                errors.push(file.source.error(&name.span(), "", kind));
            }
        }
    }
}

/// A `Duplicate` error for `name`, first declared at `first`.
fn duplicate(what: &'static str, name: &Spanned<String>, first: String) -> ErrorKind {
    let name = name.get_ref().clone();
    ErrorKind::Duplicate { what, name, first }
}

/// Where each name of one namespace was first declared, to report later ones as duplicates.
#[derive(Default)]
struct FirstSeen(HashMap<String, (String, String)>);

impl FirstSeen {
    /// Records `key`, declared by `who` at `loc`; returns the first `(who, loc)` if seen before.
    fn see(&mut self, key: String, who: String, loc: String) -> Option<(String, String)> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => Some(first.get().clone()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((who, loc));
                None
            }
        }
    }
}

/// The wire and Rust names already used by the members of one item.
#[derive(Default)]
struct Members {
    /// Wire names, ASCII-lowercased: headers match case-insensitively.
    wire: FirstSeen,
    /// Rust field names.
    rust: FirstSeen,
}

/// The declared names of one namespace, for resolving references.
#[derive(Default)]
struct Declared {
    exact: HashSet<String>,
    /// ASCII-lowercased name → the name, to suggest a fix for a wrong case.
    folded: HashMap<String, String>,
}

impl Declared {
    /// Adds a declared name.
    fn add(&mut self, name: &str) {
        self.exact.insert(name.to_string());
        self.folded
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| name.to_string());
    }
}

/// What a reference points at.
#[derive(Clone, Copy)]
enum Ref {
    Enum,
    Fieldset,
    Event,
}

impl Ref {
    /// The word used in messages and in [`Broken`].
    fn what(self) -> &'static str {
        match self {
            Ref::Enum => "enum",
            Ref::Fieldset => "fieldset",
            Ref::Event => "event",
        }
    }
}

/// Everything declared anywhere, for the checks of one item.
struct Index<'a> {
    enums: Declared,
    fieldsets: Declared,
    events: Declared,
    /// Fieldsets by name, to expand includes.
    fieldset_defs: HashMap<&'a str, &'a raw::Fieldset>,
    broken: &'a Broken,
    complete: bool,
}

impl<'a> Index<'a> {
    /// Indexes every file's declarations.
    fn new(files: &'a [File], broken: &'a Broken, complete: bool) -> Self {
        let mut index = Index {
            enums: Declared::default(),
            fieldsets: Declared::default(),
            events: Declared::default(),
            fieldset_defs: HashMap::new(),
            broken,
            complete,
        };
        for file in files {
            for e in &file.raw.enums {
                index.enums.add(e.get_ref().name.get_ref());
            }
            for f in &file.raw.fieldsets {
                let f = f.get_ref();
                index.fieldsets.add(f.name.get_ref());
                index.fieldset_defs.entry(f.name.get_ref()).or_insert(f);
            }
            for e in &file.raw.events {
                index.events.add(e.get_ref().name.get_ref());
            }
        }
        index
    }

    /// The names declared for `kind`.
    fn declared(&self, kind: Ref) -> &Declared {
        match kind {
            Ref::Enum => &self.enums,
            Ref::Fieldset => &self.fieldsets,
            Ref::Event => &self.events,
        }
    }
}

/// Lowers the items of one file.
struct Lower<'a, 'e> {
    src: &'a Source,
    index: &'a Index<'a>,
    errors: &'e mut Vec<Error>,
}

impl Lower<'_, '_> {
    /// Records an error at the start of `span`.
    fn error(&mut self, span: Range<usize>, context: &str, kind: ErrorKind) {
        self.errors.push(self.src.error(&span, context, kind));
    }

    /// `file:line:column` of `span`'s start.
    fn locate(&self, span: Range<usize>) -> String {
        self.src.locate(span.start)
    }
}
