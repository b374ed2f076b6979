//! `cargo xtask import` and `cargo xtask coverage` on temporary copies of the spec.
//!
//! The core tests use only the hand-made dump in `tests/fixtures/`; the last one also re-imports
//! Asterisk's real documentation when `../shared/asterisk-docs` is present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extra-action.xml")
}

/// A fresh copy of the committed spec files in a folder of its own.
fn spec_copy(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ami-xtask-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in read_dir(&ami_spec::spec_dir()) {
        std::fs::write(dir.join(name), text).expect("copy");
    }
    dir
}

/// The `*.toml` files of a folder: name → contents.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("spec dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// Runs `xtask <args>` and returns its standard output; panics when it fails.
fn xtask(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("xtask runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "xtask {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn import(dir: &Path, dump: &Path) -> String {
    xtask(&[
        "import",
        "--spec",
        dir.to_str().unwrap(),
        "--version",
        "20",
        dump.to_str().unwrap(),
    ])
}

#[test]
fn importing_a_dump_adds_exactly_its_new_items() {
    let dir = spec_copy("adds");
    let before = read_dir(&dir);
    let report = import(&dir, &fixture());
    let after = read_dir(&dir);

    // Only the file of the extended action changed, and one file was created.
    let changed: Vec<&String> = after
        .keys()
        .filter(|f| before.get(*f) != after.get(*f))
        .collect();
    assert_eq!(changed, ["app_beep.toml", "manager.toml"], "{report}");

    // manager.toml gained exactly Ping's new param, appended to the action, nothing else.
    let (old, new) = (&before["manager.toml"], &after["manager.toml"]);
    let added = "\n[[action.param]]\nname = \"Payload\"\ntype = \"string\"\n";
    assert_eq!(
        new.replace(added, ""),
        *old,
        "only Payload is added:\n{report}"
    );
    let ping = new.find("name = \"Ping\"\n").expect("Ping");
    let next = new[ping..]
        .find("\n[[action]]\n")
        .map_or(new.len(), |i| ping + i);
    assert!(
        new[ping..next].contains(added),
        "Payload is in Ping's entry"
    );

    // The new action: names, flags and types only, in a new module file, no XML prose.
    let beep = &after["app_beep.toml"];
    assert!(
        beep.starts_with("[module]\nname = \"app_beep\"\n"),
        "{beep}"
    );
    assert!(!beep.contains("Test"), "no text from the XML: {beep}");
    let spec = ami_spec::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (_, action) = spec
        .actions()
        .find(|(_, a)| a.name == "Beep")
        .expect("Beep");
    assert!(action.needs_synopsis && !action.privilege_known);
    let params: Vec<(&str, bool, String)> = action
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.required, format!("{:?}", p.ty)))
        .collect();
    assert_eq!(
        params,
        [
            ("Channel", true, "String".to_string()),
            ("Loud", false, "Bool".to_string()),
            ("Pitch", false, "String".to_string()), // `...` among its values: not an enum
            ("Tone", true, "Enum(\"BeepTone\")".to_string()),
            ("Step(0)", false, "String".to_string()),
        ]
    );
    assert!(action.params[4].indexed);
    let tone = spec.enum_def("BeepTone").expect("new enum");
    let wires: Vec<(&str, &str)> = tone
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.wire.as_str()))
        .collect();
    assert_eq!(wires, [("Sine", "Sine"), ("SquareWave", "Square wave")]);

    // Everything else is as before.
    let old_spec = ami_spec::load().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.actions().count(), old_spec.actions().count() + 1);
    assert_eq!(spec.events().count(), old_spec.events().count());
    assert!(
        report.contains("added action Beep (app_beep.toml)"),
        "{report}"
    );
    assert!(
        report.contains("action Ping, param Payload: added"),
        "{report}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn importing_twice_changes_nothing_the_second_time() {
    let dir = spec_copy("twice");
    import(&dir, &fixture());
    let once = read_dir(&dir);
    let report = import(&dir, &fixture());
    assert_eq!(read_dir(&dir), once, "{report}");
    assert!(report.contains("no spec file changed"), "{report}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn items_a_later_dump_lacks_are_marked_removed_in_its_release() {
    let dir = spec_copy("removed");
    let later = fixture().with_file_name("later-release.xml");
    let report = xtask(&[
        "import",
        "--spec",
        dir.to_str().unwrap(),
        "--version",
        "20",
        fixture().to_str().unwrap(),
        "--version",
        "21",
        later.to_str().unwrap(),
    ]);
    let spec = ami_spec::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let removed = |since: &ami_spec::model::Since| since.removed.as_deref().map(str::to_owned);
    let action = |name: &str| {
        spec.actions()
            .find(|(_, a)| a.name == name)
            .map(|(_, a)| a)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // Gone whole: the actions the later dump no longer documents.
    for name in ["Ping", "Getvar"] {
        assert_eq!(
            removed(&action(name).since).as_deref(),
            Some("21"),
            "{name}"
        );
    }
    // Gone in part: a param and a field; what is still documented stays unmarked.
    let beep = action("Beep");
    assert_eq!(removed(&beep.since), None);
    let params: Vec<(&str, Option<String>)> = beep
        .params
        .iter()
        .map(|p| (p.name.as_str(), removed(&p.since)))
        .collect();
    assert_eq!(
        params,
        [
            ("Channel", None),
            ("Loud", None),
            ("Pitch", Some("21".to_owned())),
            ("Tone", None),
            ("Step(0)", None),
        ]
    );
    let booted = spec.event("FullyBooted").expect("FullyBooted");
    assert_eq!(removed(&booted.since), None);
    let fields: Vec<(&str, Option<String>)> = booted
        .fields
        .iter()
        .map(|f| (f.name.as_str(), removed(&f.since)))
        .collect();
    assert_eq!(
        fields,
        [
            ("Status", None),
            ("Uptime", None),
            ("LastReload", Some("21".to_owned()))
        ]
    );
    for line in [
        "action Ping: removed = 21",
        "action Beep, param Pitch: removed = 21",
        "event FullyBooted, field LastReload: removed = 21",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn coverage_counts_and_names_what_is_missing() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["coverage", "--xmldoc", fixture().to_str().unwrap()])
        .current_dir(workspace())
        .output()
        .expect("xtask runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "Beep and Ping's Payload are missing");
    let last = text.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "coverage: actions 2/3 events 1/1 parameters 2/8 fields 3/3 enums 0/2"
    );
    assert!(text.contains("missing (1): Beep\n"), "{text}");
    assert!(text.contains("Ping.Payload"), "{text}");

    let dir = spec_copy("coverage");
    import(&dir, &fixture());
    let text = xtask(&[
        "coverage",
        "--spec",
        dir.to_str().unwrap(),
        "--xmldoc",
        fixture().to_str().unwrap(),
    ]);
    let last = text.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "coverage: actions 3/3 events 1/1 parameters 8/8 fields 3/3 enums 2/2"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The committed spec already holds everything of Asterisk 20, 22 and master: importing them
/// again changes nothing, and coverage is full. Needs `../shared/asterisk-docs` (never committed).
#[test]
fn committed_spec_is_fully_imported() {
    let docs = workspace().join("../shared/asterisk-docs");
    if !docs.join("manager-20.xml").exists() {
        eprintln!("skipped: {} is not here", docs.display());
        return;
    }
    let dir = spec_copy("real");
    let before = read_dir(&dir);
    let d = |f: &str| docs.join(f).to_string_lossy().into_owned();
    let spec = dir.to_string_lossy().into_owned();
    let report = xtask(&[
        "import",
        "--spec",
        &spec,
        &d("manager-20.xml"),
        &d("manager-22.xml"),
        "--version",
        "24",
        &d("manager-master.xml"),
    ]);
    assert_eq!(
        read_dir(&dir),
        before,
        "re-import changed the spec:\n{report}"
    );
    let text = xtask(&[
        "coverage",
        "--spec",
        &spec,
        "--xmldoc",
        &d("manager-20.xml"),
        "--xmldoc",
        &d("manager-22.xml"),
        "--xmldoc",
        &d("manager-master.xml"),
    ]);
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with("coverage: actions 169/169 events 185/185 "),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
