//! One client connection of the mock PBX: framing, batched writes, event delivery and filters,
//! faults. What it replies to each action is in [`actions`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ami_types::{Frame, FrameError, Framer, Limits, Message};
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::server::{Cmd, Registration, Shared};
use super::wire::{self, header};
use super::Fault;

mod actions;

/// Write what is buffered once it grows past this, even in the middle of a batch.
const FLUSH_AT: usize = 256 * 1024;
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 64 * 1024;
/// A buffer this large is given back after a flush.
const KEEP_CAPACITY: usize = 1 << 20;
/// Time allowed for a TLS handshake.
#[cfg(feature = "tls")]
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Framing limits close to Asterisk's (`AST_MAX_MANHEADERS` = 128, a 1 KiB line buffer).
fn limits() -> Limits {
    Limits {
        max_message_bytes: 128 * 1024,
        max_headers: 128,
        max_line_bytes: 1024,
    }
}

/// What a session task starts with.
pub(super) struct Start {
    pub(super) registration: Registration,
    pub(super) peer: std::net::SocketAddr,
    pub(super) rx: mpsc::UnboundedReceiver<Cmd>,
    pub(super) wants_events: Arc<AtomicBool>,
    pub(super) logged_in: Arc<AtomicBool>,
}

/// What woke a session up.
enum Woken {
    Read(std::io::Result<usize>),
    Command(Option<Cmd>),
    Due,
}

/// The session task: TLS handshake if configured, then the AMI conversation.
pub(super) async fn run(start: Start, tcp: TcpStream) {
    #[cfg(feature = "tls")]
    if let Some(config) = start.registration.shared.config.tls.clone() {
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
            Ok(Ok(stream)) => serve(start, stream).await,
            Ok(Err(e)) => {
                tracing::debug!(peer = %start.peer, error = %e, "mock TLS handshake failed")
            }
            Err(_) => tracing::debug!(peer = %start.peer, "mock TLS handshake timed out"),
        }
        return;
    }
    serve(start, tcp).await;
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(start: Start, mut io: S) {
    let Start {
        registration,
        peer,
        mut rx,
        wants_events,
        logged_in,
    } = start;
    let id = registration.id;
    tracing::debug!(session = id, %peer, "mock session open");
    let mut session = Session::new(registration.shared.clone(), wants_events, logged_in);
    match session.serve(&mut io, &mut rx).await {
        Ok(()) => tracing::debug!(session = id, "mock session closed"),
        Err(e) => tracing::debug!(session = id, error = %e, "mock session ended"),
    }
    drop(registration);
}

/// Whether `a` names action `b`.
#[inline]
fn is(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

struct Session {
    shared: Arc<Shared>,
    framer: Framer,
    /// Bytes waiting to be written.
    out: Vec<u8>,
    /// End offsets in `out` of the messages of the reply being built.
    marks: Vec<usize>,
    /// The reply being built is an event list.
    is_list: bool,
    authed: bool,
    events_on: bool,
    challenge: Option<String>,
    /// Event filters as given (`!` excludes).
    filters: Vec<String>,
    stalled: bool,
    ignore_pings: bool,
    closing: bool,
    /// Events to deliver at a given time (constant delays, so in time order).
    pending: VecDeque<(Instant, Bytes)>,
    wants_events: Arc<AtomicBool>,
    logged_in: Arc<AtomicBool>,
}

impl Session {
    fn new(shared: Arc<Shared>, wants_events: Arc<AtomicBool>, logged_in: Arc<AtomicBool>) -> Self {
        Session {
            shared,
            framer: Framer::without_greeting().with_limits(limits()),
            out: Vec::with_capacity(4096),
            marks: Vec::new(),
            is_list: false,
            authed: false,
            events_on: true,
            challenge: None,
            filters: Vec::new(),
            stalled: false,
            ignore_pings: false,
            closing: false,
            pending: VecDeque::new(),
            wants_events,
            logged_in,
        }
    }

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
        rx: &mut mpsc::UnboundedReceiver<Cmd>,
    ) -> std::io::Result<()> {
        let greeting = format!("Asterisk Call Manager/{}\r\n", self.shared.config.version);
        self.out.extend_from_slice(greeting.as_bytes());
        loop {
            self.flush(io).await?;
            if self.closing {
                let _ = io.shutdown().await;
                return Ok(());
            }
            let due = self.pending.front().map(|(at, _)| *at);
            let woken = {
                // Reads go straight into the framer's buffer.
                let mut room = self.framer.read_buf(READ_CHUNK);
                tokio::select! {
                    read = io.read_buf(&mut room) => Woken::Read(read),
                    cmd = rx.recv() => Woken::Command(cmd),
                    () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                        Woken::Due
                    }
                }
            };
            match woken {
                Woken::Read(read) => {
                    if read? == 0 {
                        return Ok(()); // the client closed
                    }
                    self.process(io).await?;
                }
                // `None`: unregistered by `disconnect_all`/shutdown (the task is being aborted).
                Woken::Command(None) => return Ok(()),
                Woken::Command(Some(cmd)) => {
                    self.command(cmd);
                    while self.out.len() < FLUSH_AT {
                        match rx.try_recv() {
                            Ok(cmd) => self.command(cmd),
                            Err(_) => break,
                        }
                    }
                }
                Woken::Due => self.release_due(),
            }
        }
    }

    fn command(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Event(event) => self.deliver(&event),
            Cmd::Events(batch) => {
                for event in batch.iter() {
                    self.deliver(event);
                }
            }
        }
    }

    async fn flush<S: AsyncWrite + Unpin>(&mut self, io: &mut S) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let write = async {
            io.write_all(&self.out).await?;
            io.flush().await
        };
        match self.shared.config.write_timeout {
            Some(limit) => tokio::time::timeout(limit, write).await.map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "write timeout: client not reading",
                )
            })??,
            None => write.await?,
        }
        self.out.clear();
        if self.out.capacity() > KEEP_CAPACITY {
            self.out = Vec::with_capacity(4096);
        }
        Ok(())
    }

    /// Handles every complete message buffered in the framer.
    async fn process<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
    ) -> std::io::Result<()> {
        while !self.closing {
            let Some(frame) = self.framer.next_frame() else {
                break;
            };
            match frame {
                Ok(Frame::Message(msg)) => self.on_message(io, msg).await?,
                Ok(Frame::Greeting(_)) => {}
                Err(e) => self.on_frame_error(&e),
            }
            if self.out.len() >= FLUSH_AT {
                self.flush(io).await?;
            }
        }
        Ok(())
    }

    fn on_frame_error(&mut self, e: &FrameError) {
        if self.stalled {
            return;
        }
        let message = match e {
            FrameError::LineTooLong { .. } => "Failed to parse message: line too long",
            _ => "Too many lines in message or allocation failure",
        };
        self.error(None, message);
    }

    async fn on_message<S: AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
        msg: Message,
    ) -> std::io::Result<()> {
        self.shared.record(&msg);
        if self.stalled {
            return Ok(());
        }
        // Asterisk takes the first non-empty `Action` header and echoes a non-empty `ActionID`.
        let action = msg.get_all("Action").find(|a| !a.is_empty());
        let id = msg.get("ActionID").filter(|id| !id.is_empty());
        let start = self.out.len();
        self.marks.clear();
        self.is_list = false;
        self.respond(&msg, action, id).await;
        let action = action.unwrap_or("");
        let is_ping = is(action, "Ping");
        if let Some(fault) = self.shared.take_fault(action, self.is_list) {
            tracing::debug!(?fault, action, "mock fault");
            self.apply_fault(io, fault, start, is_ping).await?;
        }
        if !self.closing {
            self.release_due();
        }
        Ok(())
    }

    async fn apply_fault<S: AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
        fault: Fault,
        start: usize,
        is_ping: bool,
    ) -> std::io::Result<()> {
        match fault {
            Fault::CloseMidMessage => {
                let len = self.out.len() - start;
                self.out.truncate(start + len / 2);
                self.closing = true;
            }
            Fault::CloseMidList { after_items } => {
                // marks: ack, the items, the completion event.
                let n = self.marks.len();
                if n >= 2 {
                    self.out.truncate(self.marks[after_items.min(n - 2)]);
                }
                self.closing = true;
            }
            Fault::Stall => {
                self.out.truncate(start);
                self.stalled = true;
                self.closing = false;
                self.pending.clear();
                self.update_flags();
            }
            Fault::Garbage(bytes) => {
                self.out.splice(start..start, bytes);
            }
            Fault::SlowWrites { chunk, delay } => {
                let reply = self.out.split_off(start);
                self.flush(io).await?;
                for piece in reply.chunks(chunk.max(1)) {
                    io.write_all(piece).await?;
                    io.flush().await?;
                    tokio::time::sleep(delay).await;
                }
            }
            Fault::IgnorePings => {
                self.ignore_pings = true;
                if is_ping {
                    self.out.truncate(start);
                }
            }
        }
        Ok(())
    }

    /// Delivers the delayed events that are due.
    fn release_due(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let now = Instant::now();
        while self.pending.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, event)) = self.pending.pop_front() {
                self.deliver(&event);
            }
        }
    }

    /// Writes an event if the session wants it: logged in, events on, filters passed.
    fn deliver(&mut self, event: &[u8]) {
        if self.stalled || !self.authed || !self.events_on || !self.passes_filters(event) {
            return;
        }
        self.out.extend_from_slice(event);
    }

    fn passes_filters(&self, event: &[u8]) -> bool {
        if self.filters.is_empty() {
            return true;
        }
        let mut includes = false;
        let mut included = false;
        for filter in &self.filters {
            if let Some(pattern) = filter.strip_prefix('!') {
                if contains(event, pattern.as_bytes()) {
                    return false;
                }
            } else {
                includes = true;
                included = included || contains(event, filter.as_bytes());
            }
        }
        !includes || included
    }

    fn update_flags(&self) {
        self.logged_in.store(self.authed, Ordering::Release);
        let wants = self.authed && self.events_on && !self.stalled;
        self.wants_events.store(wants, Ordering::Release);
    }

    // --- writing helpers -------------------------------------------------------------------

    #[inline]
    fn h(&mut self, name: &str, value: &str) {
        header(&mut self.out, name, value);
    }

    /// `Response: <status>` and the ActionID.
    #[inline]
    fn response(&mut self, status: &str, id: Option<&str>) {
        self.h("Response", status);
        if let Some(id) = id {
            self.h("ActionID", id);
        }
    }

    /// Ends a message with its blank line.
    #[inline]
    fn end(&mut self) {
        self.out.extend_from_slice(b"\r\n");
        self.marks.push(self.out.len());
    }

    fn error(&mut self, id: Option<&str>, message: &str) {
        self.response("Error", id);
        self.h("Message", message);
        self.end();
    }

    fn ack(&mut self, id: Option<&str>, message: &str) {
        self.response("Success", id);
        self.h("Message", message);
        self.end();
    }

    /// An event list: ack, items, completion event with `ListItems`.
    fn list<'m>(
        &mut self,
        id: Option<&str>,
        ack_message: &str,
        items: impl IntoIterator<Item = &'m Message>,
        complete: &Message,
    ) {
        self.response("Success", id);
        self.h("EventList", "start");
        self.h("Message", ack_message);
        self.end();
        let mut n = 0usize;
        for item in items {
            wire::headers_with_id(&mut self.out, item, id, &[]);
            self.end();
            n += 1;
        }
        let count = n.to_string();
        self.h("Event", complete.get("Event").unwrap_or("ListComplete"));
        if let Some(id) = id {
            self.h("ActionID", id);
        }
        self.h("EventList", "Complete");
        self.h("ListItems", &count);
        for (name, value) in complete.iter() {
            if ["Event", "ActionID", "EventList", "ListItems"]
                .iter()
                .any(|s| is(name, s))
            {
                continue;
            }
            // `StatusComplete` repeats the count as `Items`.
            let value = if is(name, "Items") {
                count.as_str()
            } else {
                value
            };
            header(&mut self.out, name, value);
        }
        self.end();
        self.is_list = true;
    }

    /// Queues an event for delivery after `delay`.
    fn later(&mut self, delay: Duration, event: Bytes) {
        self.pending.push_back((Instant::now() + delay, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_include_and_exclude() {
        let mut s = Session::new(
            Arc::new(Shared::new(super::super::MockConfig::default())),
            Arc::default(),
            Arc::default(),
        );
        let ev = b"Event: Newchannel\r\nChannel: SIP/1\r\n\r\n";
        assert!(s.passes_filters(ev));
        s.filters.push("!Channel: SIP/1".into());
        assert!(!s.passes_filters(ev));
        s.filters = vec!["Event: Hangup".into()];
        assert!(!s.passes_filters(ev));
        s.filters.push("Event: Newchannel".into());
        assert!(s.passes_filters(ev));
    }
}
