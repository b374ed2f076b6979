//! The client's error type: every way an action or the connection can fail, typed.

use std::sync::Arc;
use std::time::Duration;

use ami_types::{DecodeError, EncodeError, FrameError};

/// Why an action, a login or the connection failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket error.
    #[error("I/O error: {0}")]
    Io(Arc<std::io::Error>),
    /// The action could not be encoded (CR/LF in a value); nothing was sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A reply could not be decoded into its typed form.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The byte stream broke a framing limit.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// Asterisk answered `Response: Error`.
    #[error("{action} failed: {message}")]
    Action {
        /// The action's wire name.
        action: String,
        /// Asterisk's `Message:`.
        message: String,
    },
    /// Asterisk answered `Permission denied`: the manager user lacks the write class.
    #[error("{action}: permission denied")]
    PermissionDenied {
        /// The action's wire name.
        action: String,
    },
    /// No complete reply arrived in time.
    #[error("{action}: no reply within {after:?}")]
    Timeout {
        /// The action's wire name.
        action: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection was lost while the action was pending; it was not resent.
    #[error("{action}: connection lost before the reply completed")]
    Disconnected {
        /// The action's wire name.
        action: String,
    },
    /// The client is between connections (reconnecting); nothing was sent.
    #[error("not connected")]
    NotConnected,
    /// The client was closed (`logoff`, or every handle dropped).
    #[error("client closed")]
    Closed,
    /// Authentication failed.
    #[error("login failed: {0}")]
    Login(String),
    /// The configuration forbids sending the secret in plain text and MD5 was not possible.
    #[error("refusing to send the secret in plain text: {0}")]
    PlaintextRefused(String),
    /// TLS setup or handshake failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// An event list grew beyond the configured limit; use a streaming send for huge lists.
    #[error("{action}: event list exceeds {limit} items")]
    ListTooLong {
        /// The action's wire name.
        action: String,
        /// The configured limit.
        limit: usize,
    },
    /// Too many actions are already waiting for replies.
    #[error("too many actions in flight (limit {limit})")]
    TooManyPending {
        /// The configured limit.
        limit: usize,
    },
    /// The server is not reading: [`Config::max_write_buffer`](crate::Config::max_write_buffer)
    /// bytes of actions already wait to be written; nothing was queued.
    #[error("the server is not reading: {limit} bytes of actions already wait to be written")]
    WriteBacklog {
        /// The configured limit.
        limit: usize,
    },
    /// The server broke the protocol (e.g. no greeting).
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(Arc::new(e))
    }
}

impl Error {
    /// Whether the error came from the connection rather than from Asterisk's answer.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Error::Io(_) | Error::Disconnected { .. } | Error::NotConnected | Error::Closed
        )
    }
}
