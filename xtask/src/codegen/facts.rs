//! Facts derived from the spec that every output states the same way: the rustdoc of the
//! generated types, the Markdown reference (`cargo xtask docs`) and the tables behind
//! `ami describe`. Keeping them here means the three can never word a type or a version
//! range differently.

use ami_spec::{Action, Field, Param, Response, Since, Spec, Type, Unit};

pub use super::example::builder_example;
use super::names::plain;

/// Escapes spec prose for Markdown (rustdoc or the reference): `\`, `<`, `[`, `]`, `*` and `|`
/// outside code spans, so that `"<Not set>"` is not an HTML tag nor `"[x]"` a link.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && matches!(c, '\\' | '<' | '>' | '[' | ']' | '*' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Makes Markdown safe inside a table cell: a `|` splits cells even within a code span.
pub fn cell(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut prev = '\0';
    for c in markdown.chars() {
        if c == '|' && prev != '\\' {
            out.push('\\');
        }
        out.push(c);
        prev = c;
    }
    out.replace('\n', " ")
}

/// A version range in words: `Asterisk 12 and later.`, `Asterisk up to 20; removed in 21.`.
pub fn versions(since: &Since) -> Option<String> {
    match (&since.since, &since.removed) {
        (None, None) => None,
        (Some(s), None) => Some(format!("Asterisk {s} and later.")),
        (None, Some(r)) => Some(format!("Asterisk up to {}; removed in {r}.", previous(r))),
        (Some(s), Some(r)) => Some(format!(
            "Asterisk {s} up to {}; removed in {r}.",
            previous(r)
        )),
    }
}

/// A version range for index tables: `all`, `12+`, `≤ 20`, `12–20`.
pub fn versions_short(since: &Since) -> String {
    match (&since.since, &since.removed) {
        (None, None) => "all".into(),
        (Some(s), None) => format!("{s}+"),
        (None, Some(r)) => format!("≤ {}", previous(r)),
        (Some(s), Some(r)) => format!("{s}–{}", previous(r)),
    }
}

fn previous(version: &str) -> String {
    version
        .parse::<u32>()
        .map(|v| v.saturating_sub(1).to_string())
        .unwrap_or_else(|_| format!("before {version}"))
}

/// The spec's type in words (`duration in seconds`), enum names in backticks, unlinked.
pub fn type_words(ty: &Type) -> String {
    match ty {
        Type::String => "text".into(),
        Type::Int => "integer".into(),
        Type::Uint => "unsigned integer".into(),
        Type::Float => "number".into(),
        Type::Bool => "boolean".into(),
        Type::Enum(e) => format!("`{e}`"),
        Type::Duration(Unit::Seconds) => "duration in seconds".into(),
        Type::Duration(Unit::Milliseconds) => "duration in milliseconds".into(),
        Type::List => "comma-separated list".into(),
        Type::Variable => "`name=value`".into(),
        Type::ChannelPattern => "channel name or `/regex/`".into(),
    }
}

/// The owned Rust type of an action parameter's field, without paths: `Option<String>`.
pub fn param_rust_type(p: &Param) -> String {
    let inner = match &p.ty {
        Type::String | Type::List => "String".to_owned(),
        Type::Int => "i64".into(),
        Type::Uint => "u64".into(),
        Type::Float => "f64".into(),
        Type::Bool => "bool".into(),
        Type::Enum(e) => e.clone(),
        Type::Duration(_) => "Duration".into(),
        Type::Variable => "Variable".into(),
        Type::ChannelPattern => "ChannelPattern".into(),
    };
    if matches!(p.index_pattern(), Some((_, true))) {
        format!("Vec<Option<{inner}>>")
    } else if p.repeated || p.indexed || p.ty == Type::List {
        format!("Vec<{inner}>")
    } else if p.required {
        inner
    } else {
        format!("Option<{inner}>")
    }
}

/// The borrowed Rust type of an event or response field, without paths: `Option<&str>`.
pub fn field_rust_type(f: &Field) -> String {
    let inner = match &f.ty {
        Type::String | Type::List | Type::Variable | Type::ChannelPattern => "&str".to_owned(),
        Type::Int => "i64".into(),
        Type::Uint => "u64".into(),
        Type::Float => "f64".into(),
        Type::Bool => "bool".into(),
        Type::Enum(e) => e.clone(),
        Type::Duration(_) => "Duration".into(),
    };
    if f.repeated {
        format!("Vec<{inner}>")
    } else if f.required {
        inner
    } else {
        format!("Option<{inner}>")
    }
}

/// The Rust type name of the event with this wire name.
pub fn event_rust(spec: &Spec, wire: &str) -> String {
    spec.event(wire)
        .map(|e| plain(&e.rust).to_owned())
        .unwrap_or_else(|| wire.to_owned())
}

/// The short name of an action's response shape, as in the spec.
pub fn response_kind(a: &Action) -> &'static str {
    match &a.response {
        Response::Plain => "plain",
        Response::Fields(_) => "fields",
        Response::List { .. } => "list",
        Response::Command => "command",
        Response::Goodbye => "goodbye",
    }
}

/// The type of one list item: the event's own type, or the action's `…Item` enum when the
/// list mixes several events.
pub fn list_item_type(spec: &Spec, a: &Action) -> Option<String> {
    match &a.response {
        Response::List { items, .. } if items.len() == 1 => Some(event_rust(spec, &items[0])),
        Response::List { .. } => Some(format!("{}Item", plain(&a.rust))),
        _ => None,
    }
}

/// The Rust type an action's reply decodes into, without paths nor lifetimes:
/// `EventList<QueueStatusItem, QueueStatusComplete>`.
pub fn response_rust_type(spec: &Spec, a: &Action) -> String {
    match &a.response {
        Response::Plain => "Ack".into(),
        Response::Command => "CommandOutput".into(),
        Response::Goodbye => "Goodbye".into(),
        Response::Fields(_) => format!("{}Response", plain(&a.rust)),
        Response::List { complete, .. } => format!(
            "EventList<{}, {}>",
            list_item_type(spec, a).unwrap_or_default(),
            event_rust(spec, complete)
        ),
    }
}

/// Actions whose event list carries this event, with the event's role in it.
pub fn lists_with<'s>(spec: &'s Spec, event: &str) -> Vec<(&'s Action, ListRole)> {
    let mut found: Vec<(&Action, ListRole)> = spec
        .actions()
        .filter_map(|(_, a)| match &a.response {
            Response::List { items, .. } if items.iter().any(|i| i == event) => {
                Some((a, ListRole::Item))
            }
            Response::List { complete, .. } if complete == event => Some((a, ListRole::Complete)),
            _ => None,
        })
        .collect();
    found.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    found
}

/// Actions that name this event as their later outcome.
pub fn follow_up_of<'s>(spec: &'s Spec, event: &str) -> Vec<&'s Action> {
    let mut found: Vec<&Action> = spec
        .actions()
        .map(|(_, a)| a)
        .filter(|a| a.follow_up.as_deref() == Some(event))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// What an event is in an action's event list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ListRole {
    /// One of the items.
    Item,
    /// The event that ends the list.
    Complete,
}

/// The privilege sentence: `needs write class `call``, `any logged-in user`, or not recorded.
pub fn privilege_words(a: &Action) -> String {
    if !a.privilege_known {
        "not recorded in the spec".into()
    } else if a.privilege.is_empty() {
        "any logged-in user".into()
    } else {
        let classes: Vec<String> = a.privilege.iter().map(|p| format!("`{p}`")).collect();
        format!("write class {}", classes.join(", "))
    }
}

/// The short notes of a parameter, shared by the rustdoc and the reference pages: how it is
/// repeated or indexed, whether it is a credential, the versions that accept it.
pub fn param_notes(p: &Param) -> Vec<String> {
    let mut notes = Vec::new();
    if p.repeated {
        notes.push("one header per value".to_owned());
    }
    notes.extend(indexed_note(p));
    if p.secret {
        notes.push("a credential: `Debug` shows `<redacted>`".to_owned());
    }
    if let Some(v) = versions(&p.since) {
        notes.push(v.trim_end_matches('.').to_owned());
    }
    notes
}

/// How an indexed parameter is sent: `sent as `UnitAmount(0)`, `UnitAmount(1)`, …`.
pub fn indexed_note(p: &Param) -> Option<String> {
    Some(match p.index_pattern()? {
        (stem, false) => format!("sent as `{stem}(0)`, `{stem}(1)`, …"),
        (stem, true) => {
            format!("sent as `{stem}000000`, `{stem}000001`, …, each entry optional")
        }
    })
}

/// A notes cell: short notes (`one header per value`) as a sentence, then our doc, escaped.
pub fn notes(notes: &[String], doc: Option<&str>) -> String {
    let mut text = notes.join("; ");
    if let Some(first) = text.chars().next() {
        text.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
        text.push('.');
    }
    if let Some(doc) = doc {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&md(doc));
    }
    text
}

/// How an event list travels on the wire, in one paragraph.
pub const LIST_PROTOCOL: &str = "Asterisk first answers `Response: Success` with \
`EventList: start`, then sends the item events and finally the completion event with \
`EventList: Complete` and `ListItems` (the number of items); every one of them carries the \
request's `ActionID`, which is how the client collects them.";
