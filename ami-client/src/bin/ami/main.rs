//! `ami`: the command-line face of the AMI SDK.
//!
//! `ami decode [--sent REQUESTS_FILE] < RECEIVED_BYTES` prints, for each message received, one
//! JSON object: its kind, name, ActionID, the action it answers, the Rust type it decoded into,
//! the typed fields, unknown headers and any decode error.

use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: ami decode [--sent REQUESTS_FILE] < RECEIVED_BYTES";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("decode") => match decode(&args[1..]) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("ami decode: {message}");
                ExitCode::from(2)
            }
        },
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn decode(args: &[String]) -> Result<ExitCode, String> {
    let mut sent_path = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--sent" => sent_path = Some(rest.next().ok_or("--sent needs a file")?),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let sent = match sent_path {
        Some(path) => std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
        None => Vec::new(),
    };
    let mut received = Vec::new();
    std::io::stdin().read_to_end(&mut received).map_err(|e| format!("reading stdin: {e}"))?;
    let sent = ami_client::inspect::sent_actions(&sent);
    let (reports, errors) = ami_client::inspect::inspect(&received, &sent);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for report in &reports {
        let line = serde_json::to_string(report).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    for e in &errors {
        eprintln!("ami decode: {e}");
    }
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
