//! `ami describe <Name>` and `ami list [actions|events|enums|fieldsets]`: the reference of the
//! spec in a terminal, read from the tables `cargo xtask codegen` generates into `ami_types`
//! (the same facts as `docs/reference/` and the rustdoc).

use std::fmt::Write as _;
use std::process::ExitCode;

use ami_types::dynamic::{ActionInfo, EnumInfo, EventInfo, FieldInfo, FieldsetInfo};
use ami_types::generated::{ACTIONS, ENUMS, EVENTS, FIELDSETS};

use crate::suggest;
use crate::text::{columns, indent, wrap};

/// `ami describe <Name>...`: every action, event, field set or enum with that name (any case).
pub fn describe(args: &[String]) -> Result<ExitCode, String> {
    if args.is_empty() {
        return Err("describe: expected a name, e.g. `ami describe QueueStatus`".into());
    }
    let mut out = String::new();
    for name in args {
        let text = describe_one(name)?;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `ami list [actions|events|enums|fieldsets]`: names with their one-line synopsis.
pub fn list(args: &[String]) -> Result<ExitCode, String> {
    let kinds: Vec<&str> = match args {
        [] => vec!["actions", "events", "fieldsets", "enums"],
        [kind] => vec![kind.as_str()],
        _ => return Err("list: expected at most one of actions, events, enums, fieldsets".into()),
    };
    let mut out = String::new();
    for kind in &kinds {
        if kinds.len() > 1 {
            let _ = writeln!(out, "{}{}:", if out.is_empty() { "" } else { "\n" }, kind);
        }
        out.push_str(&list_of(kind)?);
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn list_of(kind: &str) -> Result<String, String> {
    let rows: Vec<Vec<String>> = match kind.to_ascii_lowercase().as_str() {
        "actions" | "action" => ACTIONS
            .iter()
            .map(|a| row([a.name, a.module, &versions(a.since, a.removed), a.synopsis]))
            .collect(),
        "events" | "event" => EVENTS
            .iter()
            .map(|e| row([e.name, e.module, &versions(e.since, e.removed), e.synopsis]))
            .collect(),
        "enums" | "enum" => ENUMS
            .iter()
            .map(|e| row([e.name, e.module, e.synopsis]))
            .collect(),
        "fieldsets" | "fieldset" | "field-sets" => FIELDSETS
            .iter()
            .map(|f| row([f.name, f.module, f.synopsis]))
            .collect(),
        other => {
            let close = suggest::closest(other, ["actions", "events", "enums", "fieldsets"]);
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", close.join(", "))
            };
            return Err(format!(
                "list: unknown kind {other:?} (actions, events, enums, fieldsets){hint}"
            ));
        }
    };
    Ok(columns(&rows, "  "))
}

fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn describe_one(name: &str) -> Result<String, String> {
    let mut parts = Vec::new();
    let eq = |n: &str| n.eq_ignore_ascii_case(name);
    parts.extend(ACTIONS.iter().filter(|a| eq(a.name)).map(action));
    parts.extend(
        EVENTS
            .iter()
            .filter(|e| eq(e.name) || eq(e.rust))
            .map(event),
    );
    parts.extend(FIELDSETS.iter().filter(|f| eq(f.name)).map(fieldset));
    parts.extend(ENUMS.iter().filter(|e| eq(e.name)).map(enumeration));
    if parts.is_empty() {
        return Err(unknown(name));
    }
    Ok(parts.join("\n"))
}

/// The error for a name the spec does not know, with the closest names.
fn unknown(name: &str) -> String {
    let all = ACTIONS
        .iter()
        .map(|a| a.name)
        .chain(EVENTS.iter().map(|e| e.name))
        .chain(FIELDSETS.iter().map(|f| f.name))
        .chain(ENUMS.iter().map(|e| e.name));
    let close = suggest::closest(name, all.clone());
    if !close.is_empty() {
        return format!(
            "{name:?} is not in the spec; did you mean {}?",
            close.join(", ")
        );
    }
    let lower = name.to_ascii_lowercase();
    let mut containing: Vec<&str> = all
        .filter(|n| !lower.is_empty() && n.to_ascii_lowercase().contains(&lower))
        .collect();
    containing.sort_unstable();
    containing.dedup();
    match containing.len() {
        0 => format!("{name:?} is not in the spec (`ami list` shows every name)"),
        n if n <= 8 => format!(
            "{name:?} is not in the spec; names containing it: {}",
            containing.join(", ")
        ),
        n => format!(
            "{name:?} is not in the spec; {n} names contain it, e.g. {}",
            containing[..8].join(", ")
        ),
    }
}

fn action(a: &ActionInfo) -> String {
    let mut out = header(a.name, "action", a.module, a.synopsis);
    let mut facts = vec![
        row(["Rust type:", &format!("ami_types::action::{}", a.rust)]),
        row(["Privilege:", &privilege(a.privilege)]),
        row(["Versions:", &versions(a.since, a.removed)]),
        row([
            "Response:",
            &format!("{}: {}", a.response_kind, a.response_type),
        ]),
    ];
    if let Some(f) = a.follow_up {
        facts.push(row([
            "Follow-up:",
            &format!("event {f}, with the request's ActionID"),
        ]));
    }
    out.push_str(&indent(&columns(&facts, " ")));
    if a.params.is_empty() {
        out.push_str("\nParameters: none besides ActionID.\n");
    } else {
        out.push_str("\nParameters (besides ActionID):\n");
        let rows: Vec<Vec<String>> = a
            .params
            .iter()
            .map(|p| {
                let mut notes = Vec::new();
                if p.repeated {
                    notes.push("one header per value".to_owned());
                }
                if let Some((stem, style)) =
                    ami_types::indexed::pattern(p.name).filter(|_| p.indexed)
                {
                    let name = |i| ami_types::indexed::name(stem, style, i);
                    notes.push(format!("sent as {}, {}, …", name(0), name(1)));
                }
                if let Some(d) = p.default {
                    notes.push(format!("default {d}"));
                }
                if p.since.is_some() || p.removed.is_some() {
                    notes.push(versions(p.since, p.removed));
                }
                if !p.values.is_empty() {
                    notes.push(values(p.values));
                }
                notes.extend(p.doc.map(str::to_owned));
                vec![
                    p.name.to_owned(),
                    format!("{}: {}", p.rust, p.rust_type),
                    type_words(p.ty, p.enum_name),
                    if p.required { "required" } else { "optional" }.to_owned(),
                    notes.join("; "),
                ]
            })
            .collect();
        out.push_str(&indent(&columns(&rows, "  ")));
    }
    if !a.response_fields.is_empty() {
        out.push_str("\nResponse fields:\n");
        out.push_str(&indent(&fields(a.response_fields)));
    }
    if let Some(complete) = a.list_complete {
        out.push_str(
            "\nEvents produced: Asterisk answers Response: Success with EventList: start, then\n\
             the item events, then the completion event with EventList: Complete and ListItems,\n\
             all carrying the request's ActionID:\n",
        );
        let mut rows: Vec<Vec<String>> = a
            .list_items
            .iter()
            .map(|item| {
                let rust = event_rust(item);
                let ty = if a.list_items.len() > 1 {
                    format!("{}Item::{rust}({rust})", a.rust)
                } else {
                    rust.to_owned()
                };
                row([item, "list item", &ty])
            })
            .collect();
        rows.push(row([complete, "ends the list", event_rust(complete)]));
        out.push_str(&indent(&columns(&rows, "  ")));
    }
    for (title, request, response) in a.examples.iter().take(1) {
        let _ = writeln!(out, "\nWire example ({title}):");
        out.push_str(&indent(request.trim_end()));
        if !response.trim().is_empty() {
            out.push_str("  --\n");
            out.push_str(&indent(response.trim_end()));
        }
    }
    let _ = writeln!(
        out,
        "\nReference: docs/reference/{}.md#action-{}",
        a.module,
        anchor(a.name)
    );
    out
}

fn event(e: &EventInfo) -> String {
    let mut out = header(e.name, "event", e.module, e.synopsis);
    let mut facts = vec![
        row([
            "Rust type:",
            &format!("ami_types::event::{}<'a>, in Event::{}", e.rust, e.rust),
        ]),
        row(["Class:", e.privilege.unwrap_or("not recorded")]),
        row(["Versions:", &versions(e.since, e.removed)]),
    ];
    for a in ACTIONS {
        if a.list_items.contains(&e.name) {
            let ty = if a.list_items.len() > 1 {
                format!("{}Item::{}", a.rust, e.rust)
            } else {
                e.rust.to_owned()
            };
            facts.push(row([
                "Produced by:",
                &format!("an item of the list answering {}, as {ty}", a.name),
            ]));
        }
        if a.list_complete == Some(e.name) {
            facts.push(row([
                "Produced by:",
                &format!(
                    "the end of the list answering {}, with EventList: Complete",
                    a.name
                ),
            ]));
        }
        if a.follow_up == Some(e.name) {
            facts.push(row([
                "Produced by:",
                &format!("the later outcome of {}, with its ActionID", a.name),
            ]));
        }
    }
    out.push_str(&indent(&columns(&facts, " ")));
    if !e.includes.is_empty() {
        out.push_str("\nIncluded field sets:\n");
        for inc in e.includes {
            let ty = if inc.required {
                inc.fieldset.to_owned()
            } else {
                format!("Option<{}>", inc.fieldset)
            };
            let prefix = if inc.prefix.is_empty() {
                "no prefix".to_owned()
            } else {
                format!("prefix {}", inc.prefix)
            };
            let _ = writeln!(out, "  {}: {ty} ({}, {prefix})", inc.rust, inc.fieldset);
            if let Some(set) = ami_types::generated::fieldset_info(inc.fieldset) {
                let names: Vec<String> = set
                    .fields
                    .iter()
                    .map(|f| format!("{}{}", inc.prefix, f.name))
                    .collect();
                out.push_str(&wrap(&names.join(", "), "    ", 96));
            }
        }
    }
    if !e.fields.is_empty() {
        out.push_str("\nHeaders:\n");
        out.push_str(&indent(&fields(e.fields)));
    }
    let _ = writeln!(
        out,
        "\nReference: docs/reference/{}.md#event-{}",
        e.module,
        anchor(e.name)
    );
    out
}

fn fieldset(f: &FieldsetInfo) -> String {
    let mut out = header(f.name, "field set", f.module, f.synopsis);
    let _ = writeln!(out, "  Rust type: ami_types::event::{}<'a>", f.name);
    let users: Vec<String> = EVENTS
        .iter()
        .flat_map(|e| {
            e.includes
                .iter()
                .filter(|i| i.fieldset == f.name)
                .map(move |i| {
                    if i.prefix.is_empty() {
                        e.name.to_owned()
                    } else {
                        format!("{} ({})", e.name, i.prefix)
                    }
                })
        })
        .collect();
    if !users.is_empty() {
        let _ = writeln!(
            out,
            "\nIncluded by {} events (prefix in parentheses):",
            users.len()
        );
        out.push_str(&wrap(&users.join(", "), "  ", 96));
    }
    out.push_str("\nHeaders:\n");
    out.push_str(&indent(&fields(f.fields)));
    let _ = writeln!(
        out,
        "\nReference: docs/reference/{}.md#field-set-{}",
        f.module,
        anchor(f.name)
    );
    out
}

fn enumeration(e: &EnumInfo) -> String {
    let mut out = header(e.name, "enum", e.module, e.synopsis);
    let _ = writeln!(
        out,
        "  Rust type: ami_types::enums::{} (open: other values decode to {}::Other)",
        e.name, e.name
    );
    out.push_str("\nValues (decoding also accepts the aliases, number and text, any case):\n");
    let mut rows = vec![row([
        "Wire", "Variant", "Value", "Text", "Aliases", "Meaning",
    ])];
    rows.extend(e.variants.iter().map(|v| {
        vec![
            v.wire.to_owned(),
            v.name.to_owned(),
            v.value.map(|n| n.to_string()).unwrap_or_default(),
            v.text.unwrap_or_default().to_owned(),
            v.aliases.join(", "),
            v.doc.unwrap_or_default().to_owned(),
        ]
    }));
    out.push_str(&indent(&columns(&rows, "  ")));
    let users = enum_users(e.name);
    if !users.is_empty() {
        out.push_str("\nUsed by:\n");
        out.push_str(&wrap(&users.join(", "), "  ", 96));
    }
    let _ = writeln!(
        out,
        "\nReference: docs/reference/{}.md#enum-{}",
        e.module,
        anchor(e.name)
    );
    out
}

fn enum_users(name: &str) -> Vec<String> {
    let is = |f: &FieldInfo| f.enum_name == Some(name);
    let mut users = Vec::new();
    for a in ACTIONS {
        for p in a.params.iter().filter(|p| p.enum_name == Some(name)) {
            users.push(format!("action {} {}", a.name, p.name));
        }
        for f in a.response_fields.iter().filter(|f| is(f)) {
            users.push(format!("action {} response {}", a.name, f.name));
        }
    }
    for e in EVENTS {
        for f in e.fields.iter().filter(|f| is(f)) {
            users.push(format!("event {} {}", e.name, f.name));
        }
    }
    for s in FIELDSETS {
        for f in s.fields.iter().filter(|f| is(f)) {
            users.push(format!("field set {} {}", s.name, f.name));
        }
    }
    users
}

fn fields(fields: &[FieldInfo]) -> String {
    let rows: Vec<Vec<String>> = fields
        .iter()
        .map(|f| {
            let mut notes = Vec::new();
            if f.repeated {
                notes.push("repeated".to_owned());
            }
            if f.prefix_match {
                notes.push(format!("any header starting with {}", f.name));
            }
            if f.since.is_some() || f.removed.is_some() {
                notes.push(versions(f.since, f.removed));
            }
            notes.extend(f.doc.map(str::to_owned));
            vec![
                f.name.to_owned(),
                format!("{}: {}", f.rust, f.rust_type),
                type_words(f.ty, f.enum_name),
                if f.required { "required" } else { "optional" }.to_owned(),
                notes.join("; "),
            ]
        })
        .collect();
    columns(&rows, "  ")
}

fn header(name: &str, kind: &str, module: &str, synopsis: &str) -> String {
    format!("{name} ({kind}, module {module})\n  {synopsis}\n\n")
}

fn event_rust(wire: &str) -> &str {
    ami_types::generated::event_info(wire).map_or(wire, |e| e.rust)
}

fn privilege(classes: Option<&[&str]>) -> String {
    match classes {
        None => "not recorded in the spec".into(),
        Some([]) => "any logged-in user".into(),
        Some(classes) => format!("write class {}", classes.join(", ")),
    }
}

fn versions(since: Option<&str>, removed: Option<&str>) -> String {
    let before = |r: &str| {
        r.parse::<u32>()
            .map(|v| v.saturating_sub(1).to_string())
            .unwrap_or_else(|_| format!("before {r}"))
    };
    match (since, removed) {
        (None, None) => "all".into(),
        (Some(s), None) => format!("Asterisk {s} and later"),
        (None, Some(r)) => format!("up to Asterisk {} (removed in {r})", before(r)),
        (Some(s), Some(r)) => format!("Asterisk {s} to {} (removed in {r})", before(r)),
    }
}

fn type_words(ty: &str, enum_name: Option<&str>) -> String {
    match ty {
        "string" => "text".into(),
        "int" => "integer".into(),
        "uint" => "unsigned integer".into(),
        "float" => "number".into(),
        "bool" => "boolean".into(),
        "enum" => format!("enum {}", enum_name.unwrap_or("?")),
        "duration_s" => "duration (s)".into(),
        "duration_ms" => "duration (ms)".into(),
        "list" => "comma-separated list".into(),
        "variable" => "name=value".into(),
        "channel_pattern" => "channel or /regex/".into(),
        other => other.into(),
    }
}

fn values(values: &[&str]) -> String {
    const AT_MOST: usize = 12;
    if values.len() > AT_MOST {
        format!(
            "one of {}, … ({} values)",
            values[..AT_MOST].join(", "),
            values.len()
        )
    } else {
        format!("one of {}", values.join(", "))
    }
}

/// The reference's anchor suffix for a name: lower case, letters, digits, `-` and `_`.
fn anchor(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_status_names_its_events_their_types_and_the_end_of_the_list() {
        let text = describe_one("queuestatus").unwrap();
        assert!(
            text.starts_with("QueueStatus (action, module app_queue)"),
            "{text}"
        );
        for line in [
            "QueueParams          list item      QueueStatusItem::QueueParams(QueueParams)",
            "QueueMember          list item      QueueStatusItem::QueueMember(QueueMember)",
            "QueueEntry           list item      QueueStatusItem::QueueEntry(QueueEntry)",
            "QueueStatusComplete  ends the list  QueueStatusComplete",
        ] {
            assert!(text.contains(line), "{line:?} missing in:\n{text}");
        }
        assert!(text.contains("list: EventList<QueueStatusItem, QueueStatusComplete>"));
        assert!(text.contains("Queue   queue: Option<String>"), "{text}");
    }

    #[test]
    fn an_event_says_which_list_produces_it_and_shows_its_snapshot_headers() {
        let text = describe_one("QueueMember").unwrap();
        assert!(text.contains(
            "an item of the list answering QueueStatus, as QueueStatusItem::QueueMember"
        ));
        let text = describe_one("Hangup").unwrap();
        // The action and the event share the name: both are described.
        assert!(text.contains("Hangup (action, module"), "{text}");
        assert!(text.contains("Hangup (event, module"), "{text}");
        assert!(
            text.contains("channel: ChannelSnapshot (ChannelSnapshot, no prefix)"),
            "{text}"
        );
        assert!(
            text.contains("Cause      cause: Option<HangupCause>"),
            "{text}"
        );
    }

    #[test]
    fn an_enum_lists_numbers_texts_and_aliases() {
        let text = describe_one("hangupcause").unwrap();
        assert!(text.contains("ami_types::enums::HangupCause"), "{text}");
        let busy = text
            .lines()
            .find(|l| l.trim_start().starts_with("17 "))
            .expect("cause 17");
        assert!(
            busy.contains("UserBusy") && busy.contains("User busy"),
            "{busy}"
        );
        assert!(text.contains("event Hangup Cause"), "{text}");
    }

    #[test]
    fn unknown_names_get_suggestions() {
        assert_eq!(
            describe_one("QueueStatsu").unwrap_err(),
            "\"QueueStatsu\" is not in the spec; did you mean QueueStatus?"
        );
        let err = describe_one("pjsipshow").unwrap_err();
        assert!(
            err.contains("names contain it") || err.contains("names containing it"),
            "{err}"
        );
        assert!(describe_one("Zzzzzzzzzzzz")
            .unwrap_err()
            .contains("`ami list`"));
    }

    #[test]
    fn lists_have_one_line_per_item() {
        let actions = list_of("actions").unwrap();
        assert_eq!(actions.lines().count(), ACTIONS.len());
        assert!(actions.lines().any(|l| l.starts_with("Ping ")), "{actions}");
        assert_eq!(list_of("enums").unwrap().lines().count(), ENUMS.len());
        assert!(list_of("evnts")
            .unwrap_err()
            .contains("did you mean events?"));
    }
}
