//! Fuzz target `encode`: see `ami-types/tests/fuzz_harness/mod.rs` for what it checks.
#![no_main]

#[path = "../../ami-types/tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::encode(data));
