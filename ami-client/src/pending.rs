//! Correlation of replies with the actions that caused them, in one place.
//!
//! Every action in flight has an entry keyed by the number in its `ActionID` (the client's
//! prefix followed by a counter). The reader task hands each response and each event carrying
//! an `ActionID` to [`Pending`], which completes the waiting caller: at the response, at the
//! list's completion event, or at a follow-up event such as `OriginateResponse`. On disconnect
//! every entry fails at once; nothing is resent.
//!
//! Deadlines are kept here too, in one heap swept by one timer per connection, rather than as
//! a timer per call: at hundreds of thousands of actions a second, registering and cancelling
//! a runtime timer for each is a measurable share of the cost.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::hash_map::Entry as Slot;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant};

use ami_types::Message;
use tokio::sync::{mpsc, oneshot};

use crate::Error;

/// An action's name: `'static` for typed actions, owned for raw ones.
pub(crate) type ActionName = Cow<'static, str>;

/// Hashes the sequence numbers that key the entries (already unique and well spread).
#[derive(Default)]
pub(crate) struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        // Fibonacci hashing spreads consecutive numbers over the table's high and low bits.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A response and the events collected with it.
#[derive(Debug, Clone)]
pub struct RawReply {
    /// The `Response:` message.
    pub response: Message,
    /// List items and completion event, or the follow-up event, in arrival order.
    pub events: Vec<Message>,
}

/// What an entry waits for after the response.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Expect {
    /// The completion event of a list, from the spec (the `EventList: Complete` header is
    /// honoured for any list).
    pub list_complete: Option<&'static str>,
    /// A later event carrying the same ActionID that completes the action.
    pub follow_up: Option<&'static str>,
}

/// The sequence number of an `ActionID` after the client's prefix: the decimal digits this
/// client wrote (no sign, no leading zero), so that only the exact ID sent matches.
fn parse_key(digits: &str) -> Option<u64> {
    let bytes = digits.as_bytes();
    if bytes.is_empty() || (bytes.len() > 1 && bytes[0] == b'0') {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Where the outcome goes.
pub(crate) enum Waiter {
    /// One complete reply.
    Reply(oneshot::Sender<Result<RawReply, Error>>),
    /// Each list event as it arrives, into a channel with room for `max_list_items` unread
    /// items plus one slot kept for the error that ends the stream.
    Stream(mpsc::Sender<Result<Message, Error>>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Response,
    List,
    FollowUp,
    /// The call already failed (list too long); swallow the rest of its list.
    Draining,
}

struct Entry {
    action: ActionName,
    timeout: Duration,
    deadline: Option<Instant>,
    expect: Expect,
    phase: Phase,
    response: Option<Message>,
    events: Vec<Message>,
    waiter: Option<Waiter>,
}

/// What the reader should do with an event after correlation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Routed {
    /// Belongs to an action only.
    Consumed,
    /// Not an action's, or also meant for subscribers (follow-ups): publish it.
    Publish,
}

/// Entries for every action in flight.
pub(crate) struct Pending {
    /// The client's `ActionID` prefix; the rest of an ID is the entry's key.
    prefix: String,
    entries: HashMap<u64, Entry, BuildHasherDefault<SeqHasher>>,
    /// Deadlines of entries, earliest first; entries that completed are dropped lazily.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    max_pending: usize,
    max_list_items: usize,
}

impl Pending {
    pub fn new(prefix: String, max_pending: usize, max_list_items: usize) -> Self {
        Pending {
            prefix,
            entries: HashMap::default(),
            deadlines: BinaryHeap::new(),
            max_pending,
            max_list_items,
        }
    }

    /// The key of an `ActionID` this client made.
    fn key(&self, action_id: &str) -> Option<u64> {
        parse_key(action_id.strip_prefix(self.prefix.as_str())?)
    }

    /// Checks that one more action may be registered.
    pub fn check_room(&self) -> Result<(), Error> {
        if self.entries.len() >= self.max_pending {
            return Err(Error::TooManyPending {
                limit: self.max_pending,
            });
        }
        Ok(())
    }

    /// Registers an action before it is written; true when its deadline is now the earliest
    /// (the timer must be re-armed).
    pub fn insert(
        &mut self,
        id: u64,
        action: ActionName,
        expect: Expect,
        waiter: Waiter,
        timeout: Duration,
    ) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let entry = Entry {
            action,
            timeout,
            deadline,
            expect,
            phase: Phase::Response,
            response: None,
            events: Vec::new(),
            waiter: Some(waiter),
        };
        self.entries.insert(id, entry);
        let Some(at) = deadline else {
            return false;
        };
        let earliest = self
            .deadlines
            .peek()
            .is_none_or(|Reverse((first, _))| at < *first);
        self.deadlines.push(Reverse((at, id)));
        if self.deadlines.len() > 2 * self.entries.len() + 64 {
            self.compact_deadlines();
        }
        earliest
    }

    /// Whether the deadline `at` of entry `id` is still that of an action in flight (the heap
    /// keeps those of completed actions until they surface).
    fn is_live(
        entries: &HashMap<u64, Entry, BuildHasherDefault<SeqHasher>>,
        at: Instant,
        id: u64,
    ) -> bool {
        entries.get(&id).is_some_and(|e| e.deadline == Some(at))
    }

    /// Drops the deadlines of entries that are gone.
    fn compact_deadlines(&mut self) {
        let entries = &self.entries;
        self.deadlines
            .retain(|&Reverse((at, id))| Self::is_live(entries, at, id));
    }

    /// The earliest deadline of an action still in flight.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(&Reverse((at, id))) = self.deadlines.peek() {
            if Self::is_live(&self.entries, at, id) {
                return Some(at);
            }
            self.deadlines.pop();
        }
        None
    }

    /// Fails every action whose deadline is at or before `now` with [`Error::Timeout`].
    pub fn expire(&mut self, now: Instant) {
        while let Some(&Reverse((at, id))) = self.deadlines.peek() {
            if at > now {
                break;
            }
            self.deadlines.pop();
            if !Self::is_live(&self.entries, at, id) {
                continue;
            }
            if let Some(entry) = self.entries.remove(&id) {
                let error = Error::Timeout {
                    action: entry.action.into_owned(),
                    after: entry.timeout,
                };
                deliver_error(entry.waiter, error);
            }
        }
    }

    /// Forgets an action (its caller stopped waiting).
    pub fn remove(&mut self, id: u64) {
        self.entries.remove(&id);
    }

    /// Whether no entry at all is registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of actions in flight whose callers still wait (lists being drained after
    /// [`Error::ListTooLong`] are not counted; they end at their completion or deadline).
    pub fn len(&self) -> usize {
        self.entries
            .values()
            .filter(|e| e.phase != Phase::Draining)
            .count()
    }

    /// Handles a `Response:` message; returns false when no action waits for it.
    pub fn on_response(&mut self, msg: Message) -> bool {
        let Some(id) = msg.action_id().and_then(|id| self.key(id)) else {
            return false;
        };
        // One lookup whether the entry stays (lists, follow-ups) or goes.
        let Slot::Occupied(mut slot) = self.entries.entry(id) else {
            return false;
        };
        let entry = slot.get_mut();
        let is_error = msg
            .response()
            .is_some_and(|r| r.eq_ignore_ascii_case("Error"));
        if entry.phase != Phase::Response {
            // A `Response: Error` in the middle of a list fails the call.
            if is_error && entry.phase == Phase::List {
                let error = action_error(&entry.action, &msg);
                self.fail(id, error);
                return true;
            }
            return false;
        }
        if is_error {
            let error = action_error(&entry.action, &msg);
            self.fail(id, error);
            return true;
        }
        let is_list = msg
            .get("EventList")
            .is_some_and(|v| v.eq_ignore_ascii_case("start"));
        if is_list {
            entry.phase = Phase::List;
            entry.response = Some(msg);
        } else if entry.expect.follow_up.is_some() {
            entry.phase = Phase::FollowUp;
            entry.response = Some(msg);
        } else {
            complete(slot.remove().waiter, msg, Vec::new());
        }
        true
    }

    /// Handles an event carrying an `ActionID`.
    pub fn on_event(&mut self, msg: &Message) -> Routed {
        let Some(id) = msg.action_id().and_then(|id| self.key(id)) else {
            return Routed::Publish;
        };
        let Some(entry) = self.entries.get_mut(&id) else {
            return Routed::Publish;
        };
        let name = msg.event().unwrap_or_default();
        match entry.phase {
            Phase::List | Phase::Draining => {
                let ends = msg
                    .get("EventList")
                    .is_some_and(|v| v.eq_ignore_ascii_case("Complete"))
                    || entry
                        .expect
                        .list_complete
                        .is_some_and(|c| c.eq_ignore_ascii_case(name));
                if entry.phase == Phase::Draining {
                    if ends {
                        self.entries.remove(&id);
                    }
                    return Routed::Consumed;
                }
                if let Some(Waiter::Stream(tx)) = &entry.waiter {
                    // The reader never waits for the consumer: one that falls
                    // `max_list_items` behind gets `ListTooLong` (in the slot kept for it)
                    // and the rest of the list is dropped instead of buffered.
                    if tx.capacity() > 1 {
                        let _ = tx.try_send(Ok(msg.clone()));
                    } else {
                        let error = Error::ListTooLong {
                            action: entry.action.to_string(),
                            limit: self.max_list_items,
                        };
                        deliver_error(entry.waiter.take(), error);
                        entry.phase = Phase::Draining;
                        if ends {
                            self.entries.remove(&id);
                        }
                        return Routed::Consumed;
                    }
                } else {
                    if entry.events.len() >= self.max_list_items {
                        let error = Error::ListTooLong {
                            action: entry.action.to_string(),
                            limit: self.max_list_items,
                        };
                        if let Some(Waiter::Reply(tx)) = entry.waiter.take() {
                            let _ = tx.send(Err(error));
                        }
                        entry.events = Vec::new();
                        entry.phase = Phase::Draining;
                        if ends {
                            self.entries.remove(&id);
                        }
                        return Routed::Consumed;
                    }
                    entry.events.push(msg.clone());
                }
                if ends {
                    let mut entry = self.entries.remove(&id).expect("entry present");
                    let response = entry.response.take().unwrap_or_default();
                    complete(entry.waiter, response, entry.events);
                }
                Routed::Consumed
            }
            Phase::FollowUp
                if entry
                    .expect
                    .follow_up
                    .is_some_and(|f| f.eq_ignore_ascii_case(name)) =>
            {
                let mut entry = self.entries.remove(&id).expect("entry present");
                let response = entry.response.take().unwrap_or_default();
                complete(entry.waiter, response, vec![msg.clone()]);
                // Asterisk sends the follow-up to every session with the class: publish it too.
                Routed::Publish
            }
            _ => Routed::Publish,
        }
    }

    /// Fails one action.
    fn fail(&mut self, id: u64, error: Error) {
        if let Some(entry) = self.entries.remove(&id) {
            deliver_error(entry.waiter, error);
        }
    }

    /// Fails every action (the connection is gone); nothing is resent.
    pub fn fail_all(&mut self) {
        self.deadlines.clear();
        for (_, entry) in self.entries.drain() {
            let error = Error::Disconnected {
                action: entry.action.into_owned(),
            };
            deliver_error(entry.waiter, error);
        }
    }
}

fn action_error(action: &str, msg: &Message) -> Error {
    let message = msg.get("Message").unwrap_or_default().trim_end();
    if message.eq_ignore_ascii_case("Permission denied") {
        Error::PermissionDenied {
            action: action.to_owned(),
        }
    } else {
        Error::Action {
            action: action.to_owned(),
            message: message.to_owned(),
        }
    }
}

fn complete(waiter: Option<Waiter>, response: Message, events: Vec<Message>) {
    match waiter {
        Some(Waiter::Reply(tx)) => {
            let _ = tx.send(Ok(RawReply { response, events }));
        }
        // A stream already received its items; dropping the sender ends it.
        Some(Waiter::Stream(_)) | None => {}
    }
}

fn deliver_error(waiter: Option<Waiter>, error: Error) {
    match waiter {
        Some(Waiter::Reply(tx)) => {
            let _ = tx.send(Err(error));
        }
        Some(Waiter::Stream(tx)) => {
            // A slot is always kept free for the error (see `on_event`).
            let _ = tx.try_send(Err(error));
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::parse_key;

    #[test]
    fn keys_are_the_exact_digits_written() {
        assert_eq!(parse_key("0"), Some(0));
        assert_eq!(parse_key("7"), Some(7));
        assert_eq!(parse_key("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "+7",
            "-7",
            "07",
            "7a",
            " 7",
            "18446744073709551616",
            "٣",
        ] {
            assert_eq!(parse_key(bad), None, "{bad:?}");
        }
    }
}
