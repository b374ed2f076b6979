//! The Rust generator: spec → one file per spec module in `ami-types/src/generated/`, the
//! `mod.rs` that ties them together (namespaces, the `Event` enum, lookup tables), and the
//! tests made from the spec's wire examples.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ami_spec::{
    Action, EnumDef, Event, Field, Fieldset, Module, Param, Response, Spec, Type, Unit,
};
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::facts::{self, cell, md, versions};
use super::names::{ident, plain};
use super::reformat;
use super::tables;

/// Every generated file: (path relative to the workspace root, contents).
pub fn generate(spec: &Spec) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for module in &spec.modules {
        let tokens = module_file(spec, module);
        let file = parse(tokens, &module.name)?;
        let source = format!("{}.toml", module.name);
        files.push((
            format!("ami-types/src/generated/{}.rs", module.name),
            reformat(file, &source)?,
        ));
    }
    let file = parse(mod_file(spec), "mod")?;
    files.push((
        "ami-types/src/generated/mod.rs".to_owned(),
        reformat(file, "*.toml")?,
    ));
    files.push((
        "ami-types/src/generated/tables.rs".to_owned(),
        tables::tables_file(spec),
    ));
    let file = parse(examples_file(spec), "examples")?;
    files.push((
        "ami-types/tests/examples.rs".to_owned(),
        reformat(file, "*.toml")?,
    ));
    Ok(files)
}

fn parse(tokens: TokenStream, what: &str) -> Result<syn::File, String> {
    syn::parse2(tokens).map_err(|e| format!("generated code for {what} does not parse: {e}"))
}

/// `#[doc(alias = "Wire")]` unless the Rust name is the same (rustdoc refuses that).
fn alias(wire: &str, rust: &str) -> Option<TokenStream> {
    (wire != plain(rust)).then(|| quote!(#[doc(alias = #wire)]))
}

fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

fn module_file(spec: &Spec, module: &Module) -> TokenStream {
    let enums: Vec<_> = module.enums.iter().map(enum_def).collect();
    let mut events: Vec<_> = module.fieldsets.iter().map(|f| fieldset(spec, f)).collect();
    events.extend(module.events.iter().map(|e| event(spec, module, e)));
    let actions: Vec<_> = module.actions.iter().map(|a| action(spec, a)).collect();
    let responses: Vec<_> = module
        .actions
        .iter()
        .filter_map(|a| response(spec, a))
        .collect();
    let section = |name: &str, doc: &str, items: Vec<TokenStream>| {
        let name = ident(name);
        (!items.is_empty()).then(|| {
            quote! {
                #[doc = #doc]
                pub mod #name {
                    #(#items)*
                }
            }
        })
    };
    let enums = section("enums", "Enumerations of this module.", enums);
    let events = section("event", "Events and field sets of this module.", events);
    let actions = section("action", "Actions of this module.", actions);
    let responses = section(
        "response",
        "Typed responses of this module's actions.",
        responses,
    );
    let synopsis = md(&module.synopsis);
    quote! {
        #![doc = #synopsis]
        #enums
        #events
        #actions
        #responses
    }
}

/// The modules that have items of a kind, for the namespace re-exports.
fn modules_with(spec: &Spec, has: impl Fn(&Module) -> bool) -> Vec<proc_macro2::Ident> {
    spec.modules
        .iter()
        .filter(|m| has(m))
        .map(|m| ident(&m.name))
        .collect()
}

// ---------------------------------------------------------------- enums

fn enum_def(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_lines(&format!(
        "{}\n\nOpen: values this spec does not know decode to `Other` and are sent back as is.\n\n{}",
        md(&e.synopsis),
        enum_table(e)
    ));
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let wire = &v.wire;
        let mut attrs = vec![quote!(wire = #wire)];
        if let Some(value) = v.value {
            let abs = proc_macro2::Literal::u64_unsuffixed(value.unsigned_abs());
            attrs.push(if value < 0 {
                quote!(value = -#abs)
            } else {
                quote!(value = #abs)
            });
        }
        for a in &v.aliases {
            attrs.push(quote!(alias = #a));
        }
        if let Some(t) = &v.text {
            attrs.push(quote!(text = #t));
        }
        let mut d = format!("`{wire}`");
        if let Some(t) = &v.text {
            let _ = write!(d, ": {}", md(t));
        }
        if let Some(doc) = &v.doc {
            let _ = write!(d, " — {}", md(doc));
        }
        quote! {
            #[doc = #d]
            #[ami(#(#attrs),*)]
            #vname,
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, ami_derive::AmiEnum)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this spec does not know, kept exactly as received.
            #[ami(other)]
            Other(Box<str>),
        }
    }
}

fn enum_table(e: &EnumDef) -> String {
    let mut t = String::from("| Wire | Value | Text | Aliases |\n|---|---|---|---|\n");
    for v in &e.variants {
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} |",
            cell(&v.wire),
            v.value.map(|n| n.to_string()).unwrap_or_default(),
            cell(&md(v.text.as_deref().unwrap_or(""))),
            v.aliases
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    t
}

// ---------------------------------------------------------------- fields

fn type_desc(ty: &Type) -> String {
    match ty {
        Type::String => "text".into(),
        Type::Int => "integer".into(),
        Type::Uint => "unsigned integer".into(),
        Type::Float => "number".into(),
        Type::Bool => "boolean".into(),
        Type::Enum(e) => format!("[`{e}`](crate::enums::{e})"),
        Type::Duration(Unit::Seconds) => "duration in seconds".into(),
        Type::Duration(Unit::Milliseconds) => "duration in milliseconds".into(),
        Type::List => "comma-separated list".into(),
        Type::Variable => "`name=value`".into(),
        Type::ChannelPattern => "channel name or `/regex/`".into(),
    }
}

/// The borrowed Rust type of an event or response field (without Option/Vec).
fn field_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String | Type::List | Type::Variable | Type::ChannelPattern => quote!(&'a str),
        Type::Int => quote!(i64),
        Type::Uint => quote!(u64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Enum(e) => {
            let e = ident(e);
            quote!(crate::enums::#e)
        }
        Type::Duration(_) => quote!(::std::time::Duration),
    }
}

fn unit_attr(ty: &Type) -> Option<TokenStream> {
    match ty {
        Type::Duration(Unit::Seconds) => Some(quote!(unit = "s")),
        Type::Duration(Unit::Milliseconds) => Some(quote!(unit = "ms")),
        _ => None,
    }
}

fn field_tokens(f: &Field) -> TokenStream {
    let name = ident(&f.rust);
    let wire = &f.name;
    let inner = field_type(&f.ty);
    let ty = if f.repeated {
        quote!(Vec<#inner>)
    } else if f.required {
        inner
    } else {
        quote!(Option<#inner>)
    };
    let mut attrs = vec![quote!(header = #wire)];
    if f.repeated {
        attrs.push(quote!(repeated));
    }
    if f.prefix_match {
        attrs.push(quote!(prefix_match));
    }
    attrs.extend(unit_attr(&f.ty));
    let mut d = format!("`{wire}`: {}", type_desc(&f.ty));
    d.push_str(if f.repeated {
        ", repeated"
    } else if f.required {
        ", required"
    } else {
        ", optional"
    });
    if f.prefix_match {
        let _ = write!(d, "; matches headers starting with `{wire}`");
    }
    if !f.case_variants.is_empty() {
        let v: Vec<String> = f.case_variants.iter().map(|c| format!("`{c}`")).collect();
        let _ = write!(d, "; also sent as {}", v.join(", "));
    }
    if let Some(v) = versions(&f.since) {
        let _ = write!(d, " ({})", v.trim_end_matches('.'));
    }
    if let Some(doc) = &f.doc {
        let _ = write!(d, ". {}", md(doc));
    }
    quote! {
        #[doc = #d]
        #[ami(#(#attrs),*)]
        pub #name: #ty,
    }
}

fn unknown_field() -> TokenStream {
    quote! {
        /// Headers received that this type has no field for.
        #[ami(unknown)]
        #[serde(skip)]
        pub unknown: crate::Unknown<'a>,
    }
}

fn include_tokens(spec: &Spec, module: &Module, inc: &ami_spec::Include) -> TokenStream {
    let name = ident(&inc.rust);
    let set = ident(&inc.fieldset);
    let ty = if inc.required {
        quote!(crate::event::#set<'a>)
    } else {
        quote!(Option<crate::event::#set<'a>>)
    };
    let prefix = &inc.prefix;
    let synopsis = md(spec
        .fieldset(&inc.fieldset)
        .map(|f| f.synopsis.as_str())
        .unwrap_or_default());
    // A field set of the same module is in scope: rustdoc calls an explicit target redundant.
    let set_link = if module.fieldsets.iter().any(|f| f.name == inc.fieldset) {
        format!("[`{}`]", inc.fieldset)
    } else {
        format!("[`{0}`](crate::event::{0})", inc.fieldset)
    };
    let d = if prefix.is_empty() {
        format!("{set_link}: {synopsis}")
    } else {
        format!("{set_link} with headers prefixed `{prefix}`: {synopsis}")
    };
    quote! {
        #[doc = #d]
        #[ami(flatten, prefix = #prefix)]
        pub #name: #ty,
    }
}

fn fieldset(_spec: &Spec, f: &Fieldset) -> TokenStream {
    let name = ident(&f.name);
    let doc = doc_lines(&format!(
        "{}\n\nA field set: events carry it, sometimes with a header prefix.",
        md(&f.synopsis)
    ));
    let fields = f.fields.iter().map(field_tokens);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize, ami_derive::Fields)]
        pub struct #name<'a> {
            #(#fields)*
        }
    }
}

fn event(spec: &Spec, module: &Module, e: &Event) -> TokenStream {
    let name = ident(&e.rust);
    let wire = &e.name;
    let mut d = format!("{}\n\nEvent `{wire}`", md(&e.synopsis));
    if let Some(p) = &e.privilege {
        let _ = write!(d, ", class `{p}`");
    }
    d.push('.');
    if let Some(v) = versions(&e.since) {
        let _ = write!(d, " {v}");
    }
    for (a, role) in facts::lists_with(spec, &e.name) {
        let link = format!("[`{}`](crate::action::{})", a.name, plain(&a.rust));
        let _ = match role {
            facts::ListRole::Item => write!(
                d,
                "\n\nAn item of the event list answering {link}; collected into {}.",
                list_item_link(spec, a, &e.name)
            ),
            facts::ListRole::Complete => write!(
                d,
                "\n\nEnds the event list answering {link} (with `EventList: Complete`); \
                 collected as [`EventList::complete`](crate::EventList::complete)."
            ),
        };
    }
    for a in facts::follow_up_of(spec, &e.name) {
        let _ = write!(
            d,
            "\n\nThe later outcome of [`{}`](crate::action::{}), carrying its `ActionID`.",
            a.name,
            plain(&a.rust)
        );
    }
    let doc = doc_lines(&d);
    let alias = alias(wire, &e.rust);
    let includes = e.includes.iter().map(|i| include_tokens(spec, module, i));
    let fields = e.fields.iter().map(field_tokens);
    let unknown = unknown_field();
    quote! {
        #doc
        #alias
        #[derive(Debug, Clone, PartialEq, serde::Serialize, ami_derive::Event)]
        #[ami(name = #wire)]
        pub struct #name<'a> {
            #(#includes)*
            #(#fields)*
            #unknown
        }
    }
}

// ---------------------------------------------------------------- actions

/// The owned Rust type of a parameter (without Option/Vec).
fn param_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String | Type::List => quote!(String),
        Type::Int => quote!(i64),
        Type::Uint => quote!(u64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Enum(e) => {
            let e = ident(e);
            quote!(crate::enums::#e)
        }
        Type::Duration(_) => quote!(::std::time::Duration),
        Type::Variable => quote!(crate::Variable),
        Type::ChannelPattern => quote!(crate::ChannelPattern),
    }
}

/// Whether setters take `impl Into<T>` for this type.
fn takes_into(ty: &Type) -> bool {
    matches!(
        ty,
        Type::String | Type::List | Type::Variable | Type::ChannelPattern
    )
}

fn is_vec(p: &Param) -> bool {
    p.repeated || p.indexed || p.ty == Type::List
}

/// An indexed param whose entries are each optional (`Action-000000` style).
fn is_sparse(p: &Param) -> bool {
    matches!(p.index_pattern(), Some((_, true)))
}

fn param_field(p: &Param) -> TokenStream {
    let name = ident(&p.rust);
    let wire = &p.name;
    let inner = param_type(&p.ty);
    let ty = if is_sparse(p) {
        quote!(Vec<Option<#inner>>)
    } else if is_vec(p) {
        quote!(Vec<#inner>)
    } else if p.required {
        inner
    } else {
        quote!(Option<#inner>)
    };
    let mut attrs = vec![quote!(header = #wire)];
    if p.repeated {
        attrs.push(quote!(repeated));
    } else if p.indexed {
        attrs.push(quote!(indexed));
    } else if p.ty == Type::List {
        attrs.push(quote!(list));
    }
    attrs.extend(unit_attr(&p.ty));
    let d = param_doc(p);
    quote! {
        #[doc = #d]
        #[ami(#(#attrs),*)]
        pub #name: #ty,
    }
}

fn param_doc(p: &Param) -> String {
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

fn response_type(spec: &Spec, a: &Action) -> TokenStream {
    match &a.response {
        Response::Plain => quote!(crate::Ack<'a>),
        Response::Command => quote!(crate::CommandOutput<'a>),
        Response::Goodbye => quote!(crate::Goodbye<'a>),
        Response::Fields(_) => {
            let r = format_ident!("{}Response", plain(&a.rust));
            quote!(crate::response::#r<'a>)
        }
        Response::List { items, complete } => {
            let item = if items.len() == 1 {
                event_path(spec, &items[0])
            } else {
                let r = format_ident!("{}Item", plain(&a.rust));
                quote!(crate::response::#r<'a>)
            };
            let complete = event_path(spec, complete);
            quote!(crate::EventList<'a, #item, #complete>)
        }
    }
}

fn event_path(spec: &Spec, name: &str) -> TokenStream {
    let rust = spec
        .event(name)
        .map(|e| e.rust.clone())
        .unwrap_or_else(|| name.to_owned());
    let r = ident(&rust);
    quote!(crate::event::#r<'a>)
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
fn action_doc(spec: &Spec, a: &Action) -> String {
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
    let mut notes = Vec::new();
    if p.repeated {
        notes.push("one header per value".to_owned());
    }
    notes.extend(facts::indexed_note(p));
    if p.secret {
        notes.push("a credential: `Debug` shows `<redacted>`".to_owned());
    }
    if let Some(v) = versions(&p.since) {
        notes.push(v.trim_end_matches('.').to_owned());
    }
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
fn list_item_link(spec: &Spec, a: &Action, event: &str) -> String {
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

fn action(spec: &Spec, a: &Action) -> TokenStream {
    let name = ident(&a.rust);
    let wire = &a.name;
    let d = action_doc(spec, a);
    let doc = doc_lines(&d);
    let alias = alias(wire, &a.rust);
    let fields = a.params.iter().map(param_field);
    let response = compact(&response_type(spec, a).to_string());
    let mut container = vec![quote!(name = #wire), quote!(response = #response)];
    if let Some(f) = &a.follow_up {
        container.push(quote!(follow_up = #f));
    }
    let ctor = constructor(a);
    let has_secret = a.params.iter().any(|p| p.secret);
    let debug = (!has_secret).then(|| quote!(Debug,));
    let redacting_debug = has_secret.then(|| redacting_debug(a));
    let no_required = a.params.iter().all(|p| !p.required || is_vec(p));
    let default = no_required.then(|| quote!(Default,));
    let setters = a
        .params
        .iter()
        .filter(|p| !p.required || is_vec(p))
        .map(setter);
    quote! {
        #doc
        #alias
        #[derive(#debug Clone, PartialEq, #default ami_derive::Action)]
        #[ami(#(#container),*)]
        #[must_use = "an action does nothing until it is sent"]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #ctor
            #(#setters)*
        }

        #redacting_debug
    }
}

/// `Debug` that shows credentials as `<redacted>`.
fn redacting_debug(a: &Action) -> TokenStream {
    let name = ident(&a.rust);
    let type_name = plain(&a.rust);
    let fields = a.params.iter().map(|p| {
        let field = ident(&p.rust);
        let label = plain(&p.rust);
        if !p.secret {
            quote!(.field(#label, &self.#field))
        } else if p.required && !is_vec(p) {
            quote!(.field(#label, &crate::value::Redacted))
        } else if is_vec(p) {
            quote!(.field(#label, &self.#field.iter().map(|_| crate::value::Redacted).collect::<Vec<_>>()))
        } else {
            quote!(.field(#label, &self.#field.as_ref().map(|_| crate::value::Redacted)))
        }
    });
    quote! {
        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#type_name) #(#fields)* .finish()
            }
        }
    }
}

/// A type's tokens as a person writes them: `crate::Ack<'a>`, not `crate :: Ack < 'a >`.
fn compact(tokens: &str) -> String {
    tokens
        .replace(" :: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}

fn constructor(a: &Action) -> TokenStream {
    let required: Vec<&Param> = a
        .params
        .iter()
        .filter(|p| p.required && !is_vec(p))
        .collect();
    let args = required.iter().map(|p| {
        let n = ident(&p.rust);
        let t = param_type(&p.ty);
        if takes_into(&p.ty) {
            quote!(#n: impl Into<#t>)
        } else {
            quote!(#n: #t)
        }
    });
    let inits = a.params.iter().map(|p| {
        let n = ident(&p.rust);
        if is_vec(p) {
            quote!(#n: Vec::new())
        } else if p.required {
            if takes_into(&p.ty) {
                quote!(#n: #n.into())
            } else {
                quote!(#n)
            }
        } else {
            quote!(#n: None)
        }
    });
    let d = if required.is_empty() {
        "Creates the action; it has no required parameters.".to_owned()
    } else {
        let names: Vec<String> = required.iter().map(|p| format!("`{}`", p.name)).collect();
        format!(
            "Creates the action with its required parameters: {}.",
            names.join(", ")
        )
    };
    quote! {
        #[doc = #d]
        pub fn new(#(#args),*) -> Self {
            Self { #(#inits),* }
        }
    }
}

fn setter(p: &Param) -> TokenStream {
    let n = ident(&p.rust);
    let t = param_type(&p.ty);
    let d = format!("Sets {}", param_doc(p));
    let (arg, value) = if takes_into(&p.ty) {
        (quote!(value: impl Into<#t>), quote!(value.into()))
    } else {
        (quote!(value: #t), quote!(value))
    };
    if is_sparse(p) {
        let d = format!("Sets entry `index` of {}", &d[5..]);
        return quote! {
            #[doc = #d]
            pub fn #n(mut self, index: usize, #arg) -> Self {
                if self.#n.len() <= index {
                    self.#n.resize(index + 1, None);
                }
                self.#n[index] = Some(#value);
                self
            }
        };
    }
    let body = if p.ty == Type::List {
        quote! {
            self.#n = value.into_iter().map(Into::into).collect();
        }
    } else if is_vec(p) {
        quote!(self.#n.push(#value);)
    } else {
        quote!(self.#n = Some(#value);)
    };
    let arg = if p.ty == Type::List {
        quote!(value: impl IntoIterator<Item = impl Into<String>>)
    } else {
        arg
    };
    let d = if is_vec(p) && p.ty != Type::List {
        format!("Adds one value to {}", &d[5..])
    } else {
        d
    };
    quote! {
        #[doc = #d]
        pub fn #n(mut self, #arg) -> Self {
            #body
            self
        }
    }
}

fn response(spec: &Spec, a: &Action) -> Option<TokenStream> {
    match &a.response {
        Response::Fields(fields) => {
            let name = format_ident!("{}Response", plain(&a.rust));
            let d = format!(
                "The typed response to [`{0}`](crate::action::{1}).",
                a.name,
                plain(&a.rust)
            );
            let has_message = fields
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case("Message"));
            let message = (!has_message).then(|| {
                quote! {
                    /// `Message`: Asterisk's human-readable status, optional.
                    #[ami(header = "Message")]
                    pub message: Option<&'a str>,
                }
            });
            let fields = fields.iter().map(field_tokens);
            let unknown = unknown_field();
            Some(quote! {
                #[doc = #d]
                #[derive(Debug, Clone, PartialEq, serde::Serialize, ami_derive::Response)]
                pub struct #name<'a> {
                    #message
                    #(#fields)*
                    #unknown
                }
            })
        }
        Response::List { items, .. } if items.len() > 1 => {
            let name = format_ident!("{}Item", plain(&a.rust));
            let d = format!(
                "One item of the event list answering [`{0}`](crate::action::{1}).",
                a.name,
                plain(&a.rust)
            );
            let variants: Vec<_> = items
                .iter()
                .map(|i| {
                    let rust = spec
                        .event(i)
                        .map(|e| e.rust.clone())
                        .unwrap_or_else(|| i.clone());
                    (i.clone(), ident(&rust))
                })
                .collect();
            let decls = variants.iter().map(|(wire, v)| {
                let d = format!("A `{wire}` event.");
                quote!(#[doc = #d] #v(crate::event::#v<'a>),)
            });
            let arms = variants.iter().map(|(wire, v)| {
                quote!(Some(n) if n.eq_ignore_ascii_case(#wire) => Ok(Self::#v(crate::FromMessage::from_message(msg)?)),)
            });
            let expected = items.join(", ");
            Some(quote! {
                #[doc = #d]
                #[derive(Debug, Clone, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                #[allow(clippy::large_enum_variant)] // items are decoded one at a time, borrowed
                pub enum #name<'a> {
                    #(#decls)*
                }

                impl<'a> crate::FromMessage<'a> for #name<'a> {
                    fn from_message(msg: &'a crate::Message) -> Result<Self, crate::DecodeError> {
                        match msg.event() {
                            #(#arms)*
                            other => Err(crate::DecodeError::WrongMessage {
                                expected: #expected,
                                found: other.map_or_else(|| "a message without Event".to_owned(), |e| format!("event {e}")),
                            }),
                        }
                    }
                }
            })
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- mod.rs

fn mod_file(spec: &Spec) -> TokenStream {
    let modules: Vec<_> = spec.modules.iter().map(|m| ident(&m.name)).collect();
    let with_actions = modules_with(spec, |m| !m.actions.is_empty());
    let with_events = modules_with(spec, |m| !m.events.is_empty() || !m.fieldsets.is_empty());
    let with_responses = modules_with(spec, |m| {
        m.actions.iter().any(|a| match &a.response {
            Response::Fields(_) => true,
            Response::List { items, .. } => items.len() > 1,
            _ => false,
        })
    });
    let with_enums = modules_with(spec, |m| !m.enums.is_empty());
    let mut events: Vec<&Event> = spec.events().map(|(_, e)| e).collect();
    events.sort_by(|a, b| a.name.cmp(&b.name));
    let mut actions: Vec<(&Module, &Action)> = spec.actions().collect();
    actions.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let event_modules: BTreeMap<&str, &str> = spec
        .events()
        .map(|(m, e)| (e.name.as_str(), m.name.as_str()))
        .collect();

    let variants: Vec<_> = events.iter().map(|e| ident(&e.rust)).collect();
    // Rare, very large events (several snapshots) are boxed so that `Event` stays small and
    // cheap to move for the common ones.
    let payloads = events.iter().map(|e| {
        let v = ident(&e.rust);
        if event_size(spec, e) > BOX_ABOVE {
            quote!(Box<event::#v<'a>>)
        } else {
            quote!(event::#v<'a>)
        }
    });
    let wires: Vec<_> = events.iter().map(|e| e.name.as_str()).collect();
    let variant_docs = events
        .iter()
        .map(|e| format!("`{}`: {}", e.name, md(&e.synopsis)));
    let kind_docs = variant_docs.clone();

    let event_infos = events.iter().map(|e| {
        let wire = &e.name;
        let rust = plain(&e.rust);
        let t = ident(&e.rust);
        let module = event_modules
            .get(e.name.as_str())
            .copied()
            .unwrap_or_default();
        let synopsis = &e.synopsis;
        let privilege = opt(e.privilege.as_ref());
        let since = opt(e.since.since.as_ref());
        let removed = opt(e.since.removed.as_ref());
        let includes = format_ident!("{}", tables::event_includes_const(&e.rust));
        let fields = format_ident!("{}", tables::event_fields_const(&e.rust));
        quote! {
            EventInfo {
                name: #wire,
                rust: #rust,
                module: #module,
                decode: |m| Ok(Dyn::new(event::#t::from_message(m)?)),
                synopsis: #synopsis,
                privilege: #privilege,
                since: #since,
                removed: #removed,
                includes: tables::#includes,
                fields: tables::#fields,
            }
        }
    });
    let action_infos = actions.iter().map(|(m, a)| {
        let wire = &a.name;
        let rust = plain(&a.rust);
        let t = ident(&a.rust);
        let module = &m.name;
        let synopsis = &a.synopsis;
        let params = format_ident!("{}", tables::params_const(&a.rust));
        let (items, complete): (Vec<&str>, TokenStream) = match &a.response {
            Response::List { items, complete } => (
                items.iter().map(String::as_str).collect(),
                quote!(Some(#complete)),
            ),
            _ => (Vec::new(), quote!(None)),
        };
        let follow_up = match &a.follow_up {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let removed = opt(a.since.removed.as_ref());
        let since = opt(a.since.since.as_ref());
        let privilege = if a.privilege_known {
            let classes = &a.privilege;
            quote!(Some(&[#(#classes),*]))
        } else {
            quote!(None)
        };
        let response_kind = facts::response_kind(a);
        let response_type = facts::response_rust_type(spec, a);
        let response_fields = match &a.response {
            Response::Fields(_) => {
                let name = format_ident!("{}", tables::response_const(&a.rust));
                quote!(tables::#name)
            }
            _ => quote!(&[]),
        };
        let decode = match &a.response {
            Response::Plain | Response::List { .. } => quote!(crate::Ack::from_message(m)?),
            Response::Command => quote!(crate::CommandOutput::from_message(m)?),
            Response::Goodbye => quote!(crate::Goodbye::from_message(m)?),
            Response::Fields(_) => {
                let r = format_ident!("{}Response", plain(&a.rust));
                quote!(response::#r::from_message(m)?)
            }
        };
        let examples = a.examples.iter().map(|ex| {
            let (t, q, r) = (&ex.title, &ex.request, &ex.response);
            quote!((#t, #q, #r))
        });
        quote! {
            ActionInfo {
                name: #wire,
                rust: #rust,
                module: #module,
                synopsis: #synopsis,
                params: tables::#params,
                list_items: &[#(#items),*],
                list_complete: #complete,
                follow_up: #follow_up,
                removed: #removed,
                examples: &[#(#examples),*],
                decode_response: |m| Ok(Dyn::new(#decode)),
                reencode: reencode::<action::#t>,
                privilege: #privilege,
                since: #since,
                response_kind: #response_kind,
                response_type: #response_type,
                response_fields: #response_fields,
            }
        }
    });
    let decode_arms = events.iter().map(|e| {
        let v = ident(&e.rust);
        if event_size(spec, e) > BOX_ABOVE {
            quote!(Some(EventKind::#v) => Event::#v(Box::new(event::#v::from_message(msg)?)),)
        } else {
            quote!(Some(EventKind::#v) => Event::#v(event::#v::from_message(msg)?),)
        }
    });
    let name_arms = events.iter().map(|e| {
        let v = ident(&e.rust);
        let w = &e.name;
        quote!(Event::#v(_) => #w,)
    });
    let kind_arms = events.iter().map(|e| {
        let v = ident(&e.rust);
        quote!(Event::#v(_) => Some(EventKind::#v),)
    });
    let count = events.len();
    let mut buckets: BTreeMap<(usize, u8), Vec<(&str, proc_macro2::Ident)>> = BTreeMap::new();
    for e in &events {
        let first = e.name.as_bytes().first().copied().unwrap_or(0);
        buckets
            .entry((e.name.len(), first))
            .or_default()
            .push((e.name.as_str(), ident(&e.rust)));
    }
    let name_buckets = buckets.iter().map(|(&(len, first), names)| {
        let len = proc_macro2::Literal::usize_unsuffixed(len);
        let first = proc_macro2::Literal::byte_character(first);
        let checks = names
            .iter()
            .map(|(wire, v)| quote!(if name == #wire { Some(EventKind::#v) } else));
        quote!((#len, #first) => #(#checks)* { None },)
    });

    quote! {
        //! The typed API generated from the spec: one module per spec file, plus the namespaces
        //! that gather their items, the [`Event`] enum and lookup tables for tools.

        use crate::dynamic::{ActionInfo, Dyn, EnumInfo, EventInfo, FieldsetInfo};
        use crate::{DecodeError, FromMessage, Message};

        #(pub mod #modules;)*
        #[rustfmt::skip]
        mod tables;

        /// Every action, one type per AMI action.
        pub mod action {
            #(pub use super::#with_actions::action::*;)*
        }

        /// Every event and field set, one type per AMI event.
        pub mod event {
            #(pub use super::#with_events::event::*;)*
        }

        /// Typed responses and list item enums.
        pub mod response {
            #(pub use super::#with_responses::response::*;)*
        }

        /// Every enumeration.
        pub mod enums {
            #(pub use super::#with_enums::enums::*;)*
        }

        /// Any event, decoded into its typed form; events the spec does not know stay raw.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event<'a> {
            #(#[doc = #variant_docs] #variants(#payloads),)*
            /// An event the spec does not know, kept as received.
            Unknown(&'a Message),
        }

        /// The kind of an event, known from its name before decoding: use it to filter cheaply.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EventKind {
            #(#[doc = #kind_docs] #variants,)*
        }

        impl EventKind {
            /// Every kind, in wire-name order.
            pub const ALL: [EventKind; #count] = [#(EventKind::#variants),*];

            /// The wire name.
            pub fn name(self) -> &'static str {
                match self {
                    #(EventKind::#variants => #wires,)*
                }
            }

            /// The kind of a wire event name, matched exactly first, then ignoring ASCII case.
            pub fn from_name(name: &str) -> Option<EventKind> {
                // Bucketed by (length, first byte) so that only a name or two are compared.
                let exact = match (name.len(), name.as_bytes().first().copied().unwrap_or(0)) {
                    #(#name_buckets)*
                    _ => None,
                };
                exact.or_else(|| EventKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(name)))
            }
        }

        impl<'a> Event<'a> {
            /// Decodes an event message into its typed form (`Unknown` for events not in the spec).
            pub fn decode(msg: &'a Message) -> Result<Event<'a>, DecodeError> {
                let Some(name) = msg.event() else {
                    return Err(DecodeError::WrongMessage {
                        expected: "an event",
                        found: msg.iter().next().map_or_else(|| "an empty message".to_owned(), |(n, _)| format!("a message starting with {n}")),
                    });
                };
                Ok(match EventKind::from_name(name) {
                    #(#decode_arms)*
                    None => Event::Unknown(msg),
                })
            }

            /// The wire event name.
            pub fn name(&self) -> &'a str {
                match self {
                    #(#name_arms)*
                    Event::Unknown(msg) => msg.event().unwrap_or_default(),
                }
            }

            /// The kind, `None` for unknown events.
            pub fn kind(&self) -> Option<EventKind> {
                match self {
                    #(#kind_arms)*
                    Event::Unknown(_) => None,
                }
            }
        }

        fn reencode<A: crate::Action>(msg: &Message, action_id: &str, out: &mut Vec<u8>) -> Result<(), crate::Error> {
            let action = A::from_params(msg)?;
            crate::encode_action(&action, action_id, out)?;
            Ok(())
        }

        /// Every action of the spec, sorted by wire name.
        pub static ACTIONS: &[ActionInfo] = &[#(#action_infos),*];

        /// Every event of the spec, sorted by wire name.
        pub static EVENTS: &[EventInfo] = &[#(#event_infos),*];

        /// The table entry of an action, by wire name in any case.
        pub fn action_info(name: &str) -> Option<&'static ActionInfo> {
            ACTIONS.iter().find(|a| a.name.eq_ignore_ascii_case(name))
        }

        /// The table entry of an event, by wire name in any case.
        pub fn event_info(name: &str) -> Option<&'static EventInfo> {
            EVENTS.iter().find(|e| e.name.eq_ignore_ascii_case(name))
        }

        /// Every field set of the spec (header groups events include), sorted by name.
        pub static FIELDSETS: &[FieldsetInfo] = tables::FIELDSETS;

        /// Every enumeration of the spec, sorted by name.
        pub static ENUMS: &[EnumInfo] = tables::ENUMS;

        /// The table entry of a field set, by name in any case.
        pub fn fieldset_info(name: &str) -> Option<&'static FieldsetInfo> {
            FIELDSETS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
        }

        /// The table entry of an enumeration, by name in any case.
        pub fn enum_info(name: &str) -> Option<&'static EnumInfo> {
            ENUMS.iter().find(|e| e.name.eq_ignore_ascii_case(name))
        }
    }
}

/// Events estimated larger than this many bytes are boxed inside [`Event`].
const BOX_ABOVE: usize = 900;

/// A rough size of an event struct: enough to tell the few huge events from the rest.
fn event_size(spec: &Spec, e: &Event) -> usize {
    let includes: usize = e
        .includes
        .iter()
        .map(|i| {
            spec.fieldset(&i.fieldset)
                .map_or(0, |f| fields_size(&f.fields))
        })
        .sum();
    includes + fields_size(&e.fields) + 24
}

fn fields_size(fields: &[Field]) -> usize {
    fields
        .iter()
        .map(|f| match (&f.ty, f.repeated) {
            (_, true) => 24,
            (Type::Enum(_), _) => 24,
            (Type::Bool, _) => 2,
            _ => 16,
        })
        .sum()
}

/// `Some("text")` or `None`, as tokens.
fn opt(value: Option<&String>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

// ---------------------------------------------------------------- example tests

fn examples_file(spec: &Spec) -> TokenStream {
    let mut actions: Vec<&Action> = spec.actions().map(|(_, a)| a).collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    let tests = actions.iter().flat_map(|a| {
        a.examples.iter().enumerate().map(move |(i, ex)| {
            let test = format_ident!("{}_example_{}", plain(&a.rust).to_snake_case(), i + 1);
            let t = ident(&a.rust);
            let title = &ex.title;
            let request = &ex.request;
            let response = &ex.response;
            quote! {
                #[doc = #title]
                #[test]
                fn #test() {
                    support::check_example::<action::#t>(#request, #response);
                }
            }
        })
    });
    quote! {
        //! One test per wire example of the spec: the request re-encodes to the same headers, and
        //! every response message and event decodes into its typed form with no unknown header.

        mod support;

        use ami_types::action;

        #(#tests)*
    }
}
