//! Events and field sets: borrowed structs whose fields are the headers Asterisk sends.

use std::fmt::Write as _;

use ami_spec::{Event, Field, Fieldset, Module, Spec, Type, Unit};
use proc_macro2::TokenStream;
use quote::quote;

use super::action_docs::list_item_link;
use super::{alias, doc_lines};
use crate::codegen::facts::{self, md, versions};
use crate::codegen::names::{ident, plain};

/// The spec's type in words for rustdoc: [`facts::type_words`] with enums linked.
pub(super) fn type_desc(ty: &Type) -> String {
    match ty {
        Type::Enum(e) => format!("[`{e}`](crate::enums::{e})"),
        other => facts::type_words(other),
    }
}

/// The Rust type of a value that is not text, the same for action parameters and for event or
/// response fields; `None` for the text types, which parameters own and fields borrow.
pub(super) fn scalar_type(ty: &Type) -> Option<TokenStream> {
    Some(match ty {
        Type::Int => quote!(i64),
        Type::Uint => quote!(u64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Enum(e) => {
            let e = ident(e);
            quote!(crate::enums::#e)
        }
        Type::Duration(_) => quote!(::std::time::Duration),
        Type::String | Type::List | Type::Variable | Type::ChannelPattern => return None,
    })
}

/// The borrowed Rust type of an event or response field (without Option/Vec).
fn field_type(ty: &Type) -> TokenStream {
    scalar_type(ty).unwrap_or_else(|| quote!(&'a str))
}

pub(super) fn unit_attr(ty: &Type) -> Option<TokenStream> {
    match ty {
        Type::Duration(Unit::Seconds) => Some(quote!(unit = "s")),
        Type::Duration(Unit::Milliseconds) => Some(quote!(unit = "ms")),
        _ => None,
    }
}

pub(super) fn field_tokens(f: &Field) -> TokenStream {
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

pub(super) fn unknown_field() -> TokenStream {
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

pub(super) fn fieldset(_spec: &Spec, f: &Fieldset) -> TokenStream {
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

pub(super) fn event(spec: &Spec, module: &Module, e: &Event) -> TokenStream {
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
