//! The tests made from the spec's wire examples.

use ami_spec::{Action, Spec};
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::codegen::names::{ident, plain};

pub(super) fn examples_file(spec: &Spec) -> TokenStream {
    let mut actions: Vec<&Action> = spec.actions().map(|(_, a)| a).collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    let tests = actions.iter().flat_map(|a| {
        a.examples.iter().enumerate().map(move |(i, ex)| {
            let test = format_ident!("{}_example_{}", plain(&a.rust).to_snake_case(), i + 1);
            let t = ident(&a.rust);
            let title = &ex.title;
            let request = &ex.request;
            let response = &ex.response;
            quote! {
                #[doc = #title]
                #[test]
                fn #test() {
                    support::check_example::<action::#t>(#request, #response);
                }
            }
        })
    });
    quote! {
        //! One test per wire example of the spec: the request re-encodes to the same headers, and
        //! every response message and event decodes into its typed form with no unknown header.

        mod support;

        use ami_types::action;

        #(#tests)*
    }
}
