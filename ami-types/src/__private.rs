//! Helpers called by the code that `ami-derive` expands to. Not a public API.

pub use crate::decode::{DecodeError, Unknown, ValueError};
pub use crate::dynamic::Dyn;
pub use crate::encode::{EncodeError, HeaderWriter};
pub use crate::message::Message;
pub use crate::reply::{FromReply, ReplyParts};
pub use crate::traits::{
    Action, AmiEnum, EventType, FieldGroup, FieldValue, FromMessage, ParamValue, Typed,
};
pub use crate::value::{comma_list, decode_optional, millis, seconds};
pub use serde;

/// Case-insensitive ASCII equality of a header name.
#[inline]
pub fn eq_ic(a: &str, b: &str) -> bool {
    // Names are short: an inline byte loop beats a call to memcmp, and Asterisk nearly always
    // uses the documented case, so the exact byte test decides first.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(y))
}

/// Strips `prefix` from `name`, ignoring ASCII case.
#[inline]
pub fn strip_prefix_ic<'n>(name: &'n str, prefix: &str) -> Option<&'n str> {
    if name.len() >= prefix.len()
        && name.is_char_boundary(prefix.len())
        && name[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&name[prefix.len()..])
    } else {
        None
    }
}

pub use crate::indexed::{index as indexed, name as indexed_name, IndexStyle};

/// Places the entries of a sparse indexed parameter at their indices. An index beyond the
/// message's header count cannot belong to a well-formed request and is refused, so that a
/// hostile `Name-999999` cannot make a million-entry vector.
pub fn sparse<T>(
    entries: Vec<(usize, T)>,
    headers: usize,
    target: &'static str,
    header: &'static str,
) -> Result<Vec<Option<T>>, DecodeError> {
    let Some(len) = entries.iter().map(|(i, _)| i + 1).max() else {
        return Ok(Vec::new());
    };
    if len > headers {
        let index = (len - 1).to_string();
        return Err(
            ValueError::new(&index, "an index below the message's header count").at(target, header),
        );
    }
    let mut out: Vec<Option<T>> = std::iter::repeat_with(|| None).take(len).collect();
    for (i, v) in entries {
        if let Some(slot) = out.get_mut(i) {
            slot.get_or_insert(v);
        }
    }
    Ok(out)
}

/// Headers every event may carry that no event type lists as a field.
pub fn is_common_event_header(name: &str) -> bool {
    const COMMON: [&str; 10] = [
        "Event",
        "Privilege",
        "ActionID",
        "EventList",
        "Timestamp",
        "SystemName",
        "SequenceNumber",
        "File",
        "Line",
        "Func",
    ];
    COMMON.iter().any(|c| eq_ic(c, name))
}

/// Headers every response carries that no response type lists as a field.
pub fn is_common_response_header(name: &str) -> bool {
    ["Response", "ActionID", "EventList"]
        .iter()
        .any(|c| eq_ic(c, name))
}

/// Decodes a field value, attaching the type and field to an error.
#[inline]
pub fn field<'a, T: FieldValue<'a>>(
    raw: &'a str,
    target: &'static str,
    field: &'static str,
) -> Result<Option<T>, DecodeError> {
    decode_optional(raw).map_err(|e| e.at(target, field))
}

/// Decodes a field value with a codec function, treating absent-like values as `None`.
#[inline]
pub fn field_with<T>(
    raw: &str,
    decode: fn(&str) -> Result<T, ValueError>,
    target: &'static str,
    field: &'static str,
) -> Result<Option<T>, DecodeError> {
    if crate::decode::is_nullish(raw) {
        return Ok(None);
    }
    decode(raw).map(Some).map_err(|e| e.at(target, field))
}

/// Decodes an action parameter.
#[inline]
pub fn param<T: ParamValue>(
    raw: &str,
    target: &'static str,
    field: &'static str,
) -> Result<T, DecodeError> {
    T::decode_param(raw).map_err(|e| e.at(target, field))
}

/// Decodes an action parameter with a codec function.
#[inline]
pub fn param_with<T>(
    raw: &str,
    decode: fn(&str) -> Result<T, ValueError>,
    target: &'static str,
    field: &'static str,
) -> Result<T, DecodeError> {
    decode(raw).map_err(|e| e.at(target, field))
}

/// Fails with `MissingField` when a required value is absent.
#[inline]
pub fn required<T>(
    value: Option<T>,
    target: &'static str,
    field: &'static str,
) -> Result<T, DecodeError> {
    value.ok_or(DecodeError::MissingField { target, field })
}

/// Checks that a message is the event `name`.
#[inline]
pub fn expect_event(msg: &Message, name: &'static str) -> Result<(), DecodeError> {
    expect_named(msg.event(), name, "Event")
}

/// Checks that a request message is the action `name`.
#[inline]
pub fn expect_action(msg: &Message, name: &'static str) -> Result<(), DecodeError> {
    expect_named(msg.action(), name, "Action")
}

/// `Ok` when the message's `header` value (`found`) is `name`, ignoring ASCII case.
fn expect_named(found: Option<&str>, name: &'static str, header: &str) -> Result<(), DecodeError> {
    match found {
        Some(found) if eq_ic(found, name) => Ok(()),
        found => Err(DecodeError::WrongMessage {
            expected: name,
            found: found.map_or_else(
                || format!("a message without {header}"),
                |f| format!("{} {f}", header.to_ascii_lowercase()),
            ),
        }),
    }
}

/// Encodes a parameter with a codec function.
#[inline]
pub fn write_with<T: ?Sized>(
    w: &mut HeaderWriter<'_>,
    name: &str,
    value: &T,
    encode: fn(&T, &mut Vec<u8>),
) -> Result<(), EncodeError> {
    w.header_with(name, |out| encode(value, out))
}

/// Runs [`ParamValue::check_param`] on every item of a list parameter.
pub fn check_items<T: ParamValue>(name: &str, items: &[T]) -> Result<(), EncodeError> {
    items
        .iter()
        .try_for_each(|item| crate::encode::check_param(name, item))
}
