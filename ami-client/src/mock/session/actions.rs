//! The mock's replies to the actions it implements itself (login, events, originate, CLI
//! commands, core status…) and the spec's canned replies for the rest.

use std::io::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ami_types::Message;
use md5::{Digest, Md5};

use super::{is, Session};
use crate::mock::server::{command_key, Shared};
use crate::mock::spec::{self, Canned};
use crate::mock::wire::{self, header};
use crate::mock::{Script, MOCK_ASTERISK_VERSION};

/// Asterisk's `ast_true`.
fn ast_true(v: &str) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|t| is(v.trim(), t))
}

/// Asterisk's `ast_false`.
fn ast_false(v: &str) -> bool {
    ["no", "false", "n", "f", "0", "off"]
        .iter()
        .any(|t| is(v.trim(), t))
}

/// An event mask (`Events:` / `EventMask:`) as on/off; `None` when empty (invalid).
fn parse_mask(v: &str) -> Option<bool> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.bytes().any(|b| b != b'0'));
    }
    if ast_false(v) {
        return Some(false);
    }
    Some(true) // ast_true, or a class list
}

/// `"Name" <number>` into (number, name), `<unknown>` for what is missing.
fn split_caller_id(cid: Option<&str>) -> (String, String) {
    const UNKNOWN: &str = "<unknown>";
    let cid = cid.map(str::trim).unwrap_or("");
    let (name, num) = match (cid.rfind('<'), cid.rfind('>')) {
        (Some(l), Some(r)) if l < r => (cid[..l].trim(), cid[l + 1..r].trim()),
        _ if !cid.is_empty() && cid.bytes().all(|b| b.is_ascii_digit() || b == b'+') => ("", cid),
        _ => (cid, ""),
    };
    let name = name.trim_matches('"').trim();
    let or_unknown = |s: &str| {
        if s.is_empty() {
            UNKNOWN.to_owned()
        } else {
            s.to_owned()
        }
    };
    (or_unknown(num), or_unknown(name))
}

/// Lowercase hex MD5 of `challenge` then `secret`.
fn md5_key(challenge: &str, secret: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(challenge.as_bytes());
    md5.update(secret.as_bytes());
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// `(YYYY-MM-DD, HH:MM:SS)` in UTC for a Unix time.
fn date_time(secs: u64) -> (String, String) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

/// Output of the built-in CLI commands, by [`command_key`].
fn builtin_command(key: &str, shared: &Shared) -> Option<Vec<String>> {
    let uptime = shared.started.elapsed().as_secs();
    let lines = match key {
        "core show version" => vec![format!("Asterisk {MOCK_ASTERISK_VERSION}")],
        "core show uptime" => vec![
            format!("System uptime: {uptime} seconds"),
            format!("Last reload: {uptime} seconds"),
        ],
        "core show uptime seconds" => vec![
            format!("System uptime: {uptime}"),
            format!("Last reload: {uptime}"),
        ],
        "core show channels" => vec![
            format!(
                "{:<64} {:<32} {:<7} {:<30}",
                "Channel", "Location", "State", "Application(Data)"
            ),
            "0 active channels".into(),
            "0 active calls".into(),
            "0 calls processed".into(),
        ],
        _ => return None,
    };
    Some(lines)
}

impl Session {
    /// Writes the reply to one action (and updates the session) into `out`.
    pub(super) async fn respond(&mut self, msg: &Message, action: Option<&str>, id: Option<&str>) {
        let Some(action) = action else {
            return self.error(id, "Missing action in request");
        };
        let pre_auth = is(action, "Login") || is(action, "Challenge") || is(action, "Logoff");
        if !self.authed && !pre_auth {
            return self.error(id, "Permission denied");
        }
        if let Some(script) = self.shared.script_for(action) {
            return self.scripted(&script, msg, action, id);
        }
        if is(action, "Ping") {
            if self.ignore_pings {
                return;
            }
            let now = unix_now();
            self.response("Success", id);
            self.h("Ping", "Pong");
            let _ = write!(
                self.out,
                "Timestamp: {}.{:06}\r\n",
                now.as_secs(),
                now.subsec_micros()
            );
            return self.end();
        }
        if is(action, "Login") {
            return self.login(msg, id).await;
        }
        if is(action, "Challenge") {
            return self.challenge(msg, id);
        }
        if is(action, "Logoff") {
            self.response("Goodbye", id);
            self.h("Message", "Thanks for all the fish.");
            self.end();
            self.closing = true;
            return;
        }
        if is(action, "Events") {
            return self.events(msg, id);
        }
        if is(action, "Filter") {
            return self.filter(msg, id);
        }
        if is(action, "Originate") {
            return self.originate(msg, id);
        }
        if is(action, "Command") {
            return self.cli(msg, id);
        }
        if is(action, "CoreSettings") {
            return self.core_settings(id);
        }
        if is(action, "CoreStatus") {
            return self.core_status(id);
        }
        if is(action, "Getvar") {
            return self.getvar(msg, id);
        }
        if is(action, "ListCommands") {
            self.response("Success", id);
            for info in ami_types::generated::ACTIONS {
                header(&mut self.out, info.name, info.synopsis);
            }
            return self.end();
        }
        self.spec_reply(action, id);
    }

    fn scripted(&mut self, script: &Script, msg: &Message, action: &str, id: Option<&str>) {
        match script {
            Script::Reply(msgs) => {
                for m in msgs {
                    wire::headers_with_id(&mut self.out, m, id, &[]);
                    self.end();
                }
                // A replayed list (ack with `EventList: start`) counts as one for faults.
                self.is_list =
                    msgs.len() >= 2 && msgs[0].get("EventList").is_some_and(|v| is(v, "start"));
                let success = msgs
                    .first()
                    .and_then(Message::response)
                    .is_some_and(|r| is(r, "Success"));
                if is(action, "Login") && success && !self.authed {
                    self.authenticate(msg);
                }
            }
            Script::List { items, complete } => {
                let ack = match spec::lookup(action).map(|e| &e.canned) {
                    Some(Canned::List { ack_message, .. }) => ack_message.as_str(),
                    _ => "Events will follow",
                };
                self.list(id, ack, items, complete);
            }
            Script::NoReply => {}
            Script::Close => self.closing = true,
        }
    }

    /// Marks the session logged in, with the event mask from Login's `Events:` header.
    fn authenticate(&mut self, msg: &Message) {
        self.authed = true;
        self.events_on = msg.get("Events").and_then(parse_mask).unwrap_or(true);
        self.update_flags();
    }

    async fn login(&mut self, msg: &Message, id: Option<&str>) {
        if self.authed {
            return self.ack(id, "Already authenticated");
        }
        let username = msg.get("Username").unwrap_or("");
        let ok = self
            .shared
            .user(username)
            .is_some_and(|user| match msg.get("AuthType") {
                Some(t) if is(t, "MD5") => match (&self.challenge, msg.get("Key")) {
                    (Some(challenge), Some(key)) => md5_key(challenge, &user.secret) == key,
                    _ => false,
                },
                Some(t) if !t.is_empty() && !is(t, "plain") => false,
                _ => msg.get("Secret").unwrap_or("") == user.secret,
            });
        if !ok {
            tokio::time::sleep(self.shared.config.auth_fail_delay).await;
            self.error(id, "Authentication failed");
            self.closing = true;
            return;
        }
        self.authenticate(msg);
        self.ack(id, "Authentication accepted");
        if self.shared.config.fully_booted && self.events_on {
            let uptime = self.shared.started.elapsed().as_secs().to_string();
            self.h("Event", "FullyBooted");
            self.h("Privilege", "system,all");
            self.h("Uptime", &uptime);
            self.h("LastReload", &uptime);
            self.h("Status", "Fully Booted");
            self.end();
        }
    }

    fn challenge(&mut self, msg: &Message, id: Option<&str>) {
        if !msg.get("AuthType").is_some_and(|t| is(t, "MD5")) {
            return self.error(id, "Must specify AuthType");
        }
        // Like Asterisk, one challenge per session.
        let challenge = self
            .challenge
            .get_or_insert_with(|| fastrand::u32(1..=i32::MAX as u32).to_string())
            .clone();
        self.response("Success", id);
        self.h("Challenge", &challenge);
        self.end();
    }

    fn events(&mut self, msg: &Message, id: Option<&str>) {
        let Some(on) = msg.get("EventMask").and_then(parse_mask) else {
            return self.error(id, "Invalid event mask");
        };
        self.events_on = on;
        self.update_flags();
        self.response("Success", id);
        self.h("Events", if on { "On" } else { "Off" });
        self.end();
    }

    fn filter(&mut self, msg: &Message, id: Option<&str>) {
        if !msg
            .get("Operation")
            .is_none_or(|op| op.is_empty() || is(op, "Add"))
        {
            return self.error(id, "Unknown operation");
        }
        self.filters
            .push(msg.get("Filter").unwrap_or("").to_owned());
        self.ack(id, "Filter Added Successfully");
    }

    fn originate(&mut self, msg: &Message, id: Option<&str>) {
        let Some(channel) = msg.get("Channel").filter(|c| !c.is_empty()) else {
            return self.error(id, "Channel not specified");
        };
        self.ack(id, "Originate successfully queued");
        if !msg.get("Async").is_some_and(ast_true) {
            return;
        }
        let (num, name) = split_caller_id(msg.get("CallerID"));
        let mut ev = Vec::with_capacity(256);
        header(&mut ev, "Event", "OriginateResponse");
        header(&mut ev, "Privilege", "call,all");
        if let Some(id) = id {
            header(&mut ev, "ActionID", id);
        }
        header(&mut ev, "Response", "Success");
        header(&mut ev, "Channel", channel);
        match msg.get("Application") {
            Some(app) if !app.is_empty() => {
                header(&mut ev, "Application", app);
                header(&mut ev, "Data", msg.get("Data").unwrap_or(""));
            }
            _ => {
                header(&mut ev, "Context", msg.get("Context").unwrap_or(""));
                header(&mut ev, "Exten", msg.get("Exten").unwrap_or(""));
            }
        }
        header(&mut ev, "Reason", "4");
        header(&mut ev, "Uniqueid", &self.shared.uniqueid());
        header(&mut ev, "CallerIDNum", &num);
        header(&mut ev, "CallerIDName", &name);
        ev.extend_from_slice(b"\r\n");
        self.later(self.shared.config.originate_delay, ev.into());
    }

    fn cli(&mut self, msg: &Message, id: Option<&str>) {
        let command = msg.get("Command").unwrap_or("").trim();
        if command.is_empty() {
            return self.error(id, "No command provided");
        }
        let key = command_key(command);
        let output: Option<Vec<String>> = match self.shared.command_output(&key) {
            Some(lines) => Some(lines.to_vec()),
            None => builtin_command(&key, &self.shared),
        };
        match output {
            Some(lines) => {
                self.response("Success", id);
                self.h("Message", "Command output follows");
                for line in &lines {
                    header(&mut self.out, "Output", line);
                }
            }
            None => {
                self.response("Error", id);
                self.h("Message", "Command output follows");
                let line = format!(
                    "No such command '{command}' (type 'core show help {command}' for other possible commands)"
                );
                self.h("Output", &line);
            }
        }
        self.end();
    }

    fn core_settings(&mut self, id: Option<&str>) {
        let version = self.shared.config.version.clone();
        self.response("Success", id);
        self.h("AMIversion", &version);
        self.h("AsteriskVersion", MOCK_ASTERISK_VERSION);
        self.h("SystemName", "");
        self.h("CoreMaxCalls", "0");
        self.h("CoreMaxLoadAvg", "0.000000");
        self.h("CoreRunUser", "");
        self.h("CoreRunGroup", "");
        self.h("CoreMaxFilehandles", "0");
        self.h("CoreRealTimeEnabled", "No");
        self.h("CoreCDRenabled", "No");
        self.h("CoreHTTPenabled", "No");
        self.h("SoundsSearchCustomDir", "No");
        self.end();
    }

    fn core_status(&mut self, id: Option<&str>) {
        let (date, time) = date_time(self.shared.started_unix);
        self.response("Success", id);
        self.h("CoreStartupDate", &date);
        self.h("CoreStartupTime", &time);
        self.h("CoreReloadDate", &date);
        self.h("CoreReloadTime", &time);
        self.h("CoreCurrentCalls", "0");
        self.h("CoreProcessedCalls", "0");
        self.end();
    }

    fn getvar(&mut self, msg: &Message, id: Option<&str>) {
        let Some(variable) = msg.get("Variable").filter(|v| !v.is_empty()) else {
            return self.error(id, "No variable specified");
        };
        self.response("Success", id);
        self.h("Variable", variable);
        self.h("Value", "");
        self.end();
    }

    /// Replies from the spec tables, or the unknown-command error.
    fn spec_reply(&mut self, action: &str, id: Option<&str>) {
        let Some(entry) = spec::lookup(action) else {
            let message = format!(
                "Invalid/unknown command: {action}. Use Action: ListCommands to show available commands."
            );
            return self.error(id, &message);
        };
        match &entry.canned {
            Canned::List {
                ack_message,
                items,
                complete,
            } => self.list(id, ack_message, items, complete),
            Canned::Single { response, events } => {
                wire::headers_with_id(&mut self.out, response, id, &[]);
                self.end();
                for event in events {
                    let mut ev = Vec::with_capacity(event.as_bytes().len() + 64);
                    wire::headers_replacing_id(&mut ev, event, id);
                    ev.extend_from_slice(b"\r\n");
                    self.later(Duration::ZERO, ev.into());
                }
            }
            Canned::Accepted => {
                let message = format!("{} accepted by the mock", entry.info.name);
                self.ack(id, &message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        for on in ["on", "YES", "true", "1", "call,agent", "system", "65535"] {
            assert_eq!(parse_mask(on), Some(true), "{on}");
        }
        for off in ["off", "No", "false", "0", "000"] {
            assert_eq!(parse_mask(off), Some(false), "{off}");
        }
        assert_eq!(parse_mask(" "), None);
    }

    #[test]
    fn caller_ids() {
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            split_caller_id(Some("\"Capture Test\" <5551234>")),
            s("5551234", "Capture Test")
        );
        assert_eq!(split_caller_id(Some("5551234")), s("5551234", "<unknown>"));
        assert_eq!(split_caller_id(Some("Bob")), s("<unknown>", "Bob"));
        assert_eq!(split_caller_id(None), s("<unknown>", "<unknown>"));
        assert_eq!(split_caller_id(Some("<>")), s("<unknown>", "<unknown>"));
    }

    #[test]
    fn dates() {
        assert_eq!(date_time(0), ("1970-01-01".into(), "00:00:00".into()));
        assert_eq!(
            date_time(1_795_661_517),
            ("2026-11-26".into(), "02:51:57".into())
        );
        assert_eq!(
            date_time(951_782_400),
            ("2000-02-29".into(), "00:00:00".into())
        );
    }

    #[test]
    fn md5_matches_capture() {
        // challenge_md5_login capture: Challenge 167315776, secret amp111.
        assert_eq!(
            md5_key("167315776", "amp111"),
            "8f0501aff02616adeadcb89b81fff499"
        );
    }
}
