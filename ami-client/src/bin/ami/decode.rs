//! `ami decode`: decode captured bytes into typed JSON lines.

use std::io::{Read, Write};
use std::process::ExitCode;

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut sent_path = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--sent" => sent_path = Some(rest.next().ok_or("--sent needs a file")?),
            other => return Err(format!("decode: unexpected argument {other:?}")),
        }
    }
    let sent = match sent_path {
        Some(path) => std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
        None => Vec::new(),
    };
    let mut received = Vec::new();
    std::io::stdin()
        .read_to_end(&mut received)
        .map_err(|e| format!("reading stdin: {e}"))?;
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
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
