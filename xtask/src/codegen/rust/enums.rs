//! Enums: the `AmiEnum` types with their wire spellings, aliases and numbers.

use std::fmt::Write as _;

use ami_spec::EnumDef;
use proc_macro2::TokenStream;
use quote::quote;

use super::doc_lines;
use crate::codegen::facts::{cell, md};
use crate::codegen::names::ident;

pub(super) fn enum_def(e: &EnumDef) -> TokenStream {
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
