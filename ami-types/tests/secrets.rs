//! Credentials never show in `Debug` output of the actions that carry them.

use ami_types::action::Login;

#[test]
fn login_debug_redacts_secret_and_key() {
    let login = Login::new("admin")
        .secret("pa55-w0rd")
        .key("0123456789abcdef0123456789abcdef");
    let text = format!("{login:?} {login:#?}");
    assert!(!text.contains("pa55-w0rd"), "{text}");
    assert!(!text.contains("0123456789abcdef"), "{text}");
    assert!(text.contains("<redacted>"));
    assert!(
        text.contains("admin"),
        "other fields are still shown: {text}"
    );
}
