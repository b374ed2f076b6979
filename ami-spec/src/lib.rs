//! The declarative spec of the Asterisk Manager Interface, loaded and checked.
//!
//! Every AMI action, event and enum the SDK knows is described once, in the TOML files of
//! `ami-spec/spec/` (their format is in `spec/README.md`). This crate loads them into the
//! [`Spec`] model that `cargo xtask codegen`, the docs and the tools consume, so that none of
//! them has to read TOML or re-check it. Loading reports every problem of every file at once,
//! each as `file:line:column: message`, so a spec author fixes them in one pass.
//!
//! ```no_run
//! let spec = ami_spec::load().unwrap_or_else(|errors| panic!("{errors}"));
//! println!("{} actions", spec.actions().count());
//! ```

#![deny(missing_docs)]

mod error;
pub mod model;
mod names;
mod parse;
mod raw;
mod source;
mod validate;

pub use error::{Error, ErrorKind, Errors};
pub use model::*;

use source::Source;
use std::path::{Path, PathBuf};

/// The folder holding this crate's spec files.
pub fn spec_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/spec"))
}

/// Loads and checks the spec files of [`spec_dir`].
pub fn load() -> Result<Spec, Errors> {
    load_dir(&spec_dir())
}

/// Loads and checks every `*.toml` file of `dir`, in file-name order.
pub fn load_dir(dir: &Path) -> Result<Spec, Errors> {
    let mut errors = Vec::new();
    let io_error = |path: &Path, e: std::io::Error| Error {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        context: String::new(),
        kind: ErrorKind::Io(e.to_string()),
    };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file())
            .collect(),
        Err(e) => return Err(Errors(vec![io_error(dir, e)])),
    };
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let mut sources = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push(Source::new(path, text)),
            Err(e) => errors.push(io_error(&path, e)),
        }
    }
    load_all(sources, errors)
}

/// Loads and checks in-memory spec files given as `(file name, contents)`, in file-name order.
pub fn load_sources(files: &[(&str, &str)]) -> Result<Spec, Errors> {
    let mut sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source::new(PathBuf::from(name), text.to_string()))
        .collect();
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    load_all(sources, Vec::new())
}

/// Parses and checks `sources`, adding to the read errors already found.
fn load_all(sources: Vec<Source>, mut errors: Vec<Error>) -> Result<Spec, Errors> {
    let order: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let mut complete = errors.is_empty();
    let mut broken = validate::Broken::new();
    let mut files = Vec::new();
    for source in sources {
        let parsed = parse::parse(&source, &mut errors);
        broken.extend(parsed.broken);
        match parsed.file {
            Some(raw) => files.push(validate::File { source, raw }),
            None => complete = false,
        }
    }
    let spec = validate::validate(&files, &broken, complete, &mut errors);
    if errors.is_empty() {
        return Ok(spec);
    }
    let rank = |file: &str| order.iter().position(|name| *name == file);
    errors.sort_by_key(|e| (rank(&e.file), e.line, e.column));
    Err(Errors(errors))
}
