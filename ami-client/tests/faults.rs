//! Fault injection: the client against servers that break the connection at every byte, go
//! half-open, restart under load, answer out of order, lose or repeat ActionIDs, fail in the
//! middle of a list, send garbage, endless lines or endless lists — and against subscribers that
//! stop reading.
//!
//! For every fault the caller sees the right result or a typed error, nothing hangs (every wait
//! here is bounded), every response that arrived is delivered, and memory stays bounded.
//! Everything runs on loopback and the whole file takes a few seconds.
#![cfg(feature = "mock")]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ami_client::mock::{Fault, MockConfig, MockPbx, Script};
use ami_client::{Client, Config, ConnectionState, Error, EventItem, Reconnect};
use ami_types::action::{Getvar, Ping, QueueStatus, Setvar};
use ami_types::{Frame, Framer, Limits, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Upper bound for anything a test waits for: reaching it is a hang.
const HANG: Duration = Duration::from_secs(10);

/// Awaits `f`, failing the test if it takes longer than [`HANG`].
async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: hung for {HANG:?}"))
}

fn no_reconnect() -> Reconnect {
    Reconnect {
        enabled: false,
        ..Reconnect::default()
    }
}

fn quick_reconnect() -> Reconnect {
    Reconnect {
        enabled: true,
        initial: Duration::from_millis(10),
        max: Duration::from_millis(100),
    }
}

/// Settings for a raw test server: no keepalive, no reconnect, short timeouts.
fn raw_config(addr: SocketAddr) -> Config {
    Config::new("127.0.0.1", addr.port(), "admin", "amp111")
        .keepalive(None, Duration::from_secs(1))
        .reconnect(no_reconnect())
        .action_timeout(Duration::from_secs(5))
}

fn mock_config(mock: &MockPbx) -> Config {
    Config::new("127.0.0.1", mock.addr().port(), "admin", "amp111")
        .reconnect(quick_reconnect())
        .action_timeout(Duration::from_secs(5))
}

/// Pings until one succeeds (the client may still be noticing a lost connection, or
/// reconnecting); any failure on the way must be a connection error.
async fn ping_until_ok(client: &Client) {
    bounded("ping until ok", async {
        loop {
            match client.send(&Ping::new()).await {
                Ok(_) => return,
                Err(e) => {
                    assert!(e.is_connection(), "{e:?}");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    })
    .await
}

async fn wait_disconnected(client: &Client) {
    let mut state = client.state();
    bounded(
        "disconnect noticed",
        state.wait_for(|s| !matches!(s, ConnectionState::Connected { .. })),
    )
    .await
    .expect("state channel open");
}

async fn wait_connected(client: &Client) {
    let mut state = client.state();
    bounded(
        "reconnect",
        state.wait_for(|s| matches!(s, ConnectionState::Connected { .. })),
    )
    .await
    .expect("state channel open");
}

/// `\n`-separated text as wire bytes, with `{id}` replaced by an ActionID.
fn wire(template: &str, id: &str) -> Vec<u8> {
    template
        .replace("{id}", id)
        .replace('\n', "\r\n")
        .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// A raw AMI server whose every byte the test controls.

/// One accepted connection of a [`RawServer`].
struct Conn {
    stream: TcpStream,
    framer: Framer,
}

impl Conn {
    /// The next message the client sent; `None` once it closed.
    async fn request(&mut self) -> Option<Message> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.framer.next_frame() {
                if let Ok(Frame::Message(m)) = frame {
                    return Some(m);
                }
                continue;
            }
            match self.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.framer.push(&buf[..n]),
            }
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).await.is_ok()
    }

    /// Greeting, then accepts the `Login`; `None` if the client went away.
    async fn login(&mut self) -> Option<()> {
        self.write(b"Asterisk Call Manager/9.0.0\r\n").await;
        let login = self.request().await?;
        assert_eq!(login.action(), Some("Login"));
        let id = login.action_id().unwrap_or_default().to_owned();
        let reply = wire(LOGIN_REPLY, &id);
        self.write(&reply).await.then_some(())
    }

    /// Answers one request with `template` (`{id}`: its ActionID).
    async fn answer(&mut self, request: &Message, template: &str) -> bool {
        let id = request.action_id().unwrap_or_default().to_owned();
        self.write(&wire(template, &id)).await
    }

    /// Half-closes and waits (bounded) for the client to close, so that no unread bytes turn
    /// the close into a reset.
    async fn close(mut self) {
        let _ = self.stream.shutdown().await;
        let mut sink = [0u8; 4096];
        let _ = tokio::time::timeout(HANG, async {
            while let Ok(n) = self.stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    }
}

/// A loopback server running `handler` on each connection; aborted (with its connections)
/// when dropped.
struct RawServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn raw_server<F, Fut>(handler: F) -> RawServer
where
    F: Fn(Conn) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    conns.spawn(handler(Conn { stream, framer: Framer::without_greeting() }));
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
    });
    RawServer { addr, task }
}

// ---------------------------------------------------------------------------------------------
// The recorded exchange (from fixtures/captures/queue.ami, Asterisk 20).

const LOGIN_REPLY: &str = "Response: Success\nActionID: {id}\nMessage: Authentication accepted\n\n";

const PING_REPLY: &str =
    "Response: Success\nActionID: {id}\nPing: Pong\nTimestamp: 1795661609.123456\n\n";

const EVENT_1: &str = "Event: PeerStatus\nPrivilege: system,all\nChannelType: PJSIP\n\
    Peer: PJSIP/200\nPeerStatus: Reachable\n\n";

const EVENT_2: &str = "Event: Hangup\nPrivilege: call,all\nChannel: PJSIP/200-00000001\n\
    ChannelState: 6\nChannelStateDesc: Up\nCallerIDNum: 200\nCallerIDName: <unknown>\n\
    ConnectedLineNum: <unknown>\nConnectedLineName: <unknown>\nLanguage: en\nAccountCode: \n\
    Context: default\nExten: 100\nPriority: 1\nUniqueid: 1795661509.1\nLinkedid: 1795661509.1\n\
    Cause: 16\nCause-txt: Normal Clearing\n\n";

const LIST_ACK: &str =
    "Response: Success\nActionID: {id}\nEventList: start\nMessage: Queue status will follow\n\n";

const LIST_PARAMS: &str = "Event: QueueParams\nQueue: Camp200\nMax: 0\nStrategy: ringall\n\
    Calls: 0\nHoldtime: 0\nTalkTime: 0\nCompleted: 0\nAbandoned: 0\nServiceLevel: 0\n\
    ServicelevelPerf: 0.0\nServicelevelPerf2: 0.0\nWeight: 0\nActionID: {id}\n\n";

const LIST_MEMBER: &str = "Event: QueueMember\nQueue: Camp200\nName: Local/200@DialCamp\n\
    Location: Local/200@DialCamp\nStateInterface: Local/200@DialCamp\nMembership: static\n\
    Penalty: 0\nCallsTaken: 0\nLastCall: 0\nLastPause: 0\nLoginTime: 1795661509\nInCall: 0\n\
    Status: 1\nPaused: 0\nPausedReason: \nWrapuptime: 0\nActionID: {id}\n\n";

const LIST_COMPLETE: &str =
    "Event: QueueStatusComplete\nActionID: {id}\nEventList: Complete\nListItems: 3\n\n";

const EVENT_3: &str = "Event: FullyBooted\nPrivilege: system,all\nUptime: 109\n\
    LastReload: 109\nStatus: Fully Booted\n\n";

/// The server's side of the exchange: for each action the client sends, labelled messages.
fn exchange() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("Login", vec![("login", LOGIN_REPLY)]),
        (
            "Ping",
            vec![("ping", PING_REPLY), ("event", EVENT_1), ("event", EVENT_2)],
        ),
        (
            "QueueStatus",
            vec![
                ("ack", LIST_ACK),
                ("item", LIST_PARAMS),
                ("item", LIST_PARAMS),
                ("item", LIST_MEMBER),
                ("complete", LIST_COMPLETE),
                ("event", EVENT_3),
            ],
        ),
    ]
}

/// How the server ends the connection once its byte budget is spent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cut {
    /// FIN: an orderly close (the client reads everything sent).
    Close,
    /// RST: `SO_LINGER` 0 (bytes in flight may be lost).
    Reset,
}

/// Serves [`exchange`] but stops after `budget` bytes; records the labels of the messages it
/// sent completely and the bytes it wrote.
async fn cut_server(
    budget: usize,
    cut: Cut,
    sent: Arc<Mutex<(Vec<&'static str>, usize)>>,
) -> RawServer {
    raw_server(move |mut conn| {
        let sent = sent.clone();
        async move {
            let mut left = budget;
            let out = |bytes: &[u8], label: &'static str, left: &mut usize| {
                let k = bytes.len().min(*left);
                *left -= k;
                let mut s = sent.lock().unwrap();
                s.1 += k;
                if k == bytes.len() {
                    s.0.push(label);
                }
                bytes[..k].to_vec()
            };
            let greeting = out(b"Asterisk Call Manager/9.0.0\r\n", "greeting", &mut left);
            let mut ok = conn.write(&greeting).await;
            'steps: for (action, messages) in exchange() {
                if left == 0 || !ok {
                    break;
                }
                let Some(request) = conn.request().await else {
                    break;
                };
                assert_eq!(request.action(), Some(action), "the client's next action");
                let id = request.action_id().unwrap_or_default().to_owned();
                for (label, template) in messages {
                    let bytes = out(&wire(template, &id), label, &mut left);
                    ok = conn.write(&bytes).await;
                    if left == 0 || !ok {
                        break 'steps;
                    }
                }
            }
            match cut {
                Cut::Close => conn.close().await,
                Cut::Reset => {
                    // Linger 0: the close sends RST at once (and does not block).
                    #[allow(deprecated)]
                    let _ = conn.stream.set_linger(Some(Duration::ZERO));
                    drop(conn);
                }
            }
        }
    })
    .await
}

/// What the client saw of one cut exchange.
#[derive(Debug)]
struct Seen {
    connected: bool,
    ping: bool,
    list: bool,
    events: usize,
}

/// Runs the client's side of [`exchange`] against a server cut after `budget` bytes.
async fn run_cut(budget: usize, cut: Cut) -> (Seen, Vec<&'static str>, usize) {
    let sent = Arc::new(Mutex::new((Vec::new(), 0)));
    let server = cut_server(budget, cut, sent.clone()).await;
    let mut seen = Seen {
        connected: false,
        ping: false,
        list: false,
        events: 0,
    };
    let connect_error = |e: &Error| matches!(e, Error::Login(_) | Error::Io(_));
    match bounded("connect", Client::connect(raw_config(server.addr))).await {
        Err(e) => assert!(
            connect_error(&e),
            "budget {budget}: untyped connect error {e:?}"
        ),
        Ok(client) => {
            seen.connected = true;
            let mut events = client.events();
            match bounded("Ping", client.send(&Ping::new())).await {
                Ok(reply) => {
                    assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
                    seen.ping = true;
                }
                Err(e) => assert!(e.is_connection(), "budget {budget}: Ping: {e:?}"),
            }
            match bounded("QueueStatus", client.send(&QueueStatus::new())).await {
                Ok(reply) => {
                    let list = reply.decode().unwrap();
                    assert_eq!(list.items.len(), 3, "budget {budget}");
                    assert_eq!(list.complete.list_items, Some(3));
                    seen.list = true;
                }
                Err(e) => assert!(e.is_connection(), "budget {budget}: QueueStatus: {e:?}"),
            }
            // The connection ends (the server closes after its last message): the stream ends
            // too, after every event that arrived.
            while let Some(item) = bounded("events", events.next()).await {
                match item {
                    EventItem::Event(e) => {
                        assert!(e.decode().is_ok(), "{e:?}");
                        seen.events += 1;
                    }
                    EventItem::Overflow { .. } => panic!("no overflow expected"),
                }
            }
            assert_eq!(
                client.in_flight(),
                0,
                "budget {budget}: nothing left pending"
            );
        }
    }
    drop(server);
    let (labels, written) = sent.lock().unwrap().clone();
    (seen, labels, written)
}

/// Runs `run_cut` for every budget in `0..=max`, 16 at a time.
async fn every_offset(cut: Cut) -> usize {
    // The full exchange, to learn its length (ActionIDs vary by a few bytes between clients,
    // so a few budgets past the end are tried too).
    let (full, labels, total) = run_cut(usize::MAX, cut).await;
    assert!(full.connected && full.ping && full.list, "{full:?}");
    assert_eq!(full.events, 3, "{labels:?}");
    let budgets: Vec<usize> = (0..=total + 16).collect();
    for batch in budgets.chunks(16) {
        let mut runs = JoinSet::new();
        for &budget in batch {
            runs.spawn(async move { (budget, run_cut(budget, cut).await) });
        }
        while let Some(joined) = runs.join_next().await {
            let (budget, (seen, labels, _)) = joined.unwrap();
            let sent = |label: &str| labels.contains(&label);
            let events_sent = labels.iter().filter(|l| **l == "event").count();
            match cut {
                // An orderly close: exactly what was sent completely is delivered.
                Cut::Close => {
                    assert_eq!(seen.connected, sent("login"), "budget {budget}: {labels:?}");
                    assert_eq!(seen.ping, sent("ping"), "budget {budget}: {labels:?}");
                    assert_eq!(seen.list, sent("complete"), "budget {budget}: {labels:?}");
                    assert_eq!(seen.events, events_sent, "budget {budget}: {labels:?}");
                }
                // A reset may destroy bytes in flight: never more than was sent.
                Cut::Reset => {
                    assert!(!seen.connected || sent("login"), "budget {budget}");
                    assert!(!seen.ping || sent("ping"), "budget {budget}");
                    assert!(!seen.list || sent("complete"), "budget {budget}");
                    assert!(seen.events <= events_sent, "budget {budget}");
                }
            }
        }
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_at_every_byte_offset_delivers_exactly_what_arrived() {
    let total = every_offset(Cut::Close).await;
    assert!(total > 1500, "the exchange is {total} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_at_every_byte_offset_gives_typed_errors_and_no_hang() {
    every_offset(Cut::Reset).await;
}

// ---------------------------------------------------------------------------------------------
// Half-open peers, restarts, ordering, ActionIDs.

#[tokio::test]
async fn a_half_open_peer_is_detected_and_nothing_hangs() {
    // After login the peer neither reads nor writes nor closes, like a host that vanished.
    let server = raw_server(|mut conn| async move {
        if conn.login().await.is_some() {
            tokio::time::sleep(HANG * 2).await;
        }
    })
    .await;
    let config = raw_config(server.addr)
        .keepalive(Some(Duration::from_millis(200)), Duration::from_millis(200))
        .action_timeout(Duration::from_secs(3));
    let client = Client::connect(config).await.unwrap();
    let started = Instant::now();
    let mut calls = JoinSet::new();
    for i in 0..20 {
        let client = client.clone();
        calls.spawn(async move { client.send(&Getvar::new(format!("V{i}"))).await });
    }
    while let Some(joined) = calls.join_next().await {
        let err = joined.unwrap().unwrap_err();
        assert!(
            matches!(err, Error::Disconnected { .. } | Error::Timeout { .. }),
            "{err:?}"
        );
    }
    // The keepalive (200 ms + 200 ms) declares the peer dead before the 3 s action timeout.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let mut state = client.state();
    bounded("closed", state.wait_for(|s| *s == ConnectionState::Closed))
        .await
        .unwrap();
    assert_eq!(client.in_flight(), 0);
    assert!(client.send(&Ping::new()).await.unwrap_err().is_connection());
}

#[tokio::test]
async fn a_peer_that_never_reads_gets_a_bounded_write_backlog() {
    // After login the peer stops reading; with keepalive off nothing declares it dead, so the
    // actions written for it must stop piling up at the configured limit.
    let server = raw_server(|mut conn| async move {
        if conn.login().await.is_some() {
            tokio::time::sleep(HANG * 2).await;
        }
    })
    .await;
    let mut config = raw_config(server.addr).action_timeout(Duration::from_millis(100));
    config.max_write_buffer = 256 * 1024;
    let client = Client::connect(config).await.unwrap();
    let value = "x".repeat(32 * 1024);
    // 1 000 actions of 32 KiB at once: more than the socket buffers and the limit together.
    let mut calls = JoinSet::new();
    for _ in 0..1000 {
        let (client, value) = (client.clone(), value.clone());
        calls.spawn(async move { client.send(&Setvar::new("V", value)).await });
    }
    let (mut refused, mut timed_out) = (0, 0);
    while let Some(joined) = bounded("sends", calls.join_next()).await {
        match joined.unwrap() {
            Err(Error::WriteBacklog { limit: 262_144 }) => refused += 1,
            Err(Error::Timeout { .. }) => timed_out += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        refused > 0 && timed_out > 0,
        "{refused} refused, {timed_out} timed out"
    );
    assert_eq!(
        client.in_flight(),
        0,
        "refused actions leave nothing pending"
    );
}

#[tokio::test]
async fn a_stalled_mock_session_is_dropped_and_the_client_reconnects() {
    let mock = MockPbx::start().await.unwrap();
    let config =
        mock_config(&mock).keepalive(Some(Duration::from_millis(150)), Duration::from_millis(150));
    let client = Client::connect(config).await.unwrap();
    mock.fault(Fault::Stall);
    let err = client
        .send_timeout(&Ping::new(), Duration::from_secs(3))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Disconnected { .. }), "{err:?}");
    ping_until_ok(&client).await;
    assert_eq!(client.in_flight(), 0);
    assert_eq!(mock.sessions(), 1, "the stalled session is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarts_during_a_storm() {
    let mut mock = MockPbx::start().await.unwrap();
    let addr = mock.addr();
    let config = mock_config(&mock)
        .keepalive(Some(Duration::from_millis(300)), Duration::from_millis(500))
        .event_buffer(1 << 16);
    let client = Client::connect(config).await.unwrap();
    let tasks_before = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();

    // A subscriber reading everything.
    let mut events = client.events();
    let reader = tokio::spawn(async move {
        let (mut seen, mut dropped, mut markers) = (0usize, 0u64, 0usize);
        while let Some(item) = events.next().await {
            match item {
                EventItem::Event(e) if e.name() == "UserEvent" => markers += 1,
                // Sent by the mock after each login.
                EventItem::Event(e) if e.name() == "FullyBooted" => {}
                EventItem::Event(e) => {
                    assert_eq!(e.name(), "PeerStatus");
                    seen += 1;
                }
                EventItem::Overflow { dropped: n } => dropped += n,
            }
        }
        (seen, dropped, markers)
    });

    // Callers hammering the connection throughout.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut callers = JoinSet::new();
    for w in 0..4 {
        let (client, stop) = (client.clone(), stop.clone());
        callers.spawn(async move {
            let (mut ok, mut failed) = (0usize, 0usize);
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let name = format!("W{w}-{i}");
                match client.send(&Getvar::new(name.clone())).await {
                    Ok(reply) => {
                        assert_eq!(reply.raw().response.get("Variable"), Some(name.as_str()));
                        ok += 1;
                    }
                    Err(e) => {
                        assert!(
                            matches!(e, Error::Disconnected { .. } | Error::NotConnected),
                            "{e:?}"
                        );
                        failed += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
            (ok, failed)
        });
    }

    let storm = |mock: &MockPbx| {
        mock.emit_many((0..500).map(|i| {
            Message::from_headers([
                ("Event", "PeerStatus"),
                ("Privilege", "system,all"),
                ("ChannelType", "PJSIP"),
                ("Peer", "PJSIP/storm"),
                (
                    "PeerStatus",
                    if i % 2 == 0 {
                        "Reachable"
                    } else {
                        "Unreachable"
                    },
                ),
            ])
        }))
    };
    for _restart in 0..3 {
        for _ in 0..10 {
            storm(&mock);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        mock.shutdown().await;
        wait_disconnected(&client).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        mock = MockPbx::start_with(MockConfig::default(), addr)
            .await
            .unwrap();
        wait_connected(&client).await;
        // Subscribers see events again after the reconnect.
        mock.emit(Message::from_headers([
            ("Event", "UserEvent"),
            ("UserEvent", "marker"),
        ]));
    }
    for _ in 0..10 {
        storm(&mock);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut ok, mut failed) = (0, 0);
    while let Some(joined) = bounded("callers", callers.join_next()).await {
        let (o, f) = joined.unwrap();
        ok += o;
        failed += f;
    }
    assert!(ok > 100, "{ok} answered, {failed} failed");
    client.send(&Ping::new()).await.unwrap();
    assert_eq!(client.in_flight(), 0);
    // Three reconnects later the same tasks run (the connection's, the mock's, the reader):
    // nothing leaked.
    bounded("tasks settle", async {
        while tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
            > tasks_before + 1
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;

    client.close();
    let (seen, dropped, markers) = bounded("reader", reader).await.unwrap();
    assert_eq!(markers, 3, "events flow after every reconnect");
    assert!(
        seen > 1000 && dropped == 0,
        "{seen} events, {dropped} dropped"
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn responses_out_of_order_and_interleaved_lists_are_correlated() {
    const N: usize = 50;
    let server = raw_server(|mut conn| async move {
        if conn.login().await.is_none() {
            return;
        }
        // Collect N Getvars, answer them last first.
        let mut requests = Vec::new();
        while requests.len() < N {
            let Some(r) = conn.request().await else {
                return;
            };
            requests.push(r);
        }
        for r in requests.iter().rev() {
            let var = r.get("Variable").unwrap_or_default().to_owned();
            let reply =
                format!("Response: Success\nActionID: {{id}}\nVariable: {var}\nValue: v-{var}\n\n");
            conn.answer(r, &reply).await;
        }
        // Two lists, their items interleaved, the second completing first.
        let (Some(a), Some(b)) = (conn.request().await, conn.request().await) else {
            return;
        };
        for r in [&a, &b] {
            conn.answer(r, LIST_ACK).await;
        }
        for template in [LIST_PARAMS, LIST_PARAMS, LIST_MEMBER] {
            conn.answer(&b, template).await;
            conn.answer(&a, template).await;
        }
        conn.answer(&b, LIST_COMPLETE).await;
        conn.answer(&a, EVENT_1).await; // an unrelated event in between
        conn.answer(&a, LIST_COMPLETE).await;
        conn.close().await;
    })
    .await;
    let client = Client::connect(raw_config(server.addr)).await.unwrap();
    let mut calls = JoinSet::new();
    for i in 0..N {
        let client = client.clone();
        calls.spawn(async move {
            // Sent in order (each registers before the next is spawned to send).
            let reply = client.send(&Getvar::new(format!("V{i}"))).await.unwrap();
            assert_eq!(
                reply.raw().response.get("Value"),
                Some(format!("v-V{i}").as_str())
            );
        });
        tokio::task::yield_now().await;
    }
    while let Some(joined) = bounded("getvars", calls.join_next()).await {
        joined.unwrap();
    }
    let queue_status = QueueStatus::new();
    let (a, b) = tokio::join!(client.send(&queue_status), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        client.send(&queue_status).await
    });
    for reply in [a.unwrap(), b.unwrap()] {
        let list = reply.decode().unwrap();
        assert_eq!(list.items.len(), 3);
        let id = reply.raw().response.action_id().unwrap();
        assert!(reply.raw().events.iter().all(|e| e.action_id() == Some(id)));
    }
    assert_eq!(client.in_flight(), 0);
}

#[tokio::test]
async fn duplicate_missing_and_foreign_action_ids() {
    let server = raw_server(|mut conn| async move {
        if conn.login().await.is_none() {
            return;
        }
        while let Some(r) = conn.request().await {
            match r.get("Variable") {
                // The reply twice.
                Some("dup") => {
                    conn.answer(&r, "Response: Success\nActionID: {id}\nValue: first\n\n")
                        .await;
                    conn.answer(&r, "Response: Success\nActionID: {id}\nValue: second\n\n")
                        .await;
                }
                // No ActionID at all, then one that nobody sent.
                Some("missing") => {
                    conn.answer(&r, "Response: Success\nValue: lost\n\n").await;
                    conn.answer(&r, "Response: Success\nActionID: nobody-1\nValue: lost\n\n")
                        .await;
                    conn.answer(
                        &r,
                        "Event: PeerStatus\nActionID: nobody-2\nPeer: PJSIP/x\n\n",
                    )
                    .await;
                }
                _ => {
                    conn.answer(&r, "Response: Success\nActionID: {id}\nValue: ok\n\n")
                        .await;
                }
            }
        }
    })
    .await;
    let client = Client::connect(raw_config(server.addr)).await.unwrap();
    let mut events = client.events();

    let reply = client.send(&Getvar::new("dup")).await.unwrap();
    assert_eq!(reply.raw().response.get("Value"), Some("first"));
    // The duplicate is ignored: the next action gets its own reply.
    let reply = client.send(&Getvar::new("next")).await.unwrap();
    assert_eq!(reply.raw().response.get("Value"), Some("ok"));

    // A reply that cannot be correlated: the caller gets a typed timeout, nothing else breaks.
    let err = client
        .send_timeout(&Getvar::new("missing"), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let reply = client.send(&Getvar::new("after")).await.unwrap();
    assert_eq!(reply.raw().response.get("Value"), Some("ok"));
    assert_eq!(client.in_flight(), 0);

    // An event carrying someone else's ActionID is an ordinary event.
    let item = bounded("event", events.next()).await.unwrap();
    assert!(
        matches!(item, EventItem::Event(ref e) if e.action_id() == Some("nobody-2")),
        "{item:?}"
    );
}

#[tokio::test]
async fn response_error_in_the_middle_of_a_list_fails_the_call() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(mock_config(&mock)).await.unwrap();
    let mut events = client.events_named(["QueueParams", "QueueStatusComplete"]);
    let item = |t: &str| Message::parse(wire(t, "x").into());
    mock.script(
        "QueueStatus",
        Script::Reply(vec![
            item(LIST_ACK),
            item(LIST_PARAMS),
            Message::from_headers([
                ("Response", "Error"),
                ("ActionID", "x"),
                ("Message", "Queue vanished"),
            ]),
            item(LIST_PARAMS),
            item(LIST_COMPLETE),
        ]),
    );
    let err = client.send(&QueueStatus::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Action { ref message, .. } if message == "Queue vanished"),
        "{err:?}"
    );
    assert_eq!(client.in_flight(), 0);
    // The rest of the failed list is not lost either: it reaches subscribers as events.
    for _ in 0..2 {
        let item = bounded("leftover", events.next()).await.unwrap();
        assert!(matches!(item, EventItem::Event(_)), "{item:?}");
    }
    mock.clear_script("QueueStatus");
    client
        .send(&QueueStatus::new())
        .await
        .unwrap()
        .decode()
        .unwrap();
}

#[tokio::test]
async fn garbage_bytes_do_not_desynchronise_the_stream() {
    let mock = MockPbx::start().await.unwrap();
    let client = Client::connect(mock_config(&mock)).await.unwrap();
    let mut long_line = vec![b'x'; 100 * 1024]; // past the 64 KiB line limit
    long_line.extend_from_slice(b"\r\n\r\n");
    let garbage: Vec<Vec<u8>> = vec![
        b"\r\n\r\n\r\n".to_vec(),
        b"\xff\xfe\x00\x01binary\r\n\r\n".to_vec(),
        b"no colon here\r\nnor: here\r\n\r\n".to_vec(),
        b"Response: Success\r\nActionID: not-ours\r\n\r\n".to_vec(),
        b"Response: Success\r\n\r\n".to_vec(),
        b"Event: \xc3\x28\r\nActionID: \r\n\r\n".to_vec(),
        b"Asterisk Call Manager/9.0.0\r\n\r\n".to_vec(),
        long_line,
        (0..=255u8).cycle().take(5000).chain(*b"\r\n\r\n").collect(),
    ];
    for (i, g) in garbage.into_iter().enumerate() {
        mock.fault_on("Ping", Fault::Garbage(g));
        let reply = client.send(&Ping::new()).await;
        assert!(reply.is_ok(), "garbage #{i}: {reply:?}");
    }
    // Garbage without a terminator glues onto the reply: that reply is lost, typed, and the
    // stream is in step again right after.
    mock.fault_on("Ping", Fault::Garbage(b"junk".to_vec()));
    let err = client
        .send_timeout(&Ping::new(), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    client.send(&Ping::new()).await.unwrap();
    assert_eq!(client.in_flight(), 0);
    assert!(matches!(
        *client.state().borrow(),
        ConnectionState::Connected { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_stops_reading_never_blocks_the_connection() {
    // Asterisk drops a client whose socket stays full for `writetimeout` (100 ms): the mock
    // does the same, so a reader blocked by a subscriber would lose the connection.
    let mock = MockPbx::start_with(
        MockConfig {
            write_timeout: Some(Duration::from_millis(100)),
            ..MockConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let client = Client::connect(mock_config(&mock).event_buffer(4096))
        .await
        .unwrap();
    let mut asleep = client.events_named(["UserEvent"]);
    let mut awake = client.events_named(["UserEvent"]);
    const BURSTS: usize = 40;
    const PER_BURST: usize = 1000;
    let emitted = BURSTS * PER_BURST;
    let reader = tokio::spawn(async move {
        let mut n = 0;
        while n < emitted {
            match bounded("awake reader", awake.next()).await {
                Some(EventItem::Event(_)) => n += 1,
                other => panic!("the reading subscriber lost events: {other:?}"),
            }
        }
        n
    });
    // The sleeper reads nothing for 1.5 s while 40 000 events (ten times its queue) arrive and
    // actions go on. What matters is the count, not the time: its queue holds 4096 events.
    let started = Instant::now();
    let mut worst = Duration::ZERO;
    for b in 0..BURSTS {
        mock.emit_many((0..PER_BURST).map(|i| {
            Message::from_headers([
                ("Event", "UserEvent"),
                ("UserEvent", "storm"),
                ("Seq", &(b * PER_BURST + i).to_string()),
            ])
        }));
        let t = Instant::now();
        client.send(&Ping::new()).await.unwrap();
        worst = worst.max(t.elapsed());
        tokio::time::sleep(Duration::from_millis(35)).await;
    }
    assert_eq!(bounded("reader", reader).await.unwrap(), emitted);
    assert!(started.elapsed() >= Duration::from_millis(1400));
    assert!(worst < Duration::from_secs(1), "a Ping took {worst:?}");
    assert_eq!(asleep.queued(), 4096, "the queue is bounded");
    // Still the first connection: the mock never had to drop us.
    assert_eq!(mock.sessions(), 1);
    assert!(matches!(
        *client.state().borrow(),
        ConnectionState::Connected { .. }
    ));
    // Waking up: the overflow count first, then the queued events; nothing silently lost.
    let (mut got, mut dropped) = (0usize, 0u64);
    let first = bounded("overflow", asleep.next()).await.unwrap();
    assert!(matches!(first, EventItem::Overflow { .. }), "{first:?}");
    if let EventItem::Overflow { dropped: n } = first {
        dropped += n;
    }
    while got + (dropped as usize) < emitted {
        match bounded("asleep", asleep.next()).await.unwrap() {
            EventItem::Event(_) => got += 1,
            EventItem::Overflow { dropped: n } => dropped += n,
        }
    }
    assert_eq!(got, 4096);
    assert_eq!(got + dropped as usize, emitted);
}

// ---------------------------------------------------------------------------------------------
// Limits as a defence.

/// Resident memory of this process, in KiB.
fn rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn an_endless_line_keeps_the_framer_within_its_limits() {
    let limits = Limits::default();
    let mut framer = Framer::new().with_limits(limits);
    framer.push(b"Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nMessage: ");
    let chunk = vec![b'A'; 64 * 1024];
    let mut errors = Vec::new();
    for _ in 0..1024 {
        // 64 MiB of one line
        framer.push(&chunk);
        while let Some(frame) = framer.next_frame() {
            if let Err(e) = frame {
                errors.push(e);
            }
        }
        assert!(
            framer.buffered() <= limits.max_message_bytes + 2,
            "{framer:?}"
        );
    }
    assert_eq!(
        errors,
        [ami_types::FrameError::LineTooLong {
            limit: limits.max_line_bytes
        }]
    );
    // The line ends; the next message frames normally.
    framer.push(b"\r\n\r\nResponse: Success\r\nActionID: 1\r\n\r\n");
    let mut msgs = Vec::new();
    while let Some(frame) = framer.next_frame() {
        if let Ok(Frame::Message(m)) = frame {
            msgs.push(m);
        }
    }
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].action_id(), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_line_cannot_exhaust_memory_or_hang_the_caller() {
    const MIB: usize = 1 << 20;
    const SENT: usize = 96 * MIB;
    let server = raw_server(|mut conn| async move {
        if conn.login().await.is_none() {
            return;
        }
        let Some(r) = conn.request().await else {
            return;
        };
        let head = wire(
            "Response: Success\nActionID: {id}\nMessage: ",
            r.action_id().unwrap(),
        );
        conn.write(&head).await;
        let chunk = vec![b'A'; MIB];
        for _ in 0..SENT / MIB {
            if !conn.write(&chunk).await {
                return;
            }
        }
        // The line ends after all; the connection carries on.
        conn.write(b"\r\n\r\n").await;
        while let Some(r) = conn.request().await {
            conn.answer(&r, PING_REPLY).await;
        }
    })
    .await;
    let client = Client::connect(raw_config(server.addr)).await.unwrap();
    let before = rss_kib();
    let err = client
        .send_timeout(&Ping::new(), Duration::from_millis(1500))
        .await
        .unwrap_err();
    let grown = rss_kib().saturating_sub(before) / 1024;
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // 96 MiB went by; the framer kept at most one message (1 MiB by default).
    assert!(grown < 48, "RSS grew by {grown} MiB");
    let reply = bounded("ping after", client.send(&Ping::new()))
        .await
        .unwrap();
    assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_floods_events_instead_of_answering_the_login_cannot_grow_memory() {
    let server = raw_server(|mut conn| async move {
        conn.write(b"Asterisk Call Manager/9.0.0\r\n").await;
        if conn.request().await.is_none() {
            return;
        }
        // Events, never the login response, until the client goes away.
        let mut batch = Vec::new();
        for _ in 0..4096 {
            batch.extend_from_slice(&wire(EVENT_1, ""));
        }
        while conn.write(&batch).await {}
    })
    .await;
    let config = raw_config(server.addr).action_timeout(Duration::from_millis(1500));
    let before = rss_kib();
    let started = Instant::now();
    let err = bounded("login", Client::connect(config)).await.unwrap_err();
    let grown = rss_kib().saturating_sub(before) / 1024;
    assert!(
        matches!(err, Error::Timeout { ref action, .. } if action == "Login"),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(grown < 32, "RSS grew by {grown} MiB during the login");
}

/// A server whose `QueueStatus` list has `batches` × 100 items, and no completion event when
/// `endless` (items until the client goes away); other actions get a Pong.
async fn list_server(batches: usize, endless: bool) -> RawServer {
    raw_server(move |mut conn| async move {
        if conn.login().await.is_none() {
            return;
        }
        while let Some(r) = conn.request().await {
            if r.action() != Some("QueueStatus") {
                conn.answer(&r, PING_REPLY).await;
                continue;
            }
            conn.answer(&r, LIST_ACK).await;
            let item = wire(LIST_PARAMS, r.action_id().unwrap());
            let mut batch = Vec::new();
            for _ in 0..100 {
                batch.extend_from_slice(&item);
            }
            for _ in 0..batches {
                if !conn.write(&batch).await {
                    return;
                }
            }
            if !endless {
                conn.answer(&r, LIST_COMPLETE).await;
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_list_that_never_ends_fails_with_list_too_long() {
    // 10 000 batches of 100 items without an end: endless for the client.
    let server = list_server(10_000, true).await;
    let mut config = raw_config(server.addr);
    config.max_list_items = 5000;
    let client = Client::connect(config).await.unwrap();
    let started = Instant::now();
    let err = client.send(&QueueStatus::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::ListTooLong { limit: 5000, .. }),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "failed at the limit, not at the timeout"
    );
    assert_eq!(client.in_flight(), 0);
}

#[tokio::test]
async fn a_streamed_list_whose_reader_stalls_is_bounded() {
    let server = list_server(50, false).await;
    let mut config = raw_config(server.addr);
    config.max_list_items = 2000;
    let client = Client::connect(config).await.unwrap();
    let mut stream = client.send_streaming(&QueueStatus::new()).await.unwrap();
    // Read a little, then stop reading while the list keeps coming.
    for _ in 0..10 {
        bounded("item", stream.next()).await.unwrap().unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // At most `max_list_items` items were buffered, then the stream ends with ListTooLong.
    let mut items = 10;
    loop {
        match bounded("stream", stream.next()).await {
            Some(Ok(_)) => items += 1,
            Some(Err(e)) => {
                assert!(matches!(e, Error::ListTooLong { limit: 2000, .. }), "{e:?}");
                break;
            }
            None => panic!("the stream ended without its error after {items} items"),
        }
    }
    assert!(items <= 2010, "{items} items buffered");
    assert!(bounded("end", stream.next()).await.is_none());
    drop(stream);
    assert_eq!(client.in_flight(), 0);
    // The connection is still usable.
    let reply = bounded("ping", client.send(&Ping::new())).await.unwrap();
    assert_eq!(reply.decode().unwrap().ping, Some("Pong"));
}

#[tokio::test]
async fn too_many_pending_actions_are_refused_at_once() {
    let mock = MockPbx::start().await.unwrap();
    let mut config = mock_config(&mock);
    config.max_pending = 8;
    let client = Client::connect(config).await.unwrap();
    mock.script("Getvar", Script::NoReply);
    let mut waiting = JoinSet::new();
    for i in 0..8 {
        let client = client.clone();
        waiting.spawn(async move {
            client
                .send_timeout(&Getvar::new(format!("V{i}")), Duration::from_millis(500))
                .await
        });
    }
    bounded("all registered", async {
        while client.in_flight() < 8 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    let t = Instant::now();
    let err = client.send(&Ping::new()).await.unwrap_err();
    assert!(matches!(err, Error::TooManyPending { limit: 8 }), "{err:?}");
    assert!(t.elapsed() < Duration::from_millis(100), "refused at once");
    while let Some(joined) = waiting.join_next().await {
        assert!(matches!(joined.unwrap(), Err(Error::Timeout { .. })));
    }
    // Timed-out actions free their slots.
    assert_eq!(client.in_flight(), 0);
    client.send(&Ping::new()).await.unwrap();
}
