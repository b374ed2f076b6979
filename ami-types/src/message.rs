//! The untyped AMI message: an ordered list of `Name: value` headers.
//!
//! Why it exists: every AMI packet (action, response, event) is a block of header lines, and a
//! client sees millions of them. [`Message`] keeps the packet as it arrived, in one shared
//! [`Bytes`] buffer, and records where each header's name and value sit in it as `u32` offsets,
//! so building one costs one offset vector and no allocation per header; names and values are
//! handed out as `&str` borrowed from the buffer. Typed actions, responses and events are decoded
//! from it.
//!
//! Header names keep the case Asterisk sent (it is not uniform: `UniqueID` vs `Uniqueid`), so
//! look-ups by name ([`Message::get`]) compare ASCII-case-insensitively. Repeated headers
//! (`Output:`, `Variable:`, `ChanVariable:`) are kept in order.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::unwrap_in_result,
    clippy::panic_in_result_fn
)]

#[path = "spans.rs"]
pub(crate) mod spans;
#[path = "split.rs"]
pub(crate) mod split;

use std::borrow::Cow;
use std::fmt;
use std::iter::FusedIterator;

use bytes::Bytes;

use self::spans::{SpanIter, SpanList};
use self::split::{Cursor, NONE};

/// Largest buffer a [`Message`] holds: offsets are `u32`.
pub(crate) const MAX_MESSAGE_BUFFER: usize = u32::MAX as usize;

/// Where one header's name and value sit in the message buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub(crate) struct Span {
    name_start: u32,
    name_end: u32,
    value_start: u32,
    value_end: u32,
}

// SAFETY: `Span` is `repr(C)` with four `u32` fields: no padding, and every bit pattern is a
// valid value (zero included). Offsets read back from bytes are still only used through `get`.
unsafe impl bytemuck::Zeroable for Span {}
// SAFETY: as above; it is also `Copy` and `'static`.
unsafe impl bytemuck::Pod for Span {}

impl Span {
    /// A span from `usize` offsets, which the caller keeps below [`MAX_MESSAGE_BUFFER`].
    #[inline(always)]
    pub(crate) fn new(
        name_start: usize,
        name_end: usize,
        value_start: usize,
        value_end: usize,
    ) -> Self {
        debug_assert!(value_end <= MAX_MESSAGE_BUFFER);
        Span {
            name_start: name_start as u32,
            name_end: name_end as u32,
            value_start: value_start as u32,
            value_end: value_end as u32,
        }
    }

    /// `(name_start, name_end, value_start, value_end)`.
    #[inline(always)]
    pub(crate) fn parts(self) -> (u32, u32, u32, u32) {
        (
            self.name_start,
            self.name_end,
            self.value_start,
            self.value_end,
        )
    }

    #[inline(always)]
    fn name_range(self) -> std::ops::Range<usize> {
        self.name_start as usize..self.name_end as usize
    }

    #[inline(always)]
    fn value_range(self) -> std::ops::Range<usize> {
        self.value_start as usize..self.value_end as usize
    }

    #[inline(always)]
    fn name_len(self) -> usize {
        (self.name_end - self.name_start) as usize
    }
}

/// Position of the end of a line's content: `end` (the `\n`) minus one `\r` right before it.
#[inline(always)]
pub(crate) fn content_end(buf: &[u8], start: usize, end: usize) -> usize {
    if end > start && buf.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Splits the line `buf[start..end]` (terminator already removed) into a header [`Span`] whose
/// offsets are relative to `base`.
///
/// The name runs up to the first colon (`colon`, or [`NONE`]); the value starts after the colon
/// and any spaces or tabs that follow it. A line without a colon becomes a header with an empty
/// name and the whole line as value.
#[inline(always)]
pub(crate) fn header_span(buf: &[u8], start: usize, colon: usize, end: usize, base: usize) -> Span {
    if colon < end {
        let mut v = colon + 1;
        while v < end && matches!(buf.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
        Span::new(start - base, colon - base, v - base, end - base)
    } else {
        Span::new(start - base, start - base, start - base, end - base)
    }
}

/// What a message is, from its first header's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// First header is `Response` (an answer to an action).
    Response,
    /// First header is `Event`.
    Event,
    /// First header is `Action` (something a client sends).
    Action,
    /// Anything else, including an empty message.
    Other,
}

/// One AMI message: ordered `Name: value` headers over one shared, zero-copy buffer.
///
/// Cloning is cheap: two reference-count increments, no allocation.
#[derive(Clone)]
pub struct Message {
    /// The message text; always valid UTF-8.
    buf: Bytes,
    /// Header positions in `buf`; every offset lies on a `char` boundary of `buf`.
    headers: SpanList,
}

impl Message {
    /// Builds a message from parts without checking them.
    ///
    /// # Safety
    ///
    /// `buf` must be valid UTF-8, and for every span `name_start <= name_end <= buf.len()` and
    /// `value_start <= value_end <= buf.len()` must hold, with every offset on a `char` boundary.
    #[inline]
    pub(crate) unsafe fn from_parts_unchecked(buf: Bytes, headers: SpanList) -> Message {
        debug_assert!(std::str::from_utf8(&buf).is_ok_and(|s| headers
            .iter()
            .all(|h| { s.get(h.name_range()).is_some() && s.get(h.value_range()).is_some() })));
        Message { buf, headers }
    }

    /// Parses one message block: header lines ending in `\r\n` or `\n`.
    ///
    /// Never fails and never panics. Empty lines are skipped (a trailing blank line is optional),
    /// a last line without a terminator is still a header, and a line without a colon becomes a
    /// header with an empty name and the whole line as its value, so no text is lost. Invalid
    /// UTF-8 is replaced with U+FFFD (`String::from_utf8_lossy`), copying the buffer on that rare
    /// path only. Input beyond 4 GiB (offsets are `u32`) is ignored.
    pub fn parse(bytes: Bytes) -> Message {
        let mut bytes = bytes;
        bytes.truncate(MAX_MESSAGE_BUFFER);
        if std::str::from_utf8(&bytes).is_err() {
            let mut fixed = Bytes::from(String::from_utf8_lossy(&bytes).into_owned());
            if fixed.len() > MAX_MESSAGE_BUFFER {
                // Cut on a char boundary so the buffer stays valid UTF-8.
                let mut cut = MAX_MESSAGE_BUFFER;
                while cut > 0 && fixed.get(cut).is_some_and(|b| (b & 0xc0) == 0x80) {
                    cut -= 1;
                }
                fixed.truncate(cut);
            }
            bytes = fixed;
        }
        let headers = split_headers(&bytes);
        // SAFETY: `bytes` is valid UTF-8 (checked above, or produced by `from_utf8_lossy` and cut
        // on a char boundary). Every span offset is 0, `buf.len()`, or adjacent to an ASCII byte
        // (`\n`, `\r`, `:`, space or tab), all of which are `char` boundaries, and lies within the
        // buffer.
        unsafe { Message::from_parts_unchecked(bytes, SpanList::from_slice(&headers)) }
    }

    /// Builds a message from `(name, value)` pairs, laid out as `Name: value\r\n` lines.
    ///
    /// Names and values are stored as given (no CR/LF or colon validation: that is the
    /// encoder's job), so [`Message::name`] and [`Message::value`] return them unchanged. Pairs
    /// that would push the buffer past 4 GiB are dropped.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Message {
        let headers = headers.into_iter();
        let mut text = String::with_capacity(headers.size_hint().0 * 32);
        let mut spans = Vec::with_capacity(headers.size_hint().0);
        for (name, value) in headers {
            if text.len() + name.len() + value.len() + 4 > MAX_MESSAGE_BUFFER {
                break;
            }
            let name_start = text.len();
            text.push_str(name);
            let name_end = text.len();
            text.push_str(": ");
            let value_start = text.len();
            text.push_str(value);
            let value_end = text.len();
            text.push_str("\r\n");
            spans.push(Span::new(name_start, name_end, value_start, value_end));
        }
        // SAFETY: `text` is a `String`, and every offset is the boundary between two pushed `&str`s.
        unsafe { Message::from_parts_unchecked(Bytes::from(text), SpanList::from_slice(&spans)) }
    }

    /// Number of headers.
    #[inline]
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether the message has no header.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    #[inline(always)]
    fn str_at(&self, range: std::ops::Range<usize>) -> &str {
        // Spans always lie within the buffer (struct invariant); `get` keeps this panic-free.
        let bytes = self.buf.get(range).unwrap_or_default();
        // SAFETY: `buf` is valid UTF-8 and every span offset is a `char` boundary (struct
        // invariant, established by every constructor), so the slice is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    #[inline(always)]
    fn name_of(&self, span: Span) -> &str {
        self.str_at(span.name_range())
    }

    #[inline(always)]
    fn value_of(&self, span: Span) -> &str {
        self.str_at(span.value_range())
    }

    #[inline(always)]
    fn name_is(&self, span: Span, name: &[u8]) -> bool {
        span.name_len() == name.len()
            && self
                .buf
                .get(span.name_range())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }

    /// Name of header `i`, or `""` if `i >= self.len()` ([`Message::header`] tells the two
    /// apart).
    #[inline]
    pub fn name(&self, i: usize) -> &str {
        self.headers.get(i).map_or("", |s| self.name_of(s))
    }

    /// Value of header `i`, or `""` if `i >= self.len()` ([`Message::header`] tells the two
    /// apart).
    #[inline]
    pub fn value(&self, i: usize) -> &str {
        self.headers.get(i).map_or("", |s| self.value_of(s))
    }

    /// Header `i` as `(name, value)`, or `None` if out of range.
    #[inline]
    pub fn header(&self, i: usize) -> Option<(&str, &str)> {
        let span = self.headers.get(i)?;
        Some((self.name_of(span), self.value_of(span)))
    }

    /// The headers in order, as `(name, value)` pairs.
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            msg: self,
            spans: self.headers.iter(),
        }
    }

    /// Value of the first header named `name`, compared ASCII-case-insensitively.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = name.as_bytes();
        self.headers
            .iter()
            .find(|s| self.name_is(*s, name))
            .map(|s| self.value_of(s))
    }

    /// Values of every header named `name` (ASCII-case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |s| self.name_is(*s, name.as_bytes()))
            .map(move |s| self.value_of(s))
    }

    /// Index of the first header named `name` (ASCII-case-insensitive).
    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        let name = name.as_bytes();
        self.headers.iter().position(|s| self.name_is(s, name))
    }

    /// The text the headers point into: for a framed message its header lines with their
    /// terminators (without the final empty line); for a parsed message the bytes given to
    /// [`Message::parse`] (after UTF-8 repair).
    ///
    /// For a message framed from a legacy `Response: Follows` command reply this is the rebuilt
    /// text (`Output: <line>` headers), not the bytes received.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The shared buffer behind the message.
    #[inline]
    pub fn bytes(&self) -> &Bytes {
        &self.buf
    }

    /// A copy of the message with a buffer of its own.
    ///
    /// A framed message shares the allocation of the read buffer it was cut from; a message kept
    /// for a long time holds that whole allocation alive. Detaching it frees the rest.
    pub fn detached(&self) -> Message {
        Message {
            buf: Bytes::copy_from_slice(&self.buf),
            headers: self.headers.detached(),
        }
    }

    /// Kind of message, from the first header's name (`Response`, `Event` or `Action`, any case).
    pub fn kind(&self) -> MessageKind {
        let Some(first) = self.headers.first() else {
            return MessageKind::Other;
        };
        if self.name_is(first, b"Event") {
            MessageKind::Event
        } else if self.name_is(first, b"Response") {
            MessageKind::Response
        } else if self.name_is(first, b"Action") {
            MessageKind::Action
        } else {
            MessageKind::Other
        }
    }

    /// Value of the first header if it is named `name`.
    #[inline]
    fn first_if(&self, name: &[u8]) -> Option<&str> {
        let first = self.headers.first()?;
        self.name_is(first, name).then(|| self.value_of(first))
    }

    /// Event name: the value of the first header when that header is `Event`.
    ///
    /// `None` for responses, including those that carry an `Event` header further down.
    #[inline]
    pub fn event(&self) -> Option<&str> {
        self.first_if(b"Event")
    }

    /// Response status (`Success`, `Error`, `Goodbye`, `Follows`…): the value of the first header
    /// when that header is `Response`.
    ///
    /// `None` for events such as `OriginateResponse` that carry a `Response` header further
    /// down; use [`Message::get`] for those.
    #[inline]
    pub fn response(&self) -> Option<&str> {
        self.first_if(b"Response")
    }

    /// Action name: the value of the first header when that header is `Action`.
    #[inline]
    pub fn action(&self) -> Option<&str> {
        self.first_if(b"Action")
    }

    /// Value of the first `ActionID` header (any case, any position).
    #[inline]
    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    /// Splits an event that holds several events glued together, at every `Event` header after
    /// the first; `None` for a message that is not an event or has one `Event` header.
    ///
    /// Some Asterisk modules end list items without the empty line that ends a message (in
    /// chan_skinny's source, `SKINNYdevices` and `SKINNYlines` write `DeviceEntry` and
    /// `LineEntry` items that way), so a whole list, completion event included, reaches the
    /// client as one message. The parts are copies, laid out like [`Message::from_headers`].
    pub fn split_events(&self) -> Option<Vec<Message>> {
        let first = self.headers.first()?;
        if !self.name_is(first, b"Event") {
            return None;
        }
        let count = self.headers.len();
        let next_event = |from: usize| {
            (from..count).find(|&i| {
                self.headers
                    .get(i)
                    .is_some_and(|s| self.name_is(s, b"Event"))
            })
        };
        // The usual case, one `Event` header, allocates nothing.
        let mut end = next_event(1)?;
        let mut start = 0;
        let mut parts = Vec::new();
        loop {
            parts.push(Message::from_headers(
                (start..end).map(|i| (self.name(i), self.value(i))),
            ));
            if end == count {
                return Some(parts);
            }
            start = end;
            end = next_event(start + 1).unwrap_or(count);
        }
    }
}

/// Splits valid-UTF-8 `bytes` into header spans: every non-empty line, including a last line
/// without a terminator.
fn split_headers(bytes: &[u8]) -> Vec<Span> {
    let mut headers = Vec::new();
    let mut cur = Cursor::new();
    while let Some(line) = cur.next_line(bytes) {
        let end = content_end(bytes, line.start, line.end);
        if end > line.start {
            headers.push(header_span(bytes, line.start, line.colon, end, 0));
        }
    }
    let start = cur.line_start();
    let end = content_end(bytes, start, bytes.len());
    if end > start {
        let rest = bytes.get(start..end).unwrap_or_default();
        let colon = memchr::memchr(b':', rest).map_or(NONE, |c| start + c);
        headers.push(header_span(bytes, start, colon, end, 0));
    }
    headers
}

impl Default for Message {
    /// A message without headers.
    fn default() -> Self {
        Message {
            buf: Bytes::new(),
            headers: SpanList::default(),
        }
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a Message);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.iter()).finish()
            }
        }
        f.debug_struct("Message")
            .field("headers", &Headers(self))
            .finish()
    }
}

impl PartialEq for Message {
    /// Same headers (names and values, byte for byte) in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Message {}

impl<'a> IntoIterator for &'a Message {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for Message {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Self {
        Message::from_headers(iter)
    }
}

/// Iterator over a message's `(name, value)` pairs, from [`Message::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    msg: &'a Message,
    spans: SpanIter<'a>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let span = self.spans.next()?;
        Some((self.msg.name_of(span), self.msg.value_of(span)))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        let span = self.spans.next_back()?;
        Some((self.msg.name_of(span), self.msg.value_of(span)))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

/// `String::from_utf8_lossy` on a byte slice (used on the rare rebuild paths).
#[inline]
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse(s: &'static [u8]) -> Message {
        Message::parse(Bytes::from_static(s))
    }

    #[test]
    fn glued_events_split_at_each_event_header() {
        let glued = parse(
            b"Event: DeviceEntry\r\nActionID: 9\r\nObjectName: a\r\n\
              Event: DeviceEntry\r\nActionID: 9\r\nObjectName: b\r\n\
              event: DevicelistComplete\r\nEventList: Complete\r\nListItems: 2\r\nActionID: 9\r\n\r\n",
        );
        let parts = glued.split_events().expect("three events");
        let texts: Vec<Vec<(&str, &str)>> = parts.iter().map(|m| m.iter().collect()).collect();
        assert_eq!(
            texts,
            [
                vec![
                    ("Event", "DeviceEntry"),
                    ("ActionID", "9"),
                    ("ObjectName", "a")
                ],
                vec![
                    ("Event", "DeviceEntry"),
                    ("ActionID", "9"),
                    ("ObjectName", "b")
                ],
                vec![
                    ("event", "DevicelistComplete"),
                    ("EventList", "Complete"),
                    ("ListItems", "2"),
                    ("ActionID", "9")
                ],
            ]
        );
        assert_eq!(parts[2].event(), Some("DevicelistComplete"));
        assert_eq!(parse(b"Event: A\r\nX: 1\r\n\r\n").split_events(), None);
        // Only events split: a response carrying `Event` headers stays whole.
        assert_eq!(
            parse(b"Response: Success\r\nEvent: A\r\nEvent: B\r\n\r\n").split_events(),
            None
        );
    }

    #[test]
    fn parses_names_and_values() {
        let m = parse(b"Event: Newchannel\r\nChannel:   SIP/1\r\nEmpty:\r\nNoSpace:x\r\n\r\n");
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [
                ("Event", "Newchannel"),
                ("Channel", "SIP/1"),
                ("Empty", ""),
                ("NoSpace", "x")
            ]
        );
        assert_eq!(m.kind(), MessageKind::Event);
        assert_eq!(m.event(), Some("Newchannel"));
        assert_eq!(m.response(), None);
        assert_eq!(m.as_bytes().len(), 58);
    }

    #[test]
    fn keeps_lines_without_colon_and_last_unterminated_line() {
        let m = parse(b"\r\nResponse: Follows\nraw output line\r\n\n\r\ntail: x");
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [
                ("Response", "Follows"),
                ("", "raw output line"),
                ("tail", "x")
            ]
        );
        assert_eq!(m.kind(), MessageKind::Response);
        assert_eq!(m.response(), Some("Follows"));
    }

    #[test]
    fn value_keeps_inner_colons_and_trailing_spaces() {
        let m = parse(b"EventTV: 2026-11-26T02:52:55.248+0000\r\nA: b  \r\n");
        assert_eq!(m.get("eventtv"), Some("2026-11-26T02:52:55.248+0000"));
        assert_eq!(m.get("A"), Some("b  "));
    }

    #[test]
    fn lookups_are_case_insensitive_and_ordered() {
        let m =
            parse(b"Response: Success\r\nOutput: a\r\nActionId: 1\r\noutput: b\r\nActionID: 2\r\n");
        assert_eq!(m.action_id(), Some("1"));
        assert_eq!(m.get("ACTIONID"), Some("1"));
        assert_eq!(m.position("actionid"), Some(2));
        assert_eq!(m.get_all("Output").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.get("Missing"), None);
        assert_eq!(m.header(9), None);
        assert_eq!(m.iter().next_back(), Some(("ActionID", "2")));
        assert_eq!(m.iter().len(), 5);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let m = parse(b"Event: X\xff\xfeY\r\nN\xc3: v\xc3\xa9\r\n");
        assert_eq!(m.get("Event"), Some("X\u{fffd}\u{fffd}Y"));
        assert_eq!(m.name(1), "N\u{fffd}");
        assert_eq!(m.value(1), "v\u{e9}");
    }

    #[test]
    fn from_headers_round_trips() {
        let m = Message::from_headers([("Action", "Ping"), ("ActionID", " 7")]);
        assert_eq!(m.as_bytes(), b"Action: Ping\r\nActionID:  7\r\n");
        assert_eq!(m.value(1), " 7");
        assert_eq!(m.kind(), MessageKind::Action);
        assert_eq!(m.action(), Some("Ping"));
        let p = Message::parse(m.bytes().clone());
        assert_eq!(p.action(), Some("Ping"));
        assert_eq!(m, m.detached());
        assert_eq!(
            format!("{m:?}"),
            r#"Message { headers: [("Action", "Ping"), ("ActionID", " 7")] }"#
        );
    }

    #[test]
    fn empty_and_other_kinds() {
        let m = Message::default();
        assert!(m.is_empty());
        assert_eq!(m.kind(), MessageKind::Other);
        assert_eq!(parse(b"").len(), 0);
        assert_eq!(parse(b"\r\n\n").len(), 0);
        assert_eq!(parse(b"ActionID: 1\r\n").kind(), MessageKind::Other);
        assert_eq!(parse(b"ACTION: Login\r\n").kind(), MessageKind::Action);
    }
}
