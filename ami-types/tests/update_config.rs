//! UpdateConfig's numbered step headers: the action is an enum, the options free text.

use ami_types::action::UpdateConfig;
use ami_types::encode::encode_action;
use ami_types::enums::ConfigEditAction;

#[test]
fn a_new_category_step_carries_its_options_as_text() {
    let mut edit = UpdateConfig::new("users.conf", "users.conf");
    edit.action_000000 = Some(ConfigEditAction::NewCat);
    edit.cat_000000 = Some("6001".to_owned());
    edit.options_000000 = Some("template,inherit=\"base\"".to_owned());
    let mut wire = Vec::new();
    encode_action(&edit, "42", &mut wire).expect("encodes");
    let text = String::from_utf8(wire).expect("ASCII");
    assert_eq!(
        text,
        "Action: UpdateConfig\r\nActionID: 42\r\nSrcFilename: users.conf\r\n\
         DstFilename: users.conf\r\nAction-000000: NewCat\r\nCat-000000: 6001\r\n\
         Options-000000: template,inherit=\"base\"\r\n\r\n"
    );
}
