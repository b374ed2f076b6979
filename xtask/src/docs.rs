//! `cargo xtask docs [--check]`: the Markdown reference in `docs/reference/`, generated from the
//! spec like the Rust types, so the two always state the same facts.
//!
//! `index.md` lists every module, action, event, field set and enum with the Asterisk versions
//! that have it; each spec module gets one page (`app_queue.md`) with its actions (parameters,
//! response shape, the events a list or a follow-up produces, a builder example, wire
//! examples), its events (headers, included field sets, which actions produce them), its field
//! sets and its enums. Items link to each other across pages. The output is deterministic and
//! committed; `--check` fails, naming the command, when it is stale.

mod index;
#[cfg(test)]
mod links;
mod markdown;
mod page;

use std::collections::BTreeMap;

use ami_spec::Spec;

use crate::codegen::{sync, Mode};

/// Where the reference lives, relative to the workspace root.
pub const REFERENCE_DIR: &str = "docs/reference";

/// Regenerates (or checks) `docs/reference/`.
pub fn run(mode: Mode) -> Result<(), String> {
    let spec = ami_spec::load().map_err(|e| format!("the spec has errors:\n{e}"))?;
    let files = generate(&spec);
    let what = format!("the reference in {REFERENCE_DIR}/");
    sync(&files, REFERENCE_DIR, "md", mode, &what, "cargo xtask docs")
}

/// Every reference file: (path relative to the workspace root, contents).
pub fn generate(spec: &Spec) -> Vec<(String, String)> {
    let site = Site::new(spec);
    let mut files = vec![(format!("{REFERENCE_DIR}/index.md"), index::page(&site))];
    for module in &spec.modules {
        files.push((
            format!("{REFERENCE_DIR}/{}.md", module.name),
            page::page(&site, module),
        ));
    }
    files
}

/// The spec plus where each item is documented, for cross-links.
pub struct Site<'s> {
    /// The spec.
    pub spec: &'s Spec,
    actions: BTreeMap<&'s str, &'s str>,
    events: BTreeMap<&'s str, &'s str>,
    fieldsets: BTreeMap<&'s str, &'s str>,
    enums: BTreeMap<&'s str, &'s str>,
}

/// The kinds of item that have an anchor.
#[derive(Clone, Copy)]
pub enum Kind {
    /// An action.
    Action,
    /// An event.
    Event,
    /// A field set.
    Fieldset,
    /// An enum.
    Enum,
}

impl Kind {
    /// The word in the item's heading, which is also the anchor's prefix.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Action => "Action",
            Kind::Event => "Event",
            Kind::Fieldset => "Field set",
            Kind::Enum => "Enum",
        }
    }
}

impl<'s> Site<'s> {
    fn new(spec: &'s Spec) -> Self {
        let mut site = Site {
            spec,
            actions: BTreeMap::new(),
            events: BTreeMap::new(),
            fieldsets: BTreeMap::new(),
            enums: BTreeMap::new(),
        };
        for m in &spec.modules {
            let page = m.name.as_str();
            site.actions
                .extend(m.actions.iter().map(|a| (a.name.as_str(), page)));
            site.events
                .extend(m.events.iter().map(|e| (e.name.as_str(), page)));
            site.fieldsets
                .extend(m.fieldsets.iter().map(|f| (f.name.as_str(), page)));
            site.enums
                .extend(m.enums.iter().map(|e| (e.name.as_str(), page)));
        }
        site
    }

    /// The heading of an item: `Action `QueueStatus``.
    pub fn heading(kind: Kind, name: &str) -> String {
        format!("{} `{name}`", kind.word())
    }

    /// The anchor of an item's heading, as GitHub computes it.
    pub fn anchor(kind: Kind, name: &str) -> String {
        markdown::slug(&Self::heading(kind, name))
    }

    /// The link target of an item, seen from the page of module `from` (`None`: the index).
    pub fn href(&self, from: Option<&str>, kind: Kind, name: &str) -> Option<String> {
        let pages = match kind {
            Kind::Action => &self.actions,
            Kind::Event => &self.events,
            Kind::Fieldset => &self.fieldsets,
            Kind::Enum => &self.enums,
        };
        let page = pages.get(name)?;
        let anchor = Self::anchor(kind, name);
        Some(if from == Some(*page) {
            format!("#{anchor}")
        } else {
            format!("{page}.md#{anchor}")
        })
    }

    /// ``[`Name`](target)``, or just `` `Name` `` when the item is not in the spec.
    pub fn link(&self, from: Option<&str>, kind: Kind, name: &str) -> String {
        match self.href(from, kind, name) {
            Some(href) => format!("[`{name}`]({href})"),
            None => format!("`{name}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The committed reference matches the spec.
    #[test]
    fn reference_is_fresh() {
        if let Err(message) = super::run(crate::codegen::Mode::Check) {
            panic!("{message}");
        }
    }
}
