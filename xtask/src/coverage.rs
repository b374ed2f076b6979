//! `cargo xtask coverage [--spec DIR] [--xmldoc FILE]...`: how much of Asterisk's XML
//! documentation the spec covers, per kind, with the missing and the extra names.
//!
//! The dumps are read as the importer reads them (fixups applied, `ActionID` and the event
//! framing headers left out, placeholder values dropped), and their union is compared with the
//! spec: actions and events by name, parameters as (action, header) pairs, fields as (event,
//! header) pairs — a header counts when the event declares it, includes it through a fieldset,
//! or matches it by prefix — and enums as the (item, header) pairs documented with a value list,
//! covered when the spec types the header as an enum accepting every value (or as `bool` for a
//! yes/no list); lists with placeholder values are not counted, as the importer types them
//! `string`. Fails when anything documented is missing; the last line is always
//! `coverage: actions A/B events C/D parameters E/F fields G/H enums I/J`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ami_spec::{Event, Field, Spec, Type};

use crate::import::dump::{self, DocParam};

/// Runs `cargo xtask coverage` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut spec_dir = ami_spec::spec_dir();
    let mut files = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec_dir = PathBuf::from(args.next().ok_or("--spec needs a folder")?),
            "--xmldoc" => files.push(PathBuf::from(args.next().ok_or("--xmldoc needs a file")?)),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if files.is_empty() {
        return Err(USAGE.to_string());
    }
    let spec = ami_spec::load_dir(&spec_dir).map_err(|e| format!("the spec has errors:\n{e}"))?;
    let mut dumps = Vec::new();
    for file in &files {
        let version = dump::version_from_name(file).unwrap_or(0);
        dumps.push(dump::read(file, version)?);
    }
    let report = compare(&spec, &dumps);
    print!("{}", report.text);
    if report.full {
        Ok(())
    } else {
        Err("coverage is not full: see the missing names above".to_string())
    }
}

const USAGE: &str = "usage: cargo xtask coverage [--spec DIR] [--xmldoc FILE]...";

/// The comparison: the printed report and whether everything documented is covered.
pub struct Coverage {
    /// The report, ending with the `coverage:` line.
    pub text: String,
    /// Whether every count is full.
    pub full: bool,
}

/// One kind's tally.
#[derive(Default)]
struct Tally {
    documented: usize,
    covered: usize,
    missing: Vec<String>,
}

impl Tally {
    fn see(&mut self, covered: bool, name: impl FnOnce() -> String) {
        self.documented += 1;
        if covered {
            self.covered += 1;
        } else {
            self.missing.push(name());
        }
    }
}

/// Compares the spec with the union of the dumps.
pub fn compare(spec: &Spec, dumps: &[dump::Dump]) -> Coverage {
    // The union, by lowercased name: (wire name, params merged over the dumps).
    let mut actions: BTreeMap<String, (String, Vec<DocParam>)> = BTreeMap::new();
    let mut events: BTreeMap<String, (String, Vec<DocParam>)> = BTreeMap::new();
    for d in dumps {
        for a in &d.actions {
            let entry = actions
                .entry(a.name.to_ascii_lowercase())
                .or_insert_with(|| (a.name.clone(), Vec::new()));
            union(&mut entry.1, &a.params);
        }
        for e in &d.events {
            let entry = events
                .entry(e.name.to_ascii_lowercase())
                .or_insert_with(|| (e.name.clone(), Vec::new()));
            union(&mut entry.1, &e.params);
        }
    }
    let (mut a, mut e, mut p, mut f, mut n) = Default::default();
    let (a, e, p, f, n): (&mut Tally, &mut Tally, &mut Tally, &mut Tally, &mut Tally) =
        (&mut a, &mut e, &mut p, &mut f, &mut n);
    for (name, params) in actions.values() {
        let action = spec
            .actions()
            .map(|(_, x)| x)
            .find(|x| x.name.eq_ignore_ascii_case(name));
        a.see(action.is_some(), || name.clone());
        for doc in params {
            let param = action.and_then(|x| {
                x.params
                    .iter()
                    .find(|q| q.name.eq_ignore_ascii_case(&doc.name))
            });
            p.see(param.is_some(), || format!("{name}.{}", doc.name));
            if !doc.values.is_empty() && doc.placeholders.is_empty() {
                let ok = param.is_some_and(|q| accepts(spec, &q.ty, &doc.values));
                n.see(ok, || format!("{name}.{}", doc.name));
            }
        }
    }
    for (name, params) in events.values() {
        let event = spec.event(name).or_else(|| {
            spec.events()
                .map(|(_, x)| x)
                .find(|x| x.name.eq_ignore_ascii_case(name))
        });
        e.see(event.is_some(), || name.clone());
        for doc in params {
            let field = event.and_then(|x| covering_field(spec, x, &doc.name));
            f.see(field.is_some(), || format!("{name}.{}", doc.name));
            if !doc.values.is_empty() && doc.placeholders.is_empty() {
                let ok = field.is_some_and(|q| accepts(spec, &q.ty, &doc.values));
                n.see(ok, || format!("{name}.{}", doc.name));
            }
        }
    }
    let extra_actions: Vec<&str> = spec
        .actions()
        .map(|(_, x)| x.name.as_str())
        .filter(|x| !actions.contains_key(&x.to_ascii_lowercase()))
        .collect();
    let extra_events: Vec<&str> = spec
        .events()
        .map(|(_, x)| x.name.as_str())
        .filter(|x| !events.contains_key(&x.to_ascii_lowercase()))
        .collect();

    let mut text = String::new();
    for d in dumps {
        text.push_str(&format!(
            "{}: {} actions, {} events\n",
            d.path,
            d.actions.len(),
            d.events.len()
        ));
    }
    for (kind, t) in [
        ("actions", &*a),
        ("events", &*e),
        ("parameters", &*p),
        ("fields", &*f),
        ("enums", &*n),
    ] {
        text.push_str(&format!(
            "{kind}: {}/{} documented items covered\n",
            t.covered, t.documented
        ));
        if !t.missing.is_empty() {
            text.push_str(&format!(
                "  missing ({}): {}\n",
                t.missing.len(),
                t.missing.join(", ")
            ));
        }
    }
    if !extra_actions.is_empty() {
        text.push_str(&format!(
            "extra actions, not in these docs ({}): {}\n",
            extra_actions.len(),
            extra_actions.join(", ")
        ));
    }
    if !extra_events.is_empty() {
        text.push_str(&format!(
            "extra events, not in these docs ({}): {}\n",
            extra_events.len(),
            extra_events.join(", ")
        ));
    }
    text.push_str(&format!(
        "coverage: actions {}/{} events {}/{} parameters {}/{} fields {}/{} enums {}/{}\n",
        a.covered,
        a.documented,
        e.covered,
        e.documented,
        p.covered,
        p.documented,
        f.covered,
        f.documented,
        n.covered,
        n.documented
    ));
    let full = [&*a, &*e, &*p, &*f, &*n]
        .iter()
        .all(|t| t.missing.is_empty());
    Coverage { text, full }
}

fn union(into: &mut Vec<DocParam>, more: &[DocParam]) {
    for p in more {
        match into
            .iter_mut()
            .find(|q| q.name.eq_ignore_ascii_case(&p.name))
        {
            Some(q) => {
                for v in &p.values {
                    if !q.values.contains(v) {
                        q.values.push(v.clone());
                    }
                }
                q.placeholders.extend(p.placeholders.iter().cloned());
            }
            None => into.push(p.clone()),
        }
    }
}

/// The field of `event` that receives `header`: its own (also by case variant or prefix), or
/// one of an included fieldset with the include's prefix.
fn covering_field<'s>(spec: &'s Spec, event: &'s Event, header: &str) -> Option<&'s Field> {
    let matches = |f: &Field, prefix: &str| {
        let name = format!("{prefix}{}", f.name);
        name.eq_ignore_ascii_case(header)
            || f.case_variants
                .iter()
                .any(|v| format!("{prefix}{v}").eq_ignore_ascii_case(header))
            || (f.prefix_match
                && header.len() >= name.len()
                && header.is_char_boundary(name.len())
                && header[..name.len()].eq_ignore_ascii_case(&name))
    };
    if let Some(f) = event.fields.iter().find(|f| matches(f, "")) {
        return Some(f);
    }
    event.includes.iter().find_map(|inc| {
        let set = spec.fieldset(&inc.fieldset)?;
        set.fields.iter().find(|f| matches(f, &inc.prefix))
    })
}

/// Whether a spec type accepts every documented value.
fn accepts(spec: &Spec, ty: &Type, values: &[String]) -> bool {
    match ty {
        Type::Bool => values.iter().all(|v| {
            [
                "yes", "no", "true", "false", "on", "off", "1", "0", "y", "n", "t", "f",
            ]
            .contains(&v.to_ascii_lowercase().as_str())
        }),
        Type::Enum(name) => spec.enum_def(name).is_some_and(|e| {
            values.iter().all(|v| {
                e.variants.iter().any(|x| {
                    x.wire.eq_ignore_ascii_case(v)
                        || x.aliases.iter().any(|a| a.eq_ignore_ascii_case(v))
                        || x.text.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(v))
                        || x.value.is_some_and(|n| n.to_string() == *v)
                })
            })
        }),
        _ => false,
    }
}
