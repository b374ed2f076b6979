//! Parameters sent once per index, in Asterisk's two spellings.
//!
//! AOC's `UnitAmount(0)`, `UnitAmount(1)`, … put the index in parentheses; UpdateConfig's
//! `Action-000000`, `Action-000001`, … pad it to six digits. The spec names such a parameter by
//! its index-0 spelling, from which both the wire names and the way back are derived here, so
//! that the derive, the dynamic tables and the CLI agree.

/// How the index is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexStyle {
    /// `Name(3)`.
    Parenthesized,
    /// `Name-000003`: six digits, zero-padded, after the name and its dash.
    Padded,
}

/// The stem and style of an index-0 name: `UnitAmount(0)` gives `("UnitAmount",
/// Parenthesized)`, `Action-000000` gives `("Action-", Padded)`; `None` for other names.
pub fn pattern(index0_name: &str) -> Option<(&str, IndexStyle)> {
    if let Some(stem) = index0_name.strip_suffix("(0)") {
        return Some((stem, IndexStyle::Parenthesized));
    }
    index0_name
        .strip_suffix("000000")
        .filter(|stem| stem.ends_with('-'))
        .map(|stem| (stem, IndexStyle::Padded))
}

/// The wire name of entry `index`.
pub fn name(stem: &str, style: IndexStyle, index: usize) -> String {
    match style {
        IndexStyle::Parenthesized => format!("{stem}({index})"),
        IndexStyle::Padded => format!("{stem}{index:06}"),
    }
}

/// The index of `header` when it is an entry of this parameter (the stem compared ignoring
/// ASCII case, as Asterisk does); `None` otherwise.
pub fn index(header: &str, stem: &str, style: IndexStyle) -> Option<usize> {
    let rest = crate::__private::strip_prefix_ic(header, stem)?;
    match style {
        IndexStyle::Parenthesized => rest.strip_prefix('(')?.strip_suffix(')')?.parse().ok(),
        IndexStyle::Padded => {
            // Asterisk reads exactly `%06d`: six digits, no sign.
            (rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_digit()))
                .then(|| rest.parse().ok())
                .flatten()
        }
    }
}

/// The index of `header` for the parameter whose index-0 name is `index0_name`.
pub fn index_of(header: &str, index0_name: &str) -> Option<usize> {
    let (stem, style) = pattern(index0_name)?;
    index(header, stem, style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_styles_name_and_parse_their_entries() {
        assert_eq!(
            pattern("UnitAmount(0)"),
            Some(("UnitAmount", IndexStyle::Parenthesized))
        );
        assert_eq!(
            pattern("Action-000000"),
            Some(("Action-", IndexStyle::Padded))
        );
        assert_eq!(pattern("Action"), None);
        assert_eq!(pattern("Channel000000"), None);
        assert_eq!(
            name("UnitAmount", IndexStyle::Parenthesized, 12),
            "UnitAmount(12)"
        );
        assert_eq!(name("Action-", IndexStyle::Padded, 12), "Action-000012");
        assert_eq!(index_of("unitamount(3)", "UnitAmount(0)"), Some(3));
        assert_eq!(index_of("cat-000041", "Cat-000000"), Some(41));
        assert_eq!(index_of("Cat-41", "Cat-000000"), None);
        assert_eq!(index_of("Cat-+00041", "Cat-000000"), None);
        assert_eq!(index_of("Cat-0000041", "Cat-000000"), None);
        assert_eq!(index_of("Category-000001", "Cat-000000"), None);
    }
}
