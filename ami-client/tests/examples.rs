//! The examples the README tells a newcomer to run, run against the embedded mock PBX: each
//! must succeed and end with the line its documentation promises.
//!
//! `cargo test` builds the examples of the package under test; a run limited with `--test`
//! does not, and then these tests fail saying so.
#![cfg(feature = "mock")]

use std::path::PathBuf;
use std::process::Command;

/// Runs a built example with `args` and returns its standard output.
fn run(example: &str, args: &[&str]) -> String {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/examples-<hash> → target/<profile>/examples/<name>
    let path: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join(example))
        .expect("target layout");
    assert!(
        path.exists(),
        "{} is not built: run `cargo test -p ami-client` (which builds the examples) or \
         `cargo build -p ami-client --examples` first",
        path.display()
    );
    let out = Command::new(&path)
        .args(args)
        .env_remove("AMI_HOST")
        .output()
        .expect("example runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{example} {args:?} failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The number on the last line, which must start with `label`.
fn last_figure(stdout: &str, label: &str) -> f64 {
    let last = stdout.lines().last().unwrap_or_default();
    let figure = last
        .strip_prefix(label)
        .unwrap_or_else(|| panic!("last line {last:?} does not start with {label:?}"));
    figure.trim().parse().expect("a number")
}

#[test]
fn quickstart_talks_to_the_embedded_mock() {
    let out = run("quickstart", &[]);
    for expected in [
        "using the embedded mock PBX",
        "Ping -> Some(\"Pong\")",
        "QueueStatus complete",
        "Originate -> Success",
        "event OriginateResponse",
        "logged off",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
}

#[test]
fn ping_flood_reports_a_rate_in_every_mode() {
    assert!(
        last_figure(
            &run("ping_flood", &["--count", "3000", "--inflight", "32"]),
            "actions/s:"
        ) > 0.0
    );
    for mode in ["--raw", "--raw-tokio"] {
        assert!(last_figure(&run("ping_flood", &["--count", "300", mode]), "actions/s:") > 0.0);
    }
    let compare = run("ping_flood", &["--count", "2000", "--compare"]);
    assert!(compare.contains("bare tokio:"), "{compare}");
    assert!(last_figure(&compare, "client / blocking:") > 0.0);
}

#[test]
fn event_sink_reports_a_rate() {
    assert!(last_figure(&run("event_sink", &["--count", "5000"]), "events/s:") > 0.0);
}
