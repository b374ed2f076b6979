//! Fan-out of unsolicited events to subscribers, without ever making the reader wait.
//!
//! Each subscriber has its own bounded queue and an optional filter by [`EventKind`], checked
//! from the event name before anything is decoded. When a queue is full the new event is not
//! queued and the subscriber's overflow counter grows; its stream then yields
//! [`EventItem::Overflow`] with the count before any further event: loss is never silent, and
//! it never slows the reader, the other subscribers or action replies.

use std::collections::{HashSet, VecDeque};
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use ami_types::{DecodeError, Event, EventKind, Message};
use tokio::sync::Notify;

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
    queue: Mutex<VecDeque<EventMessage>>,
    /// Events held for this subscriber: in `queue` plus those its stream took but has not
    /// yielded yet. Bounded by `capacity`.
    queued: AtomicUsize,
    capacity: usize,
    dropped: AtomicU64,
    notify: Notify,
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

    /// Queues what fits of `events` (those this subscriber wants) with one lock and one
    /// wake-up, and counts the rest as dropped.
    fn offer(&self, events: &[Message]) {
        let mut offered = 0;
        let mut queued = 0;
        {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            let mut room = self
                .capacity
                .saturating_sub(self.queued.load(Ordering::Acquire));
            for event in events.iter().filter(|e| self.wants(e)) {
                offered += 1;
                if room > 0 {
                    queue.push_back(EventMessage::new(event.clone()));
                    room -= 1;
                    queued += 1;
                }
            }
            self.queued.fetch_add(queued, Ordering::AcqRel);
        }
        if offered > queued {
            self.dropped
                .fetch_add((offered - queued) as u64, Ordering::AcqRel);
        }
        if offered > 0 {
            self.notify.notify_one();
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
            queue: Mutex::new(VecDeque::new()),
            queued: AtomicUsize::new(0),
            capacity,
            dropped: AtomicU64::new(0),
            notify: Notify::new(),
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
            sub.notify.notify_one();
        }
    }
}

/// A subscription to the client's events.
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
        loop {
            let dropped = self.sub.dropped.swap(0, Ordering::AcqRel);
            if dropped > 0 {
                return Some(EventItem::Overflow { dropped });
            }
            if let Some(event) = self.taken.pop_front() {
                self.sub.queued.fetch_sub(1, Ordering::AcqRel);
                return Some(EventItem::Event(event));
            }
            let notified = self.sub.notify.notified();
            {
                let mut queue = self.sub.queue.lock().unwrap_or_else(|p| p.into_inner());
                std::mem::swap(&mut *queue, &mut self.taken);
            }
            if !self.taken.is_empty() || self.sub.dropped.load(Ordering::Acquire) > 0 {
                continue;
            }
            if self.hub.closed.load(Ordering::Acquire) {
                return None;
            }
            notified.await;
        }
    }

    /// Events queued and not yet read.
    pub fn queued(&self) -> usize {
        self.sub.queued.load(Ordering::Acquire)
    }
}
