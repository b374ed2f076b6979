//! The client handle: cheap to clone, sends typed actions, hands out event streams.

use std::borrow::Cow;
use std::collections::HashSet;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use ami_types::action::{Filter, Logoff, Originate, Ping};
use ami_types::{
    encode_action, Action, DecodeError, EncodeError, EventKind, FromReply, HeaderWriter, Message,
    ReplyParts,
};
use tokio::sync::{mpsc, oneshot, watch};

use crate::config::Config;
use crate::connection::{self, ConnectionState, Shared};
use crate::events::EventStream;
use crate::pending::{ActionName, Expect, RawReply, Waiter};
use crate::Error;

/// A connection to Asterisk's manager interface.
///
/// Clone it freely: every clone talks to the same connection task. When the last clone is
/// dropped the connection closes.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    _alive: Option<Arc<Alive>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.shared.config.host)
            .field("port", &self.shared.config.port)
            .field("state", &*self.shared.state.borrow())
            .finish()
    }
}

/// Closes the connection when the last user handle goes.
struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.shutdown.send_replace(true);
    }
}

/// Largest queue of a [`ListStream`] (tokio's bounded channels cap their capacity).
const MAX_STREAM_QUEUE: usize = 1 << 28;

/// A typed reply: the messages received for one action, decoded on demand into
/// `A::Response` (which borrows them).
pub struct Reply<A: Action> {
    raw: RawReply,
    _action: PhantomData<fn() -> A>,
}

impl<A: Action> std::fmt::Debug for Reply<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("action", &A::NAME)
            .field("raw", &self.raw)
            .finish()
    }
}

impl<A: Action> Reply<A> {
    /// Decodes the typed response.
    pub fn decode(&self) -> Result<A::Response<'_>, DecodeError> {
        A::Response::from_reply(ReplyParts {
            response: &self.raw.response,
            events: &self.raw.events,
        })
    }

    /// The raw messages.
    pub fn raw(&self) -> &RawReply {
        &self.raw
    }

    /// Takes the raw messages.
    pub fn into_raw(self) -> RawReply {
        self.raw
    }
}

/// The outcome of an action that completes with a later event (e.g. async `Originate`).
#[derive(Debug, Clone)]
pub struct FollowUp {
    /// The immediate acknowledgement.
    pub response: Message,
    /// The event that completed the action.
    pub event: Message,
}

/// An event list delivered item by item, for lists too large to collect; also a
/// [`futures_core::Stream`].
///
/// Items wait in a queue of [`Config::max_list_items`] while you do not read them; a stream
/// that falls that far behind ends with [`Error::ListTooLong`] (the connection's reader never
/// waits for you, and memory stays bounded).
#[derive(Debug)]
pub struct ListStream {
    rx: mpsc::Receiver<Result<Message, Error>>,
    _guard: PendingGuard<Arc<Shared>>,
}

impl ListStream {
    /// The next list event (the completion event last); `None` after it.
    pub async fn next(&mut self) -> Option<Result<Message, Error>> {
        self.rx.recv().await
    }
}

impl futures_core::Stream for ListStream {
    type Item = Result<Message, Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

/// Removes a pending entry when its caller stops waiting (a dropped future or stream).
///
/// A call's future borrows the shared state (`S = &Shared`): taking a reference count per call
/// would make every send touch one counter shared by all threads. A [`ListStream`], handed to
/// the caller, owns it (`S = Arc<Shared>`).
#[derive(Debug)]
struct PendingGuard<S: Deref<Target = Shared>> {
    shared: Option<S>,
    key: u64,
}

impl<S: Deref<Target = Shared>> PendingGuard<S> {
    /// The entry is already gone (the reply or an error arrived): nothing to remove.
    fn disarm(mut self) {
        self.shared = None;
    }
}

impl<S: Deref<Target = Shared>> Drop for PendingGuard<S> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.pending().remove(self.key);
        }
    }
}

/// An `ActionID`: the client's prefix and a sequence number, formatted without allocating.
struct ActionId {
    key: u64,
    text: [u8; 64],
    len: usize,
}

impl ActionId {
    /// `prefix` (at most 30 bytes: see `Shared::new`) followed by `key` in decimal. Written
    /// by hand: `write!` costs several times more, once per action.
    fn new(prefix: &str, key: u64) -> ActionId {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = key;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut id = ActionId {
            key,
            text: [0; 64],
            len: 0,
        };
        let prefix = prefix.as_bytes();
        let digits = &digits[at..];
        let len = prefix.len() + digits.len();
        if let Some(text) = id.text.get_mut(..len) {
            let (head, tail) = text.split_at_mut(prefix.len());
            head.copy_from_slice(prefix);
            tail.copy_from_slice(digits);
            id.len = len;
        }
        id
    }

    fn as_str(&self) -> &str {
        let text = self.text.get(..self.len).unwrap_or_default();
        debug_assert!(std::str::from_utf8(text).is_ok());
        // SAFETY: `new` fills `text[..len]` with a `&str` followed by ASCII digits (or leaves
        // `len` at 0), so it is valid UTF-8. Checking it again costs a tenth of the encoding
        // of a Ping, once per action.
        unsafe { std::str::from_utf8_unchecked(text) }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Client {
    /// Connects, reads the greeting and logs in; the connection then lives in a background
    /// task that keeps it alive and reconnects. Fails if the first connection or login fails.
    pub async fn connect(config: Config) -> Result<Client, Error> {
        let shared = Shared::new(config);
        connection::start(Arc::clone(&shared)).await?;
        let alive = Arc::new(Alive(Arc::clone(&shared)));
        let client = Client {
            shared,
            _alive: Some(alive),
        };
        // Wait until the supervisor has the connection serving.
        let mut state = client.state();
        let _ = state
            .wait_for(|s| !matches!(s, ConnectionState::Connecting))
            .await;
        Ok(client)
    }

    /// A handle for the connection tasks themselves: it does not keep the connection open.
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Client {
        Client {
            shared,
            _alive: None,
        }
    }

    /// Watches the connection state (connecting, connected, disconnected, closed).
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.shared.state.subscribe()
    }

    /// Actions currently waiting for replies.
    pub fn in_flight(&self) -> usize {
        self.shared.pending().len()
    }

    /// Sends a typed action and waits for its complete reply (with the default timeout).
    ///
    /// Lists are collected until their completion event. `Response: Error` becomes
    /// [`Error::Action`] (or [`Error::PermissionDenied`]).
    pub async fn send<A: Action>(&self, action: &A) -> Result<Reply<A>, Error> {
        self.send_timeout(action, self.shared.config.action_timeout)
            .await
    }

    /// Like [`send`](Self::send) with a per-call timeout.
    pub async fn send_timeout<A: Action>(
        &self,
        action: &A,
        timeout: Duration,
    ) -> Result<Reply<A>, Error> {
        let expect = Expect {
            list_complete: <A::Response<'static> as FromReply<'static>>::LIST_COMPLETE,
            follow_up: None,
        };
        let raw = self.request_typed(action, expect, timeout).await?;
        Ok(Reply {
            raw,
            _action: PhantomData,
        })
    }

    /// Sends an action and waits for the later event that completes it (`A::FOLLOW_UP`, e.g.
    /// `OriginateResponse` for an async `Originate`), matched by ActionID.
    pub async fn send_follow_up<A: Action>(&self, action: &A) -> Result<FollowUp, Error> {
        let Some(follow_up) = A::FOLLOW_UP else {
            return Err(Error::Protocol(format!(
                "{} has no follow-up event in the spec",
                A::NAME
            )));
        };
        let expect = Expect {
            list_complete: None,
            follow_up: Some(follow_up),
        };
        let mut raw = self
            .request_typed(action, expect, self.shared.config.follow_up_timeout)
            .await?;
        let event = raw
            .events
            .pop()
            .ok_or_else(|| Error::Protocol(format!("{follow_up} missing")))?;
        Ok(FollowUp {
            response: raw.response,
            event,
        })
    }

    /// Originates a call asynchronously and waits for its `OriginateResponse`.
    pub async fn originate(&self, originate: Originate) -> Result<FollowUp, Error> {
        self.send_follow_up(&originate.r#async(true)).await
    }

    /// Sends a list action and streams its events as they arrive.
    pub async fn send_streaming<A: Action>(&self, action: &A) -> Result<ListStream, Error> {
        let id = self.next_action_id();
        // One slot more than the limit, kept for the error that ends an overflowing stream.
        let room = self.shared.config.max_list_items.clamp(1, MAX_STREAM_QUEUE) + 1;
        let (tx, rx) = mpsc::channel(room);
        let expect = Expect {
            list_complete: <A::Response<'static> as FromReply<'static>>::LIST_COMPLETE,
            follow_up: None,
        };
        let guard = self.register(
            &id,
            Cow::Borrowed(A::NAME),
            expect,
            Waiter::Stream(tx),
            self.shared.config.action_timeout,
            |out| encode_action(action, id.as_str(), out),
        )?;
        let key = guard.key;
        guard.disarm();
        Ok(ListStream {
            rx,
            _guard: PendingGuard {
                shared: Some(Arc::clone(&self.shared)),
                key,
            },
        })
    }

    /// Sends any action given as headers (for actions not in the spec) and collects the raw
    /// reply; lists are recognised by `EventList: start`. An `ActionID` is added.
    pub async fn send_raw<'h>(
        &self,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    ) -> Result<RawReply, Error> {
        let id = self.next_action_id();
        let mut bytes = Vec::with_capacity(256);
        let mut name = String::new();
        {
            let mut w = HeaderWriter::new(&mut bytes);
            for (n, v) in headers {
                if n.eq_ignore_ascii_case("ActionID") {
                    continue;
                }
                if n.eq_ignore_ascii_case("Action") {
                    name = v.to_owned();
                }
                w.header(n, v)?;
            }
            w.header("ActionID", id.as_str())?;
        }
        bytes.extend_from_slice(b"\r\n");
        self.request(
            &id,
            Cow::Owned(name),
            Expect::default(),
            self.shared.config.action_timeout,
            |out| {
                out.extend_from_slice(&bytes);
                Ok(())
            },
        )
        .await
    }

    /// Subscribes to every event.
    pub fn events(&self) -> EventStream {
        self.shared
            .hub
            .subscribe(self.shared.config.event_buffer, None, None)
    }

    /// Subscribes to events of the given kinds only; others are skipped before decoding.
    pub fn events_of(&self, kinds: impl IntoIterator<Item = EventKind>) -> EventStream {
        let kinds: HashSet<EventKind> = kinds.into_iter().collect();
        self.shared
            .hub
            .subscribe(self.shared.config.event_buffer, Some(kinds), None)
    }

    /// Subscribes to events by wire name (any case), including events the spec does not know.
    pub fn events_named<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> EventStream {
        let names = names.into_iter().map(str::to_ascii_lowercase).collect();
        self.shared
            .hub
            .subscribe(self.shared.config.event_buffer, None, Some(names))
    }

    /// Logs off (`Response: Goodbye`) and closes the connection for good.
    pub async fn logoff(&self) -> Result<(), Error> {
        let result = self.send(&Logoff::new()).await.map(|_| ());
        self.shared.shutdown.send_replace(true);
        // The server closes the socket after Goodbye; a lost connection here is success.
        match result {
            Err(Error::Disconnected { .. }) => Ok(()),
            other => other,
        }
    }

    /// Closes the connection without logging off.
    pub fn close(&self) {
        self.shared.shutdown.send_replace(true);
    }

    pub(crate) async fn ping_within(&self, timeout: Duration) -> Result<(), Error> {
        self.send_timeout(&Ping::new(), timeout).await.map(|_| ())
    }

    pub(crate) async fn apply_filters(&self) -> Result<(), Error> {
        for expression in &self.shared.config.filters {
            let filter = Filter::new()
                .operation(ami_types::enums::FilterOperation::Add)
                .filter(expression.clone());
            self.send(&filter).await?;
        }
        Ok(())
    }

    fn next_action_id(&self) -> ActionId {
        let key = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        ActionId::new(&self.shared.id_prefix, key)
    }

    async fn request_typed<A: Action>(
        &self,
        action: &A,
        expect: Expect,
        timeout: Duration,
    ) -> Result<RawReply, Error> {
        let id = self.next_action_id();
        // Header injection is refused while encoding, before anything is queued.
        self.request(&id, Cow::Borrowed(A::NAME), expect, timeout, |out| {
            encode_action(action, id.as_str(), out)
        })
        .await
    }

    async fn request(
        &self,
        id: &ActionId,
        action: ActionName,
        expect: Expect,
        timeout: Duration,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    ) -> Result<RawReply, Error> {
        let (tx, rx) = oneshot::channel();
        let guard = self.register(
            id,
            action.clone(),
            expect,
            Waiter::Reply(tx),
            timeout,
            encode,
        )?;
        // The connection's timer fails the entry at its deadline; the guard removes it if
        // this future is dropped first.
        let outcome = rx.await;
        guard.disarm();
        match outcome {
            Ok(result) => result,
            Err(_) => Err(Error::Disconnected {
                action: action.into_owned(),
            }),
        }
    }

    /// Registers the pending entry and queues the encoded action in one step: the reply can
    /// never race ahead of the entry, and a refused encoding queues nothing.
    fn register(
        &self,
        id: &ActionId,
        action: ActionName,
        expect: Expect,
        waiter: Waiter,
        timeout: Duration,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    ) -> Result<PendingGuard<&Shared>, Error> {
        if self.shared.is_shut_down() {
            return Err(Error::Closed);
        }
        let mut pending = self.shared.pending();
        pending.check_room()?;
        let idle = pending.is_empty();
        let mut out = self.shared.outbox.lock();
        if !out.open {
            return Err(Error::NotConnected);
        }
        let limit = self.shared.config.max_write_buffer;
        if out.bytes.len() >= limit {
            return Err(Error::WriteBacklog { limit });
        }
        let was_empty = out.bytes.is_empty();
        encode(&mut out.bytes)?;
        tracing::trace!(action = %action, id = id.as_str(), "sent");
        if idle && was_empty {
            // Nothing else in flight: write it now rather than wake the writer task. Under
            // load actions are left to the writer, which sends them in batches. The entry is
            // made after the write, off the round trip's path: the reader cannot route the
            // reply before it, as the pending lock is still held.
            out.write_now();
        }
        let earliest = pending.insert(id.key, action, expect, waiter, timeout);
        drop(pending);
        let wake = was_empty && !out.bytes.is_empty();
        drop(out);
        if wake {
            self.shared.outbox.wake();
        }
        if earliest {
            self.shared.deadline_changed.notify_one();
        }
        Ok(PendingGuard {
            shared: Some(&self.shared),
            key: id.key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ActionId;

    #[test]
    fn action_ids_are_prefix_then_decimal_key() {
        let prefix = "ffffffff-18446744073709551615-"; // the longest prefix `Shared::new` makes
        for key in [0, 7, 10, 99, 1_000_001, u64::MAX] {
            let id = ActionId::new(prefix, key);
            assert_eq!(id.as_str(), format!("{prefix}{key}"));
            assert_eq!(id.key, key);
        }
    }
}
