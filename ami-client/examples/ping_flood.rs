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
//! alternating batches of 250 and prints their rates and ratios; its last line is
//! `client / blocking: X`, the median over rounds of the client's rate against the blocking
//! socket's.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ami_client::mock::{MockConfig, MockPbx};
use ami_client::{Client, Config};
use ami_types::action::Ping;

/// Any error, sendable between tasks (the baselines run in spawned tasks).
type BoxError = Box<dyn std::error::Error + Send + Sync>;

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

fn main() -> Result<(), BoxError> {
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
        // Switches take no value.
        let switch = match flag.as_str() {
            "--raw" => Some(&mut args.raw),
            "--raw-tokio" => Some(&mut args.raw_tokio),
            "--pin" => Some(&mut args.pin),
            "--compare" => Some(&mut args.compare),
            _ => None,
        };
        if let Some(on) = switch {
            *on = true;
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

async fn flood(config: Config, args: &Args) -> Result<(), BoxError> {
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
    fn connect(host: &str, port: u16, args: &Args) -> Result<Self, BoxError> {
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
    fn pings(&mut self, n: u64) -> Result<(), BoxError> {
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
    async fn connect(host: &str, port: u16, args: &Args) -> Result<Self, BoxError> {
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
    async fn pings(&mut self, n: u64) -> Result<(), BoxError> {
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
/// batches of 250 so that all three see the same moments of a noisy machine.
///
/// Both tokio loops run in a spawned task, as an application's request handlers do: the
/// `block_on` future itself, when woken by another task (the client's reader), is resumed only
/// after tokio polls its driver once more, which costs a system call per round trip.
///
/// Besides the rates over all rounds it prints the median of the rounds' ratios: a stall of the
/// VM, or a stretch where the scheduler puts client and server on one core (three times faster
/// round trips), lands in a few batches and moves the overall rates by several per cent, but
/// leaves the median alone.
fn compare(
    runtime: &tokio::runtime::Runtime,
    config: Config,
    host: &str,
    port: u16,
    args: &Args,
) -> Result<(), BoxError> {
    const BATCH: u64 = 250;
    let client = runtime.block_on(Client::connect(config))?;
    let mut tokio_conn = Some(runtime.block_on(TokioConn::connect(host, port, args))?);
    let mut blocking = BlockingConn::connect(host, port, args)?;
    // A round runs each mode three times, first, second and third in turn: which mode goes
    // first matters here by several per cent, for reasons outside the client.
    let rounds = args.count.div_ceil(3 * BATCH).max(1);
    let mut secs = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let mut round_secs = [0f64; 3];
        for first in 0..3 {
            for k in 0..3 {
                let mode = (first + k) % 3;
                let started = Instant::now();
                match mode {
                    0 => {
                        let client = client.clone();
                        runtime.block_on(runtime.spawn(async move {
                            for _ in 0..BATCH {
                                client.send(&Ping::new()).await?;
                            }
                            Ok::<_, ami_client::Error>(())
                        }))??
                    }
                    1 => {
                        let mut conn = tokio_conn.take().ok_or("bare tokio connection lost")?;
                        let (conn, result) = runtime.block_on(runtime.spawn(async move {
                            let result = conn.pings(BATCH).await;
                            (conn, result)
                        }))?;
                        result?;
                        tokio_conn = Some(conn);
                    }
                    _ => blocking.pings(BATCH)?,
                }
                round_secs[mode] += started.elapsed().as_secs_f64();
            }
        }
        secs.push(round_secs);
    }
    let n = rounds * 3 * BATCH;
    let total = |mode: usize| secs.iter().map(|s| s[mode]).sum::<f64>();
    let rate = [0, 1, 2].map(|mode| n as f64 / total(mode));
    // Rates are 1 / time, so "a / b" is b's time over a's.
    let median_ratio = |a: usize, b: usize| median(secs.iter().map(|s| s[b] / s[a]).collect());
    println!("client:      {:.0} actions/s", rate[0]);
    println!("bare tokio:  {:.0} actions/s", rate[1]);
    println!(
        "blocking:    {:.0} actions/s (the round-trip limit)",
        rate[2]
    );
    println!(
        "all rounds:  client / bare tokio {:.3}, bare tokio / blocking {:.3}, client / blocking {:.3}",
        rate[0] / rate[1],
        rate[1] / rate[2],
        rate[0] / rate[2]
    );
    println!(
        "median of {rounds} rounds: client / bare tokio {:.3}, bare tokio / blocking {:.3}",
        median_ratio(0, 1),
        median_ratio(1, 2)
    );
    println!("client / blocking: {:.3}", median_ratio(0, 2));
    Ok(())
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[mid],
        _ => (values[mid - 1] + values[mid]) / 2.0,
    }
}
