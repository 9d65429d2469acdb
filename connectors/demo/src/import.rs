//! Import (IMAExtensible2CallImport and IMAExtensible2FileImport). A full import pages through
//! the objects of the step's partition in table order and returns each as an Add; its
//! watermark is the journal position taken when the import opened. A delta import reads the
//! change journal after the watermark and folds each object's rows into one change: an Add for
//! an object new since the watermark, a Delete for one that is gone, otherwise an Update with
//! exactly the attributes that changed (a changed DN is a rename). FullObjectEntries pages
//! return only the objects asked for, complete.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::LazyLock;

use ecma2_sdk::model::{self, IntoValue, Reference};
use ecma2_sdk::pb::{
    AttributeValue, CloseImportConnectionResults, CloseImportConnectionRunStep, CsEntryChange, GetImportEntriesRunStep,
    MaImportError, ObjectModificationType, OpenImportConnectionResults, OpenImportConnectionRunStep, OperationType,
    Schema, WriteImportFileResults, WriteImportFileRunStep, attribute_value::Kind,
};
use ecma2_sdk::{CallImport, Context, Error, FileImport, ImportPage, Params, Result, async_trait};
use rusqlite::Connection;
use serde_json::json;
use tracing::{debug, info};

use crate::dn::{self, Dn, Scope};
use crate::schema::{self, ANCHOR, Column};
use crate::store::{self, ObjectRow, StoreError};
use crate::{Demo, params};

/// ImportDefaultPageSize.
pub const DEFAULT_PAGE_SIZE: i32 = 500;
/// ImportMaxPageSize.
pub const MAX_PAGE_SIZE: i32 = 10_000;

/// How many journal rows a delta page reads from SQLite at a time.
const JOURNAL_CHUNK: usize = 1000;

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| schema::schema(false));

/// The object types and attributes the run step's schema selected; empty means everything.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    types: HashMap<String, HashSet<String>>,
}

impl Selection {
    /// The selection of `types` (as OpenImportConnection receives them).
    pub fn new(types: &Schema) -> Selection {
        Selection {
            types: types
                .types
                .iter()
                .map(|t| (t.name.clone(), t.attributes.iter().map(|a| a.name.clone()).collect()))
                .collect(),
        }
    }

    fn has_type(&self, object_type: &str) -> bool {
        self.types.is_empty() || self.types.contains_key(object_type)
    }

    fn has_attribute(&self, object_type: &str, attribute: &str) -> bool {
        self.types.is_empty()
            || self
                .types
                .get(object_type)
                .is_some_and(|a| a.is_empty() || a.contains(attribute))
    }
}

/// The state of one import session.
#[derive(Debug, Clone)]
pub struct ImportState {
    full: bool,
    page_size: usize,
    partition: Option<&'static str>,
    scope: Scope,
    selection: Selection,
    import_groups: bool,
    instance: String,
    /// Full: the last rowid returned. Delta: the last journal seq consumed.
    cursor: i64,
    /// The journal position the watermark stands for.
    watermark: i64,
    done: bool,
    pending_full: VecDeque<CsEntryChange>,
    /// Test hook `test_full_object_reply`: how to answer FullObjectEntries wrongly.
    full_object_reply: Option<String>,
}

impl ImportState {
    /// The watermark text: `<database instance>:<journal seq>`.
    pub fn custom_data(&self) -> String {
        format!("{}:{}", self.instance, self.watermark)
    }
}

/// Parses a watermark issued by database `instance`.
fn parse_watermark(text: &str, instance: &str) -> Result<i64, StoreError> {
    if text.is_empty() {
        return Err(StoreError::Watermark(
            "delta import without a watermark: run a full import first".to_owned(),
        ));
    }
    let (from, seq) = text
        .rsplit_once(':')
        .ok_or_else(|| StoreError::Watermark(format!("watermark {text:?} is not <instance>:<seq>")))?;
    if from != instance {
        return Err(StoreError::Watermark(format!(
            "watermark {text:?} belongs to another database (this one is {instance}); run a full import"
        )));
    }
    seq.parse()
        .map_err(|_| StoreError::Watermark(format!("watermark {text:?} has no journal position")))
}

fn values(row: &ObjectRow, column: Column) -> Vec<AttributeValue> {
    let one = |v: Option<AttributeValue>| v.into_iter().collect::<Vec<_>>();
    match column {
        Column::Rdn => vec![row.rdn.clone().into_value()],
        Column::DisplayName => one(row.display_name.clone().map(IntoValue::into_value)),
        Column::Mail => one(row.mail.clone().map(IntoValue::into_value)),
        Column::EmployeeNumber => one(row.employee_number.map(IntoValue::into_value)),
        Column::Enabled => one(row.enabled.map(IntoValue::into_value)),
        Column::Photo => one(row.photo.clone().map(IntoValue::into_value)),
        Column::Manager => one(row.manager_dn.clone().map(|d| Reference(d).into_value())),
        Column::Title => one(row.title.clone().map(IntoValue::into_value)),
        Column::Description => one(row.description.clone().map(IntoValue::into_value)),
        Column::Locked => vec![row.locked.into_value()],
        Column::MustChange => vec![row.must_change.into_value()],
        Column::Members => row.members.iter().map(|m| Reference(m.clone()).into_value()).collect(),
    }
}

fn schema_type(object_type: &str) -> Option<&'static ecma2_sdk::pb::SchemaType> {
    SCHEMA.types.iter().find(|t| t.name == object_type)
}

fn finish(builder: model::ChangeBuilder<'_>, row: &ObjectRow) -> Result<CsEntryChange> {
    let builder = match &row.bad {
        // A test hook: a text starting with `stop-run` stops the run, as a connector may ask.
        Some(detail) if detail.starts_with("stop-run") => {
            builder.import_error(MaImportError::ImportErrorCustomStopRun, "bad-row", detail)
        }
        Some(detail) => builder.import_error(MaImportError::ImportErrorCustomContinueRun, "bad-row", detail),
        None => builder,
    };
    builder.try_build()
}

/// The whole object as an Add (or Replace).
pub fn full_entry(row: &ObjectRow, kind: ObjectModificationType, selection: &Selection) -> Result<CsEntryChange> {
    let Some(st) = schema_type(&row.object_type) else {
        return Err(Error::unexpected_data(format!(
            "unknown object type {:?}",
            row.object_type
        )));
    };
    let mut builder = model::change(kind, &row.object_type)
        .typed(st)
        .dn(&row.dn)
        .anchor(ANCHOR, row.id.clone());
    for spec in schema::attributes(&row.object_type).unwrap_or_default() {
        if !selection.has_attribute(&row.object_type, spec.name) {
            continue;
        }
        let values = values(row, spec.column);
        if !values.is_empty() {
            builder = builder.attr_values(spec.name, values);
        }
    }
    finish(builder, row)
}

/// An Update with the attributes stored in `columns`: Replace when present, Delete when not.
fn update_entry(row: &ObjectRow, columns: &BTreeSet<Column>, selection: &Selection) -> Result<CsEntryChange> {
    let Some(st) = schema_type(&row.object_type) else {
        return Err(Error::unexpected_data(format!(
            "unknown object type {:?}",
            row.object_type
        )));
    };
    let mut builder = model::update(&row.object_type)
        .typed(st)
        .dn(&row.dn)
        .anchor(ANCHOR, row.id.clone());
    for &column in columns {
        let Some(spec) = schema::attribute_for(&row.object_type, column) else {
            continue;
        };
        if !selection.has_attribute(&row.object_type, spec.name) {
            continue;
        }
        let values = values(row, column);
        builder = if values.is_empty() {
            builder.attr_delete(spec.name)
        } else {
            builder.attr_values(spec.name, values)
        };
    }
    finish(builder, row)
}

fn delete_entry(id: &str, object_type: &str, dn: &str) -> CsEntryChange {
    model::delete(object_type).dn(dn).anchor(ANCHOR, id.to_owned()).build()
}

impl ImportState {
    fn wants(&self, row: &ObjectRow) -> bool {
        if !self.selection.has_type(&row.object_type) {
            return false;
        }
        if !self.import_groups && row.object_type == schema::GROUP {
            return false;
        }
        Dn::parse(&row.dn).is_ok_and(|d| self.scope.contains(&d))
    }

    fn in_partition(&self, partition: &str) -> bool {
        self.partition.is_none_or(|p| p.eq_ignore_ascii_case(partition))
    }

    /// One page; runs on the blocking pool.
    fn next_page(&mut self, conn: &Connection, cancelled: &dyn Fn() -> bool) -> Result<ImportPage, ImportError> {
        if !self.pending_full.is_empty() {
            return self.full_objects_page(conn);
        }
        if self.done {
            return Ok(ImportPage {
                entries: Vec::new(),
                more_to_import: false,
                custom_data: self.custom_data(),
            });
        }
        let entries = if self.full {
            self.full_page(conn, cancelled)?
        } else {
            self.delta_page(conn, cancelled)?
        };
        Ok(ImportPage {
            entries,
            more_to_import: !self.done,
            custom_data: self.custom_data(),
        })
    }

    fn full_page(
        &mut self,
        conn: &Connection,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<CsEntryChange>, ImportError> {
        let rows = store::rows_after(conn, self.cursor, self.partition, self.page_size + 1)?;
        self.done = rows.len() <= self.page_size;
        let mut entries = Vec::new();
        for row in rows.iter().take(self.page_size) {
            if cancelled() {
                return Err(StoreError::Cancelled.into());
            }
            self.cursor = row.rowid;
            if self.wants(row) {
                entries.push(full_entry(row, ObjectModificationType::Add, &self.selection)?);
            }
        }
        Ok(entries)
    }

    fn delta_page(
        &mut self,
        conn: &Connection,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<CsEntryChange>, ImportError> {
        #[derive(Default)]
        struct Folded {
            object_type: String,
            first_op: String,
            deleted: bool,
            dn: String,
            renamed: bool,
            columns: BTreeSet<Column>,
        }
        let mut order: Vec<String> = Vec::new();
        let mut folded: HashMap<String, Folded> = HashMap::new();
        let mut full = false;
        'read: loop {
            let rows = store::journal_after(conn, self.cursor, JOURNAL_CHUNK)?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                if cancelled() {
                    return Err(StoreError::Cancelled.into());
                }
                if !self.in_partition(&row.partition) {
                    self.cursor = row.seq;
                    continue;
                }
                if !folded.contains_key(&row.object_id) {
                    if order.len() == self.page_size {
                        full = true;
                        break 'read;
                    }
                    order.push(row.object_id.clone());
                }
                let f = folded.entry(row.object_id.clone()).or_insert_with(|| Folded {
                    object_type: row.object_type.clone(),
                    first_op: row.op.clone(),
                    ..Default::default()
                });
                f.deleted |= row.op == "delete";
                f.dn = row.dn;
                for attr in &row.attrs {
                    match attr.as_str() {
                        "dn" => f.renamed = true,
                        "bad" => {}
                        other => f.columns.extend(Column::from_sql(other)),
                    }
                }
                self.cursor = row.seq;
            }
        }
        self.done = !full;
        self.watermark = self.cursor;
        let mut entries = Vec::with_capacity(order.len());
        for id in order {
            let f = &folded[&id];
            if !self.selection.has_type(&f.object_type) {
                continue;
            }
            let current = store::row_by_id(conn, &id)?;
            let entry = match current {
                None if f.first_op == "add" => continue,
                None => delete_entry(&id, &f.object_type, &f.dn),
                Some(row) if f.first_op == "add" => full_entry(&row, ObjectModificationType::Add, &self.selection)?,
                Some(row) if f.deleted => full_entry(&row, ObjectModificationType::Replace, &self.selection)?,
                Some(row) => update_entry(&row, &f.columns, &self.selection)?,
            };
            entries.push(entry);
        }
        Ok(entries)
    }

    fn full_objects_page(&mut self, conn: &Connection) -> Result<ImportPage, ImportError> {
        let mut entries = Vec::new();
        while entries.len() < self.page_size {
            let Some(wanted) = self.pending_full.pop_front() else {
                break;
            };
            let anchor = wanted
                .anchor_attributes
                .iter()
                .find(|a| a.name == ANCHOR)
                .and_then(|a| match a.value.as_ref().and_then(|v| v.kind.as_ref()) {
                    Some(Kind::StringValue(s)) => Some(s.clone()),
                    _ => None,
                });
            let row = match &anchor {
                Some(id) => store::row_by_id(conn, id)?,
                None => match dn::normalize(&wanted.dn) {
                    Ok(dn) => store::row_by_dn(conn, &dn)?,
                    Err(_) => None,
                },
            };
            // The test hook answers wrongly on purpose, so an engine's check can be seen to work.
            match (row, self.full_object_reply.as_deref()) {
                (_, Some("missing")) => {}
                (Some(row), Some("update")) => {
                    entries.push(full_entry(&row, ObjectModificationType::Update, &Selection::default())?)
                }
                (Some(row), reply) => {
                    if reply == Some("extra")
                        && let Some(other) = store::rows_after(conn, 0, None, 64)?
                            .into_iter()
                            .find(|r| r.id != row.id && r.object_type == row.object_type)
                    {
                        entries.push(full_entry(&other, ObjectModificationType::Add, &Selection::default())?);
                    }
                    entries.push(full_entry(&row, ObjectModificationType::Add, &Selection::default())?);
                }
                (None, _) => entries.push(delete_entry(
                    anchor.as_deref().unwrap_or_default(),
                    &wanted.object_type,
                    &wanted.dn,
                )),
            }
        }
        Ok(ImportPage {
            entries,
            more_to_import: !self.pending_full.is_empty() || !self.done,
            custom_data: self.custom_data(),
        })
    }
}

/// Why a page could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An entry could not be built.
    #[error(transparent)]
    Entry(#[from] Error),
}

impl From<rusqlite::Error> for ImportError {
    fn from(err: rusqlite::Error) -> Self {
        ImportError::Store(err.into())
    }
}

impl From<ImportError> for Error {
    fn from(err: ImportError) -> Self {
        match err {
            ImportError::Store(e) => e.into(),
            ImportError::Entry(e) => e,
        }
    }
}

/// What an import run asks for: the common part of the call and file import run steps.
struct Step<'a> {
    import_type: OperationType,
    partition: Option<&'a ecma2_sdk::pb::Partition>,
    custom_data: String,
    page_size: usize,
    scope: Scope,
}

impl Demo {
    async fn open_import(
        &mut self,
        ctx: &Context,
        params: &Params,
        types: &Schema,
        step: Step<'_>,
    ) -> Result<ImportState> {
        let Step {
            import_type,
            partition,
            custom_data,
            page_size,
            scope,
        } = step;
        let partition = match partition.filter(|p| !p.dn.is_empty() || !p.identifier.is_empty()) {
            None => None,
            Some(p) => Some(
                dn::find_partition(&p.dn, &p.identifier)
                    .ok_or_else(|| Error::unexpected_data(format!("unknown partition {:?}", p.dn)))?
                    .dn,
            ),
        };
        let full = import_type != OperationType::Delta;
        let store = self.open_store(ctx, params).await?;
        let (instance, watermark) = store
            .run(move |conn| {
                let instance = store::instance(conn)?;
                let watermark = if full {
                    store::last_seq(conn)?
                } else {
                    parse_watermark(&custom_data, &instance)?
                };
                Ok((instance, watermark))
            })
            .await?;
        Ok(ImportState {
            full,
            page_size,
            partition,
            scope,
            selection: Selection::new(types),
            import_groups: params.get(params::IMPORT_GROUPS) != Some("0"),
            instance,
            cursor: if full { 0 } else { watermark },
            watermark,
            done: false,
            pending_full: VecDeque::new(),
            full_object_reply: self.hooks.full_object_reply.clone(),
        })
    }

    async fn page(&mut self, ctx: &Context, mut state: ImportState) -> (ImportState, Result<ImportPage>) {
        let token = ctx.cancellation_token();
        let Some(store) = self.store.as_mut() else {
            return (
                state,
                Err(Error::dropped_connection("the session has no open database")),
            );
        };
        // The state travels to the blocking pool and back; this copy survives a store failure.
        let kept = state.clone();
        let outcome = store
            .run(move |conn| {
                let page = state.next_page(conn, &|| token.is_cancelled());
                Ok((state, page))
            })
            .await;
        match outcome {
            Ok((state, page)) => (state, page.map_err(Error::from)),
            Err(err) => (kept, Err(err.into())),
        }
    }
}

#[async_trait]
impl CallImport for Demo {
    fn import_default_page_size(&self) -> i32 {
        DEFAULT_PAGE_SIZE
    }

    fn import_max_page_size(&self) -> i32 {
        MAX_PAGE_SIZE
    }

    async fn open_import_connection(
        &mut self,
        ctx: &Context,
        params: &Params,
        types: &Schema,
        step: &OpenImportConnectionRunStep,
    ) -> Result<OpenImportConnectionResults> {
        self.hooks = crate::observe::Hooks::from_params(params)?;
        self.hooks.observe(
            ctx,
            "open",
            json!({
                "kind": "import",
                "import_type": format!("{:?}", step.import_type()),
                "page_size": step.page_size,
                "partition": step.step_partition.as_ref().map(|p| p.dn.clone()),
                "access_key_length": params.secret(crate::params::ACCESS_KEY).map(|s| s.expose().len()),
                "included": step.inclusion_hierarchy_nodes.iter().map(|n| n.dn.clone()).collect::<Vec<_>>(),
                "excluded": step.exclusion_hierarchy_nodes.iter().map(|n| n.dn.clone()).collect::<Vec<_>>(),
            }),
        );
        self.hooks.maybe_panic(ctx);
        // The test hook makes the demo read every container, as the ADMA does: the engine
        // then drops what is out of scope.
        let scope = if params.flag(params::TEST_IGNORE_HIERARCHY) {
            Scope::default()
        } else {
            Scope::new(
                step.inclusion_hierarchy_nodes.iter().map(|n| n.dn.as_str()),
                step.exclusion_hierarchy_nodes.iter().map(|n| n.dn.as_str()),
            )
        };
        let opened = self
            .open_import(
                ctx,
                params,
                types,
                Step {
                    import_type: step.import_type(),
                    partition: step.step_partition.as_ref(),
                    custom_data: step.custom_data.clone(),
                    page_size: usize::try_from(step.page_size).unwrap_or(1).max(1),
                    scope,
                },
            )
            .await;
        let state = opened.inspect_err(|err| self.note_cancelled(ctx, err))?;
        info!(full = state.full, watermark = %state.custom_data(), "import opened");
        let results = OpenImportConnectionResults {
            custom_data: if self.hooks.open_without_watermark {
                String::new()
            } else {
                state.custom_data()
            },
        };
        self.import = Some(state);
        Ok(results)
    }

    async fn get_import_entries(&mut self, ctx: &Context, step: &GetImportEntriesRunStep) -> Result<ImportPage> {
        self.hooks.maybe_panic(ctx);
        self.block(ctx, self.hooks.block_get).await?;
        let Some(mut state) = self.import.take() else {
            return Err(Error::extensible_extension(
                "GetImportEntries before OpenImportConnection",
            ));
        };
        let asked: Vec<String> = step.full_object_entries.iter().map(|e| e.dn.clone()).collect();
        if !step.full_object_entries.is_empty() {
            debug!(count = step.full_object_entries.len(), "full objects asked for");
            state.pending_full.extend(step.full_object_entries.iter().cloned());
        }
        let (state, page) = self.page(ctx, state).await;
        self.import = Some(state);
        match page {
            Ok(mut page) => {
                if self.hooks.dn_style_none {
                    // DN style None: only the anchor identifies an object, and references name
                    // objects by it.
                    page.entries.iter_mut().for_each(|e| e.dn.clear());
                    let mut entries = std::mem::take(&mut page.entries);
                    page.entries = self
                        .store()?
                        .run(move |conn| {
                            crate::anchor_refs::to_anchors(conn, &mut entries)?;
                            Ok(entries)
                        })
                        .await?;
                }
                debug!(entries = page.entries.len(), more = page.more_to_import, "page read");
                self.hooks.observe(
                    ctx,
                    "page",
                    json!({
                        "entries": page.entries.len(),
                        "more_to_import": page.more_to_import,
                        "custom_data": page.custom_data,
                        "full_objects_asked": asked,
                        "asked_custom_data": step.custom_data,
                        "dns": page.entries.iter().map(|e| e.dn.clone()).collect::<Vec<_>>(),
                    }),
                );
                Ok(page)
            }
            Err(err) => {
                self.note_cancelled(ctx, &err);
                Err(err)
            }
        }
    }

    async fn close_import_connection(
        &mut self,
        ctx: &Context,
        step: &CloseImportConnectionRunStep,
    ) -> Result<CloseImportConnectionResults> {
        self.hooks.observe(
            ctx,
            "close",
            json!({
                "kind": "import",
                "reason": format!("{:?}", step.reason()),
                "custom_data": step.custom_data,
                "cancelled": self.cancelled_calls > 0 || ctx.is_cancelled(),
                "cancelled_calls": self.cancelled_calls,
            }),
        );
        self.hooks.maybe_panic(ctx);
        if !self.hooks.block_close.is_zero() {
            tokio::time::sleep(self.hooks.block_close).await;
        }
        self.store = None;
        let custom_data = match self.import.take() {
            Some(state) => state.custom_data(),
            None => step.custom_data.clone(),
        };
        info!(reason = ?step.reason(), "import closed");
        Ok(CloseImportConnectionResults { custom_data })
    }
}

#[async_trait]
impl FileImport for Demo {
    async fn write_import_file(
        &mut self,
        ctx: &Context,
        params: &Params,
        types: &Schema,
        step: &WriteImportFileRunStep,
    ) -> Result<WriteImportFileResults> {
        self.hooks_from(ctx, params)?;
        let mut state = self
            .open_import(
                ctx,
                params,
                types,
                Step {
                    import_type: step.import_type(),
                    partition: step.step_partition.as_ref(),
                    custom_data: step.custom_data.clone(),
                    page_size: 1000,
                    scope: Scope::default(),
                },
            )
            .await?;
        let path = std::path::PathBuf::from(&step.file_path);
        let mut out = Vec::new();
        let mut count = 0usize;
        loop {
            let (next, page) = self.page(ctx, state).await;
            state = next;
            let page = page?;
            for entry in &page.entries {
                out.extend_from_slice(crate::export::entry_to_json(entry).to_string().as_bytes());
                out.push(b'\n');
            }
            count += page.entries.len();
            if !page.more_to_import {
                break;
            }
        }
        crate::store::blocking(move || std::fs::write(&path, out))
            .await
            .map_err(|e| Error::other(e).with_dn(step.file_path.clone()))?;
        self.hooks
            .observe(ctx, "import_file", json!({ "entries": count, "path": step.file_path }));
        Ok(WriteImportFileResults {
            custom_data: state.custom_data(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermarks_name_their_database() {
        assert_eq!(parse_watermark("abc:42", "abc").unwrap(), 42);
        assert!(matches!(parse_watermark("", "abc"), Err(StoreError::Watermark(_))));
        let other = parse_watermark("xyz:42", "abc").unwrap_err().to_string();
        assert!(other.contains("another database"), "{other}");
    }
}
