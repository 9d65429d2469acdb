//! Secrets never show in debug output, however deeply the message holding them is nested, and
//! every secret in the contract is a `Secret` (so the redacting `Debug` applies to it).

use std::collections::BTreeSet;

use ecma2_proto::pb::{
    ChangePasswordRequest, ConfigParameter, CsEntry, GetSchemaRequest, OpenImportConnectionRequest, PasswordOption,
    Secret, SetPasswordRequest,
};
use prost_reflect::Kind;

use crate::support::{PACKAGE, pool};

const PARAMETER_SECRET: &str = "hunter2-parameter-secret";
const NEW_PASSWORD: &str = "N3w-Pa55w0rd!";
const OLD_PASSWORD: &str = "0ld-Pa55w0rd?";

fn encrypted_parameter() -> ConfigParameter {
    ConfigParameter {
        name: "adminPassword".into(),
        value: String::new(),
        secure_value: Some(Secret::new(PARAMETER_SECRET)),
        is_encrypted: true,
    }
}

fn alice() -> CsEntry {
    CsEntry {
        dn: "CN=Alice,OU=People,DC=example,DC=test".into(),
        object_type: "person".into(),
        ..Default::default()
    }
}

/// Both debug forms of `message`, checked for the secrets and for a visible marker that proves
/// the message was really printed.
#[track_caller]
fn assert_redacted(shown_in: &str, message: &impl std::fmt::Debug, visible: &str) {
    for shown in [format!("{message:?}"), format!("{message:#?}")] {
        for secret in [PARAMETER_SECRET, NEW_PASSWORD, OLD_PASSWORD] {
            assert!(!shown.contains(secret), "{shown_in} leaks a secret: {shown}");
        }
        assert!(
            shown.contains("<redacted>"),
            "{shown_in} shows no redaction marker: {shown}"
        );
        assert!(
            shown.contains(visible),
            "{shown_in} should still show {visible:?}: {shown}"
        );
    }
}

#[test]
fn config_parameters_hide_their_secure_value() {
    let parameter = encrypted_parameter();
    assert_eq!(parameter.secure_value.as_ref().unwrap().expose(), PARAMETER_SECRET);
    assert_redacted("ConfigParameter", &parameter, "adminPassword");
    assert_redacted(
        "GetSchemaRequest",
        &GetSchemaRequest {
            config_parameters: vec![encrypted_parameter()],
        },
        "adminPassword",
    );
    assert_redacted(
        "OpenImportConnectionRequest",
        &OpenImportConnectionRequest {
            config_parameters: vec![encrypted_parameter()],
            ..Default::default()
        },
        "adminPassword",
    );
}

#[test]
fn password_requests_hide_the_passwords() {
    let set = SetPasswordRequest {
        session_id: "5f0c3c1e-8a55-4c1f-9b1b-1f0e5c3a7d21".into(),
        csentry: Some(alice()),
        new_password: Some(Secret::new(NEW_PASSWORD)),
        options: vec![
            PasswordOption::UnlockAccount as i32,
            PasswordOption::ValidatePassword as i32,
        ],
    };
    assert_eq!(set.new_password.as_ref().unwrap().expose(), NEW_PASSWORD);
    assert_redacted("SetPasswordRequest", &set, "CN=Alice");

    let change = ChangePasswordRequest {
        session_id: "5f0c3c1e-8a55-4c1f-9b1b-1f0e5c3a7d21".into(),
        csentry: Some(alice()),
        old_password: Some(Secret::new(OLD_PASSWORD)),
        new_password: Some(Secret::new(NEW_PASSWORD)),
    };
    assert_redacted("ChangePasswordRequest", &change, "CN=Alice");
}

#[test]
fn an_empty_secret_says_so_rather_than_redacted() {
    let shown = format!("{:?}", Secret::new(""));
    assert!(shown.contains("<empty>"), "{shown}");
}

#[test]
fn secrets_travel_only_as_secret_messages() {
    let mut holders = BTreeSet::new();
    let mut failures = Vec::new();
    for message in pool().all_messages().filter(|m| m.package_name() == PACKAGE) {
        for field in message.fields() {
            match field.kind() {
                Kind::Message(m) if m.full_name() == "ecma2.v1.Secret" => {
                    holders.insert(message.full_name().to_owned());
                }
                Kind::String | Kind::Bytes => {
                    let name = field.name().to_ascii_lowercase();
                    if name.contains("password") || name.contains("secret") {
                        failures.push(format!("{} looks secret but is not a Secret", field.full_name()));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // A new message holding a Secret must be added to the tests above.
    let expected: BTreeSet<String> = [
        "ecma2.v1.ChangePasswordRequest",
        "ecma2.v1.ConfigParameter",
        "ecma2.v1.SetPasswordRequest",
    ]
    .map(str::to_owned)
    .into_iter()
    .collect();
    assert_eq!(holders, expected);
}
