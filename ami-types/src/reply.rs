//! The shapes of an action's reply: one response message, or a response followed by an event
//! list, as collected by the client under one `ActionID`.

use serde::Serialize;

use crate::decode::{DecodeError, Unknown};
use crate::message::Message;
use crate::traits::{EventType, FromMessage};

/// What the client collected for one action: its response and, for lists, the list's events
/// (items and the completion event, in arrival order).
#[derive(Debug, Clone, Copy)]
pub struct ReplyParts<'a> {
    /// The `Response:` message.
    pub response: &'a Message,
    /// Events that carried the action's `ActionID`, in order.
    pub events: &'a [Message],
}

/// A typed reply, decoded from the collected [`ReplyParts`].
pub trait FromReply<'a>: Sized {
    /// The completion event when this reply is an event list.
    const LIST_COMPLETE: Option<&'static str> = None;
    /// Decodes the reply.
    fn from_reply(parts: ReplyParts<'a>) -> Result<Self, DecodeError>;
}

/// A plain acknowledgement: `Response: Success` with an optional `Message`.
#[derive(Debug, Clone, PartialEq, Serialize, ami_derive::Response)]
pub struct Ack<'a> {
    /// The human-readable message, e.g. `Timeout Set`.
    #[ami(header = "Message")]
    pub message: Option<&'a str>,
    /// Headers the type does not know.
    #[ami(unknown)]
    #[serde(skip)]
    pub unknown: Unknown<'a>,
}

/// Output of a CLI command: one line per `Output:` header.
#[derive(Debug, Clone, PartialEq, Serialize, ami_derive::Response)]
pub struct CommandOutput<'a> {
    /// Usually `Command output follows`.
    #[ami(header = "Message")]
    pub message: Option<&'a str>,
    /// The CLI's output lines, in order (blank lines are empty strings).
    #[ami(header = "Output", repeated)]
    pub output: Vec<&'a str>,
    /// Headers the type does not know.
    #[ami(unknown)]
    #[serde(skip)]
    pub unknown: Unknown<'a>,
}

/// The answer to `Logoff`: `Response: Goodbye`, after which the server closes the connection.
#[derive(Debug, Clone, PartialEq, Serialize, ami_derive::Response)]
pub struct Goodbye<'a> {
    /// Asterisk's farewell text.
    #[ami(header = "Message")]
    pub message: Option<&'a str>,
    /// Headers the type does not know.
    #[ami(unknown)]
    #[serde(skip)]
    pub unknown: Unknown<'a>,
}

/// A completed event list: the acknowledgement, the typed items and the completion event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventList<'a, I, C> {
    /// The `Response: Success` that started the list.
    pub ack: Ack<'a>,
    /// The items, in arrival order.
    pub items: Vec<I>,
    /// The event that ended the list (with `ListItems` and any totals).
    pub complete: C,
}

impl<'a, I, C> FromReply<'a> for EventList<'a, I, C>
where
    I: FromMessage<'a>,
    C: EventType<'a>,
{
    const LIST_COMPLETE: Option<&'static str> = Some(C::NAME);

    fn from_reply(parts: ReplyParts<'a>) -> Result<Self, DecodeError> {
        let ack = Ack::from_message(parts.response)?;
        let mut items = Vec::with_capacity(parts.events.len().saturating_sub(1));
        let mut complete = None;
        for event in parts.events {
            if event
                .event()
                .is_some_and(|name| name.eq_ignore_ascii_case(C::NAME))
            {
                complete = Some(C::from_message(event)?);
            } else {
                items.push(I::from_message(event)?);
            }
        }
        let complete = complete.ok_or(DecodeError::IncompleteList {
            target: "EventList",
            complete: C::NAME,
        })?;
        Ok(EventList {
            ack,
            items,
            complete,
        })
    }
}
