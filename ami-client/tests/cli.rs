//! The `ami` binary's live commands against the embedded mock PBX.
#![cfg(feature = "mock")]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ami_client::mock::MockPbx;
use ami_client::{Client, Config};
use ami_types::action::Ping;
use ami_types::Message;

fn ami(args: &[&str], port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ami"));
    cmd.args(args)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--username",
            "admin",
            "--secret",
            "amp111",
        ])
        .env_remove("AMI_HOST")
        .stdin(Stdio::null());
    cmd
}

async fn run(cmd: Command) -> Output {
    let mut cmd = cmd;
    tokio::task::spawn_blocking(move || cmd.output().expect("ami runs"))
        .await
        .unwrap()
}

#[tokio::test]
async fn send_prints_the_typed_reply_as_json() {
    let mock = MockPbx::start().await.unwrap();
    let out = run(ami(&["send", "Ping"], mock.addr().port())).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["action"], "Ping");
    assert_eq!(json["response"]["type"], "PingResponse");
    assert_eq!(json["response"]["fields"]["ping"], "Pong");
}

#[tokio::test]
async fn send_collects_lists_with_typed_items() {
    let mock = MockPbx::start().await.unwrap();
    let out = run(ami(&["send", "QueueStatus"], mock.addr().port())).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = json["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["type"] == "QueueMember"), "{json}");
    assert_eq!(events.last().unwrap()["type"], "QueueStatusComplete");
}

#[tokio::test]
async fn send_checks_parameters_against_the_spec_before_connecting() {
    // Port 1: nothing listens there, so these must fail before any connection attempt.
    let unknown = run(ami(
        &[
            "send",
            "QueueAdd",
            "--Queue",
            "q",
            "--Interface",
            "x",
            "--Bogus",
            "1",
        ],
        1,
    ))
    .await;
    assert_eq!(unknown.status.code(), Some(2));
    let text = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        text.contains("unknown parameter --Bogus; valid: Queue, Interface"),
        "{text}"
    );

    let missing = run(ami(&["send", "QueueAdd", "--Queue", "q"], 1)).await;
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("missing required parameter --Interface")
    );

    let typo = run(ami(&["send", "QueueStatsu"], 1)).await;
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean QueueStatus?"));
}

#[tokio::test]
async fn events_prints_json_lines_until_the_count() {
    let mock = MockPbx::start().await.unwrap();
    let child = ami(
        &["events", "--filter", "Hangup", "--count", "2"],
        mock.addr().port(),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while mock.logged_in() == 0 {
        assert!(Instant::now() < deadline, "ami events logged in");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for uid in ["1.1", "1.2", "1.3"] {
        mock.emit(Message::from_headers([
            ("Event", "Newexten"),
            ("Channel", "A"),
            ("Uniqueid", uid),
        ]));
        mock.emit(Message::from_headers([
            ("Event", "Hangup"),
            ("Channel", "A"),
            ("Uniqueid", uid),
            ("Cause", "16"),
        ]));
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "exactly --count events");
    assert!(lines
        .iter()
        .all(|l| l["name"] == "Hangup" && l["type"] == "Hangup"));
    assert_eq!(lines[0]["fields"]["cause"], "16");
}

#[tokio::test]
async fn mock_serves_a_real_client() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(["mock", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let config = Config::new("127.0.0.1", port, "admin", "amp111");
    let deadline = Instant::now() + Duration::from_secs(10);
    let client = loop {
        match Client::connect(config.clone()).await {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("ami mock never answered: {e}"),
        }
    };
    let reply = client.send(&Ping::new()).await.unwrap();
    assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
    child.kill().unwrap();
    child.wait().unwrap();
}
