//! Property tests: every generated action, filled with arbitrary valid values, encodes to bytes
//! that frame and parse back to the same headers, and parses back to the same typed action.

use ami_types::dynamic::{ActionInfo, ParamInfo};
use ami_types::generated::ACTIONS;
use ami_types::{Frame, Framer, Message};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A value for one parameter of the given spec type, in the form the encoder writes it.
fn value(p: &ParamInfo) -> BoxedStrategy<String> {
    // Text that survives the wire: no CR/LF/NUL, no leading blank (Asterisk skips it).
    let text = "([!-~][ -~]{0,24})?";
    match p.ty {
        "int" => any::<i64>().prop_map(|n| n.to_string()).boxed(),
        "uint" | "duration_s" | "duration_ms" => any::<u32>().prop_map(|n| n.to_string()).boxed(),
        "float" => (-1.0e9f64..1.0e9).prop_map(|f| f.to_string()).boxed(),
        "bool" => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        "enum" if !p.values.is_empty() => {
            let known = proptest::sample::select(p.values.to_vec()).prop_map(str::to_owned);
            prop_oneof![3 => known, 1 => "[A-Za-z][A-Za-z0-9_]{0,12}"].boxed()
        }
        "list" => proptest::collection::vec("[A-Za-z0-9_]{1,8}", 1..4)
            .prop_map(|items| items.join(","))
            .boxed(),
        "variable" => ("[A-Za-z_][A-Za-z0-9_]{0,10}", "[ -~]{0,16}")
            .prop_map(|(n, v)| format!("{n}={v}"))
            .boxed(),
        _ => text.boxed(),
    }
}

/// Headers for one action: required params always, optional ones sometimes, repeated and
/// indexed ones zero to three times, in spec order.
fn headers(info: &'static ActionInfo) -> BoxedStrategy<Vec<(String, String)>> {
    let per_param: Vec<BoxedStrategy<Vec<(String, String)>>> = info
        .params
        .iter()
        .map(|p| {
            let indexed = ami_types::indexed::pattern(p.name).filter(|_| p.indexed);
            let repeated = p.name == "Variable" && p.ty == "variable";
            let (min, max) = if indexed.is_some() || repeated {
                (0, 3)
            } else if p.required {
                (1, 1)
            } else {
                (0, 1)
            };
            proptest::collection::vec(value(p), min..=max)
                .prop_map(move |values| {
                    values
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| match indexed {
                            Some((stem, style)) => (ami_types::indexed::name(stem, style, i), v),
                            None => (p.name.to_owned(), v),
                        })
                        .collect()
                })
                .boxed()
        })
        .collect();
    per_param
        .prop_map(|groups| groups.into_iter().flatten().collect())
        .boxed()
}

fn frame_one(bytes: &[u8]) -> Message {
    let mut framer = Framer::without_greeting();
    framer.push(bytes);
    match framer.next_frame() {
        Some(Ok(Frame::Message(m))) => m,
        other => panic!("expected one message, got {other:?}"),
    }
}

#[test]
fn every_action_round_trips() {
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    for info in ACTIONS {
        runner
            .run(&headers(info), |headers| {
                let request = Message::from_headers(
                    std::iter::once(("Action", info.name))
                        .chain(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
                );
                let mut wire = Vec::new();
                (info.reencode)(&request, "rt-1", &mut wire)
                    .map_err(|e| TestCaseError::fail(format!("{}: {e}", info.name)))?;
                let parsed = frame_one(&wire);
                let got: Vec<(&str, &str)> =
                    parsed.iter().filter(|(n, _)| *n != "ActionID").collect();
                let want: Vec<(&str, &str)> = request.iter().collect();
                prop_assert_eq!(got, want, "action {}", info.name);
                prop_assert_eq!(parsed.action_id(), Some("rt-1"));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", info.name));
    }
}

#[test]
fn the_tables_cover_every_seed_action() {
    const SEED: [&str; 52] = [
        "AGI",
        "AOCMessage",
        "AbsoluteTimeout",
        "AgentLogoff",
        "Agents",
        "Atxfer",
        "BlindTransfer",
        "Bridge",
        "BridgeDestroy",
        "BridgeInfo",
        "BridgeKick",
        "BridgeList",
        "BridgeTechnologyList",
        "BridgeTechnologySuspend",
        "BridgeTechnologyUnsuspend",
        "Challenge",
        "ChangeMonitor",
        "Command",
        "ConfbridgeKick",
        "ConfbridgeList",
        "ConfbridgeListRooms",
        "ConfbridgeLock",
        "ConfbridgeMute",
        "ConfbridgeSetSingleVideoSrc",
        "ConfbridgeStartRecord",
        "DialplanExtensionAdd",
        "DialplanExtensionRemove",
        "Hangup",
        "Login",
        "Logoff",
        "Monitor",
        "Originate",
        "Park",
        "ParkedCalls",
        "Parkinglots",
        "QueueAdd",
        "QueuePause",
        "QueuePenalty",
        "QueueReload",
        "QueueRemove",
        "QueueReset",
        "QueueRule",
        "QueueStatus",
        "QueueSummary",
        "Redirect",
        "SIPnotify",
        "SIPpeers",
        "SIPpeerstatus",
        "SIPqualifypeer",
        "SIPshowpeer",
        "SIPshowregistry",
        "Status",
    ];
    for name in SEED {
        assert!(
            ACTIONS.iter().any(|a| a.name == name),
            "seed action {name} missing"
        );
    }
    let only_20 = [
        "Monitor",
        "ChangeMonitor",
        "SIPnotify",
        "SIPpeers",
        "SIPpeerstatus",
        "SIPqualifypeer",
        "SIPshowpeer",
        "SIPshowregistry",
    ];
    for name in only_20 {
        let info = ACTIONS.iter().find(|a| a.name == name).expect("present");
        assert_eq!(
            info.removed,
            Some("21"),
            "{name} exists only up to Asterisk 20"
        );
    }
}
