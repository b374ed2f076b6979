//! Runtime behaviour of the derives on hand-written (custom) types, the way a user of the SDK
//! declares a third-party action or event.

use std::time::Duration;

use ami_types::derive::{Action, AmiEnum, Event, Fields, Response};
use ami_types::{
    encode_action, Ack, Action as _, DecodeError, EncodeError, EventType, FieldGroup, FromMessage,
    FromReply, Message, ReplyParts, Typed, Unknown, Variable,
};

/// A message from wire text (`Bytes: From<&'static str>`, so no direct `bytes` dependency).
fn parse(text: &'static str) -> Message {
    Message::parse(text.into())
}

// ---------------------------------------------------------------------------------------------
// AmiEnum
// ---------------------------------------------------------------------------------------------

/// An open enum with values, aliases, descriptions and a negative value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, AmiEnum)]
pub enum Mode {
    #[ami(
        wire = "fast",
        value = 1,
        text = "Go fast",
        alias = "quick",
        alias = "Rapid"
    )]
    Fast,
    #[ami(wire = "Slow", value = 0)]
    Slow,
    #[ami(wire = "off", value = -2, text = "Turned off")]
    Off,
    #[ami(wire = "Not Set")]
    NotSet,
    #[ami(other)]
    Other(Box<str>),
}

#[test]
fn enum_from_wire_by_wire_alias_value_and_text_in_any_case() {
    assert_eq!(Mode::from_wire("fast"), Mode::Fast);
    assert_eq!(Mode::from_wire("FAST"), Mode::Fast);
    assert_eq!(Mode::from_wire("Slow"), Mode::Slow);
    assert_eq!(Mode::from_wire("slow"), Mode::Slow);
    assert_eq!(Mode::from_wire("not set"), Mode::NotSet);
    // Aliases, any case.
    assert_eq!(Mode::from_wire("quick"), Mode::Fast);
    assert_eq!(Mode::from_wire("QUICK"), Mode::Fast);
    assert_eq!(Mode::from_wire("rapid"), Mode::Fast);
    // Numeric values, trimmed, including a negative one.
    assert_eq!(Mode::from_wire("1"), Mode::Fast);
    assert_eq!(Mode::from_wire("0"), Mode::Slow);
    assert_eq!(Mode::from_wire(" 1 "), Mode::Fast);
    assert_eq!(Mode::from_wire("-2"), Mode::Off);
    // Descriptions, any case.
    assert_eq!(Mode::from_wire("Go fast"), Mode::Fast);
    assert_eq!(Mode::from_wire("TURNED OFF"), Mode::Off);
}

#[test]
fn enum_unknown_values_are_kept_raw() {
    assert_eq!(Mode::from_wire("Medium"), Mode::Other("Medium".into()));
    assert_eq!(Mode::from_wire("MeDiUm").as_wire(), "MeDiUm");
    // A number without a variant, and the empty string, are values too.
    assert_eq!(Mode::from_wire("7"), Mode::Other("7".into()));
    assert_eq!(Mode::from_wire(""), Mode::Other("".into()));
    assert_eq!(Mode::Other("x y".into()).to_string(), "x y");
    assert_eq!(Mode::Other("x".into()).value(), None);
    assert_eq!(Mode::Other("x".into()).text(), None);
}

#[test]
fn enum_accessors() {
    assert_eq!(Mode::Fast.as_wire(), "fast");
    assert_eq!(Mode::NotSet.as_wire(), "Not Set");
    assert_eq!(Mode::Fast.value(), Some(1));
    assert_eq!(Mode::Slow.value(), Some(0));
    assert_eq!(Mode::Off.value(), Some(-2));
    assert_eq!(Mode::NotSet.value(), None);
    assert_eq!(Mode::Fast.text(), Some("Go fast"));
    assert_eq!(Mode::Off.text(), Some("Turned off"));
    assert_eq!(Mode::Slow.text(), None);
    assert_eq!(Mode::Off.to_string(), "off");
    assert_eq!(format!("[{}]", Mode::NotSet), "[Not Set]");
    assert_eq!("QUICK".parse::<Mode>(), Ok(Mode::Fast));
    assert_eq!("-2".parse::<Mode>(), Ok(Mode::Off));
    assert_eq!("new".parse::<Mode>(), Ok(Mode::Other("new".into())));
}

#[test]
fn enum_trait_impl() {
    fn via_trait<E: ami_types::AmiEnum>(raw: &str) -> (String, Option<i64>) {
        let e = E::from_wire(raw);
        (e.as_wire().to_owned(), e.value())
    }
    fn is_serialize<T: serde::Serialize>() {}

    assert_eq!(
        <Mode as ami_types::AmiEnum>::WIRE_VALUES,
        ["fast", "Slow", "off", "Not Set"]
    );
    assert_eq!(via_trait::<Mode>("rapid"), ("fast".to_owned(), Some(1)));
    assert_eq!(via_trait::<Mode>("-2"), ("off".to_owned(), Some(-2)));
    assert_eq!(via_trait::<Mode>("other"), ("other".to_owned(), None));
    is_serialize::<Mode>();
}

// ---------------------------------------------------------------------------------------------
// Action and Response
// ---------------------------------------------------------------------------------------------

/// The typed response of [`CustomThing`].
#[derive(Debug, Clone, PartialEq, Response)]
pub struct CustomReply<'a> {
    #[ami(header = "Message")]
    pub message: Option<&'a str>,
    /// Header `Value` (default name).
    pub value: u64,
    pub mode: Option<Mode>,
    #[ami(unknown)]
    pub unknown: Unknown<'a>,
}

/// A custom action using every parameter shape.
#[derive(Debug, Clone, PartialEq, Action)]
#[ami(
    name = "CustomThing",
    response = "CustomReply<'a>",
    follow_up = "CustomThingDone"
)]
pub struct CustomThing {
    #[ami(header = "Channel")]
    pub channel: String,
    /// Default header name: `TimeoutCount`.
    pub timeout_count: Option<u64>,
    /// Default header name: `EarlyMedia`.
    pub early_media: bool,
    #[ami(unit = "ms")]
    pub wait: Option<Duration>,
    #[ami(header = "Variable", repeated)]
    pub variables: Vec<Variable>,
    #[ami(header = "Codecs", list)]
    pub codecs: Vec<String>,
    #[ami(indexed, header = "Amount(0)")]
    pub amounts: Vec<u32>,
    pub mode: Option<Mode>,
    /// A raw identifier: header `Type`.
    pub r#type: Option<String>,
}

/// An action with no parameters and the default response.
#[derive(Debug, Clone, PartialEq, Action)]
#[ami(name = "Minimal")]
pub struct Minimal;

/// An action with a required duration in seconds.
#[derive(Debug, Clone, PartialEq, Action)]
#[ami(name = "Sleep")]
pub struct Sleep {
    #[ami(unit = "s")]
    pub time: Duration,
}

fn full_action() -> CustomThing {
    CustomThing {
        channel: "PJSIP/100-0001".to_owned(),
        timeout_count: Some(30),
        early_media: true,
        wait: Some(Duration::from_millis(1500)),
        variables: vec![Variable::new("A", "1"), Variable::new("B", "x=y")],
        codecs: vec!["ulaw".to_owned(), "alaw".to_owned()],
        amounts: vec![5, 7, 11],
        mode: Some(Mode::Fast),
        r#type: Some("t".to_owned()),
    }
}

const FULL_WIRE: &str = "Action: CustomThing\r\n\
    ActionID: id-1\r\n\
    Channel: PJSIP/100-0001\r\n\
    TimeoutCount: 30\r\n\
    EarlyMedia: true\r\n\
    Wait: 1500\r\n\
    Variable: A=1\r\n\
    Variable: B=x=y\r\n\
    Codecs: ulaw,alaw\r\n\
    Amount(0): 5\r\n\
    Amount(1): 7\r\n\
    Amount(2): 11\r\n\
    Mode: fast\r\n\
    Type: t\r\n\
    \r\n";

fn encode<A: ami_types::Action>(action: &A) -> Result<String, EncodeError> {
    let mut out = Vec::new();
    encode_action(action, "id-1", &mut out)?;
    Ok(String::from_utf8(out).expect("utf-8"))
}

#[test]
fn action_constants() {
    assert_eq!(CustomThing::NAME, "CustomThing");
    assert_eq!(CustomThing::FOLLOW_UP, Some("CustomThingDone"));
    assert_eq!(Minimal::NAME, "Minimal");
    assert_eq!(Minimal::FOLLOW_UP, None);
}

#[test]
fn action_encodes_every_shape() {
    assert_eq!(encode(&full_action()).unwrap(), FULL_WIRE);
}

#[test]
fn action_omits_absent_and_empty_params() {
    let action = CustomThing {
        channel: "Local/1@default".to_owned(),
        timeout_count: None,
        early_media: false,
        wait: None,
        variables: vec![],
        codecs: vec![],
        amounts: vec![],
        mode: Some(Mode::Other("turbo".into())),
        r#type: None,
    };
    assert_eq!(
        encode(&action).unwrap(),
        "Action: CustomThing\r\nActionID: id-1\r\nChannel: Local/1@default\r\n\
         EarlyMedia: false\r\nMode: turbo\r\n\r\n"
    );
    assert_eq!(
        encode(&Minimal).unwrap(),
        "Action: Minimal\r\nActionID: id-1\r\n\r\n"
    );
    assert_eq!(
        encode(&Sleep {
            time: Duration::from_millis(2999)
        })
        .unwrap(),
        "Action: Sleep\r\nActionID: id-1\r\nTime: 2\r\n\r\n"
    );
}

#[test]
fn action_round_trips_through_from_params() {
    let action = full_action();
    let mut out = Vec::new();
    encode_action(&action, "id-1", &mut out).unwrap();
    let msg = Message::parse(out.into());
    assert_eq!(CustomThing::from_params(&msg), Ok(action));

    let sleep = Sleep {
        time: Duration::from_secs(4),
    };
    let mut out = Vec::new();
    encode_action(&sleep, "x", &mut out).unwrap();
    assert_eq!(Sleep::from_params(&Message::parse(out.into())), Ok(sleep));

    assert_eq!(
        Minimal::from_params(&parse("Action: Minimal\r\nActionID: 9\r\n")),
        Ok(Minimal)
    );
}

#[test]
fn action_from_params_is_lenient_on_case_and_order() {
    let msg = parse(
        "action: customthing\r\n\
         AMOUNT(2): 11\r\n\
         amount(0): 5\r\n\
         channel: PJSIP/100-0001\r\n\
         CODECS: ulaw\r\n\
         codecs: alaw,\r\n\
         earlymedia: Yes\r\n\
         Amount(1): 7\r\n\
         variable: A=1\r\n\
         VARIABLE: B=x=y\r\n\
         timeoutcount: 30\r\n\
         wait: 1500\r\n\
         MODE: QUICK\r\n\
         type: t\r\n\
         actionid: zz\r\n",
    );
    assert_eq!(CustomThing::from_params(&msg), Ok(full_action()));
}

#[test]
fn action_from_params_keeps_the_first_of_a_repeated_single_param() {
    let msg =
        parse("Action: CustomThing\r\nChannel: first\r\nChannel: second\r\nEarlyMedia: no\r\n");
    let action = CustomThing::from_params(&msg).unwrap();
    assert_eq!(action.channel, "first");
}

#[test]
fn action_from_params_errors() {
    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: no\r\nBogus: 1\r\n",
    ))
    .unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnknownParam {
            target: "CustomThing",
            header: "Bogus".to_owned()
        }
    );
    assert_eq!(err.to_string(), "CustomThing: unknown parameter Bogus");

    // An indexed header without its index is not the indexed parameter.
    let err = CustomThing::from_params(&parse("Action: CustomThing\r\nAmount: 1\r\n")).unwrap_err();
    assert_eq!(err.to_string(), "CustomThing: unknown parameter Amount");

    let err =
        CustomThing::from_params(&parse("Action: CustomThing\r\nEarlyMedia: no\r\n")).unwrap_err();
    assert_eq!(
        err,
        DecodeError::MissingField {
            target: "CustomThing",
            field: "Channel"
        }
    );
    assert_eq!(
        err.to_string(),
        "CustomThing: missing required field Channel"
    );

    // A required bool is required too.
    let err =
        CustomThing::from_params(&parse("Action: CustomThing\r\nChannel: c\r\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomThing: missing required field EarlyMedia"
    );

    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: no\r\nTimeoutCount: soon\r\n",
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        DecodeError::InvalidValue {
            target: "CustomThing",
            field: "TimeoutCount",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "CustomThing, field TimeoutCount: invalid value \"soon\": expected an unsigned integer"
    );

    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: maybe\r\n",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomThing, field EarlyMedia: invalid value \"maybe\": \
         expected a boolean (yes/no, true/false, 1/0, on/off)"
    );

    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: 0\r\nWait: 1.5s\r\n",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomThing, field Wait: invalid value \"1.5s\": expected milliseconds"
    );

    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: 0\r\nVariable: novalue\r\n",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomThing, field Variable: invalid value \"novalue\": expected name=value"
    );

    let err = CustomThing::from_params(&parse(
        "Action: CustomThing\r\nChannel: c\r\nEarlyMedia: 0\r\nAmount(0): -1\r\n",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "CustomThing, field Amount(0): invalid value \"-1\": expected an unsigned integer"
    );

    let err = Sleep::from_params(&parse("Action: Sleep\r\nTime: x\r\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Sleep, field Time: invalid value \"x\": expected whole seconds"
    );

    let err = Minimal::from_params(&parse("Action: Minimal\r\nChannel: c\r\n")).unwrap_err();
    assert_eq!(err.to_string(), "Minimal: unknown parameter Channel");
}

#[test]
fn header_injection_is_refused_and_nothing_is_written() {
    let cases: Vec<(&str, CustomThing)> = vec![
        (
            "Channel",
            CustomThing {
                channel: "a\r\nAction: Hangup".to_owned(),
                ..full_action()
            },
        ),
        (
            "Channel",
            CustomThing {
                channel: "a\nb".to_owned(),
                ..full_action()
            },
        ),
        (
            "Channel",
            CustomThing {
                channel: "a\0b".to_owned(),
                ..full_action()
            },
        ),
        (
            "Variable",
            CustomThing {
                variables: vec![Variable::new("A\r", "1")],
                ..full_action()
            },
        ),
        (
            "Variable",
            CustomThing {
                variables: vec![Variable::new("A", "1\n")],
                ..full_action()
            },
        ),
        (
            "Variable",
            CustomThing {
                variables: vec![Variable::new("ok", "1"), Variable::new("A", "\0")],
                ..full_action()
            },
        ),
        (
            "Codecs",
            CustomThing {
                codecs: vec!["ulaw".into(), "al\raw".into()],
                ..full_action()
            },
        ),
        (
            "Mode",
            CustomThing {
                mode: Some(Mode::Other("x\r\ny".into())),
                ..full_action()
            },
        ),
        (
            "Type",
            CustomThing {
                r#type: Some("\n".into()),
                ..full_action()
            },
        ),
    ];
    for (header, action) in cases {
        let mut out = b"previous bytes\r\n".to_vec();
        let err = encode_action(&action, "id-1", &mut out).unwrap_err();
        assert!(
            matches!(&err, EncodeError::HeaderInjection { header: h, .. } if h == header),
            "{header}: {err:?}"
        );
        assert_eq!(out, b"previous bytes\r\n", "{header}: output changed");
    }

    let mut out = b"keep".to_vec();
    let err = encode_action(&full_action(), "id\r\nAction: Hangup", &mut out).unwrap_err();
    assert_eq!(
        err,
        EncodeError::HeaderInjection {
            header: "ActionID".to_owned(),
            found: "CR"
        }
    );
    assert_eq!(
        err.to_string(),
        "header ActionID: value contains CR, which would inject headers; nothing was sent"
    );
    assert_eq!(out, b"keep");

    let mut out = Vec::new();
    let err = encode_action(&full_action(), "id\0", &mut out).unwrap_err();
    assert_eq!(
        err,
        EncodeError::HeaderInjection {
            header: "ActionID".to_owned(),
            found: "NUL"
        }
    );
    assert!(out.is_empty());

    let mut out = Vec::new();
    let bad = CustomThing {
        channel: "a\nb".to_owned(),
        ..full_action()
    };
    assert_eq!(
        encode_action(&bad, "id", &mut out),
        Err(EncodeError::HeaderInjection {
            header: "Channel".to_owned(),
            found: "LF"
        })
    );
}

#[test]
fn action_response_type_is_the_declared_one() {
    let response = parse(
        "Response: Success\r\nActionID: id-1\r\nMessage: Done\r\nValue: 42\r\n\
         Mode: -2\r\nEventList: start\r\nExtra: z\r\n",
    );
    let reply: <CustomThing as ami_types::Action>::Response<'_> =
        FromReply::from_reply(ReplyParts {
            response: &response,
            events: &[],
        })
        .unwrap();
    assert_eq!(reply.message, Some("Done"));
    assert_eq!(reply.value, 42);
    assert_eq!(reply.mode, Some(Mode::Off));
    // Response, ActionID and EventList are common headers; only Extra is unknown.
    assert_eq!(reply.unknown.as_slice(), &[("Extra", "z")]);
    assert_eq!(reply.unknown_headers().as_slice(), &[("Extra", "z")]);
    assert_eq!(<CustomReply<'_> as Typed>::TYPE_NAME, "CustomReply");
    assert_eq!(<CustomReply<'_> as FromReply<'_>>::LIST_COMPLETE, None);

    // The same through FromMessage, and a missing required field.
    let response = parse("Response: Success\r\nMessage: no value\r\n");
    let err = CustomReply::from_message(&response).unwrap_err();
    assert_eq!(
        err,
        DecodeError::MissingField {
            target: "CustomReply",
            field: "Value"
        }
    );
    assert_eq!(err.to_string(), "CustomReply: missing required field Value");

    // Without `response`, an action answers with an `Ack`.
    let response = parse("Response: Success\r\nMessage: ok\r\n");
    let ack: <Minimal as ami_types::Action>::Response<'_> = FromReply::from_reply(ReplyParts {
        response: &response,
        events: &[],
    })
    .unwrap();
    let expected: Ack<'_> = Ack {
        message: Some("ok"),
        unknown: Unknown::new(),
    };
    assert_eq!(ack, expected);
}

// ---------------------------------------------------------------------------------------------
// Event and Fields
// ---------------------------------------------------------------------------------------------

/// A field set flattened into events, with and without a prefix.
#[derive(Debug, Clone, PartialEq, Fields)]
pub struct Snap<'a> {
    /// Header `Channel`.
    pub channel: &'a str,
    #[ami(header = "Uniqueid")]
    pub unique_id: &'a str,
    #[ami(header = "ChannelState")]
    pub state: Option<u64>,
    /// Header `CallerIdNum`.
    pub caller_id_num: Option<&'a str>,
}

/// A custom event using every field shape.
#[derive(Debug, Clone, PartialEq, Event)]
#[ami(name = "CustomEvent")]
pub struct CustomEvent<'a> {
    #[ami(flatten)]
    pub chan: Snap<'a>,
    #[ami(flatten, prefix = "Dest")]
    pub dest: Option<Snap<'a>>,
    #[ami(header = "Output", repeated)]
    pub output: Vec<&'a str>,
    #[ami(header = "Count", repeated)]
    pub counts: Vec<u64>,
    #[ami(header = "ChanVariable", repeated, prefix_match)]
    pub chan_variables: Vec<&'a str>,
    #[ami(header = "X-", prefix_match)]
    pub first_x: Option<&'a str>,
    /// Header `Label`.
    pub label: Option<&'a str>,
    /// Header `Id`.
    pub id: &'a str,
    /// Header `Total`.
    pub total: u64,
    pub answered: bool,
    pub hold: Option<bool>,
    pub limit: Option<i64>,
    pub mode: Option<Mode>,
    pub required_mode: Mode,
    #[ami(unit = "s")]
    pub duration: Option<Duration>,
    #[ami(unknown)]
    pub unknown: Unknown<'a>,
}

/// An event without an `unknown` field.
#[derive(Debug, Clone, PartialEq, Event)]
#[ami(name = "Bare")]
pub struct Bare<'a> {
    pub note: Option<&'a str>,
}

/// The smallest valid [`CustomEvent`]: only required headers.
const MINIMAL_EVENT: &str = "Event: CustomEvent\r\n\
    Channel: PJSIP/1\r\n\
    Uniqueid: 1.1\r\n\
    Id: i\r\n\
    Total: 3\r\n\
    Answered: yes\r\n\
    RequiredMode: slow\r\n";

#[test]
fn event_decodes_every_shape() {
    let msg = parse(
        "Event: CustomEvent\r\n\
         Privilege: call,all\r\n\
         Timestamp: 1700000000.000001\r\n\
         SystemName: pbx1\r\n\
         ActionID: a-1\r\n\
         Channel: PJSIP/1\r\n\
         ChannelState: 6\r\n\
         Uniqueid: 1.1\r\n\
         CallerIdNum: 100\r\n\
         Zeta: first unknown\r\n\
         DestChannel: PJSIP/2\r\n\
         DestUniqueid: 2.2\r\n\
         DestCallerIdNum: <unknown>\r\n\
         Output: line 1\r\n\
         Output: \r\n\
         Output: line 3\r\n\
         Count: 1\r\n\
         Count: \r\n\
         Count: 3\r\n\
         ChanVariable: A=1\r\n\
         ChanVariable(PJSIP/1): B=2\r\n\
         X-One: 1\r\n\
         X-Two: 2\r\n\
         Label: hello world\r\n\
         Id: id-9\r\n\
         Total: 12\r\n\
         Answered: Yes\r\n\
         Hold: off\r\n\
         Limit: -5\r\n\
         Mode: QUICK\r\n\
         RequiredMode: brand new\r\n\
         Duration: 90\r\n\
         DestFoo: not a Snap field\r\n\
         Alpha: last unknown\r\n",
    );
    let ev = CustomEvent::from_message(&msg).unwrap();
    assert_eq!(
        ev.chan,
        Snap {
            channel: "PJSIP/1",
            unique_id: "1.1",
            state: Some(6),
            caller_id_num: Some("100")
        }
    );
    assert_eq!(
        ev.dest,
        Some(Snap {
            channel: "PJSIP/2",
            unique_id: "2.2",
            state: None,
            caller_id_num: Some("<unknown>"),
        })
    );
    assert_eq!(ev.output, ["line 1", "", "line 3"]);
    // A nullish value of a non-text repeated field is dropped.
    assert_eq!(ev.counts, [1, 3]);
    assert_eq!(ev.chan_variables, ["A=1", "B=2"]);
    // A single prefix_match field keeps the first match.
    assert_eq!(ev.first_x, Some("1"));
    assert_eq!(ev.label, Some("hello world"));
    assert_eq!(ev.id, "id-9");
    assert_eq!(ev.total, 12);
    assert!(ev.answered);
    assert_eq!(ev.hold, Some(false));
    assert_eq!(ev.limit, Some(-5));
    assert_eq!(ev.mode, Some(Mode::Fast));
    assert_eq!(ev.required_mode, Mode::Other("brand new".into()));
    assert_eq!(ev.duration, Some(Duration::from_secs(90)));
    // Unknown headers in wire order; common headers and the X-Two prefix match are not unknown;
    // a prefixed header the group does not know keeps its full name.
    assert_eq!(
        ev.unknown.as_slice(),
        &[
            ("Zeta", "first unknown"),
            ("DestFoo", "not a Snap field"),
            ("Alpha", "last unknown")
        ]
    );
    assert_eq!(
        ev.unknown_headers().names().collect::<Vec<_>>(),
        ["Zeta", "DestFoo", "Alpha"]
    );
}

#[test]
fn event_traits() {
    assert_eq!(<CustomEvent<'_> as EventType<'_>>::NAME, "CustomEvent");
    assert_eq!(<CustomEvent<'_> as Typed>::TYPE_NAME, "CustomEvent");
    assert_eq!(<CustomEvent<'_> as FieldGroup<'_>>::NAME, "CustomEvent");
    assert_eq!(<Snap<'_> as FieldGroup<'_>>::NAME, "Snap");
    assert_eq!(<Snap<'_> as Typed>::TYPE_NAME, "Snap");
    assert_eq!(<Bare<'_> as EventType<'_>>::NAME, "Bare");
}

#[test]
fn event_minimal_and_absent_optional_group() {
    let msg = parse(MINIMAL_EVENT);
    let ev = CustomEvent::from_message(&msg).unwrap();
    assert_eq!(ev.dest, None);
    assert_eq!(ev.chan.state, None);
    assert!(ev.output.is_empty());
    assert!(ev.counts.is_empty());
    assert!(ev.chan_variables.is_empty());
    assert_eq!(ev.first_x, None);
    assert_eq!(ev.label, None);
    assert_eq!(ev.hold, None);
    assert_eq!(ev.mode, None);
    assert_eq!(ev.required_mode, Mode::Slow);
    assert_eq!(ev.duration, None);
    assert!(ev.unknown.is_empty());
}

#[test]
fn event_header_names_match_in_any_case() {
    let msg = parse(
        "event: CUSTOMEVENT\r\n\
         CHANNEL: PJSIP/1\r\n\
         UNIQUEID: 1.1\r\n\
         channelstate: 4\r\n\
         destuniqueid: 2.2\r\n\
         DESTCHANNEL: PJSIP/2\r\n\
         id: i\r\n\
         TOTAL: 3\r\n\
         answered: TRUE\r\n\
         requiredmode: FAST\r\n\
         chanvariable: v=1\r\n\
         x-lower: low\r\n\
         DURATION: 5\r\n\
         PRIVILEGE: call,all\r\n\
         systemname: pbx\r\n",
    );
    let ev = CustomEvent::from_message(&msg).unwrap();
    assert_eq!(ev.chan.channel, "PJSIP/1");
    assert_eq!(ev.chan.unique_id, "1.1");
    assert_eq!(ev.chan.state, Some(4));
    assert_eq!(
        ev.dest.as_ref().map(|d| (d.channel, d.unique_id)),
        Some(("PJSIP/2", "2.2"))
    );
    assert_eq!(ev.id, "i");
    assert_eq!(ev.total, 3);
    assert!(ev.answered);
    assert_eq!(ev.required_mode, Mode::Fast);
    assert_eq!(ev.chan_variables, ["v=1"]);
    assert_eq!(ev.first_x, Some("low"));
    assert_eq!(ev.duration, Some(Duration::from_secs(5)));
    assert!(ev.unknown.is_empty(), "{:?}", ev.unknown);
}

#[test]
fn event_nullish_values() {
    for null in ["", "<unknown>", "(null)"] {
        let text = format!(
            "Event: CustomEvent\r\nChannel: {null}\r\nUniqueid: {null}\r\nChannelState: {null}\r\n\
             CallerIdNum: {null}\r\nLabel: {null}\r\nId: {null}\r\nTotal: 1\r\nAnswered: 1\r\n\
             Hold: {null}\r\nLimit: {null}\r\nMode: {null}\r\nRequiredMode: off\r\n\
             Duration: {null}\r\nCount: {null}\r\nOutput: {null}\r\n"
        );
        let msg = Message::parse(text.into_bytes().into());
        let ev = CustomEvent::from_message(&msg).unwrap_or_else(|e| panic!("{null:?}: {e}"));
        // Text keeps the value as sent, required or optional.
        assert_eq!(ev.chan.channel, null);
        assert_eq!(ev.chan.unique_id, null);
        assert_eq!(ev.chan.caller_id_num, Some(null));
        assert_eq!(ev.label, Some(null));
        assert_eq!(ev.id, null);
        assert_eq!(ev.output, [null]);
        // Other types read it as absent.
        assert_eq!(ev.chan.state, None, "{null:?}");
        assert_eq!(ev.hold, None, "{null:?}");
        assert_eq!(ev.limit, None, "{null:?}");
        assert_eq!(ev.mode, None, "{null:?}");
        assert_eq!(ev.duration, None, "{null:?}");
        assert!(ev.counts.is_empty(), "{null:?}");
        assert!(ev.unknown.is_empty(), "{null:?}");
    }

    // A nullish value for a required non-text field is a missing field.
    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: i\r\nTotal: <unknown>\r\n\
         Answered: 1\r\nRequiredMode: off\r\n",
    );
    let err = CustomEvent::from_message(&msg).unwrap_err();
    assert_eq!(
        err,
        DecodeError::MissingField {
            target: "CustomEvent",
            field: "Total"
        }
    );
}

#[test]
fn event_first_value_wins_and_nullish_does_not_block_a_later_value() {
    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: first\r\nId: second\r\n\
         Total: 1\r\nAnswered: 1\r\nRequiredMode: off\r\nLimit: (null)\r\nLimit: 8\r\n",
    );
    let ev = CustomEvent::from_message(&msg).unwrap();
    assert_eq!(ev.id, "first");
    assert_eq!(ev.limit, Some(8));
}

#[test]
fn event_errors() {
    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: i\r\nTotal: twelve\r\n\
         Answered: 1\r\nRequiredMode: off\r\n",
    );
    let err = CustomEvent::from_message(&msg).unwrap_err();
    assert!(matches!(
        err,
        DecodeError::InvalidValue {
            target: "CustomEvent",
            field: "Total",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "CustomEvent, field Total: invalid value \"twelve\": expected an unsigned integer"
    );

    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: i\r\nTotal: 1\r\n\
         Answered: 1\r\nRequiredMode: off\r\nLimit: 1.5\r\n",
    );
    assert_eq!(
        CustomEvent::from_message(&msg).unwrap_err().to_string(),
        "CustomEvent, field Limit: invalid value \"1.5\": expected an integer"
    );

    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: i\r\nTotal: 1\r\n\
         Answered: 1\r\nRequiredMode: off\r\nDuration: 1m\r\n",
    );
    assert_eq!(
        CustomEvent::from_message(&msg).unwrap_err().to_string(),
        "CustomEvent, field Duration: invalid value \"1m\": expected whole seconds"
    );

    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nId: i\r\nTotal: 1\r\n\
         Answered: perhaps\r\nRequiredMode: off\r\n",
    );
    assert_eq!(
        CustomEvent::from_message(&msg).unwrap_err().to_string(),
        "CustomEvent, field Answered: invalid value \"perhaps\": \
         expected a boolean (yes/no, true/false, 1/0, on/off)"
    );

    // A bad value in a flattened group names the group type and its unprefixed header.
    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nChannelState: up\r\nId: i\r\n\
         Total: 1\r\nAnswered: 1\r\nRequiredMode: off\r\n",
    );
    assert_eq!(
        CustomEvent::from_message(&msg).unwrap_err().to_string(),
        "Snap, field ChannelState: invalid value \"up\": expected an unsigned integer"
    );

    let msg = parse(
        "Event: CustomEvent\r\nChannel: c\r\nUniqueid: u\r\nTotal: 1\r\nAnswered: 1\r\n\
         RequiredMode: off\r\n",
    );
    let err = CustomEvent::from_message(&msg).unwrap_err();
    assert_eq!(
        err,
        DecodeError::MissingField {
            target: "CustomEvent",
            field: "Id"
        }
    );
    assert_eq!(err.to_string(), "CustomEvent: missing required field Id");

    // A required field of the required unprefixed group.
    let msg = parse(
        "Event: CustomEvent\r\nUniqueid: u\r\nId: i\r\nTotal: 1\r\nAnswered: 1\r\n\
         RequiredMode: off\r\n",
    );
    let err = CustomEvent::from_message(&msg).unwrap_err();
    assert_eq!(err.to_string(), "Snap: missing required field Channel");

    // The optional prefixed group is present once any of its headers is, and then its
    // required fields are required.
    let text = format!("{MINIMAL_EVENT}DestChannelState: 6\r\n");
    let msg = Message::parse(text.into_bytes().into());
    let err = CustomEvent::from_message(&msg).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::MissingField {
                target: "Snap",
                field: "Channel"
            }
        ),
        "{err:?}"
    );
}

#[test]
fn event_wrong_message() {
    let err = CustomEvent::from_message(&parse("Event: OtherEvent\r\nId: i\r\n")).unwrap_err();
    assert_eq!(
        err,
        DecodeError::WrongMessage {
            expected: "CustomEvent",
            found: "event OtherEvent".to_owned()
        }
    );
    assert_eq!(
        err.to_string(),
        "expected CustomEvent, found event OtherEvent"
    );

    let err = CustomEvent::from_message(&parse("Response: Success\r\nEvent: CustomEvent\r\n"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected CustomEvent, found a message without Event"
    );

    // A prefix of the name is a different event.
    let err = CustomEvent::from_message(&parse("Event: Custom\r\n")).unwrap_err();
    assert!(matches!(err, DecodeError::WrongMessage { .. }));
}

#[test]
fn event_without_unknown_field_drops_unknown_headers() {
    let msg = parse("Event: Bare\r\nNote: n\r\nWhatever: 1\r\n");
    let bare = Bare::from_message(&msg).unwrap();
    assert_eq!(bare, Bare { note: Some("n") });
    assert!(bare.unknown_headers().is_empty());
}

#[test]
fn fields_decode_as_a_message_of_their_own() {
    let msg = parse("Channel: c\r\nUniqueid: u\r\nPrivilege: call\r\nOdd: 1\r\n");
    let snap = Snap::from_message(&msg).unwrap();
    assert_eq!(
        snap,
        Snap {
            channel: "c",
            unique_id: "u",
            state: None,
            caller_id_num: None
        }
    );
    // A field set has no `unknown` field, so unknown headers are not kept.
    assert!(snap.unknown_headers().is_empty());
}

/// A group nested in a group, flattened with prefixes at both levels.
#[derive(Debug, Clone, PartialEq, Fields)]
pub struct Pair<'a> {
    #[ami(flatten, prefix = "Left")]
    pub left: Snap<'a>,
    #[ami(flatten, prefix = "Right")]
    pub right: Option<Snap<'a>>,
}

#[derive(Debug, Clone, PartialEq, Event)]
#[ami(name = "PairEvent")]
pub struct PairEvent<'a> {
    #[ami(flatten, prefix = "Orig")]
    pub orig: Option<Pair<'a>>,
    #[ami(unknown)]
    pub unknown: Unknown<'a>,
}

#[test]
fn nested_groups_concatenate_prefixes() {
    let msg = parse(
        "Event: PairEvent\r\nOrigLeftChannel: l\r\nOrigLeftUniqueid: 1\r\n\
         origrightchannel: r\r\nORIGRIGHTUNIQUEID: 2\r\nOrigRightChannelState: 5\r\nLeftChannel: x\r\n",
    );
    let ev = PairEvent::from_message(&msg).unwrap();
    let orig = ev.orig.unwrap();
    assert_eq!((orig.left.channel, orig.left.unique_id), ("l", "1"));
    let right = orig.right.unwrap();
    assert_eq!(
        (right.channel, right.unique_id, right.state),
        ("r", "2", Some(5))
    );
    assert_eq!(ev.unknown.as_slice(), &[("LeftChannel", "x")]);

    let msg = parse("Event: PairEvent\r\n");
    assert_eq!(PairEvent::from_message(&msg).unwrap().orig, None);
}

/// Numbered steps in UpdateConfig's spelling, where a step may leave a header out.
#[derive(Debug, Clone, PartialEq, Action)]
#[ami(name = "Steps")]
pub struct Steps {
    #[ami(indexed, header = "Action-000000")]
    pub action: Vec<Option<String>>,
    #[ami(indexed, header = "Var-000000")]
    pub var: Vec<Option<String>>,
}

#[test]
fn padded_sparse_indexed_params_keep_their_indices() {
    let steps = Steps {
        action: vec![Some("NewCat".to_owned()), Some("Append".to_owned())],
        var: vec![None, Some("type".to_owned())],
    };
    let wire = encode(&steps).unwrap();
    assert_eq!(
        wire,
        "Action: Steps\r\nActionID: id-1\r\nAction-000000: NewCat\r\nAction-000001: Append\r\n\
         Var-000001: type\r\n\r\n"
    );
    // Back again, in any order and case; the missing `Var-000000` stays a gap.
    let back = Steps::from_params(&parse(
        "Action: Steps\r\nvar-000001: type\r\nACTION-000001: Append\r\nAction-000000: NewCat\r\n",
    ))
    .unwrap();
    assert_eq!(back, steps);
    // An index no request of this size can have is refused, not allocated.
    let err = Steps::from_params(&parse("Action: Steps\r\nVar-999999: x\r\n")).unwrap_err();
    assert!(err.to_string().contains("999999"), "{err}");
    // Only six digits are an index.
    let err = Steps::from_params(&parse("Action: Steps\r\nVar-1: x\r\n")).unwrap_err();
    assert_eq!(err.to_string(), "Steps: unknown parameter Var-1");
}
