//! `cargo xtask import [--spec DIR] [--version N] XML...`: merges Asterisk XML documentation
//! dumps (`asterisk -rx "xmldoc dump FILE"`, or the manager-only extracts) into the spec.
//!
//! What it writes: names of actions, params, events, fields and enum values; required flags;
//! `bool`/`enum` types where an `<enumlist>` gives the values; event privileges; snapshot blocks
//! as includes of the spec's fieldsets; documented event lists; `since`/`removed` versions (rule
//! in `merge.rs`). What it never writes: prose from the XML (new items are marked
//! `needs_synopsis = true`), and any change to what the spec already states — types, units,
//! list shapes, synopses, flags. It reports what it added and every disagreement instead.
//!
//! Each dump's Asterisk major version is the `--version N` given before it, else the first
//! number in its file name (`manager-20.xml` → 20). Dumps are merged oldest first.

pub mod dump;
mod fixups;
mod merge;
mod spec_files;

use std::path::{Path, PathBuf};

/// What an import did and found.
#[derive(Debug, Default)]
pub struct Report {
    /// Spec files created.
    pub created: Vec<String>,
    /// What was added or set.
    pub changes: Vec<String>,
    /// Where the spec and the XML differ; the spec is kept.
    pub disagreements: Vec<String>,
    /// Other remarks: placeholder values, folded duplicates, applied fixups.
    pub notes: Vec<String>,
}

/// Runs `cargo xtask import` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut spec = ami_spec::spec_dir();
    let mut version = None;
    let mut inputs: Vec<(PathBuf, u32)> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = PathBuf::from(args.next().ok_or("--spec needs a folder")?),
            "--version" => {
                let n = args.next().ok_or("--version needs a number")?;
                version = Some(
                    n.parse::<u32>()
                        .map_err(|_| format!("--version {n}: not a major version number"))?,
                );
            }
            path => {
                let path = PathBuf::from(path);
                let v = version
                    .take()
                    .or_else(|| dump::version_from_name(&path))
                    .ok_or_else(|| {
                        format!(
                            "{}: no Asterisk version in the file name; put `--version N` before it",
                            path.display()
                        )
                    })?;
                inputs.push((path, v));
            }
        }
    }
    if inputs.is_empty() {
        return Err(USAGE.to_string());
    }
    let report = import(&spec, &inputs)?;
    print!("{}", render(&report));
    Ok(())
}

const USAGE: &str = "usage: cargo xtask import [--spec DIR] [--version N] XML... (a `--version` applies to the file after it)";

/// Merges the dumps, oldest first, into the spec files of `spec`; writes the files that
/// changed and checks that the result still loads.
pub fn import(spec: &Path, inputs: &[(PathBuf, u32)]) -> Result<Report, String> {
    let mut dumps = Vec::new();
    for (path, version) in inputs {
        dumps.push(dump::read(path, *version)?);
    }
    dumps.sort_by_key(|d| d.version);
    let mut files = spec_files::SpecFiles::load(spec)?;
    let mut report = Report::default();
    for (i, d) in dumps.iter().enumerate() {
        report.notes.push(format!(
            "{} (Asterisk {}): {} actions, {} events",
            d.path,
            d.version,
            d.actions.len(),
            d.events.len()
        ));
        report
            .notes
            .extend(d.notes.iter().map(|n| format!("{}: {n}", d.path)));
        merge::merge(
            &mut files,
            d,
            i.checked_sub(1).map(|p| &dumps[p]),
            &mut report,
        );
    }
    let written = files.write()?;
    report.notes.push(if written.is_empty() {
        "no spec file changed".to_string()
    } else {
        format!("wrote {}", written.join(", "))
    });
    ami_spec::load_dir(spec)
        .map_err(|e| format!("{}\nthe imported spec has errors:\n{e}", render(&report)))?;
    Ok(report)
}

/// The report as text: changes, then disagreements, then notes.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut section = |title: &str, lines: &[String]| {
        if !lines.is_empty() {
            out.push_str(&format!("{title} ({}):\n", lines.len()));
            for l in lines {
                out.push_str(&format!("  {l}\n"));
            }
        }
    };
    section("created", &report.created);
    section("changed", &report.changes);
    section("disagreements (the spec is kept)", &report.disagreements);
    section("notes", &report.notes);
    out
}
