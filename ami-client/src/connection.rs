//! The connection's tasks: a supervisor that connects, logs in, keeps the peer alive and
//! reconnects; a reader that frames bytes and routes messages; a writer that batches requests.
//!
//! The reader never waits on user code: replies go to oneshot channels, events to bounded
//! per-subscriber queues that signal overflow instead of blocking.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ami_types::{Frame, Framer, Message, MessageKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{watch, Notify};
use tracing::{debug, info, warn, Instrument};

use crate::config::Config;
use crate::events::Hub;
use crate::login::{self, Io};
use crate::pending::{Pending, Routed};
use crate::Error;

/// What the connection is doing, as seen on [`crate::Client::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Connecting or logging in.
    Connecting,
    /// Logged in; the greeting's text.
    Connected {
        /// The server's greeting line, e.g. `Asterisk Call Manager/9.0.0`.
        greeting: String,
    },
    /// The connection was lost; reconnecting after a backoff.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// Closed for good (logoff, every handle dropped, or reconnect disabled).
    Closed,
}

/// State shared by the client handles and the connection tasks.
pub(crate) struct Shared {
    pub config: Config,
    pub pending: Mutex<Pending>,
    pub hub: Arc<Hub>,
    pub outbox: Outbox,
    /// Woken when an action's deadline is earlier than every other (the timer re-arms).
    pub deadline_changed: Notify,
    pub state: watch::Sender<ConnectionState>,
    pub next_id: AtomicU64,
    pub id_prefix: String,
    pub shutdown: watch::Sender<bool>,
}

/// Bytes waiting to be written, shared by the senders and the writer task.
///
/// Senders encode straight into the buffer under its lock; the writer takes all of it at once.
/// Only a sender that finds it empty wakes the writer, so a burst costs one wake-up. On plain
/// TCP a sender that finds the connection idle (nothing in flight, nothing being written)
/// writes its action itself, without waiting for the writer task: one-at-a-time actions then
/// cost no task hand-off (see [`OutState::write_now`]).
#[derive(Default)]
pub(crate) struct Outbox {
    state: Mutex<OutState>,
    ready: Notify,
}

#[derive(Default)]
pub(crate) struct OutState {
    /// Whether a connection is serving (writes are accepted).
    pub open: bool,
    pub bytes: Vec<u8>,
    /// The writer task holds bytes it took and has not finished writing.
    busy: bool,
    /// The TCP write half, for writes made by senders themselves.
    direct: Option<Arc<OwnedWriteHalf>>,
}

impl OutState {
    /// Writes the buffered bytes at once if that cannot reorder anything (the writer task is
    /// not writing) and the socket takes them without waiting; what is left stays queued.
    pub fn write_now(&mut self) {
        if self.busy || self.bytes.is_empty() {
            return;
        }
        // Would block, or failed: the writer task retries and reports errors.
        if let Some(Ok(n)) = self.direct.as_ref().map(|tcp| tcp.try_write(&self.bytes)) {
            self.bytes.drain(..n);
        }
    }
}

impl Outbox {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, OutState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes the writer (after bytes were added to an empty buffer).
    pub fn wake(&self) {
        self.ready.notify_one();
    }

    fn open(&self, direct: Option<Arc<OwnedWriteHalf>>) {
        let mut state = self.lock();
        state.open = true;
        state.busy = false;
        state.bytes.clear();
        state.direct = direct;
    }

    fn close(&self) {
        let mut state = self.lock();
        state.open = false;
        state.bytes = Vec::new();
        state.direct = None;
        drop(state);
        self.ready.notify_one();
    }
}

/// The writing side of a connection.
enum WriteSide {
    /// Plain TCP, shared with senders that write directly.
    Tcp(Arc<OwnedWriteHalf>),
    Other(WriteHalf<Box<dyn Io>>),
}

impl WriteSide {
    async fn write_all(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        match self {
            WriteSide::Tcp(tcp) => {
                while !bytes.is_empty() {
                    tcp.writable().await?;
                    match tcp.try_write(bytes) {
                        Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            WriteSide::Other(io) => {
                io.write_all(bytes).await?;
                io.flush().await
            }
        }
    }

    async fn shutdown(&mut self) {
        if let WriteSide::Other(io) = self {
            let _ = io.shutdown().await;
        }
    }
}

impl Shared {
    pub fn new(config: Config) -> Arc<Shared> {
        static CLIENTS: AtomicU64 = AtomicU64::new(0);
        let n = CLIENTS.fetch_add(1, Ordering::Relaxed);
        let id_prefix = format!("{:x}-{n}-", fastrand::u32(..));
        Arc::new(Shared {
            pending: Mutex::new(Pending::new(
                id_prefix.clone(),
                config.max_pending,
                config.max_list_items,
            )),
            hub: Arc::new(Hub::default()),
            outbox: Outbox::default(),
            deadline_changed: Notify::new(),
            state: watch::channel(ConnectionState::Connecting).0,
            next_id: AtomicU64::new(1),
            id_prefix,
            shutdown: watch::channel(false).0,
            config,
        })
    }

    pub fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_shut_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}

/// Connects once (for `Client::connect`), then supervises the connection in the background.
pub(crate) async fn start(shared: Arc<Shared>) -> Result<(), Error> {
    shared.state.send_replace(ConnectionState::Connecting);
    let session = match login::open(&shared.config).await {
        Ok(s) => s,
        Err(e) => {
            shared.state.send_replace(ConnectionState::Closed);
            return Err(e);
        }
    };
    let span = tracing::info_span!("ami", host = %shared.config.host, port = shared.config.port);
    tokio::spawn(supervise(shared, session).instrument(span));
    Ok(())
}

async fn supervise(shared: Arc<Shared>, first: login::Session) {
    let mut shutdown = shared.shutdown.subscribe();
    let mut session = Some(first);
    let mut attempt: u32 = 0;
    loop {
        if shared.is_shut_down() {
            break;
        }
        let current = match session.take() {
            Some(s) => s,
            None => {
                shared.state.send_replace(ConnectionState::Connecting);
                match login::open(&shared.config).await {
                    Ok(s) => s,
                    Err(e) => {
                        warn!(error = %e, "reconnect failed");
                        shared.state.send_replace(ConnectionState::Disconnected {
                            reason: e.to_string(),
                        });
                        if !wait_backoff(&shared, &mut shutdown, attempt).await {
                            break;
                        }
                        attempt = attempt.saturating_add(1);
                        continue;
                    }
                }
            }
        };
        attempt = 0;
        let reason = serve(&shared, current, &mut shutdown).await;
        shared.outbox.close();
        shared.pending().fail_all();
        if shared.is_shut_down() {
            break;
        }
        info!(%reason, "connection lost");
        shared
            .state
            .send_replace(ConnectionState::Disconnected { reason });
        if !shared.config.reconnect.enabled || !wait_backoff(&shared, &mut shutdown, attempt).await
        {
            break;
        }
        attempt = attempt.saturating_add(1);
    }
    shared.outbox.close();
    shared.pending().fail_all();
    shared.state.send_replace(ConnectionState::Closed);
    shared.hub.close();
}

/// Resolves once shutdown is requested (or the sender is gone).
async fn shut_down(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Sleeps the backoff for `attempt`; false when shut down meanwhile.
async fn wait_backoff(shared: &Shared, shutdown: &mut watch::Receiver<bool>, attempt: u32) -> bool {
    let r = shared.config.reconnect;
    if !r.enabled {
        return false;
    }
    let delay = login::backoff(r.initial, r.max, attempt);
    tokio::select! {
        _ = tokio::time::sleep(delay) => !shared.is_shut_down(),
        _ = shut_down(shutdown) => false,
    }
}

/// Runs one logged-in connection until it ends; returns why.
async fn serve(
    shared: &Arc<Shared>,
    session: login::Session,
    shutdown: &mut watch::Receiver<bool>,
) -> String {
    let login::Session {
        io,
        framer,
        greeting,
        early,
    } = session;
    let mut events = Vec::new();
    for msg in early {
        route(shared, msg, &mut events);
    }
    shared.hub.publish(&mut events);
    // The read halves differ in type, so each arm spawns its reader.
    let (mut reader, write_side) = match io {
        login::Stream::Tcp(tcp) => {
            let (read_half, write_half) = tcp.into_split();
            let reader = tokio::spawn(read_loop(Arc::clone(shared), read_half, framer));
            (reader, WriteSide::Tcp(Arc::new(write_half)))
        }
        login::Stream::Other(io) => {
            let (read_half, write_half) = tokio::io::split(io);
            let reader = tokio::spawn(read_loop(Arc::clone(shared), read_half, framer));
            (reader, WriteSide::Other(write_half))
        }
    };
    shared.outbox.open(match &write_side {
        WriteSide::Tcp(tcp) => Some(Arc::clone(tcp)),
        WriteSide::Other(_) => None,
    });
    let mut writer = tokio::spawn(write_loop(Arc::clone(shared), write_side));
    let timer = tokio::spawn(expire_loop(Arc::clone(shared)));
    let client = crate::Client::from_shared(Arc::clone(shared));
    // Server-side filters are in place before anyone sees the connection as up.
    if let Err(e) = client.apply_filters().await {
        warn!(error = %e, "applying event filters failed");
    }
    shared
        .state
        .send_replace(ConnectionState::Connected { greeting });
    debug!("connected");

    let keepalive = shared.config.keepalive;
    let mut ticker = tokio::time::interval(keepalive.unwrap_or(Duration::from_secs(3600)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;

    let reason = loop {
        tokio::select! {
            r = &mut reader => break r.unwrap_or_else(|e| format!("reader stopped: {e}")),
            r = &mut writer => break r.unwrap_or_else(|e| format!("writer stopped: {e}")),
            _ = shut_down(shutdown) => break "closed".to_owned(),
            _ = ticker.tick(), if keepalive.is_some() => {
                if let Err(e) = client.ping_within(shared.config.pong_timeout).await {
                    if !matches!(e, Error::Action { .. }) {
                        break format!("keepalive failed: {e}");
                    }
                }
            }
        }
    };
    reader.abort();
    writer.abort();
    timer.abort();
    reason
}

/// Writes whatever the senders put in the outbox, all of it at once.
async fn write_loop(shared: Arc<Shared>, mut io: WriteSide) -> String {
    /// A write buffer larger than this is not kept for the next batch.
    const KEEP: usize = 1 << 20;
    let mut batch = Vec::new();
    loop {
        let ready = shared.outbox.ready.notified();
        {
            let mut state = shared.outbox.lock();
            if !state.open {
                break;
            }
            std::mem::swap(&mut state.bytes, &mut batch);
            state.busy = !batch.is_empty();
        }
        if batch.is_empty() {
            ready.await;
            continue;
        }
        if let Err(e) = io.write_all(&batch).await {
            return format!("write failed: {e}");
        }
        batch.clear();
        if batch.capacity() > KEEP {
            batch = Vec::new();
        }
    }
    io.shutdown().await;
    "writer closed".to_owned()
}

/// Fails actions whose deadline passed: one timer for the connection, re-armed for the
/// earliest deadline.
async fn expire_loop(shared: Arc<Shared>) {
    loop {
        let changed = shared.deadline_changed.notified();
        let next = shared.pending().next_deadline();
        match next {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at.into()) => {
                        shared.pending().expire(std::time::Instant::now());
                    }
                    () = changed => {}
                }
            }
            None => changed.await,
        }
    }
}

async fn read_loop<R: AsyncRead + Unpin>(
    shared: Arc<Shared>,
    mut io: R,
    mut framer: Framer,
) -> String {
    const READ_AT_LEAST: usize = 64 * 1024;
    /// Replies handed over before the reader lets their callers run (see below).
    const REPLIES_PER_TURN: usize = 32;
    let mut events = Vec::new();
    // On a multi-threaded runtime other workers already run the woken callers meanwhile (and
    // yielding there only moves the reader between workers).
    let turns = tokio::runtime::Handle::current().runtime_flavor()
        == tokio::runtime::RuntimeFlavor::CurrentThread;
    loop {
        let mut replies = 0;
        while let Some(frame) = framer.next_frame() {
            match frame {
                Ok(Frame::Message(msg)) => {
                    if route(&shared, msg, &mut events) == MessageKind::Response {
                        replies += 1;
                    }
                }
                Ok(Frame::Greeting(g)) => debug!(greeting = %g, "unexpected greeting"),
                Err(e) => warn!(error = %e, "framing error; skipped to the next message"),
            }
            if turns && replies == REPLIES_PER_TURN {
                // A read can bring hundreds of replies. On one thread, letting the callers
                // woken so far run now (and their next actions be written) keeps the server
                // busy while the rest is routed, instead of both sides taking turns.
                replies = 0;
                shared.hub.publish(&mut events);
                tokio::task::yield_now().await;
            }
        }
        // Everything one read brought is handed to subscribers at once.
        shared.hub.publish(&mut events);
        if turns && replies > 0 {
            // Callers were woken: on one thread, let them run (and write their next actions)
            // before this task polls the socket again, so that the round trip of an action
            // sent one at a time does not wait for the reader's own bookkeeping.
            RunQueueYield::default().await;
        }
        // Straight into the framer's buffer: no copy.
        match io.read_buf(&mut framer.read_buf(READ_AT_LEAST)).await {
            Ok(0) => return "the server closed the connection".to_owned(),
            Ok(_) => {}
            Err(e) => return format!("read failed: {e}"),
        }
    }
}

/// Returns `Pending` once after asking to be polled again: the task goes to the back of the
/// run queue, behind the callers it woke.
///
/// Unlike [`tokio::task::yield_now`], which on the current-thread runtime defers the task
/// until the driver has been polled (one more system call), this only reorders the queue.
#[derive(Default)]
struct RunQueueYield {
    yielded: bool,
}

impl std::future::Future for RunQueueYield {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.yielded {
            return std::task::Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Hands one received message to the action waiting for it, or adds it to the events to
/// publish.
///
/// Events received before a response are published before the response completes its
/// action, so that a caller sees them on its streams by the time its reply arrives.
///
/// Returns the message's kind, which the reader counts replies by.
fn route(shared: &Shared, msg: Message, events: &mut Vec<Message>) -> MessageKind {
    let kind = msg.kind();
    match kind {
        MessageKind::Response => {
            shared.hub.publish(events);
            if !shared.pending().on_response(msg) {
                debug!("response for no pending action");
            }
        }
        MessageKind::Event => {
            let routed = if msg.action_id().is_some() {
                if let Some(parts) = msg.split_events() {
                    // List items sent without their closing empty line (see
                    // `Message::split_events`) arrive as one message: route each event.
                    debug!(parts = parts.len(), "split glued events");
                    for part in parts {
                        route(shared, part, events);
                    }
                    return kind;
                }
                shared.pending().on_event(&msg)
            } else {
                Routed::Publish
            };
            if routed == Routed::Publish {
                events.push(msg);
            }
        }
        MessageKind::Action | MessageKind::Other => debug!(?msg, "unexpected message"),
    }
    kind
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll};

    use super::{route, RunQueueYield, Shared};
    use crate::pending::{Expect, Waiter};
    use crate::wake_counter::WakeCounter;
    use crate::Config;
    use ami_types::Message;
    use tokio::sync::oneshot;

    #[test]
    fn run_queue_yield_is_pending_once_and_asks_to_be_polled_again() {
        let counter = WakeCounter::new();
        let mut cx = Context::from_waker(&counter.waker);
        let mut step = pin!(RunQueueYield::default());
        assert_eq!(step.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(counter.wakes(), 1, "woken at once, not left parked");
        assert_eq!(step.as_mut().poll(&mut cx), Poll::Ready(()));
        assert_eq!(counter.wakes(), 1);
    }

    #[test]
    fn list_items_glued_into_one_message_are_collected_one_by_one() {
        let shared = Shared::new(Config::new("127.0.0.1", 5038, "admin", "secret"));
        let id = format!("{}1", shared.id_prefix);
        let (tx, mut rx) = oneshot::channel();
        let expect = Expect {
            list_complete: Some("DevicelistComplete"),
            follow_up: None,
        };
        let timeout = std::time::Duration::from_secs(5);
        shared.pending().insert(
            1,
            "SKINNYdevices".into(),
            expect,
            Waiter::Reply(tx),
            timeout,
        );
        let mut events = Vec::new();
        let ack = Message::from_headers([
            ("Response", "Success"),
            ("ActionID", &id),
            ("EventList", "start"),
        ]);
        route(&shared, ack, &mut events);
        // What chan_skinny writes: items without their empty line, then the completion.
        let glued = Message::from_headers([
            ("Event", "DeviceEntry"),
            ("ActionID", &id),
            ("ObjectName", "desk1"),
            ("Event", "DeviceEntry"),
            ("ActionID", &id),
            ("ObjectName", "desk2"),
            ("Event", "DevicelistComplete"),
            ("EventList", "Complete"),
            ("ListItems", "2"),
            ("ActionID", &id),
        ]);
        route(&shared, glued, &mut events);
        let reply = rx.try_recv().expect("list complete").expect("no error");
        let names: Vec<_> = reply
            .events
            .iter()
            .map(|e| (e.event(), e.get("ObjectName")))
            .collect();
        assert_eq!(
            names,
            [
                (Some("DeviceEntry"), Some("desk1")),
                (Some("DeviceEntry"), Some("desk2")),
                (Some("DevicelistComplete"), None)
            ]
        );
        assert!(events.is_empty(), "nothing left to publish: {events:?}");
        assert!(shared.pending().is_empty());
    }
}
