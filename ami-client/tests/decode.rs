//! `ami decode` over every real capture: each message gets a typed form and no decode error.
#![cfg(feature = "mock")] // the `ami` binary needs the mock feature

use std::path::{Path, PathBuf};
use std::process::Command;

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/captures")
}

const KEYS: [&str; 8] = [
    "kind",
    "name",
    "action_id",
    "action",
    "type",
    "fields",
    "unknown",
    "error",
];

fn decode(scenario: &str) -> Vec<serde_json::Value> {
    let dir = captures();
    let received = std::fs::File::open(dir.join(format!("{scenario}.ami"))).expect("capture");
    let out = Command::new(env!("CARGO_BIN_EXE_ami"))
        .arg("decode")
        .arg("--sent")
        .arg(dir.join(format!("{scenario}.sent")))
        .stdin(received)
        .output()
        .expect("ami runs");
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| {
            // Exactly these top-level keys, in this order, as written.
            let value: serde_json::Value =
                serde_json::from_str(line).expect("one JSON object per line");
            let object = value.as_object().expect("an object");
            assert_eq!(object.len(), KEYS.len(), "{line}");
            let positions: Vec<usize> = KEYS
                .iter()
                .map(|k| {
                    line.find(&format!("\"{k}\":"))
                        .unwrap_or_else(|| panic!("{k} missing: {line}"))
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "keys out of order: {line}"
            );
            value
        })
        .collect()
}

fn scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(captures())
        .expect("fixtures")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".ami").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_captured_message_decodes_with_a_type() {
    let names = scenarios();
    assert!(names.len() >= 24, "all captures are present");
    for scenario in names {
        let reports = decode(&scenario);
        assert!(reports.len() > 1, "{scenario}: greeting and messages");
        assert_eq!(reports[0]["kind"], "greeting", "{scenario}");
        for r in &reports {
            assert!(r["error"].is_null(), "{scenario}: {r}");
            if r["kind"] != "greeting" {
                assert!(r["type"].is_string(), "{scenario}: untyped {r}");
            }
            // The spec knows every header Asterisk sent, except ListCommands' answer: one
            // header per action name, which depends on the modules loaded (see manager.toml).
            let unknown = r["unknown"].as_array().expect("unknown is a list");
            assert!(
                unknown.is_empty() || r["action"] == "ListCommands",
                "{scenario}: unknown headers {unknown:?} in {r}"
            );
        }
    }
}

#[test]
fn responses_are_matched_to_their_actions_and_typed() {
    let reports = decode("absolute_timeout");
    let login = &reports[1];
    assert_eq!(login["kind"], "response");
    assert_eq!(login["action"], "Login");
    assert_eq!(login["fields"]["message"], "Authentication accepted");

    let queue = decode("queue");
    let member = queue
        .iter()
        .find(|r| r["name"] == "QueueMember" && r["action"] == "QueueStatus")
        .expect("a QueueMember item of QueueStatus");
    assert_eq!(member["type"], "QueueMember");
    assert!(
        member["fields"]["penalty"].is_u64(),
        "typed penalty: {member}"
    );
    let complete = queue
        .iter()
        .find(|r| r["name"] == "QueueStatusComplete")
        .expect("complete");
    assert!(complete["fields"]["list_items"].is_u64(), "{complete}");
}

#[test]
fn events_decode_into_their_types_with_enums() {
    let reports = decode("originate");
    let hangup = reports
        .iter()
        .find(|r| r["name"] == "Hangup")
        .expect("a Hangup event");
    assert_eq!(hangup["type"], "Hangup");
    assert!(hangup["fields"]["cause"].is_string(), "{hangup}");
    assert!(
        hangup["fields"]["channel"]["channel"].is_string(),
        "channel snapshot: {hangup}"
    );
    let originate = reports
        .iter()
        .find(|r| r["name"] == "OriginateResponse")
        .expect("outcome");
    assert_eq!(
        originate["action"], "Originate",
        "matched through its ActionID"
    );
}

/// Runs `ami decode` on `received` given on stdin, without a `--sent` file.
fn decode_stdin(received: &[u8]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ami"))
        .arg("decode")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(received)?;
            child.wait_with_output()
        })
        .expect("ami runs")
}

#[test]
fn garbage_input_is_reported_without_panicking() {
    let out = decode_stdin(b"\xff\xfe garbage\r\nno colon here\r\n\r\n");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!text.is_empty(), "the garbage is reported, not dropped");
}

#[test]
fn list_items_glued_without_their_empty_line_decode_one_by_one() {
    // As chan_skinny writes SKINNYdevices: no empty line after each DeviceEntry.
    let out = decode_stdin(
        b"Event: DeviceEntry\r\nActionID: 5\r\nObjectName: desk1\r\n\
          Event: DeviceEntry\r\nActionID: 5\r\nObjectName: desk2\r\n\
          Event: DevicelistComplete\r\nEventList: Complete\r\nListItems: 2\r\n\
          ActionID: 5\r\n\r\n",
    );
    assert!(out.status.success());
    let reports: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let names: Vec<&str> = reports
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["DeviceEntry", "DeviceEntry", "DevicelistComplete"]);
}
