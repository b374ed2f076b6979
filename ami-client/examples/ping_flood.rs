//! Keep K Pings in flight until M are answered, and report the rate.
//!
//! ```sh
//! cargo run --release -p ami-client --example ping_flood -- --addr HOST:PORT --username U --secret S --count 100000 --inflight 256
//! ```
//! Without `--addr` it runs against the embedded mock PBX. The last line printed is
//! `actions/s: X`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use ami_client::mock::{MockConfig, MockPbx};
use ami_client::{Client, Config};
use ami_types::action::Ping;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut addr = None;
    let (mut username, mut secret) = ("admin".to_owned(), String::new());
    let (mut count, mut inflight) = (100_000u64, 256u64);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => addr = Some(value),
            "--username" => username = value,
            "--secret" => secret = value,
            "--count" => count = value.parse()?,
            "--inflight" => inflight = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let mut _mock = None;
    let config = match addr {
        Some(addr) => {
            let (host, port) = addr.rsplit_once(':').ok_or("--addr is HOST:PORT")?;
            Config::new(host, port.parse()?, username, secret)
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
            _mock = Some(pbx);
            config
        }
    };
    let client = Client::connect(config.keepalive(None, std::time::Duration::from_secs(5))).await?;
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..inflight.max(1) {
        let (client, next, failed) = (client.clone(), Arc::clone(&next), Arc::clone(&failed));
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                if client.send(&Ping::new()).await.is_err() {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let secs = started.elapsed().as_secs_f64();
    let failed = failed.load(Ordering::Relaxed);
    println!("pings: {count} ({failed} failed), {inflight} in flight, {secs:.3} s");
    println!("actions/s: {:.0}", (count - failed) as f64 / secs);
    Ok(())
}
