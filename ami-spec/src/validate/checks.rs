//! Checks shared by every item: types, references, member uniqueness and names.

use super::{duplicate, Lower, Members, Ref};
use crate::error::ErrorKind;
use crate::model::{Type, Unit};
use crate::names;
use std::ops::Range;
use toml::Spanned;

/// The kind of identifier a name must be.
#[derive(Clone, Copy)]
pub(super) enum Ident {
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
    /// What the name is, in messages.
    fn what(self) -> &'static str {
        match self {
            Ident::Module => "module name",
            Ident::Type => "type name",
            Ident::Variant => "variant name",
            Ident::Field => "Rust field name",
        }
    }

    /// What the name must be, in messages.
    fn expected(self) -> &'static str {
        match self {
            Ident::Module | Ident::Field => "a snake_case identifier",
            Ident::Type | Ident::Variant => "an UpperCamelCase identifier",
        }
    }

    /// Whether `name` is such an identifier.
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

impl Lower<'_, '_> {
    /// A known `type`, with `enum` exactly when it is `enum` and `unit` exactly when it is
    /// `duration`.
    pub(super) fn ty(
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
            self.error(
                e.span(),
                context,
                ErrorKind::UnexpectedEnum(name.to_string()),
            );
        }
        if let Some(u) = unit.filter(|_| name != "duration") {
            self.error(
                u.span(),
                context,
                ErrorKind::UnexpectedUnit(name.to_string()),
            );
        }
        parsed
    }

    /// The `unit` of a duration: `s` or `ms`.
    pub(super) fn unit(
        &mut self,
        ty: &Spanned<String>,
        unit: Option<&Spanned<String>>,
        context: &str,
    ) -> Unit {
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
    pub(super) fn check_reference(&mut self, kind: Ref, name: &Spanned<String>, context: &str) {
        let declared = self.index.declared(kind);
        let key = (kind.what(), name.get_ref().clone());
        if !self.index.complete
            || declared.exact.contains(name.get_ref())
            || self.index.broken.contains(&key)
        {
            return;
        }
        let hint = match declared.folded.get(&name.get_ref().to_ascii_lowercase()) {
            Some(similar) => format!(" (did you mean \"{similar}\"?)"),
            None => String::new(),
        };
        let kind = ErrorKind::Dangling {
            what: kind.what(),
            name: name.get_ref().clone(),
            hint,
        };
        self.error(name.span(), context, kind);
    }

    /// A field or param's wire name is unique in its item (case-insensitively, as headers
    /// match), and so is its Rust field name.
    pub(super) fn check_unique_member(
        &mut self,
        what: &'static str,
        wire: &Spanned<String>,
        rust: &str,
        rust_span: Range<usize>,
        context: &str,
        members: &mut Members,
    ) {
        let (folded, loc) = (
            wire.get_ref().to_ascii_lowercase(),
            self.locate(wire.span()),
        );
        if let Some((_, first)) = members.wire.see(folded, String::new(), loc) {
            self.error(wire.span(), context, duplicate(what, wire, first));
            return;
        }
        let (who, loc) = (
            format!("{what} {}", wire.get_ref()),
            self.locate(rust_span.clone()),
        );
        if let Some((other, first)) = members.rust.see(rust.to_string(), who, loc) {
            let name = rust.to_string();
            self.error(
                rust_span,
                context,
                ErrorKind::DuplicateRust { name, other, first },
            );
        }
    }

    /// The Rust name of an item: its `rust` override, checked, or the one derived from its wire
    /// name, checked too; returns it with the span to blame for it.
    pub(super) fn rust_name(
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
        let wire_ok = names::header_name_problem(wire.get_ref(), true).is_none();
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
    pub(super) fn check_ident(&mut self, name: &Spanned<String>, context: &str, ident: Ident) {
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

    /// An action, event or param name must be sendable as a header name.
    pub(super) fn check_wire_name(&mut self, name: &Spanned<String>, context: &str) {
        self.check_wire(name, context, "wire name", false);
    }

    /// A header name or prefix: non-empty, without ':' or line breaks, and without whitespace
    /// but for `inner_spaces` when allowed.
    pub(super) fn check_wire(
        &mut self,
        name: &Spanned<String>,
        context: &str,
        what: &'static str,
        inner_spaces: bool,
    ) {
        if let Some(reason) = names::header_name_problem(name.get_ref(), inner_spaces) {
            let kind = ErrorKind::InvalidWire {
                what,
                name: name.get_ref().clone(),
                reason,
            };
            self.error(name.span(), context, kind);
        }
    }

    /// A `case_variants` entry is a valid header name differing from the field's only in case.
    pub(super) fn check_case_variant(
        &mut self,
        variant: &Spanned<String>,
        name: &Spanned<String>,
        context: &str,
    ) {
        self.check_wire(variant, context, "case variant", true);
        if !variant.get_ref().eq_ignore_ascii_case(name.get_ref()) {
            let kind = ErrorKind::NotACaseVariant {
                variant: variant.get_ref().clone(),
                name: name.get_ref().clone(),
            };
            self.error(variant.span(), context, kind);
        }
    }

    /// An item's synopsis: its own, checked, or — when it is marked `needs_synopsis = true` —
    /// `generic`. Returns the synopsis and whether it is the generic one.
    pub(super) fn item_synopsis(
        &mut self,
        name: &Spanned<String>,
        synopsis: Option<&Spanned<String>>,
        needs: Option<&Spanned<bool>>,
        context: &str,
        generic: String,
    ) -> (String, bool) {
        let marked = needs.is_some_and(|n| *n.get_ref());
        match synopsis {
            Some(s) => {
                self.check_synopsis(s, context);
                if let Some(n) = needs {
                    self.error(n.span(), context, ErrorKind::NeedlessNeedsSynopsis);
                }
                (s.get_ref().clone(), false)
            }
            None => {
                if !marked {
                    self.error(name.span(), context, ErrorKind::MissingSynopsis);
                }
                (generic, true)
            }
        }
    }

    /// A synopsis is one non-empty line: it becomes a one-line doc summary.
    pub(super) fn check_synopsis(&mut self, synopsis: &Spanned<String>, context: &str) {
        let text = synopsis.get_ref().trim();
        if text.is_empty() || text.contains('\n') {
            self.error(synopsis.span(), context, ErrorKind::InvalidSynopsis);
        }
    }
}
