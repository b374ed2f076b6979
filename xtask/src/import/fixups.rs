//! Known bugs of Asterisk's XML documentation, each corrected by one named function.
//!
//! Every fixup looks for the item it corrects. When the item is not in a dump (a small dump, an
//! older Asterisk) the fixup does nothing; when the item is there but the bug is gone, the
//! import fails naming the fixup, so that a fixed upstream doc never stays silently patched:
//! delete the fixup then. (The habit of k8s-openapi's `fixups/upstream_bugs.rs`.)

use super::dump::{DocEvent, Dump};

/// What a fixup found.
enum Outcome {
    /// It corrected the dump.
    Applied,
    /// The item it corrects is not in this dump.
    NotPresent,
    /// The item is there but no longer has the bug: the fixup must go.
    Stale(String),
}

/// A named correction.
struct Fixup {
    name: &'static str,
    apply: fn(&mut Dump) -> Outcome,
}

const FIXUPS: &[Fixup] = &[
    Fixup {
        name: "talking_events_class",
        apply: talking_events_class,
    },
    Fixup {
        name: "aoc_json_leaf_names",
        apply: aoc_json_leaf_names,
    },
    Fixup {
        name: "pjsip_hangup_cause_placeholders",
        apply: pjsip_hangup_cause_placeholders,
    },
    Fixup {
        name: "user_event_placeholder_headers",
        apply: user_event_placeholder_headers,
    },
    Fixup {
        name: "update_config_options_values",
        apply: update_config_options_values,
    },
];

/// Enumlist entries that describe a value instead of being one, beyond what the general rule of
/// [`super::dump::is_placeholder`] catches. Checked by [`pjsip_hangup_cause_placeholders`].
pub const PLACEHOLDER_VALUES: &[&str] = &["Response code", "Response code name"];

/// Applies every fixup to `dump`; fails naming each stale one.
pub fn apply(dump: &mut Dump) -> Result<(), String> {
    let mut stale = Vec::new();
    for fixup in FIXUPS {
        match (fixup.apply)(dump) {
            Outcome::Applied => dump.notes.push(format!("fixup {} applied", fixup.name)),
            Outcome::NotPresent => {}
            Outcome::Stale(why) => {
                stale.push(format!("  fixup {} no longer applies: {why}", fixup.name))
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: Asterisk fixed documentation bugs that xtask/src/import/fixups.rs corrects; remove these fixups:\n{}",
            dump.path,
            stale.join("\n")
        ))
    }
}

fn event_mut<'a>(dump: &'a mut Dump, name: &str) -> Option<&'a mut DocEvent> {
    dump.events.iter_mut().find(|e| e.name == name)
}

/// ChannelTalkingStart and ChannelTalkingStop are documented with `class="EVENT_FLAG_CLASS"`, a
/// flag that does not exist; main/stasis_channels.c raises them with EVENT_FLAG_CALL.
fn talking_events_class(dump: &mut Dump) -> Outcome {
    let mut outcome = Outcome::NotPresent;
    for name in ["ChannelTalkingStart", "ChannelTalkingStop"] {
        let Some(event) = event_mut(dump, name) else {
            continue;
        };
        if event.class.as_deref() != Some("class") {
            return Outcome::Stale(format!(
                "{name} is now documented with class {:?}",
                event.class
            ));
        }
        event.class = Some("call".into());
        outcome = Outcome::Applied;
    }
    outcome
}

/// The AOC-S/D/E events are built from a JSON object that main/manager.c flattens into
/// slash-separated header names (`Charge/Currency/Cost`, arrays as `Units(0)`), but their docs
/// list the bare JSON keys (`Cost`), containers included (`Charge`). AOC-D and AOC-E keys are
/// mapped to the headers really sent; the containers are dropped. AOC-S's keys describe a list of
/// rate entries whose header names also carry the rate type as a key (and its doc spells the
/// `Flat` rate type `Flag`): they are dropped; those headers stay in AOC-S's `unknown`, as the
/// spec's AOC-S entry says.
fn aoc_json_leaf_names(dump: &mut Dump) -> Outcome {
    const D_AND_E: &[(&str, Option<&str>)] = &[
        ("Charge", None),
        ("Type", Some("Charge/Type")),
        ("BillingID", Some("Charge/BillingID")),
        ("TotalType", Some("Charge/TotalType")),
        ("Currency", None),
        ("Name", Some("Charge/Currency/Name")),
        ("Cost", Some("Charge/Currency/Cost")),
        ("Multiplier", Some("Charge/Currency/Multiplier")),
        ("Units", None),
        ("NumberOf", Some("Charge/Units(0)/NumberOf")),
        ("TypeOf", Some("Charge/Units(0)/TypeOf")),
        ("ChargingAssociation", None),
        ("Number", Some("ChargingAssociation/Number")),
        ("Plan", Some("ChargingAssociation/Plan")),
        ("ID", Some("ChargingAssociation/ID")),
    ];
    const S: &[&str] = &[
        "Chargeable",
        "RateType",
        "Currency",
        "Name",
        "Cost",
        "Multiplier",
        "ChargingType",
        "StepFunction",
        "Granularity",
        "Length",
        "Scale",
        "Unit",
        "SpecialCode",
    ];
    let mut outcome = Outcome::NotPresent;
    for name in ["AOC-D", "AOC-E"] {
        let Some(event) = event_mut(dump, name) else {
            continue;
        };
        if !event.params.iter().any(|p| p.name == "Cost") {
            return Outcome::Stale(format!("{name} no longer documents the bare key Cost"));
        }
        event
            .params
            .retain_mut(|p| match D_AND_E.iter().find(|(leaf, _)| *leaf == p.name) {
                Some((_, Some(header))) => {
                    p.name = (*header).to_string();
                    true
                }
                Some((_, None)) => false,
                None => true,
            });
        outcome = Outcome::Applied;
    }
    if let Some(event) = event_mut(dump, "AOC-S") {
        if !event.params.iter().any(|p| p.name == "Chargeable") {
            return Outcome::Stale("AOC-S no longer documents the bare key Chargeable".into());
        }
        event.params.retain(|p| !S.contains(&p.name.as_str()));
        outcome = Outcome::Applied;
    }
    outcome
}

/// PJSIPHangup documents its `Cause` values as "Response code" and "Response code name" — what
/// to send, not values to send. [`PLACEHOLDER_VALUES`] keeps them out of any enum; this checks
/// they are still documented that way.
fn pjsip_hangup_cause_placeholders(dump: &mut Dump) -> Outcome {
    let Some(action) = dump.actions.iter().find(|a| a.name == "PJSIPHangup") else {
        return Outcome::NotPresent;
    };
    let cause = action.params.iter().find(|p| p.name == "Cause");
    match cause {
        Some(p)
            if PLACEHOLDER_VALUES
                .iter()
                .all(|v| p.placeholders.iter().any(|x| x == v)) =>
        {
            Outcome::Applied
        }
        _ => Outcome::Stale("PJSIPHangup's Cause no longer lists the placeholder values".into()),
    }
}

/// The UserEvent action documents `Header1` and `HeaderN`: stand-ins for any headers the caller
/// adds, which Asterisk copies into the event. They are not header names; they are dropped.
fn user_event_placeholder_headers(dump: &mut Dump) -> Outcome {
    let Some(action) = dump.actions.iter_mut().find(|a| a.name == "UserEvent") else {
        return Outcome::NotPresent;
    };
    let before = action.params.len();
    action
        .params
        .retain(|p| p.name != "Header1" && p.name != "HeaderN");
    if action.params.len() == before {
        return Outcome::Stale("UserEvent no longer documents Header1/HeaderN".into());
    }
    Outcome::Applied
}

/// UpdateConfig's `Options-000000` nests its options (`allowdups`, `template`, `catfilter=…`)
/// under enumlists named after the step's actions, so the outer list reads as if the header
/// took an action name. It takes comma-separated options; the values are dropped.
fn update_config_options_values(dump: &mut Dump) -> Outcome {
    let Some(action) = dump.actions.iter_mut().find(|a| a.name == "UpdateConfig") else {
        return Outcome::NotPresent;
    };
    let Some(options) = action
        .params
        .iter_mut()
        .find(|p| p.name == "Options-000000")
    else {
        return Outcome::NotPresent;
    };
    if !options.values.iter().any(|v| v == "NewCat") {
        return Outcome::Stale("UpdateConfig's Options-000000 no longer lists action names".into());
    }
    options.values.clear();
    Outcome::Applied
}
