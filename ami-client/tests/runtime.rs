//! The client against the embedded mock PBX over loopback: login, correlation, lists,
//! timeouts, disconnects, keepalive, backpressure, TLS and header injection.
#![cfg(feature = "mock")]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ami_client::mock::{Fault, MockPbx, Script};
use ami_client::{Client, Config, ConnectionState, Error, EventItem, Reconnect};
use ami_types::action::{Getvar, Ping, QueueStatus, Setvar};
use ami_types::{EncodeError, Event, EventKind, Message};

fn config(mock: &MockPbx) -> Config {
    Config::new("127.0.0.1", mock.addr().port(), "admin", "amp111").reconnect(Reconnect {
        enabled: true,
        initial: Duration::from_millis(20),
        max: Duration::from_millis(200),
    })
}

async fn connected(state: &mut tokio::sync::watch::Receiver<ConnectionState>) {
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| matches!(s, ConnectionState::Connected { .. })),
    )
    .await
    .expect("reconnected in time")
    .expect("state channel open");
}

#[tokio::test]
async fn plain_login_and_typed_ping() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let reply = client.send(&Ping::new()).await.unwrap();
    let pong = reply.decode().unwrap();
    assert_eq!(pong.ping, Some("Pong"));
    assert!(
        matches!(*client.state().borrow(), ConnectionState::Connected { ref greeting } if greeting.starts_with("Asterisk Call Manager/"))
    );
}

#[tokio::test]
async fn md5_login_never_sends_the_secret_and_nothing_precedes_authentication() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).md5()).await.unwrap();
    client.send(&Ping::new()).await.unwrap();
    let received = mock.received();
    let names: Vec<String> = received
        .iter()
        .map(|m| m.action().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        &names[..2],
        ["Challenge", "Login"],
        "only Challenge and Login before authentication"
    );
    let login = &received[1];
    assert_eq!(login.get("AuthType"), Some("MD5"));
    assert_eq!(login.get("Key").map(str::len), Some(32));
    assert!(
        received.iter().all(|m| m.get("Secret").is_none()),
        "the secret never crosses the wire"
    );
}

#[tokio::test]
async fn wrong_secret_is_a_login_error() {
    let mock = MockPbx::start().await.unwrap();
    let cfg = Config::new("127.0.0.1", mock.addr().port(), "admin", "wrong");
    let err = Client::connect(cfg).await.unwrap_err();
    assert!(
        matches!(err, Error::Login(ref m) if m.contains("Authentication failed")),
        "{err}"
    );
}

#[tokio::test]
async fn ten_thousand_concurrent_actions_are_all_answered_and_correlated() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).action_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10_000 {
        let client = client.clone();
        tasks.spawn(async move {
            let reply = client.send(&Getvar::new(format!("V{i}"))).await?;
            let id = reply
                .raw()
                .response
                .action_id()
                .unwrap_or_default()
                .to_owned();
            Ok::<_, Error>((i, id, reply.raw().response.clone()))
        });
    }
    let mut ids = HashSet::new();
    while let Some(joined) = tasks.join_next().await {
        let (_, id, _) = joined.unwrap().unwrap();
        assert!(ids.insert(id), "ActionIDs are unique");
    }
    assert_eq!(ids.len(), 10_000);
    assert_eq!(client.in_flight(), 0);
}

/// One at a time on an idle connection the caller writes its action itself and registers it
/// right after: on a multi-threaded runtime the reader, on another worker, may read the reply
/// before the registration is done, and must still find the action.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_at_a_time_on_two_workers_every_reply_finds_its_action() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    for i in 0..2_000 {
        let reply = tokio::time::timeout(Duration::from_secs(5), client.send(&Ping::new()))
            .await
            .unwrap_or_else(|_| panic!("Ping {i} got no reply"))
            .unwrap_or_else(|e| panic!("Ping {i} failed: {e}"));
        assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
        assert_eq!(client.in_flight(), 0, "Ping {i} left an entry behind");
    }
}

#[tokio::test]
async fn list_replies_are_collected_and_typed() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let reply = client.send(&QueueStatus::new()).await.unwrap();
    let list = reply.decode().unwrap();
    assert!(
        !list.items.is_empty(),
        "the mock replays the spec's QueueStatus example"
    );
    assert_eq!(
        list.complete
            .list_items
            .map(|n| n as usize)
            .unwrap_or(list.items.len()),
        list.items.len()
    );
}

#[tokio::test]
async fn streaming_a_list_yields_items_then_the_completion() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let mut stream = client.send_streaming(&QueueStatus::new()).await.unwrap();
    let mut names = Vec::new();
    while let Some(item) = stream.next().await {
        names.push(item.unwrap().event().unwrap_or_default().to_owned());
    }
    assert_eq!(
        names.last().map(String::as_str),
        Some("QueueStatusComplete")
    );
    assert!(names.len() > 1);
}

/// The next item of any `futures_core::Stream`, through the trait alone.
async fn next_of<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

#[tokio::test]
async fn list_and_event_streams_work_as_futures_streams() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let mut list = client.send_streaming(&QueueStatus::new()).await.unwrap();
    let mut names = Vec::new();
    while let Some(item) = next_of(&mut list).await {
        names.push(item.unwrap().event().unwrap_or_default().to_owned());
    }
    assert!(names.len() > 1, "{names:?}");
    assert_eq!(
        names.last().map(String::as_str),
        Some("QueueStatusComplete")
    );

    let mut hangups = client.events_of([EventKind::Hangup]);
    for channel in ["PJSIP/a-1", "PJSIP/b-2"] {
        mock.emit(Message::from_headers([
            ("Event", "Hangup"),
            ("Privilege", "call,all"),
            ("Channel", channel),
            ("Uniqueid", "1.1"),
            ("Cause", "16"),
        ]));
    }
    for channel in ["PJSIP/a-1", "PJSIP/b-2"] {
        let item = tokio::time::timeout(Duration::from_secs(5), next_of(&mut hangups))
            .await
            .expect("event in time")
            .expect("stream open");
        let EventItem::Event(event) = item else {
            panic!("no overflow expected: {item:?}");
        };
        assert_eq!(event.get("Channel"), Some(channel));
    }
    client.close();
    let end = tokio::time::timeout(Duration::from_secs(5), next_of(&mut hangups))
        .await
        .expect("ends in time");
    assert!(
        end.is_none(),
        "closing the client ends its streams: {end:?}"
    );
}

#[tokio::test]
async fn disconnect_mid_list_fails_the_call_promptly_and_reconnects() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).action_timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    let mut state = client.state();
    mock.fault(Fault::CloseMidList { after_items: 1 });
    let started = Instant::now();
    let err = client.send(&QueueStatus::new()).await.unwrap_err();
    assert!(matches!(err, Error::Disconnected { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "failed promptly, not at the timeout"
    );
    connected(&mut state).await;
    client
        .send(&Ping::new())
        .await
        .expect("works again after reconnecting");
}

#[tokio::test]
async fn a_stalled_server_gives_a_timeout_and_no_leak() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    mock.script("Ping", Script::NoReply);
    let err = client
        .send_timeout(&Ping::new(), Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { ref action, .. } if action == "Ping"),
        "{err}"
    );
    assert_eq!(client.in_flight(), 0, "the timed-out entry is removed");
    mock.clear_script("Ping");
    client.send(&Ping::new()).await.unwrap();
}

#[tokio::test]
async fn each_action_times_out_at_its_own_deadline() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    mock.script("Ping", Script::NoReply);
    // A long deadline first, then a shorter one: the timer must re-arm for the shorter.
    let long = {
        let client = client.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let r = client
                .send_timeout(&Ping::new(), Duration::from_secs(3))
                .await;
            (r, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let err = client
        .send_timeout(&Ping::new(), Duration::from_millis(150))
        .await
        .unwrap_err();
    let short = started.elapsed();
    assert!(matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(150)));
    assert!(
        short >= Duration::from_millis(150) && short < Duration::from_millis(1500),
        "{short:?}"
    );
    assert!(!long.is_finished(), "the longer deadline is not cut short");
    assert_eq!(client.in_flight(), 1);

    // A call whose future is dropped leaves no entry behind.
    let dropped = tokio::time::timeout(
        Duration::from_millis(50),
        client.send_timeout(&Ping::new(), Duration::from_secs(60)),
    )
    .await;
    assert!(dropped.is_err());
    assert_eq!(client.in_flight(), 1, "only the long call is left");

    let (r, took) = long.await.unwrap();
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(client.in_flight(), 0);
    mock.clear_script("Ping");
    client.send(&Ping::new()).await.unwrap();
}

#[tokio::test]
async fn events_received_before_a_reply_are_queued_by_the_time_it_returns() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let mut events = client.events_named(["UserEvent"]);
    mock.script(
        "Ping",
        Script::Reply(vec![
            Message::from_headers([("Event", "UserEvent"), ("UserEvent", "before")]),
            Message::from_headers([("Response", "Success"), ("Ping", "Pong")]),
        ]),
    );
    for _ in 0..20 {
        client.send(&Ping::new()).await.unwrap();
        assert_eq!(events.queued(), 1, "the event is there when the reply is");
        match events.next().await {
            Some(EventItem::Event(e)) => assert_eq!(e.get("UserEvent"), Some("before")),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn pending_actions_fail_at_once_when_the_connection_drops() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).action_timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    mock.script("Ping", Script::NoReply);
    let pending = {
        let client = client.clone();
        tokio::spawn(async move { client.send(&Ping::new()).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    mock.disconnect_all();
    let err = pending.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Disconnected { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn keepalive_detects_a_dead_peer_and_reconnects() {
    let mock = MockPbx::start().await.unwrap();
    let cfg = config(&mock).keepalive(Some(Duration::from_millis(100)), Duration::from_millis(200));
    let client = Client::connect(cfg).await.unwrap();
    let mut state = client.state();
    mock.fault(Fault::IgnorePings);
    let lost = tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| matches!(s, ConnectionState::Disconnected { reason } if reason.contains("keepalive"))),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    assert!(lost, "the dead peer was detected");
    connected(&mut state).await;
}

#[tokio::test]
async fn header_injection_is_refused_before_anything_is_sent() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let before = mock.received().len();
    let evil = Setvar::new("X", "1\r\nAction: Hangup\r\nChannel: /.*/");
    let err = client.send(&evil).await.unwrap_err();
    assert!(
        matches!(err, Error::Encode(EncodeError::HeaderInjection { .. })),
        "{err}"
    );
    client.send(&Ping::new()).await.unwrap();
    let after = mock.received();
    assert_eq!(after.len(), before + 1, "only the Ping reached the server");
    assert!(after
        .iter()
        .all(|m| m.action() != Some("Hangup") && m.action() != Some("Setvar")));
}

#[tokio::test]
async fn a_slow_subscriber_gets_a_counted_overflow_while_replies_keep_flowing() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).event_buffer(8))
        .await
        .unwrap();
    let mut slow = client.events_of([EventKind::Hangup]);
    for i in 0..100 {
        let uid = format!("1.{i}");
        mock.emit(Message::from_headers([
            ("Event", "Hangup"),
            ("Privilege", "call,all"),
            ("Channel", "PJSIP/a-1"),
            ("Uniqueid", uid.as_str()),
            ("Cause", "16"),
        ]));
    }
    // Replies are never held back by the full event queue.
    client.send(&Ping::new()).await.unwrap();
    let mut events = 0;
    let mut dropped = 0;
    while events + dropped < 100 {
        match tokio::time::timeout(Duration::from_secs(5), slow.next())
            .await
            .unwrap()
            .unwrap()
        {
            EventItem::Overflow { dropped: n } => dropped += n as usize,
            EventItem::Event(e) => {
                assert!(matches!(e.decode().unwrap(), Event::Hangup(_)));
                events += 1;
            }
        }
    }
    assert_eq!(events, 8, "the buffer held exactly its capacity");
    assert_eq!(dropped, 92, "every dropped event was counted");
}

#[tokio::test]
async fn filters_by_kind_skip_other_events() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let mut only_hangups = client.events_of([EventKind::Hangup]);
    mock.emit(Message::from_headers([
        ("Event", "Newexten"),
        ("Channel", "A"),
        ("Uniqueid", "1"),
    ]));
    mock.emit(Message::from_headers([
        ("Event", "Hangup"),
        ("Channel", "A"),
        ("Uniqueid", "1"),
    ]));
    let item = tokio::time::timeout(Duration::from_secs(5), only_hangups.next())
        .await
        .unwrap()
        .unwrap();
    let EventItem::Event(e) = item else {
        panic!("no overflow expected")
    };
    assert_eq!(e.name(), "Hangup");
}

#[tokio::test]
async fn async_originate_completes_with_its_originate_response() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let originate = ami_types::action::Originate::new("Local/100@test")
        .application("Wait")
        .data("5");
    let outcome = client.originate(originate).await.unwrap();
    assert_eq!(outcome.event.event(), Some("OriginateResponse"));
    assert_eq!(outcome.event.action_id(), outcome.response.action_id());
    let Event::OriginateResponse(r) = Event::decode(&outcome.event).unwrap() else {
        panic!("typed")
    };
    assert_eq!(r.response.as_wire(), "Success");
}

#[tokio::test]
async fn raw_actions_and_action_errors() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let err = client
        .send_raw([("Action", "NoSuchAction")])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Action { ref message, .. } if message.contains("Invalid/unknown command")),
        "{err}"
    );
    let ok = client.send_raw([("Action", "Ping")]).await.unwrap();
    assert_eq!(ok.response.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn filters_and_event_mask_are_reapplied_after_reconnect() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock).events("call").filter("Event: Hangup"))
        .await
        .unwrap();
    let mut state = client.state();
    client.send(&Ping::new()).await.unwrap();
    mock.disconnect_all();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| matches!(s, ConnectionState::Disconnected { .. })),
    )
    .await
    .unwrap()
    .unwrap();
    connected(&mut state).await;
    client.send(&Ping::new()).await.unwrap();
    let received = mock.received();
    let logins: Vec<&Message> = received
        .iter()
        .filter(|m| m.action() == Some("Login"))
        .collect();
    assert_eq!(logins.len(), 2);
    assert!(logins.iter().all(|m| m.get("Events") == Some("call")));
    let filters = received
        .iter()
        .filter(|m| m.action() == Some("Filter"))
        .count();
    assert_eq!(filters, 2, "the filter was applied after each login");
}

#[tokio::test]
async fn logoff_closes_for_good() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(config(&mock)).await.unwrap();
    let mut state = client.state();
    client.logoff().await.unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == ConnectionState::Closed),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(matches!(
        client.send(&Ping::new()).await,
        Err(Error::Closed | Error::NotConnected)
    ));
}

#[tokio::test]
async fn the_secret_never_appears_in_debug_output() {
    let cfg = Config::new("127.0.0.1", 1, "admin", "s3cr3t-value");
    let text = format!("{cfg:?}");
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(text.contains("redacted"));
}

#[cfg(feature = "tls")]
mod tls {
    use std::sync::Arc;

    use ami_client::mock::{MockConfig, MockPbx};
    use ami_client::tls::TlsConfig;
    use ami_client::{Client, Config, Error};
    use ami_types::action::Ping;
    use tokio_rustls::rustls::pki_types::PrivatePkcs8KeyDer;
    use tokio_rustls::rustls::ServerConfig;

    /// A mock PBX serving TLS with a certificate made now; returns it and the certificate PEM.
    async fn tls_mock() -> (MockPbx, String) {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let pem = certified.cert.pem();
        let key = PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der());
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key.into())
            .unwrap();
        let config = MockConfig {
            tls: Some(Arc::new(server)),
            ..MockConfig::default()
        };
        let pbx = MockPbx::start_with(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        (pbx, pem)
    }

    #[tokio::test]
    async fn tls_login_verifies_the_server_certificate() {
        let (pbx, pem) = tls_mock().await;
        let tls = TlsConfig::with_ca_pem("localhost", pem.as_bytes()).unwrap();
        let config = Config::new("127.0.0.1", pbx.addr().port(), "admin", "amp111").tls(tls);
        let client = Client::connect(config).await.unwrap();
        let reply = client.send(&Ping::new()).await.unwrap();
        assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
    }

    #[tokio::test]
    async fn an_untrusted_certificate_is_refused_without_downgrade() {
        let (pbx, _) = tls_mock().await;
        let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let tls = TlsConfig::with_ca_pem("localhost", other.cert.pem().as_bytes()).unwrap();
        let config = Config::new("127.0.0.1", pbx.addr().port(), "admin", "amp111").tls(tls);
        let err = Client::connect(config).await.unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{err}");
        assert!(
            pbx.received().is_empty(),
            "nothing was sent over an unverified connection"
        );
    }

    #[tokio::test]
    async fn a_wrong_server_name_is_refused() {
        let (pbx, pem) = tls_mock().await;
        let tls = TlsConfig::with_ca_pem("pbx.example.com", pem.as_bytes()).unwrap();
        let config = Config::new("127.0.0.1", pbx.addr().port(), "admin", "amp111").tls(tls);
        assert!(matches!(Client::connect(config).await, Err(Error::Tls(_))));
    }
}

#[tokio::test]
async fn refusing_plaintext_uses_md5_on_a_plain_connection() {
    let mock = MockPbx::start().await.unwrap();
    let mut cfg = config(&mock);
    cfg.refuse_plaintext = true;
    let client = Client::connect(cfg).await.unwrap();
    client.send(&Ping::new()).await.unwrap();
    assert!(mock.received().iter().all(|m| m.get("Secret").is_none()));
    assert!(mock
        .received()
        .iter()
        .any(|m| m.action() == Some("Challenge")));
}
