//! The live commands: `send`, `events` and `mock`.

use std::process::ExitCode;
use std::time::Duration;

use ami_client::mock::{MockConfig, MockPbx};
use ami_client::{Client, EventItem, RawReply};
use ami_types::dynamic::{ActionInfo, Dyn, ParamInfo};
use ami_types::generated::{action_info, event_info, ACTIONS};
use ami_types::{FromMessage, Message};
use serde_json::{json, Value};

use crate::args::{self, Flags};
use crate::suggest;

/// Which live command.
pub enum Command {
    Send,
    Events,
    Mock,
}

pub fn run(command: Command, args: &[String]) -> Result<ExitCode, String> {
    let flags = args::parse(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        match command {
            Command::Send => send(flags).await,
            Command::Events => events(flags).await,
            Command::Mock => mock(flags).await,
        }
    })
}

async fn send(mut flags: Flags) -> Result<ExitCode, String> {
    let config = flags.connection()?;
    let [name] = flags.positional.as_slice() else {
        return Err("send: expected exactly one action name, e.g. `ami send Ping`".into());
    };
    let info = action_info(name).ok_or_else(|| unknown_action(name))?;
    let headers = check_params(info, &flags.pairs)?;
    let client = Client::connect(config).await.map_err(|e| e.to_string())?;
    let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let reply = client.send_raw(pairs).await.map_err(|e| e.to_string())?;
    println!("{}", reply_json(info, &reply));
    let _ = client.logoff().await;
    Ok(ExitCode::SUCCESS)
}

/// Checks flags against the spec and returns the request headers (Action first).
fn check_params(
    info: &ActionInfo,
    pairs: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let mut headers = vec![("Action".to_owned(), info.name.to_owned())];
    for (flag, value) in pairs {
        let param = find_param(info, flag).ok_or_else(|| {
            let valid: Vec<&str> = info.params.iter().map(|p| p.name).collect();
            format!(
                "{}: unknown parameter --{flag}; valid: {}",
                info.name,
                if valid.is_empty() {
                    "(none)".to_owned()
                } else {
                    valid.join(", ")
                }
            )
        })?;
        if param.ty == "enum"
            && !param.values.is_empty()
            && !param.values.iter().any(|v| v.eq_ignore_ascii_case(value))
        {
            return Err(format!(
                "{}: invalid value {value:?} for --{}; choose one of: {}",
                info.name,
                param.name,
                param.values.join(", ")
            ));
        }
        headers.push((flag.clone(), value.clone()));
    }
    for p in info.params.iter().filter(|p| p.required) {
        if !pairs
            .iter()
            .any(|(f, _)| find_param(info, f).is_some_and(|q| q.name == p.name))
        {
            return Err(format!(
                "{}: missing required parameter --{}",
                info.name, p.name
            ));
        }
    }
    // Type-check every value by building the typed action.
    let msg = Message::from_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    (info.reencode)(&msg, "check", &mut Vec::new()).map_err(|e| e.to_string())?;
    Ok(headers)
}

fn find_param<'i>(info: &'i ActionInfo, flag: &str) -> Option<&'i ParamInfo> {
    info.params.iter().find(|p| {
        p.name.eq_ignore_ascii_case(flag)
            || (p.indexed && ami_types::indexed::index_of(flag, p.name).is_some())
    })
}

fn unknown_action(name: &str) -> String {
    let close = suggest::closest(name, ACTIONS.iter().map(|a| a.name));
    if close.is_empty() {
        format!("unknown action {name:?} (`ami list actions` lists them)")
    } else {
        format!(
            "unknown action {name:?}; did you mean {}?",
            close.join(", ")
        )
    }
}

fn dyn_json(decoded: Result<Dyn<'_>, ami_types::DecodeError>) -> Value {
    match decoded {
        Ok(d) => json!({
            "type": d.type_name,
            "fields": serde_json::to_value(&*d.value).unwrap_or(Value::Null),
            "unknown": d.unknown,
        }),
        Err(e) => json!({ "type": null, "error": e.to_string() }),
    }
}

fn event_json(msg: &Message) -> Value {
    let name = msg.event().unwrap_or_default();
    let mut value = match event_info(name) {
        Some(info) => dyn_json((info.decode)(msg)),
        None => json!({ "type": null, "fields": msg.iter().collect::<Vec<_>>() }),
    };
    value["name"] = json!(name);
    value
}

fn reply_json(info: &ActionInfo, reply: &RawReply) -> Value {
    let response = match (info.decode_response)(&reply.response) {
        Ok(d) => dyn_json(Ok(d)),
        Err(_) => dyn_json(ami_types::Ack::from_message(&reply.response).map(Dyn::new)),
    };
    json!({
        "action": info.name,
        "response": response,
        "events": reply.events.iter().map(event_json).collect::<Vec<_>>(),
    })
}

async fn events(mut flags: Flags) -> Result<ExitCode, String> {
    let config = flags.connection()?;
    let filters = flags.take_all("filter");
    let count = match flags.take("count") {
        Some(n) => Some(
            n.parse::<u64>()
                .map_err(|_| format!("invalid --count {n:?}"))?,
        ),
        None => None,
    };
    if let Some((flag, _)) = flags.pairs.first() {
        return Err(format!("events: unknown flag --{flag}"));
    }
    let client = Client::connect(config).await.map_err(|e| e.to_string())?;
    let mut stream = if filters.is_empty() {
        client.events()
    } else {
        client.events_named(filters.iter().map(String::as_str))
    };
    let mut seen = 0u64;
    while count.is_none_or(|n| seen < n) {
        match stream.next().await {
            Some(EventItem::Event(e)) => {
                println!("{}", event_json(e.message()));
                seen += 1;
            }
            Some(EventItem::Overflow { dropped }) => {
                eprintln!("ami events: fell behind, {dropped} events dropped");
            }
            None => break,
        }
    }
    let _ = client.logoff().await;
    Ok(ExitCode::SUCCESS)
}

async fn mock(mut flags: Flags) -> Result<ExitCode, String> {
    let port: u16 = match flags.take("port") {
        Some(p) => p.parse().map_err(|_| format!("invalid --port {p:?}"))?,
        None => 5038,
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let config = MockConfig::default();
    let users: Vec<String> = config.users.iter().map(|u| u.username.clone()).collect();
    let pbx = MockPbx::start_with(config, addr)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    eprintln!(
        "mock PBX listening on {} (users: {}; the default secret is amp111); Ctrl-C stops it",
        pbx.addr(),
        users.join(", ")
    );
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    pbx.shutdown().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked_against_the_spec() {
        let info = action_info("QueueAdd").unwrap();
        let err = check_params(info, &[("Bogus".into(), "1".into())]).unwrap_err();
        assert!(err.contains("unknown parameter --Bogus; valid: "), "{err}");
        let err = check_params(info, &[("Queue".into(), "q".into())]).unwrap_err();
        assert_eq!(err, "QueueAdd: missing required parameter --Interface");
        let ok = check_params(
            info,
            &[
                ("queue".into(), "q".into()),
                ("Interface".into(), "PJSIP/1".into()),
            ],
        );
        assert!(ok.is_ok(), "{ok:?}");
        let err = check_params(
            info,
            &[
                ("Queue".into(), "q".into()),
                ("Interface".into(), "x".into()),
                ("Penalty".into(), "high".into()),
            ],
        )
        .unwrap_err();
        assert!(err.contains("Penalty"), "{err}");
    }

    #[test]
    fn enum_values_are_checked_with_the_choices_listed() {
        let info = action_info("Bridge").unwrap();
        let err = check_params(
            info,
            &[
                ("Channel1".into(), "a".into()),
                ("Channel2".into(), "b".into()),
                ("Tone".into(), "loud".into()),
            ],
        )
        .unwrap_err();
        assert!(
            err.starts_with("Bridge: invalid value \"loud\" for --Tone; choose one of: "),
            "{err}"
        );
    }

    #[test]
    fn unknown_actions_get_a_suggestion() {
        assert_eq!(
            unknown_action("Pnig"),
            "unknown action \"Pnig\"; did you mean Ping?"
        );
        assert!(unknown_action("qeuestatus").contains("QueueStatus"));
    }
}
