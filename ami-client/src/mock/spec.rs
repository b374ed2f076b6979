//! Default replies derived from the spec's tables ([`ami_types::generated::ACTIONS`]) and
//! their wire examples, built once.

use std::collections::HashMap;
use std::sync::OnceLock;

use ami_types::dynamic::ActionInfo;
use ami_types::generated::ACTIONS;
use ami_types::{Message, MessageKind};
use bytes::Bytes;

/// What the mock answers to a spec action it has no handler of its own for.
pub(super) enum Canned {
    /// An event list.
    List {
        /// `Message:` of the ack.
        ack_message: String,
        /// Item events.
        items: Vec<Message>,
        /// Completion event (its name, and extra headers after `ListItems`).
        complete: Message,
    },
    /// A single response, then follow-up events.
    Single {
        response: Message,
        events: Vec<Message>,
    },
    /// `Message: <Action> accepted by the mock`.
    Accepted,
}

/// One spec action and its default reply.
pub(super) struct Entry {
    pub(super) info: &'static ActionInfo,
    pub(super) canned: Canned,
}

/// The spec action named `name` (any case).
pub(super) fn lookup(name: &str) -> Option<&'static Entry> {
    static TABLE: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            ACTIONS
                .iter()
                .map(|info| {
                    let entry = Entry {
                        info,
                        canned: canned(info),
                    };
                    (info.name.to_ascii_lowercase(), entry)
                })
                .collect()
        })
        .get(&name.to_ascii_lowercase())
}

/// The messages of a transcript: blocks of lines separated by empty lines.
pub(super) fn transcript(text: &str) -> Vec<Message> {
    let mut out = Vec::new();
    let mut block = String::new();
    for line in text.lines() {
        if line.is_empty() {
            if !block.is_empty() {
                out.push(Message::parse(Bytes::from(std::mem::take(&mut block))));
            }
        } else {
            block.push_str(line);
            block.push_str("\r\n");
        }
    }
    if !block.is_empty() {
        out.push(Message::parse(Bytes::from(block)));
    }
    out
}

fn is_success(msg: &Message) -> bool {
    msg.response()
        .is_some_and(|r| r.eq_ignore_ascii_case("Success"))
}

fn canned(info: &'static ActionInfo) -> Canned {
    let examples = info
        .examples
        .iter()
        .map(|(_, _, response)| transcript(response));
    if let Some(complete) = info.list_complete {
        for msgs in examples {
            let [ack, rest @ ..] = msgs.as_slice() else {
                continue;
            };
            let Some((last, items)) = rest.split_last() else {
                continue;
            };
            if !is_success(ack)
                || !last
                    .event()
                    .is_some_and(|e| e.eq_ignore_ascii_case(complete))
            {
                continue;
            }
            return Canned::List {
                ack_message: ack
                    .get("Message")
                    .unwrap_or("Events will follow")
                    .to_owned(),
                items: items
                    .iter()
                    .filter(|m| m.kind() == MessageKind::Event)
                    .cloned()
                    .collect(),
                complete: last.clone(),
            };
        }
        return Canned::List {
            ack_message: "Events will follow".to_owned(),
            items: Vec::new(),
            complete: Message::from_headers([("Event", complete)]),
        };
    }
    for msgs in examples {
        if let [response, events @ ..] = msgs.as_slice() {
            if is_success(response) {
                return Canned::Single {
                    response: response.clone(),
                    events: events
                        .iter()
                        .filter(|m| m.kind() == MessageKind::Event)
                        .cloned()
                        .collect(),
                };
            }
        }
    }
    Canned::Accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_status_replays_its_example() {
        let entry = lookup("queuestatus").unwrap();
        let Canned::List {
            ack_message,
            items,
            complete,
        } = &entry.canned
        else {
            panic!()
        };
        assert_eq!(ack_message, "Queue status will follow");
        assert_eq!(items.len(), 3);
        assert_eq!(complete.event(), Some("QueueStatusComplete"));
    }

    #[test]
    fn list_without_example_is_empty() {
        let entry = lookup("CoreShowChannels").unwrap();
        let Canned::List {
            items, complete, ..
        } = &entry.canned
        else {
            panic!()
        };
        assert!(items.is_empty());
        assert_eq!(complete.event(), Some("CoreShowChannelsComplete"));
    }

    #[test]
    fn single_and_accepted() {
        assert!(matches!(
            lookup("Bridge").unwrap().canned,
            Canned::Single { .. }
        ));
        assert!(matches!(lookup("Hangup").unwrap().canned, Canned::Accepted));
        assert!(lookup("NoSuchAction").is_none());
    }
}
