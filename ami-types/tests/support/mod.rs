//! Checks shared by the generated example tests: a spec wire example must re-encode and decode.

use ami_types::generated::{action_info, event_info};
use ami_types::value::parse_bool;
use ami_types::{encode_action, Action, DecodeError, Frame, Framer, Message, MessageKind};

/// Splits transcript text into messages (blank-line separated, `\n` or `\r\n` line ends).
pub fn messages(text: &str) -> Vec<Message> {
    let mut framer = Framer::without_greeting();
    framer.push(text.as_bytes());
    framer.push(b"\r\n\r\n");
    let mut out = Vec::new();
    while let Some(frame) = framer.next_frame() {
        match frame.expect("example text frames") {
            Frame::Message(m) => out.push(m),
            Frame::Greeting(g) => panic!("unexpected greeting {g:?} in an example"),
        }
    }
    out
}

/// The request re-encodes to the same headers (ActionID aside), and every response and event
/// decodes into its typed form with no unknown header.
pub fn check_example<A: Action>(request: &str, response: &str) {
    let requests = messages(request);
    let request = requests.first().expect("an example has a request");
    let info = action_info(A::NAME).expect("action in the tables");
    let responses = messages(response);
    match A::from_params(request) {
        Ok(action) => {
            let action_id = request.action_id().unwrap_or("example-1");
            let mut wire = Vec::new();
            encode_action(&action, action_id, &mut wire).expect("example encodes");
            let encoded = messages(std::str::from_utf8(&wire).expect("utf-8"));
            assert_eq!(encoded.len(), 1, "one action encodes to one message");
            let bools: Vec<&str> = info
                .params
                .iter()
                .filter(|p| p.ty == "bool")
                .map(|p| p.name)
                .collect();
            assert_eq!(
                normalise(&encoded[0], &bools),
                normalise(request, &bools),
                "re-encoded request differs"
            );
        }
        // A request without a required parameter cannot be built with the typed API; the
        // example shows Asterisk refusing it.
        Err(DecodeError::MissingField { .. }) => {
            assert!(
                responses.iter().all(|m| m.response() == Some("Error")),
                "a request missing a required parameter should be refused"
            );
        }
        Err(e) => panic!("request does not parse: {e}"),
    }

    for msg in responses {
        match msg.kind() {
            MessageKind::Response => {
                let decoded = (info.decode_response)(&msg);
                let decoded = match decoded {
                    Ok(d) => d,
                    Err(e) if msg.response() == Some("Error") => {
                        let _ = e;
                        continue;
                    }
                    Err(e) => panic!("response {msg:?} does not decode: {e}"),
                };
                assert!(
                    decoded.unknown.is_empty(),
                    "{}: unknown headers {:?}",
                    decoded.type_name,
                    decoded.unknown
                );
            }
            MessageKind::Event => {
                let name = msg.event().unwrap_or_default();
                let info =
                    event_info(name).unwrap_or_else(|| panic!("event {name} is not in the spec"));
                let decoded = (info.decode)(&msg)
                    .unwrap_or_else(|e| panic!("event {name} does not decode: {e}"));
                assert!(
                    decoded.unknown.is_empty(),
                    "{name}: unknown headers {:?}",
                    decoded.unknown
                );
            }
            _ => panic!("unexpected message in a response transcript: {msg:?}"),
        }
    }
}

/// Headers without ActionID, names lowercased (AMI names are case-insensitive), the action
/// name lowercased too, booleans in one spelling, sorted by name (the order of parameters does
/// not matter to Asterisk; repeated headers keep their order).
fn normalise(msg: &Message, bools: &[&str]) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = msg
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("ActionID"))
        .map(|(n, v)| {
            let v = if n.eq_ignore_ascii_case("Action") {
                v.to_ascii_lowercase()
            } else if bools.iter().any(|b| b.eq_ignore_ascii_case(n)) {
                parse_bool(v).map_or_else(|_| v.to_owned(), |b| b.to_string())
            } else {
                v.to_owned()
            };
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    headers
}
