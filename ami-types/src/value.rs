//! Value types and codecs shared by generated and hand-written types: text, numbers, booleans,
//! durations, comma lists, `name=value` variables and channel patterns.

use std::fmt::Write as _;
use std::time::Duration;

use crate::decode::{is_nullish, ValueError};
use crate::traits::{FieldValue, ParamValue};

/// Stands in for a credential in `Debug` output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A channel variable assignment, sent as `Variable: name=value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Variable {
    /// Variable name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Variable {
    /// `name=value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Variable {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl<N: Into<String>, V: Into<String>> From<(N, V)> for Variable {
    fn from((name, value): (N, V)) -> Self {
        Variable::new(name, value)
    }
}

impl ParamValue for Variable {
    /// A name containing `=` would be cut there by Asterisk (`a=b=c` sets `a`).
    fn check_param(&self) -> Result<(), &'static str> {
        if self.name.contains('=') {
            return Err("a variable name cannot contain '='");
        }
        Ok(())
    }

    fn encode_param(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(self.value.as_bytes());
    }

    fn decode_param(raw: &str) -> Result<Self, ValueError> {
        match raw.split_once('=') {
            Some((name, value)) => Ok(Variable::new(name, value)),
            None => Err(ValueError::new(raw, "name=value")),
        }
    }
}

/// A channel name, or a regular expression written `/regex/` that matches many channels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ChannelPattern {
    /// One channel by name.
    Name(String),
    /// Every channel matching the expression (sent between slashes).
    Regex(String),
}

impl From<&str> for ChannelPattern {
    fn from(name: &str) -> Self {
        ChannelPattern::Name(name.to_owned())
    }
}

impl From<String> for ChannelPattern {
    fn from(name: String) -> Self {
        ChannelPattern::Name(name)
    }
}

impl ParamValue for ChannelPattern {
    fn encode_param(&self, out: &mut Vec<u8>) {
        match self {
            ChannelPattern::Name(name) => out.extend_from_slice(name.as_bytes()),
            ChannelPattern::Regex(re) => {
                out.push(b'/');
                out.extend_from_slice(re.as_bytes());
                out.push(b'/');
            }
        }
    }

    fn decode_param(raw: &str) -> Result<Self, ValueError> {
        Ok(
            match raw.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
                Some(re) if raw.len() >= 2 => ChannelPattern::Regex(re.to_owned()),
                _ => ChannelPattern::Name(raw.to_owned()),
            },
        )
    }
}

/// Parses Asterisk's boolean spellings: yes/no, true/false, y/n, t/f, 1/0, on/off, any case.
pub fn parse_bool(raw: &str) -> Result<bool, ValueError> {
    const TRUE: [&str; 6] = ["yes", "true", "y", "t", "1", "on"];
    const FALSE: [&str; 6] = ["no", "false", "n", "f", "0", "off"];
    let raw_trim = raw.trim();
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(raw_trim)) {
        Ok(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(raw_trim)) {
        Ok(false)
    } else {
        Err(ValueError::new(
            raw,
            "a boolean (yes/no, true/false, 1/0, on/off)",
        ))
    }
}

impl ParamValue for String {
    fn encode_param(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }

    fn decode_param(raw: &str) -> Result<Self, ValueError> {
        Ok(raw.to_owned())
    }
}

impl ParamValue for bool {
    /// Booleans are sent as `true` or `false`, which every Asterisk version accepts.
    fn encode_param(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }

    fn decode_param(raw: &str) -> Result<Self, ValueError> {
        parse_bool(raw)
    }
}

impl<'a> FieldValue<'a> for &'a str {
    const KEEP_NULLISH: bool = true;

    fn decode_field(raw: &'a str) -> Result<Self, ValueError> {
        Ok(raw)
    }
}

impl<'a> FieldValue<'a> for bool {
    fn decode_field(raw: &'a str) -> Result<Self, ValueError> {
        parse_bool(raw)
    }
}

macro_rules! numbers {
    ($($t:ty => $what:literal),*) => {$(
        impl ParamValue for $t {
            fn encode_param(&self, out: &mut Vec<u8>) {
                let mut s = String::new();
                let _ = write!(s, "{self}");
                out.extend_from_slice(s.as_bytes());
            }

            fn decode_param(raw: &str) -> Result<Self, ValueError> {
                raw.trim().parse().map_err(|_| ValueError::new(raw, $what))
            }
        }

        impl<'a> FieldValue<'a> for $t {
            fn decode_field(raw: &'a str) -> Result<Self, ValueError> {
                raw.trim().parse().map_err(|_| ValueError::new(raw, $what))
            }
        }
    )*};
}

numbers!(
    i64 => "an integer", u64 => "an unsigned integer", i32 => "an integer",
    u32 => "an unsigned integer", f64 => "a number"
);

/// Durations in whole seconds, for `#[ami(unit = "s")]`.
pub mod seconds {
    use super::*;

    /// Appends the duration as whole seconds.
    pub fn encode(value: &Duration, out: &mut Vec<u8>) {
        value.as_secs().encode_param(out)
    }

    /// Parses whole seconds.
    pub fn decode(raw: &str) -> Result<Duration, ValueError> {
        let secs: u64 = raw
            .trim()
            .parse()
            .map_err(|_| ValueError::new(raw, "whole seconds"))?;
        Ok(Duration::from_secs(secs))
    }
}

/// Durations in milliseconds, for `#[ami(unit = "ms")]`.
pub mod millis {
    use super::*;

    /// Appends the duration as whole milliseconds.
    pub fn encode(value: &Duration, out: &mut Vec<u8>) {
        (value.as_millis() as u64).encode_param(out)
    }

    /// Parses whole milliseconds.
    pub fn decode(raw: &str) -> Result<Duration, ValueError> {
        let ms: u64 = raw
            .trim()
            .parse()
            .map_err(|_| ValueError::new(raw, "milliseconds"))?;
        Ok(Duration::from_millis(ms))
    }
}

/// Comma-separated lists, for `#[ami(list)]` parameters.
pub mod comma_list {
    use super::*;

    /// Appends the items joined by commas.
    pub fn encode<T: ParamValue>(items: &[T], out: &mut Vec<u8>) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.encode_param(out);
        }
    }

    /// Splits on commas.
    pub fn decode<T: ParamValue>(raw: &str) -> Result<Vec<T>, ValueError> {
        raw.split(',')
            .filter(|s| !s.is_empty())
            .map(T::decode_param)
            .collect()
    }
}

/// Decodes an optional field: absent-like values become `None` unless `T` keeps them.
#[inline]
pub fn decode_optional<'a, T: FieldValue<'a>>(raw: &'a str) -> Result<Option<T>, ValueError> {
    if !T::KEEP_NULLISH && is_nullish(raw) {
        return Ok(None);
    }
    T::decode_field(raw).map(Some)
}
