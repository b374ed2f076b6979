//! Consume typed events as fast as they come and report the rate.
//!
//! ```sh
//! cargo run --release -p ami-client --example event_sink -- --addr HOST:PORT --username U --secret S --count 100000
//! ```
//! Without `--addr` it starts the embedded mock PBX and has it emit the events. The last line
//! printed is `events/s: X`.

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
    let (mut seen, mut dropped, mut typed) = (0u64, 0u64, 0u64);
    while seen + dropped < args.count {
        match events.next().await {
            Some(EventItem::Event(e)) => {
                seen += 1;
                if std::env::var_os("NODECODE").is_some() || e.decode().is_ok() {
                    typed += 1;
                }
            }
            Some(EventItem::Overflow { dropped: n }) => dropped += n,
            None => break,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("events: {seen} ({typed} decoded, {dropped} dropped by overflow) in {secs:.3} s");
    println!("events/s: {:.0}", seen as f64 / secs);
    Ok(())
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
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut args = Args {
            addr: None,
            username: "admin".into(),
            secret: String::new(),
            count: 100_000,
            buffer: 1 << 20,
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
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(args)
    }
}
