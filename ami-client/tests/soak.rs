//! Soak: mixed actions, an event storm and random disconnects against the mock PBX, while the
//! process's resident memory (`VmRSS`) and the runtime's live task count are sampled. Both must
//! stay flat: what a long run adds over a short one is bounded.
//!
//! The short run (15 s) is part of `cargo test`; the long one (10 minutes) is ignored:
//! `cargo test --release -p ami-client --test soak -- --ignored --nocapture`.
#![cfg(feature = "mock")]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_client::mock::{Fault, MockConfig, MockPbx};
use ami_client::{Client, Config, Error, EventItem, Reconnect};
use ami_types::action::{Command, CoreSettings, Getvar, Originate, Ping, QueueStatus};
use ami_types::{Event, EventKind, Message};
use tokio::task::JoinSet;

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[derive(Default)]
struct Counters {
    ok: AtomicU64,
    disconnected: AtomicU64,
    events: AtomicU64,
    overflowed: AtomicU64,
    reconnects: AtomicU64,
}

/// One sample: seconds since the start, RSS in KiB, live tasks.
type Sample = (f64, u64, usize);

struct Report {
    samples: Vec<Sample>,
    counters: Arc<Counters>,
}

fn is_connection_error(e: &Error) -> bool {
    matches!(e, Error::Disconnected { .. } | Error::NotConnected)
}

/// One caller: a mix of plain, typed-field, list, command and follow-up actions, checking
/// every answer.
async fn caller(client: Client, w: usize, stop: Arc<AtomicBool>, counters: Arc<Counters>) {
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let outcome: Result<(), Error> = match i % 10 {
            0 => client.send(&QueueStatus::new()).await.map(|r| {
                let list = r.decode().expect("a typed list");
                assert!(!list.items.is_empty());
            }),
            1 => client
                .send(&Command::new("core show version"))
                .await
                .map(|r| {
                    let out = r.decode().expect("command output");
                    assert!(out.output.iter().any(|l| l.contains("mock")));
                }),
            2 => client.send(&CoreSettings::new()).await.map(|r| {
                r.decode().expect("typed fields");
            }),
            3 if w == 0 => {
                let originate = Originate::new("PJSIP/soak")
                    .context("default")
                    .exten("100")
                    .priority("1");
                client.originate(originate).await.map(|f| {
                    assert_eq!(f.event.event(), Some("OriginateResponse"));
                })
            }
            4..=6 => {
                let name = format!("S{w}-{i}");
                client.send(&Getvar::new(name.clone())).await.map(|r| {
                    assert_eq!(r.raw().response.get("Variable"), Some(name.as_str()));
                })
            }
            _ => client.send(&Ping::new()).await.map(|r| {
                assert_eq!(r.decode().expect("pong").ping, Some("Pong"));
            }),
        };
        match outcome {
            Ok(()) => {
                counters.ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                assert!(is_connection_error(&e), "worker {w}: {e:?}");
                counters.disconnected.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

fn storm_event(i: usize) -> Message {
    let channel = format!("PJSIP/soak-{:08x}", i);
    let uniqueid = format!("1700000000.{i}");
    let kind = if i % 2 == 0 { "Newchannel" } else { "Hangup" };
    Message::from_headers([
        ("Event", kind),
        ("Privilege", "call,all"),
        ("Channel", channel.as_str()),
        ("ChannelState", "6"),
        ("ChannelStateDesc", "Up"),
        ("CallerIDNum", "200"),
        ("CallerIDName", "Soak"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Language", "en"),
        ("AccountCode", ""),
        ("Context", "default"),
        ("Exten", "100"),
        ("Priority", "1"),
        ("Uniqueid", uniqueid.as_str()),
        ("Linkedid", uniqueid.as_str()),
        ("Cause", "16"),
        ("Cause-txt", "Normal Clearing"),
    ])
}

/// Runs the soak for `duration`, sampling every `every`.
async fn soak(duration: Duration, every: Duration) -> Report {
    // The mock records nothing: the process's memory is then the client's (and the mock's
    // bounded session buffers).
    let mock_config = MockConfig {
        received_limit: 0,
        ..MockConfig::default()
    };
    let mock = MockPbx::start_with(mock_config, "127.0.0.1:0".parse().unwrap());
    let mock = Arc::new(mock.await.unwrap());
    let mut config = Config::new("127.0.0.1", mock.addr().port(), "admin", "amp111")
        .reconnect(Reconnect {
            enabled: true,
            initial: Duration::from_millis(10),
            max: Duration::from_millis(200),
        })
        .keepalive(Some(Duration::from_secs(1)), Duration::from_secs(3));
    config.follow_up_timeout = Duration::from_secs(10);
    let client = Client::connect(config).await.unwrap();
    let counters = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = JoinSet::new();

    // Subscribers: one takes everything and decodes it, one only hangups, one reads slowly.
    for (s, kinds) in [(0, None), (1, Some(vec![EventKind::Hangup])), (2, None)] {
        let mut events = match kinds {
            Some(k) => client.events_of(k),
            None => client.events(),
        };
        let (counters, stop) = (counters.clone(), stop.clone());
        tasks.spawn(async move {
            let mut n = 0u64;
            while let Some(item) = events.next().await {
                match item {
                    EventItem::Event(e) => {
                        n += 1;
                        counters.events.fetch_add(1, Ordering::Relaxed);
                        if s == 1 {
                            assert!(matches!(e.decode(), Ok(Event::Hangup(_))));
                        } else if s == 0 {
                            e.decode().expect("storm events decode");
                        } else if n % 16 == 0 && !stop.load(Ordering::Relaxed) {
                            // About 16 000 events/s: slower than the storm.
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                    EventItem::Overflow { dropped } => {
                        counters.overflowed.fetch_add(dropped, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    // Callers.
    for w in 0..4 {
        tasks.spawn(caller(client.clone(), w, stop.clone(), counters.clone()));
    }
    // The event storm: 200 events every 5 ms.
    {
        let (mock, stop) = (mock.clone(), stop.clone());
        tasks.spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                mock.emit_many((i..i + 200).map(storm_event));
                i += 200;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    // Random disconnects and faults, every 0.5 to 2 s.
    {
        let (mock, stop, counters) = (mock.clone(), stop.clone(), counters.clone());
        tasks.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let pause = Duration::from_millis(fastrand::u64(500..2000));
                tokio::time::sleep(pause).await;
                match fastrand::u8(0..4) {
                    0 => mock.fault(Fault::CloseMidList { after_items: 1 }),
                    1 => mock.fault(Fault::CloseMidMessage),
                    _ => mock.disconnect_all(),
                }
                counters.reconnects.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < duration {
        tokio::time::sleep(every).await;
        samples.push((started.elapsed().as_secs_f64(), rss_kib(), alive_tasks()));
    }
    stop.store(true, Ordering::Relaxed);
    mock.clear_faults();
    client.close();
    let deadline = Duration::from_secs(30);
    tokio::time::timeout(deadline, async {
        while let Some(joined) = tasks.join_next().await {
            joined.expect("soak task");
        }
    })
    .await
    .expect("soak tasks end");
    Report { samples, counters }
}

/// Prints the samples and checks that memory and tasks stay flat after the warm-up.
fn check(report: &Report, rss_slack_mib: u64) {
    let c = &report.counters;
    eprintln!(
        "soak: {} actions answered, {} failed on disconnects, {} events, {} overflowed, {} faults",
        c.ok.load(Ordering::Relaxed),
        c.disconnected.load(Ordering::Relaxed),
        c.events.load(Ordering::Relaxed),
        c.overflowed.load(Ordering::Relaxed),
        c.reconnects.load(Ordering::Relaxed),
    );
    eprintln!("soak: {:>8} {:>10} {:>6}", "t (s)", "RSS (MiB)", "tasks");
    for (t, rss, tasks) in &report.samples {
        eprintln!("soak: {t:>8.1} {:>10.1} {tasks:>6}", *rss as f64 / 1024.0);
    }
    let n = report.samples.len();
    assert!(n >= 4, "{n} samples");
    // Warm-up: the first quarter. Then the second quarter sets the level the rest must keep.
    let quarter = n / 4;
    let level = report.samples[quarter..2 * quarter]
        .iter()
        .map(|s| s.1)
        .max()
        .unwrap();
    let late = report.samples[2 * quarter..]
        .iter()
        .map(|s| s.1)
        .max()
        .unwrap();
    let growth_mib = late.saturating_sub(level) / 1024;
    eprintln!(
        "soak: RSS level {:.1} MiB after warm-up, peak {:.1} MiB later (+{growth_mib} MiB)",
        level as f64 / 1024.0,
        late as f64 / 1024.0
    );
    assert!(
        growth_mib <= rss_slack_mib,
        "RSS grew by {growth_mib} MiB after the warm-up"
    );
    let tasks_level = report.samples[quarter..2 * quarter]
        .iter()
        .map(|s| s.2)
        .max()
        .unwrap();
    let tasks_late = report.samples[2 * quarter..]
        .iter()
        .map(|s| s.2)
        .max()
        .unwrap();
    // Reconnects replace the connection's (and the mock session's) tasks, never add to them.
    assert!(
        tasks_late <= tasks_level + 4,
        "tasks grew from {tasks_level} to {tasks_late}"
    );
    assert!(c.ok.load(Ordering::Relaxed) > 100);
    assert!(c.events.load(Ordering::Relaxed) > 1000);
    assert!(c.reconnects.load(Ordering::Relaxed) >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_soak_keeps_memory_and_tasks_flat() {
    let report = soak(Duration::from_secs(15), Duration::from_millis(500)).await;
    check(&report, 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "10 minutes; run by hand: cargo test --release -p ami-client --test soak -- --ignored --nocapture"]
async fn long_soak_keeps_memory_and_tasks_flat() {
    let report = soak(Duration::from_secs(600), Duration::from_secs(10)).await;
    check(&report, 16);
}
