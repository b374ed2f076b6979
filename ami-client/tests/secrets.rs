//! Credentials never leak: not into logs (every event and span of the client and the mock, at
//! TRACE), not into `Debug` or `Display` of the configuration, the client, errors or actions,
//! not onto the wire with MD5, and not onto the screen when the `ami` command asks for them.
#![cfg(feature = "mock")]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ami_client::mock::{MockConfig, MockPbx, MockUser};
use ami_client::{Client, Config, ConnectionState, Error, Reconnect, Secret};
use ami_types::action::{
    Command as CliCommand, Getvar, Login, Originate, Ping, QueueStatus, Setvar, Status,
};
use ami_types::EncodeError;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;

const PLAIN: &str = "s3cr3t-Plain-7f1e";
const MD5: &str = "md5-S3cret-42aa";
const WRONG: &str = "wr0ng-S3cret-c0de";

/// Everything logged in this process, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs (once) a global subscriber recording every event and span at TRACE.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(capture.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        capture
    })
}

fn config(mock: &MockPbx, user: &str, secret: &str) -> Config {
    Config::new("127.0.0.1", mock.addr().port(), user, secret)
        .reconnect(Reconnect {
            enabled: true,
            initial: Duration::from_millis(10),
            max: Duration::from_millis(100),
        })
        .action_timeout(Duration::from_secs(5))
}

async fn ping_until_ok(client: &Client) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.send(&Ping::new()).await.is_err() {
        assert!(Instant::now() < deadline, "reconnected in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_logs_or_debug_output() {
    let logs = capture();
    let mock = MockPbx::start_with(
        MockConfig {
            users: vec![MockUser::new("admin", PLAIN), MockUser::new("md5user", MD5)],
            ..MockConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let mut shown = Vec::new();

    // Plain login, actions of every shape, a refused action, a reconnect (a second login),
    // a logoff.
    let cfg = config(&mock, "admin", PLAIN).filter("Event: Hangup");
    shown.push(format!("{cfg:?} {:?} {}", cfg.secret, cfg.secret));
    let client = Client::connect(cfg).await.unwrap();
    shown.push(format!("{client:?}"));
    client.send(&Ping::new()).await.unwrap();
    client.send(&Getvar::new("X")).await.unwrap();
    client.send(&QueueStatus::new()).await.unwrap();
    client
        .send(&CliCommand::new("core show version"))
        .await
        .unwrap();
    let refused = client
        .send(&Setvar::new("V", format!("{PLAIN}\r\nAction: Logoff")))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Encode(_)), "{refused:?}");
    shown.push(format!("{refused} {refused:?}"));
    // Wait for the loss to be seen: the mock's abort is asynchronous, so a ping sent at once
    // could still be answered on the old connection, which then drops under the logoff.
    let mut state = client.state();
    mock.disconnect_all();
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| matches!(s, ConnectionState::Disconnected { .. })),
    )
    .await
    .expect("the loss was seen in time")
    .unwrap();
    ping_until_ok(&client).await;
    client.logoff().await.unwrap();

    // MD5: the secret never crosses the wire, and the key derived from it is not logged.
    let client = Client::connect(config(&mock, "md5user", MD5).md5())
        .await
        .unwrap();
    client.send(&Ping::new()).await.unwrap();
    client.close();
    let received = mock.received();
    let keys: Vec<String> = received
        .iter()
        .filter_map(|m| m.get("Key").map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 1, "one MD5 login");
    assert!(received.iter().all(|m| m.get("Secret") != Some(MD5)));

    // A wrong secret: the error says so without repeating it.
    let err = Client::connect(config(&mock, "admin", WRONG))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Login(_)), "{err:?}");
    shown.push(format!("{err} {err:?}"));

    // Actions that carry credentials.
    let login = Login::new("admin").secret(PLAIN).key(keys[0].clone());
    shown.push(format!("{login:?} {login:#?}"));
    shown.push(format!("{:?} {}", Secret::new(WRONG), Secret::new(WRONG)));

    let logs = logs.text();
    assert!(
        logs.contains("TRACE") && logs.contains("sent") && logs.contains("connection lost"),
        "the capture sees the client's logs:\n{logs}"
    );
    assert!(logs.contains("mock session open"), "and the mock's");
    let shown = shown.join("\n");
    for secret in [PLAIN, MD5, WRONG, keys[0].as_str()] {
        assert!(!logs.contains(secret), "{secret:?} logged:\n{logs}");
        assert!(!shown.contains(secret), "{secret:?} shown:\n{shown}");
    }
    assert!(shown.contains("redacted"), "{shown}");
}

// ---------------------------------------------------------------------------------------------
// Header injection.

#[tokio::test]
async fn header_injection_is_refused_in_every_value_before_anything_is_sent() {
    let mock = MockPbx::start().await.unwrap();
    let port = mock.addr().port();
    let client = Client::connect(Config::new("127.0.0.1", port, "admin", "amp111"))
        .await
        .unwrap();
    mock.clear_received();
    let injected = |e: &Error| {
        matches!(
            e,
            Error::Encode(EncodeError::HeaderInjection { .. } | EncodeError::InvalidName { .. })
        )
    };
    for bad in [
        "x\r\nAction: Hangup\r\nChannel: /.*/",
        "x\nAction: Hangup",
        "x\rAction: Hangup",
        "x\0Action: Hangup",
        "\r\n\r\nAction: Hangup\r\n\r\n",
    ] {
        let c = &client;
        let originate = |o: Originate| async move { c.send(&o).await.unwrap_err() };
        let errors = [
            // A plain parameter, a variable's name and value, a list item, a repeated value.
            originate(Originate::new(bad)).await,
            originate(Originate::new("PJSIP/a").variables((bad, "1"))).await,
            originate(Originate::new("PJSIP/a").variables(("A", bad))).await,
            originate(
                Originate::new("PJSIP/a")
                    .variables(("A", "1"))
                    .variables(("B", bad)),
            )
            .await,
            originate(Originate::new("PJSIP/a").codecs(["ulaw", bad])).await,
            client.send(&Setvar::new(bad, "1")).await.unwrap_err(),
            client
                .send(&Status::new().variables([bad]))
                .await
                .unwrap_err(),
            client.send(&Getvar::new(bad)).await.unwrap_err(),
            // Raw actions: values and names.
            client
                .send_raw([("Action", "Ping"), ("X-Note", bad)])
                .await
                .unwrap_err(),
            client.send_raw([("Action", bad)]).await.unwrap_err(),
            client
                .send_raw([("Action", "Ping"), (bad, "1")])
                .await
                .unwrap_err(),
        ];
        for (i, e) in errors.iter().enumerate() {
            assert!(injected(e), "{bad:?} case {i}: {e:?}");
        }
        // Login fields: the login is refused before anything is written.
        let base = || {
            Config::new("127.0.0.1", port, "admin", "amp111").reconnect(Reconnect {
                enabled: false,
                ..Reconnect::default()
            })
        };
        for cfg in [
            Config::new("127.0.0.1", port, bad, "amp111"),
            Config::new("127.0.0.1", port, "admin", format!("amp111{bad}")),
            base().events(format!("on{bad}")),
            base().md5().events(format!("on{bad}")),
        ] {
            let e = Client::connect(cfg).await.unwrap_err();
            assert!(injected(&e), "{bad:?} login: {e:?}");
        }
        // A filter is refused when applied; the connection stays up without it.
        let filtered = Client::connect(base().filter(format!("Event: Hangup{bad}")))
            .await
            .unwrap();
        filtered.send(&Ping::new()).await.unwrap();
        filtered.close();
    }
    // A variable name with `=` would be cut there by Asterisk (`A=B=1` sets `A`): refused.
    let e = client
        .send(&Originate::new("PJSIP/a").variables(("A=B", "1")))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Encode(EncodeError::InvalidValue { ref header, .. }) if header == "Variable"),
        "{e:?}"
    );
    client.send(&Ping::new()).await.unwrap();
    // Nothing injected reached the server: no Hangup, no Filter, no login with a bad field.
    let received = mock.received();
    assert!(received.iter().all(|m| m.action() != Some("Hangup")
        && m.action() != Some("Filter")
        && m.action() != Some("Originate")
        && m.action() != Some("Setvar")
        && m.get_all("Action").count() == 1
        && m.iter().all(|(_, v)| !v.contains("Hangup"))
        && m.get("Username").is_none_or(|u| u == "admin")
        && m.get("Events").is_none_or(|e| e == "on")));
    assert!(received.iter().any(|m| m.action() == Some("Ping")));
}

// ---------------------------------------------------------------------------------------------
// The `ami` command's secret prompt.

fn ami(port: u16, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ami"));
    cmd.args(["send", "Ping", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .args(["--username", "admin"])
        .args(extra)
        .env_remove("AMI_HOST")
        .env_remove("AMI_SECRET");
    cmd
}

#[tokio::test]
async fn the_cli_reads_the_secret_from_the_environment_or_stdin() {
    let mock = MockPbx::start().await.unwrap();
    let port = mock.addr().port();
    // From the environment.
    let mut env = ami(port, &[]);
    env.env("AMI_SECRET", "amp111").stdin(Stdio::null());
    // From stdin (not a terminal): the first line.
    let mut piped = ami(port, &["--secret-prompt"]);
    piped
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let outputs = tokio::task::spawn_blocking(move || {
        let env = env.output().unwrap();
        let mut child = piped.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"amp111\nignored\n")
            .unwrap();
        (env, child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    for out in [outputs.0, outputs.1] {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("Pong"), "{stdout}");
        assert!(!stdout.contains("amp111") && !stderr.contains("amp111"));
    }
    assert!(mock
        .received()
        .iter()
        .any(|m| m.action() == Some("Login") && m.get("Secret") == Some("amp111")));
}

/// Whether `script` (util-linux) can give a child a terminal here.
/// Runs shell command `line` on a terminal (`script`) without `AMI_HOST` or `AMI_SECRET`,
/// types `keys` once `ami` shows its secret prompt, and returns everything the terminal showed
/// with the exit status.
fn type_at_prompt(line: &str, keys: &[u8]) -> (String, std::process::ExitStatus) {
    let mut child = Command::new("script")
        .args(["-qec", line, "/dev/null"])
        .env_remove("AMI_HOST")
        .env_remove("AMI_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains("AMI secret for admin") {
        assert!(
            Instant::now() < deadline,
            "no prompt: {:?}",
            String::from_utf8_lossy(&seen)
        );
        let n = stdout.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "ended before the prompt: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(keys).unwrap();
    stdin.flush().unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    (String::from_utf8_lossy(&seen).into_owned(), status)
}

fn script_works() -> bool {
    Command::new("script")
        .args(["-qec", "true", "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test]
async fn ctrl_c_at_the_cli_prompt_restores_the_terminal() {
    if !script_works() {
        eprintln!("skipped: `script` cannot allocate a terminal here");
        return;
    }
    // After `ami` is interrupted at the prompt, `stty -a` on the same terminal shows echo and
    // line editing back on.
    let line = format!(
        "{} send Ping --host 127.0.0.1 --port 9 --username admin; echo status=$?; stty -a",
        env!("CARGO_BIN_EXE_ami")
    );
    let (transcript, _) =
        tokio::task::spawn_blocking(move || type_at_prompt(&line, b"typed-so-far\x03"))
            .await
            .unwrap();
    assert!(transcript.contains("status=130"), "{transcript}");
    let settings: Vec<&str> = transcript.split_whitespace().collect();
    for on in ["echo", "icanon", "isig"] {
        assert!(settings.contains(&on), "{on} restored: {transcript}");
        assert!(
            !settings.contains(&format!("-{on}").as_str()),
            "{transcript}"
        );
    }
    assert!(!transcript.contains("typed-so-far"), "{transcript}");
}

#[tokio::test]
async fn the_cli_prompt_does_not_echo_the_secret() {
    if !script_works() {
        eprintln!("skipped: `script` cannot allocate a terminal here");
        return;
    }
    let mock = MockPbx::start().await.unwrap();
    let port = mock.addr().port();
    // No secret anywhere and stdin a terminal: `ami` prompts, with echo off.
    let line = format!(
        "{} send Ping --host 127.0.0.1 --port {port} --username admin",
        env!("CARGO_BIN_EXE_ami")
    );
    // Type the secret only once the prompt is shown (echo is off by then).
    let (transcript, status) =
        tokio::task::spawn_blocking(move || type_at_prompt(&line, b"amp111\r"))
            .await
            .unwrap();
    assert!(status.success(), "{transcript}");
    assert!(transcript.contains("Pong"), "{transcript}");
    assert!(
        !transcript.contains("amp111"),
        "the secret was echoed: {transcript}"
    );
}
