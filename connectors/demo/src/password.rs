//! Password management (IMAExtensible2Password). Only a salted PBKDF2 hash is stored. Options:
//! ForceChangeAtLogOn sets `mustChangePassword`, UnlockAccount clears `lockedOut`, and
//! ValidatePassword enforces the policy below (a ChangePassword, being the user's own request,
//! always does). ChangePassword checks the old password first. The connection is local, so the
//! security level is Secure. Passwords never appear in logs or error messages.
//!
//! Policy: at least 8 characters, at least three of lower case, upper case, digits and other
//! characters, not containing the user's `cn`, and not the current password.

use ecma2_sdk::pb::{
    Attrib, ConnectionSecurityLevel, CsEntry, Partition, PasswordOption, Secret, attribute_value::Kind,
};
use ecma2_sdk::{Context, Error, Params, Password, Result, async_trait};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use tracing::info;

use crate::hash;
use crate::schema::{self, ANCHOR};
use crate::{Demo, dn, store};

/// Why a password is refused, without the password in it.
pub fn policy_violation(password: &str, cn: &str) -> Option<String> {
    if password.chars().count() < 8 {
        return Some("the password must have at least 8 characters".to_owned());
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&c| c).count() < 3 {
        return Some("the password must mix three of: lower case, upper case, digits, symbols".to_owned());
    }
    if cn.chars().count() >= 3 && password.to_lowercase().contains(&cn.to_lowercase()) {
        return Some("the password must not contain the account name".to_owned());
    }
    None
}

struct Account {
    id: String,
    cn: String,
    salt: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

impl Account {
    fn matches(&self, password: &str) -> bool {
        match (&self.salt, &self.hash) {
            (Some(salt), Some(hash)) => hash::same(&hash::pbkdf2(password.as_bytes(), salt, hash::ITERATIONS), hash),
            _ => false,
        }
    }
}

fn anchor(entry: &CsEntry) -> Option<String> {
    let attrib: &Attrib = entry.attributes.iter().find(|a| a.name == ANCHOR)?;
    attrib.values.iter().find_map(|v| match v.kind.as_ref() {
        Some(Kind::StringValue(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

fn account(conn: &Connection, entry: &CsEntry) -> Result<Account> {
    let by = |column: &str, key: &str| -> rusqlite::Result<Option<(Account, String)>> {
        conn.query_row(
            &format!("SELECT id, rdn, password_salt, password_hash, object_type FROM objects WHERE {column} = ?1"),
            [key],
            |r| {
                Ok((
                    Account {
                        id: r.get(0)?,
                        cn: r.get(1)?,
                        salt: r.get(2)?,
                        hash: r.get(3)?,
                    },
                    r.get(4)?,
                ))
            },
        )
        .optional()
    };
    let found = match anchor(entry) {
        Some(id) => by("id", &id),
        None => match dn::normalize(&entry.dn) {
            Ok(dn) => by("dn", &dn),
            Err(_) => Ok(None),
        },
    }
    .map_err(|e| Error::from(store::StoreError::from(e)))?;
    match found {
        None => Err(Error::object_not_found(format!(
            "no object {} in the directory",
            entry.dn
        ))),
        Some((_, t)) if t != schema::USER => Err(Error::object_type_not_supported(format!(
            "{} is a {t}; only users have passwords",
            entry.dn
        ))),
        Some((account, _)) => Ok(account),
    }
}

pub(crate) fn store_password(conn: &Connection, id: &str, password: &str, columns: &str) -> rusqlite::Result<()> {
    let salt = hash::salt();
    let hashed = hash::pbkdf2(password.as_bytes(), &salt, hash::ITERATIONS);
    conn.execute(
        &format!("UPDATE objects SET password_salt = ?1, password_hash = ?2{columns} WHERE id = ?3"),
        params![salt.to_vec(), hashed.to_vec(), id],
    )?;
    Ok(())
}

#[async_trait]
impl Password for Demo {
    async fn open_password_connection(&mut self, ctx: &Context, params: &Params, partition: &Partition) -> Result<()> {
        self.hooks = crate::observe::Hooks::from_params(params)?;
        self.hooks
            .observe(ctx, "open", json!({ "kind": "password", "partition": partition.dn }));
        self.hooks.maybe_panic(ctx);
        self.open_store(ctx, params).await?;
        Ok(())
    }

    async fn get_connection_security_level(&mut self, ctx: &Context) -> Result<ConnectionSecurityLevel> {
        self.hooks.maybe_panic(ctx);
        Ok(ConnectionSecurityLevel::Secure)
    }

    async fn set_password(
        &mut self,
        ctx: &Context,
        entry: &CsEntry,
        new_password: &Secret,
        options: &[PasswordOption],
    ) -> Result<()> {
        self.hooks.maybe_panic(ctx);
        let entry = entry.clone();
        let new = new_password.expose().to_owned();
        let validate = options.contains(&PasswordOption::ValidatePassword);
        let force = options.contains(&PasswordOption::ForceChangeAtLogOn);
        let unlock = options.contains(&PasswordOption::UnlockAccount);
        let outcome = self
            .store()?
            .run(move |conn| {
                let done = (|| {
                    let account = account(conn, &entry)?;
                    if validate {
                        if let Some(why) = policy_violation(&new, &account.cn) {
                            return Err(Error::password_policy_violation(why));
                        }
                        if account.matches(&new) {
                            return Err(Error::password_policy_violation(
                                "the password must differ from the current one",
                            ));
                        }
                    }
                    let columns = format!(
                        ", must_change_password = {}{}",
                        i32::from(force),
                        if unlock { ", locked = 0" } else { "" }
                    );
                    store_password(conn, &account.id, &new, &columns)
                        .map_err(|e| Error::from(store::StoreError::from(e)))?;
                    Ok(account.id)
                })();
                Ok(done)
            })
            .await?;
        let id = outcome?;
        info!(id = %id, validate, force, unlock, "password set");
        self.hooks.observe(
            ctx,
            "set_password",
            json!({ "id": id, "force_change": force, "unlock": unlock, "validate": validate }),
        );
        Ok(())
    }

    async fn change_password(
        &mut self,
        ctx: &Context,
        entry: &CsEntry,
        old_password: &Secret,
        new_password: &Secret,
    ) -> Result<()> {
        self.hooks.maybe_panic(ctx);
        let entry = entry.clone();
        let old = old_password.expose().to_owned();
        let new = new_password.expose().to_owned();
        let outcome = self
            .store()?
            .run(move |conn| {
                let done = (|| {
                    let account = account(conn, &entry)?;
                    if !account.matches(&old) {
                        return Err(Error::old_password_incorrect("the old password is not correct"));
                    }
                    if let Some(why) = policy_violation(&new, &account.cn) {
                        return Err(Error::password_policy_violation(why));
                    }
                    if old == new {
                        return Err(Error::password_policy_violation(
                            "the password must differ from the current one",
                        ));
                    }
                    store_password(conn, &account.id, &new, ", must_change_password = 0")
                        .map_err(|e| Error::from(store::StoreError::from(e)))?;
                    Ok(account.id)
                })();
                Ok(done)
            })
            .await?;
        let id = outcome?;
        info!(id = %id, "password changed");
        self.hooks.observe(ctx, "change_password", json!({ "id": id }));
        Ok(())
    }

    async fn close_password_connection(&mut self, ctx: &Context) -> Result<()> {
        // ClosePasswordConnection carries no reason; the SDK's shutdown path calls it as "Shutdown".
        let reason = if ctx.call() == "Shutdown" {
            "TerminatedShuttingDown"
        } else {
            "Normal"
        };
        self.hooks
            .observe(ctx, "close", json!({ "kind": "password", "reason": reason }));
        self.hooks.maybe_panic(ctx);
        self.store = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_explains_without_echoing_the_password() {
        assert!(policy_violation("Sh0rt!", "ada").unwrap().contains("8 characters"));
        assert!(policy_violation("alllowercase", "ada").unwrap().contains("three"));
        let named = policy_violation("Ada-Lovelace-1", "Ada Lovelace");
        assert_eq!(named, None, "the cn with its space is not contained");
        assert!(
            policy_violation("xxAda Lovelace1", "Ada Lovelace")
                .unwrap()
                .contains("account name")
        );
        assert_eq!(policy_violation("Correct-Horse-9", "ada"), None);
        for why in [policy_violation("Sh0rt!", "a"), policy_violation("alllowercase", "a")] {
            assert!(!why.unwrap().contains("Sh0rt"));
        }
    }
}
