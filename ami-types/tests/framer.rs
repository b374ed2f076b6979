//! Framing tests: real Asterisk 20 captures, wire quirks, limits, and properties.
//!
//! The captures in `fixtures/captures/*.ami` are the bytes a real server sent; every one must
//! frame without error, agree with the capture manifest, and give the same frames however the
//! bytes are split into chunks. Property tests also compare the framer with a naive reference
//! model on arbitrary input and check that limit errors do not depend on chunking.

use std::path::PathBuf;

use ami_types::{Frame, FrameError, Framer, Limits, Message, MessageKind};
use bytes::Bytes;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/captures");

/// What a framer produced, in an easily compared form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Greeting(String),
    Message(Vec<(String, String)>),
    Error(FrameError),
}

fn out(frame: Result<Frame, FrameError>) -> Out {
    match frame {
        Ok(Frame::Greeting(g)) => Out::Greeting(g),
        Ok(Frame::Message(m)) => Out::Message(pairs(&m)),
        Err(e) => Out::Error(e),
    }
}

fn pairs(m: &Message) -> Vec<(String, String)> {
    m.iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn msg(headers: &[(&str, &str)]) -> Out {
    Out::Message(
        headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// Pushes `data` in pieces cut at `cuts` (positions, any order, out-of-range ignored), taking
/// frames after every push; with `finish`, also drains [`Framer::finish`].
fn frame_with_cuts(mut framer: Framer, data: &[u8], cuts: &[usize], finish: bool) -> Vec<Out> {
    let mut cuts: Vec<usize> = cuts.iter().copied().filter(|&c| c < data.len()).collect();
    cuts.push(data.len());
    cuts.sort_unstable();
    let mut outs = Vec::new();
    let mut at = 0;
    for cut in cuts {
        framer.push(&data[at..cut]);
        at = cut;
        while let Some(f) = framer.next_frame() {
            outs.push(out(f));
        }
    }
    if finish {
        while let Some(f) = framer.finish() {
            outs.push(out(f));
        }
    }
    outs
}

/// Pushes `data` in pieces of the given sizes (cycled).
fn frame_with_sizes(framer: Framer, data: &[u8], sizes: &[usize], finish: bool) -> Vec<Out> {
    let mut cuts = Vec::new();
    let mut at = 0;
    for size in sizes.iter().copied().cycle() {
        at += size.max(1);
        if at >= data.len() || sizes.is_empty() {
            break;
        }
        cuts.push(at);
    }
    frame_with_cuts(framer, data, &cuts, finish)
}

fn frame_all(framer: Framer, data: &[u8]) -> Vec<Out> {
    frame_with_cuts(framer, data, &[], true)
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(CAPTURES)
        .expect("fixtures/captures exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ami"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "expected the capture fixtures");
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CAPTURES}/{name}.ami")).unwrap()
}

fn messages(outs: &[Out]) -> Vec<Message> {
    outs.iter()
        .filter_map(|o| match o {
            Out::Message(h) => Some(Message::from_headers(
                h.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn every_fixture_frames_without_error_and_matches_the_manifest() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{CAPTURES}/MANIFEST.json")).unwrap())
            .unwrap();
    for (name, data) in fixtures() {
        let outs = frame_all(Framer::new(), &data);
        assert_eq!(
            outs.first(),
            Some(&Out::Greeting("Asterisk Call Manager/9.0.0".into())),
            "{name}"
        );
        assert!(
            outs.iter().all(|o| !matches!(o, Out::Error(_))),
            "{name}: {outs:?}"
        );
        let msgs = messages(&outs);
        assert_eq!(outs.len(), msgs.len() + 1, "{name}: only one greeting");
        for m in &msgs {
            assert!(!m.is_empty(), "{name}: empty message");
            assert_ne!(m.kind(), MessageKind::Other, "{name}: {m:?}");
            assert!(
                m.iter().all(|(n, _)| !n.is_empty()),
                "{name}: line without colon: {m:?}"
            );
        }
        let scenario = &manifest["scenarios"][&name];
        let count = |k| msgs.iter().filter(|m| m.kind() == k).count() as u64;
        assert_eq!(
            Some(count(MessageKind::Response)),
            scenario["responses"].as_u64(),
            "{name}"
        );
        assert_eq!(
            Some(count(MessageKind::Event)),
            scenario["events"].as_u64(),
            "{name}"
        );
        for (event, n) in scenario["event_counts"].as_object().unwrap() {
            let seen = msgs
                .iter()
                .filter(|m| m.event() == Some(event.as_str()))
                .count();
            assert_eq!(Some(seen as u64), n.as_u64(), "{name}: {event}");
        }
        // Every response the manifest located starts where a response was framed.
        for action in scenario["actions"].as_array().unwrap() {
            if let (Some(id), Some(resp)) =
                (action["actionid"].as_str(), action["response"].as_str())
            {
                if action["timed_out"].as_bool() == Some(true) {
                    continue;
                }
                assert!(
                    msgs.iter()
                        .any(|m| m.response() == Some(resp) && m.action_id() == Some(id)),
                    "{name}: no {resp} response for {id}"
                );
            }
        }
    }
}

#[test]
fn every_fixture_frames_identically_in_one_byte_chunks() {
    for (name, data) in fixtures() {
        let whole = frame_all(Framer::new(), &data);
        let sizes = frame_with_sizes(Framer::new(), &data, &[1], true);
        assert_eq!(sizes, whole, "{name}");
    }
}

#[test]
fn reading_into_read_buf_frames_like_push() {
    use bytes::BufMut;
    for (name, data) in fixtures() {
        let whole = frame_all(Framer::new(), &data);
        let mut framer = Framer::new();
        let mut outs = Vec::new();
        for (i, piece) in data.chunks(97).enumerate() {
            let asked = piece.len() + i % 3;
            let mut room = framer.read_buf(asked);
            let offered = room.remaining_mut();
            assert!(offered >= (asked / 8).max(1), "{name}: at least an eighth");
            assert!(offered <= asked, "never more room than asked");
            // Fill what is offered (a socket read may bring less than the room).
            let (now, later) = piece.split_at(offered.min(piece.len()));
            room.put_slice(now);
            if !later.is_empty() {
                framer.push(later);
            }
            while let Some(f) = framer.next_frame() {
                outs.push(out(f));
            }
        }
        while let Some(f) = framer.finish() {
            outs.push(out(f));
        }
        assert_eq!(outs, whole, "{name}");
    }
}

#[test]
fn every_fixture_frames_identically_for_random_chunkings() {
    for (name, data) in fixtures() {
        let whole = frame_all(Framer::new(), &data);
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        });
        let len = data.len();
        let strategy = prop_oneof![
            proptest::collection::vec(1usize..=64, 1..32).prop_map(|s| (s, Vec::new())),
            proptest::collection::vec(0..len, 0..64).prop_map(|c| (Vec::new(), c)),
        ];
        runner
            .run(&strategy, |(sizes, cuts)| {
                let got = if sizes.is_empty() {
                    frame_with_cuts(Framer::new(), &data, &cuts, true)
                } else {
                    frame_with_sizes(Framer::new(), &data, &sizes, true)
                };
                prop_assert_eq!(&got, &whole);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn park_successful_bare_lf_quirk() {
    let outs = frame_all(Framer::new(), &fixture("park"));
    let msgs = messages(&outs);
    let parked: Vec<usize> = msgs
        .iter()
        .enumerate()
        .filter(|(_, m)| m.get("Message") == Some("Park successful"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(parked.len(), 2);
    for i in parked {
        assert_eq!(msgs[i].response(), Some("Success"));
        assert_eq!(msgs[i].len(), 3);
        assert_eq!(msgs[i + 1].event(), Some("BridgeCreate"));
    }

    let data = b"Response: Success\r\nActionID: 4\r\nMessage: Park successful\n\r\n\r\nEvent: BridgeCreate\r\n\r\n";
    assert_eq!(
        frame_all(Framer::without_greeting(), data),
        [
            msg(&[
                ("Response", "Success"),
                ("ActionID", "4"),
                ("Message", "Park successful")
            ]),
            msg(&[("Event", "BridgeCreate")]),
        ]
    );
}

#[test]
fn bare_lf_lines_and_stray_blank_lines() {
    let data = b"\r\n\nEvent: A\nKey: v\n\n\r\n\n\r\nEvent: B\r\nX: y\r\n\r\n\r\n";
    let expected = [
        msg(&[("Event", "A"), ("Key", "v")]),
        msg(&[("Event", "B"), ("X", "y")]),
    ];
    assert_eq!(frame_all(Framer::without_greeting(), data), expected);
    assert_eq!(frame_all(Framer::new(), data), expected);
}

/// Asterisk 18.19+/20.4+ end each `CoreShowChannelMap` list item with `\r\n\n` instead of
/// `\r\n\r\n` (asterisk/asterisk#761): the bare `\n` is the empty line that ends the item.
#[test]
fn core_show_channel_map_items_ending_in_crlf_lf() {
    let data = b"Response: Success\r\nActionID: 7\r\nEventList: start\r\n\r\n\
Event: CoreShowChannelMap\r\nActionID: 7\r\nChannel: PJSIP/a-1\r\nConnectedChannel: PJSIP/b-2\r\n\n\
Event: CoreShowChannelMap\r\nActionID: 7\r\nChannel: PJSIP/a-1\r\nConnectedChannel: Local/c@d-3;1\r\n\n\
Event: CoreShowChannelMapComplete\r\nActionID: 7\r\nEventList: Complete\r\nListItems: 2\r\n\r\n";
    let item = |connected| {
        msg(&[
            ("Event", "CoreShowChannelMap"),
            ("ActionID", "7"),
            ("Channel", "PJSIP/a-1"),
            ("ConnectedChannel", connected),
        ])
    };
    let expected = [
        msg(&[
            ("Response", "Success"),
            ("ActionID", "7"),
            ("EventList", "start"),
        ]),
        item("PJSIP/b-2"),
        item("Local/c@d-3;1"),
        msg(&[
            ("Event", "CoreShowChannelMapComplete"),
            ("ActionID", "7"),
            ("EventList", "Complete"),
            ("ListItems", "2"),
        ]),
    ];
    assert_eq!(frame_all(Framer::without_greeting(), data), expected);
    assert_eq!(
        frame_with_sizes(Framer::without_greeting(), data, &[1], true),
        expected,
        "the same one byte at a time"
    );
}

#[test]
fn queue_rule_extra_empty_line() {
    let outs = frame_all(Framer::new(), &fixture("queue"));
    let msgs = messages(&outs);
    let rules: Vec<&Message> = msgs
        .iter()
        .filter(|m| m.get("RuleList").is_some())
        .collect();
    assert!(!rules.is_empty());
    for m in rules {
        assert_eq!(m.response(), Some("Success"));
        assert!(m.get_all("Rule").count() > 0);
    }
}

#[test]
fn split_between_cr_and_lf() {
    let data = b"Event: A\r\nKey: v\r\n\r\nEvent: B\r\n\r\n";
    let expected = frame_all(Framer::without_greeting(), data);
    assert_eq!(expected.len(), 2);
    for cut in 0..data.len() {
        let got = frame_with_cuts(Framer::without_greeting(), data, &[cut], true);
        assert_eq!(got, expected, "cut at {cut}");
    }
    let got = frame_with_cuts(Framer::without_greeting(), data, &[9, 10, 19, 20, 21], true);
    assert_eq!(got, expected);
}

#[test]
fn greeting_handling() {
    let outs = frame_all(
        Framer::new(),
        b"Asterisk Call Manager/1.1\r\nResponse: Goodbye\r\n\r\n",
    );
    assert_eq!(
        outs,
        [
            Out::Greeting("Asterisk Call Manager/1.1".into()),
            msg(&[("Response", "Goodbye")])
        ]
    );

    // No greeting: the first line starts a message.
    let outs = frame_all(
        Framer::new(),
        b"Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n",
    );
    assert_eq!(
        outs,
        [msg(&[("Event", "FullyBooted"), ("Status", "Fully Booted")])]
    );

    // A greeting-like line is a header when no greeting is expected.
    let outs = frame_all(
        Framer::without_greeting(),
        b"Asterisk Call Manager/9.0.0\r\n\r\n",
    );
    assert_eq!(outs, [msg(&[("", "Asterisk Call Manager/9.0.0")])]);
}

#[test]
fn legacy_command_output_becomes_output_headers() {
    let data: &[u8] = b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n\
Channel              Location             State   Application(Data)\n\
\n\
\x20  indented: with colon\n\
0 active channels\n\
--END COMMAND--\r\n\r\n\
Response: Follows\r\nPrivilege: Command\r\nno newline before the terminator--END COMMAND--\r\n\r\n\
Event: After\r\n\r\n";
    let expected = [
        msg(&[
            ("Response", "Follows"),
            ("Privilege", "Command"),
            ("ActionID", "c1"),
            (
                "Output",
                "Channel              Location             State   Application(Data)",
            ),
            ("Output", ""),
            ("Output", "   indented: with colon"),
            ("Output", "0 active channels"),
        ]),
        msg(&[
            ("Response", "Follows"),
            ("Privilege", "Command"),
            ("Output", "no newline before the terminator"),
        ]),
        msg(&[("Event", "After")]),
    ];
    assert_eq!(frame_all(Framer::without_greeting(), data), expected);
    assert_eq!(
        frame_with_sizes(Framer::without_greeting(), data, &[1], true),
        expected
    );
    assert_eq!(
        frame_with_sizes(Framer::without_greeting(), data, &[7, 3, 64], true),
        expected
    );

    let outs = frame_all(Framer::without_greeting(), data);
    let Out::Message(first) = &outs[0] else {
        panic!()
    };
    let m = Message::from_headers(first.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(m.response(), Some("Follows"));
    assert_eq!(m.get_all("output").count(), 4);

    // At end of input without the terminator, the output so far is returned.
    let outs = frame_all(
        Framer::without_greeting(),
        b"Response: Follows\r\nActionID: 2\r\nline\r\n",
    );
    assert_eq!(
        outs,
        [msg(&[
            ("Response", "Follows"),
            ("ActionID", "2"),
            ("Output", "line")
        ])]
    );
}

#[test]
fn too_many_headers_is_reported_once_then_the_next_message_frames() {
    let limits = Limits {
        max_headers: 3,
        ..Limits::default()
    };
    let data = b"Event: Big\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nEvent: Next\r\nA: 1\r\n\r\n";
    let expected = [
        Out::Error(FrameError::TooManyHeaders { limit: 3 }),
        msg(&[("Event", "Next"), ("A", "1")]),
    ];
    for sizes in [&[usize::MAX][..], &[1], &[5, 9]] {
        let got = frame_with_sizes(
            Framer::without_greeting().with_limits(limits),
            data,
            sizes,
            true,
        );
        assert_eq!(got, expected);
    }
    // Exactly at the limit is fine.
    let got = frame_all(
        Framer::without_greeting().with_limits(limits),
        b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n",
    );
    assert_eq!(got, [msg(&[("A", "1"), ("B", "2"), ("C", "3")])]);
}

#[test]
fn too_large_message_is_reported_once_then_the_next_message_frames() {
    let limits = Limits {
        max_message_bytes: 64,
        ..Limits::default()
    };
    let mut data = b"Event: Big\r\n".to_vec();
    for i in 0..20 {
        data.extend_from_slice(format!("Header{i}: value\r\n").as_bytes());
    }
    data.extend_from_slice(b"\r\nEvent: Next\r\n\r\n");
    let expected = [
        Out::Error(FrameError::MessageTooLarge { limit: 64 }),
        msg(&[("Event", "Next")]),
    ];
    for sizes in [&[usize::MAX][..], &[1], &[13, 2]] {
        let got = frame_with_sizes(
            Framer::without_greeting().with_limits(limits),
            &data,
            sizes,
            true,
        );
        assert_eq!(got, expected);
    }
    assert_eq!(
        FrameError::MessageTooLarge { limit: 1 << 20 }.to_string(),
        "message exceeds 1048576 bytes; skipped to the next blank line"
    );
}

#[test]
fn too_long_line_is_reported_once_then_the_next_message_frames() {
    let limits = Limits {
        max_line_bytes: 32,
        ..Limits::default()
    };
    let long = "x".repeat(100);
    let data = format!("Event: A\r\nLong: {long}\r\nMore: 1\r\n\r\nEvent: Next\r\n\r\n");
    let expected = [
        Out::Error(FrameError::LineTooLong { limit: 32 }),
        msg(&[("Event", "Next")]),
    ];
    for sizes in [&[usize::MAX][..], &[1], &[3, 40]] {
        let got = frame_with_sizes(
            Framer::without_greeting().with_limits(limits),
            data.as_bytes(),
            sizes,
            true,
        );
        assert_eq!(got, expected);
    }
    // A line of exactly the limit, `\r` not counted, is fine even when cut before its `\n`.
    let line = format!("K: {}\r\n\r\n", "v".repeat(29));
    for cut in 0..line.len() {
        let got = frame_with_cuts(
            Framer::without_greeting().with_limits(limits),
            line.as_bytes(),
            &[cut],
            true,
        );
        assert_eq!(
            got,
            [msg(&[("K", "v".repeat(29).as_str())])],
            "cut at {cut}"
        );
    }
}

#[test]
fn an_endless_message_never_grows_the_buffer_past_the_limits() {
    let limits = Limits {
        max_message_bytes: 4096,
        max_line_bytes: 1024,
        max_headers: 100,
    };
    let mut framer = Framer::without_greeting().with_limits(limits);
    let mut errors = 0;
    let chunk = b"Header: value value value\r\n".repeat(40);
    for _ in 0..1000 {
        framer.push(&chunk);
        while let Some(f) = framer.next_frame() {
            assert!(f.is_err());
            errors += 1;
        }
        assert!(
            framer.buffered() <= 4096 + chunk.len(),
            "{}",
            framer.buffered()
        );
    }
    assert_eq!(errors, 1);
    // One endless line, too.
    let mut framer = Framer::without_greeting().with_limits(limits);
    for _ in 0..1000 {
        framer.push(&[b'x'; 700]);
        while let Some(f) = framer.next_frame() {
            assert_eq!(f, Err(FrameError::LineTooLong { limit: 1024 }));
            errors += 1;
        }
        assert!(framer.buffered() <= 1024 + 700 + 1, "{}", framer.buffered());
    }
    assert_eq!(errors, 2);
    framer.push(b"\r\n\r\nEvent: Back\r\n\r\n");
    assert_eq!(
        framer.next_frame().map(out),
        Some(msg(&[("Event", "Back")]))
    );
}

#[test]
fn a_one_mib_command_reply_in_one_byte_chunks_is_framed_in_linear_time() {
    // Quadratic re-scanning would take hours here; linear framing takes well under a second.
    let line = format!("Output: {}\r\n", "x".repeat(90));
    let lines = (1 << 20) / line.len() - 1;
    let mut data = b"Response: Success\r\nActionID: big\r\n".to_vec();
    for _ in 0..lines {
        data.extend_from_slice(line.as_bytes());
    }
    data.extend_from_slice(b"\r\n");
    assert!(data.len() <= 1 << 20);
    let mut framer = Framer::without_greeting();
    let mut frames = Vec::new();
    for byte in &data {
        framer.push(std::slice::from_ref(byte));
        while let Some(f) = framer.next_frame() {
            frames.push(f);
        }
    }
    assert_eq!(frames.len(), 1);
    let Ok(Frame::Message(m)) = &frames[0] else {
        panic!("{frames:?}")
    };
    assert_eq!(m.action_id(), Some("big"));
    assert_eq!(m.get_all("Output").count(), lines);
    assert_eq!(framer.buffered(), 0);
}

#[test]
fn invalid_utf8_is_replaced() {
    let data = b"Event: X\xff\r\nKey: caf\xc3\xa9\r\nBad\xc3: \xe2\x82\r\n\r\n";
    let expected = [msg(&[
        ("Event", "X\u{fffd}"),
        ("Key", "caf\u{e9}"),
        ("Bad\u{fffd}", "\u{fffd}"),
    ])];
    assert_eq!(frame_all(Framer::without_greeting(), data), expected);
    assert_eq!(
        frame_with_sizes(Framer::without_greeting(), data, &[1], true),
        expected
    );
}

#[test]
fn finish_returns_a_trailing_message_without_its_blank_line() {
    let outs = frame_all(
        Framer::new(),
        b"Asterisk Call Manager/9.0.0\r\nResponse: Goodbye\r\nMessage: Thanks\r\nPartial: li",
    );
    assert_eq!(
        outs,
        [
            Out::Greeting("Asterisk Call Manager/9.0.0".into()),
            msg(&[("Response", "Goodbye"), ("Message", "Thanks")]),
        ]
    );
    assert_eq!(frame_all(Framer::new(), b""), []);
    assert_eq!(frame_all(Framer::new(), b"Asterisk Call"), []);
    assert_eq!(frame_all(Framer::without_greeting(), b"Event: cut sh"), []);

    let mut framer = Framer::new();
    framer.push(b"Event: A\r\n\r\nEvent: B\r\n");
    assert_eq!(framer.finish().map(out), Some(msg(&[("Event", "A")])));
    assert_eq!(framer.finish().map(out), Some(msg(&[("Event", "B")])));
    assert_eq!(framer.finish(), None);
    assert_eq!(framer.buffered(), 0);
}

#[test]
fn message_lookups() {
    let data = b"Event: Status\r\nVariable: A=1\r\nUniqueid: u1\r\nvariable: B=2\r\nUniqueID: u2\r\nActionID: s1\r\n\r\n";
    let outs = frame_all(Framer::without_greeting(), data);
    let m = &messages(&outs)[0];
    assert_eq!(m.get("UNIQUEID"), Some("u1"));
    assert_eq!(m.get("uniqueid"), Some("u1"));
    assert_eq!(m.get_all("Variable").collect::<Vec<_>>(), ["A=1", "B=2"]);
    assert_eq!(m.position("actionid"), Some(5));
    assert_eq!(m.action_id(), Some("s1"));
    assert_eq!(m.event(), Some("Status"));
    assert_eq!(m.kind(), MessageKind::Event);

    // The framed message itself (not a rebuilt one) is zero-copy over the received text.
    let mut framer = Framer::without_greeting();
    framer.push(data);
    let Some(Ok(Frame::Message(m))) = framer.next_frame() else {
        panic!()
    };
    assert_eq!(m.as_bytes(), &data[..data.len() - 2]);
    assert_eq!(m.bytes(), &Bytes::copy_from_slice(&data[..data.len() - 2]));
    assert_eq!(m, m.detached());
    assert_eq!(m.iter().len(), 6);
}

/// Naive model of the framer without limits: lines split on `\n`, one `\r` dropped, the
/// unterminated tail ignored.
fn reference(data: &[u8], expect_greeting: bool) -> Vec<Out> {
    fn header(line: &[u8]) -> (String, String) {
        match line.iter().position(|&b| b == b':') {
            Some(c) => {
                let mut v = c + 1;
                while v < line.len() && (line[v] == b' ' || line[v] == b'\t') {
                    v += 1;
                }
                (lossy(&line[..c]), lossy(&line[v..]))
            }
            None => (String::new(), lossy(line)),
        }
    }
    fn lossy(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }
    let mut outs = Vec::new();
    let mut greeting = expect_greeting;
    let mut current: Vec<(String, String)> = Vec::new();
    // `Some(output_started)` inside a legacy reply.
    let mut legacy: Option<bool> = None;
    let mut pieces: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    pieces.pop(); // unterminated tail
    for raw in pieces {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if let Some(output_started) = legacy {
            if let Some(prefix) = line.strip_suffix(b"--END COMMAND--") {
                if !prefix.is_empty() {
                    current.push(("Output".into(), lossy(prefix)));
                }
                outs.push(Out::Message(std::mem::take(&mut current)));
                legacy = None;
                continue;
            }
            let (name, _) = header(line);
            let has_colon = line.contains(&b':');
            if !output_started
                && has_colon
                && (name.eq_ignore_ascii_case("Privilege") || name.eq_ignore_ascii_case("ActionID"))
            {
                current.push(header(line));
            } else {
                legacy = Some(true);
                current.push(("Output".into(), lossy(line)));
            }
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                outs.push(Out::Message(std::mem::take(&mut current)));
            }
            continue;
        }
        if greeting {
            greeting = false;
            let slash = line.iter().rposition(|&b| b == b'/');
            if !line.contains(&b':') && slash.is_some_and(|i| i > 0 && i + 1 < line.len()) {
                outs.push(Out::Greeting(lossy(line)));
                continue;
            }
        }
        let h = header(line);
        if current.is_empty()
            && h.0.eq_ignore_ascii_case("Response")
            && h.1.eq_ignore_ascii_case("Follows")
        {
            legacy = Some(false);
        }
        current.push(h);
    }
    outs
}

/// Bytes that exercise the framer: structure characters, the legacy markers, non-ASCII.
fn wire_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let atom = prop_oneof![
        4 => Just(b"\r\n".to_vec()),
        3 => Just(b"\n".to_vec()),
        2 => Just(b"\r".to_vec()),
        4 => Just(b": ".to_vec()),
        2 => Just(b":".to_vec()),
        6 => "[a-zA-Z0-9 /.-]{1,12}".prop_map(String::into_bytes),
        1 => Just(b"Response: Follows\r\n".to_vec()),
        1 => Just(b"--END COMMAND--".to_vec()),
        1 => Just(b"ActionID: 1\r\n".to_vec()),
        1 => Just(b"Asterisk Call Manager/9.0.0".to_vec()),
        1 => Just(vec![0xc3, 0xa9]),
        1 => Just(vec![0xff]),
        1 => Just(vec![0xe2, 0x82]),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(atom, 0..max).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(Config { cases: 512, failure_persistence: None, ..Config::default() })]

    #[test]
    fn framer_matches_the_reference_model(
        data in wire_bytes(80),
        greeting in any::<bool>(),
        sizes in proptest::collection::vec(1usize..=64, 1..8),
    ) {
        let framer = || if greeting { Framer::new() } else { Framer::without_greeting() };
        let expected = reference(&data, greeting);
        prop_assert_eq!(frame_with_cuts(framer(), &data, &[], false), expected.clone());
        prop_assert_eq!(frame_with_sizes(framer(), &data, &sizes, false), expected);
    }

    #[test]
    fn limit_errors_do_not_depend_on_chunking(
        data in wire_bytes(120),
        max_line in 0usize..24,
        max_msg in 0usize..96,
        max_headers in 0usize..6,
        cuts in proptest::collection::vec(0usize..2000, 0..40),
    ) {
        let limits = Limits { max_message_bytes: max_msg, max_headers, max_line_bytes: max_line };
        let framer = || Framer::new().with_limits(limits);
        let whole = frame_with_cuts(framer(), &data, &[], true);
        prop_assert_eq!(frame_with_cuts(framer(), &data, &cuts, true), whole.clone());
        prop_assert_eq!(frame_with_sizes(framer(), &data, &[1], true), whole.clone());
        for o in &whole {
            if let Out::Message(h) = o {
                prop_assert!(h.len() <= max_headers.max(1) || h.iter().any(|(n, _)| n == "Output"));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..1500),
        cuts in proptest::collection::vec(0usize..1500, 0..20),
    ) {
        let _ = frame_with_cuts(Framer::new(), &data, &cuts, true);
        let m = Message::parse(Bytes::from(data));
        for (n, v) in &m {
            prop_assert!(!n.contains('\n') && !v.contains('\n'));
        }
        let _ = (m.kind(), m.event(), m.action_id(), format!("{m:?}"));
    }
}

proptest! {
    #![proptest_config(Config { cases: 128, failure_persistence: None, ..Config::default() })]

    #[test]
    fn limits_hold_with_larger_bounds(
        data in wire_bytes(400),
        max_line in 16usize..200,
        max_msg in 64usize..2000,
        max_headers in 1usize..100,
        sizes in proptest::collection::vec(1usize..=300, 1..8),
    ) {
        let limits = Limits { max_message_bytes: max_msg, max_headers, max_line_bytes: max_line };
        let framer = || Framer::without_greeting().with_limits(limits);
        let whole = frame_with_cuts(framer(), &data, &[], true);
        prop_assert_eq!(frame_with_sizes(framer(), &data, &sizes, true), whole.clone());
        for o in &whole {
            if let Out::Message(h) = o {
                prop_assert!(h.len() <= max_headers);
                // Each `U+FFFD` stands for at least one raw byte; legacy output lines get the
                // name `Output`, which was not on the wire.
                let raw_len = |s: &str| s.chars().count();
                let within = h.iter().all(|(n, v)| {
                    raw_len(v) <= max_line && (n == "Output" || raw_len(n) + raw_len(v) <= max_line)
                });
                prop_assert!(within, "{:?}", h);
            }
        }
    }
}
