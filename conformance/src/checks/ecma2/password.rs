//! Passwords (guide, "Password", "Password security level"): `password-security-level` asks
//! the level in a password session; `password-set` sets a password on the kit's own object with
//! no option and with each option, in one session as the engine keeps it open;
//! `password-change` changes it with the right old password, and expects a wrong old password
//! refused with OldPasswordIncorrectException. The passwords are random and never reported.

use ecma2_proto::pb::*;

use super::support::{KitObject, add_kit_object, delete_kit_object, fault_name};
use crate::check::{Category, Check, Context, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

const WRITES: &str = "adds one object named ecma2-conformance-<tag>, sets and changes its password, then deletes it";
const NEEDS: &[Need] = &[
    Need::Interface(Ecma2Interface::Password),
    Need::Interface(Ecma2Interface::CallExport),
    Need::Interface(Ecma2Interface::CallImport),
];

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            id: "password-security-level",
            category: Category::Ecma2,
            rule: "GetConnectionSecurityLevel answers Secure or NotSecure in a password session",
            writes: None,
            needs: &[Need::Interface(Ecma2Interface::Password)],
            doc: "docs/connector-rules.md#passwords",
            run: run_fn!(security_level),
        },
        Check {
            id: "password-set",
            category: Category::Ecma2,
            rule: "SetPassword succeeds with no option and with each of ForceChangeAtLogOn, UnlockAccount and ValidatePassword, several in one session",
            writes: Some(WRITES),
            needs: NEEDS,
            doc: "docs/connector-rules.md#passwords",
            run: run_fn!(set),
        },
        Check {
            id: "password-change",
            category: Category::Ecma2,
            rule: "ChangePassword succeeds with the right old password and is refused with OldPasswordIncorrectException for a wrong one",
            writes: Some(WRITES),
            needs: NEEDS,
            doc: "docs/connector-rules.md#passwords",
            run: run_fn!(change),
        },
    ]
}

/// A password that meets common policies (length, four character classes) and contains no name.
fn password() -> Secret {
    let random = uuid::Uuid::new_v4().simple().to_string();
    Secret {
        value: format!("Kx{}!9q{}", &random[..8], &random[8..14]),
    }
}

/// A password session; closed by [`Passwords::close`].
struct Passwords<'s, 'e> {
    subject: &'s Subject<'e>,
    id: String,
}

impl<'s, 'e> Passwords<'s, 'e> {
    async fn open(subject: &'s Subject<'e>) -> Result<Self, Failure> {
        let open = subject
            .client()
            .open_password_connection(subject.request(OpenPasswordConnectionRequest {
                config_parameters: subject.params.clone(),
                partition: None,
            }))
            .await
            .context("OpenPasswordConnection")?
            .into_inner();
        Ok(Self {
            subject,
            id: open.session_id,
        })
    }

    async fn level(&self) -> Result<ConnectionSecurityLevel, Failure> {
        Ok(self
            .subject
            .client()
            .get_connection_security_level(self.subject.request(GetConnectionSecurityLevelRequest {
                session_id: self.id.clone(),
            }))
            .await
            .context("GetConnectionSecurityLevel")?
            .into_inner()
            .level())
    }

    async fn set(&self, object: &KitObject, options: &[PasswordOption]) -> Result<(), tonic::Status> {
        self.subject
            .client()
            .set_password(self.subject.request(SetPasswordRequest {
                session_id: self.id.clone(),
                csentry: Some(csentry(object)),
                new_password: Some(password()),
                options: options.iter().map(|o| *o as i32).collect(),
            }))
            .await
            .map(|_| ())
    }

    async fn change(&self, object: &KitObject, old: &Secret, new: &Secret) -> Result<(), tonic::Status> {
        self.subject
            .client()
            .change_password(self.subject.request(ChangePasswordRequest {
                session_id: self.id.clone(),
                csentry: Some(csentry(object)),
                old_password: Some(old.clone()),
                new_password: Some(new.clone()),
            }))
            .await
            .map(|_| ())
    }

    async fn close(self) -> Result<(), Failure> {
        self.subject
            .client()
            .close_password_connection(
                self.subject
                    .request(ClosePasswordConnectionRequest { session_id: self.id }),
            )
            .await
            .context("ClosePasswordConnection")?;
        Ok(())
    }
}

/// The engine's CSEntry of the kit's object: DN, RDN, type and anchor attributes.
fn csentry(object: &KitObject) -> CsEntry {
    CsEntry {
        dn: object.dn.clone(),
        rdn: object.dn.split(',').next().unwrap_or_default().to_owned(),
        object_type: object.object_type.clone(),
        attributes: object
            .anchors
            .iter()
            .map(|a| Attrib {
                name: a.name.clone(),
                data_type: a.data_type,
                is_present: a.value.is_some(),
                values: a.value.clone().into_iter().collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

async fn security_level(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let session = Passwords::open(s).await?;
    let level = session.level().await;
    session.close().await?;
    let level = level?;
    Ok(match level {
        ConnectionSecurityLevel::Secure => Outcome::pass("Secure"),
        ConnectionSecurityLevel::NotSecure => {
            Outcome::pass("NotSecure: the host will not forward passwords to this connector")
        }
        other => Outcome::fail(format!(
            "{}: the answer must be Secure or NotSecure",
            other.as_str_name()
        )),
    })
}

/// Runs `body` on a fresh kit object in one password session; deletes the object afterwards.
async fn with_object<F>(s: &Subject<'_>, body: F) -> Result<Outcome, Failure>
where
    F: AsyncFnOnce(&Passwords<'_, '_>, &KitObject) -> Result<Outcome, Failure>,
{
    let probe = Passwords::open(s).await?;
    let level = probe.level().await;
    probe.close().await?;
    if level? != ConnectionSecurityLevel::Secure {
        return Ok(Outcome::skip(
            "the connector says NotSecure, so the host refuses to forward passwords to it",
        ));
    }
    let object = add_kit_object(s, None).await?;
    let outcome = async {
        let session = Passwords::open(s).await?;
        let result = body(&session, &object).await;
        let closed = session.close().await;
        let outcome = result?;
        closed?;
        Ok::<_, Failure>(outcome)
    }
    .await;
    let left = delete_kit_object(s, &object).await;
    Ok(match outcome {
        Ok(o) => o.left(left),
        Err(f) => Outcome::from(f).left(left),
    })
}

async fn set(s: &Subject<'_>) -> Result<Outcome, Failure> {
    with_object(s, async |session, object| {
        let cases: [&[PasswordOption]; 4] = [
            &[],
            &[PasswordOption::ForceChangeAtLogOn],
            &[PasswordOption::UnlockAccount],
            &[PasswordOption::ValidatePassword],
        ];
        for options in cases {
            if let Err(status) = session.set(object, options).await {
                let names: Vec<&str> = options.iter().map(|o| o.as_str_name()).collect();
                return Ok(Outcome::fail(format!(
                    "SetPassword with options {names:?} failed: {}",
                    fault_name(&status)
                ))
                .sent(format!("SetPassword({}, a new password, {names:?})", object.dn)));
            }
        }
        Ok(Outcome::pass(format!(
            "four passwords set on {} in one session: no option, ForceChangeAtLogOn, UnlockAccount, ValidatePassword",
            object.dn
        )))
    })
    .await
}

async fn change(s: &Subject<'_>) -> Result<Outcome, Failure> {
    with_object(s, async |session, object| {
        let (first, second, wrong) = (password(), password(), password());
        let set = SetPasswordRequest {
            session_id: session.id.clone(),
            csentry: Some(csentry(object)),
            new_password: Some(first.clone()),
            options: Vec::new(),
        };
        session
            .subject
            .client()
            .set_password(session.subject.request(set))
            .await
            .context("SetPassword (before the change)")?;
        match session.change(object, &wrong, &second).await {
            Ok(()) => {
                return Ok(
                    Outcome::fail("ChangePassword with a wrong old password succeeded").sent(format!(
                        "ChangePassword({}, a wrong old password, a new one)",
                        object.dn
                    )),
                );
            }
            Err(status) => {
                let kind = Fault::from_status(&status).map(|f| f.fault_kind());
                if kind == Some(FaultKind::EntryPointNotImplementedException) {
                    return Ok(Outcome::skip(
                        "ChangePassword is not implemented (EntryPointNotImplementedException)",
                    ));
                }
                if kind != Some(FaultKind::OldPasswordIncorrectException) {
                    return Ok(Outcome::fail(format!(
                        "a wrong old password was refused with {}, not OldPasswordIncorrectException",
                        fault_name(&status)
                    ))
                    .sent(format!(
                        "ChangePassword({}, a wrong old password, a new one)",
                        object.dn
                    )));
                }
            }
        }
        if let Err(status) = session.change(object, &first, &second).await {
            return Ok(Outcome::fail(format!(
                "ChangePassword with the right old password failed: {}",
                fault_name(&status)
            ))
            .sent(format!(
                "ChangePassword({}, the password just set, a new one)",
                object.dn
            )));
        }
        Ok(Outcome::pass(
            "a wrong old password is refused with OldPasswordIncorrectException; the right one changes it",
        ))
    })
    .await
}
