//! Password management: options, policy, old-password check, what is stored.

use ecma2_proto::pb::*;

use crate::support::*;

const ADA: &str = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";

struct Session {
    client: Client,
    id: String,
}

impl Session {
    async fn open(h: &InProcess) -> Session {
        let mut client = h.client.clone();
        let id = client
            .open_password_connection(OpenPasswordConnectionRequest {
                config_parameters: h.files.params(&[]),
                partition: Some(Partition {
                    dn: "DC=demo,DC=example".into(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner()
            .session_id;
        Session { client, id }
    }

    async fn set(&mut self, dn: &str, password: &str, options: &[PasswordOption]) -> Result<(), tonic::Status> {
        self.client
            .set_password(SetPasswordRequest {
                session_id: self.id.clone(),
                csentry: Some(CsEntry {
                    dn: dn.into(),
                    object_type: "user".into(),
                    ..Default::default()
                }),
                new_password: Some(Secret::new(password)),
                options: options.iter().map(|o| *o as i32).collect(),
            })
            .await
            .map(drop)
    }

    async fn change(&mut self, dn: &str, old: &str, new: &str) -> Result<(), tonic::Status> {
        self.client
            .change_password(ChangePasswordRequest {
                session_id: self.id.clone(),
                csentry: Some(CsEntry {
                    dn: dn.into(),
                    object_type: "user".into(),
                    ..Default::default()
                }),
                old_password: Some(Secret::new(old)),
                new_password: Some(Secret::new(new)),
            })
            .await
            .map(drop)
    }

    async fn close(mut self) {
        self.client
            .close_password_connection(ClosePasswordConnectionRequest { session_id: self.id })
            .await
            .unwrap();
    }
}

#[track_caller]
fn kind(result: Result<(), tonic::Status>) -> FaultKind {
    fault(&result.unwrap_err()).fault_kind()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_and_change_follow_the_options_and_the_policy() {
    let mut h = InProcess::start().await;
    let full = full_import(&mut h.client, h.files.params(&[]), 0).await.unwrap();
    let mut p = Session::open(&h).await;
    let level = p
        .client
        .get_connection_security_level(GetConnectionSecurityLevelRequest {
            session_id: p.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .level();
    assert_eq!(level, ConnectionSecurityLevel::Secure);

    // Lock the account (as the directory would after failed sign-ins).
    let db = rusqlite::Connection::open(&h.files.db).unwrap();
    db.execute("UPDATE objects SET locked = 1 WHERE dn = ?1", [ADA])
        .unwrap();

    // ValidatePassword enforces the policy; without it an administrator may set anything.
    let validate = [PasswordOption::ValidatePassword];
    assert_eq!(
        kind(p.set(ADA, "short", &validate).await),
        FaultKind::PasswordPolicyViolationException
    );
    assert_eq!(
        kind(p.set(ADA, "alllowercaseletters", &validate).await),
        FaultKind::PasswordPolicyViolationException
    );
    assert_eq!(
        kind(p.set(ADA, "xAda Lovelace9!", &validate).await),
        FaultKind::PasswordPolicyViolationException
    );
    p.set(ADA, "weak", &[]).await.expect("no validation, no policy");
    p.set(
        ADA,
        "Correct-Horse-7",
        &[
            PasswordOption::ForceChangeAtLogOn,
            PasswordOption::UnlockAccount,
            PasswordOption::ValidatePassword,
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        kind(p.set(ADA, "Correct-Horse-7", &validate).await),
        FaultKind::PasswordPolicyViolationException,
        "the current password again"
    );

    let after_set = delta_import(&mut h.client, h.files.params(&[]), full.watermark())
        .await
        .unwrap();
    let ada = by_dn(&after_set.entries(), ADA).clone();
    assert_eq!(
        values(&ada, "mustChangePassword"),
        [attribute_value::Kind::BooleanValue(true)]
    );
    assert_eq!(values(&ada, "lockedOut"), [attribute_value::Kind::BooleanValue(false)]);

    // Change: the old password must match; the policy always applies; the flag clears.
    assert_eq!(
        kind(p.change(ADA, "Wrong-Horse-7", "Battery-Staple-8").await),
        FaultKind::OldPasswordIncorrectException
    );
    assert_eq!(
        kind(p.change(ADA, "Correct-Horse-7", "short").await),
        FaultKind::PasswordPolicyViolationException
    );
    p.change(ADA, "Correct-Horse-7", "Battery-Staple-8").await.unwrap();
    assert_eq!(
        kind(p.change(ADA, "Correct-Horse-7", "Another-One-9").await),
        FaultKind::OldPasswordIncorrectException
    );
    let after_change = delta_import(&mut h.client, h.files.params(&[]), after_set.watermark())
        .await
        .unwrap();
    let ada = by_dn(&after_change.entries(), ADA).clone();
    assert_eq!(
        values(&ada, "mustChangePassword"),
        [attribute_value::Kind::BooleanValue(false)]
    );

    assert_eq!(
        kind(
            p.set("CN=Nobody,OU=People,DC=demo,DC=example", "Correct-Horse-7", &[])
                .await
        ),
        FaultKind::ObjectNotFoundException
    );
    assert_eq!(
        kind(
            p.set("CN=Engineers,OU=Groups,DC=demo,DC=example", "Correct-Horse-7", &[])
                .await
        ),
        FaultKind::ObjectTypeNotSupportedException
    );
    p.close().await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_salted_hash_is_stored_and_passwords_never_reach_the_logs_or_faults() {
    let h = InProcess::start().await;
    let mut p = Session::open(&h).await;
    let password = "Same-Secret-42";
    p.set(ADA, password, &[]).await.unwrap();
    p.set("CN=Grace Hopper,OU=People,DC=demo,DC=example", password, &[])
        .await
        .unwrap();
    let err = p.change(ADA, "Not-The-Old-1", "Another-Secret-2").await.unwrap_err();
    assert!(!err.message().contains("Not-The-Old-1") && !err.message().contains("Another-Secret-2"));
    p.close().await;
    let db = rusqlite::Connection::open(&h.files.db).unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>)> = db
        .prepare("SELECT password_salt, password_hash FROM objects WHERE password_hash IS NOT NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_ne!(rows[0].0, rows[1].0, "each password has its own salt");
    assert_ne!(rows[0].1, rows[1].1, "so the same password hashes differently");
    let raw = std::fs::read(&h.files.db).unwrap();
    assert!(
        !raw.windows(password.len()).any(|w| w == password.as_bytes()),
        "no clear text in the file"
    );
    let observed = std::fs::read_to_string(&h.files.observe).unwrap();
    assert!(!observed.contains(password));
    h.stop().await;
}
