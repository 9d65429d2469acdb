//! The import run profiles with the sync engine's controller semantics: full and delta import
//! (paging until MoreToImport is false, obsolescence after a clean full import, the watermark
//! committed only as far as the last page before an object-level error, a delta without a
//! watermark refused). Every change that crosses can be written to a drop file; cancelling the
//! run closes the session with TerminatedByUser.

use std::io::Write;

use ecma2_proto::pb::*;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::connection::Engine;
use crate::error::{Error, Result, explain};
use crate::observe::{Event, Observer, Quiet};
use crate::pages::{self, ReadAhead};
use crate::scope::Containers;
use crate::space::{Fresh, Space, Upsert, anchor_key, apply_update};
use crate::summary::Summary;

/// Import options.
pub struct ImportOptions<'a> {
    /// The connector.
    pub connector: &'a str,
    /// Delta (true) or full.
    pub delta: bool,
    /// Page size; 0 for the connector's default.
    pub page_size: i32,
    /// Configuration parameters.
    pub params: Vec<ConfigParameter>,
    /// The partition to import (None: the connector's default) and the selected containers;
    /// objects outside them are dropped, and the nodes are passed to the connector.
    pub containers: Containers,
    /// Drop file.
    pub drop_file: Option<&'a mut dyn Write>,
    /// Where progress and object errors go (None: nowhere).
    pub observer: Option<&'a mut dyn Observer>,
    /// Cancelling this stops the run and closes the session with TerminatedByUser.
    pub cancel: CancellationToken,
}

impl<'a> ImportOptions<'a> {
    /// A full import of `connector`'s default partition with the connector's page size.
    pub fn new(connector: &'a str, params: Vec<ConfigParameter>) -> Self {
        Self {
            connector,
            delta: false,
            page_size: 0,
            params,
            containers: Containers::default(),
            drop_file: None,
            observer: None,
            cancel: CancellationToken::new(),
        }
    }
}

/// How many objects the bulk path (a full import into a connector with no objects) applies in
/// one transaction.
const BULK_COMMIT: usize = 50_000;

/// The sync engine stops a run after this many object-level errors.
pub const MAX_ERRORS: u64 = 5000;

/// Runs a full or delta import.
pub async fn import(engine: &Engine, space: &Space, options: ImportOptions<'_>) -> Result<Summary> {
    let connector = options.connector;
    let containers = &options.containers;
    let partition_name = containers.partition_key();
    let (inclusion, exclusion) = containers.nodes();
    let watermark = space.watermark(connector, &partition_name)?;
    if options.delta && watermark.is_none() {
        return Err(Error::NoWatermark {
            connector: connector.to_owned(),
            partition: partition_name,
        });
    }
    let mut quiet = Quiet;
    let observer: &mut dyn Observer = match options.observer {
        Some(o) => o,
        None => &mut quiet,
    };
    let cancel = options.cancel.clone();
    // Capabilities from GetCapabilitiesEx with the administrator's parameters when the
    // connector has it. DeltaImport gates delta runs: a connector that says false gets none.
    let caps = crate::capabilities::capabilities(engine, connector, &options.params).await?;
    if options.delta && caps.delta_import == Some(false) {
        return Err(Error::NoDeltaImport {
            connector: connector.to_owned(),
        });
    }
    // ConcurrentOperation = false: no other run of this connector while this one runs.
    let _run_lock = crate::lock::for_run(space, connector, &caps, "import")?;
    let started = Instant::now();
    let mut summary = Summary {
        profile: if options.delta { "delta import" } else { "full import" }.into(),
        ..Default::default()
    };
    let mut client = engine.connectors();
    let schema = engine.schema(connector, &options.params).await?;
    let open = client
        .open_import_connection(engine.request(
            connector,
            OpenImportConnectionRequest {
                config_parameters: options.params.clone(),
                types: schema,
                import_run_step: Some(OpenImportConnectionRunStep {
                    custom_data: if options.delta {
                        watermark.clone().unwrap_or_default()
                    } else {
                        String::new()
                    },
                    page_size: options.page_size,
                    import_type: if options.delta {
                        OperationType::Delta
                    } else {
                        OperationType::Full
                    } as i32,
                    step_partition: containers.partition.clone(),
                    inclusion_hierarchy_nodes: inclusion,
                    exclusion_hierarchy_nodes: exclusion,
                }),
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let session = open.session_id.clone();
    let mut drop_file = options.drop_file;
    // A full import into a connector with no objects takes the bulk path (see `space::fresh`):
    // objects are inserted without lookups, and several pages share a transaction (BULK_COMMIT
    // objects), since each commit rewrites every index page its pages touched. Nothing depends
    // on a page of a full import being committed alone: its watermark is stored after the last
    // page, and a crash before that leaves no watermark and no obsolescence, so the next full
    // import starts over either way.
    // Only without a partition: a run with partitions may store reference placeholders for
    // objects it has not seen yet, which the bulk path would not know of.
    let mut fresh = if options.delta || containers.partition.is_some() {
        None
    } else {
        space.fresh(connector)?
    };
    let bulk = fresh.is_some();
    let outcome = async {
        if !options.delta {
            space.clear_seen(connector, &partition_name)?;
        }
        let mut custom = open
            .results
            .map(|r| r.custom_data)
            .filter(|c| !c.is_empty())
            .or(if options.delta { watermark.clone() } else { None })
            .unwrap_or_default();
        let mut committed = if options.delta { watermark.clone() } else { None };
        let mut frozen = false;
        let expecting = space.expecting(connector)?;
        let unknown = space.unknown_count(connector)? > 0;
        let mut full_objects: Vec<CsEntryChange> = Vec::new();
        let mut ahead: Option<ReadAhead> = None;
        let mut uncommitted = 0usize;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Interrupted { profile: "import" });
            }
            // Guide, OperationType FullObject: "only the objects asked for should be returned".
            let asked: Vec<(String, String)> = full_objects.iter().map(|e| (anchor_key(e), e.dn.clone())).collect();
            let mut answered: Vec<String> = Vec::new();
            let page = match ahead.as_mut() {
                Some(ahead) => ahead.page(connector).await?,
                None => {
                    let request = pages::request(
                        engine,
                        connector,
                        &session,
                        custom.clone(),
                        std::mem::take(&mut full_objects),
                    );
                    pages::read(engine.connectors(), request, cancel.clone()).await?
                }
            };
            // A full import's next request needs only this page's watermark: read the next
            // pages from here on in the background, so the connector works while the connector
            // space applies and commits.
            if !options.delta && page.results.more_to_import && ahead.is_none() {
                ahead = Some(ReadAhead::start(
                    engine,
                    connector,
                    &session,
                    page.results.custom_data.clone(),
                    cancel.clone(),
                ));
            }
            let mut page_errors = 0u64;
            if !space.in_transaction() {
                space.begin()?;
            }
            uncommitted += page.entries.len();
            for mut entry in page.entries {
                if cancel.is_cancelled() {
                    space.commit()?;
                    return Err(Error::Interrupted { profile: "import" });
                }
                dn_from_anchor(&mut entry);
                if !asked.is_empty() {
                    let key = anchor_key(&entry);
                    if !asked.iter().any(|(k, _)| *k == key) {
                        space.commit()?;
                        return Err(Error::FullObjectReply {
                            connector: connector.to_owned(),
                            dn: entry.dn.clone(),
                            reason: format!(
                                "the reply holds {} ({key}), which was not asked for (asked: {})",
                                entry.dn,
                                asked.iter().map(|(_, dn)| dn.as_str()).collect::<Vec<_>>().join("; ")
                            ),
                        });
                    }
                    if entry.object_modification_type() != ObjectModificationType::Add
                        && entry.object_modification_type() != ObjectModificationType::Delete
                    {
                        space.commit()?;
                        return Err(Error::FullObjectReply {
                            connector: connector.to_owned(),
                            dn: entry.dn.clone(),
                            reason: format!(
                                "it came back as {}; a full object is an Add (or a Delete when it is gone)",
                                entry.object_modification_type().as_str_name()
                            ),
                        });
                    }
                    answered.push(key);
                }
                summary.objects += 1;
                if let Some(out) = drop_file.as_mut() {
                    writeln!(out, "{}", crate::drop::entry_json(&entry))?;
                }
                let code = MaImportError::try_from(entry.error_code_import).unwrap_or(MaImportError::Success);
                if !matches!(code, MaImportError::Success | MaImportError::Unspecified) {
                    page_errors += 1;
                    summary.errors += 1;
                    observer.event(Event::ImportObjectError {
                        dn: entry.dn.clone(),
                        code,
                        name: entry.error_name.clone(),
                        detail: entry.error_detail.clone(),
                    });
                    if matches!(
                        code,
                        MaImportError::ImportErrorCustomStopRun
                            | MaImportError::ImportErrorParseError
                            | MaImportError::ImportErrorReadError
                    ) {
                        space.commit()?;
                        return Err(Error::StopRun {
                            connector: connector.to_owned(),
                            dn: entry.dn.clone(),
                            code: format!("{code:?}"),
                        });
                    }
                    continue;
                }
                if let Some(problem) = stage(
                    space,
                    connector,
                    &partition_name,
                    containers,
                    &mut entry,
                    options.delta,
                    &mut summary,
                    &mut full_objects,
                    fresh.as_mut(),
                )? {
                    page_errors += 1;
                    summary.errors += 1;
                    observer.event(Event::ImportObjectError {
                        dn: entry.dn.clone(),
                        code: MaImportError::ImportErrorCustomContinueRun,
                        name: "update-of-unknown-object".into(),
                        detail: problem,
                    });
                    continue;
                }
                if expecting {
                    confirm(space, connector, &entry, &mut summary)?;
                }
                if unknown
                    && entry.object_modification_type() != ObjectModificationType::Delete
                    && space.confirm_unknown_add(connector, &entry.dn)?
                {
                    summary.confirmed += 1;
                }
            }
            let last = !page.results.more_to_import && full_objects.is_empty();
            if fresh.is_none() || last || uncommitted >= BULK_COMMIT {
                space.commit()?;
                uncommitted = 0;
            }
            if let Some((key, dn)) = asked.iter().find(|(k, _)| !answered.contains(k)) {
                return Err(Error::FullObjectReply {
                    connector: connector.to_owned(),
                    dn: dn.clone(),
                    reason: format!("the page after the request did not return it ({key})"),
                });
            }
            let results = page.results;
            summary.pages += 1;
            custom = results.custom_data.clone();
            // The freeze is a delta rule: a full import's watermark starts the next delta from
            // here, whatever its object errors (which suspend obsolescence instead).
            if page_errors > 0 && options.delta {
                frozen = true;
            } else if !frozen {
                committed = Some(results.custom_data.clone());
            }
            let rate = summary.objects as f64 / started.elapsed().as_secs_f64().max(1e-9);
            observer.event(Event::ImportPage {
                page: summary.pages,
                objects: summary.objects,
                errors: summary.errors,
                objects_per_second: rate,
            });
            if summary.errors >= MAX_ERRORS {
                return Err(Error::TooManyErrors { limit: MAX_ERRORS });
            }
            if !results.more_to_import && full_objects.is_empty() {
                break;
            }
        }
        Ok::<_, Error>((committed, frozen, custom))
    }
    .await;
    // The bulk path may stop with pages in an open transaction: what it applied stays applied,
    // as the pages committed one by one do on the general path (a half-applied page of an empty
    // connector's first import is harmless: no watermark and no obsolescence come of it).
    if bulk
        && space.in_transaction()
        && let Err(e) = space.commit()
    {
        tracing::warn!(connector, error = %e, "committing the objects of the stopped import failed");
    }
    // A Ctrl-C that came after the last page still stops the run: the operator asked.
    let outcome = match outcome {
        Ok(_) if cancel.is_cancelled() => Err(Error::Interrupted { profile: "import" }),
        other => other,
    };
    let (reason, last) = match &outcome {
        Ok((_, _, last)) => (CloseReason::Normal, last.clone()),
        Err(_) => (CloseReason::TerminatedByUser, String::new()),
    };
    let closed = client
        .close_import_connection(engine.request(
            connector,
            CloseImportConnectionRequest {
                session_id: session.clone(),
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: reason as i32,
                    custom_data: last,
                }),
            },
        ))
        .await;
    observer.event(Event::ProgressDone);
    if let (Err(_), Err(status)) = (&outcome, &closed) {
        tracing::warn!(connector, session = %session, error = %status.message(), code = ?status.code(), "closing the interrupted import failed");
    }
    let (mut committed, frozen, _) = outcome?;
    let closed = closed.map_err(explain)?.into_inner();
    if let Some(c) = closed.results.map(|r| r.custom_data).filter(|c| !c.is_empty())
        && !frozen
    {
        committed = Some(c);
    }
    if !options.delta {
        if summary.errors == 0 {
            summary.deletes += space.delete_unseen(connector, &partition_name)? as u64;
        } else {
            observer.event(Event::ObsolescenceSkipped { errors: summary.errors });
        }
    }
    if let Some(w) = &committed {
        space.set_watermark(connector, &partition_name, w)?;
    }
    // Adds whose export outcome was unknown and that this import did not show did not happen.
    space.release_unknown(connector)?;
    for (dn, kind) in space.unconfirmed(connector)? {
        summary.warnings += 1;
        space.confirm(connector, &dn)?;
        observer.event(Event::ExportedChangeNotReimported { dn, kind });
    }
    summary.watermark = committed;
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    summary.objects_per_second = summary.objects as f64 / summary.elapsed_seconds.max(1e-9);
    Ok(summary)
}

/// Guide, "The connector space": with DN style None the sync engine copies the anchor into the
/// DN, so every object has one and no two objects share an empty DN.
pub(crate) fn dn_from_anchor(entry: &mut CsEntryChange) {
    if entry.dn.is_empty() && !entry.anchor_attributes.is_empty() {
        entry.dn = anchor_dn(&entry.anchor_attributes);
    }
}

/// The DN the connector space gives an object of a DN style None connector: its anchor values.
pub(crate) fn anchor_dn(anchors: &[AnchorAttribute]) -> String {
    anchors
        .iter()
        .map(|a| crate::space::value_text(a.value.as_ref()))
        .collect::<Vec<_>>()
        .join("+")
}

/// Applies one imported change to the connector space (`entry` is borrowed mutably only to be
/// encoded in place). Returns an object-level problem (an
/// Update of an object the space does not know, where no FullObject request is due).
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn stage(
    space: &Space,
    connector: &str,
    partition: &str,
    containers: &Containers,
    entry: &mut CsEntryChange,
    delta: bool,
    summary: &mut Summary,
    full_objects: &mut Vec<CsEntryChange>,
    fresh: Option<&mut Fresh>,
) -> Result<Option<String>> {
    let key = anchor_key(entry);
    let in_scope = containers.contains(&entry.dn);
    match entry.object_modification_type() {
        ObjectModificationType::Add | ObjectModificationType::Replace if in_scope => {
            let outcome = match fresh {
                Some(fresh) => space.upsert_fresh(fresh, connector, partition, key, entry)?,
                None => space.upsert(connector, partition, entry)?,
            };
            match outcome {
                Upsert::Added => summary.adds += 1,
                Upsert::Updated => summary.updates += 1,
                Upsert::Unchanged => {}
            }
            // References into partitions not yet imported get placeholders.
            summary.placeholders += space.placeholders_for(connector, containers, entry)?;
        }
        ObjectModificationType::Add | ObjectModificationType::Replace => {
            // Guide: an object "in an out-of-scope OU" is ignored and not staged; one that was
            // in scope has moved out of it.
            summary.dropped += 1;
            if delta && space.remove(connector, &key)? {
                summary.deletes += 1;
            }
        }
        ObjectModificationType::Update if delta => match space.get(connector, &key)? {
            Some(mut stored) => {
                // Same anchor, new DN: a rename; the object keeps its identity and moves.
                if !entry.dn.is_empty() && entry.anchor_attributes == stored.anchor_attributes {
                    stored.dn = entry.dn.clone();
                }
                apply_update(&mut stored, entry)?;
                if containers.contains(&stored.dn) {
                    space.put(connector, partition, &stored)?;
                    summary.updates += 1;
                    summary.placeholders += space.placeholders_for(connector, containers, entry)?;
                } else {
                    // Renamed out of the selected containers.
                    space.remove(connector, &key)?;
                    summary.dropped += 1;
                    summary.deletes += 1;
                }
            }
            None if !in_scope => summary.dropped += 1,
            None if containers.has_hierarchy() => {
                // Guide, OperationType FullObject: with hierarchies, an object renamed from an
                // out-of-scope container into scope arrives known only by its DN: ask for it in
                // full on the next page.
                full_objects.push(CsEntryChange {
                    identifier: entry.identifier.clone(),
                    object_type: entry.object_type.clone(),
                    dn: entry.dn.clone(),
                    anchor_attributes: entry.anchor_attributes.clone(),
                    ..Default::default()
                });
            }
            None => {
                return Ok(Some(format!(
                    "an Update of {} ({key}), which the connector space does not have; no container is \
                     excluded, so this is not the guide's FullObject case",
                    entry.dn
                )));
            }
        },
        ObjectModificationType::Delete if delta => {
            if space.remove(connector, &key)? {
                summary.deletes += 1;
            }
        }
        other => {
            return Err(Error::InvalidModification {
                connector: connector.to_owned(),
                modification: format!("{other:?}"),
                dn: entry.dn.clone(),
                profile: if delta { "delta import" } else { "full import" },
            });
        }
    }
    Ok(None)
}

/// Confirms an exported change when the import shows it with the exported values.
fn confirm(space: &Space, connector: &str, entry: &CsEntryChange, summary: &mut Summary) -> Result<()> {
    let Some((kind, expected)) = space.expectation(connector, &entry.dn)? else {
        return Ok(());
    };
    let deleted = entry.object_modification_type() == ObjectModificationType::Delete;
    let ok = if kind == "delete" {
        deleted
    } else if deleted {
        false
    } else {
        let stored = space.get_by_dn(connector, &entry.dn)?.unwrap_or_default();
        expected.attribute_changes.iter().all(|a| {
            let have: Vec<_> = stored
                .attribute_changes
                .iter()
                .find(|s| s.name == a.name)
                .map(|s| s.value_changes.iter().filter_map(|v| v.value.clone()).collect())
                .unwrap_or_default();
            if a.modification_type() == AttributeModificationType::Delete {
                return have.is_empty();
            }
            a.value_changes.iter().all(|v| {
                let present = v.value.as_ref().is_some_and(|x| have.contains(x));
                match v.modification_type() {
                    ValueModificationType::Delete => !present,
                    _ => present,
                }
            })
        })
    };
    if ok {
        summary.confirmed += 1;
        space.confirm(connector, &entry.dn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchored(id: &str) -> CsEntryChange {
        CsEntryChange {
            object_modification_type: ObjectModificationType::Add as i32,
            object_type: "person".into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: AttributeType::String as i32,
                value: Some(AttributeValue {
                    kind: Some(attribute_value::Kind::StringValue(id.into())),
                }),
            }],
            ..Default::default()
        }
    }

    /// DN style None: objects arrive without a DN; each gets its anchor as DN and none replaces
    /// another in the connector space.
    #[test]
    fn dn_style_none_copies_the_anchor_into_the_dn() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        for id in ["1", "2"] {
            let mut entry = anchored(id);
            dn_from_anchor(&mut entry);
            assert_eq!(entry.dn, id);
            space.upsert("c", "default", &mut entry).unwrap();
        }
        assert_eq!(space.count("c").unwrap(), 2, "no two objects collapse into one");
        assert!(space.get_by_dn("c", "2").unwrap().is_some());
    }
}
