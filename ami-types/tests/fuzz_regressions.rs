//! Replays the fuzz regression corpus (`tests/fuzz-regressions/<target>/`) and seeds built from
//! the recorded captures (`fixtures/captures`) through the fuzz harnesses, on stable Rust and
//! without cargo-fuzz: every input the fuzzers found interesting (and every crash they ever
//! found, once fixed) stays a test.
//!
//! To seed a fuzzing run from the captures:
//! `AMI_FUZZ_SEEDS=fuzz/corpus cargo test -p ami-types --test fuzz_regressions -- --ignored`.

mod fuzz_harness;

use std::path::{Path, PathBuf};

use fuzz_harness::{seeds, TARGETS};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every capture file, by name.
fn captures() -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fixtures/captures");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("ami" | "sent")))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("readable capture"))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 20, "captures found in {}", dir.display());
    out
}

/// Runs `f` on `input`, naming the input if it panics.
fn replay(target: &str, what: &str, f: fuzz_harness::Harness, input: &[u8]) {
    if std::panic::catch_unwind(|| f(input)).is_err() {
        panic!("fuzz target {target} fails on {what}");
    }
}

#[test]
fn the_regression_corpus_replays() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut total = 0;
    for (target, f) in TARGETS {
        let dir = base.join(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no regression inputs for {target}");
        for file in &files {
            let input = std::fs::read(file).expect("readable input");
            replay(target, &file.display().to_string(), f, &input);
        }
        total += files.len();
    }
    assert!(total >= 100, "only {total} regression inputs");
}

#[test]
fn seeds_from_the_captures_replay() {
    let captures = captures();
    for (target, f) in TARGETS {
        let seeds = seeds(target, &captures);
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for (i, seed) in seeds.iter().enumerate() {
            replay(target, &format!("capture seed #{i}"), f, seed);
        }
    }
}

#[test]
fn structured_edge_cases_replay() {
    // Empty and tiny inputs for every target.
    for (target, f) in TARGETS {
        for input in [&b""[..], b"\0", b"\xff", b"\r", b"\n", b"\r\n\r\n", b":"] {
            replay(target, &format!("{input:?}"), f, input);
        }
    }
    // The encoder with every action in canonical mode, and with injection in every parameter.
    for index in 0..ami_types::generated::ACTIONS.len() as u16 {
        let mut canonical = index.to_le_bytes().to_vec();
        canonical.extend_from_slice(&[1, 1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        replay(
            "encode",
            &format!("canonical action #{index}"),
            fuzz_harness::encode,
            &canonical,
        );
        for param in 0..8u8 {
            // op 0x18: a parameter with an injected tail.
            let mut injected = index.to_le_bytes().to_vec();
            injected.extend_from_slice(&[
                0, 0x18, param, 0, 0, 5, b'v', b'a', b'l', b'u', b'e', param, 3,
            ]);
            replay(
                "encode",
                &format!("injection in action #{index}"),
                fuzz_harness::encode,
                &injected,
            );
        }
    }
    // Every event and every response shape, with a few known headers.
    for index in 0..ami_types::generated::EVENTS
        .len()
        .max(ami_types::generated::ACTIONS.len()) as u16
    {
        for selector in [0u8, 1, 3] {
            let mut input = vec![selector];
            input.extend_from_slice(&index.to_le_bytes());
            for k in 0..12u8 {
                input.extend_from_slice(&[k.wrapping_mul(8), k, 0, 1, b'1']);
            }
            replay(
                "decode",
                &format!("item #{index}"),
                fuzz_harness::decode,
                &input,
            );
        }
    }
}

/// Writes the capture seeds into `$AMI_FUZZ_SEEDS/<target>/` (for `cargo fuzz run`).
#[test]
#[ignore = "writes seed files; run by hand before fuzzing"]
fn write_seeds() {
    let Some(dir) = std::env::var_os("AMI_FUZZ_SEEDS") else {
        eprintln!("set AMI_FUZZ_SEEDS to the corpus directory (e.g. fuzz/corpus)");
        return;
    };
    let captures = captures();
    for (target, _) in TARGETS {
        let out = Path::new(&dir).join(target);
        std::fs::create_dir_all(&out).expect("corpus directory");
        for (i, seed) in seeds(target, &captures).iter().enumerate() {
            std::fs::write(out.join(format!("seed-{i:04}")), seed).expect("seed written");
        }
    }
}
