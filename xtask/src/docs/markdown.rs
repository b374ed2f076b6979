//! Small Markdown helpers for the reference: heading anchors as GitHub computes them, and
//! tables.

pub use crate::codegen::facts::{cell, md};

/// The anchor GitHub gives a heading: lower case, letters, digits, `-` and `_` kept, spaces
/// turned into `-`, everything else (backticks, punctuation) dropped.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// A Markdown table; cells are written as given (escape them with [`cell`]).
pub struct Table {
    text: String,
}

impl Table {
    /// A table with these column titles.
    pub fn new(columns: &[&str]) -> Self {
        let mut text = format!("| {} |\n|", columns.join(" | "));
        for _ in columns {
            text.push_str("---|");
        }
        text.push('\n');
        Table { text }
    }

    /// Adds a row.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.text.push('|');
        for c in cells {
            let c = c.as_ref();
            if c.is_empty() {
                self.text.push_str(" |");
            } else {
                self.text.push(' ');
                self.text.push_str(c);
                self.text.push_str(" |");
            }
        }
        self.text.push('\n');
    }

    /// The table's Markdown, ending with a newline.
    pub fn finish(self) -> String {
        self.text
    }
}

/// `` `code` `` for a table cell.
pub fn code(text: &str) -> String {
    cell(&format!("`{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_github() {
        assert_eq!(slug("Action `QueueStatus`"), "action-queuestatus");
        assert_eq!(slug("Event `AOC-D`"), "event-aoc-d");
        assert_eq!(
            slug("Field set `ChannelSnapshot`"),
            "field-set-channelsnapshot"
        );
        assert_eq!(
            slug("Backpressure: what `Overflow` means"),
            "backpressure-what-overflow-means"
        );
        assert_eq!(slug("Events and filtering"), "events-and-filtering");
    }

    #[test]
    fn tables_escape_nothing_themselves() {
        let mut t = Table::new(&["A", "B"]);
        t.row(&["`x`", ""]);
        assert_eq!(t.finish(), "| A | B |\n|---|---|\n| `x` | |\n");
    }
}
