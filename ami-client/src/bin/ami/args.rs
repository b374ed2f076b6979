//! Flag parsing shared by the live commands: `--name value` pairs and connection settings.

use std::io::{BufRead, IsTerminal, Write};

use ami_client::{Config, Secret};

/// Flags as `(name, value)` pairs in order, plus positional arguments.
pub struct Flags {
    pub positional: Vec<String>,
    pub pairs: Vec<(String, String)>,
    pub switches: Vec<String>,
}

/// Flags that take no value.
const SWITCHES: [&str; 2] = ["--md5", "--secret-prompt"];

pub fn parse(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags {
        positional: Vec::new(),
        pairs: Vec::new(),
        switches: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if SWITCHES.contains(&arg.as_str()) {
            flags.switches.push(arg.clone());
        } else if let Some(name) = arg.strip_prefix("--") {
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            flags.pairs.push((name.to_owned(), value.clone()));
        } else {
            flags.positional.push(arg.clone());
        }
    }
    Ok(flags)
}

impl Flags {
    /// Removes and returns every value of a flag.
    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        let (taken, kept) = std::mem::take(&mut self.pairs)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.pairs = kept;
        taken.into_iter().map(|(_, v)| v).collect()
    }

    /// Removes and returns the last value of a flag.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.take_all(name).pop()
    }

    /// Connection settings from flags, then the environment, then local defaults.
    ///
    /// The secret comes from `--secret`, else `AMI_SECRET`, else — when stdin is a terminal —
    /// a prompt that does not echo what is typed. `--secret-prompt` always asks: on a terminal
    /// with echo off, otherwise it reads the first line of stdin (`pass show pbx | ami …`).
    /// Prefer the environment or the prompt: other users can see command lines in `ps`.
    pub fn connection(&mut self) -> Result<Config, String> {
        let env = |k: &str| std::env::var(k).ok();
        let host = self
            .take("host")
            .or_else(|| env("AMI_HOST"))
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = match self.take("port").or_else(|| env("AMI_PORT")) {
            Some(p) => p.parse().map_err(|_| format!("invalid port {p:?}"))?,
            None => 5038,
        };
        let user = self
            .take("username")
            .or_else(|| env("AMI_USERNAME"))
            .unwrap_or_else(|| "admin".into());
        let prompt = self.switches.iter().any(|s| s == "--secret-prompt");
        let secret = match self.take("secret").or_else(|| env("AMI_SECRET")) {
            Some(secret) if !prompt => secret,
            _ if prompt || std::io::stdin().is_terminal() => read_secret(&user)?,
            _ => String::new(),
        };
        let mut config = Config::new(host, port, user, Secret::new(secret));
        if self.switches.iter().any(|s| s == "--md5") {
            config = config.md5();
        }
        Ok(config)
    }
}

/// Reads the secret: on a terminal after a prompt (on stderr) with echo turned off, otherwise
/// the first line of stdin. The line terminator is not part of it.
fn read_secret(user: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("reading the secret: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let terminal = SecretInput::new()?;
    eprint!("AMI secret for {user}: ");
    let _ = std::io::stderr().flush();
    let typed = terminal.read_line();
    // The terminal is restored before anything else happens, Ctrl-C included.
    drop(terminal);
    eprintln!();
    match typed {
        Typed::Line(bytes) => {
            String::from_utf8(bytes).map_err(|_| "the secret is not valid UTF-8".to_owned())
        }
        Typed::Interrupted => std::process::exit(130),
        Typed::Failed(e) => Err(format!("reading the secret: {e}")),
    }
}

/// What was typed at the secret prompt.
enum Typed {
    Line(Vec<u8>),
    /// Ctrl-C.
    Interrupted,
    Failed(std::io::Error),
}

/// The terminal without echo, line editing or signal keys (so that Ctrl-C reaches us and the
/// settings can be restored), until dropped; the settings it found are put back.
struct SecretInput {
    saved: String,
}

impl SecretInput {
    fn new() -> Result<Self, String> {
        let unavailable = |e: String| {
            format!(
                "cannot turn off terminal echo to read the secret ({e}); set AMI_SECRET instead"
            )
        };
        let saved = stty(&["-g"]).map_err(unavailable)?;
        stty(&["-echo", "-icanon", "-isig", "min", "1", "time", "0"]).map_err(unavailable)?;
        Ok(SecretInput {
            saved: saved.trim().to_owned(),
        })
    }

    /// Reads keys up to Enter; Backspace erases, Ctrl-C interrupts, Ctrl-D ends the line.
    fn read_line(&self) -> Typed {
        use std::io::Read;
        let mut line = Vec::new();
        let mut stdin = std::io::stdin().lock();
        let mut key = [0u8; 1];
        loop {
            match stdin.read(&mut key) {
                Ok(0) => return Typed::Line(line),
                Ok(_) => match key[0] {
                    b'\r' | b'\n' | 0x04 => return Typed::Line(line),
                    0x03 => return Typed::Interrupted,
                    0x7f | 0x08 => {
                        line.pop();
                    }
                    b => line.push(b),
                },
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Typed::Failed(e),
            }
        }
    }
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        let _ = stty(&[self.saved.as_str()]);
    }
}

/// Runs `stty` on the terminal of stdin; its output.
#[cfg(unix)]
fn stty(args: &[&str]) -> Result<String, String> {
    use std::process::{Command, Stdio};
    let out = Command::new("stty")
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("stty: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("stty {} failed", args.join(" ")))
    }
}

#[cfg(not(unix))]
fn stty(_args: &[&str]) -> Result<String, String> {
    Err("no terminal control on this platform".into())
}
