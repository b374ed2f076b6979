//! The builder example of each action: Rust code that constructs the action with `new` and
//! its setters, using the values of the spec's first wire example when it has one, then
//! encodes it. rustdoc compiles and runs it; the Markdown reference shows it without the
//! hidden lines.

use std::fmt::Write as _;

use ami_spec::{Action, Param, Spec, Type, Unit};

use super::names::{ident, plain};

/// The example's code, as the body of a doc test: hidden lines start with `# `.
pub fn builder_example(spec: &Spec, a: &Action) -> String {
    let values = example_values(a);
    let mut imports = Imports::default();
    let required: Vec<&Param> = a
        .params
        .iter()
        .filter(|p| p.required && !is_vec(p))
        .collect();
    let args: Vec<String> = required
        .iter()
        .map(|p| {
            let raw = values.iter().find(|(q, _)| q.name == p.name).map(|v| &v.1);
            literal(
                spec,
                p,
                raw.and_then(|r| r.first()).map(String::as_str),
                &mut imports,
            )
        })
        .collect();
    let mut calls = Vec::new();
    let optional: Vec<&Param> = a
        .params
        .iter()
        .filter(|p| !p.required || is_vec(p))
        .collect();
    let mut chosen: Vec<(&Param, Vec<Option<&str>>)> = optional
        .iter()
        .filter_map(|p| {
            let given = values.iter().find(|(q, _)| q.name == p.name)?;
            Some((
                *p,
                given.1.iter().take(3).map(|v| Some(v.as_str())).collect(),
            ))
        })
        .collect();
    // Required lists and repeated values are only set through setters: show one.
    for p in optional.iter().filter(|p| p.required) {
        if !chosen.iter().any(|(q, _)| q.name == p.name) {
            chosen.push((p, vec![None]));
        }
    }
    if chosen.is_empty() && a.examples.is_empty() {
        if let Some(p) = optional.first() {
            chosen.push((p, vec![None]));
        }
    }
    chosen.sort_by_key(|(p, _)| a.params.iter().position(|q| q.name == p.name));
    for (p, given) in chosen {
        let setter = ident(&p.rust).to_string();
        let sparse = matches!(p.index_pattern(), Some((_, true)));
        let indices = example_indices(a, p);
        for (i, raw) in given.into_iter().enumerate() {
            let i = indices.get(i).copied().unwrap_or(i);
            let value = if p.ty == Type::List {
                list_literal(p, raw)
            } else {
                literal(spec, p, raw, &mut imports)
            };
            if sparse {
                calls.push(format!(".{setter}({i}, {value})"));
            } else {
                calls.push(format!(".{setter}({value})"));
            }
        }
    }
    let ty = plain(&a.rust);
    let mut code = String::new();
    let _ = writeln!(code, "use ami_types::action::{ty};");
    for import in &imports.0 {
        let _ = writeln!(code, "use {import};");
    }
    code.push('\n');
    let head = format!("let action = {ty}::new({})", args.join(", "));
    let one_line = format!("{head}{};", calls.concat());
    if one_line.len() <= 92 {
        let _ = writeln!(code, "{one_line}");
    } else {
        let _ = writeln!(code, "{head}");
        for (i, call) in calls.iter().enumerate() {
            let end = if i + 1 == calls.len() { ";" } else { "" };
            let _ = writeln!(code, "    {call}{end}");
        }
        if calls.is_empty() {
            code.pop();
            code.push_str(";\n");
        }
    }
    code.push_str("// With ami-client: `let reply = client.send(&action).await?;`\n");
    code.push_str("let mut wire = Vec::new();\n");
    code.push_str("ami_types::encode_action(&action, \"42\", &mut wire)?;\n");
    let _ = writeln!(
        code,
        "assert!(wire.starts_with(b\"Action: {}\\r\\nActionID: 42\\r\\n\"));",
        a.name
    );
    code.push_str("# Ok::<(), ami_types::EncodeError>(())\n");
    code
}

/// The example without its hidden lines, for Markdown.
pub fn visible(code: &str) -> String {
    code.lines()
        .filter(|l| *l != "#" && !l.starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[derive(Default)]
struct Imports(Vec<String>);

impl Imports {
    fn add(&mut self, path: String) {
        if !self.0.contains(&path) {
            self.0.push(path);
            self.0.sort();
        }
    }
}

fn is_vec(p: &Param) -> bool {
    p.repeated || p.indexed || p.ty == Type::List
}

/// The first wire example's values per parameter, in request order.
fn example_values(a: &Action) -> Vec<(&Param, Vec<String>)> {
    let mut out: Vec<(&Param, Vec<String>)> = Vec::new();
    let Some(example) = a.examples.first() else {
        return out;
    };
    for line in example.request.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value).trim_end();
        let Some(p) = a.params.iter().find(|p| header_matches(p, name)) else {
            continue;
        };
        match out.iter_mut().find(|(q, _)| q.name == p.name) {
            Some((_, values)) => values.push(value.to_owned()),
            None => out.push((p, vec![value.to_owned()])),
        }
    }
    out
}

/// The index of each of the first example's headers for indexed param `p`, in request order.
fn example_indices(a: &Action, p: &Param) -> Vec<usize> {
    let Some(example) = a.examples.first() else {
        return Vec::new();
    };
    example
        .request
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter_map(|(name, _)| p.index_of(name))
        .collect()
}

fn header_matches(p: &Param, header: &str) -> bool {
    p.name.eq_ignore_ascii_case(header) || p.index_of(header).is_some()
}

fn list_literal(p: &Param, raw: Option<&str>) -> String {
    let items: Vec<String> = match raw {
        Some(raw) if !raw.is_empty() => raw.split(',').map(|v| format!("{:?}", v.trim())).collect(),
        _ => vec![format!("{:?}", placeholder(&p.name))],
    };
    format!("[{}]", items.join(", "))
}

/// A Rust expression of the parameter's type: the example's value when it parses, else a
/// plausible placeholder.
fn literal(spec: &Spec, p: &Param, raw: Option<&str>, imports: &mut Imports) -> String {
    match &p.ty {
        Type::String | Type::ChannelPattern | Type::List => {
            format!("{:?}", raw.unwrap_or_else(|| placeholder(&p.name)))
        }
        Type::Int => raw
            .and_then(|r| r.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .to_string(),
        Type::Uint => raw
            .and_then(|r| r.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .to_string(),
        Type::Float => format!(
            "{:?}",
            raw.and_then(|r| r.trim().parse::<f64>().ok())
                .filter(|f| f.is_finite())
                .unwrap_or(1.0)
        ),
        Type::Bool => {
            let falsy = ["no", "false", "0", "off", "n", "f"];
            let value = raw.is_none_or(|r| !falsy.iter().any(|f| f.eq_ignore_ascii_case(r.trim())));
            value.to_string()
        }
        Type::Duration(unit) => {
            imports.add("std::time::Duration".into());
            match (raw.and_then(|r| r.trim().parse::<u64>().ok()), unit) {
                (Some(n), Unit::Seconds) => format!("Duration::from_secs({n})"),
                (Some(n), Unit::Milliseconds) => format!("Duration::from_millis({n})"),
                (None, _) => "Duration::from_secs(30)".into(),
            }
        }
        Type::Variable => {
            let (name, value) = raw
                .and_then(|r| r.split_once('='))
                .unwrap_or(("NAME", "value"));
            format!("({name:?}, {value:?})")
        }
        Type::Enum(name) => {
            let Some(def) = spec.enum_def(name) else {
                return format!(
                    "ami_types::enums::{name}::Other({:?}.into())",
                    raw.unwrap_or("")
                );
            };
            imports.add(format!("ami_types::enums::{name}"));
            let found = raw.and_then(|r| {
                let r = r.trim();
                def.variants.iter().find(|v| {
                    v.wire.eq_ignore_ascii_case(r)
                        || v.aliases.iter().any(|a| a.eq_ignore_ascii_case(r))
                        || v.text.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(r))
                        || v.value.is_some_and(|n| r.parse::<i64>() == Ok(n))
                })
            });
            match found.or(def.variants.first()) {
                Some(v) => format!("{name}::{}", ident(&v.name)),
                None => format!("{name}::Other({:?}.into())", raw.unwrap_or("")),
            }
        }
    }
}

/// A stand-in value for a text parameter the examples do not show.
fn placeholder(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "context" => "default",
        "exten" | "extension" => "100",
        "priority" => "1",
        "queue" => "support",
        "interface" | "member" | "location" => "PJSIP/alice",
        "mailbox" => "100@default",
        "endpoint" | "username" | "user" => "alice",
        "application" | "app" => "Playback",
        "data" => "hello-world",
        "callerid" => "Alice <100>",
        "filename" | "file" => "/tmp/recording.wav",
        "variable" | "var" => "MY_VAR",
        "value" => "42",
        "family" => "cidname",
        "key" => "100",
        "conference" => "1000",
        "bridgeuniqueid" => "f0a3c6b0-0000-0000-0000-000000000000",
        "command" => "core show version",
        _ if lower.contains("channel") => "PJSIP/alice-00000001",
        _ => "example",
    }
}
