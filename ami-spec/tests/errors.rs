//! One test per error the loader reports, each pinning the full `file:line:column: message`.

use ami_spec::{load_sources, Response, Type, Unit};

/// The `[module]` table every case starts with: 3 lines, so a case's own text starts on line 4.
const MODULE: &str = "[module]\nname = \"t\"\nsynopsis = \"Test.\"\n";

/// Loads `t.toml` = [`MODULE`] + `body` and returns its errors, one per line.
fn errors(body: &str) -> String {
    errors_of(&[("t.toml", &format!("{MODULE}{body}"))])
}

/// Loads several files and returns their errors, one per line.
fn errors_of(files: &[(&str, &str)]) -> String {
    match load_sources(files) {
        Ok(spec) => panic!("expected errors, loaded {spec:#?}"),
        Err(errors) => errors.to_string(),
    }
}

const VALID: &str = r#"
[[enum]]
name = "Dir"
synopsis = "A direction."
[[enum.variant]]
name = "In"
wire = "in"
aliases = ["incoming"]
value = 1

[[fieldset]]
name = "Snap"
synopsis = "A snapshot."
[[fieldset.field]]
name = "Channel"
type = "string"

[[event]]
name = "AOC-D"
synopsis = "Advice of charge."
[[event.field]]
name = "Cause-txt"
type = "duration"
unit = "ms"
[[event.include]]
fieldset = "Snap"
prefix = "Dest"
rust = "dest"

[[event]]
name = "ListDone"
synopsis = "End of a list."

[[action]]
name = "SIPpeers"
synopsis = "Lists peers."
privilege = ["system"]
follow_up = "ListDone"
[[action.param]]
name = "UnitAmount(0)"
type = "uint"
indexed = true
[[action.param]]
name = "100rel"
type = "enum"
enum = "Dir"
[action.response]
kind = "list"
items = ["AOC-D"]
complete = "ListDone"

[[action]]
name = "Status"
rust = "GetStatus"
synopsis = "Status."
privilege = []
[action.response]
kind = "fields"
[[action.response.field]]
name = "Dir"
type = "enum"
enum = "Dir"
[[action.response.field]]
name = "Named Callgroup"
type = "list"
"#;

#[test]
fn valid_spec_lowers() {
    let spec = load_sources(&[("t.toml", &format!("{MODULE}{VALID}"))]).unwrap();
    let module = &spec.modules[0];
    assert_eq!(module.path.to_str(), Some("t.toml"));
    assert_eq!(module.enums[0].variants[0].aliases, ["incoming"]);
    let event = spec.event("AOC-D").unwrap();
    assert_eq!(event.rust, "AocD");
    assert_eq!(event.fields[0].rust, "cause_txt");
    assert_eq!(event.fields[0].ty, Type::Duration(Unit::Milliseconds));
    assert_eq!(event.includes[0].prefix, "Dest");
    let peers = &module.actions[0];
    assert_eq!(peers.rust, "SiPpeers");
    assert_eq!(peers.params[0].rust, "unit_amount");
    assert!(peers.params[0].indexed);
    assert_eq!(peers.params[1].rust, "_100rel");
    assert_eq!(peers.params[1].ty, Type::Enum("Dir".into()));
    let list = Response::List {
        items: vec!["AOC-D".into()],
        complete: "ListDone".into(),
    };
    assert_eq!(peers.response, list);
    assert_eq!(module.actions[1].rust, "GetStatus");
    let Response::Fields(fields) = &module.actions[1].response else {
        panic!("not fields")
    };
    assert_eq!(fields[0].rust, "dir");
    assert_eq!(fields[1].rust, "named_callgroup");
}

#[test]
fn toml_syntax_error() {
    assert_eq!(
        errors("[[action]\n"),
        "t.toml:4:9: invalid table header: expected `.`, `]]`"
    );
}

#[test]
fn unknown_key() {
    let body = "[[enum]]\nname = \"E\"\nsynopsis = \"E.\"\ncolour = 1\n";
    assert_eq!(
        errors(body),
        "t.toml:7:1: enum E: unknown field `colour`, expected one of `name`, `synopsis`, \
         `needs_synopsis`, `variant`"
    );
}

#[test]
fn missing_key() {
    assert_eq!(
        errors("[[event]]\nsynopsis = \"E.\"\n"),
        "t.toml:4:1: event: missing field `name`"
    );
}

#[test]
fn missing_synopsis() {
    assert_eq!(
        errors("[[event]]\nname = \"E\"\n"),
        "t.toml:5:8: event E: missing `synopsis` (write one line, or mark the item \
         `needs_synopsis = true`)"
    );
}

#[test]
fn needs_synopsis_stands_in_for_a_synopsis() {
    let body = "[[event]]\nname = \"E\"\nneeds_synopsis = true\n\
                [[enum]]\nname = \"V\"\nneeds_synopsis = true\n";
    let spec = load_sources(&[("t.toml", &format!("{MODULE}{body}"))]).unwrap();
    let event = spec.event("E").unwrap();
    assert!(event.needs_synopsis);
    assert_eq!(event.synopsis, "The `E` event.");
    assert_eq!(spec.enum_def("V").unwrap().synopsis, "The values of `V`.");
    let both = "[[event]]\nname = \"E\"\nsynopsis = \"E.\"\nneeds_synopsis = true\n";
    assert_eq!(
        errors(both),
        "t.toml:7:18: event E: `needs_synopsis` is only for items without a synopsis: remove it"
    );
}

#[test]
fn privilege_may_be_unrecorded() {
    let body = "[[action]]\nname = \"A\"\nsynopsis = \"A.\"\n[action.response]\nkind = \"plain\"\n";
    let spec = load_sources(&[("t.toml", &format!("{MODULE}{body}"))]).unwrap();
    let action = &spec.modules[0].actions[0];
    assert!(!action.privilege_known);
    assert!(action.privilege.is_empty());
}

#[test]
fn missing_module() {
    assert_eq!(
        errors_of(&[("t.toml", "")]),
        "t.toml:1:1: missing field `module`"
    );
}

/// An action of `name` with a plain response, `lines` (params, …) inserted before it.
fn action(name: &str, lines: &str) -> String {
    format!(
        "[[action]]\nname = \"{name}\"\nsynopsis = \"A.\"\nprivilege = []\n{lines}\
         [action.response]\nkind = \"plain\"\n"
    )
}

/// A file `name.toml` declaring module `name` followed by `body`.
fn file(name: &str, body: &str) -> (String, String) {
    let text = format!("[module]\nname = \"{name}\"\nsynopsis = \"M.\"\n{body}");
    (format!("{name}.toml"), text)
}

/// Loads several `(name, text)` files made by [`file`].
fn errors_of_files(files: &[(String, String)]) -> String {
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    errors_of(&files)
}

#[test]
fn duplicate_action_is_case_insensitive() {
    let a = file("a", &action("QueueAdd", ""));
    let b = file("b", &action("queueadd", ""));
    assert_eq!(
        errors_of_files(&[b, a]),
        "b.toml:5:8: duplicate action \"queueadd\" (first defined at a.toml:5:8)"
    );
}

#[test]
fn duplicate_event() {
    let event = "[[event]]\nname = \"Hangup\"\nsynopsis = \"H.\"\n";
    assert_eq!(
        errors_of_files(&[file("a", event), file("b", event)]),
        "b.toml:5:8: duplicate event \"Hangup\" (first defined at a.toml:5:8)"
    );
}

#[test]
fn duplicate_module() {
    let a = ("a.toml", "[module]\nname = \"m\"\nsynopsis = \"M.\"\n");
    let b = ("b.toml", "[module]\nname = \"m\"\nsynopsis = \"M.\"\n");
    assert_eq!(
        errors_of(&[a, b]),
        "b.toml:2:8: duplicate module \"m\" (first defined at a.toml:2:8)"
    );
}

#[test]
fn duplicate_type_names() {
    let body = "[[enum]]\nname = \"State\"\nsynopsis = \"S.\"\n\
                [[fieldset]]\nname = \"State\"\nsynopsis = \"S.\"\n";
    let enums = "[[enum]]\nname = \"State\"\nsynopsis = \"S.\"\n";
    assert_eq!(
        errors_of_files(&[file("a", body), file("b", enums)]),
        "a.toml:8:8: duplicate type name \"State\" (first defined at a.toml:5:8)\n\
         b.toml:5:8: duplicate type name \"State\" (first defined at a.toml:5:8)"
    );
}

#[test]
fn duplicate_rust_type_name() {
    let body = action("Foo-Bar", "") + &action("FooBar", "");
    assert_eq!(
        errors(&body),
        "t.toml:11:8: action FooBar: Rust name \"FooBar\" is also used by action Foo-Bar \
         (at t.toml:5:8)"
    );
}

#[test]
fn duplicate_param_is_case_insensitive() {
    let params = "[[action.param]]\nname = \"Queue\"\ntype = \"string\"\n\
                  [[action.param]]\nname = \"QUEUE\"\ntype = \"string\"\n";
    assert_eq!(
        errors(&action("QueueAdd", params)),
        "t.toml:12:8: action QueueAdd, param QUEUE: duplicate param \"QUEUE\" \
         (first defined at t.toml:9:8)"
    );
}

#[test]
fn duplicate_field_is_case_insensitive() {
    let body = "[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[event.field]]\nname = \"Uniqueid\"\ntype = \"string\"\n\
                [[event.field]]\nname = \"UniqueID\"\ntype = \"string\"\n";
    assert_eq!(
        errors(body),
        "t.toml:11:8: event E, field UniqueID: duplicate field \"UniqueID\" \
         (first defined at t.toml:8:8)"
    );
}

#[test]
fn duplicate_rust_field_name() {
    let body = "[[fieldset]]\nname = \"F\"\nsynopsis = \"F.\"\n\
                [[fieldset.field]]\nname = \"Cause-txt\"\ntype = \"string\"\n\
                [[fieldset.field]]\nname = \"CauseTxt\"\ntype = \"string\"\n";
    assert_eq!(
        errors(body),
        "t.toml:11:8: fieldset F, field CauseTxt: Rust name \"cause_txt\" is also used by \
         field Cause-txt (at t.toml:8:8)"
    );
}

const SNAPSHOT: &str = "[[fieldset]]\nname = \"Snap\"\nsynopsis = \"S.\"\n\
                        [[fieldset.field]]\nname = \"State\"\ntype = \"string\"\n";

#[test]
fn include_rust_name_collides_with_field() {
    let body = format!(
        "{SNAPSHOT}[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
         [[event.field]]\nname = \"Snap\"\ntype = \"string\"\n\
         [[event.include]]\nfieldset = \"Snap\"\nprefix = \"Dest\"\nrust = \"snap\"\n"
    );
    assert_eq!(
        errors(&body),
        "t.toml:19:8: event E, include Snap: Rust name \"snap\" is also used by field Snap \
         (at t.toml:14:8)"
    );
}

#[test]
fn included_header_collides_with_field() {
    let body = format!(
        "{SNAPSHOT}[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
         [[event.field]]\nname = \"DestState\"\ntype = \"string\"\n\
         [[event.include]]\nfieldset = \"Snap\"\nprefix = \"Dest\"\nrust = \"dest\"\n"
    );
    assert_eq!(
        errors(&body),
        "t.toml:17:12: event E, include Snap: duplicate field \"DestState\" \
         (first defined at t.toml:14:8)"
    );
}

#[test]
fn duplicate_variants() {
    let body = "[[enum]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[enum.variant]]\nname = \"Busy\"\nwire = \"BUSY\"\n\
                [[enum.variant]]\nname = \"Busy\"\nwire = \"USER_BUSY\"\naliases = [\"busy\"]\n";
    assert_eq!(
        errors(body),
        "t.toml:11:8: enum E, variant Busy: duplicate variant \"Busy\" \
         (first defined at t.toml:8:8)\n\
         t.toml:13:12: enum E, variant Busy: duplicate wire spelling \"busy\" \
         (first defined at t.toml:9:8)"
    );
}

#[test]
fn reserved_variant_name() {
    let body = "[[enum]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[enum.variant]]\nname = \"Other\"\nwire = \"other\"\n";
    assert_eq!(
        errors(body),
        "t.toml:8:8: enum E, variant Other: variant name \"Other\" is reserved for the \
         generated catch-all variant"
    );
}

/// An action `A` with one param whose body is `lines`.
fn param(lines: &str) -> String {
    action("A", &format!("[[action.param]]\nname = \"P\"\n{lines}"))
}

#[test]
fn unknown_type() {
    assert_eq!(
        errors(&param("type = \"strin\"\n")),
        "t.toml:10:8: action A, param P: unknown type \"strin\" (expected one of: string, int, \
         uint, float, bool, enum, duration, list, variable, channel_pattern)"
    );
}

#[test]
fn enum_type_without_enum() {
    assert_eq!(
        errors(&param("type = \"enum\"\n")),
        "t.toml:10:8: action A, param P: type \"enum\" needs `enum = \"…\"` naming the enum"
    );
}

#[test]
fn enum_key_on_other_type() {
    assert_eq!(
        errors(&param("type = \"string\"\nenum = \"E\"\n")),
        "t.toml:11:8: action A, param P: `enum` is only allowed with type = \"enum\" \
         (this is type \"string\")"
    );
}

#[test]
fn duration_without_unit() {
    assert_eq!(
        errors(&param("type = \"duration\"\n")),
        "t.toml:10:8: action A, param P: type \"duration\" needs `unit = \"s\"` or `unit = \"ms\"`"
    );
}

#[test]
fn invalid_unit() {
    assert_eq!(
        errors(&param("type = \"duration\"\nunit = \"min\"\n")),
        "t.toml:11:8: action A, param P: unknown unit \"min\" (expected \"s\" or \"ms\")"
    );
}

#[test]
fn unit_on_other_type() {
    assert_eq!(
        errors(&param("type = \"int\"\nunit = \"s\"\n")),
        "t.toml:11:8: action A, param P: `unit` is only allowed with type = \"duration\" \
         (this is type \"int\")"
    );
}

#[test]
fn unknown_enum() {
    let body = "[[enum]]\nname = \"HangupCause\"\nsynopsis = \"C.\"\n".to_string()
        + &param("type = \"enum\"\nenum = \"Hangupcause\"\n");
    assert_eq!(
        errors(&body),
        "t.toml:14:8: action A, param P: unknown enum \"Hangupcause\" \
         (did you mean \"HangupCause\"?)"
    );
}

#[test]
fn unknown_fieldset() {
    let body = "[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[event.include]]\nfieldset = \"Nope\"\nrust = \"nope\"\n";
    assert_eq!(
        errors(body),
        "t.toml:8:12: event E, include Nope: unknown fieldset \"Nope\""
    );
}

#[test]
fn unknown_events() {
    let body = "[[action]]\nname = \"A\"\nsynopsis = \"A.\"\nprivilege = []\n\
                follow_up = \"Gone\"\n\
                [action.response]\nkind = \"list\"\nitems = [\"Item\"]\ncomplete = \"Done\"\n";
    assert_eq!(
        errors(body),
        "t.toml:8:13: action A: unknown event \"Gone\"\n\
         t.toml:11:10: action A, response: unknown event \"Item\"\n\
         t.toml:12:12: action A, response: unknown event \"Done\""
    );
}

/// An action `A` whose `[action.response]` body is `lines`.
fn response(lines: &str) -> String {
    format!(
        "[[action]]\nname = \"A\"\nsynopsis = \"A.\"\nprivilege = []\n[action.response]\n{lines}"
    )
}

const LISTED: &str = "[[event]]\nname = \"Item\"\nsynopsis = \"I.\"\n";

#[test]
fn list_without_complete() {
    let body = format!(
        "{LISTED}{}",
        response("kind = \"list\"\nitems = [\"Item\"]\n")
    );
    assert_eq!(
        errors(&body),
        "t.toml:11:1: action A, response: list response needs `complete = \"…\"`, the event \
         that ends the list"
    );
}

#[test]
fn list_without_items() {
    let missing = format!(
        "{LISTED}{}",
        response("kind = \"list\"\ncomplete = \"Item\"\n")
    );
    assert_eq!(
        errors(&missing),
        "t.toml:11:1: action A, response: list response needs `items = [\"…\"]`, the events \
         that carry the items"
    );
    let empty = format!(
        "{LISTED}{}",
        response("kind = \"list\"\ncomplete = \"Item\"\nitems = []\n")
    );
    assert_eq!(
        errors(&empty),
        "t.toml:14:9: action A, response: list response needs `items = [\"…\"]`, the events \
         that carry the items"
    );
}

#[test]
fn response_keys_of_another_kind() {
    let body = response(
        "kind = \"plain\"\ncomplete = \"X\"\n\
         [[action.response.field]]\nname = \"F\"\ntype = \"int\"\n",
    );
    assert_eq!(
        errors(&body),
        "t.toml:10:12: action A, response: `complete` is only allowed in a \"list\" response \
         (this one is \"plain\")\n\
         t.toml:11:1: action A, response: `field` is only allowed in a \"fields\" response \
         (this one is \"plain\")"
    );
}

#[test]
fn unknown_response_kind() {
    assert_eq!(
        errors(&response("kind = \"events\"\n")),
        "t.toml:9:8: action A, response: unknown response kind \"events\" (expected one of: \
         plain, fields, list, command, goodbye)"
    );
}

#[test]
fn invalid_module_name() {
    let text = "[module]\nname = \"app-queue\"\nsynopsis = \"Q.\"\n";
    assert_eq!(
        errors_of(&[("app_queue.toml", text)]),
        "app_queue.toml:2:8: module: module name \"app-queue\" is not a snake_case identifier"
    );
}

#[test]
fn invalid_type_and_variant_names() {
    let body = "[[enum]]\nname = \"hangup_cause\"\nsynopsis = \"C.\"\n\
                [[enum.variant]]\nname = \"Normal Clearing\"\nwire = \"16\"\n";
    assert_eq!(
        errors(body),
        "t.toml:5:8: enum hangup_cause: type name \"hangup_cause\" is not an UpperCamelCase \
         identifier\n\
         t.toml:8:8: enum hangup_cause, variant Normal Clearing: variant name \
         \"Normal Clearing\" is not an UpperCamelCase identifier"
    );
}

#[test]
fn invalid_rust_overrides() {
    let body = "[[event]]\nname = \"E\"\nrust = \"e_vent\"\nsynopsis = \"E.\"\n\
                [[event.field]]\nname = \"F\"\nrust = \"Fee\"\ntype = \"string\"\n\
                [[event.include]]\nfieldset = \"Snap\"\nrust = \"self\"\n"
        .to_string()
        + SNAPSHOT;
    assert_eq!(
        errors(&body),
        "t.toml:6:8: event E: type name \"e_vent\" is not an UpperCamelCase identifier\n\
         t.toml:10:8: event E, field F: Rust field name \"Fee\" is not a snake_case identifier\n\
         t.toml:14:8: event E, include Snap: Rust field name \"self\" is not a snake_case \
         identifier"
    );
}

#[test]
fn invalid_derived_rust_name() {
    assert_eq!(
        errors(&action("1Up", "")),
        "t.toml:5:8: action 1Up: type name \"1up\" is not an UpperCamelCase identifier \
         (derived from the wire name; set `rust = \"…\"`)"
    );
}

#[test]
fn invalid_wire_names() {
    let params = "[[action.param]]\nname = \"Queue Name\"\ntype = \"string\"\n\
                  [[action.param]]\nname = \"Queue:\"\ntype = \"string\"\n\
                  [[action.param]]\nname = \"\"\nrust = \"empty\"\ntype = \"string\"\n";
    assert_eq!(
        errors(&action("AOC-D", params)),
        "t.toml:9:8: action AOC-D, param Queue Name: wire name \"Queue Name\" contains \
         whitespace\n\
         t.toml:12:8: action AOC-D, param Queue:: wire name \"Queue:\" contains ':'\n\
         t.toml:15:8: action AOC-D, param : wire name \"\" is empty"
    );
}

#[test]
fn invalid_field_names() {
    let body = "[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[event.field]]\nname = \" Named\"\ntype = \"string\"\n\
                [[event.field]]\nname = \"Named\\tCallgroup\"\ntype = \"string\"\n";
    assert_eq!(
        errors(body),
        "t.toml:8:8: event E, field  Named: wire name \" Named\" has leading or trailing \
         whitespace\n\
         t.toml:11:8: event E, field Named\tCallgroup: wire name \"Named\tCallgroup\" contains \
         whitespace"
    );
}

#[test]
fn invalid_wire_spelling() {
    let body = "[[enum]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[enum.variant]]\nname = \"Up\"\nwire = \"Up\\r\\n\"\naliases = [\"\"]\n";
    assert_eq!(
        errors(body),
        "t.toml:9:8: enum E, variant Up: wire spelling \"Up\r\n\" contains a line break\n\
         t.toml:10:12: enum E, variant Up: wire spelling \"\" is empty"
    );
}

#[test]
fn action_id_param() {
    let params = "[[action.param]]\nname = \"ActionId\"\ntype = \"string\"\n";
    assert_eq!(
        errors(&action("A", params)),
        "t.toml:9:8: action A, param ActionId: ActionID must not be declared: every action has \
         it implicitly"
    );
}

#[test]
fn indexed_without_index() {
    assert_eq!(
        errors(&param("type = \"int\"\nindexed = true\n")),
        "t.toml:9:8: action A, param P: an indexed param is named by its first entry: \
         `Name(0)` or `Name-000000` (six digits)"
    );
}

#[test]
fn repeated_and_indexed() {
    let params = "[[action.param]]\nname = \"V(0)\"\ntype = \"variable\"\nrepeated = true\n\
                  indexed = true\n";
    assert_eq!(
        errors(&action("A", params)),
        "t.toml:12:11: action A, param V(0): a param cannot be both `repeated` and `indexed`"
    );
}

#[test]
fn not_a_case_variant() {
    let body = "[[event]]\nname = \"E\"\nsynopsis = \"E.\"\n\
                [[event.field]]\nname = \"CallerIDNum\"\ntype = \"string\"\n\
                case_variants = [\"CallerIdNum\", \"CallerIdName\"]\n";
    assert_eq!(
        errors(body),
        "t.toml:10:33: event E, field CallerIDNum: case variant \"CallerIdName\" is not a \
         capitalisation of \"CallerIDNum\""
    );
}

#[test]
fn invalid_synopsis() {
    let body = "[[fieldset]]\nname = \"F\"\nsynopsis = \"\"\"\nTwo\nlines\"\"\"\n";
    assert_eq!(
        errors(body),
        "t.toml:6:12: fieldset F: synopsis must be one non-empty line"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let broken_action = action("Broken", "colour = \"red\"\n");
    let broken_event = "[[event]]\nname = \"Done\"\nsynopsis = 1\n";
    let a = file(
        "a",
        &format!(
            "{broken_action}{broken_event}{}",
            param("type = \"strin\"\n")
        ),
    );
    let b = file("b", "[[action]]\nname = \"A\"\n");
    let c = file("c", "[[enum]\n");
    assert_eq!(
        errors_of_files(&[c, a, b]),
        "a.toml:8:1: action Broken: unknown field `colour`, expected one of `name`, `rust`, \
         `synopsis`, `needs_synopsis`, `privilege`, `since`, `removed`, `follow_up`, `param`, \
         `response`, `example`\n\
         a.toml:13:12: event Done: invalid type: integer `1`, expected a string\n\
         a.toml:20:8: action A, param P: unknown type \"strin\" (expected one of: string, int, \
         uint, float, bool, enum, duration, list, variable, channel_pattern)\n\
         b.toml:4:1: action A: missing field `response`\n\
         c.toml:4:7: invalid table header: expected `.`, `]]`"
    );
}

#[test]
fn errors_inside_sub_tables_are_all_reported() {
    // The first action's broken param and its non-ASCII text are blanked out before the second
    // action's error is looked for: its line and column must not move.
    let first = action(
        "Über",
        "[[action.param]]\nname = \"Ä\"\ntype = \"string\"\nbad = 1\n",
    );
    let second = response("kind = \"plain\"\nworse = 2\n");
    assert_eq!(
        errors(&format!("{first}{second}")),
        "t.toml:11:1: action Über: unknown field `bad`, expected one of `name`, `rust`, `type`, \
         `enum`, `unit`, `required`, `repeated`, `indexed`, `secret`, `default`, `since`, `removed`, `doc`\n\
         t.toml:20:1: action A: unknown field `worse`, expected one of `kind`, `items`, \
         `complete`, `field`"
    );
}

#[test]
fn broken_items_do_not_cascade() {
    // `Done` does not parse, but `complete = "Done"` is not reported as dangling.
    let body = "[[event]]\nname = \"Done\"\nsynopsis = 1\n".to_string()
        + &response("kind = \"list\"\nitems = [\"Done\"]\ncomplete = \"Done\"\n");
    assert_eq!(
        errors(&body),
        "t.toml:6:12: event Done: invalid type: integer `1`, expected a string"
    );
}

#[test]
fn load_dir_reads_toml_files_in_name_order() {
    let dir = std::env::temp_dir().join(format!("ami-spec-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [
        file("b", ""),
        file("a", ""),
        ("README.md".into(), "# no".into()),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let spec = ami_spec::load_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let names: Vec<_> = spec.unwrap().modules.into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn real_spec_loads() {
    let spec = ami_spec::load().unwrap_or_else(|errors| panic!("{errors}"));
    assert!(
        spec.actions().count() >= 52,
        "only {} actions",
        spec.actions().count()
    );
}

#[test]
fn indexed_params_read_both_index_spellings() {
    let spec = ami_spec::load().unwrap_or_else(|errors| panic!("{errors}"));
    let param = |action: &str, name: &str| {
        spec.actions()
            .find(|(_, a)| a.name == action)
            .and_then(|(_, a)| a.params.iter().find(|p| p.name == name))
            .cloned()
            .unwrap_or_else(|| panic!("{action} {name}"))
    };
    let cat = param("UpdateConfig", "Cat-000000");
    assert_eq!(cat.index_pattern(), Some(("Cat-", true)));
    assert_eq!(cat.index_of("Cat-000012"), Some(12));
    assert_eq!(cat.index_of("cat-000000"), Some(0));
    for other in [
        "Cat-12",
        "Cat-0000012",
        "Cat-00001x",
        "Category-000001",
        "Cat-000000 ",
    ] {
        assert_eq!(cat.index_of(other), None, "{other:?}");
    }
    let amount = param("AOCMessage", "UnitAmount(0)");
    assert_eq!(amount.index_pattern(), Some(("UnitAmount", false)));
    assert_eq!(amount.index_of("unitamount(3)"), Some(3));
    for other in [
        "UnitAmount()",
        "UnitAmount(x)",
        "UnitAmount(+3)",
        "UnitAmount",
        "UnitAmount(3",
    ] {
        assert_eq!(amount.index_of(other), None, "{other:?}");
    }
    let plain = param("UpdateConfig", "SrcFilename");
    assert_eq!(plain.index_of("SrcFilename"), None);
}
