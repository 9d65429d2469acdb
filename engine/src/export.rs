//! Export with the sync engine's controller semantics. Staged changes (from a JSON Lines file or
//! from another connector's space) are shaped by the connector's capabilities (ExportType,
//! DeleteAddAsReplace, NoReferenceValuesInFirstExport, ExportPasswordInFirstPass), ordered by
//! reference count, and sent in up to four passes: (1) adds and updates without references that
//! cannot succeed yet, (2) the deferred references as one update per object, (3) each reference
//! attribute by itself, (4) each reference value by itself. Export actions are honoured:
//! ConvertUpdateToAdd re-sends the object as an add, ProvisioningParent provisions the missing
//! container first, RetryReferenceAttribute moves references to the next pass. Anchors the
//! connector assigns are stored, and every exported change is remembered until a delta import
//! confirms it (per ObjectConfirmation).

use std::collections::HashSet;
use std::io::Write;

use ecma2_proto::frames::{Framed, frame};
use ecma2_proto::pb::*;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::capabilities::capabilities;
use crate::connection::Engine;
use crate::error::{Error, Result, explain};
use crate::import::MAX_ERRORS;
use crate::observe::{Event, Observer, Quiet};
use crate::scope::Containers;
use crate::space::{Space, anchor_key, apply_update, value_text};
use crate::stage::{AttrTypes, PASSWORD_ATTRIBUTE, attr_types, string, values};
use crate::summary::Summary;

/// The attribute change that renames an object (guide, ObjectRename: "the DN being changed ...
/// in an update").
pub const RENAME_ATTRIBUTE: &str = "DN";

/// The new DN a staged or exported Update asks for, if it renames.
pub fn new_dn(change: &CsEntryChange) -> Option<&str> {
    if change.object_modification_type() != ObjectModificationType::Update {
        return None;
    }
    change
        .attribute_changes
        .iter()
        .find(|a| a.name == RENAME_ATTRIBUTE)
        .and_then(|a| a.value_changes.first())
        .and_then(|v| match v.value.as_ref().and_then(|v| v.kind.as_ref()) {
            Some(attribute_value::Kind::StringValue(s) | attribute_value::Kind::ReferenceValue(s)) => Some(s.as_str()),
            _ => None,
        })
        .filter(|new| !new.eq_ignore_ascii_case(&change.dn))
}

/// Whether the connector's DN style is None (only an anchor; the DN is the anchor).
pub(crate) fn dn_style_none(caps: &MaCapabilities) -> bool {
    caps.distinguished_name_style() == MaDistinguishedNameStyle::None
}

fn is_success(code: MaExportError) -> bool {
    matches!(code, MaExportError::Success | MaExportError::Unspecified)
}

/// One object's export work.
#[derive(Debug, Clone)]
struct Work {
    seqs: Vec<i64>,
    kind: ObjectModificationType,
    object_type: String,
    dn: String,
    anchors: Vec<AnchorAttribute>,
    /// Attributes for pass 1.
    first: Vec<AttributeChange>,
    /// Reference attributes for pass 2.
    deferred: Vec<AttributeChange>,
    /// The password, when ExportPasswordInFirstPass is false: its own update after the add.
    password: Vec<AttributeChange>,
    /// For the add of a delete-add: the index of the delete it must wait for.
    after_delete: Option<usize>,
    /// The add (or the replace) reached the connector.
    added: bool,
    /// What is still pending once the object itself was exported (failed references).
    left: Vec<AttributeChange>,
    converted: bool,
    parent_provisioned: bool,
    failed: bool,
}

fn reference_count(w: &Work) -> usize {
    w.first
        .iter()
        .chain(&w.deferred)
        .filter(|a| a.data_type() == AttributeType::Reference)
        .map(|a| a.value_changes.len())
        .sum()
}

/// Export options.
pub struct ExportOptions<'a> {
    /// The connector.
    pub connector: &'a str,
    /// Configuration parameters.
    pub params: Vec<ConfigParameter>,
    /// Batch size; 0 for the connector's default.
    pub batch_size: i32,
    /// Drop file.
    pub drop_file: Option<&'a mut dyn Write>,
    /// Where progress and object errors go (None: nowhere).
    pub observer: Option<&'a mut dyn Observer>,
    /// Cancelling this stops the run and closes the session with TerminatedByUser.
    pub cancel: CancellationToken,
    /// A Full Export run (only for a connector whose FullExport capability is true): every
    /// object of the connector space, not only the staged changes (see [`crate::full_export`]).
    pub full: bool,
    /// The run's partition and selected containers: staged changes outside the partition wait
    /// for its run; nothing is exported into an excluded container.
    pub containers: Containers,
}

impl<'a> ExportOptions<'a> {
    /// The connector space's key of the run's partition.
    pub fn partition_key(&self) -> String {
        self.containers.partition_key()
    }

    /// An export of everything staged for `connector`, in the connector's batch size.
    pub fn new(connector: &'a str, params: Vec<ConfigParameter>) -> Self {
        Self {
            connector,
            params,
            batch_size: 0,
            drop_file: None,
            observer: None,
            cancel: CancellationToken::new(),
            full: false,
            containers: Containers::default(),
        }
    }
}

/// Exports everything staged for the connector.
pub async fn export(engine: &Engine, space: &Space, options: ExportOptions<'_>) -> Result<Summary> {
    // ConcurrentOperation = false: no other run of this connector while this one runs.
    let caps = capabilities(engine, options.connector, &options.params).await?;
    let profile = if options.full { "full export" } else { "export" };
    let _run_lock = crate::lock::for_run(space, options.connector, &caps, profile)?;
    if options.full {
        return crate::full_export::full_export(engine, space, options).await;
    }
    let started = Instant::now();
    let connector = options.connector;
    let mut summary = Summary {
        profile: "export".into(),
        ..Default::default()
    };
    let mut quiet = Quiet;
    let observer: &mut dyn Observer = match options.observer {
        Some(o) => o,
        None => &mut quiet,
    };
    let mut client = engine.connectors();
    let schema = engine.schema(connector, &options.params).await?.unwrap_or_default();
    let types = attr_types(&schema);
    let containers = &options.containers;
    let mut staged = Vec::new();
    for (seq, change) in space.pending(connector)? {
        let target = new_dn(&change).unwrap_or(&change.dn).to_owned();
        let in_partition = Containers {
            included: Vec::new(),
            excluded: Vec::new(),
            ..containers.clone()
        }
        .contains(&change.dn);
        if !in_partition {
            // Another partition's change: it waits for that partition's run.
            continue;
        }
        let refused = if !containers.contains(&target) || !containers.contains(&change.dn) {
            Some(
                Error::OutOfScope {
                    connector: connector.to_owned(),
                    dn: target.clone(),
                }
                .to_string(),
            )
        } else if target != change.dn && caps.object_rename == Some(false) {
            Some(
                Error::NoRename {
                    connector: connector.to_owned(),
                    dn: change.dn.clone(),
                    new_dn: target.clone(),
                }
                .to_string(),
            )
        } else {
            None
        };
        match refused {
            Some(reason) => {
                // Not sent; it stays staged.
                summary.errors += 1;
                observer.event(Event::ExportFailed {
                    dn: change.dn.clone(),
                    reason,
                });
            }
            None => staged.push((seq, change)),
        }
    }
    if staged.is_empty() {
        summary.elapsed_seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    let mut work = plan(space, connector, &caps, &staged)?;
    let open = client
        .open_export_connection(engine.request(
            connector,
            OpenExportConnectionRequest {
                config_parameters: options.params.clone(),
                types: Some(schema.clone()),
                export_run_step: Some(OpenExportConnectionRunStep {
                    export_type: OperationType::Delta as i32,
                    batch_size: options.batch_size,
                    step_partition: containers.partition.clone(),
                    inclusion_hierarchy_nodes: containers.nodes().0,
                    exclusion_hierarchy_nodes: containers.nodes().1,
                }),
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let mut run = Run {
        engine,
        space,
        connector,
        partition: containers.partition_key(),
        session: open.session_id.clone(),
        batch_size: open.batch_size.max(1) as usize,
        caps: &caps,
        schema: &schema,
        types: &types,
        summary: &mut summary,
        drop_file: options.drop_file,
        observer,
        in_flight: Vec::new(),
        cancel: options.cancel.clone(),
        cancelled: false,
    };
    let outcome = run.passes(&mut work).await;
    let in_flight = std::mem::take(&mut run.in_flight);
    // A Ctrl-C after the last batch still closes with TerminatedByUser; what was exported is
    // kept as exported.
    let interrupted = outcome.is_ok() && run.cancel.is_cancelled();
    let reason = if outcome.is_ok() && !interrupted {
        CloseReason::Normal
    } else {
        CloseReason::TerminatedByUser
    };
    let closed = client
        .close_export_connection(engine.request(
            connector,
            CloseExportConnectionRequest {
                session_id: open.session_id,
                export_run_step: Some(CloseExportConnectionRunStep { reason: reason as i32 }),
            },
        ))
        .await;
    if let Err(error) = outcome {
        keep_what_is_known(space, connector, &work, &in_flight)?;
        return Err(error);
    }
    closed.map_err(explain)?;
    for w in &work {
        if w.failed && !w.added {
            continue;
        }
        for seq in &w.seqs {
            space.unstage(*seq)?;
        }
        // The object is there; only what failed stays staged, as an update.
        if w.failed && !w.left.is_empty() {
            space.stage(connector, &still_pending(w))?;
        }
    }
    if interrupted {
        return Err(Error::Interrupted { profile: "export" });
    }
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    summary.objects_per_second = summary.objects as f64 / summary.elapsed_seconds.max(1e-9);
    Ok(summary)
}

/// After a run that failed: the batch on the wire has an unknown outcome (the next import
/// confirms it before any of its adds is sent again); objects added earlier in the run keep only
/// what they still had pending; everything else stays staged as it was.
fn keep_what_is_known(space: &Space, connector: &str, work: &[Work], in_flight: &[usize]) -> Result<()> {
    for (i, w) in work.iter().enumerate() {
        if in_flight.contains(&i) && !w.added {
            for seq in &w.seqs {
                space.mark_unknown(*seq)?;
            }
        } else if w.added {
            for seq in &w.seqs {
                space.unstage(*seq)?;
            }
            let mut rest = w.clone();
            rest.left.extend(w.deferred.iter().cloned());
            rest.left.extend(w.password.iter().cloned());
            if !rest.left.is_empty() {
                space.stage(connector, &still_pending(&rest))?;
            }
        }
    }
    Ok(())
}

/// The update that carries what is still pending for an object whose add went through.
fn still_pending(w: &Work) -> CsEntryChange {
    let mut attributes: Vec<AttributeChange> = Vec::new();
    for a in &w.left {
        let a = match a.modification_type() {
            AttributeModificationType::Add => AttributeChange {
                modification_type: AttributeModificationType::Update as i32,
                ..a.clone()
            },
            _ => a.clone(),
        };
        match attributes
            .iter_mut()
            .find(|x| x.name == a.name && x.modification_type() == AttributeModificationType::Update)
        {
            Some(x) if a.modification_type() == AttributeModificationType::Update => {
                x.value_changes.extend(a.value_changes)
            }
            _ => attributes.push(a),
        }
    }
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Update as i32,
        object_type: w.object_type.clone(),
        dn: w.dn.clone(),
        attribute_changes: attributes,
        ..Default::default()
    }
}

/// Turns staged changes into per-object work, applying DeleteAddAsReplace and the first-pass rules.
fn plan(space: &Space, connector: &str, caps: &MaCapabilities, staged: &[(i64, CsEntryChange)]) -> Result<Vec<Work>> {
    let adds: HashSet<String> = staged
        .iter()
        .filter(|(_, c)| c.object_modification_type() == ObjectModificationType::Add)
        .map(|(_, c)| c.dn.to_lowercase())
        .collect();
    let mut work: Vec<Work> = Vec::new();
    for (seq, change) in staged {
        let kind = change.object_modification_type();
        // A placeholder (a reference target of another partition, not yet imported) is no
        // object to update or delete: import its partition first.
        let known = space
            .get_by_dn(connector, &change.dn)?
            .filter(|k| !crate::space::is_placeholder(k));
        // DN style None: the connector space's DN is the anchor; the object is sent by it, as
        // stored (an add has no anchor yet: it goes with the DN it was staged with, often none).
        let dn = match &known {
            Some(k) if dn_style_none(caps) && kind != ObjectModificationType::Add => k.dn.clone(),
            _ => change.dn.clone(),
        };
        // An add is a new object: it never carries the anchor of an object that held its DN.
        let anchors = match kind {
            ObjectModificationType::Add => Vec::new(),
            _ => known.as_ref().map(|k| k.anchor_attributes.clone()).unwrap_or_default(),
        };
        if kind != ObjectModificationType::Add && known.is_none() {
            return Err(Error::UnknownObject {
                connector: connector.to_owned(),
                modification: kind.as_str_name().to_owned(),
                dn: change.dn.clone(),
            });
        }
        // A delete and an add of the same DN: one Replace when the connector wants it.
        if kind == ObjectModificationType::Add {
            if let Some(prev) = work
                .iter_mut()
                .find(|w| w.dn.eq_ignore_ascii_case(&change.dn) && w.kind == ObjectModificationType::Delete)
            {
                if caps.delete_add_as_replace.unwrap_or(true) {
                    prev.kind = ObjectModificationType::Replace;
                    prev.object_type = change.object_type.clone();
                    prev.first = change.attribute_changes.clone();
                    prev.seqs.push(*seq);
                    continue;
                }
            }
        }
        let mut first = Vec::new();
        let mut deferred = Vec::new();
        let mut password = Vec::new();
        for a in &change.attribute_changes {
            let is_ref = a.data_type() == AttributeType::Reference;
            let late_password = a.name == PASSWORD_ATTRIBUTE
                && kind == ObjectModificationType::Add
                && !caps.export_password_in_first_pass.unwrap_or(false);
            let targets_ready = a.value_changes.iter().all(|v| {
                let dn = value_text(v.value.as_ref());
                !adds.contains(&dn.to_lowercase()) && space.get_by_dn(connector, &dn).ok().flatten().is_some()
            });
            let no_refs_first =
                caps.no_reference_values_in_first_export.unwrap_or(false) && kind == ObjectModificationType::Add;
            if late_password {
                password.push(a.clone());
            } else if is_ref && (no_refs_first || !targets_ready) {
                deferred.push(a.clone());
            } else {
                first.push(a.clone());
            }
        }
        match work
            .iter_mut()
            .find(|w| w.dn.eq_ignore_ascii_case(&change.dn) && w.kind == kind && kind == ObjectModificationType::Update)
        {
            Some(w) => {
                w.first.extend(first);
                w.deferred.extend(deferred);
                w.password.extend(password);
                w.seqs.push(*seq);
            }
            None => work.push(Work {
                seqs: vec![*seq],
                kind,
                object_type: if change.object_type.is_empty() {
                    known.as_ref().map(|k| k.object_type.clone()).unwrap_or_default()
                } else {
                    change.object_type.clone()
                },
                dn,
                anchors,
                first,
                deferred,
                password,
                after_delete: None,
                added: false,
                left: Vec::new(),
                converted: false,
                parent_provisioned: false,
                failed: false,
            }),
        }
    }
    // Deletes first (a delete-add must free the DN), then by how many references an object holds.
    work.sort_by_key(|w| (w.kind != ObjectModificationType::Delete, reference_count(w)));
    // Delete-add: the add waits for its delete, and is suppressed when the delete fails.
    for i in 0..work.len() {
        if work[i].kind == ObjectModificationType::Add {
            work[i].after_delete = work
                .iter()
                .position(|d| d.kind == ObjectModificationType::Delete && d.dn.eq_ignore_ascii_case(&work[i].dn));
        }
    }
    Ok(work)
}

struct Run<'a, 'd, 'o> {
    engine: &'a Engine,
    space: &'a Space,
    connector: &'a str,
    /// The connector space's key of the run's partition.
    partition: String,
    session: String,
    batch_size: usize,
    caps: &'a MaCapabilities,
    schema: &'a Schema,
    types: &'a AttrTypes,
    summary: &'a mut Summary,
    drop_file: Option<&'d mut dyn Write>,
    observer: &'o mut dyn Observer,
    /// The work items of the batch on the wire, whose outcome is unknown if the call fails.
    in_flight: Vec<usize>,
    cancel: CancellationToken,
    cancelled: bool,
}

/// One entry sent and how to account for it.
struct Sent {
    index: usize,
    entry: CsEntryChange,
    refs: Vec<AttributeChange>,
}

impl Run<'_, '_, '_> {
    /// Shapes an attribute change per ExportType for an update of an existing object.
    fn shape(&self, dn: &str, a: &AttributeChange) -> Result<AttributeChange> {
        if a.name == RENAME_ATTRIBUTE {
            return Ok(a.clone());
        }
        let export_type = match self.caps.export_type() {
            MaExportType::Unspecified => MaExportType::ObjectReplace,
            t => t,
        };
        let value_level = match export_type {
            MaExportType::AttributeUpdate => a.is_multi_valued,
            MaExportType::MultivaluedReferenceAttributeUpdate => {
                a.is_multi_valued && a.data_type() == AttributeType::Reference
            }
            _ => false,
        };
        if a.modification_type() == AttributeModificationType::Delete {
            return Ok(a.clone());
        }
        let current: Vec<AttributeValue> = self
            .space
            .get_by_dn(self.connector, dn)?
            .and_then(|o| o.attribute_changes.into_iter().find(|c| c.name == a.name))
            .map(|c| c.value_changes.into_iter().filter_map(|v| v.value).collect())
            .unwrap_or_default();
        // The values the attribute should end up with.
        let mut target: Vec<AttributeValue> = match a.modification_type() {
            AttributeModificationType::Update => current.clone(),
            _ => Vec::new(),
        };
        for v in &a.value_changes {
            let Some(value) = v.value.clone() else { continue };
            match (a.modification_type(), v.modification_type()) {
                (AttributeModificationType::Update, ValueModificationType::Delete) => target.retain(|t| *t != value),
                _ => {
                    if !target.contains(&value) {
                        target.push(value)
                    }
                }
            }
        }
        if value_level {
            let mut changes: Vec<ValueChange> = target
                .iter()
                .filter(|v| !current.contains(v))
                .map(|v| ValueChange {
                    value: Some(v.clone()),
                    modification_type: ValueModificationType::Add as i32,
                })
                .collect();
            changes.extend(current.iter().filter(|v| !target.contains(v)).map(|v| ValueChange {
                value: Some(v.clone()),
                modification_type: ValueModificationType::Delete as i32,
            }));
            return Ok(AttributeChange {
                modification_type: AttributeModificationType::Update as i32,
                value_changes: changes,
                ..a.clone()
            });
        }
        if target.is_empty() {
            return Ok(AttributeChange {
                modification_type: AttributeModificationType::Delete as i32,
                value_changes: Vec::new(),
                ..a.clone()
            });
        }
        Ok(values(
            &a.name,
            a.data_type(),
            a.is_multi_valued,
            AttributeModificationType::Replace,
            target,
        ))
    }

    /// The entry for `w` carrying `attrs`, shaped for its kind and normalized as the
    /// connector's Normalizations ask.
    fn entry(&self, w: &Work, kind: ObjectModificationType, attrs: &[AttributeChange]) -> Result<CsEntryChange> {
        let mut entry = self.shaped(w, kind, attrs)?;
        let normalizations: Vec<MaNormalization> = self.caps.normalizations().collect();
        crate::normalize::apply(&normalizations, &mut entry);
        Ok(entry)
    }

    fn shaped(&self, w: &Work, kind: ObjectModificationType, attrs: &[AttributeChange]) -> Result<CsEntryChange> {
        let attribute_changes = match kind {
            ObjectModificationType::Delete => Vec::new(),
            ObjectModificationType::Add | ObjectModificationType::Replace => attrs
                .iter()
                .map(|a| AttributeChange {
                    modification_type: AttributeModificationType::Add as i32,
                    ..a.clone()
                })
                .collect(),
            _ if matches!(
                self.caps.export_type(),
                MaExportType::ObjectReplace | MaExportType::Unspecified
            ) =>
            {
                // ObjectReplace: the whole object, every attribute, as a Replace.
                let mut whole = self.space.get_by_dn(self.connector, &w.dn)?.unwrap_or_default();
                apply_update(
                    &mut whole,
                    &CsEntryChange {
                        attribute_changes: attrs.to_vec(),
                        ..Default::default()
                    },
                )?;
                // A rename travels as the DN change, beside the whole object.
                let mut attribute_changes = whole.attribute_changes;
                attribute_changes.extend(attrs.iter().filter(|a| a.name == RENAME_ATTRIBUTE).cloned());
                return Ok(CsEntryChange {
                    identifier: uuid::Uuid::new_v4().to_string(),
                    object_modification_type: ObjectModificationType::Replace as i32,
                    object_type: w.object_type.clone(),
                    dn: w.dn.clone(),
                    anchor_attributes: w.anchors.clone(),
                    attribute_changes,
                    ..Default::default()
                });
            }
            _ => attrs.iter().map(|a| self.shape(&w.dn, a)).collect::<Result<_>>()?,
        };
        Ok(CsEntryChange {
            identifier: uuid::Uuid::new_v4().to_string(),
            object_modification_type: kind as i32,
            object_type: w.object_type.clone(),
            dn: w.dn.clone(),
            anchor_attributes: w.anchors.clone(),
            attribute_changes,
            ..Default::default()
        })
    }

    async fn passes(&mut self, work: &mut [Work]) -> Result<()> {
        // Pass 1.
        let mut queue: Vec<(usize, ObjectModificationType, Vec<AttributeChange>)> = (0..work.len())
            .map(|i| (i, work[i].kind, work[i].first.clone()))
            .collect();
        let mut retry: Vec<(usize, AttributeChange)> = Vec::new();
        self.run_pass(1, work, &mut queue, &mut retry).await?;
        // Pass 2: every deferred reference of an object as one update.
        let mut queue: Vec<_> = work
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.failed && !w.deferred.is_empty())
            .map(|(i, w)| (i, ObjectModificationType::Update, w.deferred.clone()))
            .collect();
        for (i, a) in retry.drain(..) {
            match queue.iter_mut().find(|(q, _, _)| *q == i) {
                Some((_, _, attrs)) => attrs.push(a),
                None => queue.push((i, ObjectModificationType::Update, vec![a])),
            }
        }
        // ExportPasswordInFirstPass = false: the password follows the add in an update of its own.
        queue.extend(
            work.iter()
                .enumerate()
                .filter(|(_, w)| !w.failed && !w.password.is_empty())
                .map(|(i, w)| (i, ObjectModificationType::Update, w.password.clone())),
        );
        self.run_pass(2, work, &mut queue, &mut retry).await?;
        // Pass 3: each reference attribute by itself.
        let mut queue: Vec<_> = retry
            .drain(..)
            .map(|(i, a)| (i, ObjectModificationType::Update, vec![a]))
            .collect();
        self.run_pass(3, work, &mut queue, &mut retry).await?;
        // Pass 4: each reference value by itself.
        let mut queue: Vec<_> = retry
            .drain(..)
            .flat_map(|(i, a)| {
                a.value_changes
                    .iter()
                    .map(|v| {
                        let one = AttributeChange {
                            modification_type: AttributeModificationType::Update as i32,
                            value_changes: vec![ValueChange {
                                value: v.value.clone(),
                                modification_type: v.modification_type,
                            }],
                            ..a.clone()
                        };
                        (i, ObjectModificationType::Update, vec![one])
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        self.run_pass(4, work, &mut queue, &mut retry).await?;
        self.observer.event(Event::ProgressDone);
        for (i, a) in retry {
            work[i].failed = true;
            work[i].left.push(a.clone());
            self.summary.errors += 1;
            self.observer.event(Event::ExportFailed {
                dn: work[i].dn.clone(),
                reason: format!("reference {} could not be exported after four passes", a.name),
            });
        }
        Ok(())
    }

    async fn run_pass(
        &mut self,
        pass: u32,
        work: &mut [Work],
        queue: &mut Vec<(usize, ObjectModificationType, Vec<AttributeChange>)>,
        retry: &mut Vec<(usize, AttributeChange)>,
    ) -> Result<()> {
        if queue.is_empty() {
            return Ok(());
        }
        self.summary.passes = self.summary.passes.max(pass);
        let mut position = 0;
        while position < queue.len() {
            if self.cancelled || self.cancel.is_cancelled() {
                return Err(Error::Interrupted { profile: "export" });
            }
            let mut end = position;
            let mut batch: Vec<Sent> = Vec::new();
            while end < queue.len() && batch.len() < self.batch_size {
                let (index, kind, mut attrs) = queue[end].clone();
                if let Some(delete) = work[index].after_delete {
                    // Delete-add: the add goes in a batch after its delete's, and not at all
                    // when the delete failed.
                    if batch.iter().any(|b| b.index == delete) {
                        break;
                    }
                    if work[delete].failed && !work[index].failed {
                        work[index].failed = true;
                        self.observer.event(Event::ExportFailed {
                            dn: work[index].dn.clone(),
                            reason: "the add of a delete-add is suppressed: its delete failed".into(),
                        });
                    }
                }
                end += 1;
                if work[index].failed {
                    continue;
                }
                if pass == 1 {
                    attrs.extend(self.ready_references(&mut work[index])?);
                }
                if kind == ObjectModificationType::Update && attrs.is_empty() {
                    // Everything of this update waits for a later pass.
                    continue;
                }
                let entry = self.entry(&work[index], kind, &attrs)?;
                let refs = attrs
                    .iter()
                    .filter(|a| a.data_type() == AttributeType::Reference)
                    .cloned()
                    .collect();
                batch.push(Sent { index, entry, refs });
            }
            position = end;
            if batch.is_empty() {
                continue;
            }
            self.in_flight = batch.iter().map(|b| b.index).collect();
            let results = self.send(&batch).await?;
            self.in_flight.clear();
            for sent in batch {
                let result = results.iter().find(|r| r.identifier == sent.entry.identifier);
                let code = result.map(|r| r.error_code()).unwrap_or(MaExportError::Success);
                let w = &mut work[sent.index];
                match code {
                    c if is_success(c) => self.record(w, &sent.entry, result)?,
                    MaExportError::ExportActionRetryReferenceAttribute
                    | MaExportError::ExportErrorReferenceAttributeFailure
                        if pass < 4 =>
                    {
                        let without_refs = CsEntryChange {
                            attribute_changes: sent
                                .entry
                                .attribute_changes
                                .iter()
                                .filter(|a| a.data_type() != AttributeType::Reference)
                                .cloned()
                                .collect(),
                            ..sent.entry.clone()
                        };
                        self.record(w, &without_refs, result)?;
                        retry.extend(sent.refs.into_iter().map(|a| (sent.index, a)));
                    }
                    MaExportError::ExportActionConvertUpdateToAdd if !w.converted => {
                        w.converted = true;
                        let mut whole = self.space.get_by_dn(self.connector, &w.dn)?.unwrap_or_default();
                        apply_update(
                            &mut whole,
                            &CsEntryChange {
                                attribute_changes: w.first.clone(),
                                ..Default::default()
                            },
                        )?;
                        w.kind = ObjectModificationType::Add;
                        w.anchors.clear();
                        queue.push((sent.index, ObjectModificationType::Add, whole.attribute_changes));
                    }
                    MaExportError::ExportActionProvisioningParent if !w.parent_provisioned => {
                        w.parent_provisioned = true;
                        let (index, kind, attrs) = (sent.index, sent.entry.object_modification_type(), w.first.clone());
                        match self.parent(&w.dn) {
                            Some(parent) => {
                                self.observer.event(Event::ProvisioningParent {
                                    parent: parent.dn.clone(),
                                    dn: w.dn.clone(),
                                });
                                let result = self
                                    .send(&[Sent {
                                        index,
                                        entry: parent.clone(),
                                        refs: Vec::new(),
                                    }])
                                    .await?;
                                let r = result.iter().find(|r| r.identifier == parent.identifier);
                                if r.is_none_or(|r| is_success(r.error_code())) {
                                    self.store_new(&parent, r)?;
                                    queue.push((index, kind, attrs));
                                } else {
                                    w.failed = true;
                                    self.error(&w.dn, r);
                                }
                            }
                            None => {
                                w.failed = true;
                                self.observer.event(Event::ExportFailed {
                                    dn: w.dn.clone(),
                                    reason: "no schema type can provision its parent".into(),
                                });
                                self.summary.errors += 1;
                            }
                        }
                    }
                    _ => {
                        w.failed = true;
                        if w.added {
                            w.left.extend(sent.entry.attribute_changes.iter().cloned());
                        }
                        self.error(&w.dn, result);
                        if code == MaExportError::ExportErrorCustomStopRun {
                            return Err(Error::ExportStopRun {
                                connector: self.connector.to_owned(),
                                dn: w.dn.clone(),
                                detail: result.map(|r| r.error_detail.clone()).unwrap_or_default(),
                            });
                        }
                    }
                }
                if self.summary.errors >= MAX_ERRORS {
                    return Err(Error::TooManyErrors { limit: MAX_ERRORS });
                }
            }
            self.observer.event(Event::ExportPass {
                pass,
                sent: position.min(queue.len()),
                queued: queue.len(),
                errors: self.summary.errors,
            });
        }
        Ok(())
    }

    /// Pass 1: deferred references whose targets are now in the connector space (exported in
    /// an earlier batch of this run) go optimistically with the object, unless the connector
    /// wants no references in an add (NoReferenceValuesInFirstExport).
    fn ready_references(&self, w: &mut Work) -> Result<Vec<AttributeChange>> {
        if w.deferred.is_empty()
            || w.kind == ObjectModificationType::Delete
            || (w.kind == ObjectModificationType::Add && self.caps.no_reference_values_in_first_export.unwrap_or(false))
        {
            return Ok(Vec::new());
        }
        let mut ready = Vec::new();
        let mut waiting = Vec::new();
        for a in std::mem::take(&mut w.deferred) {
            let mut all = true;
            for v in &a.value_changes {
                if self
                    .space
                    .get_by_dn(self.connector, &value_text(v.value.as_ref()))?
                    .is_none()
                {
                    all = false;
                    break;
                }
            }
            if all { ready.push(a) } else { waiting.push(a) }
        }
        w.deferred = waiting;
        Ok(ready)
    }

    fn error(&mut self, dn: &str, result: Option<&CsEntryChangeResult>) {
        self.summary.errors += 1;
        if let Some(r) = result {
            self.observer.event(Event::ExportObjectError {
                dn: dn.to_owned(),
                code: r.error_code(),
                name: r.error_name.clone(),
                detail: r.error_detail.clone(),
            });
        }
    }

    /// An add of the missing parent container of `dn`, from the schema's provisioning hints.
    fn parent(&self, dn: &str) -> Option<CsEntryChange> {
        let (_, parent) = dn.split_once(',')?;
        let (first, _) = parent.split_once(',').unwrap_or((parent, ""));
        let (key, value) = first.split_once('=')?;
        let key = key.trim().to_lowercase();
        let t = self.schema.types.iter().find(|t| {
            t.possible_dn_components_for_provisioning
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&key))
        })?;
        let naming = t.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(&key));
        Some(CsEntryChange {
            identifier: uuid::Uuid::new_v4().to_string(),
            object_modification_type: ObjectModificationType::Add as i32,
            object_type: t.name.clone(),
            dn: parent.to_owned(),
            attribute_changes: naming
                .map(|a| {
                    vec![values(
                        &a.name,
                        a.data_type(),
                        false,
                        AttributeModificationType::Add,
                        vec![string(value.trim())],
                    )]
                })
                .unwrap_or_default(),
            ..Default::default()
        })
    }

    async fn send(&mut self, batch: &[Sent]) -> Result<Vec<CsEntryChangeResult>> {
        let mut frames = Vec::new();
        for sent in batch {
            if let Some(out) = self.drop_file.as_mut() {
                writeln!(out, "{}", crate::drop::entry_json(&sent.entry))?;
            }
            self.summary.objects += 1;
            match sent.entry.object_modification_type() {
                ObjectModificationType::Add => self.summary.adds += 1,
                ObjectModificationType::Delete => self.summary.deletes += 1,
                _ => self.summary.updates += 1,
            }
            match frame(sent.entry.clone()) {
                Framed::Whole(e) => frames.push(put_export_entries_request::Frame::Entry(e)),
                Framed::Fragments(f) => {
                    frames.extend(f.into_iter().map(put_export_entries_request::Frame::EntryFragment))
                }
            }
        }
        let frames: Vec<_> = frames
            .into_iter()
            .map(|f| PutExportEntriesRequest {
                session_id: self.session.clone(),
                frame: Some(f),
            })
            .collect();
        self.summary.pages += 1;
        let mut client = self.engine.connectors();
        let call = client.put_export_entries(self.engine.request(self.connector, tokio_stream::iter(frames)));
        let response = tokio::select! {
            r = call => r.map_err(explain)?,
            _ = self.cancel.cancelled() => {
                self.cancelled = true;
                return Err(Error::Interrupted { profile: "export" });
            }
        };
        Ok(response
            .into_inner()
            .results
            .unwrap_or_default()
            .cs_entry_change_results)
    }

    /// Stores an exported add with the anchor the connector returned; gives back what was stored.
    fn store_new(
        &mut self,
        entry: &CsEntryChange,
        result: Option<&CsEntryChangeResult>,
    ) -> Result<Option<CsEntryChange>> {
        let mut stored = entry.clone();
        if let Some(r) = result {
            for a in &r.anchor_attributes {
                stored.anchor_attributes.retain(|x| x.name != a.name);
                stored.anchor_attributes.push(AnchorAttribute {
                    name: a.name.clone(),
                    data_type: a.data_type,
                    value: a.value_changes.first().and_then(|v| v.value.clone()),
                });
            }
        }
        stored.attribute_changes.retain(|a| a.name != PASSWORD_ATTRIBUTE);
        if dn_style_none(self.caps) {
            // Guide, "The connector space": the anchor is copied into the DN. An add the
            // connector gave no anchor for cannot be told from another: the import brings it.
            if stored.anchor_attributes.is_empty() {
                return Ok(None);
            }
            stored.dn = crate::import::anchor_dn(&stored.anchor_attributes);
        }
        // Not yet anchored (other DN styles): keyed by DN until the confirming import brings
        // the anchor.
        self.space.put(self.connector, &self.partition, &stored)?;
        if self.caps.object_confirmation() != MaObjectConfirmation::NoAddAndDeleteConfirmation {
            self.space.expect(self.connector, &stored.dn, "add", &stored)?;
        }
        Ok(Some(stored))
    }

    /// Applies an exported entry to the connector space and remembers it for confirmation.
    fn record(&mut self, w: &mut Work, entry: &CsEntryChange, result: Option<&CsEntryChangeResult>) -> Result<()> {
        match entry.object_modification_type() {
            ObjectModificationType::Add => {
                w.added = true;
                if let Some(stored) = self.store_new(entry, result)? {
                    w.anchors = stored.anchor_attributes;
                    // DN style None: later passes address the object by its anchor.
                    w.dn = stored.dn;
                }
            }
            ObjectModificationType::Delete => {
                if let Some(known) = self.space.get_by_dn(self.connector, &entry.dn)? {
                    self.space.remove(self.connector, &anchor_key(&known))?;
                }
                if matches!(
                    self.caps.object_confirmation(),
                    MaObjectConfirmation::Normal | MaObjectConfirmation::Unspecified
                ) {
                    self.space.expect(self.connector, &entry.dn, "delete", entry)?;
                }
            }
            ObjectModificationType::Replace => {
                w.added = true;
                let mut stored = entry.clone();
                stored.anchor_attributes = w.anchors.clone();
                stored.attribute_changes.retain(|a| a.name != PASSWORD_ATTRIBUTE);
                self.space.put(self.connector, &self.partition, &stored)?;
                self.space.expect(self.connector, &entry.dn, "update", &stored)?;
            }
            _ => {
                if let Some(mut stored) = self.space.get_by_dn(self.connector, &entry.dn)? {
                    apply_update(&mut stored, entry)?;
                    stored.attribute_changes.retain(|a| a.name != PASSWORD_ATTRIBUTE);
                    self.space.put(self.connector, &self.partition, &stored)?;
                }
                // ObjectRename: the object now lives at its new DN, for the rest of the run and
                // for the confirming import.
                let dn = match new_dn(entry) {
                    Some(new) => {
                        w.dn = new.to_owned();
                        new.to_owned()
                    }
                    None => entry.dn.clone(),
                };
                let expected = CsEntryChange {
                    dn: dn.clone(),
                    attribute_changes: entry
                        .attribute_changes
                        .iter()
                        .filter(|a| a.name != PASSWORD_ATTRIBUTE && a.name != RENAME_ATTRIBUTE)
                        .cloned()
                        .collect(),
                    ..entry.clone()
                };
                if expected.attribute_changes.is_empty() && dn != entry.dn {
                    // A rename alone: the import confirms the object at its new DN.
                    self.space.expect(self.connector, &dn, "update", &expected)?;
                    return Ok(());
                }
                if expected.attribute_changes.is_empty() {
                    // A password alone: nothing an import can show.
                    return Ok(());
                }
                let existing = self.space.expectation(self.connector, &dn)?;
                match existing {
                    // An add confirmed later carries its reference updates too.
                    Some((kind, mut before)) if kind == "add" => {
                        apply_update(&mut before, &expected)?;
                        self.space.expect(self.connector, &dn, "add", &before)?;
                    }
                    _ => self.space.expect(self.connector, &dn, "update", &expected)?,
                }
            }
        }
        let _ = self.types;
        Ok(())
    }
}
