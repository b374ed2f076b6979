//! TOML → [`raw::File`], recovering from broken items so that one load reports them all.
//!
//! serde stops at the first error in a file. To go on, the broken top-level item (`[[action]]`
//! with its sub-tables, …) is blanked out with spaces, which keeps every byte offset and so every
//! later error's `line:column`, and the file is parsed again, until it parses or an error cannot
//! be pinned to one item.

use crate::error::{Error, ErrorKind};
use crate::raw;
use crate::source::Source;
use std::ops::Range;

/// What a file parsed into.
pub(crate) struct Parsed {
    /// The file without its broken items; `None` when it could not be parsed at all.
    pub file: Option<raw::File>,
    /// `(kind, name)` of the items left out, e.g. `("event", "Hangup")`.
    pub broken: Vec<(&'static str, String)>,
}

/// A top-level item of a file and the text it spans, sub-tables included.
struct Item {
    what: &'static str,
    region: Range<usize>,
    name: Option<String>,
}

impl Item {
    /// `action QueueAdd`, or just `action` when it has no readable name.
    fn context(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {name}", self.what),
            None => self.what.to_string(),
        }
    }
}

/// Parses one file, pushing an error for each broken item.
pub(crate) fn parse(source: &Source, errors: &mut Vec<Error>) -> Parsed {
    let items = items(&source.text);
    let mut text = source.text.clone();
    let mut broken = Vec::new();
    loop {
        let error = match toml::from_str::<raw::File>(&text) {
            Ok(file) => {
                return Parsed {
                    file: Some(file),
                    broken,
                }
            }
            Err(error) => error,
        };
        let span = error.span().unwrap_or(0..0);
        let item = items.iter().find(|item| item.region.contains(&span.start));
        let context = item.map(Item::context).unwrap_or_default();
        let message = error.message().trim().replace('\n', ": ");
        errors.push(source.error(&span, context, ErrorKind::Toml(message)));
        // An empty span is a file-level error such as a missing `[module]`.
        let Some(item) = item.filter(|item| item.what != "module" && !span.is_empty()) else {
            return Parsed { file: None, broken };
        };
        blank(&mut text, item.region.clone());
        if let Some(name) = &item.name {
            broken.push((item.what, name.clone()));
        }
    }
}

/// The file's top-level items, when they are all written as `[header]` tables (no inline tables);
/// empty when the file is not valid TOML.
fn items(text: &str) -> Vec<Item> {
    let Ok(skeleton) = toml::from_str::<raw::Skeleton>(text) else {
        return Vec::new();
    };
    let groups = [
        ("module", Vec::from_iter(skeleton.module)),
        ("enum", skeleton.enums),
        ("fieldset", skeleton.fieldsets),
        ("event", skeleton.events),
        ("action", skeleton.actions),
    ];
    let mut items = Vec::new();
    for (what, tables) in groups {
        for table in tables {
            let start = table.span().start;
            if !text[start..].starts_with('[') {
                return Vec::new();
            }
            let name = table.get_ref().get("name").and_then(|name| name.as_str());
            items.push(Item {
                what,
                region: start..region_end(text, start, what),
                name: name.map(str::to_string),
            });
        }
    }
    items
}

/// Where the item whose header starts at `start` ends: at the next table header that is not one
/// of its sub-tables (`[action.response]`, `[[action.param]]`), or at the end of the file.
fn region_end(text: &str, start: usize, key: &str) -> usize {
    let sub_table = format!("{key}.");
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if offset > start && header(line).is_some_and(|h| !h.starts_with(&sub_table)) {
            return offset;
        }
        offset += line.len();
    }
    offset
}

/// The dotted key of a `[table]` or `[[array]]` header line, without whitespace.
fn header(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix('[')?;
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    let key: String = rest
        .split(']')
        .next()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(key)
}

/// Replaces `region` with spaces, keeping line breaks and byte lengths so offsets stay put.
fn blank(text: &mut String, region: Range<usize>) {
    let blanked: String = text[region.clone()]
        .chars()
        .map(|c| match c {
            '\n' | '\r' => c.to_string(),
            _ => " ".repeat(c.len_utf8()),
        })
        .collect();
    text.replace_range(region, &blanked);
}
