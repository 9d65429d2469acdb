//! The run profiles as commands: import and export (each recorded in the run history, each
//! stopped by Ctrl-C), and staging, which checks every line of a changes file against the
//! connector's schema and connector space before it stages any of them.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result};
use ecma2_proto::pb::*;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use ecma2_engine::error::explain;
use ecma2_engine::history::{History, Outcome};
use ecma2_engine::{Containers, Engine, Error as EngineError, ImportOptions, Space, Summary, stage};

use crate::output::{Usage, emit, plural};
use crate::progress::Progress;

/// Prints a run's summary as one table line.
pub fn print_summary(summary: &Summary) {
    println!(
        "{:<13} adds {:>7}  updates {:>7}  deletes {:>7}  errors {:>5}  pages {:>5}  objects {:>8}  {:>9.0} obj/s  {:>7.2}s",
        summary.profile,
        summary.adds,
        summary.updates,
        summary.deletes,
        summary.errors,
        summary.pages,
        summary.objects,
        summary.objects_per_second,
        summary.elapsed_seconds
    );
    if summary.passes > 0 || summary.confirmed > 0 || summary.warnings > 0 {
        println!(
            "{:<13} passes {:>6}  confirmed {:>5}  warnings {:>5}",
            "", summary.passes, summary.confirmed, summary.warnings
        );
    }
}

/// Records a run's result in the history and prints it.
fn finish(
    state: &Path,
    connector: &str,
    profile: &str,
    partition: &str,
    started: SystemTime,
    result: Result<Summary, EngineError>,
    json_out: bool,
) -> Result<()> {
    let elapsed = started.elapsed().map(|d| d.as_secs_f64()).unwrap_or_default();
    let history = History::new(state);
    let recorded = match &result {
        Ok(summary) => history.record(connector, profile, partition, started, elapsed, Ok(summary)),
        Err(error) => {
            let outcome = match error {
                EngineError::Interrupted { .. } => Outcome::StoppedUserRequest,
                _ => Outcome::StoppedError,
            };
            history.record(
                connector,
                profile,
                partition,
                started,
                elapsed,
                Err((outcome, error.to_string())),
            )
        }
    };
    let run = match recorded {
        Ok(run) => Some(run.id),
        Err(e) => {
            eprintln!("ecma2: warning: {e}");
            None
        }
    };
    let summary = result?;
    if json_out {
        let mut value = serde_json::to_value(&summary)?;
        value["run"] = json!(run);
        value["connector"] = json!(connector);
        emit(&value);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

fn drop_writer(path: Option<&Path>) -> Result<Option<std::io::BufWriter<std::fs::File>>> {
    path.map(|p| {
        std::fs::File::create(p)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("creating {}", p.display()))
    })
    .transpose()
}

/// `ecma2 import`.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    engine: &Engine,
    state: &Path,
    connector: &str,
    params: Vec<ConfigParameter>,
    delta: bool,
    page_size: i32,
    containers: Containers,
    drop_file: Option<&Path>,
    cancel: CancellationToken,
    json_out: bool,
) -> Result<()> {
    let space = Space::open(state)?;
    let mut file = drop_writer(drop_file)?;
    let profile = if delta { "delta import" } else { "full import" };
    let partition = partition_name(&containers);
    let started = SystemTime::now();
    let mut progress = Progress::start(&format!("{profile} of {connector}"));
    let result = ecma2_engine::import(
        engine,
        &space,
        ImportOptions {
            connector,
            delta,
            page_size,
            params,
            containers,
            drop_file: file.as_mut().map(|f| f as &mut dyn std::io::Write),
            observer: Some(&mut progress),
            cancel,
        },
    )
    .await;
    progress.finish();
    finish(state, connector, profile, &partition, started, result, json_out)
}

/// What `ecma2 export` was asked to run.
pub struct ExportRun {
    /// Entries per PutExportEntries batch (0: the connector's default).
    pub batch_size: i32,
    /// A full export (ExportType Full), for connectors with the FullExport capability.
    pub full: bool,
    /// The partition and containers of the run.
    pub containers: Containers,
}

/// The history's name of a run's partition: its DN, or "default".
fn partition_name(containers: &Containers) -> String {
    containers
        .partition
        .as_ref()
        .map_or_else(|| "default".to_owned(), |p| p.dn.clone())
}

/// `ecma2 export`.
#[allow(clippy::too_many_arguments)]
pub async fn export(
    engine: &Engine,
    state: &Path,
    connector: &str,
    params: Vec<ConfigParameter>,
    run: ExportRun,
    drop_file: Option<&Path>,
    cancel: CancellationToken,
    json_out: bool,
) -> Result<()> {
    let space = Space::open(state)?;
    let mut file = drop_writer(drop_file)?;
    let started = SystemTime::now();
    let partition = partition_name(&run.containers);
    let profile = if run.full { "full export" } else { "export" };
    let mut progress = Progress::start(&format!("{profile} to {connector}"));
    let result = ecma2_engine::export(
        engine,
        &space,
        ecma2_engine::ExportOptions {
            connector,
            params,
            batch_size: run.batch_size,
            drop_file: file.as_mut().map(|f| f as &mut dyn std::io::Write),
            observer: Some(&mut progress),
            cancel,
            full: run.full,
            containers: run.containers,
        },
    )
    .await;
    progress.finish();
    finish(state, connector, profile, &partition, started, result, json_out)
}

/// The connector's schema.
pub async fn schema(engine: &Engine, connector: &str, params: Vec<ConfigParameter>) -> Result<Schema> {
    Ok(engine
        .connectors()
        .get_schema(engine.request(
            connector,
            GetSchemaRequest {
                config_parameters: params,
            },
        ))
        .await
        .map_err(explain)?
        .into_inner()
        .schema
        .unwrap_or_default())
}

/// Checks every line of `file` and stages them all, or none. Returns how many.
pub fn stage_file(space: &Space, connector: &str, schema: &Schema, file: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(file).map_err(|e| Usage(format!("reading {}: {e}", file.display())))?;
    let mut changes: Vec<CsEntryChange> = Vec::new();
    let staged_adds: Vec<String> = space
        .staged(connector)?
        .into_iter()
        .filter(|s| s.change.object_modification_type() == ObjectModificationType::Add)
        .map(|s| s.change.dn.to_lowercase())
        .collect();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |reason: String| Usage(format!("{} line {}: {reason}", file.display(), i + 1));
        let mut change = stage::parse_checked(line, schema).map_err(|e| at(e.to_string()))?;
        let dn = change.dn.to_lowercase();
        let added_here = changes
            .iter()
            .any(|c| c.object_modification_type() == ObjectModificationType::Add && c.dn.eq_ignore_ascii_case(&dn))
            || staged_adds.contains(&dn);
        match change.object_modification_type() {
            // An add of a DN the connector space holds goes through: the connector answers
            // ExistingObject for that entry, as the engine would report it.
            ObjectModificationType::Add => {}
            kind => match space.get_by_dn(connector, &change.dn)? {
                Some(object) => {
                    if change.object_type.is_empty() {
                        change.object_type = object.object_type.clone();
                        stage::check_attributes(&change, schema).map_err(|e| at(e.to_string()))?;
                    } else if !change.object_type.eq_ignore_ascii_case(&object.object_type) {
                        return Err(at(format!(
                            "{} is a {}, not a {}",
                            change.dn, object.object_type, change.object_type
                        ))
                        .into());
                    }
                }
                None if added_here => {}
                None => {
                    return Err(at(format!(
                        "{} {}: no such object in the connector space of {connector} (check the DN, or import first)",
                        format!("{kind:?}").to_lowercase(),
                        change.dn
                    ))
                    .into());
                }
            },
        }
        if change.object_type.is_empty() {
            stage::check_attributes(&change, schema).map_err(|e| at(e.to_string()))?;
        }
        changes.push(change);
    }
    space.begin()?;
    for change in &changes {
        if let Err(e) = space.stage(connector, change) {
            let _ = space.rollback();
            return Err(e.into());
        }
    }
    space.commit()?;
    Ok(changes.len())
}

/// `ecma2 stage`.
pub fn print_staged(connector: &str, n: usize, json_out: bool) {
    if json_out {
        emit(&json!({ "connector": connector, "staged": n }));
    } else {
        println!("staged {} for {connector}", plural(n as u64, "change", "changes"));
    }
}
