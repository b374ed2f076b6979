//! Fan-out of unsolicited events to subscribers, without ever making the reader wait.
//!
//! Each subscriber has its own bounded queue and an optional filter by [`EventKind`], checked
//! from the event name before anything is decoded. When a queue is full the new event is not
//! queued and the subscriber's overflow counter grows; its stream then yields
//! [`EventItem::Overflow`] with the count before any further event: loss is never silent, and
//! it never slows the reader, the other subscribers or action replies.

use std::collections::{HashSet, VecDeque};
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use ami_types::{DecodeError, Event, EventKind, Message};
use tokio::sync::Notify;

/// A received event, cheap to clone and share between subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMessage(Arc<Message>);

impl EventMessage {
    /// Wraps a message.
    pub fn new(msg: Message) -> Self {
        EventMessage(Arc::new(msg))
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
    capacity: usize,
    dropped: AtomicU64,
    notify: Notify,
}

impl Subscriber {
    fn wants(&self, event: &EventMessage) -> bool {
        let by_kind = self
            .filter
            .as_ref()
            .map(|kinds| event.kind().is_some_and(|k| kinds.contains(&k)));
        let by_name = self
            .names
            .as_ref()
            .map(|names| names.contains(&event.name().to_ascii_lowercase()));
        match (by_kind, by_name) {
            (None, None) => true,
            (k, n) => k.unwrap_or(false) || n.unwrap_or(false),
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
    /// Queues an event for every subscriber that wants it; never blocks.
    pub fn publish(&self, msg: Message) {
        let event = EventMessage::new(msg);
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|weak| {
            let Some(sub) = weak.upgrade() else {
                return false;
            };
            if sub.wants(&event) {
                let mut queue = sub.queue.lock().unwrap_or_else(|p| p.into_inner());
                if queue.len() >= sub.capacity {
                    sub.dropped.fetch_add(1, Ordering::Relaxed);
                } else {
                    queue.push_back(event.clone());
                }
                drop(queue);
                sub.notify.notify_one();
            }
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
            let notified = self.sub.notify.notified();
            let dropped = self.sub.dropped.swap(0, Ordering::AcqRel);
            if dropped > 0 {
                return Some(EventItem::Overflow { dropped });
            }
            if let Some(event) = self
                .sub
                .queue
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front()
            {
                return Some(EventItem::Event(event));
            }
            if self.hub.closed.load(Ordering::Acquire) {
                return None;
            }
            notified.await;
        }
    }

    /// Events queued and not yet read.
    pub fn queued(&self) -> usize {
        self.sub
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}
