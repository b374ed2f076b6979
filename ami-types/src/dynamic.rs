//! Type-erased decoding, for tools that handle any action or event by name (the `ami decode`
//! and `ami send` commands, the mock server): a decoded value plus its Rust type name and the
//! headers it did not know, serialisable without knowing its type.

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
}

/// What the generated tables know about one parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamInfo {
    /// Wire header name.
    pub name: &'static str,
    /// Spec type name (`string`, `uint`, `enum`, …).
    pub ty: &'static str,
    /// Whether it is required.
    pub required: bool,
    /// Known wire values for enums.
    pub values: &'static [&'static str],
}

/// What the generated tables know about one event.
#[derive(Debug, Clone, Copy)]
pub struct EventInfo {
    /// Wire name.
    pub name: &'static str,
    /// Rust type name.
    pub rust: &'static str,
    /// Spec module.
    pub module: &'static str,
    /// Decodes the event.
    pub decode: DynDecoder,
}
