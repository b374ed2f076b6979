//! `ami`: the command-line face of the AMI SDK.
//!
//! - `ami decode [--sent REQUESTS_FILE] < RECEIVED_BYTES` — decode a captured conversation,
//!   one JSON object per received message.
//! - `ami send <Action> [--<Param> <value>]...` — send any action of the spec, parameters
//!   checked against it, and print the typed reply as JSON.
//! - `ami events [--filter <EventName>]... [--count N]` — print events as JSON lines.
//! - `ami mock [--port P]` — run the embedded mock PBX.
//! - `ami describe <Name>...` — the reference of an action, event, field set or enum;
//!   `ami list [actions|events|fieldsets|enums]` — every name the spec knows.
//!
//! Live commands connect with `--host`, `--port`, `--username`, `--secret`, or the
//! `AMI_HOST`, `AMI_PORT`, `AMI_USERNAME`, `AMI_SECRET` environment variables.

mod args;
mod decode;
mod describe;
mod live;
mod suggest;
mod text;

use std::process::ExitCode;

const USAGE: &str = "\
usage:
  ami decode [--sent REQUESTS_FILE] < RECEIVED_BYTES
  ami send <Action> [--<Param> <value>]... [connection flags]
  ami events [--filter <EventName>]... [--count N] [connection flags]
  ami mock [--port P]
  ami describe <Action|Event|FieldSet|Enum>...
  ami list [actions|events|fieldsets|enums]

connection flags (or AMI_HOST, AMI_PORT, AMI_USERNAME, AMI_SECRET):
  --host HOST  --port PORT  --username USER  --secret SECRET  --md5
  --secret-prompt   read the secret from the terminal without echo (the default when no
                    secret is given and stdin is a terminal)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("decode") => decode::run(&args[1..]),
        Some("send") => live::run(live::Command::Send, &args[1..]),
        Some("events") => live::run(live::Command::Events, &args[1..]),
        Some("mock") => live::run(live::Command::Mock, &args[1..]),
        Some("describe") => describe::describe(&args[1..]),
        Some("list") => describe::list(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(format!("expected a command\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ami: {message}");
            ExitCode::from(2)
        }
    }
}
