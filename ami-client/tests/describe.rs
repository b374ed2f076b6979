//! `ami describe` and `ami list`, run as a user would: the binary, its output and exit codes.
#![cfg(feature = "mock")] // the `ami` binary needs the mock feature

use std::process::{Command, Output};

fn ami(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(args)
        .output()
        .expect("ami runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "ami failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn describe_queue_status_shows_the_list_events_and_their_rust_types() {
    let text = stdout(&ami(&["describe", "QueueStatus"]));
    assert!(
        text.starts_with("QueueStatus (action, module app_queue)\n"),
        "{text}"
    );
    for expected in [
        "Rust type: ami_types::action::QueueStatus",
        "Response:  list: EventList<QueueStatusItem, QueueStatusComplete>",
        "QueueStatusItem::QueueParams(QueueParams)",
        "QueueStatusItem::QueueMember(QueueMember)",
        "QueueStatusItem::QueueEntry(QueueEntry)",
        "QueueStatusComplete  ends the list",
        "EventList: Complete and ListItems",
        "Reference: docs/reference/app_queue.md#action-queuestatus",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
}

#[test]
fn describe_takes_several_names_in_any_case() {
    let text = stdout(&ami(&["describe", "originateresponse", "DEVICESTATE"]));
    assert!(
        text.contains("OriginateResponse (event, module manager)"),
        "{text}"
    );
    assert!(text.contains("the later outcome of Originate"), "{text}");
    assert!(text.contains("DeviceState (enum, module"), "{text}");
    assert!(text.contains("NOT_INUSE"), "{text}");
}

#[test]
fn describe_points_the_reference_at_an_existing_page() {
    let text = stdout(&ami(&["describe", "AOC-D"]));
    let reference = text
        .lines()
        .find_map(|l| l.strip_prefix("Reference: "))
        .expect("a reference line");
    let (page, anchor) = reference.split_once('#').expect("an anchor");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(page);
    let page_text = std::fs::read_to_string(&path).expect("the reference page exists");
    assert_eq!(anchor, "event-aoc-d");
    assert!(
        page_text.contains("### Event `AOC-D`"),
        "{}",
        path.display()
    );
}

#[test]
fn unknown_names_fail_with_a_suggestion() {
    let out = ami(&["describe", "QueueStauts"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "ami: \"QueueStauts\" is not in the spec; did you mean QueueStatus?"
    );
    let out = ami(&["describe"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_prints_one_line_per_item() {
    let actions = stdout(&ami(&["list", "actions"]));
    assert!(actions.lines().count() > 150, "{actions}");
    let ping = actions
        .lines()
        .find(|l| l.starts_with("Ping "))
        .expect("Ping is listed");
    assert!(ping.contains("manager"), "{ping}");
    let enums = stdout(&ami(&["list", "enums"]));
    assert!(
        enums.lines().any(|l| l.starts_with("HangupCause ")),
        "{enums}"
    );
    let all = stdout(&ami(&["list"]));
    for section in ["actions:", "events:", "fieldsets:", "enums:"] {
        assert!(all.lines().any(|l| l == section), "{section} missing");
    }
    let out = ami(&["list", "evnts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean events?"));
}
