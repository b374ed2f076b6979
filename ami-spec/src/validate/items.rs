//! Lowering of each item (module, enum, fieldset, event, action) and its item-local checks.

use super::checks::Ident;
use super::{duplicate, FirstSeen, Lower, Members, Ref};
use crate::error::ErrorKind;
use crate::model::*;
use crate::names;
use crate::raw;
use std::ops::Range;
use toml::Spanned;

impl Lower<'_, '_> {
    /// A module: snake_case name, one-line synopsis, then each of its items.
    pub(super) fn module(&mut self, file: &raw::File) -> Module {
        let m = file.module.get_ref();
        self.check_ident(&m.name, "module", Ident::Module);
        self.check_synopsis(&m.synopsis, "module");
        Module {
            name: m.name.get_ref().clone(),
            synopsis: m.synopsis.get_ref().clone(),
            path: self.src.path.clone(),
            enums: file
                .enums
                .iter()
                .map(|e| self.enum_def(e.get_ref()))
                .collect(),
            fieldsets: file
                .fieldsets
                .iter()
                .map(|f| self.fieldset(f.get_ref()))
                .collect(),
            events: file
                .events
                .iter()
                .map(|e| self.event(e.get_ref()))
                .collect(),
            actions: file
                .actions
                .iter()
                .map(|a| self.action(a.get_ref()))
                .collect(),
        }
    }

    /// An enum: UpperCamelCase name, one-line synopsis, then its variants.
    pub(super) fn enum_def(&mut self, e: &raw::Enum) -> EnumDef {
        let context = format!("enum {}", e.name.get_ref());
        self.check_ident(&e.name, &context, Ident::Type);
        let generic = format!("The values of `{}`.", e.name.get_ref());
        let (synopsis, needs_synopsis) = self.item_synopsis(
            &e.name,
            e.synopsis.as_ref(),
            e.needs_synopsis.as_ref(),
            &context,
            generic,
        );
        let (mut rust, mut wire) = (FirstSeen::default(), FirstSeen::default());
        let variants = e.variants.iter();
        EnumDef {
            name: e.name.get_ref().clone(),
            synopsis,
            needs_synopsis,
            variants: variants
                .map(|v| self.variant(v, &context, &mut rust, &mut wire))
                .collect(),
        }
    }

    /// Variant names must be unique, and so must every spelling decoding accepts (`wire` and
    /// `aliases`, case-insensitively), or decoding would be ambiguous.
    pub(super) fn variant(
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
            self.error(
                v.name.span(),
                &context,
                duplicate("variant", &v.name, first),
            );
        }
        for spelling in std::iter::once(&v.wire).chain(&v.aliases) {
            if let Some(reason) = names::header_value_problem(spelling.get_ref()) {
                let name = spelling.get_ref().clone();
                let kind = ErrorKind::InvalidWire {
                    what: "wire spelling",
                    name,
                    reason,
                };
                self.error(spelling.span(), &context, kind);
            }
            let (folded, loc) = (
                spelling.get_ref().to_ascii_lowercase(),
                self.locate(spelling.span()),
            );
            if let Some((_, first)) = wire.see(folded, String::new(), loc) {
                self.error(
                    spelling.span(),
                    &context,
                    duplicate("wire spelling", spelling, first),
                );
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

    /// A fieldset: UpperCamelCase name, one-line synopsis, then its fields.
    pub(super) fn fieldset(&mut self, f: &raw::Fieldset) -> Fieldset {
        let context = format!("fieldset {}", f.name.get_ref());
        self.check_ident(&f.name, &context, Ident::Type);
        self.check_synopsis(&f.synopsis, &context);
        let mut members = Members::default();
        Fieldset {
            name: f.name.get_ref().clone(),
            synopsis: f.synopsis.get_ref().clone(),
            fields: f
                .fields
                .iter()
                .map(|x| self.field(x, &context, &mut members))
                .collect(),
        }
    }

    /// What actions and events start with: the error context (`event Hangup`), a sendable wire
    /// name, a valid Rust type name, and a synopsis (their own, or a generic one).
    fn item_head(
        &mut self,
        noun: &str,
        name: &Spanned<String>,
        rust: Option<&Spanned<String>>,
        synopsis: Option<&Spanned<String>>,
        needs_synopsis: Option<&Spanned<bool>>,
    ) -> ItemHead {
        let context = format!("{noun} {}", name.get_ref());
        self.check_wire_name(name, &context);
        let (rust, _) = self.rust_name(rust, name, Ident::Type, &context);
        let generic = format!("The `{}` {noun}.", name.get_ref());
        let (synopsis, needs_synopsis) =
            self.item_synopsis(name, synopsis, needs_synopsis, &context, generic);
        ItemHead {
            context,
            rust,
            synopsis,
            needs_synopsis,
        }
    }

    /// An event: a sendable wire name, a valid Rust type name, then its fields and includes.
    pub(super) fn event(&mut self, e: &raw::Event) -> Event {
        let ItemHead {
            context,
            rust,
            synopsis,
            needs_synopsis,
        } = self.item_head(
            "event",
            &e.name,
            e.rust.as_ref(),
            e.synopsis.as_ref(),
            e.needs_synopsis.as_ref(),
        );
        let mut members = Members::default();
        let fields = e
            .fields
            .iter()
            .map(|f| self.field(f, &context, &mut members))
            .collect();
        let includes = e.includes.iter();
        Event {
            name: e.name.get_ref().clone(),
            rust,
            synopsis,
            needs_synopsis,
            privilege: e.privilege.clone(),
            since: Since {
                since: e.since.clone(),
                removed: e.removed.clone(),
            },
            fields,
            includes: includes
                .map(|i| self.include(i, &context, &mut members))
                .collect(),
        }
    }

    /// A field: a wire and Rust name unique in its item, and a well-formed type.
    pub(super) fn field(
        &mut self,
        f: &raw::Field,
        item_context: &str,
        members: &mut Members,
    ) -> Field {
        let context = format!("{item_context}, field {}", f.name.get_ref());
        self.check_wire(&f.name, &context, "wire name", true);
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
            case_variants: f
                .case_variants
                .iter()
                .map(|v| v.get_ref().clone())
                .collect(),
            since: Since {
                since: f.since.clone(),
                removed: f.removed.clone(),
            },
            doc: f.doc.clone(),
        }
    }

    /// An included fieldset must exist; its prefixed headers and its Rust field name must not
    /// collide with the event's other fields and includes.
    pub(super) fn include(
        &mut self,
        i: &raw::Include,
        event_context: &str,
        members: &mut Members,
    ) -> Include {
        let context = format!("{event_context}, include {}", i.fieldset.get_ref());
        self.check_reference(Ref::Fieldset, &i.fieldset, &context);
        let prefix = i.prefix.as_ref().map_or("", |p| p.get_ref());
        if let Some(p) = i.prefix.as_ref().filter(|p| !p.get_ref().is_empty()) {
            self.check_wire(p, &context, "prefix", false);
        }
        self.check_ident(&i.rust, &context, Ident::Field);
        let (who, loc) = (
            format!("include {}", i.fieldset.get_ref()),
            self.locate(i.rust.span()),
        );
        if let Some((other, first)) = members.rust.see(i.rust.get_ref().clone(), who, loc) {
            let name = i.rust.get_ref().clone();
            self.error(
                i.rust.span(),
                &context,
                ErrorKind::DuplicateRust { name, other, first },
            );
        }
        let fields = self.index.fieldset_defs.get(i.fieldset.get_ref().as_str());
        for field in fields.map_or(&[][..], |f| &f.fields) {
            let header = format!("{prefix}{}", field.name.get_ref());
            let loc = self.locate(i.fieldset.span());
            if let Some((_, first)) =
                members
                    .wire
                    .see(header.to_ascii_lowercase(), String::new(), loc)
            {
                let kind = ErrorKind::Duplicate {
                    what: "field",
                    name: header,
                    first,
                };
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

    /// An action: a sendable wire name, a valid Rust type name, a declared `follow_up` event,
    /// then its params and response.
    pub(super) fn action(&mut self, a: &raw::Action) -> Action {
        let ItemHead {
            context,
            rust,
            synopsis,
            needs_synopsis,
        } = self.item_head(
            "action",
            &a.name,
            a.rust.as_ref(),
            a.synopsis.as_ref(),
            a.needs_synopsis.as_ref(),
        );
        if let Some(event) = &a.follow_up {
            self.check_reference(Ref::Event, event, &context);
        }
        let mut members = Members::default();
        let params = a
            .params
            .iter()
            .map(|p| self.param(p, &context, &mut members))
            .collect();
        let examples = a.examples.iter().map(|x| Example {
            title: x.title.clone(),
            request: x.request.clone(),
            response: x.response.clone(),
        });
        Action {
            name: a.name.get_ref().clone(),
            rust,
            synopsis,
            needs_synopsis,
            privilege: a.privilege.clone().unwrap_or_default(),
            privilege_known: a.privilege.is_some(),
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
    pub(super) fn param(
        &mut self,
        p: &raw::Param,
        action_context: &str,
        members: &mut Members,
    ) -> Param {
        let context = format!("{action_context}, param {}", p.name.get_ref());
        self.check_wire_name(&p.name, &context);
        if p.name.get_ref().eq_ignore_ascii_case("ActionID") {
            self.error(p.name.span(), &context, ErrorKind::ActionIdParam);
        }
        let (rust, rust_span) = self.rust_name(p.rust.as_ref(), &p.name, Ident::Field, &context);
        self.check_unique_member("param", &p.name, &rust, rust_span, &context, members);
        let ty = self.ty(&p.ty, p.enum_name.as_ref(), p.unit.as_ref(), &context);
        let indexed = p.indexed.as_ref().is_some_and(|i| *i.get_ref());
        if indexed && crate::model::index_pattern(p.name.get_ref()).is_none() {
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
            secret: p.secret,
            default: p.default.clone(),
            since: Since {
                since: p.since.clone(),
                removed: p.removed.clone(),
            },
            doc: p.doc.clone(),
        }
    }

    /// A response's `kind` is known, it only has the keys of its kind, and a list names its
    /// item events and its completion event, all declared.
    pub(super) fn response(
        &mut self,
        r: &Spanned<raw::Response>,
        action_context: &str,
    ) -> Response {
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
                Response::Fields(
                    fields
                        .iter()
                        .map(|f| self.field(f, &context, &mut members))
                        .collect(),
                )
            }
            "list" => self.list(r, &context),
            "command" => Response::Command,
            "goodbye" => Response::Goodbye,
            _ => Response::Plain,
        }
    }

    /// A `list` response: non-empty `items` and a `complete`, all declared events.
    pub(super) fn list(&mut self, r: &Spanned<raw::Response>, context: &str) -> Response {
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
            complete: raw
                .complete
                .as_ref()
                .map(|c| c.get_ref().clone())
                .unwrap_or_default(),
        }
    }

    /// `field` belongs to `fields` responses only, `items` and `complete` to `list` ones.
    pub(super) fn check_response_key(
        &mut self,
        key: &'static str,
        allowed: &'static str,
        span: Option<Range<usize>>,
        kind: &str,
        context: &str,
    ) {
        if let Some(span) = span.filter(|_| kind != allowed) {
            let kind = kind.to_string();
            self.error(
                span,
                context,
                ErrorKind::MisplacedResponseKey { key, allowed, kind },
            );
        }
    }
}

/// The checked start of an action or event (see `item_head`).
struct ItemHead {
    context: String,
    rust: String,
    synopsis: String,
    needs_synopsis: bool,
}
