//! Derives that implement AMI wire encoding and decoding for action, event, response, field-set
//! and enum types.
//!
//! They are used by the code `cargo xtask codegen` writes into `ami-types`, and by anyone who
//! declares a custom action or event. Each expansion is small: it dispatches header names and
//! calls the shared helpers in `ami_types::__private`.
//!
//! ```
//! use ami_types::derive::{Action, Event};
//! use ami_types::{Ack, Unknown};
//!
//! /// A custom action from a third-party module.
//! #[derive(Debug, Action)]
//! #[ami(name = "MyModuleReload", response = "Ack<'a>")]
//! pub struct MyModuleReload {
//!     #[ami(header = "Module")]
//!     pub module: String,
//!     pub force: Option<bool>,
//! }
//!
//! /// The event it sends.
//! #[derive(Debug, Event)]
//! #[ami(name = "MyModuleReloaded")]
//! pub struct MyModuleReloaded<'a> {
//!     pub module: &'a str,
//!     pub took_ms: Option<u64>,
//!     #[ami(unknown)]
//!     pub unknown: Unknown<'a>,
//! }
//! ```
//!
//! Attributes, all inside `#[ami(...)]`:
//! - on the type: `name = "Wire"` (actions and events), `response = "Type<'a>"` and
//!   `follow_up = "Event"` (actions);
//! - on fields: `header = "Wire"` (default: the field name in UpperCamelCase), `repeated`,
//!   `indexed` (header written `Name(0)` on a `Vec<T>`, or `Name-000000` on a `Vec<T>` or a
//!   `Vec<Option<T>>` whose `None`s send nothing), `list` (comma-separated), `prefix_match`,
//!   `unit = "s" | "ms"` (for `Duration`), `flatten` with `prefix = "P"` (a field set),
//!   `unknown` (the `Unknown` that keeps unlisted headers);
//! - on enum variants: `wire = "..."`, `value = N`, `alias = "..."` (repeatable), `text = "..."`,
//!   and `other` on the one `Other(Box<str>)` variant.
#![deny(missing_docs)]

mod action;
mod attr;
mod ctxt;
mod enums;
mod fields;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `ami_types::Action`: parameter encoding and parsing.
#[proc_macro_derive(Action, attributes(ami))]
pub fn derive_action(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    action::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements decoding of an event: `FromMessage`, `EventType`, `FieldGroup`, `Typed`.
#[proc_macro_derive(Event, attributes(ami))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    fields::expand(&input, fields::Role::Event)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements decoding of a single-message response: `FromMessage`, `FromReply`, `Typed`.
#[proc_macro_derive(Response, attributes(ami))]
pub fn derive_response(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    fields::expand(&input, fields::Role::Response)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements decoding of a reusable field set that events flatten with a prefix.
#[proc_macro_derive(Fields, attributes(ami))]
pub fn derive_fields(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    fields::expand(&input, fields::Role::Fields)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `ami_types::AmiEnum` and the wire conversions of an open enumeration.
#[proc_macro_derive(AmiEnum, attributes(ami))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    enums::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
