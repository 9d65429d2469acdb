//! The commands that read and change the state directory: saved connector configuration
//! (`ecma2 config`), the pending list (`ecma2 pending`) and the run history (`ecma2 runs`).

use std::path::Path;

use anyhow::Result;
use clap::Subcommand;
use ecma2_proto::pb::ObjectModificationType;
use serde_json::json;

use ecma2_engine::history::History;
use ecma2_engine::saved::Store;
use ecma2_engine::{Engine, Space};

use crate::output::{Usage, emit, plural, table};
use crate::params::{self, Given, SecretArgs};

/// `ecma2 config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Save parameters of a connector so later commands need no --param. Secrets come from
    /// --secret (prompt), --secret-file or --secret-env, never from --param.
    Set {
        /// The connector's name in the host.
        #[arg(long)]
        connector: String,
        /// A parameter to save, `name=value` (repeatable).
        #[arg(long = "param", value_parser = params::parse_pair)]
        params: Vec<(String, String)>,
        #[command(flatten)]
        secrets: SecretArgs,
    },
    /// Show saved parameters (secrets redacted).
    Show {
        /// Only this connector.
        #[arg(long)]
        connector: Option<String>,
    },
    /// Forget saved parameters.
    Unset {
        /// The connector.
        #[arg(long)]
        connector: String,
        /// The parameters to forget.
        names: Vec<String>,
        /// Forget every saved parameter of the connector.
        #[arg(long, conflicts_with = "names")]
        all: bool,
    },
}

/// `ecma2 config set`: checks the names and types against the connector's definitions first.
pub async fn config_set(
    engine: &Engine,
    state: &Path,
    connector: &str,
    plain: &[(String, String)],
    secrets: &SecretArgs,
    json_out: bool,
) -> Result<()> {
    if plain.is_empty() && secrets.is_empty() {
        return Err(
            Usage("say what to save: --param NAME=VALUE, --secret NAME, --secret-file or --secret-env".into()).into(),
        );
    }
    let read = secrets.read()?;
    let given = Given {
        plain: plain.to_vec(),
        secrets: read,
    };
    let mut store = Store::open(state)?;
    // The Connectivity page first with nothing; the rest with what is saved and given.
    let mut known = params::merged(&store, connector, &[], &SecretArgs::default())?;
    known.plain.retain(|(n, _)| !given.plain.iter().any(|(g, _)| g == n));
    known.plain.extend(given.plain.iter().cloned());
    let typed = params::resolve(engine, connector, &known).await?;
    if let Some(definitions) = params::definitions(engine, connector, &typed).await {
        params::refuse_plain_secrets(&given.plain, &definitions)?;
        params::check_names(&given, &definitions, connector)?;
        // Check boxes are kept as ECMA2 stores them.
        let applied = params::apply(
            &Given {
                plain: given.plain.clone(),
                secrets: Vec::new(),
            },
            &definitions,
            connector,
        )?;
        for p in applied {
            store.set(connector, &p.name, &p.value);
        }
    } else {
        for (name, value) in &given.plain {
            store.set(connector, name, value);
        }
    }
    for (name, secret) in &given.secrets {
        store.set_secret(connector, name, secret)?;
    }
    store.save()?;
    let n = given.plain.len() + given.secrets.len();
    if json_out {
        emit(&json!({ "connector": connector, "saved": n, "file": store.path() }));
    } else {
        println!(
            "saved {} of {connector} in {}",
            plural(n as u64, "parameter", "parameters"),
            store.path().display()
        );
    }
    Ok(())
}

/// `ecma2 config show`.
pub fn config_show(state: &Path, connector: Option<&str>, json_out: bool) -> Result<()> {
    let store = Store::open(state)?;
    let names: Vec<String> = match connector {
        Some(c) => vec![c.to_owned()],
        None => store.connectors(),
    };
    let mut out = Vec::new();
    let mut t = table(&["connector", "parameter", "value"]);
    for name in &names {
        let saved = store.get(name);
        let mut parameters = serde_json::Map::new();
        for (k, v) in &saved.params {
            parameters.insert(k.clone(), json!(v));
            t.add_row(vec![name.as_str(), k.as_str(), v.as_str()]);
        }
        for k in saved.secrets.keys() {
            parameters.insert(k.clone(), json!("<redacted>"));
            t.add_row(vec![name.as_str(), k.as_str(), "<redacted: EncryptedString>"]);
        }
        out.push(
            json!({ "connector": name, "parameters": parameters, "secrets": saved.secrets.keys().collect::<Vec<_>>() }),
        );
    }
    if json_out {
        emit(&json!({ "file": store.path(), "connectors": out }));
    } else if t.row_count() == 0 {
        println!("no saved parameters in {}", store.path().display());
    } else {
        println!("{t}");
    }
    Ok(())
}

/// `ecma2 config unset`.
pub fn config_unset(state: &Path, connector: &str, names: &[String], all: bool, json_out: bool) -> Result<()> {
    let mut store = Store::open(state)?;
    let n = if all {
        store.clear(connector)
    } else {
        if names.is_empty() {
            return Err(Usage("say which parameters to forget, or --all".into()).into());
        }
        let saved = store.get(connector);
        if let Some(missing) = names
            .iter()
            .find(|n| !saved.params.contains_key(*n) && !saved.secrets.contains_key(*n))
        {
            let mut have: Vec<&String> = saved.params.keys().chain(saved.secrets.keys()).collect();
            have.sort();
            return Err(Usage(format!(
                "connector {connector} has no saved parameter {missing:?}; saved: {}",
                have.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
        names.iter().filter(|n| store.unset(connector, n)).count()
    };
    store.save()?;
    if json_out {
        emit(&json!({ "connector": connector, "removed": n }));
    } else {
        println!("forgot {} of {connector}", plural(n as u64, "parameter", "parameters"));
    }
    Ok(())
}

/// `ecma2 pending drop`.
#[derive(Debug, Subcommand)]
pub enum PendingCommand {
    /// Drop staged changes: one by its id (from `ecma2 pending`), or all of a connector's.
    Drop {
        /// The connector.
        #[arg(long)]
        connector: String,
        /// The staged change's id.
        #[arg(required_unless_present = "all")]
        id: Option<i64>,
        /// Every staged change of the connector.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

fn kind(change: &ecma2_proto::pb::CsEntryChange) -> &'static str {
    match change.object_modification_type() {
        ObjectModificationType::Add => "add",
        ObjectModificationType::Update => "update",
        ObjectModificationType::Delete => "delete",
        ObjectModificationType::Replace => "replace",
        _ => "none",
    }
}

/// `ecma2 pending`: staged changes (waiting for export, or whose export outcome the next import
/// decides) and exported changes the next import should confirm.
pub fn pending(state: &Path, connector: Option<&str>, json_out: bool) -> Result<()> {
    let space = Space::open(state)?;
    let names: Vec<String> = match connector {
        Some(c) => vec![c.to_owned()],
        None => space.pending_connectors()?,
    };
    let mut out = Vec::new();
    let mut t = table(&["connector", "id", "state", "op", "type", "dn", "attributes"]);
    for name in &names {
        let staged = space.staged(name)?;
        let unconfirmed = space.unconfirmed(name)?;
        let mut items = Vec::new();
        for s in &staged {
            let state = if s.outcome_unknown { "outcome-unknown" } else { "staged" };
            let attributes: Vec<&str> = s.change.attribute_changes.iter().map(|a| a.name.as_str()).collect();
            t.add_row(vec![
                name.clone(),
                s.id.to_string(),
                state.into(),
                kind(&s.change).into(),
                s.change.object_type.clone(),
                s.change.dn.clone(),
                attributes.join(", "),
            ]);
            items.push(json!({
                "id": s.id, "state": state, "op": kind(&s.change), "type": s.change.object_type,
                "dn": s.change.dn, "attributes": attributes,
            }));
        }
        for (dn, k) in &unconfirmed {
            t.add_row(vec![
                name.clone(),
                String::new(),
                "awaiting-confirmation".into(),
                k.clone(),
                String::new(),
                dn.clone(),
                String::new(),
            ]);
        }
        out.push(json!({
            "connector": name,
            "staged": items,
            "awaiting_confirmation": unconfirmed.iter().map(|(dn, k)| json!({"dn": dn, "op": k})).collect::<Vec<_>>(),
        }));
    }
    if json_out {
        emit(&json!({ "connectors": out }));
    } else if t.row_count() == 0 {
        println!("nothing pending");
    } else {
        println!("{t}");
    }
    Ok(())
}

/// `ecma2 pending drop`.
pub fn pending_drop(state: &Path, connector: &str, id: Option<i64>, all: bool, json_out: bool) -> Result<()> {
    let space = Space::open(state)?;
    let n = match (id, all) {
        (_, true) => space.drop_all_staged(connector)?,
        (Some(id), false) => {
            if !space.drop_staged(connector, id)? {
                let ids: Vec<String> = space.staged(connector)?.iter().map(|s| s.id.to_string()).collect();
                return Err(Usage(format!(
                    "connector {connector} has no staged change {id}; its staged ids: {}",
                    if ids.is_empty() {
                        "none".to_owned()
                    } else {
                        ids.join(", ")
                    }
                ))
                .into());
            }
            1
        }
        (None, false) => return Err(Usage("say which change to drop: ID, or --all".into()).into()),
    };
    if json_out {
        emit(&json!({ "connector": connector, "dropped": n }));
    } else {
        println!(
            "dropped {} of {connector}",
            plural(n as u64, "staged change", "staged changes")
        );
    }
    Ok(())
}

/// `ecma2 runs`.
pub fn runs(state: &Path, connector: Option<&str>, last: usize, json_out: bool) -> Result<()> {
    let mut runs = History::new(state).list()?;
    if let Some(c) = connector {
        runs.retain(|r| r.connector == c);
    }
    let skip = runs.len().saturating_sub(last);
    let runs = &runs[skip..];
    if json_out {
        emit(&json!({ "runs": runs }));
        return Ok(());
    }
    if runs.is_empty() {
        println!("no runs recorded in {}", state.display());
        return Ok(());
    }
    let mut t = table(&[
        "id",
        "started",
        "connector",
        "profile",
        "partition",
        "adds",
        "updates",
        "deletes",
        "errors",
        "seconds",
        "outcome",
        "watermark",
    ]);
    for r in runs {
        t.add_row(vec![
            r.id.to_string(),
            r.started.clone(),
            r.connector.clone(),
            r.profile.clone(),
            r.partition.clone(),
            r.adds.to_string(),
            r.updates.to_string(),
            r.deletes.to_string(),
            r.errors.to_string(),
            format!("{:.2}", r.elapsed_seconds),
            match &r.error {
                Some(e) => format!("{}: {e}", r.outcome.as_str()),
                None => r.outcome.as_str().to_owned(),
            },
            r.watermark.clone().unwrap_or_default(),
        ]);
    }
    println!("{t}");
    Ok(())
}
