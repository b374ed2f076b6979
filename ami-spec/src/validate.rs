//! Lowering of [`raw`] files into the checked [`model`](crate::model), with every check.
//!
//! Each check is a named function. None stops at the first problem: errors are pushed and
//! lowering goes on with a stand-in value, so one load reports everything; the spec built
//! alongside is thrown away when any error was found.

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
        (f.raw.actions.iter()).map(move |a| (&f.source, &a.get_ref().name, a.get_ref().rust.as_ref()))
    });
    check_unique_items("action", actions, errors);
    let events = files.iter().flat_map(|f| {
        (f.raw.events.iter()).map(move |e| (&f.source, &e.get_ref().name, e.get_ref().rust.as_ref()))
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
        if let Some((other, first)) = rust.see(rust_name.clone(), who.clone(), src.locate(span.start)) {
            let kind = ErrorKind::DuplicateRust { name: rust_name, other, first };
            errors.push(src.error(&span, who, kind));
        }
    }
}

/// Enums and fieldsets are both Rust types, so their names share one namespace.
fn check_unique_types(files: &[File], errors: &mut Vec<Error>) {
    let mut seen = FirstSeen::default();
    for file in files {
        let enums = file.raw.enums.iter().map(|e| &e.get_ref().name);
        let mut types: Vec<_> = enums.chain(file.raw.fieldsets.iter().map(|f| &f.get_ref().name)).collect();
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
        self.folded.entry(name.to_ascii_lowercase()).or_insert_with(|| name.to_string());
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

/// The kind of identifier a name must be.
#[derive(Clone, Copy)]
enum Ident {
    /// snake_case module name.
    Module,
    /// UpperCamelCase Rust type name (enum, fieldset, event, action).
    Type,
    /// UpperCamelCase enum variant name.
    Variant,
    /// snake_case Rust field name (field, param, include).
    Field,
}

impl Ident {
    fn what(self) -> &'static str {
        match self {
            Ident::Module => "module name",
            Ident::Type => "type name",
            Ident::Variant => "variant name",
            Ident::Field => "Rust field name",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Ident::Module | Ident::Field => "a snake_case identifier",
            Ident::Type | Ident::Variant => "an UpperCamelCase identifier",
        }
    }

    fn is_valid(self, name: &str) -> bool {
        match self {
            Ident::Module | Ident::Field => names::is_snake_case(name),
            Ident::Type | Ident::Variant => names::is_upper_camel_case(name),
        }
    }

    /// The default Rust name derived from a wire name.
    fn derive(self, wire: &str) -> String {
        match self {
            Ident::Field => names::field_name(wire),
            _ => names::type_name(wire),
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

    fn module(&mut self, file: &raw::File) -> Module {
        let m = file.module.get_ref();
        self.check_ident(&m.name, "module", Ident::Module);
        self.check_synopsis(&m.synopsis, "module");
        Module {
            name: m.name.get_ref().clone(),
            synopsis: m.synopsis.get_ref().clone(),
            path: self.src.path.clone(),
            enums: file.enums.iter().map(|e| self.enum_def(e.get_ref())).collect(),
            fieldsets: file.fieldsets.iter().map(|f| self.fieldset(f.get_ref())).collect(),
            events: file.events.iter().map(|e| self.event(e.get_ref())).collect(),
            actions: file.actions.iter().map(|a| self.action(a.get_ref())).collect(),
        }
    }

    fn enum_def(&mut self, e: &raw::Enum) -> EnumDef {
        let context = format!("enum {}", e.name.get_ref());
        self.check_ident(&e.name, &context, Ident::Type);
        self.check_synopsis(&e.synopsis, &context);
        let (mut rust, mut wire) = (FirstSeen::default(), FirstSeen::default());
        let variants = e.variants.iter();
        EnumDef {
            name: e.name.get_ref().clone(),
            synopsis: e.synopsis.get_ref().clone(),
            variants: variants.map(|v| self.variant(v, &context, &mut rust, &mut wire)).collect(),
        }
    }

    /// Variant names must be unique, and so must every spelling decoding accepts (`wire` and
    /// `aliases`, case-insensitively), or decoding would be ambiguous.
    fn variant(
        &mut self,
        v: &raw::Variant,
        enum_context: &str,
        rust: &mut FirstSeen,
        wire: &mut FirstSeen,
    ) -> Variant {
        let context = format!("{enum_context}, variant {}", v.name.get_ref());
        if v.name.get_ref() == "Other" {
            self.error(v.name.span(), &context, ErrorKind::ReservedVariant);
        } else {
            self.check_ident(&v.name, &context, Ident::Variant);
        }
        let loc = self.locate(v.name.span());
        if let Some((_, first)) = rust.see(v.name.get_ref().clone(), String::new(), loc) {
            self.error(v.name.span(), &context, duplicate("variant", &v.name, first));
        }
        for spelling in std::iter::once(&v.wire).chain(&v.aliases) {
            if let Some(reason) = names::header_value_problem(spelling.get_ref()) {
                let name = spelling.get_ref().clone();
                let kind = ErrorKind::InvalidWire { what: "wire spelling", name, reason };
                self.error(spelling.span(), &context, kind);
            }
            let (folded, loc) = (spelling.get_ref().to_ascii_lowercase(), self.locate(spelling.span()));
            if let Some((_, first)) = wire.see(folded, String::new(), loc) {
                self.error(spelling.span(), &context, duplicate("wire spelling", spelling, first));
            }
        }
        Variant {
            name: v.name.get_ref().clone(),
            wire: v.wire.get_ref().clone(),
            value: v.value,
            aliases: v.aliases.iter().map(|a| a.get_ref().clone()).collect(),
            text: v.text.clone(),
            doc: v.doc.clone(),
        }
    }

    fn fieldset(&mut self, f: &raw::Fieldset) -> Fieldset {
        let context = format!("fieldset {}", f.name.get_ref());
        self.check_ident(&f.name, &context, Ident::Type);
        self.check_synopsis(&f.synopsis, &context);
        let mut members = Members::default();
        Fieldset {
            name: f.name.get_ref().clone(),
            synopsis: f.synopsis.get_ref().clone(),
            fields: f.fields.iter().map(|x| self.field(x, &context, &mut members)).collect(),
        }
    }

    fn event(&mut self, e: &raw::Event) -> Event {
        let context = format!("event {}", e.name.get_ref());
        self.check_wire_name(&e.name, &context);
        let (rust, _) = self.rust_name(e.rust.as_ref(), &e.name, Ident::Type, &context);
        self.check_synopsis(&e.synopsis, &context);
        let mut members = Members::default();
        let fields = e.fields.iter().map(|f| self.field(f, &context, &mut members)).collect();
        let includes = e.includes.iter();
        Event {
            name: e.name.get_ref().clone(),
            rust,
            synopsis: e.synopsis.get_ref().clone(),
            privilege: e.privilege.clone(),
            since: Since {
                since: e.since.clone(),
                removed: e.removed.clone(),
            },
            fields,
            includes: includes.map(|i| self.include(i, &context, &mut members)).collect(),
        }
    }

    fn field(&mut self, f: &raw::Field, item_context: &str, members: &mut Members) -> Field {
        let context = format!("{item_context}, field {}", f.name.get_ref());
        self.check_wire_name(&f.name, &context);
        let (rust, rust_span) = self.rust_name(f.rust.as_ref(), &f.name, Ident::Field, &context);
        self.check_unique_member("field", &f.name, &rust, rust_span, &context, members);
        let ty = self.ty(&f.ty, f.enum_name.as_ref(), f.unit.as_ref(), &context);
        for variant in &f.case_variants {
            self.check_case_variant(variant, &f.name, &context);
        }
        Field {
            name: f.name.get_ref().clone(),
            rust,
            ty,
            required: f.required,
            repeated: f.repeated,
            prefix_match: f.prefix_match,
            case_variants: f.case_variants.iter().map(|v| v.get_ref().clone()).collect(),
            doc: f.doc.clone(),
        }
    }

    /// An included fieldset must exist; its prefixed headers and its Rust field name must not
    /// collide with the event's other fields and includes.
    fn include(&mut self, i: &raw::Include, event_context: &str, members: &mut Members) -> Include {
        let context = format!("{event_context}, include {}", i.fieldset.get_ref());
        self.check_reference(Ref::Fieldset, &i.fieldset, &context);
        let prefix = i.prefix.as_ref().map_or("", |p| p.get_ref());
        if let Some(p) = i.prefix.as_ref().filter(|p| !p.get_ref().is_empty()) {
            self.check_wire(p, &context, "prefix");
        }
        self.check_ident(&i.rust, &context, Ident::Field);
        let (who, loc) = (format!("include {}", i.fieldset.get_ref()), self.locate(i.rust.span()));
        if let Some((other, first)) = members.rust.see(i.rust.get_ref().clone(), who, loc) {
            let name = i.rust.get_ref().clone();
            self.error(i.rust.span(), &context, ErrorKind::DuplicateRust { name, other, first });
        }
        let fields = self.index.fieldset_defs.get(i.fieldset.get_ref().as_str());
        for field in fields.map_or(&[][..], |f| &f.fields) {
            let header = format!("{prefix}{}", field.name.get_ref());
            let loc = self.locate(i.fieldset.span());
            if let Some((_, first)) = members.wire.see(header.to_ascii_lowercase(), String::new(), loc) {
                let kind = ErrorKind::Duplicate { what: "field", name: header, first };
                self.error(i.fieldset.span(), &context, kind);
                break;
            }
        }
        Include {
            fieldset: i.fieldset.get_ref().clone(),
            prefix: prefix.to_string(),
            rust: i.rust.get_ref().clone(),
            required: i.required,
        }
    }

    fn action(&mut self, a: &raw::Action) -> Action {
        let context = format!("action {}", a.name.get_ref());
        self.check_wire_name(&a.name, &context);
        let (rust, _) = self.rust_name(a.rust.as_ref(), &a.name, Ident::Type, &context);
        self.check_synopsis(&a.synopsis, &context);
        if let Some(event) = &a.follow_up {
            self.check_reference(Ref::Event, event, &context);
        }
        let mut members = Members::default();
        let params = a.params.iter().map(|p| self.param(p, &context, &mut members)).collect();
        let examples = a.examples.iter().map(|x| Example {
            title: x.title.clone(),
            request: x.request.clone(),
            response: x.response.clone(),
        });
        Action {
            name: a.name.get_ref().clone(),
            rust,
            synopsis: a.synopsis.get_ref().clone(),
            privilege: a.privilege.clone(),
            since: Since {
                since: a.since.clone(),
                removed: a.removed.clone(),
            },
            follow_up: a.follow_up.as_ref().map(|f| f.get_ref().clone()),
            params,
            response: self.response(&a.response, &context),
            examples: examples.collect(),
        }
    }

    /// Params: never `ActionID` (implicit in every action); `indexed` ones carry `(0)` in their
    /// name and are not also `repeated`.
    fn param(&mut self, p: &raw::Param, action_context: &str, members: &mut Members) -> Param {
        let context = format!("{action_context}, param {}", p.name.get_ref());
        self.check_wire_name(&p.name, &context);
        if p.name.get_ref().eq_ignore_ascii_case("ActionID") {
            self.error(p.name.span(), &context, ErrorKind::ActionIdParam);
        }
        let (rust, rust_span) = self.rust_name(p.rust.as_ref(), &p.name, Ident::Field, &context);
        self.check_unique_member("param", &p.name, &rust, rust_span, &context, members);
        let ty = self.ty(&p.ty, p.enum_name.as_ref(), p.unit.as_ref(), &context);
        let indexed = p.indexed.as_ref().is_some_and(|i| *i.get_ref());
        if indexed && !p.name.get_ref().contains("(0)") {
            self.error(p.name.span(), &context, ErrorKind::IndexedWithoutIndex);
        }
        if let Some(i) = p.indexed.as_ref().filter(|_| indexed && p.repeated) {
            self.error(i.span(), &context, ErrorKind::RepeatedAndIndexed);
        }
        Param {
            name: p.name.get_ref().clone(),
            rust,
            ty,
            required: p.required,
            repeated: p.repeated,
            indexed,
            default: p.default.clone(),
            doc: p.doc.clone(),
        }
    }

    /// A response's `kind` is known, it only has the keys of its kind, and a list names its
    /// item events and its completion event, all declared.
    fn response(&mut self, r: &Spanned<raw::Response>, action_context: &str) -> Response {
        let context = format!("{action_context}, response");
        let raw = r.get_ref();
        let kind = raw.kind.get_ref().as_str();
        if !["plain", "fields", "list", "command", "goodbye"].contains(&kind) {
            let kind = ErrorKind::UnknownResponseKind(kind.to_string());
            self.error(raw.kind.span(), &context, kind);
            return Response::Plain;
        }
        let fields_span = raw.fields.as_ref().map(Spanned::span);
        self.check_response_key("field", "fields", fields_span, kind, &context);
        let items_span = raw.items.as_ref().map(Spanned::span);
        self.check_response_key("items", "list", items_span, kind, &context);
        let complete_span = raw.complete.as_ref().map(Spanned::span);
        self.check_response_key("complete", "list", complete_span, kind, &context);
        match kind {
            "fields" => {
                let mut members = Members::default();
                let fields = raw.fields.as_ref().map_or(&[][..], |f| f.get_ref());
                Response::Fields(fields.iter().map(|f| self.field(f, &context, &mut members)).collect())
            }
            "list" => self.list(r, &context),
            "command" => Response::Command,
            "goodbye" => Response::Goodbye,
            _ => Response::Plain,
        }
    }

    fn list(&mut self, r: &Spanned<raw::Response>, context: &str) -> Response {
        let raw = r.get_ref();
        match &raw.items {
            None => self.error(r.span(), context, ErrorKind::ListWithoutItems),
            Some(items) if items.get_ref().is_empty() => {
                self.error(items.span(), context, ErrorKind::ListWithoutItems)
            }
            Some(items) => {
                for item in items.get_ref() {
                    self.check_reference(Ref::Event, item, context);
                }
            }
        }
        match &raw.complete {
            None => self.error(r.span(), context, ErrorKind::ListWithoutComplete),
            Some(complete) => self.check_reference(Ref::Event, complete, context),
        }
        let items = raw.items.as_ref().map_or(&[][..], |i| i.get_ref());
        Response::List {
            items: items.iter().map(|i| i.get_ref().clone()).collect(),
            complete: raw.complete.as_ref().map(|c| c.get_ref().clone()).unwrap_or_default(),
        }
    }

    /// `field` belongs to `fields` responses only, `items` and `complete` to `list` ones.
    fn check_response_key(
        &mut self,
        key: &'static str,
        allowed: &'static str,
        span: Option<Range<usize>>,
        kind: &str,
        context: &str,
    ) {
        if let Some(span) = span.filter(|_| kind != allowed) {
            let kind = kind.to_string();
            self.error(span, context, ErrorKind::MisplacedResponseKey { key, allowed, kind });
        }
    }

    /// A known `type`, with `enum` exactly when it is `enum` and `unit` exactly when it is
    /// `duration`.
    fn ty(
        &mut self,
        ty: &Spanned<String>,
        enum_name: Option<&Spanned<String>>,
        unit: Option<&Spanned<String>>,
        context: &str,
    ) -> Type {
        let name = ty.get_ref().as_str();
        let parsed = match name {
            "string" => Type::String,
            "int" => Type::Int,
            "uint" => Type::Uint,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "list" => Type::List,
            "variable" => Type::Variable,
            "channel_pattern" => Type::ChannelPattern,
            "enum" => match enum_name {
                Some(e) => {
                    self.check_reference(Ref::Enum, e, context);
                    Type::Enum(e.get_ref().clone())
                }
                None => {
                    self.error(ty.span(), context, ErrorKind::MissingEnum);
                    Type::String
                }
            },
            "duration" => Type::Duration(self.unit(ty, unit, context)),
            _ => {
                self.error(ty.span(), context, ErrorKind::UnknownType(name.to_string()));
                return Type::String;
            }
        };
        if let Some(e) = enum_name.filter(|_| name != "enum") {
            self.error(e.span(), context, ErrorKind::UnexpectedEnum(name.to_string()));
        }
        if let Some(u) = unit.filter(|_| name != "duration") {
            self.error(u.span(), context, ErrorKind::UnexpectedUnit(name.to_string()));
        }
        parsed
    }

    /// The `unit` of a duration: `s` or `ms`.
    fn unit(&mut self, ty: &Spanned<String>, unit: Option<&Spanned<String>>, context: &str) -> Unit {
        match unit.map(|u| (u, u.get_ref().as_str())) {
            Some((_, "s")) => Unit::Seconds,
            Some((_, "ms")) => Unit::Milliseconds,
            Some((u, other)) => {
                self.error(u.span(), context, ErrorKind::InvalidUnit(other.to_string()));
                Unit::Seconds
            }
            None => {
                self.error(ty.span(), context, ErrorKind::MissingUnit);
                Unit::Seconds
            }
        }
    }

    /// A referenced enum, fieldset or event must be declared in some file (exactly, with a hint
    /// when only the case differs), unless its declaration failed to parse.
    fn check_reference(&mut self, kind: Ref, name: &Spanned<String>, context: &str) {
        let declared = self.index.declared(kind);
        let key = (kind.what(), name.get_ref().clone());
        if !self.index.complete || declared.exact.contains(name.get_ref()) || self.index.broken.contains(&key) {
            return;
        }
        let hint = match declared.folded.get(&name.get_ref().to_ascii_lowercase()) {
            Some(similar) => format!(" (did you mean \"{similar}\"?)"),
            None => String::new(),
        };
        let kind = ErrorKind::Dangling { what: kind.what(), name: name.get_ref().clone(), hint };
        self.error(name.span(), context, kind);
    }

    /// A field or param's wire name is unique in its item (case-insensitively, as headers
    /// match), and so is its Rust field name.
    fn check_unique_member(
        &mut self,
        what: &'static str,
        wire: &Spanned<String>,
        rust: &str,
        rust_span: Range<usize>,
        context: &str,
        members: &mut Members,
    ) {
        let (folded, loc) = (wire.get_ref().to_ascii_lowercase(), self.locate(wire.span()));
        if let Some((_, first)) = members.wire.see(folded, String::new(), loc) {
            self.error(wire.span(), context, duplicate(what, wire, first));
            return;
        }
        let (who, loc) = (format!("{what} {}", wire.get_ref()), self.locate(rust_span.clone()));
        if let Some((other, first)) = members.rust.see(rust.to_string(), who, loc) {
            let name = rust.to_string();
            self.error(rust_span, context, ErrorKind::DuplicateRust { name, other, first });
        }
    }

    /// The Rust name of an item: its `rust` override, checked, or the one derived from its wire
    /// name, checked too; returns it with the span to blame for it.
    fn rust_name(
        &mut self,
        explicit: Option<&Spanned<String>>,
        wire: &Spanned<String>,
        ident: Ident,
        context: &str,
    ) -> (String, Range<usize>) {
        if let Some(rust) = explicit {
            self.check_ident(rust, context, ident);
            return (rust.get_ref().clone(), rust.span());
        }
        let derived = ident.derive(wire.get_ref());
        let wire_ok = names::header_name_problem(wire.get_ref()).is_none();
        if wire_ok && !ident.is_valid(&derived) {
            let kind = ErrorKind::InvalidIdent {
                what: ident.what(),
                name: derived.clone(),
                expected: ident.expected(),
                hint: " (derived from the wire name; set `rust = \"…\"`)".to_string(),
            };
            self.error(wire.span(), context, kind);
        }
        (derived, wire.span())
    }

    /// Module, type, variant and Rust field names must be identifiers of the right case.
    fn check_ident(&mut self, name: &Spanned<String>, context: &str, ident: Ident) {
        if !ident.is_valid(name.get_ref()) {
            let kind = ErrorKind::InvalidIdent {
                what: ident.what(),
                name: name.get_ref().clone(),
                expected: ident.expected(),
                hint: String::new(),
            };
            self.error(name.span(), context, kind);
        }
    }

    /// An action, event, param or field name must be sendable as a header name.
    fn check_wire_name(&mut self, name: &Spanned<String>, context: &str) {
        self.check_wire(name, context, "wire name");
    }

    /// A header name or prefix: non-empty, without whitespace, ':' or line breaks.
    fn check_wire(&mut self, name: &Spanned<String>, context: &str, what: &'static str) {
        if let Some(reason) = names::header_name_problem(name.get_ref()) {
            let kind = ErrorKind::InvalidWire { what, name: name.get_ref().clone(), reason };
            self.error(name.span(), context, kind);
        }
    }

    /// A `case_variants` entry is a valid header name differing from the field's only in case.
    fn check_case_variant(&mut self, variant: &Spanned<String>, name: &Spanned<String>, context: &str) {
        self.check_wire(variant, context, "case variant");
        if !variant.get_ref().eq_ignore_ascii_case(name.get_ref()) {
            let kind = ErrorKind::NotACaseVariant {
                variant: variant.get_ref().clone(),
                name: name.get_ref().clone(),
            };
            self.error(variant.span(), context, kind);
        }
    }

    /// A synopsis is one non-empty line: it becomes a one-line doc summary.
    fn check_synopsis(&mut self, synopsis: &Spanned<String>, context: &str) {
        let text = synopsis.get_ref().trim();
        if text.is_empty() || text.contains('\n') {
            self.error(synopsis.span(), context, ErrorKind::InvalidSynopsis);
        }
    }
}
