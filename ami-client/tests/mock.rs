//! The embedded mock PBX, driven over real loopback sockets with a raw `TcpStream` (or a TLS
//! stream) and `ami_types::Framer`, independently of the client.
#![cfg(feature = "mock")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_client::mock::{Fault, MockConfig, MockPbx, MockUser, Script};
use ami_types::generated::ACTIONS;
use ami_types::{Frame, Framer, Message};
use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Longest wait for anything expected.
const WAIT: Duration = Duration::from_secs(2);

/// A raw AMI connection.
struct Conn<S> {
    io: S,
    framer: Framer,
    greeting: String,
    eof: bool,
}

impl Conn<TcpStream> {
    async fn connect(pbx: &MockPbx) -> Self {
        let tcp = TcpStream::connect(pbx.addr()).await.expect("connect");
        Conn::open(tcp).await
    }

    /// Connects and logs in as admin with this `Events:` mask; returns after the login reply
    /// (and FullyBooted when events are on).
    async fn login(pbx: &MockPbx, events: &str) -> Self {
        let mut c = Conn::connect(pbx).await;
        c.send(&[
            ("Action", "Login"),
            ("ActionID", "login"),
            ("Username", "admin"),
            ("Secret", "amp111"),
            ("Events", events),
        ])
        .await;
        let m = c.recv().await;
        assert_eq!(m.get("Message"), Some("Authentication accepted"), "{m:?}");
        if events != "off" {
            assert_eq!(c.recv().await.event(), Some("FullyBooted"));
        }
        c
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    async fn open(io: S) -> Self {
        let mut c = Conn {
            io,
            framer: Framer::new(),
            greeting: String::new(),
            eof: false,
        };
        match c.next_frame().await {
            Some(Frame::Greeting(g)) => c.greeting = g,
            other => panic!("expected a greeting, got {other:?}"),
        }
        c
    }

    /// The next frame, or `None` once the server closed (a partial message is dropped).
    async fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(frame) = self.framer.next_frame() {
                return Some(frame.expect("well-formed frame"));
            }
            if self.eof {
                return None;
            }
            let mut buf = [0u8; 16 * 1024];
            let read = timeout(WAIT, self.io.read(&mut buf))
                .await
                .expect("server answered in time");
            match read {
                Ok(0) | Err(_) => self.eof = true,
                Ok(n) => self.framer.push(&buf[..n]),
            }
        }
    }

    async fn recv(&mut self) -> Message {
        match self.next_frame().await {
            Some(Frame::Message(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.io.write_all(bytes).await.expect("write");
        self.io.flush().await.expect("flush");
    }

    async fn send(&mut self, headers: &[(&str, &str)]) {
        let mut text = String::new();
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        self.send_raw(text.as_bytes()).await;
    }

    /// Sends an action and returns the next message.
    async fn call(&mut self, headers: &[(&str, &str)]) -> Message {
        self.send(headers).await;
        self.recv().await
    }

    async fn expect_closed(&mut self) {
        if let Some(frame) = self.next_frame().await {
            panic!("expected the connection to close, got {frame:?}");
        }
    }

    /// Nothing arrives for `d` (and the connection stays open).
    async fn expect_quiet(&mut self, d: Duration) {
        if let Some(frame) = self.framer.next_frame() {
            panic!("unexpected {frame:?}");
        }
        let mut buf = [0u8; 1024];
        if let Ok(read) = timeout(d, self.io.read(&mut buf)).await {
            let n = read.expect("read");
            panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// Every byte until the server closes.
    async fn raw_until_closed(&mut self) -> Vec<u8> {
        let mut all = Vec::new();
        timeout(WAIT, async {
            let mut buf = [0u8; 4096];
            loop {
                match self.io.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => all.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await
        .expect("server closed in time");
        all
    }
}

fn assert_reply(m: &Message, response: &str, id: &str, message: &str) {
    assert_eq!(m.response(), Some(response), "{m:?}");
    assert_eq!(m.action_id(), Some(id), "{m:?}");
    assert_eq!(m.get("Message"), Some(message), "{m:?}");
}

fn event(name: &str, extra: &[(&str, &str)]) -> Message {
    let mut headers = vec![("Event", name), ("Privilege", "call,all")];
    headers.extend_from_slice(extra);
    Message::from_headers(headers)
}

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start(config: MockConfig) -> MockPbx {
    MockPbx::start_with(config, local())
        .await
        .expect("mock starts")
}

// --- connection and authentication ----------------------------------------------------------

#[tokio::test]
async fn greeting_carries_the_configured_version() {
    let pbx = MockPbx::start().await.unwrap();
    assert!(pbx.addr().ip().is_loopback());
    let c = Conn::connect(&pbx).await;
    assert_eq!(c.greeting, "Asterisk Call Manager/9.0.0");

    let pbx = start(MockConfig {
        version: "13.0.0".into(),
        ..MockConfig::default()
    })
    .await;
    assert_eq!(
        Conn::connect(&pbx).await.greeting,
        "Asterisk Call Manager/13.0.0"
    );
}

#[tokio::test]
async fn only_login_challenge_and_logoff_before_authentication() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::connect(&pbx).await;
    for action in [
        "Ping",
        "Command",
        "Originate",
        "QueueStatus",
        "NoSuchAction",
    ] {
        let m = c.call(&[("Action", action), ("ActionID", action)]).await;
        assert_reply(&m, "Error", action, "Permission denied");
    }
    let m = c.call(&[("ActionID", "x"), ("Foo", "bar")]).await;
    assert_reply(&m, "Error", "x", "Missing action in request");
    let m = c
        .call(&[
            ("Action", "Challenge"),
            ("ActionID", "c"),
            ("AuthType", "MD5"),
        ])
        .await;
    assert_eq!(m.response(), Some("Success"));
    let m = c.call(&[("Action", "Logoff"), ("ActionID", "bye")]).await;
    assert_reply(&m, "Goodbye", "bye", "Thanks for all the fish.");
    c.expect_closed().await;
    assert_eq!(pbx.logged_in(), 0);
}

#[tokio::test]
async fn plain_login_then_fully_booted_only_with_events_on() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::connect(&pbx).await;
    let m = c
        .call(&[
            ("action", "login"),
            ("actionid", "1"),
            ("username", "admin"),
            ("secret", "amp111"),
        ])
        .await;
    assert_reply(&m, "Success", "1", "Authentication accepted");
    let booted = c.recv().await;
    assert_eq!(booted.event(), Some("FullyBooted"));
    assert_eq!(booted.get("Privilege"), Some("system,all"));
    assert_eq!(booted.get("Status"), Some("Fully Booted"));
    assert!(booted.get("Uptime").is_some() && booted.get("LastReload").is_some());
    assert_eq!(booted.action_id(), None);
    let m = c
        .call(&[
            ("Action", "Login"),
            ("Username", "admin"),
            ("Secret", "amp111"),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Already authenticated"));
    assert_eq!(m.action_id(), None, "no ActionID sent, none echoed");
    assert_eq!(pbx.logged_in(), 1);

    // Events: off, and no FullyBooted with fully_booted = false either.
    let mut c = Conn::login(&pbx, "off").await;
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
    let quiet = start(MockConfig {
        fully_booted: false,
        ..MockConfig::default()
    })
    .await;
    let mut c = Conn::connect(&quiet).await;
    c.call(&[
        ("Action", "Login"),
        ("Username", "admin"),
        ("Secret", "amp111"),
    ])
    .await;
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
}

#[tokio::test]
async fn failed_login_waits_answers_and_closes() {
    let pbx = start(MockConfig {
        users: vec![
            MockUser::new("alice", "s3cret"),
            MockUser::new("bob", "hunter2"),
        ],
        ..MockConfig::default()
    })
    .await;
    for (user, secret) in [("alice", "wrong"), ("nobody", "s3cret"), ("bob", "")] {
        let mut c = Conn::connect(&pbx).await;
        let t0 = Instant::now();
        let m = c
            .call(&[
                ("Action", "Login"),
                ("ActionID", "l"),
                ("Username", user),
                ("Secret", secret),
            ])
            .await;
        assert!(
            t0.elapsed() >= Duration::from_millis(45),
            "auth_fail_delay is honoured"
        );
        assert_reply(&m, "Error", "l", "Authentication failed");
        c.expect_closed().await;
    }
    let mut c = Conn::connect(&pbx).await;
    let m = c
        .call(&[
            ("Action", "Login"),
            ("Username", "bob"),
            ("Secret", "hunter2"),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Authentication accepted"));
}

fn md5_hex(challenge: &str, secret: &str) -> String {
    let digest = Md5::digest(format!("{challenge}{secret}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn md5_login_via_challenge() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::connect(&pbx).await;
    for auth in [Some("sha1"), None] {
        let mut req = vec![("Action", "Challenge"), ("ActionID", "bad")];
        req.extend(auth.map(|a| ("AuthType", a)));
        let m = c.call(&req).await;
        assert_reply(&m, "Error", "bad", "Must specify AuthType");
    }
    let m = c
        .call(&[
            ("Action", "Challenge"),
            ("ActionID", "c1"),
            ("AuthType", "md5"),
        ])
        .await;
    assert_eq!(m.response(), Some("Success"));
    assert_eq!(m.action_id(), Some("c1"));
    let challenge = m.get("Challenge").expect("challenge").to_owned();
    assert!(
        !challenge.is_empty() && challenge.bytes().all(|b| b.is_ascii_digit()),
        "{challenge}"
    );
    let again = c
        .call(&[("Action", "Challenge"), ("AuthType", "MD5")])
        .await;
    assert_eq!(
        again.get("Challenge"),
        Some(challenge.as_str()),
        "one challenge per session"
    );

    let key = md5_hex(&challenge, "amp111");
    let m = c
        .call(&[
            ("Action", "Login"),
            ("ActionID", "l"),
            ("AuthType", "MD5"),
            ("Username", "admin"),
            ("Key", &key),
            ("Events", "off"),
        ])
        .await;
    assert_reply(&m, "Success", "l", "Authentication accepted");
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );

    // A wrong key, and MD5 without a challenge, fail.
    let mut c = Conn::connect(&pbx).await;
    let m = c
        .call(&[("Action", "Challenge"), ("AuthType", "MD5")])
        .await;
    let wrong = md5_hex(m.get("Challenge").unwrap(), "nope");
    let m = c
        .call(&[
            ("Action", "Login"),
            ("AuthType", "MD5"),
            ("Username", "admin"),
            ("Key", &wrong),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Authentication failed"));
    c.expect_closed().await;
    let mut c = Conn::connect(&pbx).await;
    let m = c
        .call(&[
            ("Action", "Login"),
            ("AuthType", "MD5"),
            ("Username", "admin"),
            ("Key", &key),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Authentication failed"));
}

#[tokio::test]
async fn ping_pong_with_timestamp() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    let m = c.call(&[("Action", "PING"), ("ACTIONID", "p-1")]).await;
    assert_eq!(
        m.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["Response", "ActionID", "Ping", "Timestamp"]
    );
    assert_eq!(m.response(), Some("Success"));
    assert_eq!(
        m.action_id(),
        Some("p-1"),
        "ActionId in any case, echoed as ActionID"
    );
    assert_eq!(m.get("Ping"), Some("Pong"));
    let (secs, micros) = m
        .get("Timestamp")
        .unwrap()
        .split_once('.')
        .expect("secs.micros");
    assert!(secs.parse::<u64>().unwrap() > 1_600_000_000);
    assert_eq!(micros.len(), 6);
    // An empty ActionID is not echoed; trailing spaces make another action, as in Asterisk.
    let m = c.call(&[("Action", "Ping"), ("ActionID", "")]).await;
    assert_eq!(m.action_id(), None);
    let m = c.call(&[("Action", "Ping  ")]).await;
    assert!(
        m.get("Message")
            .unwrap()
            .starts_with("Invalid/unknown command: Ping  ."),
        "{m:?}"
    );
}

// --- replies ----------------------------------------------------------------------------------

/// Reads an event list: ack, items, completion.
async fn read_list<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conn<S>,
) -> (Message, Vec<Message>, Message) {
    let ack = c.recv().await;
    assert_eq!(ack.get("EventList"), Some("start"), "{ack:?}");
    let mut items = Vec::new();
    loop {
        let m = c.recv().await;
        if m.get("EventList") == Some("Complete") {
            return (ack, items, m);
        }
        items.push(m);
    }
}

#[tokio::test]
async fn queue_status_replays_the_spec_list_with_the_request_action_id() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    c.send(&[
        ("Action", "QueueStatus"),
        ("ActionID", "q-42"),
        ("Queue", "Camp200"),
    ])
    .await;
    let (ack, items, complete) = read_list(&mut c).await;
    assert_eq!(
        ack.iter().collect::<Vec<_>>(),
        [
            ("Response", "Success"),
            ("ActionID", "q-42"),
            ("EventList", "start"),
            ("Message", "Queue status will follow"),
        ]
    );
    let names: Vec<_> = items.iter().map(|m| m.event().unwrap()).collect();
    assert_eq!(names, ["QueueParams", "QueueMember", "QueueEntry"]);
    for item in &items {
        assert_eq!(
            item.get_all("ActionID").collect::<Vec<_>>(),
            ["q-42"],
            "{item:?}"
        );
    }
    assert_eq!(complete.event(), Some("QueueStatusComplete"));
    assert_eq!(complete.action_id(), Some("q-42"));
    assert_eq!(complete.get("ListItems"), Some("3"));

    // Without an ActionID none is sent.
    c.send(&[("Action", "QueueStatus")]).await;
    let (ack, items, complete) = read_list(&mut c).await;
    assert!(ack.action_id().is_none() && complete.action_id().is_none());
    assert!(items.iter().all(|m| m.action_id().is_none()));

    // A list action without a list example answers an empty list.
    c.send(&[("Action", "CoreShowChannels"), ("ActionID", "e")])
        .await;
    let (ack, items, complete) = read_list(&mut c).await;
    assert_eq!(ack.action_id(), Some("e"));
    assert!(items.is_empty());
    assert_eq!(complete.event(), Some("CoreShowChannelsComplete"));
    assert_eq!(complete.action_id(), Some("e"));
    assert_eq!(complete.get("ListItems"), Some("0"));
}

#[tokio::test]
async fn originate_async_is_followed_by_originate_response() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "on").await;
    let m = c
        .call(&[
            ("Action", "Originate"),
            ("ActionID", "o-1"),
            ("Channel", "PJSIP/alice"),
            ("Context", "default"),
            ("Exten", "100"),
            ("Priority", "1"),
            ("Async", "yes"),
        ])
        .await;
    assert_reply(&m, "Success", "o-1", "Originate successfully queued");
    let ev = c.recv().await;
    assert_eq!(ev.event(), Some("OriginateResponse"));
    let names: Vec<_> = ev.iter().map(|(n, _)| n).collect();
    assert_eq!(names[..4], ["Event", "Privilege", "ActionID", "Response"]);
    assert_eq!(ev.action_id(), Some("o-1"));
    assert_eq!(ev.get("Response"), Some("Success"));
    assert_eq!(ev.get("Channel"), Some("PJSIP/alice"));
    assert_eq!(ev.get("Context"), Some("default"));
    assert_eq!(ev.get("Exten"), Some("100"));
    assert_eq!(ev.get("Reason"), Some("4"));
    assert!(ev.get("Uniqueid").is_some_and(|u| u.contains('.')));
    assert_eq!(ev.get("CallerIDNum"), Some("<unknown>"));
    assert_eq!(ev.get("CallerIDName"), Some("<unknown>"));
    // It decodes as the typed event.
    assert!(matches!(
        ami_types::Event::decode(&ev),
        Ok(ami_types::Event::OriginateResponse(_))
    ));

    // Without Async: the same reply and no event.
    let m = c
        .call(&[
            ("Action", "Originate"),
            ("ActionID", "o-2"),
            ("Channel", "PJSIP/bob"),
            ("Application", "Wait"),
        ])
        .await;
    assert_reply(&m, "Success", "o-2", "Originate successfully queued");
    c.expect_quiet(Duration::from_millis(60)).await;

    // Events off: no OriginateResponse either, as with Asterisk.
    let mut off = Conn::login(&pbx, "off").await;
    let m = off
        .call(&[
            ("Action", "Originate"),
            ("Channel", "PJSIP/c"),
            ("Async", "true"),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Originate successfully queued"));
    off.expect_quiet(Duration::from_millis(60)).await;
}

#[tokio::test]
async fn command_output() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    let m = c
        .call(&[
            ("Action", "Command"),
            ("ActionID", "v"),
            ("Command", "core  show version"),
        ])
        .await;
    assert_reply(&m, "Success", "v", "Command output follows");
    assert_eq!(
        m.get_all("Output").collect::<Vec<_>>(),
        ["Asterisk 20.0.0-mock"]
    );
    let m = c
        .call(&[("Action", "Command"), ("Command", "no such cli command")])
        .await;
    assert_eq!(m.response(), Some("Error"));
    assert_eq!(m.get("Message"), Some("Command output follows"));
    assert_eq!(
        m.get("Output"),
        Some("No such command 'no such cli command' (type 'core show help no such cli command' for other possible commands)")
    );
    let m = c.call(&[("Action", "Command")]).await;
    assert_eq!(
        (m.response(), m.get("Message")),
        (Some("Error"), Some("No command provided"))
    );
    pbx.script_command("sip show peers", ["Name/username Host", "0 sip peers"]);
    let m = c
        .call(&[("Action", "Command"), ("Command", "SIP show peers")])
        .await;
    assert_eq!(
        m.get_all("Output").collect::<Vec<_>>(),
        ["Name/username Host", "0 sip peers"]
    );
}

#[tokio::test]
async fn spec_defaults_and_unknown_actions() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    // A spec example with a single Success response is replayed with our ActionID.
    let m = c
        .call(&[
            ("Action", "Bridge"),
            ("ActionID", "b"),
            ("Channel1", "a"),
            ("Channel2", "b"),
        ])
        .await;
    assert_eq!(
        m.iter().collect::<Vec<_>>(),
        [
            ("Response", "Success"),
            ("ActionID", "b"),
            ("Message", "Channels have been bridged"),
        ]
    );
    let m = c
        .call(&[("Action", "hangup"), ("ActionID", "h"), ("Channel", "x")])
        .await;
    assert_reply(&m, "Success", "h", "Hangup accepted by the mock");
    let m = c
        .call(&[("Action", "NoSuchAction"), ("ActionID", "n")])
        .await;
    assert_reply(
        &m,
        "Error",
        "n",
        "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.",
    );
    let m = c
        .call(&[("Action", "CoreSettings"), ("ActionID", "s")])
        .await;
    assert_eq!(m.get("AMIversion"), Some("9.0.0"));
    assert_eq!(m.get("AsteriskVersion"), Some("20.0.0-mock"));
    let m = c.call(&[("Action", "ListCommands")]).await;
    assert!(m.get("QueueStatus").is_some() && m.get("Ping").is_some());
}

/// A value for a required parameter of this spec type.
fn sample(ty: &str, values: &[&str]) -> String {
    match ty {
        _ if !values.is_empty() => values[0].to_owned(),
        "bool" => "true".into(),
        "uint" | "int" | "duration_s" => "1".into(),
        "duration_ms" => "1000".into(),
        "variable" => "A=1".into(),
        _ => "x".into(),
    }
}

#[tokio::test]
async fn every_spec_action_gets_a_reply_its_typed_decoder_accepts() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    let mut errors = Vec::new();
    for (i, info) in ACTIONS.iter().enumerate() {
        if ["Login", "Logoff", "Challenge"].contains(&info.name) {
            continue;
        }
        let id = format!("spec-{i}");
        let params: Vec<(String, String)> = info
            .params
            .iter()
            .filter(|p| p.required)
            // Events "off" so that follow-up events of later examples stay away.
            .map(|p| {
                (
                    p.name.to_owned(),
                    if p.name == "EventMask" {
                        "off".into()
                    } else {
                        sample(p.ty, p.values)
                    },
                )
            })
            .collect();
        let mut req = vec![("Action", info.name), ("ActionID", id.as_str())];
        req.extend(params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        c.send(&req).await;
        let reply = c.recv().await;
        assert_eq!(
            reply.action_id(),
            Some(id.as_str()),
            "{}: {reply:?}",
            info.name
        );
        if reply.get("EventList") == Some("start") {
            assert!(info.list_complete.is_some(), "{}", info.name);
            loop {
                let m = c.recv().await;
                assert_eq!(m.action_id(), Some(id.as_str()), "{}: {m:?}", info.name);
                if m.get("EventList") == Some("Complete") {
                    assert_eq!(m.event(), info.list_complete, "{}", info.name);
                    break;
                }
                assert!(
                    info.list_items.iter().any(|n| m.event() == Some(n)),
                    "{}: item {m:?} is one of {:?}",
                    info.name,
                    info.list_items
                );
            }
        }
        if reply.response() != Some("Success") {
            errors.push(info.name);
        } else if let Err(e) = (info.decode_response)(&reply) {
            panic!("{}: {e} in {reply:?}", info.name);
        }
    }
    // Only Command ("x" is no CLI command) answers with an error.
    assert_eq!(errors, ["Command"]);
}

// --- events -----------------------------------------------------------------------------------

#[tokio::test]
async fn emit_reaches_sessions_with_events_on_only() {
    let pbx = MockPbx::start().await.unwrap();
    let mut on = Conn::login(&pbx, "on").await;
    let mut classes = Conn::login(&pbx, "call,agent").await;
    let mut off = Conn::login(&pbx, "off").await;
    let mut anonymous = Conn::connect(&pbx).await;
    assert_eq!((pbx.sessions(), pbx.logged_in()), (4, 3));

    pbx.emit(event("Newchannel", &[("Channel", "PJSIP/a-1")]));
    for c in [&mut on, &mut classes] {
        let ev = c.recv().await;
        assert_eq!(
            ev.iter().collect::<Vec<_>>(),
            [
                ("Event", "Newchannel"),
                ("Privilege", "call,all"),
                ("Channel", "PJSIP/a-1"),
            ]
        );
    }
    // The next thing the others see is the answer to a Ping: no event was queued for them.
    assert_eq!(
        off.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
    anonymous.expect_quiet(Duration::from_millis(20)).await;

    // The Events action switches them.
    let m = off
        .call(&[("Action", "Events"), ("ActionID", "e"), ("EventMask", "on")])
        .await;
    assert_eq!((m.action_id(), m.get("Events")), (Some("e"), Some("On")));
    let m = on.call(&[("Action", "Events"), ("EventMask", "off")]).await;
    assert_eq!(m.get("Events"), Some("Off"));
    let m = on.call(&[("Action", "Events"), ("EventMask", "")]).await;
    assert_eq!(m.get("Message"), Some("Invalid event mask"));
    pbx.emit_many([
        event("Hangup", &[("Cause", "16")]),
        event("Hangup", &[("Cause", "17")]),
    ]);
    assert_eq!(off.recv().await.get("Cause"), Some("16"));
    assert_eq!(off.recv().await.get("Cause"), Some("17"));
    assert_eq!(
        on.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
}

#[tokio::test]
async fn filters_select_events() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "on").await;
    let m = c
        .call(&[
            ("Action", "Filter"),
            ("ActionID", "f"),
            ("Operation", "Add"),
            ("Filter", "Event: Hangup"),
        ])
        .await;
    assert_reply(&m, "Success", "f", "Filter Added Successfully");
    let m = c
        .call(&[("Action", "Filter"), ("Filter", "!Cause: 17")])
        .await;
    assert_eq!(m.get("Message"), Some("Filter Added Successfully"));
    let m = c
        .call(&[
            ("Action", "Filter"),
            ("Operation", "Remove"),
            ("Filter", "x"),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Unknown operation"));
    pbx.emit(event("Newchannel", &[]));
    pbx.emit(event("Hangup", &[("Cause", "17")]));
    pbx.emit(event("Hangup", &[("Cause", "16")]));
    let ev = c.recv().await;
    assert_eq!((ev.event(), ev.get("Cause")), (Some("Hangup"), Some("16")));
}

// --- faults -----------------------------------------------------------------------------------

#[tokio::test]
async fn fault_close_mid_message() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.fault(Fault::CloseMidMessage);
    c.send(&[("Action", "Ping"), ("ActionID", "p")]).await;
    let bytes = c.raw_until_closed().await;
    assert!(!bytes.is_empty(), "half a reply is sent");
    assert!(
        b"Response: Success\r\nActionID: p\r\nPing: Pong\r\n".starts_with(&bytes),
        "{bytes:?}"
    );
    // The next session is unaffected (the fault was one-shot).
    let mut c = Conn::login(&pbx, "off").await;
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
}

#[tokio::test]
async fn fault_close_mid_list_waits_for_a_list() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.fault(Fault::CloseMidList { after_items: 1 });
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong"),
        "not a list: untouched"
    );
    c.send(&[("Action", "QueueStatus"), ("ActionID", "q")])
        .await;
    let ack = c.recv().await;
    assert_eq!(ack.get("EventList"), Some("start"));
    assert_eq!(c.recv().await.event(), Some("QueueParams"));
    c.expect_closed().await;
}

#[tokio::test]
async fn transcript_scripts_replay_recorded_lists() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.script(
        "Agents",
        Script::from_transcript(
            "Response: Success\nEventList: start\nMessage: Agents will follow\n\n\
             Event: Agents\nAgent: 1\n\nEvent: Agents\nAgent: 2\n\n\
             Event: AgentsComplete\nEventList: Complete\nListItems: 2\n",
        ),
    );
    c.send(&[("Action", "Agents"), ("ActionID", "a")]).await;
    let (ack, items, complete) = read_list(&mut c).await;
    assert_eq!(ack.action_id(), Some("a"));
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|m| m.action_id() == Some("a")));
    assert_eq!(
        (complete.action_id(), complete.get("ListItems")),
        (Some("a"), Some("2"))
    );
    pbx.fault(Fault::CloseMidList { after_items: 1 });
    c.send(&[("Action", "Agents"), ("ActionID", "b")]).await;
    assert_eq!(c.recv().await.get("EventList"), Some("start"));
    assert_eq!(c.recv().await.get("Agent"), Some("1"));
    c.expect_closed().await;
}

#[tokio::test]
async fn fault_stall_stops_answering_but_keeps_reading() {
    let pbx = MockPbx::start().await.unwrap();
    let mut stalled = Conn::login(&pbx, "on").await;
    let mut other = Conn::login(&pbx, "on").await;
    pbx.fault(Fault::Stall);
    stalled
        .send(&[("Action", "Ping"), ("ActionID", "s1")])
        .await;
    stalled
        .send(&[("Action", "Ping"), ("ActionID", "s2")])
        .await;
    let t0 = Instant::now();
    while !pbx.received().iter().any(|m| m.action_id() == Some("s2")) {
        assert!(
            t0.elapsed() < WAIT,
            "actions of a stalled session are still read"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    pbx.emit(event("Newchannel", &[]));
    assert_eq!(other.recv().await.event(), Some("Newchannel"));
    stalled.expect_quiet(Duration::from_millis(50)).await;
    let ids: Vec<_> = pbx
        .received()
        .iter()
        .filter_map(|m| m.action_id().map(str::to_owned))
        .collect();
    assert!(ids.ends_with(&["s1".into(), "s2".into()]), "{ids:?}");
    assert_eq!(pbx.sessions(), 2, "still connected");
    assert_eq!(
        other.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
}

#[tokio::test]
async fn fault_garbage_before_the_reply() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.fault_on(
        "CoreStatus",
        Fault::Garbage(b"\x00\xffnoise\r\n\r\n".to_vec()),
    );
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong"),
        "fault_on waits for its action"
    );
    c.send(&[("Action", "CoreStatus"), ("ActionID", "g")]).await;
    let junk = c.recv().await;
    assert_eq!(
        junk.header(0).map(|(n, _)| n),
        Some(""),
        "a line without a colon: {junk:?}"
    );
    assert!(junk.value(0).contains("noise"));
    let m = c.recv().await;
    assert_eq!((m.response(), m.action_id()), (Some("Success"), Some("g")));
}

#[tokio::test]
async fn fault_slow_writes_dribble_the_reply() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.fault(Fault::SlowWrites {
        chunk: 8,
        delay: Duration::from_millis(5),
    });
    let t0 = Instant::now();
    let m = c.call(&[("Action", "Ping"), ("ActionID", "slow")]).await;
    // About 80 bytes in 8-byte writes 5 ms apart.
    assert!(
        t0.elapsed() >= Duration::from_millis(40),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!((m.action_id(), m.get("Ping")), (Some("slow"), Some("Pong")));
}

#[tokio::test]
async fn fault_ignore_pings_makes_a_dead_peer() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.fault(Fault::IgnorePings);
    c.send(&[("Action", "Ping"), ("ActionID", "1")]).await;
    c.send(&[("Action", "Ping"), ("ActionID", "2")]).await;
    let m = c.call(&[("Action", "CoreStatus"), ("ActionID", "3")]).await;
    assert_eq!(
        m.action_id(),
        Some("3"),
        "pings unanswered, other actions answered"
    );
    c.send(&[("Action", "Ping"), ("ActionID", "4")]).await;
    c.expect_quiet(Duration::from_millis(30)).await;
}

// --- scripts and the received log -------------------------------------------------------------

#[tokio::test]
async fn scripts_override_replies_until_cleared() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.script(
        "ping",
        Script::Reply(vec![Message::from_headers([
            ("Response", "Error"),
            ("ActionID", "placeholder"),
            ("Message", "Scripted"),
        ])]),
    );
    let m = c.call(&[("Action", "Ping"), ("ActionID", "s")]).await;
    assert_reply(&m, "Error", "s", "Scripted");

    pbx.script(
        "CoreShowChannels",
        Script::List {
            items: vec![
                event("CoreShowChannel", &[("Channel", "A")]),
                event("CoreShowChannel", &[("Channel", "B")]),
            ],
            complete: Message::from_headers([("Event", "CoreShowChannelsComplete")]),
        },
    );
    c.send(&[("Action", "CoreShowChannels"), ("ActionID", "l")])
        .await;
    let (ack, items, complete) = read_list(&mut c).await;
    assert_eq!(ack.action_id(), Some("l"));
    assert_eq!(
        items
            .iter()
            .map(|m| m.get("Channel").unwrap())
            .collect::<Vec<_>>(),
        ["A", "B"]
    );
    assert!(items.iter().all(|m| m.action_id() == Some("l")));
    assert_eq!(
        (complete.action_id(), complete.get("ListItems")),
        (Some("l"), Some("2"))
    );

    pbx.script("Hangup", Script::NoReply);
    c.send(&[("Action", "Hangup"), ("Channel", "x")]).await;
    c.expect_quiet(Duration::from_millis(30)).await;
    pbx.clear_script("PING");
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );

    pbx.script("Status", Script::Close);
    c.send(&[("Action", "Status")]).await;
    c.expect_closed().await;

    // A scripted Login success authenticates.
    pbx.script(
        "Login",
        Script::Reply(vec![Message::from_headers([
            ("Response", "Success"),
            ("Message", "Welcome"),
        ])]),
    );
    let mut c = Conn::connect(&pbx).await;
    let m = c
        .call(&[
            ("Action", "Login"),
            ("Username", "anyone"),
            ("Events", "off"),
        ])
        .await;
    assert_eq!(m.get("Message"), Some("Welcome"));
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );
}

#[tokio::test]
async fn received_logs_every_action_in_order() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::connect(&pbx).await;
    c.send(&[("Action", "Challenge"), ("AuthType", "MD5")])
        .await;
    c.recv().await;
    c.send(&[
        ("Action", "Login"),
        ("Username", "admin"),
        ("Secret", "amp111"),
        ("Events", "off"),
    ])
    .await;
    c.recv().await;
    c.call(&[("Action", "Ping"), ("ActionID", "after")]).await;
    let log = pbx.received();
    let actions: Vec<_> = log.iter().map(|m| m.action().unwrap()).collect();
    assert_eq!(actions, ["Challenge", "Login", "Ping"]);
    assert_eq!(log[1].get("Secret"), Some("amp111"));
    pbx.clear_received();
    assert!(pbx.received().is_empty());

    let limited = start(MockConfig {
        received_limit: 2,
        ..MockConfig::default()
    })
    .await;
    let mut c = Conn::login(&limited, "off").await;
    for id in ["1", "2", "3"] {
        c.call(&[("Action", "Ping"), ("ActionID", id)]).await;
    }
    let ids: Vec<_> = limited
        .received()
        .iter()
        .map(|m| m.action_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["2", "3"]);
}

// --- robustness and lifecycle ----------------------------------------------------------------

#[tokio::test]
async fn malformed_input_is_answered_not_fatal() {
    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    let long = format!("Action: Ping\r\nX: {}\r\n\r\n", "y".repeat(5000));
    c.send_raw(long.as_bytes()).await;
    let m = c.recv().await;
    assert_eq!(
        m.get("Message"),
        Some("Failed to parse message: line too long")
    );
    let mut many = String::from("Action: Ping\r\n");
    for i in 0..200 {
        many.push_str(&format!("H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    c.send_raw(many.as_bytes()).await;
    let m = c.recv().await;
    assert_eq!(
        m.get("Message"),
        Some("Too many lines in message or allocation failure")
    );
    c.send_raw(b"\xff\xfe\x00garbage without colon\n\n\n\r\nAction: Ping\nActionID: lf\n\n")
        .await;
    assert_eq!(
        c.recv().await.get("Message"),
        Some("Missing action in request")
    );
    assert_eq!(
        c.recv().await.action_id(),
        Some("lf"),
        "bare LF line ends work"
    );
}

#[tokio::test]
async fn disconnect_all_shutdown_and_drop_close_sessions() {
    let pbx = MockPbx::start().await.unwrap();
    let mut a = Conn::login(&pbx, "off").await;
    let mut b = Conn::connect(&pbx).await;
    assert_eq!(pbx.sessions(), 2);
    pbx.disconnect_all();
    assert_eq!(pbx.sessions(), 0);
    a.expect_closed().await;
    b.expect_closed().await;

    // A client that logs off is unregistered.
    let mut c = Conn::login(&pbx, "off").await;
    c.call(&[("Action", "Logoff")]).await;
    c.expect_closed().await;
    let t0 = Instant::now();
    while pbx.sessions() != 0 {
        assert!(t0.elapsed() < WAIT);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    let addr = pbx.addr();
    let mut c = Conn::login(&pbx, "off").await;
    pbx.shutdown().await;
    c.expect_closed().await;
    assert!(TcpStream::connect(addr).await.is_err(), "listener closed");

    let pbx = MockPbx::start().await.unwrap();
    let mut c = Conn::login(&pbx, "off").await;
    drop(pbx);
    c.expect_closed().await;
}

#[tokio::test]
async fn write_timeout_drops_a_client_that_does_not_read() {
    let pbx = start(MockConfig {
        write_timeout: Some(Duration::from_millis(50)),
        ..MockConfig::default()
    })
    .await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(pbx.addr()).await.unwrap();
    let mut c = Conn::open(tcp).await;
    c.call(&[
        ("Action", "Login"),
        ("Username", "admin"),
        ("Secret", "amp111"),
        ("Events", "on"),
    ])
    .await;
    assert_eq!(pbx.logged_in(), 1);
    let big = "z".repeat(900);
    let t0 = Instant::now();
    while pbx.sessions() == 1 {
        assert!(t0.elapsed() < WAIT, "session not dropped");
        pbx.emit_many((0..64).map(|_| event("Flood", &[("Data", &big)])));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// --- TLS --------------------------------------------------------------------------------------

#[cfg(feature = "tls")]
#[tokio::test]
async fn tls_login_with_a_self_signed_certificate() {
    use tokio_rustls::rustls::pki_types::{PrivatePkcs8KeyDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = certified.cert.der().clone();
    let key = PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key.into())
        .unwrap();
    let pbx = start(MockConfig {
        tls: Some(Arc::new(server)),
        ..MockConfig::default()
    })
    .await;

    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(pbx.addr()).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake");
    let mut c = Conn::open(tls).await;
    assert_eq!(c.greeting, "Asterisk Call Manager/9.0.0");
    let m = c
        .call(&[
            ("Action", "Login"),
            ("ActionID", "t"),
            ("Username", "admin"),
            ("Secret", "amp111"),
            ("Events", "off"),
        ])
        .await;
    assert_reply(&m, "Success", "t", "Authentication accepted");
    assert_eq!(
        c.call(&[("Action", "Ping")]).await.get("Ping"),
        Some("Pong")
    );

    // Plain TCP gets no AMI greeting from a TLS listener.
    let mut plain = TcpStream::connect(pbx.addr()).await.unwrap();
    plain.write_all(b"Action: Ping\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = timeout(WAIT, plain.read_to_end(&mut buf))
        .await
        .expect("closed in time");
    assert!(!buf.starts_with(b"Asterisk Call Manager"));
}

// --- throughput (informational) ---------------------------------------------------------------

/// Counts complete messages in a raw stream until `n` have arrived.
async fn count_messages(rd: &mut tokio::net::tcp::OwnedReadHalf, n: usize) {
    let mut framer = Framer::without_greeting();
    let mut buf = vec![0u8; 256 * 1024];
    let mut seen = 0;
    while seen < n {
        let k = rd.read(&mut buf).await.unwrap();
        assert!(k > 0, "closed after {seen} of {n}");
        framer.push(&buf[..k]);
        while let Some(f) = framer.next_frame() {
            if matches!(f, Ok(Frame::Message(_))) {
                seen += 1;
            }
        }
    }
}

/// `cargo test --release -p ami-client --test mock -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput figures, run in release"]
async fn mock_throughput() {
    let pbx = start(MockConfig {
        received_limit: 0,
        ..MockConfig::default()
    })
    .await;
    let tcp = TcpStream::connect(pbx.addr()).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let (mut rd, mut wr) = tcp.into_split();
    wr.write_all(b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: on\r\n\r\n")
        .await
        .unwrap();
    let mut greeting = [0u8; 29];
    rd.read_exact(&mut greeting).await.unwrap();
    count_messages(&mut rd, 2).await;

    const PINGS: usize = 500_000;
    let t0 = Instant::now();
    let writer = tokio::spawn(async move {
        let batch = "Action: Ping\r\nActionID: 123456\r\n\r\n".repeat(1000);
        for _ in 0..PINGS / 1000 {
            wr.write_all(batch.as_bytes()).await.unwrap();
        }
        wr
    });
    count_messages(&mut rd, PINGS).await;
    let _wr = writer.await.unwrap();
    println!(
        "pings/s (pipelined): {:.0}",
        PINGS as f64 / t0.elapsed().as_secs_f64()
    );

    const EVENTS: usize = 500_000;
    let sample = event(
        "Newexten",
        &[
            ("Channel", "PJSIP/alice-00000001"),
            ("Context", "default"),
            ("Exten", "200"),
            ("Uniqueid", "1700000000.1"),
        ],
    );
    let t0 = Instant::now();
    for _ in 0..EVENTS {
        pbx.emit(sample.clone());
    }
    let emitted = t0.elapsed();
    count_messages(&mut rd, EVENTS).await;
    println!(
        "emit: {:.0}/s, events/s end to end: {:.0}",
        EVENTS as f64 / emitted.as_secs_f64(),
        EVENTS as f64 / t0.elapsed().as_secs_f64()
    );
    let t0 = Instant::now();
    for _ in 0..EVENTS / 1000 {
        pbx.emit_many(std::iter::repeat_n(sample.clone(), 1000));
    }
    count_messages(&mut rd, EVENTS).await;
    println!(
        "emit_many events/s end to end: {:.0}",
        EVENTS as f64 / t0.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// A mock on a thread of its own, and bursts.

#[test]
fn a_background_mock_needs_no_runtime_and_stops_when_dropped() {
    let pbx = MockPbx::start_in_background(MockConfig::default(), "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let port = pbx.addr().port();
    // A runtime of the test's own talks to it; the mock keeps running between runtimes.
    for _ in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let config = ami_client::Config::new("127.0.0.1", port, "admin", "amp111");
            let client = ami_client::Client::connect(config).await.unwrap();
            let reply = client.send(&ami_types::action::Ping::new()).await.unwrap();
            assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
        });
    }
    drop(pbx);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener is gone with the handle"
    );
}

#[tokio::test]
async fn a_burst_delivers_every_event_in_order() {
    let pbx = MockPbx::start().await.unwrap();
    let config = ami_client::Config::new("127.0.0.1", pbx.addr().port(), "admin", "amp111")
        .event_buffer(10_000);
    let client = ami_client::Client::connect(config).await.unwrap();
    let mut events = client.events_named(["UserEvent"]);
    let event = Message::from_headers([("Event", "UserEvent"), ("UserEvent", "burst")]);
    pbx.emit_burst(&event, 2500);
    pbx.emit(Message::from_headers([
        ("Event", "UserEvent"),
        ("UserEvent", "last"),
    ]));
    let mut seen = 0;
    loop {
        match timeout(Duration::from_secs(10), events.next())
            .await
            .unwrap()
        {
            Some(ami_client::EventItem::Event(e)) if e.get("UserEvent") == Some("burst") => {
                seen += 1
            }
            Some(ami_client::EventItem::Event(e)) => {
                assert_eq!(e.get("UserEvent"), Some("last"));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seen, 2500);
}
