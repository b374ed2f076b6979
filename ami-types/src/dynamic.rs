//! Type-erased decoding, for tools that handle any action or event by name (the `ami decode`
//! and `ami send` commands, the mock server): a decoded value plus its Rust type name and the
//! headers it did not know, serialisable without knowing its type. The tables describing each
//! action, event, field set and enum ([`crate::generated::ACTIONS`] and its siblings) also carry
//! the reference facts `ami describe` prints: types, versions, privileges, list shapes.

use crate::decode::DecodeError;
use crate::message::Message;
use crate::traits::Typed;

/// A decoded value of some generated type.
pub struct Dyn<'a> {
    /// The Rust type it decoded into.
    pub type_name: &'static str,
    /// The value, serialisable with any serde serializer.
    pub value: Box<dyn erased_serde::Serialize + 'a>,
    /// Wire names of headers the type has no field for.
    pub unknown: Vec<String>,
}

impl<'a> Dyn<'a> {
    /// Erases a typed value.
    pub fn new<T: Typed + serde::Serialize + 'a>(value: T) -> Self {
        let unknown = value.unknown_headers().names().map(str::to_owned).collect();
        Dyn {
            type_name: T::TYPE_NAME,
            value: Box::new(value),
            unknown,
        }
    }
}

impl std::fmt::Debug for Dyn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dyn")
            .field("type_name", &self.type_name)
            .field("unknown", &self.unknown)
            .finish_non_exhaustive()
    }
}

/// Decodes a message into some typed value, erased.
pub type DynDecoder = for<'a> fn(&'a Message) -> Result<Dyn<'a>, DecodeError>;

/// What the generated tables know about one action.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ActionInfo {
    /// Wire name.
    pub name: &'static str,
    /// Rust type name.
    pub rust: &'static str,
    /// Spec module.
    pub module: &'static str,
    /// One-line description.
    pub synopsis: &'static str,
    /// Parameters.
    pub params: &'static [ParamInfo],
    /// Item event names when the reply is an event list.
    pub list_items: &'static [&'static str],
    /// Completion event name when the reply is an event list.
    pub list_complete: Option<&'static str>,
    /// Event it later causes.
    pub follow_up: Option<&'static str>,
    /// First Asterisk major version without it.
    pub removed: Option<&'static str>,
    /// The spec's wire examples: (title, request, response transcript).
    pub examples: &'static [(&'static str, &'static str, &'static str)],
    /// Decodes the `Response:` message (the list acknowledgement for lists).
    pub decode_response: DynDecoder,
    /// Encodes the action from a request message (checking every parameter); for tools.
    pub reencode: fn(&Message, &str, &mut Vec<u8>) -> Result<(), crate::Error>,
    /// Write classes needed: `None` when the spec does not record them, an empty list when
    /// any logged-in user may send it.
    pub privilege: Option<&'static [&'static str]>,
    /// First Asterisk major version that has it, when newer than the oldest the spec covers.
    pub since: Option<&'static str>,
    /// The response shape: `plain`, `fields`, `list`, `command` or `goodbye`.
    pub response_kind: &'static str,
    /// The Rust type the reply decodes into, without lifetimes
    /// (`EventList<QueueStatusItem, QueueStatusComplete>`).
    pub response_type: &'static str,
    /// The typed headers of a `fields` response.
    pub response_fields: &'static [FieldInfo],
}

/// What the generated tables know about one parameter.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ParamInfo {
    /// Wire header name.
    pub name: &'static str,
    /// Spec type name (`string`, `uint`, `enum`, …).
    pub ty: &'static str,
    /// Whether it is required.
    pub required: bool,
    /// Known wire values for enums.
    pub values: &'static [&'static str],
    /// Rust field (and setter) name.
    pub rust: &'static str,
    /// The field's Rust type, without paths (`Option<String>`, `Vec<Variable>`).
    pub rust_type: &'static str,
    /// The enum's name when `ty` is `enum`.
    pub enum_name: Option<&'static str>,
    /// One header per value (`Variable: a=1`, `Variable: b=2`).
    pub repeated: bool,
    /// Sent as `Name(0)`, `Name(1)`, ….
    pub indexed: bool,
    /// Asterisk's default when absent (never sent implicitly).
    pub default: Option<&'static str>,
    /// First Asterisk major version that accepts it, when narrower than its action's.
    pub since: Option<&'static str>,
    /// First Asterisk major version that no longer accepts it.
    pub removed: Option<&'static str>,
    /// One-line explanation.
    pub doc: Option<&'static str>,
}

/// What the generated tables know about one header of an event, field set or response.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FieldInfo {
    /// Wire header name.
    pub name: &'static str,
    /// Rust field name.
    pub rust: &'static str,
    /// Spec type name (`string`, `uint`, `enum`, `duration_s`, …).
    pub ty: &'static str,
    /// The field's Rust type, without paths (`Option<&str>`, `Option<HangupCause>`).
    pub rust_type: &'static str,
    /// The enum's name when `ty` is `enum`.
    pub enum_name: Option<&'static str>,
    /// Decoding fails when it is missing.
    pub required: bool,
    /// May appear many times; every value is kept.
    pub repeated: bool,
    /// The header name only starts with `name`.
    pub prefix_match: bool,
    /// First Asterisk major version that sends it, when narrower than its item's.
    pub since: Option<&'static str>,
    /// First Asterisk major version that no longer sends it.
    pub removed: Option<&'static str>,
    /// One-line explanation.
    pub doc: Option<&'static str>,
}

/// A field set carried by an event, with the prefix of its header names.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct IncludeInfo {
    /// The field set's name (see [`FieldsetInfo`]).
    pub fieldset: &'static str,
    /// Prepended to each of its header names (`Transferer`), often empty.
    pub prefix: &'static str,
    /// The Rust field holding it.
    pub rust: &'static str,
    /// Whether it must be present.
    pub required: bool,
}

/// What the generated tables know about one field set (a group of headers shared by events).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FieldsetInfo {
    /// Rust type name.
    pub name: &'static str,
    /// Spec module.
    pub module: &'static str,
    /// One-line description.
    pub synopsis: &'static str,
    /// Its headers.
    pub fields: &'static [FieldInfo],
}

/// What the generated tables know about one enumeration.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EnumInfo {
    /// Rust type name.
    pub name: &'static str,
    /// Spec module.
    pub module: &'static str,
    /// One-line description.
    pub synopsis: &'static str,
    /// The known values, in spec order.
    pub variants: &'static [VariantInfo],
}

/// One known value of an enumeration.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct VariantInfo {
    /// Rust variant name.
    pub name: &'static str,
    /// The spelling sent and accepted.
    pub wire: &'static str,
    /// Asterisk's numeric value, also accepted.
    pub value: Option<i64>,
    /// Other spellings accepted when decoding.
    pub aliases: &'static [&'static str],
    /// The description Asterisk prints beside it, also accepted.
    pub text: Option<&'static str>,
    /// One-line explanation.
    pub doc: Option<&'static str>,
}

/// What the generated tables know about one event.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EventInfo {
    /// Wire name.
    pub name: &'static str,
    /// Rust type name.
    pub rust: &'static str,
    /// Spec module.
    pub module: &'static str,
    /// Decodes the event.
    pub decode: DynDecoder,
    /// One-line description.
    pub synopsis: &'static str,
    /// Class in its `Privilege:` header.
    pub privilege: Option<&'static str>,
    /// First Asterisk major version that has it, when newer than the oldest the spec covers.
    pub since: Option<&'static str>,
    /// First Asterisk major version without it.
    pub removed: Option<&'static str>,
    /// Field sets it carries, before its own fields.
    pub includes: &'static [IncludeInfo],
    /// Its own headers.
    pub fields: &'static [FieldInfo],
}
