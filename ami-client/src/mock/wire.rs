//! Writing AMI messages: `Name: value\r\n` lines and a blank line.

use ami_types::Message;
use bytes::Bytes;

/// Appends one header line. A header without a name (a line that had no colon) is written as
/// its value alone.
#[inline]
pub(super) fn header(out: &mut Vec<u8>, name: &str, value: &str) {
    if !name.is_empty() {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
    }
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A whole message with its blank line, as given.
pub(super) fn encode(msg: &Message) -> Bytes {
    let mut out = Vec::with_capacity(msg.as_bytes().len() + 2);
    for (name, value) in msg.iter() {
        header(&mut out, name, value);
    }
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

fn is_action_id(name: &str) -> bool {
    name.eq_ignore_ascii_case("ActionID")
}

/// Appends `msg`'s headers (without the blank line) with the request's ActionID: the first
/// `ActionID` header gets `id`, later ones are dropped, and a message without one gets it after
/// its first header. With `id` `None` every `ActionID` header is dropped.
///
/// `skip` names further headers to leave out (compared case-insensitively).
pub(super) fn headers_with_id(out: &mut Vec<u8>, msg: &Message, id: Option<&str>, skip: &[&str]) {
    let has_id = msg.iter().any(|(n, _)| is_action_id(n));
    let mut id_written = false;
    for (i, (name, value)) in msg.iter().enumerate() {
        if is_action_id(name) {
            if let (Some(id), false) = (id, id_written) {
                header(out, "ActionID", id);
                id_written = true;
            }
            continue;
        }
        if skip.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            continue;
        }
        header(out, name, value);
        if i == 0 && !has_id {
            if let Some(id) = id {
                header(out, "ActionID", id);
                id_written = true;
            }
        }
    }
    if !id_written && msg.is_empty() {
        if let Some(id) = id {
            header(out, "ActionID", id);
        }
    }
}

/// Like [`headers_with_id`] but only replaces existing `ActionID` headers (never adds one):
/// for events that Asterisk broadcasts.
pub(super) fn headers_replacing_id(out: &mut Vec<u8>, msg: &Message, id: Option<&str>) {
    let mut id_written = false;
    for (name, value) in msg.iter() {
        if is_action_id(name) {
            if let (Some(id), false) = (id, id_written) {
                header(out, "ActionID", id);
                id_written = true;
            }
            continue;
        }
        header(out, name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(msg: &Message, id: Option<&str>) -> String {
        let mut out = Vec::new();
        headers_with_id(&mut out, msg, id, &[]);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn action_id_is_replaced_added_or_removed() {
        let with = Message::from_headers([("Response", "Success"), ("actionid", "x"), ("A", "1")]);
        assert_eq!(
            text(&with, Some("7")),
            "Response: Success\r\nActionID: 7\r\nA: 1\r\n"
        );
        assert_eq!(text(&with, None), "Response: Success\r\nA: 1\r\n");
        let without = Message::from_headers([("Event", "E"), ("A", "1")]);
        assert_eq!(
            text(&without, Some("7")),
            "Event: E\r\nActionID: 7\r\nA: 1\r\n"
        );
        assert_eq!(text(&Message::default(), Some("7")), "ActionID: 7\r\n");
    }

    #[test]
    fn encode_normalises_lines() {
        let msg = Message::parse(Bytes::from_static(b"Event: E\nA:b\r\nno colon\r\n"));
        assert_eq!(&encode(&msg)[..], b"Event: E\r\nA: b\r\nno colon\r\n\r\n");
    }
}
