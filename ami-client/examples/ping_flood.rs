//! Keep K Pings in flight until M are answered, and report the rate.
//!
//! ```sh
//! cargo run --release -p ami-client --example ping_flood -- --addr HOST:PORT --username U --secret S --count 100000 --inflight 256
//! ```
//! Without `--addr` it runs against the embedded mock PBX, on a thread of its own. The last
//! line printed is `actions/s: X`.
//!
//! `--runtime multi` runs the client on tokio's multi-threaded runtime (default: the
//! current-thread runtime). `--raw` measures the baseline instead: one Ping at a time over a
//! plain blocking socket, without this library, which is the round-trip limit that one-at-a-time
//! actions (`--inflight 1`) are compared with. `--raw-tokio` is the same loop over a bare tokio
//! socket: what any client on the runtime pays before this library adds anything.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_client::mock::{MockConfig, MockPbx};
use ami_client::{Client, Config};
use ami_types::action::Ping;

struct Args {
    addr: Option<String>,
    username: String,
    secret: String,
    count: u64,
    inflight: u64,
    multi: bool,
    raw: bool,
    raw_tokio: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = Args {
        addr: None,
        username: "admin".to_owned(),
        secret: String::new(),
        count: 100_000,
        inflight: 256,
        multi: false,
        raw: false,
        raw_tokio: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--raw" {
            args.raw = true;
            continue;
        }
        if flag == "--raw-tokio" {
            args.raw_tokio = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => args.addr = Some(value),
            "--username" => args.username = value,
            "--secret" => args.secret = value,
            "--count" => args.count = value.parse()?,
            "--inflight" => args.inflight = value.parse()?,
            "--runtime" => args.multi = value == "multi",
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let mut _mock = None;
    let (host, port) = match &args.addr {
        Some(addr) => {
            let (host, port) = addr.rsplit_once(':').ok_or("--addr is HOST:PORT")?;
            (host.to_owned(), port.parse()?)
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
            args.secret = "amp111".to_owned();
            let port = pbx.addr().port();
            _mock = Some(pbx);
            ("127.0.0.1".to_owned(), port)
        }
    };
    if args.raw {
        return raw_round_trips(&host, port, &args);
    }
    let runtime = if args.multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()?;
    if args.raw_tokio {
        return runtime.block_on(raw_tokio_round_trips(&host, port, &args));
    }
    let config = Config::new(host, port, args.username.clone(), args.secret.clone())
        .keepalive(None, Duration::from_secs(5));
    runtime.block_on(flood(config, &args))
}

async fn flood(config: Config, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let count = args.count;
    let client = Client::connect(config).await?;
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.inflight.max(1) {
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
    println!(
        "pings: {count} ({failed} failed), {} in flight, {secs:.3} s",
        args.inflight
    );
    println!("actions/s: {:.0}", (count - failed) as f64 / secs);
    Ok(())
}

/// One Ping at a time over a blocking socket: the loopback round-trip limit.
fn raw_round_trips(host: &str, port: u16, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let tcp = TcpStream::connect((host, port))?;
    tcp.set_nodelay(true)?;
    let mut writer = tcp.try_clone()?;
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    reader.read_line(&mut line)?; // the greeting
    let login = format!(
        "Action: Login\r\nUsername: {}\r\nSecret: {}\r\nEvents: off\r\n\r\n",
        args.username, args.secret
    );
    writer.write_all(login.as_bytes())?;
    let reply = read_message(&mut reader)?;
    if !reply.contains("Success") {
        return Err(format!("login failed: {reply}").into());
    }
    let started = Instant::now();
    for n in 0..args.count {
        writer.write_all(format!("Action: Ping\r\nActionID: {n}\r\n\r\n").as_bytes())?;
        let reply = read_message(&mut reader)?;
        if !reply.contains("Pong") {
            return Err(format!("unexpected reply: {reply}").into());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("raw pings: {}, one at a time, {secs:.3} s", args.count);
    println!("actions/s: {:.0}", args.count as f64 / secs);
    Ok(())
}

/// One Ping at a time over a bare tokio socket, without this library: what any tokio client pays.
async fn raw_tokio_round_trips(
    host: &str,
    port: u16,
    args: &Args,
) -> Result<(), Box<dyn std::error::Error>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect((host, port)).await?;
    tcp.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(64 * 1024);
    // Reads until `buf[seen..]` holds a whole message; returns the message's end.
    async fn read_message(
        tcp: &mut tokio::net::TcpStream,
        buf: &mut Vec<u8>,
        seen: usize,
    ) -> std::io::Result<usize> {
        loop {
            if let Some(end) = buf[seen..].windows(4).position(|w| w == b"\r\n\r\n") {
                return Ok(seen + end + 4);
            }
            if tcp.read_buf(buf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
    // The greeting is one line; the login reply ends with an empty line.
    while !buf.contains(&b'\n') {
        if tcp.read_buf(&mut buf).await? == 0 {
            return Err("no greeting".into());
        }
    }
    let seen = buf.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    let login = format!(
        "Action: Login\r\nUsername: {}\r\nSecret: {}\r\nEvents: off\r\n\r\n",
        args.username, args.secret
    );
    tcp.write_all(login.as_bytes()).await?;
    let end = read_message(&mut tcp, &mut buf, seen).await?;
    if !String::from_utf8_lossy(&buf[seen..end]).contains("Success") {
        return Err("login failed".into());
    }
    buf.drain(..end);
    let started = Instant::now();
    for n in 0..args.count {
        tcp.write_all(format!("Action: Ping\r\nActionID: {n}\r\n\r\n").as_bytes())
            .await?;
        let end = read_message(&mut tcp, &mut buf, 0).await?;
        if !buf[..end].windows(4).any(|w| w == b"Pong") {
            return Err("unexpected reply".into());
        }
        buf.drain(..end);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "raw tokio pings: {}, one at a time, {secs:.3} s",
        args.count
    );
    println!("actions/s: {:.0}", args.count as f64 / secs);
    Ok(())
}

/// Reads one message (up to its empty line).
fn read_message(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut text = String::new();
    loop {
        let start = text.len();
        if reader.read_line(&mut text)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if text[start..].trim_end().is_empty() {
            return Ok(text);
        }
    }
}
