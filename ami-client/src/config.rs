//! Connection settings: address, credentials, authentication mode, event mask, timeouts,
//! keepalive, reconnect policy and limits.

use std::fmt;
use std::time::Duration;

use ami_types::Limits;

/// A secret that never shows in `Debug`, `Display` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself, for the login exchange only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// How to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Login` with `Secret:` in plain text (fine over TLS or loopback).
    Plain,
    /// `Challenge` then `Login` with an MD5 `Key`; the secret never crosses the wire.
    Md5,
}

/// The reconnect policy: exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    /// Reconnect at all after a lost connection.
    pub enabled: bool,
    /// First delay.
    pub initial: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            enabled: true,
            initial: Duration::from_millis(250),
            max: Duration::from_secs(30),
        }
    }
}

/// Everything the client needs to connect.
#[derive(Debug, Clone)]
#[must_use = "a Config does nothing until it is passed to Client::connect"]
pub struct Config {
    /// Host name or address.
    pub host: String,
    /// TCP port (5038 plain, 5039 TLS by default in Asterisk).
    pub port: u16,
    /// Manager user.
    pub username: String,
    /// Its secret.
    pub secret: Secret,
    /// Authentication mode.
    pub auth: Auth,
    /// Refuse to send the secret in plain text over a non-TLS connection.
    pub refuse_plaintext: bool,
    /// The `Events:` mask sent at login (`on`, `off`, or classes such as `call,agent`).
    pub events: String,
    /// Server-side `Filter` expressions applied after every login (see the `Filter` action).
    pub filters: Vec<String>,
    /// Default time to wait for an action's complete reply.
    pub action_timeout: Duration,
    /// Time to wait for an action's later event (e.g. `OriginateResponse`).
    pub follow_up_timeout: Duration,
    /// Ping interval to detect dead peers; `None` disables keepalive.
    pub keepalive: Option<Duration>,
    /// How long a keepalive Ping may take before the peer is declared dead.
    pub pong_timeout: Duration,
    /// Reconnect policy.
    pub reconnect: Reconnect,
    /// Events buffered per subscriber before the overflow signal.
    pub event_buffer: usize,
    /// Actions in flight at most.
    pub max_pending: usize,
    /// Bytes of encoded actions that may wait to be written (a server that stops reading
    /// makes them pile up); beyond it sends fail with [`crate::Error::WriteBacklog`].
    pub max_write_buffer: usize,
    /// Items one collected event list may hold (stream larger lists), and unread items a
    /// streamed list may queue before it ends with [`crate::Error::ListTooLong`].
    pub max_list_items: usize,
    /// Framing limits for received bytes.
    pub limits: Limits,
    /// TLS, when connecting to Asterisk's TLS port.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::TlsConfig>,
}

impl Config {
    /// Settings with defaults: plain login, events on, 10 s action timeout, 30 s keepalive.
    pub fn new(
        host: impl Into<String>,
        port: u16,
        username: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        Config {
            host: host.into(),
            port,
            username: username.into(),
            secret: secret.into(),
            auth: Auth::Plain,
            refuse_plaintext: false,
            events: "on".to_owned(),
            filters: Vec::new(),
            action_timeout: Duration::from_secs(10),
            follow_up_timeout: Duration::from_secs(60),
            keepalive: Some(Duration::from_secs(30)),
            pong_timeout: Duration::from_secs(5),
            reconnect: Reconnect::default(),
            event_buffer: 4096,
            max_pending: 65_536,
            max_write_buffer: 16 << 20,
            max_list_items: 1_000_000,
            limits: Limits::default(),
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// Settings from `AMI_HOST`, `AMI_PORT`, `AMI_USERNAME` and `AMI_SECRET`, when `AMI_HOST` is set.
    pub fn from_env() -> Option<Self> {
        let host = std::env::var("AMI_HOST").ok()?;
        let port = std::env::var("AMI_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(5038);
        let user = std::env::var("AMI_USERNAME").unwrap_or_else(|_| "admin".to_owned());
        let secret = std::env::var("AMI_SECRET").unwrap_or_default();
        Some(Config::new(host, port, user, secret))
    }

    /// Uses MD5 challenge authentication.
    pub fn md5(mut self) -> Self {
        self.auth = Auth::Md5;
        self
    }

    /// Sets the login event mask.
    pub fn events(mut self, mask: impl Into<String>) -> Self {
        self.events = mask.into();
        self
    }

    /// Adds a server-side event filter, re-applied after every reconnect.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filters.push(expression.into());
        self
    }

    /// Sets the default action timeout.
    pub fn action_timeout(mut self, timeout: Duration) -> Self {
        self.action_timeout = timeout;
        self
    }

    /// Sets or disables keepalive.
    pub fn keepalive(mut self, interval: Option<Duration>, pong_timeout: Duration) -> Self {
        self.keepalive = interval;
        self.pong_timeout = pong_timeout;
        self
    }

    /// Sets the reconnect policy.
    pub fn reconnect(mut self, reconnect: Reconnect) -> Self {
        self.reconnect = reconnect;
        self
    }

    /// Sets the per-subscriber event buffer.
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }

    /// Connects over TLS.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::tls::TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    pub(crate) fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        {
            self.tls.is_some()
        }
        #[cfg(not(feature = "tls"))]
        {
            false
        }
    }
}
