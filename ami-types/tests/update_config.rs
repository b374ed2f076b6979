//! UpdateConfig's numbered steps: `Action-000000`, `Cat-000000`, … with a six-digit index, where
//! each step sends only the headers it needs.

use ami_types::action::UpdateConfig;
use ami_types::encode::encode_action;
use ami_types::enums::ConfigEditAction;
use ami_types::{Action, Frame, Framer};

#[test]
fn steps_are_numbered_and_sparse() {
    let edit = UpdateConfig::new("users.conf", "users.conf")
        .step_action(0, ConfigEditAction::NewCat)
        .category(0, "6001")
        .options(0, "template,inherit=\"base\"")
        .step_action(1, ConfigEditAction::Delete)
        .category(1, "6002")
        .variable(1, "callerid")
        .line(1, "3");
    let mut wire = Vec::new();
    encode_action(&edit, "42", &mut wire).expect("encodes");
    let text = String::from_utf8(wire.clone()).expect("ASCII");
    assert_eq!(
        text,
        "Action: UpdateConfig\r\nActionID: 42\r\nSrcFilename: users.conf\r\n\
         DstFilename: users.conf\r\nAction-000000: NewCat\r\nAction-000001: Delete\r\n\
         Cat-000000: 6001\r\nCat-000001: 6002\r\nVar-000001: callerid\r\nLine-000001: 3\r\n\
         Options-000000: template,inherit=\"base\"\r\n\r\n"
    );
    // Decoding gives the same steps back, gaps included.
    let mut framer = Framer::without_greeting();
    framer.push(&wire);
    let Some(Ok(Frame::Message(msg))) = framer.next_frame() else {
        panic!("one message");
    };
    let back = UpdateConfig::from_params(&msg).expect("decodes");
    assert_eq!(back, edit);
    assert_eq!(back.variable, vec![None, Some("callerid".to_owned())]);
}
