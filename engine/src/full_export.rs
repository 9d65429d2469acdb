//! The Full Export run profile (guide, FullExport: the connected directory "wants all objects
//! every time and not only changed objects"). It exists only for a connector whose FullExport
//! capability is true. The staged changes are applied to the connector space first; then every
//! object of the connector space is sent once, whole, as an Add with its anchor (a staged
//! password travels with its object), on a session opened with ExportType Full. An object the
//! staged changes delete is simply not in the export. There are no reference passes: every
//! object is in the same export. What the connector accepted is unstaged and stored; a failed
//! object keeps its staged changes.

use std::collections::HashMap;
use std::io::Write as _;

use ecma2_proto::frames::{Framed, frame};
use ecma2_proto::pb::*;
use tokio::time::Instant;

use crate::capabilities::capabilities;
use crate::connection::Engine;
use crate::error::{Error, Result, explain};
use crate::export::ExportOptions;
use crate::observe::{Event, Observer, Quiet};
use crate::space::{Space, anchor_key, apply_update};
use crate::stage::PASSWORD_ATTRIBUTE;
use crate::summary::Summary;

/// One object of the export and the staged changes it carries.
struct Whole {
    entry: CsEntryChange,
    seqs: Vec<i64>,
}

/// Runs a full export of `options.connector` (the caller checked `options.full`).
pub async fn full_export(engine: &Engine, space: &Space, options: ExportOptions<'_>) -> Result<Summary> {
    let started = Instant::now();
    let connector = options.connector;
    let caps = capabilities(engine, connector, &options.params).await?;
    if caps.full_export != Some(true) {
        return Err(Error::NoFullExport {
            connector: connector.to_owned(),
        });
    }
    let partition = options.partition_key();
    let mut quiet = Quiet;
    let observer: &mut dyn Observer = match options.observer {
        Some(o) => o,
        None => &mut quiet,
    };
    let mut summary = Summary {
        profile: "full export".into(),
        ..Default::default()
    };
    let mut client = engine.connectors();
    let schema = engine.schema(connector, &options.params).await?.unwrap_or_default();
    // The connector space with the staged changes applied, keyed by lowercase DN.
    let mut objects: Vec<Whole> = space
        .objects(connector)?
        .into_iter()
        .map(|entry| Whole {
            entry,
            seqs: Vec::new(),
        })
        .collect();
    let mut by_dn: HashMap<String, usize> = objects
        .iter()
        .enumerate()
        .map(|(i, w)| (w.entry.dn.to_lowercase(), i))
        .collect();
    let mut deleted: Vec<(i64, String)> = Vec::new();
    for (seq, change) in space.pending(connector)? {
        let key = change.dn.to_lowercase();
        match change.object_modification_type() {
            ObjectModificationType::Delete => {
                if let Some(i) = by_dn.remove(&key) {
                    objects[i].seqs.push(seq);
                    objects[i].entry.dn.clear();
                }
                deleted.push((seq, change.dn.clone()));
            }
            ObjectModificationType::Add | ObjectModificationType::Replace => {
                let mut entry = change.clone();
                entry.object_modification_type = ObjectModificationType::Add as i32;
                match by_dn.get(&key) {
                    Some(&i) => {
                        entry.anchor_attributes = objects[i].entry.anchor_attributes.clone();
                        objects[i].entry = entry;
                        objects[i].seqs.push(seq);
                    }
                    None => {
                        by_dn.insert(key, objects.len());
                        objects.push(Whole { entry, seqs: vec![seq] });
                    }
                }
            }
            _ => {
                let Some(&i) = by_dn.get(&key) else {
                    return Err(Error::UnknownObject {
                        connector: connector.to_owned(),
                        modification: change.object_modification_type().as_str_name().to_owned(),
                        dn: change.dn.clone(),
                    });
                };
                apply_update(&mut objects[i].entry, &change)?;
                objects[i].seqs.push(seq);
                let new_key = objects[i].entry.dn.to_lowercase();
                if new_key != key {
                    by_dn.remove(&key);
                    by_dn.insert(new_key, i);
                }
            }
        }
    }
    objects.retain(|w| !w.entry.dn.is_empty());
    let open = client
        .open_export_connection(engine.request(
            connector,
            OpenExportConnectionRequest {
                config_parameters: options.params.clone(),
                types: Some(schema.clone()),
                export_run_step: Some(OpenExportConnectionRunStep {
                    export_type: OperationType::Full as i32,
                    batch_size: options.batch_size,
                    ..Default::default()
                }),
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let batch_size = open.batch_size.max(1) as usize;
    // The sync engine never exports an import-only attribute.
    let import_only: std::collections::HashSet<(String, String)> = schema
        .types
        .iter()
        .flat_map(|t| {
            t.attributes
                .iter()
                .filter(|a| a.allowed_attribute_operation() == AttributeOperation::ImportOnly)
                .map(|a| (t.name.clone(), a.name.clone()))
        })
        .collect();
    let normalizations: Vec<MaNormalization> = caps.normalizations().collect();
    let mut drop_file = options.drop_file;
    let outcome = async {
        for chunk in objects.chunks(batch_size) {
            if options.cancel.is_cancelled() {
                return Err(Error::Interrupted { profile: "full export" });
            }
            let mut sent = Vec::with_capacity(chunk.len());
            let mut frames = Vec::new();
            for w in chunk {
                let mut entry = w.entry.clone();
                entry.identifier = uuid::Uuid::new_v4().to_string();
                entry.object_modification_type = ObjectModificationType::Add as i32;
                entry
                    .attribute_changes
                    .retain(|a| !import_only.contains(&(entry.object_type.clone(), a.name.clone())));
                for a in &mut entry.attribute_changes {
                    a.modification_type = AttributeModificationType::Add as i32;
                }
                crate::normalize::apply(&normalizations, &mut entry);
                if let Some(out) = drop_file.as_mut() {
                    writeln!(out, "{}", crate::drop::entry_json(&entry))?;
                }
                match frame(entry.clone()) {
                    Framed::Whole(e) => frames.push(put_export_entries_request::Frame::Entry(e)),
                    Framed::Fragments(f) => {
                        frames.extend(f.into_iter().map(put_export_entries_request::Frame::EntryFragment))
                    }
                }
                sent.push(entry);
            }
            let requests: Vec<_> = frames
                .into_iter()
                .map(|f| PutExportEntriesRequest {
                    session_id: open.session_id.clone(),
                    frame: Some(f),
                })
                .collect();
            let call = client.put_export_entries(engine.request(connector, tokio_stream::iter(requests)));
            let results = tokio::select! {
                r = call => r.map_err(explain)?.into_inner().results.unwrap_or_default().cs_entry_change_results,
                _ = options.cancel.cancelled() => return Err(Error::Interrupted { profile: "full export" }),
            };
            summary.pages += 1;
            for (w, entry) in chunk.iter().zip(sent) {
                summary.objects += 1;
                let result = results.iter().find(|r| r.identifier == entry.identifier);
                let code = result.map(|r| r.error_code()).unwrap_or(MaExportError::Success);
                if !matches!(code, MaExportError::Success | MaExportError::Unspecified) {
                    summary.errors += 1;
                    observer.event(Event::ExportObjectError {
                        dn: entry.dn.clone(),
                        code,
                        name: result.map(|r| r.error_name.clone()).unwrap_or_default(),
                        detail: result.map(|r| r.error_detail.clone()).unwrap_or_default(),
                    });
                    continue;
                }
                summary.adds += 1;
                let mut stored = w.entry.clone();
                stored.attribute_changes.retain(|a| a.name != PASSWORD_ATTRIBUTE);
                for a in result.map(|r| r.anchor_attributes.as_slice()).unwrap_or_default() {
                    stored.anchor_attributes.retain(|x| x.name != a.name);
                    stored.anchor_attributes.push(AnchorAttribute {
                        name: a.name.clone(),
                        data_type: a.data_type,
                        value: a.value_changes.first().and_then(|v| v.value.clone()),
                    });
                }
                if let Some(old) = space.get_by_dn(connector, &entry.dn)? {
                    space.remove(connector, &anchor_key(&old))?;
                }
                space.put(connector, &partition, &stored)?;
                for seq in &w.seqs {
                    space.unstage(*seq)?;
                }
            }
            observer.event(Event::ExportPass {
                pass: 1,
                sent: summary.objects as usize,
                queued: objects.len(),
                errors: summary.errors,
            });
        }
        Ok(())
    }
    .await;
    let reason = if outcome.is_ok() {
        CloseReason::Normal
    } else {
        CloseReason::TerminatedByUser
    };
    let closed = client
        .close_export_connection(engine.request(
            connector,
            CloseExportConnectionRequest {
                session_id: open.session_id.clone(),
                export_run_step: Some(CloseExportConnectionRunStep { reason: reason as i32 }),
            },
        ))
        .await;
    observer.event(Event::ProgressDone);
    outcome?;
    closed.map_err(explain)?;
    // The deleted objects are not in the export: the directory no longer has them.
    for (seq, dn) in deleted {
        if let Some(old) = space.get_by_dn(connector, &dn)? {
            space.remove(connector, &anchor_key(&old))?;
            summary.deletes += 1;
        }
        space.unstage(seq)?;
    }
    summary.passes = 1;
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    summary.objects_per_second = summary.objects as f64 / summary.elapsed_seconds.max(1e-9);
    Ok(summary)
}
