//! The Asterisk Manager Interface client.
//!
//! Today this crate holds the tooling built on the sans-IO core in [`ami_types`]: [`inspect`]
//! decodes a captured AMI byte stream message by message, which is what the `ami decode`
//! command prints. The tokio runtime (connection, login, action correlation, event stream,
//! reconnect) builds on the same core.
#![deny(missing_docs)]

pub mod inspect;

pub use ami_types as types;
