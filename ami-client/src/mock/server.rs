//! State shared by the [`MockPbx`](super::MockPbx) handle and its tasks, and the accept loop.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ami_types::Message;
use bytes::Bytes;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{session, Fault, MockConfig, MockUser, Script};

/// Something handed to a session task from outside.
pub(super) enum Cmd {
    /// An encoded event (ending with its blank line).
    Event(Bytes),
    /// Encoded events, to deliver in order.
    Events(Arc<Vec<Bytes>>),
}

/// The handle's view of one session.
pub(super) struct SessionHandle {
    pub(super) tx: mpsc::UnboundedSender<Cmd>,
    /// Whether [`Shared::emit`] should hand events to it: logged in, events on, not stalled.
    pub(super) wants_events: Arc<AtomicBool>,
    /// Whether it is logged in.
    pub(super) logged_in: Arc<AtomicBool>,
    pub(super) task: JoinHandle<()>,
}

/// A queued fault, with the action name it is reserved for (lower case).
struct QueuedFault {
    action: Option<String>,
    fault: Fault,
}

/// Everything the tasks and the handle share.
pub(super) struct Shared {
    pub(super) config: MockConfig,
    /// When the mock started (for `Uptime`).
    pub(super) started: Instant,
    /// Unix time of the start, in seconds (for `CoreStatus` and `Uniqueid`s).
    pub(super) started_unix: u64,
    /// Set once the mock shuts down: no new session is registered.
    closed: AtomicBool,
    next_session: AtomicU64,
    next_uniqueid: AtomicU64,
    sessions: Mutex<HashMap<u64, SessionHandle>>,
    scripts_active: AtomicBool,
    scripts: Mutex<HashMap<String, Arc<Script>>>,
    commands: Mutex<HashMap<String, Arc<[String]>>>,
    faults_pending: AtomicUsize,
    faults: Mutex<VecDeque<QueuedFault>>,
    received: Mutex<VecDeque<Message>>,
}

/// Locks, ignoring poisoning (no lock is held across code that can panic on peer input).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A CLI command line as used for look-ups: words separated by one space, lower case.
pub(super) fn command_key(command: &str) -> String {
    command
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

impl Shared {
    pub(super) fn new(config: MockConfig) -> Shared {
        let started_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        Shared {
            config,
            started: Instant::now(),
            started_unix,
            closed: AtomicBool::new(false),
            next_session: AtomicU64::new(1),
            next_uniqueid: AtomicU64::new(1),
            sessions: Mutex::new(HashMap::new()),
            scripts_active: AtomicBool::new(false),
            scripts: Mutex::new(HashMap::new()),
            commands: Mutex::new(HashMap::new()),
            faults_pending: AtomicUsize::new(0),
            faults: Mutex::new(VecDeque::new()),
            received: Mutex::new(VecDeque::new()),
        }
    }

    pub(super) fn user(&self, username: &str) -> Option<&MockUser> {
        self.config.users.iter().find(|u| u.username == username)
    }

    /// A fresh `Uniqueid` (`<start secs>.<n>`).
    pub(super) fn uniqueid(&self) -> String {
        let n = self.next_uniqueid.fetch_add(1, Ordering::Relaxed);
        format!("{}.{n}", self.started_unix)
    }

    pub(super) fn emit(&self, event: Bytes) {
        for handle in lock(&self.sessions).values() {
            if handle.wants_events.load(Ordering::Acquire) {
                let _ = handle.tx.send(Cmd::Event(event.clone()));
            }
        }
    }

    pub(super) fn emit_batch(&self, batch: Vec<Bytes>) {
        let batch = Arc::new(batch);
        for handle in lock(&self.sessions).values() {
            if handle.wants_events.load(Ordering::Acquire) {
                let _ = handle.tx.send(Cmd::Events(batch.clone()));
            }
        }
    }

    pub(super) fn set_script(&self, action: &str, script: Option<Script>) {
        let mut scripts = lock(&self.scripts);
        let key = action.to_ascii_lowercase();
        match script {
            Some(s) => {
                scripts.insert(key, Arc::new(s));
            }
            None => {
                scripts.remove(&key);
            }
        }
        self.scripts_active
            .store(!scripts.is_empty(), Ordering::Release);
    }

    pub(super) fn script_for(&self, action: &str) -> Option<Arc<Script>> {
        if !self.scripts_active.load(Ordering::Acquire) {
            return None;
        }
        lock(&self.scripts)
            .get(&action.to_ascii_lowercase())
            .cloned()
    }

    pub(super) fn set_command(&self, command: &str, output: Vec<String>) {
        lock(&self.commands).insert(command_key(command), output.into());
    }

    pub(super) fn command_output(&self, key: &str) -> Option<Arc<[String]>> {
        lock(&self.commands).get(key).cloned()
    }

    pub(super) fn push_fault(&self, action: Option<String>, fault: Fault) {
        let mut faults = lock(&self.faults);
        faults.push_back(QueuedFault { action, fault });
        self.faults_pending.store(faults.len(), Ordering::Release);
    }

    pub(super) fn clear_faults(&self) {
        let mut faults = lock(&self.faults);
        faults.clear();
        self.faults_pending.store(0, Ordering::Release);
    }

    /// Takes the first queued fault that fits a reply to `action` (`is_list`: the reply is an
    /// event list).
    pub(super) fn take_fault(&self, action: &str, is_list: bool) -> Option<Fault> {
        if self.faults_pending.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|q| {
            q.action
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case(action))
                && (is_list || !matches!(q.fault, Fault::CloseMidList { .. }))
        })?;
        let fault = faults.remove(i).map(|q| q.fault);
        self.faults_pending.store(faults.len(), Ordering::Release);
        fault
    }

    pub(super) fn record(&self, msg: &Message) {
        let limit = self.config.received_limit;
        if limit == 0 {
            return;
        }
        let msg = msg.detached();
        let mut received = lock(&self.received);
        while received.len() >= limit {
            received.pop_front();
        }
        received.push_back(msg);
    }

    pub(super) fn received(&self) -> Vec<Message> {
        lock(&self.received).iter().cloned().collect()
    }

    pub(super) fn clear_received(&self) {
        lock(&self.received).clear();
    }

    pub(super) fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    pub(super) fn logged_in_count(&self) -> usize {
        lock(&self.sessions)
            .values()
            .filter(|h| h.logged_in.load(Ordering::Acquire))
            .count()
    }

    /// Unregisters every session (and, with `close`, refuses new ones from now on).
    pub(super) fn take_sessions(&self, close: bool) -> Vec<SessionHandle> {
        let mut sessions = lock(&self.sessions);
        if close {
            self.closed.store(true, Ordering::Release);
        }
        sessions.drain().map(|(_, h)| h).collect()
    }

    /// Called by a session task as it ends.
    pub(super) fn unregister(&self, id: u64) {
        lock(&self.sessions).remove(&id);
    }
}

/// Unregisters its session when the session task ends or is aborted.
pub(super) struct Registration {
    pub(super) shared: Arc<Shared>,
    pub(super) id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.shared.unregister(self.id);
    }
}

/// Accepts connections until aborted.
pub(super) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((tcp, peer)) => {
                let _ = tcp.set_nodelay(true);
                spawn_session(&shared, tcp, peer);
            }
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                tracing::warn!(error = %e, "mock PBX accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

fn spawn_session(shared: &Arc<Shared>, tcp: TcpStream, peer: std::net::SocketAddr) {
    let id = shared.next_session.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = mpsc::unbounded_channel();
    let wants_events = Arc::new(AtomicBool::new(false));
    let logged_in = Arc::new(AtomicBool::new(false));
    // Hold the lock while spawning so the task cannot unregister before it is registered.
    let mut sessions = lock(&shared.sessions);
    if shared.closed.load(Ordering::Acquire) {
        return; // shutting down: the connection is dropped
    }
    let task = tokio::spawn(session::run(
        session::Start {
            registration: Registration {
                shared: shared.clone(),
                id,
            },
            peer,
            rx,
            wants_events: wants_events.clone(),
            logged_in: logged_in.clone(),
        },
        tcp,
    ));
    sessions.insert(
        id,
        SessionHandle {
            tx,
            wants_events,
            logged_in,
            task,
        },
    );
}
