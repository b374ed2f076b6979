//! The Asterisk Manager Interface client over tokio.
//!
//! One task owns the socket; a cheap [`Client`] handle sends typed actions
//! ([`Client::send`]) and hands out event streams ([`Client::events`]). Replies are
//! correlated by `ActionID` in one place, event lists are collected until their completion
//! event, and every pending action fails at once with a typed [`Error`] when the connection
//! drops; the client then reconnects with backoff, logs in again and re-applies its event mask
//! and filters. Slow event consumers get a counted overflow signal instead of blocking the
//! reader.
//!
//! [`inspect`] decodes a captured AMI conversation, which is what `ami decode` prints;
//! [`mock`] is an embedded AMI server for tests.
//!
//! Cargo features, both on by default: `tls` (TLS connections with rustls, [`tls`]) and `mock`
//! (the embedded mock PBX, which the `ami` binary and the examples also need). Without them the
//! client speaks plain TCP and pulls in neither rustls nor the mock.
#![deny(missing_docs)]

mod client;
mod config;
mod connection;
mod error;
mod events;
mod login;
mod pending;
#[cfg(feature = "tls")]
pub mod tls;

pub mod inspect;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(test)]
mod wake_counter;

pub use ami_types as types;
pub use client::{Client, FollowUp, ListStream, Reply};
pub use config::{Auth, Config, Reconnect, Secret};
pub use connection::ConnectionState;
pub use error::Error;
pub use events::{EventItem, EventMessage, EventStream};
pub use pending::RawReply;

/// The README's examples, compiled (and run where they need no server) as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The guide's examples (`docs/guide.md`), compiled and run as doc tests.
#[doc = include_str!("../../docs/guide.md")]
#[cfg(doctest)]
pub struct GuideDoctests;
