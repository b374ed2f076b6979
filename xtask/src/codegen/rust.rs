//! The Rust generator: spec → one file per spec module in `ami-types/src/generated/`, the
//! `mod.rs` that ties them together (namespaces, the `Event` enum, lookup tables), and the
//! tests made from the spec's wire examples.

mod action_docs;
mod actions;
mod enums;
mod events;
mod examples;
mod mod_file;

use ami_spec::{Module, Spec};
use proc_macro2::TokenStream;
use quote::quote;

use super::facts::md;
use super::names::{ident, plain};
use super::reformat;
use super::tables;
use actions::{action, response};
use enums::enum_def;
use events::{event, fieldset};
use examples::examples_file;
use mod_file::mod_file;

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
