//! The event, field-set and enum sections of a module page.

use std::fmt::Write as _;

use ami_spec::{EnumDef, Event, Field, Fieldset, Module, Response, Type};

use super::super::markdown::{cell, code, md, Table};
use super::super::{Kind, Site};
use super::{type_cell, versions_words};
use crate::codegen::facts::{self, ListRole};
use crate::codegen::names::plain;

pub fn event(site: &Site, m: &Module, e: &Event) -> String {
    let from = Some(m.name.as_str());
    let spec = site.spec;
    let rust = plain(&e.rust);
    let mut out = format!(
        "\n### {}\n\n{}\n\n",
        Site::heading(Kind::Event, &e.name),
        md(&e.synopsis)
    );
    let mut t = Table::new(&["Fact", "Value"]);
    t.row(&[
        "Rust type".to_owned(),
        format!(
            "{}, in `Event::{rust}`",
            code(&format!("ami_types::event::{rust}<'a>"))
        ),
    ]);
    t.row(&[
        "Privilege class".to_owned(),
        e.privilege
            .as_deref()
            .map(code)
            .unwrap_or_else(|| "not recorded".into()),
    ]);
    t.row(&["Versions".to_owned(), cell(&versions_words(&e.since))]);
    let mut produced = Vec::new();
    for (a, role) in facts::lists_with(spec, &e.name) {
        let link = site.link(from, Kind::Action, &a.name);
        produced.push(match role {
            ListRole::Item => {
                let ty = match &a.response {
                    Response::List { items, .. } if items.len() > 1 => {
                        format!("{}Item::{rust}", plain(&a.rust))
                    }
                    _ => rust.to_owned(),
                };
                format!("an item of the list answering {link}, as {}", code(&ty))
            }
            ListRole::Complete => format!(
                "the end of the list answering {link}, with `EventList: Complete` and `ListItems`"
            ),
        });
    }
    for a in facts::follow_up_of(spec, &e.name) {
        produced.push(format!(
            "the later outcome of {}, with its `ActionID`",
            site.link(from, Kind::Action, &a.name)
        ));
    }
    if !produced.is_empty() {
        t.row(&["Produced by".to_owned(), produced.join("; ")]);
    }
    out.push_str(&t.finish());
    if !e.includes.is_empty() {
        out.push_str("\n**Included field sets:**\n\n");
        let mut t = Table::new(&[
            "Field set",
            "Header prefix",
            "Rust name",
            "Required",
            "Headers",
        ]);
        for inc in &e.includes {
            let set_rust = if inc.required {
                inc.fieldset.clone()
            } else {
                format!("Option<{}>", inc.fieldset)
            };
            let headers: Vec<String> = spec
                .fieldset(&inc.fieldset)
                .map(|f| {
                    f.fields
                        .iter()
                        .map(|h| code(&format!("{}{}", inc.prefix, h.name)))
                        .collect()
                })
                .unwrap_or_default();
            t.row(&[
                site.link(from, Kind::Fieldset, &inc.fieldset),
                if inc.prefix.is_empty() {
                    "none".to_owned()
                } else {
                    code(&inc.prefix)
                },
                format!("{}: {}", code(plain(&inc.rust)), code(&set_rust)),
                if inc.required { "yes" } else { "no" }.to_owned(),
                headers.join(", "),
            ]);
        }
        out.push_str(&t.finish());
    }
    if e.fields.is_empty() {
        if e.includes.is_empty() {
            out.push_str("\n**Headers:** none besides `Event` and `Privilege`.\n");
        }
    } else {
        out.push_str("\n**Headers:**\n\n");
        out.push_str(&fields_table(site, from, &e.fields));
    }
    out
}

pub fn fieldset(site: &Site, m: &Module, f: &Fieldset) -> String {
    let from = Some(m.name.as_str());
    let mut out = format!(
        "\n### {}\n\n{}\n\nRust type: {}, a group of headers that events include, often with a \
         prefix on every header name.\n",
        Site::heading(Kind::Fieldset, &f.name),
        md(&f.synopsis),
        code(&format!("ami_types::event::{}<'a>", f.name))
    );
    let mut users: Vec<String> = Vec::new();
    for (_, e) in site.spec.events() {
        for inc in e.includes.iter().filter(|i| i.fieldset == f.name) {
            let prefix = if inc.prefix.is_empty() {
                String::new()
            } else {
                format!(" ({})", code(&inc.prefix))
            };
            users.push(format!("{}{prefix}", site.link(from, Kind::Event, &e.name)));
        }
    }
    if !users.is_empty() {
        let _ = write!(
            out,
            "\nIncluded by {} events (header prefix in parentheses): {}.\n",
            users.len(),
            users.join(", ")
        );
    }
    out.push_str("\n**Headers:**\n\n");
    out.push_str(&fields_table(site, from, &f.fields));
    out
}

fn fields_table(site: &Site, from: Option<&str>, fields: &[Field]) -> String {
    let mut t = Table::new(&["Wire name", "Rust name", "Type", "Required", "Notes"]);
    for f in fields {
        t.row(&[
            code(&f.name),
            format!(
                "{}: {}",
                code(plain(&f.rust)),
                code(&facts::field_rust_type(f))
            ),
            type_cell(site, from, &f.ty),
            if f.required { "yes" } else { "no" }.to_owned(),
            field_notes(f),
        ]);
    }
    t.finish()
}

fn field_notes(f: &Field) -> String {
    let mut notes = Vec::new();
    if f.repeated {
        notes.push("repeated: every value is kept, in order".to_owned());
    }
    if f.prefix_match {
        notes.push(format!("matches every header starting with `{}`", f.name));
    }
    if !f.case_variants.is_empty() {
        let v: Vec<String> = f.case_variants.iter().map(|c| format!("`{c}`")).collect();
        notes.push(format!("also sent as {}", v.join(", ")));
    }
    if let Some(v) = facts::versions(&f.since) {
        notes.push(v.trim_end_matches('.').to_owned());
    }
    cell(&facts::notes(&notes, f.doc.as_deref()))
}

pub fn enumeration(site: &Site, m: &Module, e: &EnumDef) -> String {
    let from = Some(m.name.as_str());
    let mut out = format!(
        "\n### {}\n\n{}\n\nRust type: {}. Open: a value not listed here decodes to \
         `{}::Other` and is sent back unchanged. Decoding accepts the wire spelling, the \
         aliases, the number and the text, ignoring ASCII case.\n\n",
        Site::heading(Kind::Enum, &e.name),
        md(&e.synopsis),
        code(&format!("ami_types::enums::{}", e.name)),
        e.name
    );
    let mut t = Table::new(&[
        "Wire",
        "Rust variant",
        "Value",
        "Text",
        "Aliases",
        "Meaning",
    ]);
    for v in &e.variants {
        let aliases: Vec<String> = v.aliases.iter().map(|a| code(a)).collect();
        t.row(&[
            code(&v.wire),
            code(plain(&v.name)),
            v.value.map(|n| n.to_string()).unwrap_or_default(),
            cell(&md(v.text.as_deref().unwrap_or_default())),
            aliases.join(", "),
            cell(&md(v.doc.as_deref().unwrap_or_default())),
        ]);
    }
    out.push_str(&t.finish());
    let users = enum_users(site, from, &e.name);
    if !users.is_empty() {
        let _ = write!(out, "\nUsed by: {}.\n", users.join(", "));
    }
    out
}

/// Every action parameter, event header and field-set header typed with this enum.
fn enum_users(site: &Site, from: Option<&str>, name: &str) -> Vec<String> {
    let is = |ty: &Type| matches!(ty, Type::Enum(e) if e == name);
    let mut users = Vec::new();
    for (_, a) in site.spec.actions() {
        for p in a.params.iter().filter(|p| is(&p.ty)) {
            users.push(format!(
                "{} parameter {}",
                site.link(from, Kind::Action, &a.name),
                code(&p.name)
            ));
        }
        if let Response::Fields(fields) = &a.response {
            for f in fields.iter().filter(|f| is(&f.ty)) {
                users.push(format!(
                    "{} response {}",
                    site.link(from, Kind::Action, &a.name),
                    code(&f.name)
                ));
            }
        }
    }
    for (_, e) in site.spec.events() {
        for f in e.fields.iter().filter(|f| is(&f.ty)) {
            users.push(format!(
                "{} {}",
                site.link(from, Kind::Event, &e.name),
                code(&f.name)
            ));
        }
    }
    for (_, f) in site.spec.fieldsets() {
        for h in f.fields.iter().filter(|h| is(&h.ty)) {
            users.push(format!(
                "{} {}",
                site.link(from, Kind::Fieldset, &f.name),
                code(&h.name)
            ));
        }
    }
    users
}
