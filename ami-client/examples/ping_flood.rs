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
//! `--pin` keeps the client on the first core and the mock on the second. `--compare` runs
//! `--count` Pings one at a time through each of the three (client, bare tokio, blocking) in
//! alternating batches of 1,000 and prints their rates and ratios.

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
    pin: bool,
    compare: bool,
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
        pin: false,
        compare: false,
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
        if flag == "--pin" {
            args.pin = true;
            continue;
        }
        if flag == "--compare" {
            args.compare = true;
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
            // With `--pin` that thread stays on the second core and the client on the first,
            // so runs do not differ by where the scheduler happened to put the two threads.
            pin_to(args.pin, 1);
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
            pin_to(args.pin, 0);
            ("127.0.0.1".to_owned(), port)
        }
    };
    if args.raw {
        let mut conn = BlockingConn::connect(&host, port, &args)?;
        let started = Instant::now();
        conn.pings(args.count)?;
        report(
            "blocking socket",
            args.count,
            started.elapsed().as_secs_f64(),
        );
        return Ok(());
    }
    let runtime = if args.multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build()?;
    if args.raw_tokio {
        return runtime.block_on(async {
            let mut conn = TokioConn::connect(&host, port, &args).await?;
            let started = Instant::now();
            conn.pings(args.count).await?;
            report(
                "bare tokio socket",
                args.count,
                started.elapsed().as_secs_f64(),
            );
            Ok(())
        });
    }
    let config = Config::new(
        host.clone(),
        port,
        args.username.clone(),
        args.secret.clone(),
    )
    .keepalive(None, Duration::from_secs(5));
    if args.compare {
        return compare(&runtime, config, &host, port, &args);
    }
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

/// Pins the current thread (and the threads it starts from now on) to core `core`.
fn pin_to(pin: bool, core: usize) {
    if pin && !core_affinity::set_for_current(core_affinity::CoreId { id: core }) {
        eprintln!("could not pin to core {core}; running unpinned");
    }
}

/// A blocking socket, logged in, without this library: the loopback round-trip limit.
struct BlockingConn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    seq: u64,
}

impl BlockingConn {
    fn connect(host: &str, port: u16, args: &Args) -> Result<Self, Box<dyn std::error::Error>> {
        let tcp = TcpStream::connect((host, port))?;
        tcp.set_nodelay(true)?;
        let mut conn = BlockingConn {
            writer: tcp.try_clone()?,
            reader: BufReader::new(tcp),
            seq: 0,
        };
        let mut line = String::new();
        conn.reader.read_line(&mut line)?; // the greeting
        conn.writer.write_all(login_text(args).as_bytes())?;
        let reply = read_message(&mut conn.reader)?;
        if !reply.contains("Success") {
            return Err(format!("login failed: {reply}").into());
        }
        Ok(conn)
    }

    /// Sends `n` Pings one at a time.
    fn pings(&mut self, n: u64) -> Result<(), Box<dyn std::error::Error>> {
        for _ in 0..n {
            self.seq += 1;
            let ping = ping_text(self.seq);
            self.writer.write_all(ping.as_bytes())?;
            let reply = read_message(&mut self.reader)?;
            if !reply.contains("Pong") {
                return Err(format!("unexpected reply: {reply}").into());
            }
        }
        Ok(())
    }
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

/// A bare tokio socket, logged in: what any client on the runtime pays for a round trip.
struct TokioConn {
    tcp: tokio::net::TcpStream,
    buf: Vec<u8>,
    seq: u64,
}

impl TokioConn {
    async fn connect(
        host: &str,
        port: u16,
        args: &Args,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let tcp = tokio::net::TcpStream::connect((host, port)).await?;
        tcp.set_nodelay(true)?;
        let mut conn = TokioConn {
            tcp,
            buf: Vec::with_capacity(64 * 1024),
            seq: 0,
        };
        // The greeting is one line; the login reply ends with an empty line.
        while !conn.buf.contains(&b'\n') {
            if conn.tcp.read_buf(&mut conn.buf).await? == 0 {
                return Err("no greeting".into());
            }
        }
        let greeting = conn
            .buf
            .iter()
            .position(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        conn.buf.drain(..greeting);
        conn.tcp.write_all(login_text(args).as_bytes()).await?;
        let end = conn.read_message().await?;
        if !String::from_utf8_lossy(&conn.buf[..end]).contains("Success") {
            return Err("login failed".into());
        }
        conn.buf.drain(..end);
        Ok(conn)
    }

    /// Reads until the buffer holds a whole message; returns the message's end.
    async fn read_message(&mut self) -> std::io::Result<usize> {
        use tokio::io::AsyncReadExt;
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                return Ok(end + 4);
            }
            if self.tcp.read_buf(&mut self.buf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Sends `n` Pings one at a time.
    async fn pings(&mut self, n: u64) -> Result<(), Box<dyn std::error::Error>> {
        use tokio::io::AsyncWriteExt;
        for _ in 0..n {
            self.seq += 1;
            let ping = ping_text(self.seq);
            self.tcp.write_all(ping.as_bytes()).await?;
            let end = self.read_message().await?;
            if !self.buf[..end].windows(4).any(|w| w == b"Pong") {
                return Err("unexpected reply".into());
            }
            self.buf.drain(..end);
        }
        Ok(())
    }
}

/// A Ping as the baselines send it.
fn ping_text(seq: u64) -> String {
    format!("Action: Ping\r\nActionID: {seq}\r\n\r\n")
}

fn login_text(args: &Args) -> String {
    format!(
        "Action: Login\r\nUsername: {}\r\nSecret: {}\r\nEvents: off\r\n\r\n",
        args.username, args.secret
    )
}

/// Prints a one-at-a-time rate.
fn report(what: &str, count: u64, secs: f64) {
    println!("{what}: {count} Pings one at a time, {secs:.3} s");
    println!("actions/s: {:.0}", count as f64 / secs);
}

/// One at a time over this library, a bare tokio socket and a blocking socket, in alternating
/// batches of 1,000 so that all three see the same moments of a noisy machine.
fn compare(
    runtime: &tokio::runtime::Runtime,
    config: Config,
    host: &str,
    port: u16,
    args: &Args,
) -> Result<(), Box<dyn std::error::Error>> {
    const BATCH: u64 = 1_000;
    let client = runtime.block_on(Client::connect(config))?;
    let mut tokio_conn = runtime.block_on(TokioConn::connect(host, port, args))?;
    let mut blocking = BlockingConn::connect(host, port, args)?;
    let mut secs = [0f64; 3];
    let rounds = args.count.div_ceil(BATCH).max(1);
    for round in 0..rounds {
        // A different mode goes first each round.
        for k in 0..3 {
            let mode = (round as usize + k) % 3;
            let started = Instant::now();
            match mode {
                0 => runtime.block_on(async {
                    for _ in 0..BATCH {
                        client.send(&Ping::new()).await?;
                    }
                    Ok::<_, ami_client::Error>(())
                })?,
                1 => runtime.block_on(tokio_conn.pings(BATCH))?,
                _ => blocking.pings(BATCH)?,
            }
            secs[mode] += started.elapsed().as_secs_f64();
        }
    }
    let n = rounds * BATCH;
    let rate = secs.map(|s| n as f64 / s);
    println!("client:      {:.0} actions/s", rate[0]);
    println!("bare tokio:  {:.0} actions/s", rate[1]);
    println!(
        "blocking:    {:.0} actions/s (the round-trip limit)",
        rate[2]
    );
    println!(
        "client / bare tokio: {:.3}; bare tokio / blocking: {:.3}",
        rate[0] / rate[1],
        rate[1] / rate[2]
    );
    println!("client / blocking: {:.3}", rate[0] / rate[2]);
    Ok(())
}
