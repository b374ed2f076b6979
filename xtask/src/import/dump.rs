//! Reading an Asterisk XML documentation dump into the few facts the spec takes from it: names,
//! required flags, enum values, list shapes and event classes. No prose is kept.
//!
//! Both formats are read: the full `xmldoc dump` of a running Asterisk and the manager-only
//! extracts (whose elements are preceded by a `<!-- source: path -->` comment). XInclude and the
//! snapshot templates are already expanded in both.

use std::collections::HashMap;
use std::path::Path;

use super::fixups;

/// One dump, normalised: one entry per action and event name, in document order.
#[derive(Debug, Clone, Default)]
pub struct Dump {
    /// The file it was read from.
    pub path: String,
    /// The Asterisk major version it documents.
    pub version: u32,
    /// Its actions.
    pub actions: Vec<DocAction>,
    /// Its events, several definitions of one name merged.
    pub events: Vec<DocEvent>,
    /// What reading it folded or dropped, for the report.
    pub notes: Vec<String>,
}

/// A documented action.
#[derive(Debug, Clone)]
pub struct DocAction {
    /// Wire name.
    pub name: String,
    /// Where it is documented: the source file when known, else the `module` attribute.
    pub origin: Origin,
    /// Its parameters, without `ActionID`.
    pub params: Vec<DocParam>,
    /// The event list it documents in `<responses>`, if any.
    pub list: Option<DocList>,
}

/// The event list an action documents.
#[derive(Debug, Clone)]
pub struct DocList {
    /// Events carrying the items.
    pub items: Vec<String>,
    /// The event ending the list.
    pub complete: Option<String>,
}

/// A documented event.
#[derive(Debug, Clone)]
pub struct DocEvent {
    /// Wire name.
    pub name: String,
    /// Where it is documented.
    pub origin: Origin,
    /// The privilege class, lowercase (`call`), from the first instance.
    pub class: Option<String>,
    /// Its headers, without the ones every event has (`Event`, `Privilege`, `ActionID`, `EventList`).
    pub params: Vec<DocParam>,
}

/// Where an item is documented.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The `module` attribute (`builtin` for main/), voicemail copies folded.
    pub module: String,
    /// The source file, from the extract's `<!-- source: … -->` comment.
    pub source: Option<String>,
}

impl Origin {
    /// The key grouping items documented together: the source file, else the module.
    pub fn key(&self) -> &str {
        self.source.as_deref().unwrap_or(&self.module)
    }

    /// The spec file name for items of this origin when no spec file holds related items: the
    /// module, or for `builtin` the source file's base name (`core` without one).
    pub fn default_file(&self) -> String {
        let raw = if self.module == "builtin" {
            match &self.source {
                Some(path) => {
                    let base = path.rsplit('/').next().unwrap_or(path);
                    base.split('.').next().unwrap_or(base).to_string()
                }
                None => "core".to_string(),
            }
        } else {
            self.module.clone()
        };
        let name: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
            format!("m_{name}")
        } else {
            name
        }
    }
}

/// A documented parameter or event header.
#[derive(Debug, Clone)]
pub struct DocParam {
    /// Header name as documented (`UnitAmount(0)` for indexed ones).
    pub name: String,
    /// `required="yes|true"`.
    pub required: bool,
    /// The values of its `<enumlist>`, placeholders removed; empty without one.
    pub values: Vec<String>,
    /// Placeholder values of its `<enumlist>` (`...`, `<match_method>`): when any, the values do
    /// not describe the wire closely enough for an enum.
    pub placeholders: Vec<String>,
}

/// Headers of the event framing that no event lists as a field.
const FRAMING_HEADERS: [&str; 4] = ["Event", "Privilege", "ActionID", "EventList"];

/// The Asterisk major version of a dump: `--version`, else the first number in its file name.
pub fn version_from_name(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let digits: String = name
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Reads and normalises one dump, fixups applied.
pub fn read(path: &Path, version: u32) -> Result<Dump, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut dump = parse(&text, version).map_err(|e| format!("{}: {e}", path.display()))?;
    dump.path = path.display().to_string();
    fixups::apply(&mut dump)?;
    Ok(dump)
}

/// Parses the text of a dump (without fixups).
pub fn parse(text: &str, version: u32) -> Result<Dump, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| e.to_string())?;
    let mut dump = Dump {
        version,
        ..Dump::default()
    };
    let mut actions: HashMap<String, usize> = HashMap::new();
    let mut events: HashMap<String, usize> = HashMap::new();
    let mut folded: HashMap<String, usize> = HashMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "manager" => {
                let action = read_action(node);
                match actions.get(&action.name) {
                    // The voicemail docs are built three times (app_voicemail and its imap/odbc
                    // copies): keep the first, note copies that differ.
                    Some(&i) => {
                        *folded.entry(action.name.clone()).or_default() += 1;
                        if !same_params(&dump.actions[i].params, &action.params) {
                            dump.notes.push(format!(
                                "action {} is documented twice with different parameters; the first is kept",
                                action.name
                            ));
                        }
                    }
                    None => {
                        actions.insert(action.name.clone(), dump.actions.len());
                        dump.actions.push(action);
                    }
                }
            }
            "managerEvent" => {
                let event = read_event(node);
                match events.get(&event.name) {
                    // One name, several definitions (VarSet in three modules): merge the headers.
                    Some(&i) => merge_params(&mut dump.events[i].params, event.params),
                    None => {
                        events.insert(event.name.clone(), dump.events.len());
                        dump.events.push(event);
                    }
                }
            }
            _ => {}
        }
    }
    if !folded.is_empty() {
        dump.notes.push(format!(
            "{} actions documented more than once were folded",
            folded.len()
        ));
    }
    Ok(dump)
}

fn attr(node: roxmltree::Node, name: &str) -> String {
    node.attribute(name).unwrap_or_default().trim().to_string()
}

/// The `module` attribute, with the voicemail copies folded into `app_voicemail`.
fn module_of(node: roxmltree::Node) -> String {
    let module = attr(node, "module");
    match module.as_str() {
        "app_voicemail_imap" | "app_voicemail_odbc" => "app_voicemail".to_string(),
        _ => module,
    }
}

/// The `<!-- source: path -->` comment before the element (or before its enclosing one).
fn source_of(node: roxmltree::Node) -> Option<String> {
    for element in node.ancestors().filter(|n| n.is_element()) {
        let mut prev = element.prev_sibling();
        while let Some(p) = prev {
            if p.is_comment() {
                let text = p.text().unwrap_or_default().trim();
                return text.strip_prefix("source:").map(|s| s.trim().to_string());
            }
            if p.is_element() {
                break;
            }
            prev = p.prev_sibling();
        }
    }
    None
}

fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    tag: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == tag)
}

fn read_action(node: roxmltree::Node) -> DocAction {
    let params = children(node, "syntax")
        .flat_map(|s| children(s, "parameter"))
        .filter_map(read_param)
        .filter(|p| !p.name.eq_ignore_ascii_case("ActionID"))
        .collect();
    let list = children(node, "responses").next().map(|r| DocList {
        items: children(r, "list-elements")
            .flat_map(|l| children(l, "managerEvent"))
            .map(|e| attr(e, "name"))
            .collect(),
        complete: children(r, "managerEvent").next().map(|e| attr(e, "name")),
    });
    DocAction {
        name: attr(node, "name"),
        origin: Origin {
            module: module_of(node),
            source: source_of(node),
        },
        params,
        list: list.filter(|l| !l.items.is_empty() || l.complete.is_some()),
    }
}

fn read_event(node: roxmltree::Node) -> DocEvent {
    let instances: Vec<_> = children(node, "managerEventInstance").collect();
    let class = instances
        .iter()
        .find_map(|i| i.attribute("class"))
        .map(|c| {
            c.trim()
                .trim_start_matches("EVENT_FLAG_")
                .to_ascii_lowercase()
        });
    let mut params = Vec::new();
    for instance in &instances {
        let found = children(*instance, "syntax")
            .flat_map(|s| children(s, "parameter"))
            .filter_map(read_param)
            .filter(|p| {
                !FRAMING_HEADERS
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&p.name))
            });
        merge_params(&mut params, found.collect());
    }
    DocEvent {
        name: attr(node, "name"),
        origin: Origin {
            module: module_of(node),
            source: source_of(node),
        },
        class,
        params,
    }
}

fn read_param(node: roxmltree::Node) -> Option<DocParam> {
    let name = attr(node, "name");
    if name.is_empty() {
        return None;
    }
    let required = matches!(
        attr(node, "required").to_ascii_lowercase().as_str(),
        "yes" | "true"
    );
    let (mut values, mut placeholders) = (Vec::new(), Vec::new());
    for value in children(node, "enumlist")
        .flat_map(|l| children(l, "enum"))
        .map(|e| attr(e, "name"))
    {
        if value.is_empty() {
            continue;
        }
        let list = if is_placeholder(&value) {
            &mut placeholders
        } else {
            &mut values
        };
        if !list.contains(&value) {
            list.push(value);
        }
    }
    Some(DocParam {
        name,
        required,
        values,
        placeholders,
    })
}

/// An enumlist entry that stands for values rather than being one: `...`, `<match_method>`,
/// `action(include|exclude)`, `200(SR)`, `system,call,log,...`, and the named ones of
/// [`fixups::PLACEHOLDER_VALUES`].
pub fn is_placeholder(value: &str) -> bool {
    value.contains("...")
        || value.contains('…')
        || value.contains(['<', '>', '(', ')', '|', ',', '[', ']', '{', '}'])
        || fixups::PLACEHOLDER_VALUES.contains(&value)
}

/// Adds `more` to `params`: new names are appended, known ones gain their values.
fn merge_params(params: &mut Vec<DocParam>, more: Vec<DocParam>) {
    for p in more {
        match params
            .iter_mut()
            .find(|q| q.name.eq_ignore_ascii_case(&p.name))
        {
            Some(q) => {
                q.required |= p.required;
                for v in p.values {
                    if !q.values.contains(&v) {
                        q.values.push(v);
                    }
                }
                for v in p.placeholders {
                    if !q.placeholders.contains(&v) {
                        q.placeholders.push(v);
                    }
                }
            }
            None => params.push(p),
        }
    }
}

fn same_params(a: &[DocParam], b: &[DocParam]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.name == y.name && x.required == y.required && x.values == y.values)
}
