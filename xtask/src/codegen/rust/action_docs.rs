//! The rustdoc of actions: the parameter table and notes, the response's shape, the events an
//! action produces, and links from list items back to their actions.

use std::fmt::Write as _;

use ami_spec::{Action, EnumDef, Param, Response, Spec, Type};

use super::events::type_desc;
use crate::codegen::facts::{self, cell, md, versions};
use crate::codegen::names::plain;

/// A parameter in one sentence: type, required or optional, repeated or indexed form, default,
/// versions and our doc.
pub(super) fn param_doc(p: &Param) -> String {
    let mut d = format!("`{}`: {}", p.name, type_desc(&p.ty));
    d.push_str(if p.required {
        ", required"
    } else {
        ", optional"
    });
    if p.repeated {
        d.push_str(", one header per value");
    }
    if let Some(note) = facts::indexed_note(p) {
        let _ = write!(d, ", {note}");
    }
    if let Some(def) = &p.default {
        let _ = write!(d, ", Asterisk's default `{def}`");
    }
    if let Some(v) = versions(&p.since) {
        let _ = write!(d, " ({})", v.trim_end_matches('.'));
    }
    if let Some(doc) = &p.doc {
        let _ = write!(d, ". {}", md(doc));
    }
    d
}

fn response_desc(spec: &Spec, a: &Action) -> String {
    let ty = plain(&a.rust);
    let intro =
        format!("`<{ty} as Action>::Response`, what ami-client's `reply.decode()` returns, is ");
    let shape = match &a.response {
        Response::Plain => "a plain acknowledgement, [`Ack`](crate::Ack): `Response: Success` \
             and an optional `Message`."
            .to_owned(),
        Response::Command => {
            "the command's output lines, [`CommandOutput`](crate::CommandOutput).".to_owned()
        }
        Response::Goodbye => {
            "[`Goodbye`](crate::Goodbye); the server then closes the connection.".to_owned()
        }
        Response::Fields(fields) => {
            let mut d = format!(
                "typed fields, [`{ty}Response`](crate::response::{ty}Response):\n\n\
                 | Header | Field | Type | Notes |\n|---|---|---|---|\n"
            );
            for f in fields {
                let _ = writeln!(
                    d,
                    "| `{}` | `{}`: `{}` | {} | {} |",
                    f.name,
                    plain(&f.rust),
                    facts::field_rust_type(f),
                    cell(&type_desc(&f.ty)),
                    cell(&f.doc.as_deref().map(md).unwrap_or_default())
                );
            }
            d
        }
        Response::List { complete, .. } => {
            let item = match (facts::list_item_type(spec, a), &a.response) {
                (Some(t), Response::List { items, .. }) if items.len() > 1 => {
                    format!("[`{t}`](crate::response::{t})")
                }
                (Some(t), _) => format!("[`{t}`](crate::event::{t})"),
                (None, _) => String::new(),
            };
            let complete = facts::event_rust(spec, complete);
            format!(
                "an event list, [`EventList`](crate::EventList)`<`{item}`, `\
                 [`{complete}`](crate::event::{complete})`>`: `ack` is the first response, \
                 `items` the item events in arrival order, `complete` the event that ended the \
                 list."
            )
        }
    };
    format!("{intro}{shape}")
}

/// The rustdoc of an action: summary, privilege and versions, parameters, response shape with
/// the events it produces, a compiled builder example, then the spec's wire examples.
pub(super) fn action_doc(spec: &Spec, a: &Action) -> String {
    let wire = &a.name;
    let mut d = format!("{}\n\nAction `{wire}`", md(&a.synopsis));
    if !a.privilege_known {
        d.push_str("; the write class it needs is not recorded.");
    } else if a.privilege.is_empty() {
        d.push_str(", allowed to any logged-in user.");
    } else {
        let _ = write!(d, ", needs {}.", facts::privilege_words(a));
    }
    if let Some(v) = versions(&a.since) {
        let _ = write!(d, " {v}");
    }
    if !a.params.is_empty() {
        section(&mut d, "Parameters");
        d.push_str("| Header | Field | Type | Required | Default | Notes |\n");
        d.push_str("|---|---|---|---|---|---|\n");
        for p in &a.params {
            let _ = writeln!(
                d,
                "| `{}` | `{}`: `{}` | {} | {} | {} | {} |",
                p.name,
                plain(&p.rust),
                facts::param_rust_type(p),
                cell(&type_desc(&p.ty)),
                if p.required { "yes" } else { "no" },
                p.default
                    .as_deref()
                    .map(|v| cell(&format!("`{v}`")))
                    .unwrap_or_default(),
                cell(&param_notes(spec, p))
            );
        }
    }
    section(&mut d, "Response");
    d.push_str(&response_desc(spec, a));
    if let Some(events) = events_produced(spec, a) {
        section(&mut d, "Events produced");
        d.push_str(&events);
    }
    section(&mut d, "Example");
    let _ = write!(d, "```\n{}```", facts::builder_example(spec, a));
    for ex in &a.examples {
        let _ = write!(
            d,
            "\n\n# Wire example: {}\n\n```text\n{}\n```",
            md(&ex.title),
            ex.request.trim_end()
        );
        if !ex.response.trim().is_empty() {
            let _ = write!(d, "\n\n```text\n{}\n```", ex.response.trim_end());
        }
    }
    d
}

/// Starts a `# Title` section after whatever came before, with exactly one blank line between.
fn section(d: &mut String, title: &str) {
    d.truncate(d.trim_end().len());
    let _ = write!(d, "\n\n# {title}\n\n");
}

/// The notes column of a parameter: repeated/indexed form, versions, enum values, our doc.
fn param_notes(spec: &Spec, p: &Param) -> String {
    let mut notes = facts::param_notes(p);
    if let Type::Enum(e) = &p.ty {
        if let Some(def) = spec.enum_def(e) {
            notes.push(enum_values(def));
        }
    }
    facts::notes(&notes, p.doc.as_deref())
}

/// `one of `a`, `b``, or a count when the enum is long.
fn enum_values(def: &EnumDef) -> String {
    const LIST_AT_MOST: usize = 12;
    if def.variants.len() > LIST_AT_MOST {
        return format!("{} known values", def.variants.len());
    }
    let values: Vec<String> = def
        .variants
        .iter()
        .map(|v| format!("`{}`", v.wire))
        .collect();
    format!("one of {}", values.join(", "))
}

/// Which events an action produces, with their Rust types: list items and completion, or the
/// follow-up event.
fn events_produced(spec: &Spec, a: &Action) -> Option<String> {
    let mut d = String::new();
    if let Response::List { items, complete } = &a.response {
        let _ = write!(
            d,
            "{}\n\n| Event | Rust type | Role |\n|---|---|---|\n",
            facts::LIST_PROTOCOL
        );
        for item in items {
            let rust = facts::event_rust(spec, item);
            let _ = writeln!(
                d,
                "| [`{item}`](crate::event::{rust}) | {} | list item, in [`EventList::items`](crate::EventList::items) |",
                list_item_link(spec, a, item)
            );
        }
        let rust = facts::event_rust(spec, complete);
        let _ = writeln!(
            d,
            "| [`{complete}`](crate::event::{rust}) | [`event::{rust}`](crate::event::{rust}) | ends the list, in [`EventList::complete`](crate::EventList::complete) |"
        );
    }
    if let Some(f) = &a.follow_up {
        let rust = facts::event_rust(spec, f);
        if !d.is_empty() {
            d.push('\n');
        }
        let _ = write!(
            d,
            "Later, the event [`{f}`](crate::event::{rust}) ([`event::{rust}`](crate::event::{rust})) \
             reports the outcome, carrying the request's `ActionID` (with ami-client: \
             `client.send_follow_up(&action)` waits for it)."
        );
    }
    (!d.is_empty()).then_some(d)
}

/// The Rust type a list item event is collected as: its event type, or the variant of the
/// action's item enum.
pub(super) fn list_item_link(spec: &Spec, a: &Action, event: &str) -> String {
    let rust = facts::event_rust(spec, event);
    match &a.response {
        Response::List { items, .. } if items.len() > 1 => format!(
            "[`{0}Item::{1}`](crate::response::{0}Item::{1})",
            plain(&a.rust),
            rust
        ),
        _ => format!("[`event::{rust}`](crate::event::{rust})"),
    }
}
