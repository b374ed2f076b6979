//! Actions: owned builder structs, their rustdoc (parameters, response, a compiled example)
//! and their response types.

use std::fmt::Write as _;

use ami_spec::{Action, EnumDef, Param, Response, Spec, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::events::{field_tokens, type_desc, unit_attr, unknown_field};
use super::{alias, doc_lines};
use crate::codegen::facts::{self, cell, md, versions};
use crate::codegen::names::{ident, plain};

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

pub(super) fn response_type(spec: &Spec, a: &Action) -> TokenStream {
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
pub(super) fn section(d: &mut String, title: &str) {
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

pub(super) fn action(spec: &Spec, a: &Action) -> TokenStream {
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

pub(super) fn response(spec: &Spec, a: &Action) -> Option<TokenStream> {
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
