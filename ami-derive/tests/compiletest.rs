//! Compile-fail cases: every attribute mistake a user can make gives an error that points at
//! the offending item.
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p ami-derive --test compiletest`, then read the `.stderr`
//! files: each must name the mistake and point at the right span.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
