//! Actions: owned builder structs (their rustdoc is built in `action_docs`) and their response
//! types.

use ami_spec::{Action, Param, Response, Spec, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::action_docs::{action_doc, param_doc};
use super::events::{field_tokens, scalar_type, unit_attr, unknown_field};
use super::{alias, doc_lines};
use crate::codegen::names::{ident, plain};

/// The owned Rust type of a parameter (without Option/Vec).
fn param_type(ty: &Type) -> TokenStream {
    scalar_type(ty).unwrap_or_else(|| match ty {
        Type::Variable => quote!(crate::Variable),
        Type::ChannelPattern => quote!(crate::ChannelPattern),
        _ => quote!(String),
    })
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
