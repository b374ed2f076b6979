//! Encoding typed actions into wire bytes.
//!
//! Every header name and value is checked before it is written: CR, LF or NUL inside a value
//! would let a caller inject headers or whole actions, so it is an [`EncodeError`] and nothing
//! of that action is emitted.

use crate::traits::{Action, ParamValue};

/// Why an action could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A value contained CR, LF or NUL, which would inject headers.
    #[error(
        "header {header}: value contains {found}, which would inject headers; nothing was sent"
    )]
    HeaderInjection {
        /// The header whose value was refused.
        header: String,
        /// The offending character, spelled out (`CR`, `LF`, `NUL`).
        found: &'static str,
    },
    /// A value has no unambiguous wire form (e.g. a variable name containing `=`).
    #[error("header {header}: {reason}; nothing was sent")]
    InvalidValue {
        /// The header whose value was refused.
        header: String,
        /// Why.
        reason: &'static str,
    },
    /// A header name was empty or contained a colon, whitespace or control characters.
    #[error("invalid header name {name:?}")]
    InvalidName {
        /// The refused name.
        name: String,
    },
}

/// Writes `Name: value\r\n` lines into a buffer, refusing header injection.
#[derive(Debug)]
pub struct HeaderWriter<'b> {
    out: &'b mut Vec<u8>,
}

impl<'b> HeaderWriter<'b> {
    /// A writer appending to `out`.
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        HeaderWriter { out }
    }

    /// Writes one header with a text value.
    pub fn header(&mut self, name: &str, value: &str) -> Result<(), EncodeError> {
        check_name(name)?;
        self.checked_name_header(name, value)
    }

    /// Writes a header whose name is known to be valid (checked, or spelled by this module);
    /// the value is checked before anything is written, so a refusal writes nothing.
    fn checked_name_header(&mut self, name: &str, value: &str) -> Result<(), EncodeError> {
        if let Some(found) = forbidden(value.as_bytes()) {
            return Err(EncodeError::HeaderInjection {
                header: name.to_owned(),
                found,
            });
        }
        // One capacity check for the whole line, instead of one per piece.
        self.out.reserve(name.len() + value.len() + 4);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b": ");
        self.out.extend_from_slice(value.as_bytes());
        self.out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Writes one header whose value is a [`ParamValue`].
    pub fn param<T: ParamValue>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        check_param(name, value)?;
        self.header_with(name, |out| value.encode_param(out))
    }

    /// Writes one header whose value `write` appends, then checks what it appended.
    pub fn header_with(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), EncodeError> {
        check_name(name)?;
        let start = self.out.len();
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b": ");
        let value_start = self.out.len();
        write(self.out);
        if let Some(found) = forbidden(&self.out[value_start..]) {
            self.out.truncate(start);
            return Err(EncodeError::HeaderInjection {
                header: name.to_owned(),
                found,
            });
        }
        self.out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

/// [`ParamValue::check_param`], as the error for header `name`.
pub(crate) fn check_param<T: ParamValue>(name: &str, value: &T) -> Result<(), EncodeError> {
    value
        .check_param()
        .map_err(|reason| EncodeError::InvalidValue {
            header: name.to_owned(),
            reason,
        })
}

fn check_name(name: &str) -> Result<(), EncodeError> {
    // Whitespace and control bytes are all at or below the space, or DEL. A fold without an
    // early exit: names are short, and this runs for every header sent.
    let bad = name.is_empty()
        || name.bytes().fold(false, |bad, b| {
            bad | (b <= b' ') | (b == b':') | (b == 0x7f)
        });
    if bad {
        return Err(EncodeError::InvalidName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn forbidden(value: &[u8]) -> Option<&'static str> {
    // CR, LF and NUL are all below 0x0E: a branch-free pass clears nearly every value at once.
    if !value.iter().fold(false, |low, &b| low | (b < 0x0e)) {
        return None;
    }
    value.iter().find_map(|b| match b {
        b'\r' => Some("CR"),
        b'\n' => Some("LF"),
        0 => Some("NUL"),
        _ => None,
    })
}

/// Appends the complete wire form of `action` with its `ActionID` to `out`.
///
/// On error `out` is left exactly as it was: a refused action is never partly written.
pub fn encode_action<A: Action + ?Sized>(
    action: &A,
    action_id: &str,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let result = (|| {
        let mut w = HeaderWriter::new(out);
        // These two names are spelled here, so only their values need checking.
        w.checked_name_header("Action", A::NAME)?;
        w.checked_name_header("ActionID", action_id)?;
        action.write_params(&mut w)?;
        out.extend_from_slice(b"\r\n");
        Ok(())
    })();
    if result.is_err() {
        out.truncate(start);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str) -> Result<String, EncodeError> {
        let mut out = b"kept".to_vec();
        let result = HeaderWriter::new(&mut out).header(name, value);
        match result {
            Ok(()) => Ok(String::from_utf8(out).expect("utf-8")),
            Err(e) => {
                assert_eq!(out, b"kept", "a refused header writes nothing");
                Err(e)
            }
        }
    }

    #[test]
    fn values_with_cr_lf_or_nul_are_refused_and_tabs_kept() {
        for (value, found) in [
            ("a\rb", "CR"),
            ("a\nb", "LF"),
            ("a\0b", "NUL"),
            ("\x0b\n", "LF"),
        ] {
            assert_eq!(
                header("Channel", value),
                Err(EncodeError::HeaderInjection {
                    header: "Channel".to_owned(),
                    found
                })
            );
        }
        assert_eq!(
            header("Data", "a\tb\x0b\x0c").unwrap(),
            "keptData: a\tb\x0b\x0c\r\n"
        );
        assert_eq!(header("Data", "").unwrap(), "keptData: \r\n");
    }

    #[test]
    fn names_with_separators_whitespace_or_controls_are_refused() {
        for name in ["", "A B", "A:B", "A\tB", "A\x7fB", "A\x01", "A\r", " "] {
            assert_eq!(
                header(name, "v"),
                Err(EncodeError::InvalidName {
                    name: name.to_owned()
                }),
                "{name:?}"
            );
        }
        assert!(header("X-Custom_Header(0)", "v").is_ok());
        assert!(
            header("Größe", "v").is_ok(),
            "non-ASCII names pass as before"
        );
    }
}
