//! Opening a connection: TCP (or TLS), the greeting, and authentication, before anything else
//! may be sent.

use std::time::Duration;

use ami_types::{Frame, Framer, Message};
use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::config::{Auth, Config};
use crate::Error;

/// A byte stream to the server, plain or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// The connection: plain TCP is kept as such so that its write half can be shared (see
/// `connection::Outbox`); anything else (TLS) is a boxed stream.
pub(crate) enum Stream {
    Tcp(TcpStream),
    // Only TLS makes one; the code that handles it is compiled either way.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    Other(Box<dyn Io>),
}

impl Stream {
    fn io(&mut self) -> &mut dyn Io {
        match self {
            Stream::Tcp(tcp) => tcp,
            Stream::Other(io) => io.as_mut(),
        }
    }
}

/// Messages kept from the login phase (see [`Session::early`]); later ones are dropped, so a
/// server that sends events instead of answering the login cannot grow memory.
const EARLY_LIMIT: usize = 1024;

/// An authenticated connection, with the bytes already read past the login kept in `framer`.
pub(crate) struct Session {
    pub io: Stream,
    pub framer: Framer,
    pub greeting: String,
    /// Messages that arrived during login but belong to the session (e.g. `FullyBooted`), at
    /// most [`EARLY_LIMIT`].
    pub early: Vec<Message>,
}

/// Connects, reads the greeting and logs in.
pub(crate) async fn open(config: &Config) -> Result<Session, Error> {
    let tcp = TcpStream::connect((config.host.as_str(), config.port)).await?;
    let _ = tcp.set_nodelay(true);
    let io = wrap_tls(config, tcp).await?;
    let mut session = Session {
        io,
        framer: Framer::new().with_limits(config.limits),
        greeting: String::new(),
        early: Vec::new(),
    };
    tokio::time::timeout(config.action_timeout, login(config, &mut session))
        .await
        .map_err(|_| Error::Timeout {
            action: "Login".into(),
            after: config.action_timeout,
        })??;
    Ok(session)
}

#[cfg(feature = "tls")]
async fn wrap_tls(config: &Config, tcp: TcpStream) -> Result<Stream, Error> {
    match &config.tls {
        Some(tls) => {
            let connector = tokio_rustls::TlsConnector::from(tls.config.clone());
            let stream = connector
                .connect(tls.server_name()?, tcp)
                .await
                .map_err(|e| Error::Tls(e.to_string()))?;
            Ok(Stream::Other(Box::new(stream)))
        }
        None => Ok(Stream::Tcp(tcp)),
    }
}

#[cfg(not(feature = "tls"))]
async fn wrap_tls(_config: &Config, tcp: TcpStream) -> Result<Stream, Error> {
    Ok(Stream::Tcp(tcp))
}

async fn login(config: &Config, s: &mut Session) -> Result<(), Error> {
    s.greeting = match next_frame(s).await? {
        Frame::Greeting(g) => g,
        Frame::Message(m) => {
            return Err(Error::Protocol(format!("expected a greeting, got {m:?}")))
        }
    };
    let use_md5 = config.auth == Auth::Md5 || (config.refuse_plaintext && !config.is_tls());
    let mut headers: Vec<(&str, String)> = vec![("Username", config.username.clone())];
    if use_md5 {
        let challenge = request(
            s,
            &[
                ("Action", "Challenge"),
                ("ActionID", "login-challenge"),
                ("AuthType", "MD5"),
            ],
            "login-challenge",
        )
        .await?;
        if challenge.response() != Some("Success") {
            let why = challenge
                .get("Message")
                .unwrap_or("challenge refused")
                .to_owned();
            return Err(if config.refuse_plaintext {
                Error::PlaintextRefused(why)
            } else {
                Error::Login(why)
            });
        }
        let Some(nonce) = challenge.get("Challenge") else {
            return Err(Error::Protocol(
                "Challenge response without a Challenge header".into(),
            ));
        };
        headers.push(("AuthType", "MD5".into()));
        headers.push(("Key", md5_key(nonce, config.secret.expose())));
    } else {
        headers.push(("Secret", config.secret.expose().to_owned()));
    }
    headers.push(("Events", config.events.clone()));
    let mut login: Vec<(&str, &str)> = vec![("Action", "Login"), ("ActionID", "login")];
    login.extend(headers.iter().map(|(n, v)| (*n, v.as_str())));
    let reply = request(s, &login, "login").await?;
    if reply.response() == Some("Success") {
        Ok(())
    } else {
        Err(Error::Login(
            reply
                .get("Message")
                .unwrap_or("authentication failed")
                .to_owned(),
        ))
    }
}

/// `lowercase_hex(md5(challenge + secret))`, Asterisk's MD5 login key.
pub(crate) fn md5_key(challenge: &str, secret: &str) -> String {
    let digest = Md5::new()
        .chain_update(challenge.as_bytes())
        .chain_update(secret.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes one login-phase action and waits for its response; events met meanwhile are kept.
async fn request(s: &mut Session, headers: &[(&str, &str)], id: &str) -> Result<Message, Error> {
    let mut out = Vec::new();
    let mut w = ami_types::HeaderWriter::new(&mut out);
    for (name, value) in headers {
        w.header(name, value)?;
    }
    out.extend_from_slice(b"\r\n");
    s.io.io().write_all(&out).await?;
    let mut dropped = 0u64;
    loop {
        match next_frame(s).await? {
            Frame::Message(m) if m.response().is_some() && m.action_id() == Some(id) => {
                return Ok(m)
            }
            Frame::Message(m) if m.response().is_some() && m.action_id().is_none() => return Ok(m),
            Frame::Message(m) if s.early.len() < EARLY_LIMIT => s.early.push(m),
            Frame::Message(_) => {
                dropped += 1;
                if dropped == 1 {
                    tracing::debug!(
                        kept = EARLY_LIMIT,
                        "messages before the login reply dropped"
                    );
                }
            }
            Frame::Greeting(_) => {}
        }
    }
}

async fn next_frame(s: &mut Session) -> Result<Frame, Error> {
    let mut buf = [0u8; 8192];
    loop {
        if let Some(frame) = s.framer.next_frame() {
            return Ok(frame?);
        }
        let n = s.io.io().read(&mut buf).await?;
        if n == 0 {
            return Err(Error::Login("the server closed the connection".into()));
        }
        s.framer.push(&buf[..n]);
    }
}

/// Delay before reconnect attempt `attempt` (0-based): exponential with "equal jitter".
pub(crate) fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = initial.saturating_mul(1u32 << attempt.min(16)).min(max);
    let half = exp / 2;
    half + Duration::from_nanos(fastrand::u64(
        0..=half.as_nanos().min(u64::MAX as u128) as u64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_key_is_lowercase_hex_of_challenge_then_secret() {
        // md5("123456789" + "amp111")
        let expected = format!("{:x}", Md5::digest(b"123456789amp111"));
        assert_eq!(md5_key("123456789", "amp111"), expected);
        assert_eq!(expected.len(), 32);
        assert!(expected
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let (initial, max) = (Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..20 {
            let d = backoff(initial, max, attempt);
            let cap = initial.saturating_mul(1u32 << attempt.min(16)).min(max);
            assert!(
                d >= cap / 2 && d <= cap,
                "attempt {attempt}: {d:?} outside [{:?}, {cap:?}]",
                cap / 2
            );
        }
    }
}
