//! An embedded mock PBX: a real AMI server on loopback, for tests.
//!
//! Why it exists: an AMI client (ours, or an application built on it) can only be tested
//! honestly against something that speaks the protocol over a real socket — framing split
//! across reads, login round trips, event lists, connections that drop mid-message. Running a
//! real Asterisk in every test is slow and cannot be made to misbehave on cue. [`MockPbx`] is a
//! tokio TCP (or TLS) server that behaves like Asterisk 20's manager for the parts a client sees,
//! answers every action of the spec, and lets a test inject events, override replies and inject
//! faults.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ami_client::mock::{Fault, MockPbx, Script};
//! use ami_client::types::Message;
//!
//! let pbx = MockPbx::start().await?; // 127.0.0.1, a free port, user admin / amp111
//! println!("AMI on {}", pbx.addr());
//! pbx.emit(Message::from_headers([("Event", "PeerStatus"), ("Privilege", "system,all")]));
//! pbx.script("Hangup", Script::Reply(vec![Message::from_headers([
//!     ("Response", "Error"),
//!     ("Message", "No such channel"),
//! ])]));
//! pbx.fault(Fault::CloseMidList { after_items: 1 }); // the next list reply breaks off
//! # Ok(()) }
//! ```
//!
//! # What it does by default
//!
//! Each connection gets the greeting `Asterisk Call Manager/<version>`, then messages are framed
//! with [`ami_types::Framer`] (limits close to Asterisk's: 128 headers, 1 KiB lines) and
//! answered in order, with the request's `ActionID` echoed the way Asterisk does it (right
//! after `Response:`, only when non-empty). Action and header names are matched
//! case-insensitively; the action name is the first non-empty `Action` header.
//!
//! * Before authentication only `Login`, `Challenge` and `Logoff` are processed; anything else
//!   gets `Response: Error` / `Message: Permission denied`.
//! * `Challenge` (`AuthType: MD5`) answers `Challenge: <random decimal>` (the same one until the
//!   session ends, as Asterisk does); another `AuthType` gets `Must specify AuthType`.
//! * `Login` accepts a plain `Secret`, or `AuthType: MD5` with `Key` = lowercase hex
//!   `md5(challenge + secret)`. Success answers `Message: Authentication accepted`, then — if
//!   [`MockConfig::fully_booted`] and the session's events are on — `Event: FullyBooted`.
//!   Failure waits [`MockConfig::auth_fail_delay`], answers `Message: Authentication failed`
//!   and closes the connection. `Login`'s `Events:` header sets the initial event mask (default
//!   on). A second `Login` answers `Already authenticated`.
//! * `Logoff` answers `Response: Goodbye` / `Message: Thanks for all the fish.` and closes.
//! * `Ping` answers `Ping: Pong` and `Timestamp: <secs>.<micros>`.
//! * `Events` (`EventMask`) switches the session's events: `on`/`yes`/`true`/… and any class
//!   list (`call,agent`) or non-zero number mean on, `off`/`no`/`false`/`0` off; the reply is
//!   `Events: On|Off` (an empty mask gets `Invalid event mask`). Event classes are not
//!   distinguished.
//! * `Filter` (`Operation: Add`, the default) adds a filter to the session and answers
//!   `Message: Filter Added Successfully`. Filters are applied to emitted events like Asterisk's
//!   regex filters but with **literal substring matching** (no regex): `Event: Newchannel`
//!   matches events whose wire text contains that text; a leading `!` excludes. With any
//!   include filter an event must match one of them; an event matching an exclude filter is
//!   dropped. `MatchCriteria` is ignored.
//! * `Originate` answers `Message: Originate successfully queued`. With `Async` true (any true
//!   spelling) an `Event: OriginateResponse` follows after [`MockConfig::originate_delay`], with
//!   the request's `ActionID` first, `Response: Success`, `Reason: 4`, the request's `Channel`
//!   and `Context`/`Exten` (or `Application`/`Data`), a fresh `Uniqueid` and the caller ID from
//!   `CallerID` (`<unknown>` when absent). Unlike Asterisk, which broadcasts it, it is sent only
//!   to the originating session — and, like Asterisk, only if that session's events are on and
//!   its filters let it through. A missing `Channel` gets `Channel not specified`.
//! * `Command` answers `Message: Command output follows` and one `Output:` header per line for
//!   a few commands (`core show version` → `Asterisk 20.0.0-mock`, `core show uptime`,
//!   `core show channels`) and for those set with [`MockPbx::script_command`]; any other gets
//!   `Response: Error` with Asterisk's `No such command '…'` output, and no command at all gets
//!   `No command provided`.
//! * `CoreSettings`, `CoreStatus`, `Getvar` and `ListCommands` answer with plausible fields.
//! * Other actions of the spec ([`ami_types::generated::ACTIONS`]): a list action (one with a
//!   completion event) replays the list of its first spec example that has one — ack with
//!   `EventList: start`, the item events, the completion event with `EventList: Complete` and
//!   the right `ListItems`, all carrying the request's `ActionID` — or, without such an
//!   example, answers an empty list (`ListItems: 0`). The request's own parameters are not
//!   looked at. Any other action replays its first spec example whose reply is
//!   `Response: Success` (its follow-up events, if the example has some, are then sent as
//!   events), else answers `Response: Success` / `Message: <Action> accepted by the mock`.
//! * Unknown actions get `Invalid/unknown command: <X>. Use Action: ListCommands to show
//!   available commands.`; a message without `Action` gets `Missing action in request`; a
//!   message that breaks the framing limits gets `Failed to parse message: line too long` or
//!   `Too many lines in message or allocation failure`.
//!
//! # Events, scripts and faults
//!
//! [`MockPbx::emit`] sends an event to every logged-in session whose events are on (and whose
//! filters let it through). [`MockPbx::script`] replaces the reply to an action, for every
//! session, until [`MockPbx::clear_script`]. [`MockPbx::fault`] queues a one-shot [`Fault`].
//! [`MockPbx::received`] lists the actions received, to assert what a client sent.
//!
//! # Resources
//!
//! Each session is one tokio task. Input is bounded by the framer limits; output is written as
//! it is produced (replies to one read are batched into one write). Events wait in an unbounded
//! per-session queue while the client does not read, unless [`MockConfig::write_timeout`] is
//! set, which drops such a client as Asterisk's `writetimeout` does. [`MockPbx::shutdown`], or
//! dropping the [`MockPbx`], aborts every task and closes every connection.

mod server;
mod session;
mod spec;
mod wire;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ami_types::Message;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use self::server::Shared;

/// Asterisk version reported by `Command: core show version` and `CoreSettings`.
pub const MOCK_ASTERISK_VERSION: &str = "20.0.0-mock";

/// A manager account of the mock PBX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockUser {
    /// `Username:` to log in with.
    pub username: String,
    /// The secret, for a plain `Secret:` or the MD5 `Key:`.
    pub secret: String,
}

impl MockUser {
    /// A user with this name and secret.
    pub fn new(username: impl Into<String>, secret: impl Into<String>) -> Self {
        MockUser {
            username: username.into(),
            secret: secret.into(),
        }
    }
}

/// Settings of a [`MockPbx`]; [`MockConfig::default`] is what [`MockPbx::start`] uses.
///
/// Build one with struct update syntax:
/// `MockConfig { fully_booted: false, ..MockConfig::default() }`.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// The accounts that may log in (default: `admin` / `amp111`).
    pub users: Vec<MockUser>,
    /// AMI version in the greeting and `CoreSettings` (default `"9.0.0"`, Asterisk 20's).
    pub version: String,
    /// Send `Event: FullyBooted` right after a successful login when the session's events are
    /// on, as Asterisk does once booted (default `true`).
    pub fully_booted: bool,
    /// Wait before answering a failed login (Asterisk waits 1 s; default 50 ms).
    pub auth_fail_delay: Duration,
    /// Delay between the reply to an async `Originate` and its `OriginateResponse` event
    /// (default 10 ms; zero sends the event in the same write as the reply).
    pub originate_delay: Duration,
    /// Drop a session whose write does not complete in this time, as Asterisk's
    /// `writetimeout` (100 ms by default there) does with a client that stops reading.
    /// Default `None`: wait forever, queueing events.
    pub write_timeout: Option<Duration>,
    /// Most action messages kept for [`MockPbx::received`]; the oldest are dropped beyond it
    /// (default 100 000; 0 records nothing, for benchmarks).
    pub received_limit: usize,
    /// Accept TLS with this rustls configuration instead of plain TCP (default `None`).
    #[cfg(feature = "tls")]
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            users: vec![MockUser::new("admin", "amp111")],
            version: "9.0.0".into(),
            fully_booted: true,
            auth_fail_delay: Duration::from_millis(50),
            originate_delay: Duration::from_millis(10),
            write_timeout: None,
            received_limit: 100_000,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

/// A reply that replaces the mock's own for one action name (see [`MockPbx::script`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Script {
    /// Send these messages in order. Each gets the request's `ActionID`: an existing `ActionID`
    /// header is replaced (extra ones dropped), otherwise one is added after the first header;
    /// when the request has no (or an empty) `ActionID`, `ActionID` headers are removed. A
    /// scripted `Login` whose first message is `Response: Success` authenticates the session.
    Reply(Vec<Message>),
    /// Answer as an event list: the ack (`Response: Success`, `EventList: start`,
    /// `Message: … will follow`), the items, then the completion event named by `complete`'s
    /// `Event` header with `EventList: Complete`, `ListItems: <n>` and `complete`'s other
    /// headers. Every message carries the request's `ActionID` as with [`Script::Reply`].
    List {
        /// The item events, sent as given apart from `ActionID`.
        items: Vec<Message>,
        /// The completion event (its `Event` header names it).
        complete: Message,
    },
    /// Never answer this action (the session goes on answering others).
    NoReply,
    /// Close the connection when this action arrives, without answering.
    Close,
}

impl Script {
    /// A [`Script::Reply`] from a reply transcript as recorded or written in the spec: messages
    /// of `Name: value` lines (`\n` or `\r\n`), separated by empty lines — for instance the
    /// bytes Asterisk sent for one action in a capture. A transcript that starts with an
    /// `EventList: start` ack counts as an event list for [`Fault::CloseMidList`].
    pub fn from_transcript(text: &str) -> Script {
        Script::Reply(spec::transcript(text))
    }
}

/// A one-shot misbehaviour, queued with [`MockPbx::fault`] or [`MockPbx::fault_on`].
///
/// Queued faults are taken in order: each action received (on any session, login included,
/// except on a stalled session) takes the first queued fault that fits it — a fault queued
/// with [`MockPbx::fault_on`] fits only that action, [`Fault::CloseMidList`] only a reply that
/// is an event list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Send the first half of the reply's bytes, then close the connection.
    CloseMidMessage,
    /// Waits for a reply that is an event list: send the ack and this many items (all of them
    /// if there are fewer), then close the connection before the completion event.
    CloseMidList {
        /// Items sent before closing.
        after_items: usize,
    },
    /// The session stops answering: this action and every later one get no reply and no event
    /// is sent, but the connection stays open and input is still read (and recorded).
    Stall,
    /// Write these bytes just before the reply.
    Garbage(Vec<u8>),
    /// Write the reply `chunk` bytes at a time, waiting `delay` after each write.
    SlowWrites {
        /// Bytes per write (at least 1).
        chunk: usize,
        /// Pause after each chunk.
        delay: Duration,
    },
    /// From this action on, the session never answers `Ping` (this action too, if it is one),
    /// but answers everything else: a peer that is dead to keepalives.
    IgnorePings,
}

/// The embedded AMI server; see the [module documentation](self) for what it answers.
///
/// Dropping it aborts the listener and every session, closing their connections.
pub struct MockPbx {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
    /// The mock's own thread, when started with [`MockPbx::start_in_background`]; dropping the
    /// sender ends it.
    background: Option<(
        tokio::sync::oneshot::Sender<()>,
        std::thread::JoinHandle<()>,
    )>,
}

impl fmt::Debug for MockPbx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockPbx")
            .field("addr", &self.addr)
            .field("sessions", &self.sessions())
            .finish_non_exhaustive()
    }
}

impl MockPbx {
    /// Starts a mock PBX with [`MockConfig::default`] on `127.0.0.1` and a free port.
    pub async fn start() -> std::io::Result<MockPbx> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self::start_with(MockConfig::default(), addr).await
    }

    /// Starts a mock PBX with `config`, listening on `addr` (port 0 picks a free port; see
    /// [`MockPbx::addr`]). Must be called within a tokio runtime.
    pub async fn start_with(config: MockConfig, addr: SocketAddr) -> std::io::Result<MockPbx> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let accept = tokio::spawn(server::accept_loop(shared.clone(), listener));
        tracing::debug!(%addr, "mock PBX listening");
        Ok(MockPbx {
            shared,
            addr,
            accept: Some(accept),
            background: None,
        })
    }

    /// Starts a mock PBX on a thread of its own, with its own single-threaded tokio runtime.
    ///
    /// Needs no runtime from the caller, so synchronous tests can use it, and the mock's work
    /// stays off the caller's runtime (benchmarks use it so that the client is measured, not
    /// the server competing for the same worker threads). Dropping the handle stops the
    /// sessions and ends the thread.
    pub fn start_in_background(config: MockConfig, addr: SocketAddr) -> std::io::Result<MockPbx> {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ami-mock-pbx".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = started_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let started = MockPbx::start_with(config, addr).await;
                    let _ = started_tx.send(started);
                    // Ends when the handle drops (the sender with it).
                    let _ = stop_rx.await;
                });
            })?;
        let mut pbx = started_rx
            .recv()
            .map_err(|_| std::io::Error::other("the mock PBX thread ended before it started"))??;
        pbx.background = Some((stop_tx, thread));
        Ok(pbx)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// Sends `event` to every logged-in session whose events are on and whose filters let it
    /// through, after whatever that session has already queued.
    ///
    /// The message is written as given (`Name: value` lines and a blank line); nothing is
    /// added, not even `Privilege`.
    pub fn emit(&self, event: Message) {
        self.shared.emit(wire::encode(&event));
    }

    /// Sends several events, like [`MockPbx::emit`] for each in order but with one hand-off
    /// per session (for bursts).
    pub fn emit_many(&self, events: impl IntoIterator<Item = Message>) {
        let batch: Vec<_> = events.into_iter().map(|e| wire::encode(&e)).collect();
        if !batch.is_empty() {
            self.shared.emit_batch(batch);
        }
    }

    /// Sends `event` `count` times, encoded once: a burst for load tests, as cheap for the
    /// caller as handing over `count` reference-counted buffers.
    pub fn emit_burst(&self, event: &Message, count: usize) {
        const BATCH: usize = 1024;
        let encoded = wire::encode(event);
        let mut left = count;
        while left > 0 {
            let n = left.min(BATCH);
            self.shared.emit_batch(vec![encoded.clone(); n]);
            left -= n;
        }
    }

    /// Replaces the reply to `action` (any case) on every session, until
    /// [`MockPbx::clear_script`]. It applies after the permission check: before login only
    /// `Login`, `Challenge` and `Logoff` can be scripted.
    pub fn script(&self, action: &str, script: Script) {
        self.shared.set_script(action, Some(script));
    }

    /// Restores the default reply to `action` (any case).
    pub fn clear_script(&self, action: &str) {
        self.shared.set_script(action, None);
    }

    /// Sets the output of the CLI command `command` for `Action: Command` (matched with
    /// whitespace collapsed, any case): `Response: Success`, `Message: Command output follows`
    /// and one `Output:` header per line. It also overrides a built-in command.
    pub fn script_command<I, S>(&self, command: &str, output: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let lines = output.into_iter().map(Into::into).collect();
        self.shared.set_command(command, lines);
    }

    /// Queues a one-shot fault for the next action received on any session (see [`Fault`]).
    pub fn fault(&self, fault: Fault) {
        self.shared.push_fault(None, fault);
    }

    /// Queues a one-shot fault for the next `action` (any case) received on any session.
    pub fn fault_on(&self, action: &str, fault: Fault) {
        self.shared
            .push_fault(Some(action.to_ascii_lowercase()), fault);
    }

    /// Drops every fault still queued.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Closes every open session now (clients see the connection reset or closed).
    pub fn disconnect_all(&self) {
        for handle in self.shared.take_sessions(false) {
            handle.task.abort();
        }
    }

    /// Number of open sessions (connected, logged in or not).
    pub fn sessions(&self) -> usize {
        self.shared.session_count()
    }

    /// Number of open sessions that are logged in.
    pub fn logged_in(&self) -> usize {
        self.shared.logged_in_count()
    }

    /// Every action message received, in order of arrival, over all sessions (the most recent
    /// [`MockConfig::received_limit`]); secrets included, as sent.
    pub fn received(&self) -> Vec<Message> {
        self.shared.received()
    }

    /// Forgets the messages recorded so far.
    pub fn clear_received(&self) {
        self.shared.clear_received();
    }

    /// Stops the listener and every session, and waits until their tasks are gone.
    pub async fn shutdown(mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        for handle in self.shared.take_sessions(true) {
            handle.task.abort();
            let _ = handle.task.await;
        }
    }
}

impl Drop for MockPbx {
    fn drop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        for handle in self.shared.take_sessions(true) {
            handle.task.abort();
        }
        if let Some((stop, thread)) = self.background.take() {
            drop(stop);
            // The runtime drops the aborted tasks as the thread ends; never join from the
            // mock's own thread.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}
