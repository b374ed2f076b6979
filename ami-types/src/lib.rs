//! The protocol core of the Asterisk Manager Interface (AMI), without any I/O.
//!
//! - [`message`] and [`framer`]: the wire model, a zero-copy [`Message`] and an incremental
//!   [`Framer`] that turns a byte stream into greetings and messages.
//! - [`encode`] and [`decode`]: typed values to and from messages, with typed errors for header
//!   injection, missing fields and bad values.
//! - [`action`], [`event`], [`response`], [`enums`]: the types generated from the spec in
//!   `ami-spec/spec/*.toml` (see [`generated`]), one per AMI action, event, response and enum.
//! - [`reply`]: the shapes a response can take (plain, typed fields, event list, command output).
//!
//! The derives in `ami-derive` implement the traits in [`traits`] for generated types, and for
//! custom actions and events you declare yourself.
#![deny(missing_docs)]

pub mod decode;
pub mod dynamic;
pub mod encode;
pub mod framer;
pub mod generated;
pub mod indexed;
pub mod message;
pub mod reply;
pub mod traits;
pub mod value;

#[doc(hidden)]
pub mod __private;

pub use decode::{DecodeError, Unknown, ValueError};
pub use encode::{encode_action, EncodeError, HeaderWriter};
pub use framer::{Frame, FrameError, Framer, Limits};
pub use generated::{action, enums, event, response, Event, EventKind};
pub use message::{Message, MessageKind};
pub use reply::{Ack, CommandOutput, EventList, FromReply, Goodbye, ReplyParts};
pub use traits::{
    Action, AmiEnum, EventType, FieldGroup, FieldValue, FromMessage, ParamValue, Typed,
};
pub use value::{ChannelPattern, Variable};

/// The derives, re-exported so `use ami_types::derive::Action` works without a second dependency.
pub mod derive {
    pub use ami_derive::{Action, AmiEnum, Event, Fields, Response};
}

extern crate self as ami_types;

/// Any error of the sans-IO core: encoding or decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Encoding an action failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Decoding a message failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}
