//! Fan-out of unsolicited events to subscribers, without ever making the reader wait.
//!
//! Each subscriber has its own bounded queue and an optional filter by [`EventKind`], checked
//! from the event name before anything is decoded. When a queue is full the new event is not
//! queued and the subscriber's overflow counter grows; its stream then yields
//! [`EventItem::Overflow`] with the count before any further event: loss is never silent, and
//! it never slows the reader, the other subscribers or action replies.
//!
//! [`EventStream`] is a [`futures_core::Stream`], so stream combinators and `select` work on it.

use std::collections::{HashSet, VecDeque};
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};

use ami_types::{DecodeError, Event, EventKind, Message};

/// A received event, cheap to clone and share between subscribers (a [`Message`] clone: two
/// reference-count increments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMessage(Message);

impl EventMessage {
    /// Wraps a message.
    pub fn new(msg: Message) -> Self {
        EventMessage(msg)
    }

    /// The event name.
    pub fn name(&self) -> &str {
        self.0.event().unwrap_or_default()
    }

    /// The kind, when the spec knows the event.
    pub fn kind(&self) -> Option<EventKind> {
        EventKind::from_name(self.name())
    }

    /// Decodes into the typed [`Event`] (borrowing this message).
    pub fn decode(&self) -> Result<Event<'_>, DecodeError> {
        Event::decode(&self.0)
    }

    /// The raw message.
    pub fn message(&self) -> &Message {
        &self.0
    }
}

impl Deref for EventMessage {
    type Target = Message;
    fn deref(&self) -> &Message {
        &self.0
    }
}

/// What an event stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventItem {
    /// The next event.
    Event(EventMessage),
    /// This subscriber fell behind and `dropped` events were not queued for it.
    Overflow {
        /// How many events were dropped since the last signal.
        dropped: u64,
    },
}

struct Subscriber {
    filter: Option<HashSet<EventKind>>,
    names: Option<HashSet<String>>,
    inbox: Mutex<Inbox>,
    /// Events held for this subscriber: in the inbox plus those its stream took but has not
    /// yielded yet. Bounded by `capacity`.
    queued: AtomicUsize,
    capacity: usize,
    /// Events not queued for lack of room since the stream last reported them; increased only
    /// under the inbox's lock, so a stream that finds nothing after registering its waker
    /// cannot miss an overflow.
    dropped: AtomicU64,
}

/// Events waiting for a subscriber, and the waker of its stream when that found none.
#[derive(Default)]
struct Inbox {
    queue: VecDeque<EventMessage>,
    waker: Option<Waker>,
}

impl Subscriber {
    fn wants(&self, event: &Message) -> bool {
        let name = event.event().unwrap_or_default();
        let by_kind = self
            .filter
            .as_ref()
            .map(|kinds| EventKind::from_name(name).is_some_and(|k| kinds.contains(&k)));
        let by_name = self
            .names
            .as_ref()
            .map(|names| names.contains(&name.to_ascii_lowercase()));
        match (by_kind, by_name) {
            (None, None) => true,
            (k, n) => k.unwrap_or(false) || n.unwrap_or(false),
        }
    }

    fn inbox(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues what fits of `events` (those this subscriber wants) with one lock and one
    /// wake-up, and counts the rest as dropped.
    fn offer(&self, events: &[Message]) {
        let mut offered = 0;
        let mut queued = 0;
        let waker = {
            let mut inbox = self.inbox();
            let mut room = self
                .capacity
                .saturating_sub(self.queued.load(Ordering::Acquire));
            for event in events.iter().filter(|e| self.wants(e)) {
                offered += 1;
                if room > 0 {
                    inbox.queue.push_back(EventMessage::new(event.clone()));
                    room -= 1;
                    queued += 1;
                }
            }
            self.queued.fetch_add(queued, Ordering::AcqRel);
            if offered > queued {
                self.dropped
                    .fetch_add((offered - queued) as u64, Ordering::AcqRel);
            }
            if offered > 0 {
                inbox.waker.take()
            } else {
                None
            }
        };
        // Woken outside the lock: the stream's task may run on another thread at once.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes the stream (the client closed).
    fn wake(&self) {
        let waker = self.inbox().waker.take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// All subscribers of one client.
#[derive(Default)]
pub(crate) struct Hub {
    subscribers: Mutex<Vec<Weak<Subscriber>>>,
    closed: AtomicBool,
}

impl Hub {
    /// Queues events, in order, for every subscriber that wants them, and empties `batch`;
    /// never blocks. Each subscriber is locked and woken once for the whole batch.
    #[inline]
    pub fn publish(&self, batch: &mut Vec<Message>) {
        // Most reads bring only replies: nothing to lock.
        if !batch.is_empty() {
            self.publish_batch(batch);
            batch.clear();
        }
    }

    fn publish_batch(&self, events: &[Message]) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|weak| {
            let Some(sub) = weak.upgrade() else {
                return false;
            };
            sub.offer(events);
            true
        });
    }

    /// Adds a subscriber.
    pub fn subscribe(
        self: &Arc<Self>,
        capacity: usize,
        filter: Option<HashSet<EventKind>>,
        names: Option<HashSet<String>>,
    ) -> EventStream {
        let sub = Arc::new(Subscriber {
            filter,
            names,
            inbox: Mutex::default(),
            queued: AtomicUsize::new(0),
            capacity,
            dropped: AtomicU64::new(0),
        });
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::downgrade(&sub));
        EventStream {
            sub,
            taken: VecDeque::new(),
            hub: Arc::clone(self),
        }
    }

    /// Ends every stream (the client closed).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        for sub in subs.iter().filter_map(Weak::upgrade) {
            sub.wake();
        }
    }
}

/// A subscription to the client's events; also a [`futures_core::Stream`] of [`EventItem`]s.
pub struct EventStream {
    sub: Arc<Subscriber>,
    /// Events moved out of the shared queue in one go, yielded from here without locking.
    taken: VecDeque<EventMessage>,
    hub: Arc<Hub>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("capacity", &self.sub.capacity)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// The next event or overflow signal; `None` once the client is closed and the queue empty.
    pub async fn next(&mut self) -> Option<EventItem> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// [`next`](Self::next) as a poll: `Pending` registers `cx`'s waker.
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<EventItem>> {
        loop {
            let dropped = self.sub.dropped.swap(0, Ordering::AcqRel);
            if dropped > 0 {
                return Poll::Ready(Some(EventItem::Overflow { dropped }));
            }
            if let Some(event) = self.taken.pop_front() {
                self.sub.queued.fetch_sub(1, Ordering::AcqRel);
                return Poll::Ready(Some(EventItem::Event(event)));
            }
            {
                let mut inbox = self.sub.inbox();
                std::mem::swap(&mut inbox.queue, &mut self.taken);
                if self.taken.is_empty() {
                    // Registered under the lock that `offer` queues and counts under, so
                    // whatever it adds after this is followed by a wake-up.
                    match &mut inbox.waker {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        slot => *slot = Some(cx.waker().clone()),
                    }
                }
            }
            if !self.taken.is_empty() || self.sub.dropped.load(Ordering::Acquire) > 0 {
                continue;
            }
            // `close` sets the flag before it takes the waker: seen here, or woken.
            if self.hub.closed.load(Ordering::Acquire) {
                return Poll::Ready(None);
            }
            return Poll::Pending;
        }
    }

    /// Events queued and not yet read.
    pub fn queued(&self) -> usize {
        self.sub.queued.load(Ordering::Acquire)
    }
}

impl futures_core::Stream for EventStream {
    type Item = EventItem;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<EventItem>> {
        self.get_mut().poll_item(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.taken.len(), None)
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use ami_types::Message;
    use futures_core::Stream;

    use super::{EventItem, EventStream, Hub};
    use crate::wake_counter::WakeCounter;

    fn hangup(channel: &str) -> Message {
        Message::from_headers([("Event", "Hangup"), ("Channel", channel)])
    }

    /// What the stream yields now, through the `Stream` trait.
    fn poll(stream: &mut EventStream, cx: &mut Context<'_>) -> Poll<Option<String>> {
        Pin::new(stream).poll_next(cx).map(|item| {
            item.map(|item| match item {
                EventItem::Event(e) => e.get("Channel").unwrap_or_default().to_owned(),
                EventItem::Overflow { dropped } => format!("overflow {dropped}"),
            })
        })
    }

    #[test]
    fn a_waiting_stream_is_woken_by_events_overflow_and_close() {
        let hub = Arc::new(Hub::default());
        let mut stream = hub.subscribe(2, None, None);
        let counter = WakeCounter::new();
        let mut cx = Context::from_waker(&counter.waker);
        let woken = || counter.wakes();

        assert_eq!(poll(&mut stream, &mut cx), Poll::Pending);
        hub.publish(&mut vec![hangup("a"), hangup("b"), hangup("c")]);
        assert_eq!(woken(), 1, "one wake-up for the batch");
        // The loss is reported before the events that were kept.
        assert_eq!(
            poll(&mut stream, &mut cx),
            Poll::Ready(Some("overflow 1".into()))
        );
        assert_eq!(poll(&mut stream, &mut cx), Poll::Ready(Some("a".into())));
        assert_eq!(poll(&mut stream, &mut cx), Poll::Ready(Some("b".into())));
        assert_eq!(poll(&mut stream, &mut cx), Poll::Pending);

        // A full queue still wakes the stream, for the overflow alone.
        let mut other = hub.subscribe(0, None, None);
        assert_eq!(poll(&mut other, &mut cx), Poll::Pending);
        let before = woken();
        hub.publish(&mut vec![hangup("d")]);
        assert_eq!(woken(), before + 2, "both streams were waiting");
        assert_eq!(
            poll(&mut other, &mut cx),
            Poll::Ready(Some("overflow 1".into()))
        );
        assert_eq!(poll(&mut stream, &mut cx), Poll::Ready(Some("d".into())));
        assert_eq!(poll(&mut stream, &mut cx), Poll::Pending);

        let before = woken();
        hub.close();
        assert_eq!(woken(), before + 1, "close wakes the waiting stream");
        assert_eq!(poll(&mut stream, &mut cx), Poll::Ready(None));
    }
}
