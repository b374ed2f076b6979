//! Flag parsing shared by the live commands: `--name value` pairs and connection settings.

use ami_client::{Config, Secret};

/// Flags as `(name, value)` pairs in order, plus positional arguments.
pub struct Flags {
    pub positional: Vec<String>,
    pub pairs: Vec<(String, String)>,
    pub switches: Vec<String>,
}

/// Flags that take no value.
const SWITCHES: [&str; 1] = ["--md5"];

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
        let secret = self
            .take("secret")
            .or_else(|| env("AMI_SECRET"))
            .unwrap_or_default();
        let mut config = Config::new(host, port, user, Secret::new(secret));
        if self.switches.iter().any(|s| s == "--md5") {
            config = config.md5();
        }
        Ok(config)
    }
}
