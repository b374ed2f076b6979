//! Decoding a captured AMI conversation into typed values, one report per received message.
//!
//! Responses are matched to the action that caused them through the `ActionID`s of the requests
//! that were sent, so each can be decoded into that action's typed response.

use std::collections::HashMap;

use ami_types::dynamic::Dyn;
use ami_types::generated::{action_info, event_info};
use ami_types::{Frame, FrameError, Framer, FromMessage, Message, MessageKind};
use serde::Serialize;

/// What one received message decoded into.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `greeting`, `response` or `event` (`other` for a message that is neither).
    pub kind: &'static str,
    /// The event name, the `Response:` value, or the greeting line.
    pub name: Option<String>,
    /// The message's `ActionID`.
    pub action_id: Option<String>,
    /// The action this response or list event answers, found through the sent requests.
    pub action: Option<String>,
    /// The Rust type it decoded into.
    #[serde(rename = "type")]
    pub type_name: Option<&'static str>,
    /// The typed value.
    pub fields: serde_json::Value,
    /// Wire header names the type does not know.
    pub unknown: Vec<String>,
    /// Why decoding failed.
    pub error: Option<String>,
}

/// Maps each `ActionID` sent to its action name (the first request with that id wins, as in
/// Asterisk).
pub fn sent_actions(sent: &[u8]) -> HashMap<String, String> {
    let mut framer = Framer::without_greeting();
    framer.push(sent);
    let mut map = HashMap::new();
    // At end of input `finish` yields every remaining frame, then a trailing message.
    while let Some(frame) = framer.finish() {
        if let Ok(Frame::Message(msg)) = frame {
            if let (Some(action), Some(id)) = (msg.action(), msg.action_id()) {
                map.entry(id.to_owned())
                    .or_insert_with(|| action.to_owned());
            }
        }
    }
    map
}

/// Decodes every message of a received byte stream. Frames the stream fully; framing errors
/// (over-limit messages, which are skipped) are returned beside the reports.
pub fn inspect(received: &[u8], sent: &HashMap<String, String>) -> (Vec<Report>, Vec<FrameError>) {
    let mut framer = Framer::new();
    framer.push(received);
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    // At end of input `finish` yields every remaining frame, then a trailing message.
    while let Some(frame) = framer.finish() {
        match frame {
            Ok(Frame::Greeting(line)) => reports.push(greeting(&line)),
            Ok(Frame::Message(msg)) => match msg.action_id().and(msg.split_events()) {
                // List items sent without their empty line: one report per event, as the
                // client routes them (see `Message::split_events`).
                Some(parts) => reports.extend(parts.iter().map(|part| report(part, sent))),
                None => reports.push(report(&msg, sent)),
            },
            Err(e) => errors.push(e),
        }
    }
    (reports, errors)
}

fn greeting(line: &str) -> Report {
    let version = line.rsplit_once('/').map(|(_, v)| v.to_owned());
    Report {
        kind: "greeting",
        name: Some(line.to_owned()),
        action_id: None,
        action: None,
        type_name: None,
        fields: serde_json::json!({ "version": version }),
        unknown: Vec::new(),
        error: None,
    }
}

/// Decodes one message.
pub fn report(msg: &Message, sent: &HashMap<String, String>) -> Report {
    let action_id = msg.action_id().map(str::to_owned);
    let action = action_id.as_ref().and_then(|id| sent.get(id)).cloned();
    let (kind, name, decoded) = match msg.kind() {
        MessageKind::Event => {
            let name = msg.event().unwrap_or_default();
            let decoded = event_info(name).map(|info| (info.decode)(msg));
            ("event", name, decoded)
        }
        MessageKind::Response => {
            let name = msg.response().unwrap_or_default();
            (
                "response",
                name,
                Some(decode_response(msg, action.as_deref())),
            )
        }
        MessageKind::Action | MessageKind::Other => ("other", "", None),
    };
    let mut report = Report {
        kind,
        name: (!name.is_empty()).then(|| name.to_owned()),
        action_id,
        action,
        type_name: None,
        fields: serde_json::Value::Null,
        unknown: Vec::new(),
        error: None,
    };
    match decoded {
        Some(Ok(value)) => {
            report.type_name = Some(value.type_name);
            report.unknown = value.unknown;
            report.fields = serde_json::to_value(&*value.value)
                .unwrap_or_else(|e| serde_json::Value::String(e.to_string()));
        }
        Some(Err(e)) => report.error = Some(e.to_string()),
        None => {}
    }
    report
}

/// A response decodes into its action's response type; an error response, or one to an action
/// the spec does not know, into a plain acknowledgement.
fn decode_response<'a>(
    msg: &'a Message,
    action: Option<&str>,
) -> Result<Dyn<'a>, ami_types::DecodeError> {
    let info = action.and_then(action_info);
    match info.map(|info| (info.decode_response)(msg)) {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) if msg.response() != Some("Error") => Err(e),
        _ => Ok(Dyn::new(ami_types::Ack::from_message(msg)?)),
    }
}
