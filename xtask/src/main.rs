//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask codegen [--check]`: regenerates `ami-types/src/generated/` and the example
//!   tests from the spec; `--check` fails when the committed files are stale.
//! - `cargo xtask docs [--check]`: regenerates the Markdown reference in `docs/reference/`
//!   from the spec; `--check` fails when it is stale.
//! - `cargo xtask import [--spec DIR] [--version N] XML...`: merges Asterisk XML documentation
//!   dumps into the spec (see `import.rs`).
//! - `cargo xtask coverage [--spec DIR] [--xmldoc FILE]...`: compares the spec with dumps.

mod codegen;
mod coverage;
mod docs;
mod import;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().skip(1).any(|a| a == "--check");
            codegen::run(if check {
                codegen::Mode::Check
            } else {
                codegen::Mode::Write
            })
        }
        Some("docs") => {
            let check = args.iter().skip(1).any(|a| a == "--check");
            docs::run(if check {
                codegen::Mode::Check
            } else {
                codegen::Mode::Write
            })
        }
        Some("import") => import::run(&args[1..]),
        Some("coverage") => coverage::run(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask codegen [--check]
       cargo xtask docs [--check]
       cargo xtask import [--spec DIR] [--version N] XML...
       cargo xtask coverage [--spec DIR] [--xmldoc FILE]...";
