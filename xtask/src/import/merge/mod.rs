//! Merging dumps into the spec: what is missing is added, what the spec states is kept, and
//! every difference is reported.
//!
//! Version rule: dumps are merged oldest first. Nothing documented by the first dump gets a
//! version. An item first documented by a later dump `N` is added with `since = "N"` (the first
//! release the imports show it in). An item documented by the previous dump `P` of the run but
//! not by `N` gets `removed = "P+1"` (the first release that may lack it). The XML `<since>`
//! tags are not used: they date the documentation, which often came long after the feature.

use std::collections::{BTreeMap, HashMap};

use toml_edit::Table;

use super::dump::Dump;
use super::spec_files::{get_str, Kind, SpecFiles};
use super::Report;

mod actions;
mod events;
mod removals;
mod types;

/// Merges `dump` into `files`. `prev` is the dump merged just before it in this run.
pub fn merge(files: &mut SpecFiles, dump: &Dump, prev: Option<&Dump>, report: &mut Report) {
    let mut m = Merge {
        files,
        dump,
        first: prev.is_none(),
        report,
        votes: HashMap::new(),
    };
    m.count_votes();
    for event in &dump.events {
        m.event(event);
    }
    for action in &dump.actions {
        m.action(action);
    }
    if let Some(prev) = prev {
        m.removals(prev);
    }
}

struct Merge<'a> {
    files: &'a mut SpecFiles,
    dump: &'a Dump,
    first: bool,
    report: &'a mut Report,
    /// Origin key → spec file stem → how many of its items the file already holds.
    votes: HashMap<String, BTreeMap<String, usize>>,
}

impl Merge<'_> {
    fn version(&self) -> String {
        self.dump.version.to_string()
    }

    fn change(&mut self, text: String) {
        self.report.changes.push(text);
    }

    fn disagree(&mut self, text: String) {
        self.report.disagreements.push(text);
    }

    /// Where the spec already keeps the items documented in each source file or module.
    fn count_votes(&mut self) {
        let mut votes: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        let found = self
            .dump
            .actions
            .iter()
            .map(|a| (Kind::Action, &a.name, &a.origin));
        let found = found.chain(
            self.dump
                .events
                .iter()
                .map(|e| (Kind::Event, &e.name, &e.origin)),
        );
        for (kind, name, origin) in found {
            if let Some(loc) = self.files.find(kind, name) {
                let stem = self.files.files[loc.file].stem.clone();
                *votes
                    .entry(origin.key().to_string())
                    .or_default()
                    .entry(stem)
                    .or_default() += 1;
            }
        }
        self.votes = votes;
    }

    /// The file for a new item: the one holding most items of the same source file or module,
    /// else the one named after its module (created when missing).
    fn target_file(&mut self, origin: &super::dump::Origin) -> usize {
        let stem = match self.votes.get(origin.key()) {
            Some(v) => v
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.clone()),
            None => None,
        };
        let stem = stem.unwrap_or_else(|| origin.default_file());
        let file = self.files.file(&stem, &mut self.report.created);
        *self
            .votes
            .entry(origin.key().to_string())
            .or_default()
            .entry(stem)
            .or_default() += 1;
        file
    }

    /// Disagreements on an item's version range.
    fn check_versions(&mut self, what: &str, t: &Table) {
        let n = self.dump.version;
        let since = get_str(t, "since").and_then(|s| s.parse::<u32>().ok());
        if let Some(s) = since.filter(|s| *s > n) {
            let text = format!("{what}: the spec says since {s}, but Asterisk {n} documents it");
            self.disagree(text);
        }
        let removed = get_str(t, "removed").and_then(|s| s.parse::<u32>().ok());
        if let Some(r) = removed.filter(|r| *r <= n) {
            let text =
                format!("{what}: the spec says removed in {r}, but Asterisk {n} documents it");
            self.disagree(text);
        }
    }
}

/// A Rust variant name for a wire value: UpperCamelCase, `Minus` for a leading `-`, `Value` before
/// a leading digit, `OtherValue` for `Other` (reserved for the catch-all).
pub fn variant_name(wire: &str) -> String {
    let (sign, rest) = match wire.strip_prefix('-') {
        Some(rest) => ("Minus", rest),
        None => ("", wire),
    };
    let words: String = rest
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            let first = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or_default();
            let rest: String = chars.collect();
            // Keep CamelCase words as they are; lower ALL-CAPS ones.
            if rest.chars().all(|c| !c.is_ascii_lowercase()) {
                format!("{first}{}", rest.to_ascii_lowercase())
            } else {
                format!("{first}{rest}")
            }
        })
        .collect();
    let name = format!("{sign}{words}");
    if name.is_empty() {
        "Empty".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Value{name}")
    } else if name == "Other" {
        "OtherValue".to_string()
    } else {
        name
    }
}
