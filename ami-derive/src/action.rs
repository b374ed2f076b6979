//! Expansion of `Action`: parameter encoding (`write_params`) and parsing (`from_params`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident};

use crate::attr::{self, Unit};
use crate::ctxt::Ctxt;
use crate::fields::wrapped;

/// How one parameter is written.
enum Shape<'a> {
    /// One header; `required` when not an `Option`.
    Single {
        inner: &'a syn::Type,
        required: bool,
    },
    /// One header per element.
    Repeated { inner: &'a syn::Type },
    /// One header per element, named `Prefix(i)` or `Prefix-00000i`; `sparse` when the
    /// elements are `Option`s (a `None` sends nothing for its index).
    Indexed {
        inner: &'a syn::Type,
        prefix: String,
        padded: bool,
        sparse: bool,
    },
    /// One comma-separated header.
    List { inner: &'a syn::Type },
}

struct Param<'a> {
    ident: &'a Ident,
    ty_span: proc_macro2::Span,
    wire: String,
    shape: Shape<'a>,
    unit: Option<Unit>,
}

/// The `IndexStyle` path for an indexed parameter.
fn index_style(p: &TokenStream, padded: bool) -> TokenStream {
    if padded {
        quote!(#p::IndexStyle::Padded)
    } else {
        quote!(#p::IndexStyle::Parenthesized)
    }
}

/// Expands `#[derive(Action)]`.
pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut cx = Ctxt::default();
    let container = attr::Container::from_attrs(&mut cx, &input.attrs);
    let Data::Struct(data) = &input.data else {
        cx.error_spanned_by(&input.ident, "derive(Action) needs a struct");
        cx.check()?;
        unreachable!("check fails when an error was recorded");
    };
    if container.name.is_none() {
        cx.error_spanned_by(
            &input.ident,
            "derive(Action) needs `#[ami(name = \"ActionName\")]`",
        );
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "derive(Action) takes no generic parameters",
        );
    }
    let named = match &data.fields {
        Fields::Named(n) => n.named.iter().collect(),
        Fields::Unit => Vec::new(),
        Fields::Unnamed(_) => {
            cx.error_spanned_by(&input.ident, "derive(Action) needs named fields");
            Vec::new()
        }
    };
    let mut params = Vec::new();
    for field in named {
        let ident = field.ident.as_ref().expect("named fields have idents");
        let fa = attr::Field::from_attrs(&mut cx, &field.attrs);
        if fa.flatten || fa.unknown || fa.prefix_match || fa.prefix.is_some() {
            cx.error_spanned_by(
                ident,
                "`flatten`, `prefix`, `prefix_match` and `unknown` are for events",
            );
            continue;
        }
        let wire = fa.wire_name(ident);
        let vec_inner = wrapped(&field.ty, "Vec");
        let modes = [fa.repeated, fa.indexed, fa.list]
            .iter()
            .filter(|b| **b)
            .count();
        if modes > 1 {
            cx.error_spanned_by(ident, "choose one of `repeated`, `indexed` and `list`");
            continue;
        }
        let shape = if modes == 1 {
            let Some(inner) = vec_inner else {
                cx.error_spanned_by(
                    &field.ty,
                    "`repeated`, `indexed` and `list` need a `Vec<T>`",
                );
                continue;
            };
            if fa.repeated {
                Shape::Repeated { inner }
            } else if fa.list {
                Shape::List { inner }
            } else {
                let pattern = wire
                    .strip_suffix("(0)")
                    .map(|stem| (stem, false))
                    .or_else(|| {
                        wire.strip_suffix("000000")
                            .filter(|stem| stem.ends_with('-'))
                            .map(|stem| (stem, true))
                    });
                let Some((prefix, padded)) = pattern else {
                    cx.error_spanned_by(
                        ident,
                        "an `indexed` header is written with its index 0: `UnitAmount(0)` or `Action-000000`",
                    );
                    continue;
                };
                let option_inner = wrapped(inner, "Option");
                Shape::Indexed {
                    inner: option_inner.unwrap_or(inner),
                    prefix: prefix.to_owned(),
                    padded,
                    sparse: option_inner.is_some(),
                }
            }
        } else if vec_inner.is_some() {
            cx.error_spanned_by(
                &field.ty,
                "a `Vec` parameter needs `repeated`, `indexed` or `list`",
            );
            continue;
        } else {
            match wrapped(&field.ty, "Option") {
                Some(inner) => Shape::Single {
                    inner,
                    required: false,
                },
                None => Shape::Single {
                    inner: &field.ty,
                    required: true,
                },
            }
        };
        if let Shape::Single { inner, .. } = &shape {
            if fa.unit.is_none() && crate::fields::is_duration(inner) {
                cx.error_spanned_by(
                    &field.ty,
                    "a `Duration` needs `unit = \"s\"` or `unit = \"ms\"`",
                );
                continue;
            }
        }
        if fa.unit.is_some() && !matches!(shape, Shape::Single { .. }) {
            cx.error_spanned_by(ident, "`unit` applies to a single `Duration` parameter");
        }
        params.push(Param {
            ident,
            ty_span: field.ty.span(),
            wire,
            shape,
            unit: fa.unit,
        });
    }
    cx.check()?;
    Ok(generate(input, &container, &params))
}

fn generate(input: &DeriveInput, container: &attr::Container, params: &[Param<'_>]) -> TokenStream {
    let p = quote!(::ami_types::__private);
    let ident = &input.ident;
    let name = container
        .name
        .as_ref()
        .map(|n| n.value())
        .unwrap_or_default();
    let response = match &container.response {
        Some(ty) => quote!(#ty),
        None => quote!(::ami_types::Ack<'a>),
    };
    let follow_up = match &container.follow_up {
        Some(f) => quote!(::core::option::Option::Some(#f)),
        None => quote!(::core::option::Option::None),
    };

    let writes = params.iter().map(|prm| {
        let field = prm.ident;
        let wire = &prm.wire;
        let codec = prm.unit.map(|u| match u {
            Unit::Seconds => quote!(#p::seconds::encode),
            Unit::Millis => quote!(#p::millis::encode),
        });
        let span = prm.ty_span;
        let write_one = |value: TokenStream| match &codec {
            Some(c) => quote!(#p::write_with(w, #wire, #value, #c)?;),
            None => quote_spanned!(span=> w.param(#wire, #value)?;),
        };
        match &prm.shape {
            Shape::Single { required: true, .. } => write_one(quote!(&self.#field)),
            Shape::Single {
                required: false, ..
            } => {
                let w1 = write_one(quote!(v));
                quote!(if let ::core::option::Option::Some(v) = &self.#field { #w1 })
            }
            Shape::Repeated { .. } => quote!(for v in &self.#field { w.param(#wire, v)?; }),
            Shape::Indexed {
                prefix,
                padded,
                sparse,
                ..
            } => {
                let style = index_style(&p, *padded);
                let write = quote!(w.param(&#p::indexed_name(#prefix, #style, i), v)?;);
                if *sparse {
                    quote! {
                        for (i, v) in self.#field.iter().enumerate() {
                            if let ::core::option::Option::Some(v) = v { #write }
                        }
                    }
                } else {
                    quote!(for (i, v) in self.#field.iter().enumerate() { #write })
                }
            }
            Shape::List { inner } => quote! {
                if !self.#field.is_empty() {
                    #p::check_items(#wire, &self.#field[..])?;
                    #p::write_with(w, #wire, &self.#field[..], #p::comma_list::encode::<#inner>)?;
                }
            },
        }
    });

    let decls = params.iter().map(|prm| {
        let slot = format_ident!("f_{}", prm.ident);
        match &prm.shape {
            Shape::Single { inner, .. } => quote!(let mut #slot: ::core::option::Option<#inner> = ::core::option::Option::None;),
            Shape::Repeated { inner } | Shape::List { inner } => {
                quote!(let mut #slot: ::std::vec::Vec<#inner> = ::std::vec::Vec::new();)
            }
            Shape::Indexed { inner, .. } => quote!(let mut #slot: ::std::vec::Vec<(usize, #inner)> = ::std::vec::Vec::new();),
        }
    });
    let matches = params.iter().map(|prm| {
        let slot = format_ident!("f_{}", prm.ident);
        let wire = &prm.wire;
        let decode = match prm.unit {
            Some(Unit::Seconds) => quote!(#p::param_with(value, #p::seconds::decode, NAME, #wire)?),
            Some(Unit::Millis) => quote!(#p::param_with(value, #p::millis::decode, NAME, #wire)?),
            None => {
                let span = prm.ty_span;
                quote_spanned!(span=> #p::param(value, NAME, #wire)?)
            }
        };
        match &prm.shape {
            Shape::Single { .. } => quote! {
                if #p::eq_ic(name, #wire) {
                    if #slot.is_none() { #slot = ::core::option::Option::Some(#decode); }
                    continue;
                }
            },
            Shape::Repeated { .. } => quote! {
                if #p::eq_ic(name, #wire) { #slot.push(#decode); continue; }
            },
            Shape::List { inner } => quote! {
                if #p::eq_ic(name, #wire) {
                    #slot.extend(#p::param_with(value, #p::comma_list::decode::<#inner>, NAME, #wire)?);
                    continue;
                }
            },
            Shape::Indexed { prefix, padded, .. } => {
                let style = index_style(&p, *padded);
                quote! {
                    if let ::core::option::Option::Some(i) = #p::indexed(name, #prefix, #style) { #slot.push((i, #decode)); continue; }
                }
            }
        }
    });
    let builds = params.iter().map(|prm| {
        let field = prm.ident;
        let slot = format_ident!("f_{}", prm.ident);
        let wire = &prm.wire;
        match &prm.shape {
            Shape::Single { required: true, .. } => {
                quote!(#field: #p::required(#slot, NAME, #wire)?)
            }
            Shape::Single {
                required: false, ..
            }
            | Shape::Repeated { .. }
            | Shape::List { .. } => {
                quote!(#field: #slot)
            }
            Shape::Indexed { sparse: true, .. } => {
                quote!(#field: #p::sparse(#slot, msg.len(), NAME, #wire)?)
            }
            Shape::Indexed { .. } => quote!(#field: {
                #slot.sort_by_key(|(i, _)| *i);
                #slot.into_iter().map(|(_, v)| v).collect()
            }),
        }
    });

    quote! {
        impl #p::Action for #ident {
            const NAME: &'static str = #name;
            const FOLLOW_UP: ::core::option::Option<&'static str> = #follow_up;
            type Response<'a> = #response;

            #[allow(unused_variables)]
            fn write_params(&self, w: &mut #p::HeaderWriter<'_>) -> ::core::result::Result<(), #p::EncodeError> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }

            #[allow(unused_mut)]
            fn from_params(msg: &#p::Message) -> ::core::result::Result<Self, #p::DecodeError> {
                const NAME: &str = #name;
                #p::expect_action(msg, NAME)?;
                #(#decls)*
                for (name, value) in msg.iter() {
                    if #p::eq_ic(name, "Action") || #p::eq_ic(name, "ActionID") {
                        continue;
                    }
                    #(#matches)*
                    return ::core::result::Result::Err(#p::DecodeError::UnknownParam { target: NAME, header: name.to_owned() });
                }
                ::core::result::Result::Ok(#ident { #(#builds,)* })
            }
        }
    }
}
