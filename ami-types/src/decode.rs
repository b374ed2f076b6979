//! Decoding errors and the bookkeeping of unknown headers.
//!
//! Decoding is lenient where Asterisk is inconsistent (header case, boolean spellings, empty or
//! `<unknown>` values) and strict where it matters: a missing required field or a value that
//! cannot be its type is a [`DecodeError`] naming the type and the field.

use std::fmt;

/// Why a message could not be decoded into a typed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A required header is absent.
    #[error("{target}: missing required field {field}")]
    MissingField {
        /// The type being decoded.
        target: &'static str,
        /// The wire header name.
        field: &'static str,
    },
    /// A header's value is not valid for its type.
    #[error("{target}, field {field}: {error}")]
    InvalidValue {
        /// The type being decoded.
        target: &'static str,
        /// The wire header name.
        field: &'static str,
        /// What was wrong.
        error: ValueError,
    },
    /// The message is not of the expected kind or name.
    #[error("expected {expected}, found {found}")]
    WrongMessage {
        /// What the decoder wanted.
        expected: &'static str,
        /// What the message was.
        found: String,
    },
    /// A request carried a parameter the action does not have.
    #[error("{target}: unknown parameter {header}")]
    UnknownParam {
        /// The action.
        target: &'static str,
        /// The header name.
        header: String,
    },
    /// An event list did not end with its completion event.
    #[error("{target}: event list has no completion event {complete}")]
    IncompleteList {
        /// The response type.
        target: &'static str,
        /// The completion event expected.
        complete: &'static str,
    },
}

/// Why one header value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?}: expected {expected}")]
pub struct ValueError {
    /// The value received.
    pub value: String,
    /// What it should have been.
    pub expected: &'static str,
}

impl ValueError {
    /// A value that is not what `expected` describes.
    pub fn new(value: &str, expected: &'static str) -> Self {
        ValueError {
            value: value.to_owned(),
            expected,
        }
    }

    /// Attaches the type and field this value belongs to.
    pub fn at(self, target: &'static str, field: &'static str) -> DecodeError {
        DecodeError::InvalidValue {
            target,
            field,
            error: self,
        }
    }
}

/// Headers of a message that the decoded type has no field for, in wire order.
///
/// Nothing received is lost: a new Asterisk header shows up here until the spec learns it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Unknown<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Unknown<'a> {
    /// No unknown headers.
    pub const fn new() -> Self {
        Unknown(Vec::new())
    }

    /// Records one header.
    pub fn push(&mut self, name: &'a str, value: &'a str) {
        self.0.push((name, value));
    }

    /// The unknown headers as (name, value) pairs.
    pub fn as_slice(&self) -> &[(&'a str, &'a str)] {
        &self.0
    }

    /// Whether every header was known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the unknown headers.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

impl fmt::Debug for Unknown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, v)| (n, v)))
            .finish()
    }
}

/// Whether a value means "absent" for non-text types: empty, `<unknown>` or `(null)`.
pub fn is_nullish(raw: &str) -> bool {
    raw.is_empty() || raw == "<unknown>" || raw == "(null)"
}
