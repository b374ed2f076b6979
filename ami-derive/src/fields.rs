//! Expansion of `Event`, `Response` and `Fields`: header-by-header decoding of a struct.
//!
//! Every such struct is a `FieldGroup` (so it can be flattened into another with a prefix) and a
//! `FromMessage`; events also get `EventType`, responses `FromReply`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields as SynFields, Ident, LitStr};

use crate::attr::{self, Unit};
use crate::ctxt::Ctxt;

/// Which derive is expanding.
#[derive(Clone, Copy, PartialEq)]
pub enum Role {
    Event,
    Response,
    Fields,
}

/// How one field is filled.
enum Kind<'a> {
    /// `T` or `Option<T>` from one header.
    Single {
        inner: &'a syn::Type,
        required: bool,
        unit: Option<Unit>,
        prefix_match: bool,
    },
    /// `Vec<T>` from every occurrence.
    Repeated {
        inner: &'a syn::Type,
        prefix_match: bool,
    },
    /// A field set, flattened with a prefix.
    Group {
        inner: &'a syn::Type,
        required: bool,
        prefix: String,
    },
    /// The `Unknown` keeper.
    Unknown,
}

struct FieldPlan<'a> {
    ident: &'a Ident,
    wire: String,
    kind: Kind<'a>,
}

/// Expands one derive.
pub fn expand(input: &DeriveInput, role: Role) -> syn::Result<TokenStream> {
    let mut cx = Ctxt::default();
    let container = attr::Container::from_attrs(&mut cx, &input.attrs);
    let derive = match role {
        Role::Event => "Event",
        Role::Response => "Response",
        Role::Fields => "Fields",
    };
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            SynFields::Named(named) => Some(&named.named),
            _ => None,
        },
        _ => None,
    };
    let Some(fields) = fields else {
        cx.error_spanned_by(
            &input.ident,
            format!("derive({derive}) needs a struct with named fields"),
        );
        cx.check()?;
        unreachable!("check fails when an error was recorded");
    };
    let lifetimes: Vec<_> = input.generics.lifetimes().collect();
    if lifetimes.len() != 1 || input.generics.params.len() != 1 {
        let span: &dyn quote::ToTokens = if input.generics.params.is_empty() {
            &input.ident
        } else {
            &input.generics
        };
        cx.error_spanned_by(
            span,
            format!(
                "derive({derive}) needs exactly one lifetime parameter and no other generics, \
                 e.g. `struct {}<'a>`: decoded fields borrow the message",
                input.ident
            ),
        );
    }
    if role == Role::Event && container.name.is_none() {
        cx.error_spanned_by(
            &input.ident,
            "derive(Event) needs `#[ami(name = \"EventName\")]`",
        );
    }
    if role != Role::Event && container.name.is_some() {
        cx.error_spanned_by(&input.ident, format!("derive({derive}) takes no `name`"));
    }
    if container.response.is_some() || container.follow_up.is_some() {
        cx.error_spanned_by(&input.ident, "`response` and `follow_up` belong on actions");
    }

    let mut plans = Vec::new();
    let mut seen_unknown = false;
    for field in fields {
        let ident = field.ident.as_ref().expect("named fields have idents");
        let fa = attr::Field::from_attrs(&mut cx, &field.attrs);
        if fa.unknown {
            if seen_unknown {
                cx.error_spanned_by(ident, "only one field may be `#[ami(unknown)]`");
            }
            seen_unknown = true;
        }
        if let Some(plan) = plan_field(&mut cx, ident, &field.ty, fa) {
            plans.push(plan);
        }
    }
    cx.check()?;

    let lifetime = &lifetimes[0].lifetime;
    Ok(generate(input, role, &container, &plans, lifetime))
}

fn plan_field<'a>(
    cx: &mut Ctxt,
    ident: &'a Ident,
    ty: &'a syn::Type,
    fa: attr::Field,
) -> Option<FieldPlan<'a>> {
    let wire = fa.wire_name(ident);
    if fa.indexed || fa.list {
        cx.error_spanned_by(ident, "`indexed` and `list` are for action parameters");
        return None;
    }
    if fa.prefix.is_some() && !fa.flatten {
        cx.error_spanned_by(ident, "`prefix` needs `flatten`");
    }
    let header_like = fa.header.is_some() || fa.repeated || fa.prefix_match || fa.unit.is_some();
    if fa.unknown && (header_like || fa.flatten) {
        cx.error_spanned_by(
            ident,
            "`unknown` takes no other attribute: it keeps every unlisted header",
        );
        return None;
    }
    if fa.flatten && header_like {
        cx.error_spanned_by(
            ident,
            "a `flatten` field set takes only `prefix`: its own fields name their headers",
        );
        return None;
    }
    if fa.repeated && fa.unit.is_some() {
        cx.error_spanned_by(
            ident,
            "`unit` applies to a single `Duration` field, not a `repeated` one",
        );
        return None;
    }
    let kind = if fa.unknown {
        Kind::Unknown
    } else if fa.flatten {
        let (inner, required) = match wrapped(ty, "Option") {
            Some(inner) => (inner, false),
            None => (ty, true),
        };
        let prefix = fa.prefix.as_ref().map(LitStr::value).unwrap_or_default();
        Kind::Group {
            inner,
            required,
            prefix,
        }
    } else if fa.repeated {
        match wrapped(ty, "Vec") {
            Some(inner) => Kind::Repeated {
                inner,
                prefix_match: fa.prefix_match,
            },
            None => {
                cx.error_spanned_by(ty, "a `repeated` field must be a `Vec<T>`");
                return None;
            }
        }
    } else {
        if wrapped(ty, "Vec").is_some() {
            cx.error_spanned_by(ty, "a `Vec` field needs `#[ami(repeated)]`");
            return None;
        }
        let (inner, required) = match wrapped(ty, "Option") {
            Some(inner) => (inner, false),
            None => (ty, true),
        };
        if fa.unit.is_none() && is_duration(inner) {
            cx.error_spanned_by(ty, "a `Duration` needs `unit = \"s\"` or `unit = \"ms\"`");
            return None;
        }
        Kind::Single {
            inner,
            required,
            unit: fa.unit,
            prefix_match: fa.prefix_match,
        }
    };
    Some(FieldPlan { ident, wire, kind })
}

/// The dispatch bucket of a wire name: its length and lowercased first byte.
fn bucket(wire: &str) -> (usize, u8) {
    (
        wire.len(),
        wire.as_bytes()
            .first()
            .map_or(0, |b| b.to_ascii_lowercase()),
    )
}

/// Whether a type is (a path ending in) `Duration`.
pub fn is_duration(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Duration"))
}

/// The `T` of `Wrapper<T>` when `ty` is that wrapper (matched on the last path segment).
pub fn wrapped<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

fn generate(
    input: &DeriveInput,
    role: Role,
    container: &attr::Container,
    plans: &[FieldPlan<'_>],
    lt: &syn::Lifetime,
) -> TokenStream {
    let p = quote!(::ami_types::__private);
    let ident = &input.ident;
    let vis = &input.vis;
    let partial = format_ident!("__AmiPartial{}", ident);
    let type_name = ident.to_string();
    let target = match &container.name {
        Some(n) => n.value(),
        None => type_name.clone(),
    };

    // The partial struct: one slot per field.
    let slots = plans.iter().filter_map(|f| {
        let slot = format_ident!("f_{}", f.ident);
        Some(match &f.kind {
            Kind::Single { inner, .. } => quote!(#slot: ::core::option::Option<#inner>),
            Kind::Repeated { inner, .. } => quote!(#slot: ::std::vec::Vec<#inner>),
            Kind::Group { inner, .. } => {
                quote!(#slot: <#inner as #p::FieldGroup<#lt>>::Partial)
            }
            Kind::Unknown => return None,
        })
    });

    // Exact-name dispatch, bucketed by length.
    let mut by_len: std::collections::BTreeMap<(usize, u8), Vec<TokenStream>> = Default::default();
    let mut prefixed = Vec::new();
    let mut groups = Vec::new();
    for f in plans {
        let slot = format_ident!("f_{}", f.ident);
        let wire = &f.wire;
        match &f.kind {
            Kind::Single {
                inner,
                unit,
                prefix_match,
                ..
            } => {
                let decode = match unit {
                    Some(Unit::Seconds) => {
                        quote!(#p::field_with(value, #p::seconds::decode, NAME, #wire)?)
                    }
                    Some(Unit::Millis) => {
                        quote!(#p::field_with(value, #p::millis::decode, NAME, #wire)?)
                    }
                    None => quote!(#p::field::<#inner>(value, NAME, #wire)?),
                };
                let arm = quote! {
                    if partial.#slot.is_none() {
                        partial.#slot = #decode;
                    }
                    partial.seen = true;
                    return ::core::result::Result::Ok(true);
                };
                if *prefix_match {
                    prefixed.push(quote!(if #p::strip_prefix_ic(name, #wire).is_some() { #arm }));
                } else {
                    by_len
                        .entry(bucket(wire))
                        .or_default()
                        .push(quote!(if #p::eq_ic(name, #wire) { #arm }));
                }
            }
            Kind::Repeated {
                inner,
                prefix_match,
            } => {
                let arm = quote! {
                    if let ::core::option::Option::Some(v) = #p::field::<#inner>(value, NAME, #wire)? {
                        partial.#slot.push(v);
                    }
                    partial.seen = true;
                    return ::core::result::Result::Ok(true);
                };
                if *prefix_match {
                    prefixed.push(quote!(if #p::strip_prefix_ic(name, #wire).is_some() { #arm }));
                } else {
                    by_len
                        .entry(bucket(wire))
                        .or_default()
                        .push(quote!(if #p::eq_ic(name, #wire) { #arm }));
                }
            }
            Kind::Group { inner, prefix, .. } => {
                let take = quote! {
                    if <#inner as #p::FieldGroup<#lt>>::take(&mut partial.#slot, rest, value)? {
                        partial.seen = true;
                        return ::core::result::Result::Ok(true);
                    }
                };
                groups.push(if prefix.is_empty() {
                    quote!({ let rest = name; #take })
                } else {
                    quote!(if let ::core::option::Option::Some(rest) = #p::strip_prefix_ic(name, #prefix) { #take })
                });
            }
            Kind::Unknown => {}
        }
    }
    let len_arms = by_len.iter().map(|(&(len, first), checks)| {
        let len = proc_macro2::Literal::usize_unsuffixed(len);
        let first = proc_macro2::Literal::byte_character(first);
        quote!((#len, #first) => { #(#checks)* })
    });

    let finish_fields = plans.iter().map(|f| {
        let field = f.ident;
        let slot = format_ident!("f_{}", f.ident);
        let wire = &f.wire;
        match &f.kind {
            Kind::Single { required: true, .. } => {
                quote!(#field: #p::required(partial.#slot.take(), NAME, #wire)?)
            }
            Kind::Single { required: false, .. } => quote!(#field: partial.#slot.take()),
            Kind::Repeated { .. } => quote!(#field: ::core::mem::take(&mut partial.#slot)),
            Kind::Group { inner, required: true, .. } => {
                quote!(#field: <#inner as #p::FieldGroup<#lt>>::finish(&mut partial.#slot)?)
            }
            Kind::Group { inner, required: false, .. } => quote! {
                #field: if <#inner as #p::FieldGroup<#lt>>::seen(&partial.#slot) {
                    ::core::option::Option::Some(<#inner as #p::FieldGroup<#lt>>::finish(&mut partial.#slot)?)
                } else {
                    ::core::option::Option::None
                }
            },
            Kind::Unknown => quote!(#field: unknown),
        }
    });

    let unknown_field = plans
        .iter()
        .find(|f| matches!(f.kind, Kind::Unknown))
        .map(|f| f.ident);
    let unknown_ref = match unknown_field {
        Some(u) => quote!(&self.#u),
        None => quote! {
            static NONE: #p::Unknown<'static> = #p::Unknown::new();
            &NONE
        },
    };
    // Events check their first header (`Event: Name`) and skip it.
    let (check_kind, skip, is_common) = match role {
        Role::Event => {
            let name = container
                .name
                .as_ref()
                .map(LitStr::value)
                .unwrap_or_default();
            (
                quote!(#p::expect_event(msg, #name)?;),
                1usize,
                quote!(#p::is_common_event_header(name)),
            )
        }
        Role::Response => (quote!(), 0, quote!(#p::is_common_response_header(name))),
        Role::Fields => (quote!(), 0, quote!(#p::is_common_event_header(name))),
    };
    let extra = match role {
        Role::Event => {
            let name = container
                .name
                .as_ref()
                .map(LitStr::value)
                .unwrap_or_default();
            quote! {
                impl<#lt> #p::EventType<#lt> for #ident<#lt> {
                    const NAME: &'static str = #name;
                }
            }
        }
        Role::Response => quote! {
            impl<#lt> #p::FromReply<#lt> for #ident<#lt> {
                fn from_reply(parts: #p::ReplyParts<#lt>) -> ::core::result::Result<Self, #p::DecodeError> {
                    <Self as #p::FromMessage<#lt>>::from_message(parts.response)
                }
            }
        },
        Role::Fields => quote!(),
    };
    let partial_doc = format!("Fields of [`{ident}`] collected while decoding.");

    quote! {
        #[doc = #partial_doc]
        #[doc(hidden)]
        #[derive(Default)]
        #[allow(non_camel_case_types, non_snake_case, clippy::type_complexity)]
        #vis struct #partial<#lt> {
            #(#slots,)*
            seen: bool,
            _borrow: ::core::marker::PhantomData<&#lt ()>,
        }

        impl<#lt> #p::FieldGroup<#lt> for #ident<#lt> {
            type Partial = #partial<#lt>;
            const NAME: &'static str = #target;

            #[inline]
            #[allow(unused_variables, clippy::needless_return)]
            fn take(
                partial: &mut Self::Partial,
                name: &str,
                value: &#lt str,
            ) -> ::core::result::Result<bool, #p::DecodeError> {
                const NAME: &str = #target;
                // Dispatch on (length, first letter) so that at most a few names are compared.
                match (name.len(), name.as_bytes().first().map_or(0, |b| b.to_ascii_lowercase())) {
                    #(#len_arms)*
                    _ => {}
                }
                #(#prefixed)*
                #(#groups)*
                ::core::result::Result::Ok(false)
            }

            fn seen(partial: &Self::Partial) -> bool {
                partial.seen
            }

            #[inline]
            fn finish(partial: &mut Self::Partial) -> ::core::result::Result<Self, #p::DecodeError> {
                Self::__ami_finish(partial, #p::Unknown::new())
            }
        }

        impl<#lt> #p::FromMessage<#lt> for #ident<#lt> {
            fn from_message(msg: &#lt #p::Message) -> ::core::result::Result<Self, #p::DecodeError> {
                #check_kind
                let mut partial = <#partial<#lt> as ::core::default::Default>::default();
                #[allow(unused_mut)]
                let mut unknown = #p::Unknown::new();
                for (name, value) in msg.iter().skip(#skip) {
                    if !<Self as #p::FieldGroup<#lt>>::take(&mut partial, name, value)? && !#is_common {
                        unknown.push(name, value);
                    }
                }
                Self::__ami_finish(&mut partial, unknown)
            }
        }

        impl<#lt> #ident<#lt> {
            /// Builds the value from the collected fields, checking required ones.
            #[inline]
            #[allow(unused_variables)]
            fn __ami_finish(
                partial: &mut #partial<#lt>,
                unknown: #p::Unknown<#lt>,
            ) -> ::core::result::Result<Self, #p::DecodeError> {
                const NAME: &str = #target;
                ::core::result::Result::Ok(#ident { #(#finish_fields,)* })
            }
        }

        impl<#lt> #p::Typed for #ident<#lt> {
            const TYPE_NAME: &'static str = #type_name;
            fn unknown_headers(&self) -> &#p::Unknown<'_> {
                #unknown_ref
            }
        }

        #extra
    }
}
