//! Consume typed events as fast as they come and report the rate.
//!
//! ```sh
//! cargo run --release -p ami-client --example event_sink -- --addr HOST:PORT --username U --secret S --count 100000
//! ```
//! Without `--addr` it starts the embedded mock PBX (on a thread of its own) and has it emit a
//! burst of `--count` events. The last line printed is `events/s: X`.
//!
//! `--buffer N` bounds the subscriber's queue (events beyond it are dropped and counted, never
//! buffered without bound); `--pause-ms N` makes the consumer sleep before reading, so that the
//! whole burst arrives while it is not looking. The peak resident memory of the process is
//! printed (Linux), to show that the bound holds.

use std::time::Instant;

use ami_client::mock::{MockConfig, MockPbx};
use ami_client::{Client, Config, EventItem};
use ami_types::Message;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse()?;
    let mut mock = None;
    let config = match &args.addr {
        Some(addr) => {
            let (host, port) = addr.rsplit_once(':').ok_or("--addr is HOST:PORT")?;
            Config::new(
                host,
                port.parse()?,
                args.username.clone(),
                args.secret.clone(),
            )
        }
        None => {
            // The mock runs on its own thread so that the client's runtime is measured alone.
            let pbx = MockPbx::start_in_background(
                MockConfig {
                    received_limit: 0,
                    ..MockConfig::default()
                },
                "127.0.0.1:0".parse()?,
            )?;
            let config = Config::new("127.0.0.1", pbx.addr().port(), "admin", "amp111");
            mock = Some(pbx);
            config
        }
    }
    .event_buffer(args.buffer);
    let client = Client::connect(config).await?;
    let mut events = client.events();
    let started = Instant::now();
    if let Some(pbx) = &mock {
        // Encoded once and handed to the mock's thread, which writes it as fast as it can.
        pbx.emit_burst(&sample_event(), usize::try_from(args.count)?);
    }
    if args.pause_ms > 0 {
        // A consumer that falls behind: the burst arrives meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(args.pause_ms)).await;
    }
    let (mut seen, mut dropped, mut typed) = (0u64, 0u64, 0u64);
    while seen + dropped < args.count {
        match events.next().await {
            Some(EventItem::Event(e)) => {
                seen += 1;
                if e.decode().is_ok() {
                    typed += 1;
                }
            }
            Some(EventItem::Overflow { dropped: n }) => dropped += n,
            None => break,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("events: {seen} ({typed} decoded, {dropped} dropped by overflow) in {secs:.3} s");
    if let Some(peak) = peak_rss_mib() {
        println!(
            "queue bound: {} events, peak resident memory: {peak} MiB",
            args.buffer
        );
    }
    println!("events/s: {:.0}", seen as f64 / secs);
    Ok(())
}

/// The process's peak resident set size (`VmHWM`), where `/proc` has it.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn sample_event() -> Message {
    Message::from_headers([
        ("Event", "Newexten"),
        ("Privilege", "dialplan,all"),
        ("Channel", "PJSIP/alice-00000001"),
        ("ChannelState", "6"),
        ("ChannelStateDesc", "Up"),
        ("CallerIDNum", "100"),
        ("CallerIDName", "Alice"),
        ("ConnectedLineNum", "200"),
        ("ConnectedLineName", "Bob"),
        ("Language", "en"),
        ("AccountCode", ""),
        ("Context", "default"),
        ("Exten", "200"),
        ("Priority", "1"),
        ("Uniqueid", "1700000000.1"),
        ("Linkedid", "1700000000.1"),
        ("Extension", "200"),
        ("Application", "Dial"),
        ("AppData", "PJSIP/bob,30"),
    ])
}

struct Args {
    addr: Option<String>,
    username: String,
    secret: String,
    count: u64,
    buffer: usize,
    pause_ms: u64,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut args = Args {
            addr: None,
            username: "admin".into(),
            secret: String::new(),
            count: 100_000,
            buffer: 1 << 20,
            pause_ms: 0,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--addr" => args.addr = Some(value),
                "--username" => args.username = value,
                "--secret" => args.secret = value,
                "--count" => args.count = value.parse().map_err(|_| "--count is a number")?,
                "--buffer" => args.buffer = value.parse().map_err(|_| "--buffer is a number")?,
                "--pause-ms" => {
                    args.pause_ms = value.parse().map_err(|_| "--pause-ms is a number")?
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(args)
    }
}
