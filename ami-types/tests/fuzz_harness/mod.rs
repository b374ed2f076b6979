//! The fuzz harnesses, shared by the cargo-fuzz targets in `fuzz/` (which include this file by
//! path) and by `tests/fuzz_regressions.rs`, which replays the committed regression corpus
//! through exactly the same code on stable Rust.
//!
//! Each harness takes raw bytes, so it needs no fuzzing crate: the first bytes steer the
//! structure (limits and chunking for the framer, which action or event and which headers for
//! the typed decoders and the encoder) and the rest supplies the data. A harness panics when an
//! invariant breaks; that panic is the fuzzer's crash.
//!
//! - [`framer`]: arbitrary bytes, arbitrary chunking, arbitrary limits. Pushed whole and in
//!   chunks, the framer yields the same frames; between pushes it never holds more than the
//!   message limit; every message is well formed and parses back to itself.
//! - [`message`]: [`Message::parse`] of arbitrary bytes; accessors agree with each other; the
//!   wire-safe headers encode, frame and parse back to themselves; unsafe ones are refused.
//! - [`decode`]: every event of [`EVENTS`] and every response of [`ACTIONS`], decoded from
//!   header sets built from the type's own field names (with prefixes and `prefix_match`
//!   suffixes), enum spellings, numbers, null-like and arbitrary values.
//! - [`encode`]: every action of [`ACTIONS`] re-encoded through [`ActionInfo::reencode`] from
//!   arbitrary parameter values: refused actions write nothing, accepted ones are exactly one
//!   well-formed message (no injected header or action), and encode → frame → parse → encode
//!   is the identity (on the first round when every value is wire-safe).
#![allow(dead_code)]

use ami_types::dynamic::{ActionInfo, FieldInfo, ParamInfo};
use ami_types::generated::{enum_info, fieldset_info, ACTIONS, EVENTS};
use ami_types::{Event, Frame, FrameError, Framer, HeaderWriter, Limits, Message, MessageKind};
use bytes::Bytes;

/// A fuzz harness: panics when an invariant breaks.
pub type Harness = fn(&[u8]);

/// The fuzz targets, by name (the directory names under `fuzz/fuzz_targets` and of the
/// regression corpus).
pub const TARGETS: [(&str, Harness); 4] = [
    ("framer", framer),
    ("message", message),
    ("decode", decode),
    ("encode", encode),
];

/// Most headers a structured harness builds (keeps one execution cheap).
const MAX_HEADERS: usize = 96;

/// Values that exercise the decoders' edge cases.
const DICT: &[&str] = &[
    "",
    " ",
    "<unknown>",
    "(null)",
    "0",
    "1",
    "-1",
    "+7",
    " 42 ",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "1.5",
    "-0",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e309",
    "yes",
    "no",
    "true",
    "False",
    "ON",
    "off",
    "y",
    "n",
    "a,b,,c",
    ",",
    "x=y",
    "=",
    "x==y",
    "/re/",
    "/",
    "//",
    "PJSIP/alice-00000001",
    "1700000000.1",
    "\u{fffd}",
    "é",
    "\u{10ffff}",
    "Follows",
    "--END COMMAND--",
    "start",
    "Complete",
    "Success",
    "Error",
    "Permission denied",
];

/// Raw bytes read front to back; reads past the end yield zeros and empty slices.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.byte();
        }
        u64::from_le_bytes(b)
    }

    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }

    /// A length-prefixed text: one length byte (255: a little-endian `u16` length follows),
    /// then that many bytes, invalid UTF-8 replaced.
    pub fn text(&mut self) -> String {
        let n = match self.byte() {
            255 => self.u16() as usize,
            n => n as usize,
        };
        String::from_utf8_lossy(self.take(n)).into_owned()
    }

    /// Picks one of `items` (which must not be empty).
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.u16() as usize % items.len()]
    }
}

/// Appends a text in the [`Input::text`] encoding (for seeds).
pub fn put_text(out: &mut Vec<u8>, text: &str) {
    let bytes = &text.as_bytes()[..text.len().min(u16::MAX as usize)];
    if bytes.len() < 255 {
        out.push(bytes.len() as u8);
    } else {
        out.push(255);
        out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(bytes);
}

// ---------------------------------------------------------------------------------------------
// framer

/// Frames `stream` pushed in `chunks` (cycled; empty: one byte at a time), draining after each
/// push and checking the memory bound; then drains [`Framer::finish`].
fn frame_chunked(
    mut framer: Framer,
    stream: &[u8],
    chunks: &[usize],
) -> Vec<Result<Frame, FrameError>> {
    let limits = *framer.limits();
    let mut out = Vec::new();
    let mut rest = stream;
    let mut i = 0;
    while !rest.is_empty() {
        let k = match chunks {
            [] => 1,
            c => c[i % c.len()].clamp(1, rest.len()),
        };
        i += 1;
        framer.push(&rest[..k]);
        rest = &rest[k..];
        while let Some(frame) = framer.next_frame() {
            out.push(frame);
        }
        // Between pushes the framer holds at most one message in progress (a last `\r` may
        // wait for its `\n`): a peer cannot make it grow.
        assert!(
            framer.buffered() <= limits.max_message_bytes + 2,
            "framer holds {} bytes with limits {limits:?}",
            framer.buffered()
        );
    }
    while let Some(frame) = framer.finish() {
        out.push(frame);
    }
    out
}

/// Arbitrary bytes, arbitrary chunking, arbitrary limits.
///
/// Layout: flags (bit 0: no greeting expected; bits 1-2: limits preset), the preset's bytes,
/// a chunk count (0-7; 0 = one byte at a time) and that many chunk sizes (1-256), the stream.
pub fn framer(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.byte();
    let limits = match (flags >> 1) & 3 {
        0 => Limits::default(),
        1 => Limits {
            max_message_bytes: 1 + input.u16() as usize % 4096,
            max_headers: 1 + input.byte() as usize % 64,
            max_line_bytes: 1 + input.u16() as usize % 1024,
        },
        2 => Limits {
            max_message_bytes: 128 * 1024,
            max_headers: 128,
            max_line_bytes: 1024,
        },
        _ => Limits {
            max_message_bytes: 1 + input.byte() as usize,
            max_headers: 1 + input.byte() as usize % 8,
            max_line_bytes: 1 + input.byte() as usize % 64,
        },
    };
    let n = input.byte() as usize % 8;
    let chunks: Vec<usize> = (0..n).map(|_| 1 + input.byte() as usize).collect();
    let stream = input.rest();
    let new = || {
        let framer = if flags & 1 == 0 {
            Framer::new()
        } else {
            Framer::without_greeting()
        };
        framer.with_limits(limits)
    };

    // Whole: one push.
    let whole = frame_chunked(new(), stream, &[stream.len().max(1)]);
    for frame in &whole {
        if let Ok(Frame::Message(msg)) = frame {
            check_message(msg, true);
        }
    }
    // The same frames, however the stream is cut.
    let chunked = frame_chunked(new(), stream, &chunks);
    assert_eq!(whole, chunked, "chunking changed the frames ({chunks:?})");
}

/// Invariants of any message (`framed`: it came out of the framer).
fn check_message(msg: &Message, framed: bool) {
    assert_eq!(msg.len(), msg.iter().count());
    assert_eq!(msg.is_empty(), msg.iter().next().is_none());
    let legacy = msg
        .response()
        .is_some_and(|r| r.eq_ignore_ascii_case("Follows"));
    for (i, (name, value)) in msg.iter().enumerate() {
        assert_eq!(msg.header(i), Some((name, value)));
        assert_eq!((msg.name(i), msg.value(i)), (name, value));
        assert!(
            !name.contains('\n') && !value.contains('\n'),
            "{name:?}: {value:?}"
        );
        assert!(
            !name.contains(':'),
            "a name ends at the first colon: {name:?}"
        );
        if framed && !legacy && !name.is_empty() {
            assert!(
                !value.starts_with([' ', '\t']),
                "blanks after the colon are not part of the value: {value:?}"
            );
        }
        // Look-ups find the first header of that name, in any case.
        let first = msg
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .expect("the header itself");
        assert_eq!(msg.position(name), Some(first));
        assert_eq!(msg.get(name), Some(msg.value(first)));
        assert_eq!(
            msg.get(&name.to_ascii_uppercase()),
            Some(msg.value(first)),
            "look-ups ignore ASCII case"
        );
        assert!(msg.get_all(name).any(|v| v == value));
    }
    assert!(msg.header(msg.len()).is_none());
    let first = msg.iter().next().map(|(n, _)| n.to_ascii_lowercase());
    let expected = match first.as_deref() {
        Some("event") => MessageKind::Event,
        Some("response") => MessageKind::Response,
        Some("action") => MessageKind::Action,
        _ => MessageKind::Other,
    };
    assert_eq!(msg.kind(), expected);
    assert_eq!(msg.action_id(), msg.get("ActionID"));
    let detached = msg.detached();
    assert_eq!(&detached, msg);
    assert!(detached.iter().eq(msg.iter()));
    if framed && !legacy {
        // A framed message is its own text: parsing the text gives the same headers.
        let reparsed = Message::parse(msg.bytes().clone());
        assert!(
            reparsed.iter().eq(msg.iter()),
            "reparse differs: {reparsed:?} vs {msg:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// message

/// Whether a header writes and frames back unchanged: a valid name, and a value without CR,
/// LF or NUL that does not start with a blank (blanks after the colon are not kept).
fn wire_safe(name: &str, value: &str) -> bool {
    name_ok(name) && !value.contains(['\r', '\n', '\0']) && !value.starts_with([' ', '\t'])
}

/// What [`HeaderWriter`] accepts as a name.
fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && !name
            .bytes()
            .any(|b| b == b':' || b.is_ascii_whitespace() || b.is_ascii_control())
}

/// Frames `bytes` (one message, terminated) into exactly one message.
fn frame_one(bytes: &[u8]) -> Message {
    let mut framer = Framer::without_greeting();
    framer.push(bytes);
    let msg = match framer.next_frame() {
        Some(Ok(Frame::Message(m))) => m,
        other => panic!(
            "expected one message from {:?}, got {other:?}",
            lossy(bytes)
        ),
    };
    assert_eq!(framer.next_frame(), None, "more than one message");
    assert_eq!(framer.finish(), None, "bytes left after the message");
    msg
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// [`Message::parse`] of arbitrary bytes.
pub fn message(data: &[u8]) {
    let msg = Message::parse(Bytes::copy_from_slice(data));
    check_message(&msg, false);
    let rebuilt = Message::from_headers(msg.iter());
    assert!(rebuilt.iter().eq(msg.iter()), "from_headers keeps headers");

    // Every wire-safe header writes and frames back to itself; anything else is refused.
    let mut wire = Vec::new();
    let mut kept = Vec::new();
    for (name, value) in msg.iter() {
        let before = wire.len();
        let written = HeaderWriter::new(&mut wire).header(name, value);
        if wire_safe(name, value) {
            written.expect("a wire-safe header is accepted");
            kept.push((name, value));
        } else if written.is_ok() {
            // Accepted though not identical on the wire: only leading blanks may differ.
            assert!(name_ok(name) && value.starts_with([' ', '\t']));
            kept.push((name, value.trim_start_matches([' ', '\t'])));
        } else {
            assert_eq!(wire.len(), before, "a refused header writes nothing");
        }
    }
    let legacy = kept.first().is_some_and(|(n, v)| {
        n.eq_ignore_ascii_case("Response") && v.eq_ignore_ascii_case("Follows")
    });
    if !kept.is_empty() && !legacy {
        wire.extend_from_slice(b"\r\n");
        let framed = frame_one(&wire);
        assert!(
            framed.iter().eq(kept.iter().copied()),
            "{framed:?} vs {kept:?}"
        );
    }

    // Typed decoding never panics.
    match msg.kind() {
        MessageKind::Event => {
            if let Ok(event) = Event::decode(&msg) {
                assert!(event
                    .name()
                    .eq_ignore_ascii_case(msg.event().unwrap_or_default()));
            }
        }
        MessageKind::Response => {
            let sum = data.iter().fold(0usize, |a, &b| a.wrapping_add(b as usize));
            let info = &ACTIONS[sum % ACTIONS.len()];
            if let Ok(value) = (info.decode_response)(&msg) {
                check_dyn(&msg, &value);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// decode

/// A decoded value serialises (as `ami decode` prints it) and its unknown headers are real.
fn check_dyn(msg: &Message, value: &ami_types::dynamic::Dyn<'_>) {
    if let Err(e) = serde_json::to_string(&*value.value) {
        panic!("{} does not serialise: {e}", value.type_name);
    }
    for name in &value.unknown {
        assert!(
            msg.iter().any(|(n, _)| n == name),
            "{}: unknown header {name:?} is not in the message",
            value.type_name
        );
    }
}

/// A header name the harness may use, with the field it belongs to.
struct Known {
    name: String,
    field: Option<&'static FieldInfo>,
}

fn known(name: impl Into<String>, field: Option<&'static FieldInfo>) -> Known {
    Known {
        name: name.into(),
        field,
    }
}

/// Headers common to every event or response.
const COMMON: [&str; 9] = [
    "ActionID",
    "Privilege",
    "EventList",
    "ListItems",
    "Message",
    "Timestamp",
    "SystemName",
    "Response",
    "Event",
];

/// The header names an event carries: its field sets' (with their prefix) and its own.
fn event_names(index: usize) -> Vec<Known> {
    let info = &EVENTS[index % EVENTS.len()];
    let mut names = Vec::new();
    for include in info.includes {
        if let Some(set) = fieldset_info(include.fieldset) {
            for field in set.fields {
                names.push(known(
                    format!("{}{}", include.prefix, field.name),
                    Some(field),
                ));
            }
        }
    }
    names.extend(info.fields.iter().map(|f| known(f.name, Some(f))));
    names.extend(COMMON.iter().map(|c| known(*c, None)));
    names
}

/// The header names of an action's response.
fn response_names(info: &'static ActionInfo) -> Vec<Known> {
    let mut names: Vec<Known> = info
        .response_fields
        .iter()
        .map(|f| known(f.name, Some(f)))
        .collect();
    names.extend(COMMON.iter().map(|c| known(*c, None)));
    names.push(known("Output", None));
    names
}

/// A value for a header: arbitrary text, an edge case, an enum spelling or a number.
fn field_value(input: &mut Input<'_>, op: u8, field: Option<&FieldInfo>) -> String {
    match (op >> 3) & 3 {
        0 => input.text(),
        1 => input.pick(DICT).to_string(),
        2 => match field.and_then(|f| f.enum_name).and_then(enum_info) {
            Some(e) if !e.variants.is_empty() => {
                let v = input.pick(e.variants);
                match input.byte() % 4 {
                    0 => v.wire.to_owned(),
                    1 => v.aliases.first().copied().unwrap_or(v.wire).to_owned(),
                    2 => v.text.unwrap_or(v.wire).to_owned(),
                    _ => v
                        .value
                        .map_or_else(|| v.wire.to_ascii_lowercase(), |n| n.to_string()),
                }
            }
            _ => input.pick(DICT).to_string(),
        },
        _ => match input.byte() % 3 {
            0 => (input.u64() as i64).to_string(),
            1 => input.u64().to_string(),
            _ => f64::from_bits(input.u64()).to_string(),
        },
    }
}

/// Builds headers from `names` as steered by `input`.
fn headers(input: &mut Input<'_>, names: &[Known]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    while !input.is_empty() && out.len() < MAX_HEADERS {
        let op = input.byte();
        let (name, field) = match op & 7 {
            0..=4 => {
                let k = input.pick(names);
                let mut name = k.name.clone();
                if k.field.is_some_and(|f| f.prefix_match) || op & 0x80 != 0 {
                    name.push_str(&input.text());
                }
                (name, k.field)
            }
            5 => (input.text(), None),
            6 => match out.last() {
                // The same header again (a repeat, or a duplicate of a single field).
                Some((n, _)) => {
                    let n = n.clone();
                    let field = names.iter().find(|k| k.name == n).and_then(|k| k.field);
                    (n, field)
                }
                None => (names[0].name.clone(), names[0].field),
            },
            _ => (input.pick(&COMMON).to_string(), None),
        };
        let value = field_value(input, op, field);
        out.push((name, value));
    }
    out
}

/// Typed decoding of an event or response of the spec from an arbitrary header set.
///
/// Layout: a selector byte (bit 0: a response, else an event; bit 1: `Response: Error`; bit 2:
/// no `Event`/`Response` first header), a `u16` index into [`EVENTS`] or [`ACTIONS`], then
/// header ops (see [`headers`]).
pub fn decode(data: &[u8]) {
    let mut input = Input::new(data);
    let selector = input.byte();
    let index = input.u16() as usize;
    if selector & 1 == 0 {
        let info = &EVENTS[index % EVENTS.len()];
        let names = event_names(index);
        let mut hs = headers(&mut input, &names);
        if selector & 4 == 0 {
            hs.insert(0, ("Event".to_owned(), info.name.to_owned()));
        }
        let msg = Message::from_headers(hs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let typed = (info.decode)(&msg);
        if let Ok(value) = &typed {
            check_dyn(&msg, value);
        }
        let event = Event::decode(&msg);
        if selector & 4 == 0 {
            assert_eq!(
                typed.is_ok(),
                event.is_ok(),
                "{}: table decoder and Event::decode disagree",
                info.name
            );
            if let Ok(event) = event {
                assert!(event.name().eq_ignore_ascii_case(info.name));
            }
        }
    } else {
        let info = &ACTIONS[index % ACTIONS.len()];
        let names = response_names(info);
        let mut hs = headers(&mut input, &names);
        if selector & 4 == 0 {
            let status = if selector & 2 == 0 {
                "Success"
            } else {
                "Error"
            };
            hs.insert(0, ("Response".to_owned(), status.to_owned()));
        }
        let msg = Message::from_headers(hs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        if let Ok(value) = (info.decode_response)(&msg) {
            check_dyn(&msg, &value);
        };
    }
}

/// Encodes a captured event or response as a [`decode`] input (for seeds): names are looked
/// up in the type's known names, values are literal.
pub fn decode_seed(msg: &Message) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (index, names) = if let Some(name) = msg.event() {
        let index = EVENTS
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(name))?;
        out.push(0);
        (index, event_names(index))
    } else {
        let id = msg.action_id()?;
        // Capture ActionIDs are `<scenario>-<n>`; the action is not known here, so seeds for
        // responses pick the action by the hash of the ActionID: any response shape will do.
        let index = id
            .bytes()
            .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize))
            % ACTIONS.len();
        out.push(if msg.response() == Some("Error") {
            3
        } else {
            1
        });
        (index, response_names(&ACTIONS[index]))
    };
    out.extend_from_slice(&(index as u16).to_le_bytes());
    for (name, value) in msg.iter().skip(1) {
        match names.iter().position(|k| k.name.eq_ignore_ascii_case(name)) {
            Some(i) => {
                out.push(0); // known name, literal value
                out.extend_from_slice(&(i as u16).to_le_bytes());
                if names[i].field.is_some_and(|f| f.prefix_match) {
                    out.push(0); // no suffix
                }
            }
            None => {
                out.push(5); // raw name, literal value
                put_text(&mut out, name);
            }
        }
        put_text(&mut out, value);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// encode

/// A value the encoder writes back exactly, for a parameter of the spec.
fn canonical(input: &mut Input<'_>, p: &ParamInfo) -> String {
    let number = |input: &mut Input<'_>| {
        if p.rust_type.contains("i64") {
            (input.u64() as i64).to_string()
        } else if p.rust_type.contains("f64") {
            f64::from_bits(input.u64()).to_string()
        } else if p.rust_type.contains("Duration") && p.ty == "duration_ms" {
            // Sent as whole milliseconds.
            (input.u64() >> 11).to_string()
        } else {
            input.u64().to_string()
        }
    };
    match p.ty {
        "int" | "uint" | "float" | "duration_s" | "duration_ms" => number(input),
        "bool" => (input.byte() & 1 == 1).to_string(),
        "enum" if !p.values.is_empty() && input.byte() < 224 => input.pick(p.values).to_string(),
        "enum" => format!("Xq{}", input.u16()),
        "list" => {
            let n = 1 + input.byte() % 4;
            (0..n)
                .map(|_| format!("i{}", input.u16()))
                .collect::<Vec<_>>()
                .join(",")
        }
        "variable" => {
            let name: String = input
                .text()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let value = clean(&input.text());
            format!("v{name}={value}")
        }
        _ => {
            let text = clean(&input.text());
            text.trim_start_matches([' ', '\t']).to_owned()
        }
    }
}

/// `text` without CR, LF and NUL.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
        .collect()
}

/// A value with a header or action smuggled in.
fn injected(input: &mut Input<'_>, base: String) -> String {
    const TAILS: [&str; 6] = [
        "\r\nAction: Hangup\r\nChannel: victim",
        "\nSecret: x",
        "\r",
        "\0",
        "\r\n\r\nAction: Logoff\r\n\r\n",
        "\n\n",
    ];
    let tail = input.pick(&TAILS);
    let at = input.byte() as usize;
    let mut at = at.min(base.len());
    while !base.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}{tail}{}", &base[..at], &base[at..])
}

/// The header name of parameter `p`, occurrence `i` (indexed parameters are `Name(i)` or
/// `Name-00000i`).
fn param_name(p: &ParamInfo, i: usize) -> String {
    match ami_types::indexed::pattern(p.name) {
        Some((stem, style)) if p.indexed => ami_types::indexed::name(stem, style, i),
        _ => p.name.to_owned(),
    }
}

/// Re-encodes a request through an action's table entry, checking everything that must hold.
///
/// Layout: a `u16` index into [`ACTIONS`], a flags byte (bit 0: canonical values in spec order,
/// checked for exact identity; bit 1: an arbitrary ActionID follows), then parameter ops.
pub fn encode(data: &[u8]) {
    let mut input = Input::new(data);
    let info = &ACTIONS[input.u16() as usize % ACTIONS.len()];
    let flags = input.byte();
    let canonical_mode = flags & 1 == 1;
    let action_id = if flags & 2 == 2 {
        input.text()
    } else {
        "fz-1".to_owned()
    };
    let mut hs: Vec<(String, String)> = Vec::new();
    if canonical_mode {
        for p in info.params {
            let count = if p.repeated || p.indexed {
                input.byte() as usize % 4
            } else if p.required || input.byte() & 1 == 1 {
                1
            } else {
                0
            };
            for i in 0..count {
                let value = canonical(&mut input, p);
                hs.push((param_name(p, i), value));
            }
        }
    } else {
        while !input.is_empty() && hs.len() < MAX_HEADERS {
            let op = input.byte();
            let param = (!info.params.is_empty()).then(|| input.pick(info.params));
            let name = match (op & 7, param) {
                (0..=5, Some(p)) => param_name(p, input.byte() as usize % 6),
                (6, _) | (_, None) => input.text(),
                _ => ["ActionID", "Action", "actionid"][input.byte() as usize % 3].to_owned(),
            };
            let value = match ((op >> 3) & 3, param) {
                (0, _) => input.text(),
                (1, _) | (_, None) => input.pick(DICT).to_string(),
                (2, Some(p)) => canonical(&mut input, p),
                (_, Some(p)) => {
                    let base = canonical(&mut input, p);
                    injected(&mut input, base)
                }
            };
            hs.push((name, value));
        }
    }
    let request = Message::from_headers(
        std::iter::once(("Action", info.name))
            .chain(hs.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
    );

    const SENTINEL: &[u8] = b"previous bytes\r\n";
    let mut out = SENTINEL.to_vec();
    let result = (info.reencode)(&request, &action_id, &mut out);
    let Ok(()) = result else {
        assert_eq!(
            out, SENTINEL,
            "{}: a refused action writes nothing",
            info.name
        );
        assert!(
            !canonical_mode || action_id.contains(['\r', '\n', '\0']),
            "{}: canonical values refused: {result:?} for {request:?}",
            info.name
        );
        return;
    };
    assert!(
        !action_id.contains(['\r', '\n', '\0']),
        "{}: an ActionID with CR/LF/NUL was accepted",
        info.name
    );
    let wire = &out[SENTINEL.len()..];
    check_wire(wire);
    let parsed = frame_one(wire);
    assert_eq!(
        parsed.action(),
        Some(info.name),
        "{}: wrong action",
        info.name
    );
    let expected_id = action_id.trim_start_matches([' ', '\t']);
    assert_eq!(
        parsed.action_id(),
        Some(expected_id),
        "{}: wrong ActionID",
        info.name
    );

    // encode → frame → parse → encode: the same bytes (a fixed point) ...
    let mut again = Vec::new();
    (info.reencode)(&parsed, expected_id, &mut again)
        .unwrap_or_else(|e| panic!("{}: its own output does not re-encode: {e}", info.name));
    // Wire-safe: also no comma-list item starts with a blank (empty items are dropped, so
    // any item may end up first in the header value, where blanks are not kept).
    let is_list = |name: &str| {
        info.params
            .iter()
            .any(|p| p.ty == "list" && p.name.eq_ignore_ascii_case(name))
    };
    let safe = request.iter().all(|(n, v)| {
        wire_safe(n, v) && !(is_list(n) && v.split(',').any(|i| i.starts_with([' ', '\t'])))
    }) && expected_id == action_id;
    if safe {
        assert_eq!(
            lossy(&again),
            lossy(wire),
            "{}: not the identity",
            info.name
        );
    } else {
        // ... or it converges: the blanks that start a value are not kept on the wire, and
        // once a comma list loses an empty or blank-only item the next item's blanks start
        // the value, so each round may drop more; every round that changes the bytes must
        // shrink them.
        let mut previous = again;
        loop {
            let mut next = Vec::new();
            (info.reencode)(&frame_one(&previous), expected_id, &mut next).expect("re-encodes");
            if next == previous {
                break;
            }
            assert!(
                next.len() < previous.len(),
                "{}: no fixed point: {:?} then {:?}",
                info.name,
                lossy(&previous),
                lossy(&next)
            );
            previous = next;
        }
    }
    if canonical_mode {
        // Canonical values come back exactly, in spec order.
        let got: Vec<(&str, &str)> = parsed.iter().filter(|(n, _)| *n != "ActionID").collect();
        let want: Vec<(&str, &str)> = request.iter().collect();
        assert_eq!(got, want, "{}: canonical values changed", info.name);
    }
}

/// Encoder output is `Name: value\r\n` lines and one empty line: no NUL, no bare CR or LF.
fn check_wire(wire: &[u8]) {
    assert!(wire.ends_with(b"\r\n\r\n"), "{:?}", lossy(wire));
    assert!(!wire.contains(&0), "NUL on the wire: {:?}", lossy(wire));
    let body = &wire[..wire.len() - 2];
    for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let line = line
            .strip_suffix(b"\r")
            .unwrap_or_else(|| panic!("bare LF in {:?}", lossy(wire)));
        assert!(!line.contains(&b'\r'), "bare CR in {:?}", lossy(wire));
        assert!(!line.is_empty(), "empty line inside {:?}", lossy(wire));
        let colon = line.iter().position(|&b| b == b':').expect("a name");
        assert!(
            colon > 0 && line.get(colon + 1) == Some(&b' '),
            "{:?}",
            lossy(line)
        );
    }
}

/// Encodes a captured request as a canonical-off [`encode`] input (for seeds).
pub fn encode_seed(request: &Message) -> Option<Vec<u8>> {
    let name = request.action()?;
    let index = ACTIONS
        .iter()
        .position(|a| a.name.eq_ignore_ascii_case(name))?;
    let info = &ACTIONS[index];
    let mut out = (index as u16).to_le_bytes().to_vec();
    out.push(0);
    for (n, v) in request.iter().skip(1) {
        if n.eq_ignore_ascii_case("ActionID") {
            continue;
        }
        match info
            .params
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(n))
        {
            Some(i) => {
                out.push(0); // a parameter, literal value
                out.extend_from_slice(&(i as u16).to_le_bytes());
                out.push(0); // index (for indexed parameters)
            }
            None => {
                out.push(6); // a raw name
                if !info.params.is_empty() {
                    out.extend_from_slice(&[0, 0]);
                }
                put_text(&mut out, n);
            }
        }
        put_text(&mut out, v);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// seeds

/// Splits a capture (`.ami` or `.sent`) into its messages.
pub fn capture_messages(bytes: &[u8]) -> Vec<Message> {
    let mut framer = Framer::new();
    framer.push(bytes);
    let mut out = Vec::new();
    while let Some(frame) = framer.finish() {
        if let Ok(Frame::Message(m)) = frame {
            out.push(m);
        }
    }
    out
}

/// Wire shapes the captures (Asterisk 20) lack: legacy command replies (Asterisk 13), bare LF
/// line ends, stray blank lines, a greeting without version, lines without colon.
const SYNTHETIC: [&[u8]; 6] = [
    b"Asterisk Call Manager/1.1\r\nResponse: Follows\r\nPrivilege: Command\r\nActionID: 7\r\n\
      Name          Number\r\n\r\n   lead: ing\r\n--END COMMAND--\r\n\r\n",
    b"Response: Follows\r\nActionID: 8\r\nlast line--END COMMAND--\r\n\r\n",
    b"Asterisk Call Manager/9.0.0\nResponse: Success\nMessage: Park successful\n\r\n\r\n",
    b"\r\n\r\nEvent: X\r\nno colon\r\n: empty name\r\n\r\r\n\r\n",
    b"Asterisk/\r\nResponse: Error\r\nMessage: \xff\xfe\r\n\r\n",
    b"Event: Y\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\n\r\n",
];

/// Seed inputs for `target` built from capture files `(name, bytes)`.
pub fn seeds(target: &str, captures: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for bytes in SYNTHETIC {
        match target {
            "framer" => {
                // Byte by byte, and with small limits, byte by byte.
                out.push([&[0u8, 0][..], bytes].concat());
                out.push([&[2u8, 18, 0, 3, 16, 0, 0][..], bytes].concat());
                out.push([&[6u8, 30, 2, 8, 0][..], bytes].concat());
            }
            "message" => out.push(bytes.to_vec()),
            _ => {}
        }
    }
    for (name, bytes) in captures {
        let sent = name.ends_with(".sent");
        match target {
            "framer" => {
                // Default limits, greeting expected; whole, byte by byte, and odd chunks.
                let mut whole = vec![0, 1, 0];
                whole.extend_from_slice(bytes);
                out.push(whole);
                let mut odd = vec![0, 3, 7, 61, 200];
                odd.extend_from_slice(bytes);
                out.push(odd);
                if bytes.len() < 4096 {
                    let mut tiny = vec![6, 80, 3, 40, 0];
                    tiny.extend_from_slice(bytes);
                    out.push(tiny);
                }
            }
            "message" => out.extend(
                capture_messages(bytes)
                    .iter()
                    .map(|m| m.as_bytes().to_vec()),
            ),
            "decode" if !sent => out.extend(capture_messages(bytes).iter().filter_map(decode_seed)),
            "encode" if sent => out.extend(capture_messages(bytes).iter().filter_map(encode_seed)),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}
