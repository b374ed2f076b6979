//! One client connection of the mock PBX: framing, authentication, replies, events, faults.

use std::collections::VecDeque;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ami_types::{Frame, FrameError, Framer, Limits, Message};
use bytes::Bytes;
use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::server::{command_key, Cmd, Registration, Shared};
use super::spec::{self, Canned};
use super::wire::{self, header};
use super::{Fault, Script, MOCK_ASTERISK_VERSION};

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

/// Asterisk's `ast_true`.
fn ast_true(v: &str) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|t| is(v.trim(), t))
}

/// Asterisk's `ast_false`.
fn ast_false(v: &str) -> bool {
    ["no", "false", "n", "f", "0", "off"]
        .iter()
        .any(|t| is(v.trim(), t))
}

/// An event mask (`Events:` / `EventMask:`) as on/off; `None` when empty (invalid).
fn parse_mask(v: &str) -> Option<bool> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.bytes().any(|b| b != b'0'));
    }
    if ast_false(v) {
        return Some(false);
    }
    Some(true) // ast_true, or a class list
}

/// `"Name" <number>` into (number, name), `<unknown>` for what is missing.
fn split_caller_id(cid: Option<&str>) -> (String, String) {
    const UNKNOWN: &str = "<unknown>";
    let cid = cid.map(str::trim).unwrap_or("");
    let (name, num) = match (cid.rfind('<'), cid.rfind('>')) {
        (Some(l), Some(r)) if l < r => (cid[..l].trim(), cid[l + 1..r].trim()),
        _ if !cid.is_empty() && cid.bytes().all(|b| b.is_ascii_digit() || b == b'+') => ("", cid),
        _ => (cid, ""),
    };
    let name = name.trim_matches('"').trim();
    let or_unknown = |s: &str| {
        if s.is_empty() {
            UNKNOWN.to_owned()
        } else {
            s.to_owned()
        }
    };
    (or_unknown(num), or_unknown(name))
}

/// Lowercase hex MD5 of `challenge` then `secret`.
fn md5_key(challenge: &str, secret: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(challenge.as_bytes());
    md5.update(secret.as_bytes());
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// `(YYYY-MM-DD, HH:MM:SS)` in UTC for a Unix time.
fn date_time(secs: u64) -> (String, String) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Output of the built-in CLI commands, by [`command_key`].
fn builtin_command(key: &str, shared: &Shared) -> Option<Vec<String>> {
    let uptime = shared.started.elapsed().as_secs();
    let lines = match key {
        "core show version" => vec![format!("Asterisk {MOCK_ASTERISK_VERSION}")],
        "core show uptime" => vec![
            format!("System uptime: {uptime} seconds"),
            format!("Last reload: {uptime} seconds"),
        ],
        "core show uptime seconds" => vec![
            format!("System uptime: {uptime}"),
            format!("Last reload: {uptime}"),
        ],
        "core show channels" => vec![
            format!(
                "{:<64} {:<32} {:<7} {:<30}",
                "Channel", "Location", "State", "Application(Data)"
            ),
            "0 active channels".into(),
            "0 active calls".into(),
            "0 calls processed".into(),
        ],
        _ => return None,
    };
    Some(lines)
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

    // --- actions ---------------------------------------------------------------------------

    /// Writes the reply to one action (and updates the session) into `out`.
    async fn respond(&mut self, msg: &Message, action: Option<&str>, id: Option<&str>) {
        let Some(action) = action else {
            return self.error(id, "Missing action in request");
        };
        let pre_auth = is(action, "Login") || is(action, "Challenge") || is(action, "Logoff");
        if !self.authed && !pre_auth {
            return self.error(id, "Permission denied");
        }
        if let Some(script) = self.shared.script_for(action) {
            return self.scripted(&script, msg, action, id);
        }
        if is(action, "Ping") {
            if self.ignore_pings {
                return;
            }
            let now = unix_now();
            self.response("Success", id);
            self.h("Ping", "Pong");
            let _ = write!(
                self.out,
                "Timestamp: {}.{:06}\r\n",
                now.as_secs(),
                now.subsec_micros()
            );
            return self.end();
        }
        if is(action, "Login") {
            return self.login(msg, id).await;
        }
        if is(action, "Challenge") {
            return self.challenge(msg, id);
        }
        if is(action, "Logoff") {
            self.response("Goodbye", id);
            self.h("Message", "Thanks for all the fish.");
            self.end();
            self.closing = true;
            return;
        }
        if is(action, "Events") {
            return self.events(msg, id);
        }
        if is(action, "Filter") {
            return self.filter(msg, id);
        }
        if is(action, "Originate") {
            return self.originate(msg, id);
        }
        if is(action, "Command") {
            return self.cli(msg, id);
        }
        if is(action, "CoreSettings") {
            return self.core_settings(id);
        }
        if is(action, "CoreStatus") {
            return self.core_status(id);
        }
        if is(action, "Getvar") {
            return self.getvar(msg, id);
        }
        if is(action, "ListCommands") {
            self.response("Success", id);
            for info in ami_types::generated::ACTIONS {
                header(&mut self.out, info.name, info.synopsis);
            }
            return self.end();
        }
        self.spec_reply(action, id);
    }

    fn scripted(&mut self, script: &Script, msg: &Message, action: &str, id: Option<&str>) {
        match script {
            Script::Reply(msgs) => {
                for m in msgs {
                    wire::headers_with_id(&mut self.out, m, id, &[]);
                    self.end();
                }
                // A replayed list (ack with `EventList: start`) counts as one for faults.
                self.is_list =
                    msgs.len() >= 2 && msgs[0].get("EventList").is_some_and(|v| is(v, "start"));
                let success = msgs
                    .first()
                    .and_then(Message::response)
                    .is_some_and(|r| is(r, "Success"));
                if is(action, "Login") && success && !self.authed {
                    self.authenticate(msg);
                }
            }
            Script::List { items, complete } => {
                let ack = match spec::lookup(action).map(|e| &e.canned) {
                    Some(Canned::List { ack_message, .. }) => ack_message.as_str(),
                    _ => "Events will follow",
                };
                self.list(id, ack, items, complete);
            }
            Script::NoReply => {}
            Script::Close => self.closing = true,
        }
    }

    /// Marks the session logged in, with the event mask from Login's `Events:` header.
    fn authenticate(&mut self, msg: &Message) {
        self.authed = true;
        self.events_on = msg.get("Events").and_then(parse_mask).unwrap_or(true);
        self.update_flags();
    }

    async fn login(&mut self, msg: &Message, id: Option<&str>) {
        if self.authed {
            return self.ack(id, "Already authenticated");
        }
        let username = msg.get("Username").unwrap_or("");
        let ok = self
            .shared
            .user(username)
            .is_some_and(|user| match msg.get("AuthType") {
                Some(t) if is(t, "MD5") => match (&self.challenge, msg.get("Key")) {
                    (Some(challenge), Some(key)) => md5_key(challenge, &user.secret) == key,
                    _ => false,
                },
                Some(t) if !t.is_empty() && !is(t, "plain") => false,
                _ => msg.get("Secret").unwrap_or("") == user.secret,
            });
        if !ok {
            tokio::time::sleep(self.shared.config.auth_fail_delay).await;
            self.error(id, "Authentication failed");
            self.closing = true;
            return;
        }
        self.authenticate(msg);
        self.ack(id, "Authentication accepted");
        if self.shared.config.fully_booted && self.events_on {
            let uptime = self.shared.started.elapsed().as_secs().to_string();
            self.h("Event", "FullyBooted");
            self.h("Privilege", "system,all");
            self.h("Uptime", &uptime);
            self.h("LastReload", &uptime);
            self.h("Status", "Fully Booted");
            self.end();
        }
    }

    fn challenge(&mut self, msg: &Message, id: Option<&str>) {
        if !msg.get("AuthType").is_some_and(|t| is(t, "MD5")) {
            return self.error(id, "Must specify AuthType");
        }
        // Like Asterisk, one challenge per session.
        let challenge = self
            .challenge
            .get_or_insert_with(|| fastrand::u32(1..=i32::MAX as u32).to_string())
            .clone();
        self.response("Success", id);
        self.h("Challenge", &challenge);
        self.end();
    }

    fn events(&mut self, msg: &Message, id: Option<&str>) {
        let Some(on) = msg.get("EventMask").and_then(parse_mask) else {
            return self.error(id, "Invalid event mask");
        };
        self.events_on = on;
        self.update_flags();
        self.response("Success", id);
        self.h("Events", if on { "On" } else { "Off" });
        self.end();
    }

    fn filter(&mut self, msg: &Message, id: Option<&str>) {
        if !msg
            .get("Operation")
            .is_none_or(|op| op.is_empty() || is(op, "Add"))
        {
            return self.error(id, "Unknown operation");
        }
        self.filters
            .push(msg.get("Filter").unwrap_or("").to_owned());
        self.ack(id, "Filter Added Successfully");
    }

    fn originate(&mut self, msg: &Message, id: Option<&str>) {
        let Some(channel) = msg.get("Channel").filter(|c| !c.is_empty()) else {
            return self.error(id, "Channel not specified");
        };
        self.ack(id, "Originate successfully queued");
        if !msg.get("Async").is_some_and(ast_true) {
            return;
        }
        let (num, name) = split_caller_id(msg.get("CallerID"));
        let mut ev = Vec::with_capacity(256);
        header(&mut ev, "Event", "OriginateResponse");
        header(&mut ev, "Privilege", "call,all");
        if let Some(id) = id {
            header(&mut ev, "ActionID", id);
        }
        header(&mut ev, "Response", "Success");
        header(&mut ev, "Channel", channel);
        match msg.get("Application") {
            Some(app) if !app.is_empty() => {
                header(&mut ev, "Application", app);
                header(&mut ev, "Data", msg.get("Data").unwrap_or(""));
            }
            _ => {
                header(&mut ev, "Context", msg.get("Context").unwrap_or(""));
                header(&mut ev, "Exten", msg.get("Exten").unwrap_or(""));
            }
        }
        header(&mut ev, "Reason", "4");
        header(&mut ev, "Uniqueid", &self.shared.uniqueid());
        header(&mut ev, "CallerIDNum", &num);
        header(&mut ev, "CallerIDName", &name);
        ev.extend_from_slice(b"\r\n");
        self.later(self.shared.config.originate_delay, ev.into());
    }

    fn cli(&mut self, msg: &Message, id: Option<&str>) {
        let command = msg.get("Command").unwrap_or("").trim();
        if command.is_empty() {
            return self.error(id, "No command provided");
        }
        let key = command_key(command);
        let output: Option<Vec<String>> = match self.shared.command_output(&key) {
            Some(lines) => Some(lines.to_vec()),
            None => builtin_command(&key, &self.shared),
        };
        match output {
            Some(lines) => {
                self.response("Success", id);
                self.h("Message", "Command output follows");
                for line in &lines {
                    header(&mut self.out, "Output", line);
                }
            }
            None => {
                self.response("Error", id);
                self.h("Message", "Command output follows");
                let line = format!(
                    "No such command '{command}' (type 'core show help {command}' for other possible commands)"
                );
                self.h("Output", &line);
            }
        }
        self.end();
    }

    fn core_settings(&mut self, id: Option<&str>) {
        let version = self.shared.config.version.clone();
        self.response("Success", id);
        self.h("AMIversion", &version);
        self.h("AsteriskVersion", MOCK_ASTERISK_VERSION);
        self.h("SystemName", "");
        self.h("CoreMaxCalls", "0");
        self.h("CoreMaxLoadAvg", "0.000000");
        self.h("CoreRunUser", "");
        self.h("CoreRunGroup", "");
        self.h("CoreMaxFilehandles", "0");
        self.h("CoreRealTimeEnabled", "No");
        self.h("CoreCDRenabled", "No");
        self.h("CoreHTTPenabled", "No");
        self.h("SoundsSearchCustomDir", "No");
        self.end();
    }

    fn core_status(&mut self, id: Option<&str>) {
        let (date, time) = date_time(self.shared.started_unix);
        self.response("Success", id);
        self.h("CoreStartupDate", &date);
        self.h("CoreStartupTime", &time);
        self.h("CoreReloadDate", &date);
        self.h("CoreReloadTime", &time);
        self.h("CoreCurrentCalls", "0");
        self.h("CoreProcessedCalls", "0");
        self.end();
    }

    fn getvar(&mut self, msg: &Message, id: Option<&str>) {
        let Some(variable) = msg.get("Variable").filter(|v| !v.is_empty()) else {
            return self.error(id, "No variable specified");
        };
        self.response("Success", id);
        self.h("Variable", variable);
        self.h("Value", "");
        self.end();
    }

    /// Replies from the spec tables, or the unknown-command error.
    fn spec_reply(&mut self, action: &str, id: Option<&str>) {
        let Some(entry) = spec::lookup(action) else {
            let message = format!(
                "Invalid/unknown command: {action}. Use Action: ListCommands to show available commands."
            );
            return self.error(id, &message);
        };
        match &entry.canned {
            Canned::List {
                ack_message,
                items,
                complete,
            } => self.list(id, ack_message, items, complete),
            Canned::Single { response, events } => {
                wire::headers_with_id(&mut self.out, response, id, &[]);
                self.end();
                for event in events {
                    let mut ev = Vec::with_capacity(event.as_bytes().len() + 64);
                    wire::headers_replacing_id(&mut ev, event, id);
                    ev.extend_from_slice(b"\r\n");
                    self.later(Duration::ZERO, ev.into());
                }
            }
            Canned::Accepted => {
                let message = format!("{} accepted by the mock", entry.info.name);
                self.ack(id, &message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        for on in ["on", "YES", "true", "1", "call,agent", "system", "65535"] {
            assert_eq!(parse_mask(on), Some(true), "{on}");
        }
        for off in ["off", "No", "false", "0", "000"] {
            assert_eq!(parse_mask(off), Some(false), "{off}");
        }
        assert_eq!(parse_mask(" "), None);
    }

    #[test]
    fn caller_ids() {
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            split_caller_id(Some("\"Capture Test\" <5551234>")),
            s("5551234", "Capture Test")
        );
        assert_eq!(split_caller_id(Some("5551234")), s("5551234", "<unknown>"));
        assert_eq!(split_caller_id(Some("Bob")), s("<unknown>", "Bob"));
        assert_eq!(split_caller_id(None), s("<unknown>", "<unknown>"));
        assert_eq!(split_caller_id(Some("<>")), s("<unknown>", "<unknown>"));
    }

    #[test]
    fn dates() {
        assert_eq!(date_time(0), ("1970-01-01".into(), "00:00:00".into()));
        assert_eq!(
            date_time(1_795_661_517),
            ("2026-11-26".into(), "02:51:57".into())
        );
        assert_eq!(
            date_time(951_782_400),
            ("2000-02-29".into(), "00:00:00".into())
        );
    }

    #[test]
    fn md5_matches_capture() {
        // challenge_md5_login capture: Challenge 167315776, secret amp111.
        assert_eq!(
            md5_key("167315776", "amp111"),
            "8f0501aff02616adeadcb89b81fff499"
        );
    }

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
