//! Expansion of `AmiEnum`: wire spellings, numeric values and descriptions of an open enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::attr;
use crate::ctxt::Ctxt;

struct Known<'a> {
    ident: &'a syn::Ident,
    wire: String,
    value: Option<i64>,
    aliases: Vec<String>,
    text: Option<String>,
}

/// Expands `#[derive(AmiEnum)]`.
pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut cx = Ctxt::default();
    let _ = attr::Container::from_attrs(&mut cx, &input.attrs);
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(&input.ident, "derive(AmiEnum) needs an enum");
        cx.check()?;
        unreachable!("check fails when an error was recorded");
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "derive(AmiEnum) takes no generic parameters",
        );
    }
    let mut known = Vec::new();
    let mut other = None;
    let mut other_attr_seen = false;
    for variant in &data.variants {
        let va = attr::Variant::from_attrs(&mut cx, &variant.attrs);
        if va.other {
            other_attr_seen = true;
            if va.wire.is_some()
                || va.value.is_some()
                || !va.aliases.is_empty()
                || va.text.is_some()
            {
                cx.error_spanned_by(
                    variant,
                    "the `other` variant takes no `wire`, `value`, `alias` or `text`",
                );
            }
            let single_field =
                matches!(&variant.fields, Fields::Unnamed(f) if f.unnamed.len() == 1);
            if !single_field {
                cx.error_spanned_by(
                    variant,
                    "the `other` variant holds the raw value: `Other(Box<str>)`",
                );
            } else if other.replace(&variant.ident).is_some() {
                cx.error_spanned_by(variant, "only one variant may be `#[ami(other)]`");
            }
            continue;
        }
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                variant,
                "known variants carry no data; only the `other` variant does",
            );
            continue;
        }
        let Some(wire) = va.wire else {
            cx.error_spanned_by(variant, "a known variant needs `#[ami(wire = \"...\")]`");
            continue;
        };
        known.push(Known {
            ident: &variant.ident,
            wire: wire.value(),
            value: va.value,
            aliases: va.aliases.iter().map(|a| a.value()).collect(),
            text: va.text.map(|t| t.value()),
        });
    }
    let Some(other) = other else {
        if other_attr_seen {
            // The malformed `other` variant was already reported.
            cx.check()?;
            unreachable!("check fails when an error was recorded");
        }
        cx.error_spanned_by(
            &input.ident,
            "derive(AmiEnum) needs an `#[ami(other)] Other(Box<str>)` variant: AMI enums are open",
        );
        cx.check()?;
        unreachable!("check fails when an error was recorded");
    };
    cx.check()?;
    Ok(generate(input, &known, other))
}

fn generate(input: &DeriveInput, known: &[Known<'_>], other: &syn::Ident) -> TokenStream {
    let p = quote!(::ami_types::__private);
    let ident = &input.ident;
    let wires: Vec<_> = known.iter().map(|k| &k.wire).collect();
    // Every spelling in its exact case, for the fast path (first owner of a spelling wins).
    let mut exact: Vec<(String, &syn::Ident)> = Vec::new();
    for k in known {
        let spellings = std::iter::once(&k.wire).chain(&k.aliases).chain(&k.text);
        for sp in spellings {
            if !exact.iter().any(|(e, _)| e == sp) {
                exact.push((sp.clone(), k.ident));
            }
        }
    }
    let exact_arms = exact.iter().map(|(sp, i)| quote!(#sp => return Self::#i,));
    let idents: Vec<_> = known.iter().map(|k| k.ident).collect();
    let value_arms = known.iter().filter_map(|k| {
        let (v, i) = (k.value?, k.ident);
        Some(quote!(#v => return Self::#i,))
    });
    let has_values = known.iter().any(|k| k.value.is_some());
    let by_value = has_values.then(|| {
        quote! {
            if let ::core::result::Result::Ok(n) = raw.trim().parse::<i64>() {
                #[allow(unreachable_patterns)]
                match n {
                    #(#value_arms)*
                    _ => {}
                }
            }
        }
    });
    let loose = known.iter().map(|k| {
        let i = k.ident;
        let mut names: Vec<&String> = vec![&k.wire];
        names.extend(&k.aliases);
        names.extend(&k.text);
        quote!(if #(#p::eq_ic(raw, #names))||* { return Self::#i; })
    });
    let value_of = known.iter().filter_map(|k| {
        let (v, i) = (k.value?, k.ident);
        Some(quote!(Self::#i => ::core::option::Option::Some(#v),))
    });
    let text_of = known.iter().filter_map(|k| {
        let (t, i) = (k.text.as_ref()?, k.ident);
        Some(quote!(Self::#i => ::core::option::Option::Some(#t),))
    });

    quote! {
        impl #ident {
            /// The spelling sent on the wire.
            pub fn as_wire(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#other(raw) => raw,
                }
            }

            /// Decodes a wire value (its spelling, an alias, its number or its description, in
            /// any case); anything else is kept as the `Other` variant.
            pub fn from_wire(raw: &str) -> Self {
                #[allow(unreachable_patterns)]
                match raw {
                    #(#exact_arms)*
                    _ => {}
                }
                #by_value
                #(#loose)*
                Self::#other(raw.into())
            }

            /// Asterisk's numeric value, when it has one.
            pub fn value(&self) -> ::core::option::Option<i64> {
                #[allow(unreachable_patterns)]
                match self {
                    #(#value_of)*
                    _ => ::core::option::Option::None,
                }
            }

            /// The description Asterisk prints beside the value, when it has one.
            pub fn text(&self) -> ::core::option::Option<&'static str> {
                #[allow(unreachable_patterns)]
                match self {
                    #(#text_of)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl #p::AmiEnum for #ident {
            const WIRE_VALUES: &'static [&'static str] = &[#(#wires),*];
            fn as_wire(&self) -> &str { #ident::as_wire(self) }
            fn from_wire(raw: &str) -> Self { #ident::from_wire(raw) }
            fn value(&self) -> ::core::option::Option<i64> { #ident::value(self) }
        }

        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_wire())
            }
        }

        impl ::core::str::FromStr for #ident {
            type Err = ::core::convert::Infallible;
            fn from_str(raw: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(Self::from_wire(raw))
            }
        }

        impl<'a> #p::FieldValue<'a> for #ident {
            fn decode_field(raw: &'a str) -> ::core::result::Result<Self, #p::ValueError> {
                ::core::result::Result::Ok(Self::from_wire(raw))
            }
        }

        impl #p::ParamValue for #ident {
            fn encode_param(&self, out: &mut ::std::vec::Vec<u8>) {
                out.extend_from_slice(self.as_wire().as_bytes());
            }
            fn decode_param(raw: &str) -> ::core::result::Result<Self, #p::ValueError> {
                ::core::result::Result::Ok(Self::from_wire(raw))
            }
        }

        impl #p::serde::Serialize for #ident {
            fn serialize<S: #p::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_wire())
            }
        }
    }
}
