//! Incremental, sans-IO framing of the AMI byte stream into a greeting and [`Message`]s.
//!
//! Why it exists: AMI has no length prefix. A connection starts with one greeting line
//! (`Asterisk Call Manager/9.0.0\r\n`, no blank line after it), then every message is a block of
//! `Name: value` lines ended by an empty line. Bytes arrive in arbitrary chunks, so something has
//! to find the boundaries, tolerate what Asterisk really sends, and protect the client from a
//! peer that never ends a message. [`Framer`] does that without doing any I/O: feed it bytes with
//! [`Framer::push`], take frames with [`Framer::next_frame`].
//!
//! Wire quirks handled (all seen from real servers):
//! * lines may end in `\r\n` or a bare `\n`; a `\r` right before the `\n` is dropped;
//! * stray empty lines between messages are skipped;
//! * `CoreShowChannelMap` items (Asterisk 18.19+ and 20.4+) end in `\r\n\n`: the bare `\n`
//!   is the empty line that ends the message;
//! * `Message: Park successful\n\r\n` (a bare LF before the CRLF) reads as the line
//!   `Message: Park successful`, an empty line ending the message, then a stray empty line;
//! * Asterisk 13 and older answer `Command` with `Response: Follows`, `Privilege`/`ActionID`
//!   headers, raw output lines (possibly empty, possibly with colons) and a `--END COMMAND--` line
//!   (possibly glued to the end of the last output line). That reply is turned into an ordinary
//!   message whose output lines are `Output: <line>` headers, like Asterisk 14+ sends; the raw
//!   line is kept exactly (leading spaces included). The empty line after the terminator is
//!   skipped as a stray empty line.
//!
//! Framing is one pass: lines are found 64 bytes at a time (SSE2 on x86_64, see `split.rs`), the
//! header offsets of a partial message are kept between pushes, and no byte is scanned twice, so
//! a 1 MiB message fed one byte at a time costs the same as fed at once. A complete message is
//! cut from the read buffer without copying ([`bytes::BytesMut::split_to`]): it shares the read
//! buffer's allocation until dropped (see [`Message::detached`]).
//!
//! [`Limits`] bound the size of a message, of a line and the number of headers. A message that
//! breaks one yields its [`FrameError`] once; the framer then drops bytes up to and including the
//! next empty line and carries on with the next message, never holding more than the limits
//! (plus the bytes of one `push`). Which error is reported, and which frames follow, do not
//! depend on how the input was split into chunks.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::unwrap_in_result,
    clippy::panic_in_result_fn
)]

use std::fmt;
use std::ops::ControlFlow;

use bytes::{Buf, BufMut, BytesMut};

use crate::message::spans::{SpanArena, SpanList};
use crate::message::split::{Cursor, Line, Sink, NONE};
use crate::message::{content_end, header_span, lossy, Message, Span, MAX_MESSAGE_BUFFER};

/// Header offsets kept allocated between messages (more are released after a huge message).
const SPANS_KEPT: usize = 1024;

/// Legacy `Command` reply terminator (Asterisk 13 and older).
const END_COMMAND: &[u8] = b"--END COMMAND--";

/// Bounds on what the [`Framer`] accepts from the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest message, counting its header lines and their terminators (default 1 MiB).
    ///
    /// Values above 4 GiB - 1 are treated as 4 GiB - 1 (message offsets are `u32`).
    pub max_message_bytes: usize,
    /// Most headers in one message (default 16 384); legacy command output lines count too.
    pub max_headers: usize,
    /// Longest line, without its terminator (default 64 KiB: CLI output lines in `Output:`
    /// headers can exceed 1 KiB, e.g. long dialplan or `core show` lines).
    pub max_line_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_headers: 16_384,
            max_line_bytes: 64 << 10,
        }
    }
}

/// One unit of the AMI stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// The greeting line, without its terminator (e.g. `Asterisk Call Manager/9.0.0`).
    Greeting(String),
    /// A complete message.
    Message(Message),
}

/// A message broke a [`Limits`] bound; it was skipped up to the next empty line.
#[non_exhaustive]
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The message grew past [`Limits::max_message_bytes`].
    #[error("message exceeds {limit} bytes; skipped to the next blank line")]
    MessageTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The message has more than [`Limits::max_headers`] headers.
    #[error("message has more than {limit} headers; skipped to the next blank line")]
    TooManyHeaders {
        /// The limit in force.
        limit: usize,
    },
    /// A line is longer than [`Limits::max_line_bytes`].
    #[error("line exceeds {limit} bytes; skipped to the next blank line")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
}

/// What the framer is in the middle of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Waiting for the greeting line (only before the first non-empty line).
    Greeting,
    /// Between messages or inside an ordinary message.
    Headers,
    /// Inside a legacy `Response: Follows` command reply; raw output starts at header
    /// `output_from` (`NONE` until the first output line).
    Legacy { output_from: usize },
    /// Skipping a message that broke a limit, up to the next empty line. `line_continues` says
    /// that a prefix of the current line was already dropped (so the line is not empty).
    Discard { line_continues: bool },
}

/// Incremental AMI framer: push bytes in, take [`Frame`]s out.
///
/// ```
/// # use ami_types::framer::{Framer, Frame};
/// let mut framer = Framer::new();
/// framer.push(b"Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nPing: Pong\r\n");
/// assert_eq!(framer.next_frame(), Some(Ok(Frame::Greeting("Asterisk Call Manager/9.0.0".into()))));
/// assert_eq!(framer.next_frame(), None); // the message is not complete yet
/// framer.push(b"\r\n");
/// let Some(Ok(Frame::Message(msg))) = framer.next_frame() else { panic!() };
/// assert_eq!(msg.get("ping"), Some("Pong"));
/// ```
pub struct Framer {
    /// Unconsumed input. Positions in `cur`, `base` and `spans` are relative to its start.
    buf: BytesMut,
    /// Line scanner state over `buf`.
    cur: Cursor,
    /// Headers of the message being assembled, relative to `base`.
    spans: Vec<Span>,
    /// Where finished messages' header offsets are stored.
    arena: SpanArena,
    /// Start of the message being assembled (meaningful while `spans` is not empty).
    base: usize,
    mode: Mode,
    limits: Limits,
}

/// Free space at the end of a [`Framer`]'s buffer, written by a read; see [`Framer::read_buf`].
///
/// It only appends: bytes already buffered cannot be touched through it.
#[derive(Debug)]
pub struct ReadBuf<'a> {
    buf: &'a mut BytesMut,
    /// Bytes that may still be written.
    left: usize,
}

// SAFETY: every method delegates to `BytesMut`'s own implementation, only ever narrowing the
// room offered (`left`), so its guarantees carry over.
unsafe impl BufMut for ReadBuf<'_> {
    fn remaining_mut(&self) -> usize {
        self.left.min(self.buf.remaining_mut())
    }

    unsafe fn advance_mut(&mut self, cnt: usize) {
        // SAFETY: the caller initialised `cnt` bytes of `chunk_mut`, which is a prefix of the
        // buffer's own chunk.
        unsafe { self.buf.advance_mut(cnt) };
        self.left = self.left.saturating_sub(cnt);
    }

    fn chunk_mut(&mut self) -> &mut bytes::buf::UninitSlice {
        let left = self.left;
        let chunk = self.buf.chunk_mut();
        let len = chunk.len().min(left);
        #[allow(clippy::indexing_slicing)] // `len` is at most the chunk's length
        &mut chunk[..len]
    }
}

impl Default for Framer {
    /// Same as [`Framer::new`].
    fn default() -> Self {
        Framer::new()
    }
}

impl fmt::Debug for Framer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framer")
            .field("buffered", &self.buf.len())
            .field("partial_headers", &self.spans.len())
            .field("mode", &self.mode)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Framer {
    /// A framer for a fresh connection: expects the greeting line first.
    ///
    /// If the first non-empty line does not look like a greeting (`<text>/<version>` without any
    /// colon), no greeting is reported and that line starts the first message.
    pub fn new() -> Self {
        Framer {
            buf: BytesMut::new(),
            cur: Cursor::new(),
            spans: Vec::new(),
            arena: SpanArena::default(),
            base: 0,
            mode: Mode::Greeting,
            limits: Limits::default(),
        }
    }

    /// A framer that expects messages only (e.g. a stream picked up after the greeting).
    pub fn without_greeting() -> Self {
        Framer {
            mode: Mode::Headers,
            ..Framer::new()
        }
    }

    /// Replaces the [`Limits`] (builder style: `Framer::new().with_limits(limits)`).
    ///
    /// `max_message_bytes` is capped at 4 GiB - 2 (offsets are `u32`) and `max_line_bytes` at
    /// `max_message_bytes` (a longer line could never fit in a message).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        let max_message_bytes = limits.max_message_bytes.min(MAX_MESSAGE_BUFFER - 1);
        self.limits = Limits {
            max_message_bytes,
            max_headers: limits.max_headers,
            max_line_bytes: limits.max_line_bytes.min(max_message_bytes),
        };
        self
    }

    /// The limits in force (after the caps applied by [`Framer::with_limits`]).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Room for up to `len` more bytes at the end of the buffer, to read into directly
    /// (`AsyncReadExt::read_buf(&mut framer.read_buf(n))`), saving the copy [`Framer::push`]
    /// makes. Bytes written there are framed exactly as if pushed.
    ///
    /// The buffer grows to `len` free bytes only when less than an eighth of that is free, so
    /// that reads fill one allocation before the next is made (each message keeps the
    /// allocation it was cut from alive until it is dropped). The room offered may therefore be
    /// smaller than `len`, but never less than `len / 8` (at least 1).
    pub fn read_buf(&mut self, len: usize) -> ReadBuf<'_> {
        let free = self.buf.capacity() - self.buf.len();
        if free < (len / 8).max(1) {
            self.buf.reserve(len);
        }
        ReadBuf {
            buf: &mut self.buf,
            left: len,
        }
    }

    /// Number of bytes pushed but not yet returned in a frame or discarded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next frame, `Some(Err(_))` once for a message that broke a limit, or `None` when
    /// more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        loop {
            if self.mode == Mode::Headers {
                match self.scan_headers() {
                    Scan::Message(line) => {
                        let msg = self.complete(line.start, line.end + 1);
                        return Some(Ok(Frame::Message(msg)));
                    }
                    Scan::NeedMore => return self.need_more(),
                    Scan::Limit(line, end) => {
                        let e = self.line_error(line, end, true);
                        return Some(Err(self.fail(e)));
                    }
                    Scan::Legacy => {
                        self.mode = Mode::Legacy { output_from: NONE };
                        continue;
                    }
                }
            }
            let Some(line) = self.cur.next_line(&self.buf) else {
                return self.need_more();
            };
            let end = content_end(&self.buf, line.start, line.end);
            let empty = end == line.start;
            match self.mode {
                Mode::Headers => {} // only reached through `scan_headers`
                Mode::Greeting => {
                    if empty {
                        continue;
                    }
                    self.mode = Mode::Headers;
                    let text = self.buf.get(line.start..end).unwrap_or_default();
                    if line.colon == NONE && looks_like_greeting(text) {
                        if end - line.start > self.limits.max_line_bytes {
                            let e = FrameError::LineTooLong {
                                limit: self.limits.max_line_bytes,
                            };
                            return Some(Err(self.fail(e)));
                        }
                        let greeting = lossy(text).into_owned();
                        self.consume(line.end + 1);
                        return Some(Ok(Frame::Greeting(greeting)));
                    }
                    // Not a greeting: the first header of the first message.
                    self.base = line.start;
                    if let Err(e) = self.check_line(line, end, true) {
                        return Some(Err(self.fail(e)));
                    }
                    let span = header_span(&self.buf, line.start, line.colon, end, self.base);
                    if is_follows(self.buf.get(self.base..).unwrap_or_default(), span) {
                        self.mode = Mode::Legacy { output_from: NONE };
                    }
                    self.spans.push(span);
                }
                Mode::Discard { line_continues } => {
                    self.mode = if empty && !line_continues {
                        Mode::Headers
                    } else {
                        Mode::Discard {
                            line_continues: false,
                        }
                    };
                }
                Mode::Legacy { output_from } => {
                    if let Some(result) = self.legacy_line(line, end, output_from) {
                        return Some(result);
                    }
                }
            }
        }
    }

    /// The hot loop: scans lines of ordinary messages until something needs the caller.
    #[inline(always)]
    fn scan_headers(&mut self) -> Scan {
        let mut sink = HeaderSink {
            buf: &self.buf,
            spans: &mut self.spans,
            base: self.base,
            limits: self.limits,
            checked: true,
        };
        let result = self.cur.scan(&self.buf, &mut sink);
        self.base = sink.base;
        result.unwrap_or(Scan::NeedMore)
    }

    /// Call at end of input: returns the remaining frames one at a time, like
    /// [`Framer::next_frame`], then the trailing unterminated message, then `None`.
    ///
    /// A message whose final empty line never came is returned if it has at least one complete
    /// header line; its complete lines are kept and an unterminated last line is dropped (it may
    /// be cut short). A legacy command reply without `--END COMMAND--` is returned with the
    /// output received. An incomplete greeting is dropped. Afterwards the framer is empty and
    /// behaves like [`Framer::without_greeting`] (limits are kept).
    pub fn finish(&mut self) -> Option<Result<Frame, FrameError>> {
        if let Some(frame) = self.next_frame() {
            return Some(frame);
        }
        let end = self.cur.line_start();
        let out = match self.mode {
            Mode::Headers if !self.spans.is_empty() => {
                Some(Ok(Frame::Message(self.complete(end, end))))
            }
            Mode::Legacy { output_from } => Some(self.complete_legacy(end, output_from)),
            _ => None,
        };
        self.buf.clear();
        self.cur = Cursor::new();
        self.spans.clear();
        self.mode = Mode::Headers;
        out
    }

    /// Drops the first `k` bytes of the buffer (whole lines only).
    #[inline]
    fn consume(&mut self, k: usize) {
        self.buf.advance(k);
        self.cur.rebase(k);
    }

    /// Cuts the finished message `base..msg_end` out of the buffer, dropping everything up to
    /// `consumed` (leading stray lines and the final empty line).
    #[inline]
    fn complete(&mut self, msg_end: usize, consumed: usize) -> Message {
        let non_ascii = self.cur.non_ascii();
        let mut bytes = self.buf.split_to(consumed).freeze();
        self.cur.rebase(consumed);
        bytes.truncate(msg_end);
        bytes.advance(self.base);
        let headers = self.arena.store(&self.spans);
        self.spans.clear();
        if self.spans.capacity() > SPANS_KEPT {
            // Do not hold on to the offsets of one huge message.
            self.spans.shrink_to(SPANS_KEPT);
        }
        if non_ascii && std::str::from_utf8(&bytes).is_err() {
            // Rare path: replace invalid UTF-8; ASCII bytes (and so the line structure) are kept.
            return Message::parse(bytes);
        }
        // SAFETY: `bytes` is valid UTF-8: either the scanner saw no byte >= 0x80 since the last
        // rebase, which was at or before `base` (so the message is ASCII), or it was just
        // validated. The spans were made by `header_span` relative to `base`, over lines that end
        // before `msg_end`; each offset is the start of a line (0 or after a `\n`), or next to an
        // ASCII `:`, space, tab, `\r` or `\n`, so on a `char` boundary. Message size is capped
        // below 4 GiB, so the `u32` offsets are exact.
        unsafe { Message::from_parts_unchecked(bytes, headers) }
    }

    /// Handles one line of a legacy `Response: Follows` reply; `Some` when the reply is done.
    fn legacy_line(
        &mut self,
        line: Line,
        end: usize,
        output_from: usize,
    ) -> Option<Result<Frame, FrameError>> {
        let text = self.buf.get(line.start..end).unwrap_or_default();
        let terminator = text.ends_with(END_COMMAND);
        let adds_header = !terminator || end - line.start > END_COMMAND.len();
        if let Err(e) = self.check_line(line, end, adds_header) {
            return Some(Err(self.fail(e)));
        }
        if terminator {
            let prefix_end = end - END_COMMAND.len();
            let mut output_from = output_from;
            if prefix_end > line.start {
                output_from = output_from.min(self.spans.len());
                let b = self.base;
                self.spans.push(Span::new(
                    line.start - b,
                    line.start - b,
                    line.start - b,
                    prefix_end - b,
                ));
            }
            return Some(self.complete_legacy(line.end + 1, output_from));
        }
        let is_header = output_from == NONE
            && line.colon < end
            && text.get(..line.colon - line.start).is_some_and(|name| {
                name.eq_ignore_ascii_case(b"Privilege") || name.eq_ignore_ascii_case(b"ActionID")
            });
        let b = self.base;
        if is_header {
            let span = header_span(&self.buf, line.start, line.colon, end, b);
            self.spans.push(span);
        } else {
            if output_from == NONE {
                self.mode = Mode::Legacy {
                    output_from: self.spans.len(),
                };
            }
            self.spans.push(Span::new(
                line.start - b,
                line.start - b,
                line.start - b,
                end - b,
            ));
        }
        None
    }

    /// Rebuilds a legacy reply as an ordinary message with `Output:` headers and consumes it.
    #[cold]
    fn complete_legacy(
        &mut self,
        consumed: usize,
        output_from: usize,
    ) -> Result<Frame, FrameError> {
        // Every span lies before `consumed` (the terminator's prefix is on the last line).
        let raw = self.buf.get(self.base..consumed).unwrap_or_default();
        let piece = |r: std::ops::Range<u32>| {
            lossy(
                raw.get(r.start as usize..r.end as usize)
                    .unwrap_or_default(),
            )
        };
        let mut text = String::with_capacity(raw.len() + 8 * self.spans.len());
        let mut spans = Vec::with_capacity(self.spans.len());
        let mut too_large = false;
        for (i, &span) in self.spans.iter().enumerate() {
            let (n, v) = span_ranges(span);
            let value = piece(v);
            let name = if i < output_from {
                piece(n)
            } else {
                "Output".into()
            };
            if text.len() + name.len() + value.len() + 4 > MAX_MESSAGE_BUFFER {
                too_large = true;
                break;
            }
            let name_start = text.len();
            text.push_str(&name);
            let name_end = text.len();
            text.push_str(": ");
            let value_start = text.len();
            text.push_str(&value);
            let value_end = text.len();
            text.push_str("\r\n");
            spans.push(Span::new(name_start, name_end, value_start, value_end));
        }
        self.consume(consumed);
        self.spans.clear();
        self.mode = Mode::Headers;
        if too_large {
            return Err(FrameError::MessageTooLarge {
                limit: self.limits.max_message_bytes,
            });
        }
        // SAFETY: `text` is a `String` and every offset is a boundary between pushed `&str`s.
        let msg =
            unsafe { Message::from_parts_unchecked(text.into(), SpanList::from_slice(&spans)) };
        Ok(Frame::Message(msg))
    }

    /// Checks a complete message line against the limits (`adds_header`: it becomes a header).
    ///
    /// When several limits break on the same line, the one broken at the earliest byte is
    /// reported (line length first on a tie, then message size), so the error does not depend on
    /// how the input was chunked.
    #[inline(always)]
    fn check_line(&self, line: Line, end: usize, adds_header: bool) -> Result<(), FrameError> {
        let l = &self.limits;
        if end - line.start <= l.max_line_bytes
            && line.end + 1 - self.base <= l.max_message_bytes
            && (self.spans.len() < l.max_headers || !adds_header)
        {
            return Ok(());
        }
        Err(self.line_error(line, end, adds_header))
    }

    #[cold]
    fn line_error(&self, line: Line, end: usize, adds_header: bool) -> FrameError {
        let l = &self.limits;
        let long = (end - line.start > l.max_line_bytes)
            .then(|| line.start.saturating_add(l.max_line_bytes));
        let large = (line.end + 1 - self.base > l.max_message_bytes)
            .then(|| self.base.saturating_add(l.max_message_bytes));
        let many = (adds_header && self.spans.len() >= l.max_headers).then_some(line.end);
        earliest(large, long, many, l).unwrap_or(FrameError::TooManyHeaders {
            limit: l.max_headers,
        })
    }

    /// Limit checks on the unterminated line, once every buffered byte has been scanned.
    ///
    /// Only breaks that the bytes seen so far prove are reported, and only when no earlier
    /// break can still appear: a last `\r` may turn out to be (part of) a terminator, in which
    /// case the decision waits for the next byte.
    fn partial_error(&self) -> Option<FrameError> {
        let l = &self.limits;
        let start = self.cur.line_start();
        let partial = self.buf.get(start..self.cur.scanned()).unwrap_or_default();
        let n = partial.len();
        let max_line = l.max_line_bytes.saturating_add(1);
        let long_at = start.saturating_add(l.max_line_bytes);
        let large = match self.mode {
            Mode::Greeting | Mode::Discard { .. } => None,
            Mode::Legacy { .. } => Some(self.base),
            Mode::Headers => {
                // A lone `\r` may still be an empty line, which is not part of the message.
                let counts = n >= 2 || (n == 1 && partial.first() != Some(&b'\r'));
                match (self.spans.is_empty(), counts) {
                    (true, true) => Some(start),
                    (false, true) => Some(self.base),
                    (_, false) => None,
                }
            }
        }
        .filter(|&msg_start| start + n - msg_start > l.max_message_bytes)
        .map(|msg_start| msg_start.saturating_add(l.max_message_bytes));
        if n == max_line && partial.last() == Some(&b'\r') {
            // The line length is undecided until the next byte, but a size break before the
            // point where the line would be too long is certain: report it now, so the framer
            // never holds a message plus a whole line beyond the limit.
            return large
                .filter(|&at| at < long_at)
                .map(|_| FrameError::MessageTooLarge {
                    limit: l.max_message_bytes,
                });
        }
        let long = (n >= max_line).then_some(long_at);
        earliest(large, long, None, l)
    }

    /// Every buffered byte is scanned: check the partial line, drop what is no longer needed.
    fn need_more(&mut self) -> Option<Result<Frame, FrameError>> {
        if let Mode::Discard { .. } = self.mode {
            self.drop_discarded();
            return None;
        }
        if self.buf.is_empty() {
            // The usual case after a read of whole messages: no partial line to check.
            return None;
        }
        if let Some(e) = self.partial_error() {
            let e = self.fail(e);
            if self.cur.scanned() > 0 {
                // The unterminated line broke the limit, so it belongs to the failed message:
                // it must not end the discarding even if it turns out empty (in a legacy
                // command reply an empty line is output), just as a complete line that
                // breaks a limit is dropped with its message.
                self.mode = Mode::Discard {
                    line_continues: true,
                };
            }
            self.drop_discarded();
            return Some(Err(e));
        }
        // Keep only the message being assembled (or the start of the next line).
        let k = if self.spans.is_empty() {
            self.cur.line_start()
        } else {
            self.base
        };
        if k > 0 {
            self.consume(k);
            self.base -= k.min(self.base);
        }
        None
    }

    /// In discard mode: drops every complete line, and the unterminated one if it is long.
    fn drop_discarded(&mut self) {
        let k = self.cur.line_start();
        self.consume(k);
        let partial = self.cur.scanned();
        if partial > self.limits.max_line_bytes.max(1) {
            self.buf.advance(partial);
            self.cur.forget_scanned();
            self.mode = Mode::Discard {
                line_continues: true,
            };
        }
    }

    /// Abandons the current message and starts discarding up to the next empty line.
    #[cold]
    fn fail(&mut self, e: FrameError) -> FrameError {
        self.spans.clear();
        self.mode = Mode::Discard {
            line_continues: false,
        };
        let k = self.cur.line_start();
        self.consume(k);
        e
    }
}

/// Whether `span`, relative to `msg` (the message's first bytes), is `Response: Follows`: a
/// legacy command reply.
#[inline(always)]
fn is_follows(msg: &[u8], span: Span) -> bool {
    let (n, v) = span_ranges(span);
    let is = |r: std::ops::Range<u32>, s: &[u8]| {
        msg.get(r.start as usize..r.end as usize)
            .is_some_and(|x| x.eq_ignore_ascii_case(s))
    };
    is(n, b"Response") && is(v, b"Follows")
}

/// The line handler of [`Framer::scan_headers`]: builds the header spans of ordinary messages.
struct HeaderSink<'a> {
    buf: &'a [u8],
    spans: &'a mut Vec<Span>,
    /// Start of the message being assembled (meaningful while `spans` is not empty).
    base: usize,
    limits: Limits,
    /// Whether a line of the current block might break a limit (so each line is checked).
    checked: bool,
}

impl Sink for HeaderSink<'_> {
    type Out = Scan;

    #[inline(always)]
    fn block(&mut self, block_end: usize, line_start: usize) {
        // Every line of the block ends before `block_end` and starts at or after `line_start`;
        // the message it belongs to starts at `base`, or at or after `line_start` for a new one.
        // At most 64 lines end in a block.
        let l = &self.limits;
        let msg_start = if self.spans.is_empty() {
            line_start
        } else {
            self.base
        };
        self.checked = block_end - line_start > l.max_line_bytes
            || block_end - msg_start > l.max_message_bytes
            || self.spans.len().saturating_add(64) > l.max_headers;
    }

    #[inline(always)]
    fn line(&mut self, line: Line) -> ControlFlow<Scan> {
        let buf = self.buf;
        let end = content_end(buf, line.start, line.end);
        if end == line.start {
            if self.spans.is_empty() {
                return ControlFlow::Continue(()); // stray empty line between messages
            }
            return ControlFlow::Break(Scan::Message(line));
        }
        let first = self.spans.is_empty();
        if first {
            self.base = line.start;
        }
        if self.checked
            && (end - line.start > self.limits.max_line_bytes
                || line.end - self.base >= self.limits.max_message_bytes
                || self.spans.len() >= self.limits.max_headers)
        {
            return ControlFlow::Break(Scan::Limit(line, end));
        }
        let span = header_span(buf, line.start, line.colon, end, self.base);
        self.spans.push(span);
        if first && is_follows(buf.get(self.base..).unwrap_or_default(), span) {
            return ControlFlow::Break(Scan::Legacy);
        }
        ControlFlow::Continue(())
    }
}

/// What stopped [`Framer::scan_headers`].
enum Scan {
    /// The empty line ending a message.
    Message(Line),
    /// Every buffered byte is scanned.
    NeedMore,
    /// This line (content ends at the `usize`) breaks a limit.
    Limit(Line, usize),
    /// The message is a legacy `Response: Follows` reply (its first header is pushed).
    Legacy,
}

/// Name and value ranges of a span.
#[inline]
fn span_ranges(span: Span) -> (std::ops::Range<u32>, std::ops::Range<u32>) {
    let (ns, ne, vs, ve) = span.parts();
    (ns..ne, vs..ve)
}

/// The limit broken at the earliest byte; on a tie the line length wins, then the message size.
fn earliest(
    large: Option<usize>,
    long: Option<usize>,
    many: Option<usize>,
    l: &Limits,
) -> Option<FrameError> {
    [
        long.map(|p| {
            (
                p,
                0,
                FrameError::LineTooLong {
                    limit: l.max_line_bytes,
                },
            )
        }),
        large.map(|p| {
            (
                p,
                1,
                FrameError::MessageTooLarge {
                    limit: l.max_message_bytes,
                },
            )
        }),
        many.map(|p| {
            (
                p,
                2,
                FrameError::TooManyHeaders {
                    limit: l.max_headers,
                },
            )
        }),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(p, rank, _)| (*p, *rank))
    .map(|(_, _, e)| e)
}

/// Whether a first line without any colon looks like `<text>/<version>`.
fn looks_like_greeting(line: &[u8]) -> bool {
    match memchr::memrchr(b'/', line) {
        Some(i) => i > 0 && i + 1 < line.len(),
        None => false,
    }
}
