//! Identifier rules and the default Rust names derived from wire names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that cannot be raw identifiers (`r#self` is not allowed).
const NOT_RAW: [&str; 4] = ["self", "Self", "super", "crate"];

/// An ASCII Rust identifier that codegen can emit (as a raw identifier if it is a keyword).
pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
        && !NOT_RAW.contains(&s)
}

/// A snake_case identifier: lowercase letters, digits and underscores.
pub(crate) fn is_snake_case(s: &str) -> bool {
    is_ident(s) && !s.chars().any(|c| c.is_ascii_uppercase())
}

/// An UpperCamelCase identifier: starts upper case, no underscores (acronyms like `SIP` are
/// allowed, as rustc's `non_camel_case_types` lint allows them).
pub(crate) fn is_upper_camel_case(s: &str) -> bool {
    is_ident(s) && s.starts_with(|c: char| c.is_ascii_uppercase()) && !s.contains('_')
}

/// Default Rust type name of an action or event: heck's UpperCamelCase (`AOC-D` → `AocD`).
pub(crate) fn type_name(wire: &str) -> String {
    let name: String = wire
        .to_upper_camel_case()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    name
}

/// Default Rust field name of a param or field: heck's snake_case without the `(0)` index and
/// characters identifiers cannot hold, `_`-prefixed when it would start with a digit
/// (`UnitAmount(0)` → `unit_amount`, `Cause-txt` → `cause_txt`, `100rel` → `_100rel`).
pub(crate) fn field_name(wire: &str) -> String {
    let name: String = wire
        .replace("(0)", "")
        .to_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// Why a header name cannot appear on the wire, if it can't. Names we send (actions, events,
/// params) have no whitespace; received field names may have inner spaces, as Asterisk really
/// sends some (`Named Callgroup`).
pub(crate) fn header_name_problem(name: &str, inner_spaces: bool) -> Option<&'static str> {
    let bad_space = |c: char| c.is_whitespace() && !(inner_spaces && c == ' ');
    if name.is_empty() {
        Some("is empty")
    } else if name.contains(['\r', '\n']) {
        Some("contains a line break")
    } else if name.contains(':') {
        Some("contains ':'")
    } else if name.contains(bad_space) {
        Some("contains whitespace")
    } else if name.trim() != name {
        Some("has leading or trailing whitespace")
    } else {
        None
    }
}

/// Why a header value (an enum's wire spelling or alias) cannot appear on the wire, if it can't.
pub(crate) fn header_value_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.contains(['\r', '\n']) {
        Some("contains a line break")
    } else if value.trim() != value {
        Some("has leading or trailing whitespace, which Asterisk trims")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        assert_eq!(type_name("AOC-D"), "AocD");
        assert_eq!(type_name("SIPpeers"), "SiPpeers");
        assert_eq!(field_name("UnitAmount(0)"), "unit_amount");
        assert_eq!(field_name("Cause-txt"), "cause_txt");
        assert_eq!(field_name("100rel"), "_100rel");
        assert_eq!(field_name("CallerIDNum"), "caller_id_num");
    }

    #[test]
    fn idents() {
        assert!(is_snake_case("_100rel"));
        assert!(is_snake_case("type"));
        assert!(!is_snake_case("self"));
        assert!(!is_snake_case("_"));
        assert!(!is_snake_case("Foo"));
        assert!(is_upper_camel_case("SIPPeers"));
        assert!(!is_upper_camel_case("Sip_Peers"));
        assert!(!is_upper_camel_case("sipPeers"));
    }
}
