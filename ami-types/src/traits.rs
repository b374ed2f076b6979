//! The traits that tie typed values to the wire, implemented by the `ami-derive` derives.
//!
//! Generated code and hand-written custom types implement the same traits, so the client and
//! the tools treat both alike.

use crate::decode::{DecodeError, Unknown, ValueError};
use crate::encode::{EncodeError, HeaderWriter};
use crate::message::Message;
use crate::reply::FromReply;

/// An AMI action: its wire name, how its parameters are written, and what it answers.
pub trait Action {
    /// The wire name sent in `Action:`.
    const NAME: &'static str;
    /// The event this action later causes, to await as its outcome (`OriginateResponse`).
    const FOLLOW_UP: Option<&'static str> = None;
    /// The typed response, decoded from the response message and any list events.
    type Response<'a>: FromReply<'a>;

    /// Writes every parameter header (not `Action` nor `ActionID`).
    fn write_params(&self, w: &mut HeaderWriter<'_>) -> Result<(), EncodeError>;

    /// Parses the action back from a request message, e.g. in a mock server.
    fn from_params(msg: &Message) -> Result<Self, DecodeError>
    where
        Self: Sized;
}

/// A value decoded from one message, borrowing its text.
pub trait FromMessage<'a>: Sized {
    /// Decodes the message; a missing required header or a bad value is a typed error.
    fn from_message(msg: &'a Message) -> Result<Self, DecodeError>;
}

/// An event type: a [`FromMessage`] with a wire event name.
pub trait EventType<'a>: FromMessage<'a> {
    /// The wire name in `Event:`.
    const NAME: &'static str;
}

/// A decoded value that keeps the headers its type does not know.
pub trait Typed {
    /// The Rust type name, for tools and diagnostics.
    const TYPE_NAME: &'static str;
    /// Headers present on the wire that the type has no field for.
    fn unknown_headers(&self) -> &Unknown<'_>;
}

/// A group of fields decoded header by header, so it can be flattened into another with a prefix.
pub trait FieldGroup<'a>: Sized {
    /// The fields collected so far.
    type Partial: Default;
    /// The group's name, used in errors.
    const NAME: &'static str;
    /// Takes one header if it belongs to the group; returns whether it did.
    fn take(partial: &mut Self::Partial, name: &str, value: &'a str) -> Result<bool, DecodeError>;
    /// Whether any header of the group was seen.
    fn seen(partial: &Self::Partial) -> bool;
    /// Checks required fields and builds the value, taking the collected fields out of
    /// `partial` (by reference, so a large group is never copied whole).
    fn finish(partial: &mut Self::Partial) -> Result<Self, DecodeError>;
}

/// A header value as decoded from an event or response, borrowing the message text.
pub trait FieldValue<'a>: Sized {
    /// Whether empty, `<unknown>` and `(null)` are real values (true for text only).
    const KEEP_NULLISH: bool = false;
    /// Decodes one header value.
    fn decode_field(raw: &'a str) -> Result<Self, ValueError>;
}

/// An action parameter value: encoded into a header, and parsed back from one.
pub trait ParamValue: Sized {
    /// Refuses a value that has no unambiguous wire form (checked before
    /// [`encode_param`](Self::encode_param)); the reason ends up in
    /// [`EncodeError::InvalidValue`].
    fn check_param(&self) -> Result<(), &'static str> {
        Ok(())
    }
    /// Appends the wire form.
    fn encode_param(&self, out: &mut Vec<u8>);
    /// Parses the wire form.
    fn decode_param(raw: &str) -> Result<Self, ValueError>;
}

/// An open AMI enumeration: known values plus `Other` for anything new.
pub trait AmiEnum: Sized {
    /// The wire spellings of the known values, in spec order.
    const WIRE_VALUES: &'static [&'static str];
    /// The wire spelling we send.
    fn as_wire(&self) -> &str;
    /// Decodes a wire value; unknown values are kept as `Other`.
    fn from_wire(raw: &str) -> Self;
    /// Asterisk's numeric value, when it has one.
    fn value(&self) -> Option<i64>;
}
