//! `mod.rs`: the namespaces, the `Event` enum, and the lookup tables that tie the modules
//! together.

use std::collections::BTreeMap;

use ami_spec::{Action, Event, Field, Module, Response, Spec, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::modules_with;
use crate::codegen::facts::{self, md};
use crate::codegen::names::{ident, plain};
use crate::codegen::tables;

pub(super) fn mod_file(spec: &Spec) -> TokenStream {
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
