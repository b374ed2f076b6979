//! Correlation of replies with the actions that caused them, in one place.
//!
//! Every action in flight has an entry keyed by its `ActionID`. The reader task hands each
//! response and each event carrying an `ActionID` to [`Pending`], which completes the waiting
//! caller: at the response, at the list's completion event, or at a follow-up event such as
//! `OriginateResponse`. On disconnect every entry fails at once; nothing is resent.

use std::collections::HashMap;

use ami_types::Message;
use tokio::sync::{mpsc, oneshot};

use crate::Error;

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
    action: String,
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
    entries: HashMap<String, Entry>,
    max_pending: usize,
    max_list_items: usize,
}

impl Pending {
    pub fn new(max_pending: usize, max_list_items: usize) -> Self {
        Pending {
            entries: HashMap::new(),
            max_pending,
            max_list_items,
        }
    }

    /// Registers an action before it is written.
    pub fn insert(
        &mut self,
        id: String,
        action: &str,
        expect: Expect,
        waiter: Waiter,
    ) -> Result<(), Error> {
        if self.entries.len() >= self.max_pending {
            return Err(Error::TooManyPending {
                limit: self.max_pending,
            });
        }
        let entry = Entry {
            action: action.to_owned(),
            expect,
            phase: Phase::Response,
            response: None,
            events: Vec::new(),
            waiter: Some(waiter),
        };
        self.entries.insert(id, entry);
        Ok(())
    }

    /// Forgets an action (timed out or abandoned by its caller).
    pub fn remove(&mut self, id: &str) {
        self.entries.remove(id);
    }

    /// Number of actions in flight.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Handles a `Response:` message; returns false when no action waits for it.
    pub fn on_response(&mut self, msg: Message) -> bool {
        let Some(id) = msg.action_id() else {
            return false;
        };
        let Some(entry) = self.entries.get_mut(id) else {
            return false;
        };
        let id = id.to_owned();
        if entry.phase != Phase::Response {
            // A `Response: Error` in the middle of a list fails the call.
            if msg
                .response()
                .is_some_and(|r| r.eq_ignore_ascii_case("Error"))
                && entry.phase == Phase::List
            {
                let error = action_error(&entry.action, &msg);
                self.fail(&id, error);
                return true;
            }
            return false;
        }
        if msg
            .response()
            .is_some_and(|r| r.eq_ignore_ascii_case("Error"))
        {
            let error = action_error(&entry.action, &msg);
            self.fail(&id, error);
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
            let entry = self.entries.remove(&id).expect("entry present");
            complete(entry.waiter, msg, Vec::new());
        }
        true
    }

    /// Handles an event carrying an `ActionID`.
    pub fn on_event(&mut self, msg: &Message) -> Routed {
        let Some(id) = msg.action_id() else {
            return Routed::Publish;
        };
        let Some(entry) = self.entries.get_mut(id) else {
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
                        self.entries.remove(msg.action_id().unwrap_or_default());
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
                            action: entry.action.clone(),
                            limit: self.max_list_items,
                        };
                        deliver_error(entry.waiter.take(), error);
                        entry.phase = Phase::Draining;
                        if ends {
                            let id = id.to_owned();
                            self.entries.remove(&id);
                        }
                        return Routed::Consumed;
                    }
                } else {
                    if entry.events.len() >= self.max_list_items {
                        let error = Error::ListTooLong {
                            action: entry.action.clone(),
                            limit: self.max_list_items,
                        };
                        if let Some(Waiter::Reply(tx)) = entry.waiter.take() {
                            let _ = tx.send(Err(error));
                        }
                        entry.events = Vec::new();
                        entry.phase = Phase::Draining;
                        if ends {
                            let id = id.to_owned();
                            self.entries.remove(&id);
                        }
                        return Routed::Consumed;
                    }
                    entry.events.push(msg.clone());
                }
                if ends {
                    let id = id.to_owned();
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
                let id = id.to_owned();
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
    fn fail(&mut self, id: &str, error: Error) {
        if let Some(entry) = self.entries.remove(id) {
            deliver_error(entry.waiter, error);
        }
    }

    /// Fails every action (the connection is gone); nothing is resent.
    pub fn fail_all(&mut self) {
        for (_, entry) in self.entries.drain() {
            let error = Error::Disconnected {
                action: entry.action,
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
