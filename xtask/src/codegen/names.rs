//! Rust identifiers for spec names: raw identifiers for keywords, `_` for the few that cannot be raw.

use proc_macro2::{Ident, Span};

/// An identifier, escaped when it is a keyword (`async` → `r#async`, `self` → `self_`).
pub fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        return Ident::new(name, Span::call_site());
    }
    match name {
        "self" | "Self" | "super" | "crate" | "_" => {
            Ident::new(&format!("{name}_"), Span::call_site())
        }
        _ => Ident::new_raw(name, Span::call_site()),
    }
}

/// The plain text of an identifier, without `r#`.
pub fn plain(name: &str) -> &str {
    name.trim_start_matches("r#")
}
