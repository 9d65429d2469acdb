//! Export (IMAExtensible2CallExport and IMAExtensible2FileExport). Each batch runs in one SQLite
//! transaction with a savepoint per entry, so an entry that fails leaves nothing behind while
//! the others are kept. Every ObjectModificationType and AttributeModificationType is handled,
//! whichever ExportType the capabilities announced.
//!
//! Object-level outcomes (never faults):
//!
//! | situation | result |
//! |---|---|
//! | add succeeded | Success with the anchor (`id`) the directory assigned |
//! | a reference names an object that does not exist (yet) | ExportActionRetryReferenceAttribute; every other attribute and every resolvable reference is written |
//! | the parent OU of the DN does not exist | ExportActionProvisioningParent |
//! | `mail` already used by another object | ExportErrorConstraintViolation `mail-not-unique` |
//! | the DN is taken | ExportErrorConnectedDirectoryExistingObject |
//! | the DN is malformed, outside both partitions or has the wrong RDN type | ExportErrorInvalidDN |
//! | an update of an object that is gone | ExportActionConvertUpdateToAdd |
//! | `cn`/`ou` changed without a rename | ExportErrorChangeNamingAttribute |
//! | a value of the wrong type, several values for a single-valued attribute | ExportErrorInvalidAttributeValue |
//! | an unknown object type or attribute, deleting a non-empty OU | ExportErrorCustomContinueRun |
//!
//! A delete of an object that is already gone succeeds.

use std::collections::BTreeMap;

use ecma2_sdk::model::{self, Reference, export_anchor, export_error, export_result};
use ecma2_sdk::pb::{
    AttributeChange, AttributeModificationType, AttributeType, AttributeValue, CloseExportConnectionRunStep,
    CsEntryChange, CsEntryChangeResult, MaExportError, ObjectModificationType, OpenExportConnectionRunStep,
    PutExportEntriesResults, ReadExportFileRunStep, Schema, ValueModificationType, attribute_value::Kind,
};
use ecma2_sdk::{CallExport, Context, Error, FileExport, Params, Result, async_trait};
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde_json::{Map, Value as Json, json};
use tracing::{debug, info};

use crate::Demo;
use crate::dn::{self, Dn};
use crate::schema::{self, ANCHOR, AttrSpec, Column};
use crate::store::{self, Columns, ObjectRow, StoreError};

/// ExportDefaultPageSize.
pub const DEFAULT_BATCH_SIZE: i32 = 100;
/// ExportMaxPageSize.
pub const MAX_BATCH_SIZE: i32 = 5_000;

/// The state of one export session.
#[derive(Debug, Clone)]
pub struct ExportState {
    batch_size: i32,
    /// A Full export (FullExport capability): an add of an object the directory has overwrites it.
    full: bool,
    exported: u64,
}

/// Why one entry was not (fully) exported.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// An object-level error or export action, returned in the results.
    #[error("{name}: {detail}")]
    Object {
        /// The result code.
        code: MaExportError,
        /// The short dashed name.
        name: &'static str,
        /// The explanation.
        detail: String,
    },
    /// The store failed; the whole batch fails.
    #[error(transparent)]
    Store(#[from] rusqlite::Error),
}

fn fail(code: MaExportError, name: &'static str, detail: impl Into<String>) -> Failure {
    Failure::Object {
        code,
        name,
        detail: detail.into(),
    }
}

/// Maps SQLite uniqueness failures to the object-level errors they mean.
fn classify(err: rusqlite::Error) -> Failure {
    let constraint = match &err {
        rusqlite::Error::SqliteFailure(f, Some(message)) if f.code == ErrorCode::ConstraintViolation => {
            Some(message.as_str())
        }
        _ => None,
    };
    if let Some(message) = constraint {
        if message.contains("objects.mail") {
            return fail(
                MaExportError::ExportErrorConstraintViolation,
                "mail-not-unique",
                "another object already has this mail",
            );
        }
        if message.contains("objects.dn") {
            return fail(
                MaExportError::ExportErrorConnectedDirectoryExistingObject,
                "dn-exists",
                "an object with this DN already exists",
            );
        }
        if message.contains("objects.id") {
            return fail(
                MaExportError::ExportErrorDuplicateAnchor,
                "duplicate-anchor",
                "the anchor is taken",
            );
        }
    }
    Failure::Store(err)
}

/// A successfully written entry.
#[derive(Debug, Default)]
struct Done {
    /// The anchor assigned by an add.
    anchor: Option<String>,
    /// Reference values that name no object (yet).
    unresolved: Vec<String>,
}

#[derive(Debug)]
enum MemberOp {
    Replace(Vec<String>),
    Add(Vec<String>),
    Remove(Vec<String>),
}

/// What an entry's attribute changes come to.
#[derive(Debug, Default)]
struct Plan {
    columns: Columns,
    members: Vec<MemberOp>,
    unresolved: Vec<String>,
    rename: Option<Dn>,
    naming: Option<String>,
    /// ECMA2's `export_password`: set with the object (never logged; see [`Secret`]).
    password: Option<Secret>,
}

/// A password on its way to the store; its Debug form hides it.
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<password>")
    }
}

/// The attribute ECMA2 carries a password in on export.
const EXPORT_PASSWORD: &str = "export_password";

/// Sets the password of `id` when the entry carried one, after the password policy.
fn set_password(conn: &Connection, id: &str, plan: &Plan, cn: &str) -> Result<(), Failure> {
    let Some(Secret(password)) = plan.password.as_ref() else {
        return Ok(());
    };
    if let Some(reason) = crate::password::policy_violation(password, cn) {
        return Err(fail(
            MaExportError::ExportErrorCustomContinueRun,
            "password-policy",
            reason,
        ));
    }
    crate::password::store_password(conn, id, password, "")?;
    Ok(())
}

fn to_sql(spec: &AttrSpec, value: &AttributeValue) -> Result<Value, Failure> {
    let invalid = || {
        fail(
            MaExportError::ExportErrorInvalidAttributeValue,
            "invalid-attribute-value",
            format!(
                "attribute {} is {:?}; got {:?}",
                spec.name,
                spec.ty,
                model::value_type(value)
            ),
        )
    };
    Ok(match (spec.ty, value.kind.as_ref().ok_or_else(invalid)?) {
        (AttributeType::String, Kind::StringValue(s)) => Value::Text(s.clone()),
        (AttributeType::Integer, Kind::IntegerValue(i)) => Value::Integer(*i),
        (AttributeType::Boolean, Kind::BooleanValue(b)) => Value::Integer((*b).into()),
        (AttributeType::Binary, Kind::BinaryValue(b)) => Value::Blob(b.to_vec()),
        (AttributeType::Reference, Kind::ReferenceValue(s) | Kind::StringValue(s)) => Value::Text(s.clone()),
        _ => return Err(invalid()),
    })
}

fn text(value: &Value) -> Option<&str> {
    match value {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

/// Resolves a reference DN to an object id.
fn resolve(conn: &Connection, reference: &str) -> rusqlite::Result<Option<String>> {
    match dn::normalize(reference) {
        Ok(dn) => Ok(store::id_by_dn(conn, &dn)?.map(|(id, _)| id)),
        Err(_) => Ok(None),
    }
}

fn resolve_all(conn: &Connection, refs: Vec<String>, plan: &mut Plan, report: bool) -> rusqlite::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(refs.len());
    for r in refs {
        match resolve(conn, &r)? {
            Some(id) => ids.push(id),
            None if report => plan.unresolved.push(r),
            None => {}
        }
    }
    Ok(ids)
}

/// Works out the column and membership changes of `changes` for an object of `object_type`.
fn plan(conn: &Connection, object_type: &str, changes: &[AttributeChange]) -> Result<Plan, Failure> {
    let mut plan = Plan::default();
    for change in changes {
        if change.name.eq_ignore_ascii_case("DN") {
            let new = change
                .value_changes
                .iter()
                .find_map(|v| match v.value.as_ref().and_then(|v| v.kind.as_ref()) {
                    Some(Kind::StringValue(s) | Kind::ReferenceValue(s)) => Some(s.clone()),
                    _ => None,
                })
                .ok_or_else(|| {
                    fail(
                        MaExportError::ExportErrorInvalidDn,
                        "invalid-dn",
                        "the DN change has no value",
                    )
                })?;
            let parsed = Dn::parse(&new).map_err(|e| {
                fail(
                    MaExportError::ExportErrorInvalidDn,
                    "invalid-dn",
                    format!("{new:?}: {e}"),
                )
            })?;
            plan.rename = Some(parsed);
            continue;
        }
        if change.name == ANCHOR {
            continue;
        }
        if change.name == EXPORT_PASSWORD {
            plan.password =
                change
                    .value_changes
                    .iter()
                    .find_map(|v| match v.value.as_ref().and_then(|v| v.kind.as_ref()) {
                        Some(Kind::StringValue(s)) => Some(Secret(s.clone())),
                        _ => None,
                    });
            continue;
        }
        let Some(spec) = schema::attribute(object_type, &change.name) else {
            return Err(fail(
                MaExportError::ExportErrorCustomContinueRun,
                "unknown-attribute",
                format!("{object_type} has no attribute {:?}", change.name),
            ));
        };
        if spec.operation == ecma2_sdk::pb::AttributeOperation::ImportOnly {
            return Err(fail(
                MaExportError::ExportErrorCustomContinueRun,
                "import-only-attribute",
                format!("attribute {} cannot be exported", spec.name),
            ));
        }
        let mut adds = Vec::new();
        let mut deletes = Vec::new();
        for v in &change.value_changes {
            let value = to_sql(spec, v.value.as_ref().unwrap_or(&AttributeValue::default()))?;
            if v.modification_type() == ValueModificationType::Delete {
                deletes.push(value);
            } else {
                adds.push(value);
            }
        }
        let modification = change.modification_type();
        if matches!(
            modification,
            AttributeModificationType::Unspecified | AttributeModificationType::Unconfigured
        ) {
            return Err(fail(
                MaExportError::ExportErrorSyntaxViolation,
                "invalid-modification-type",
                format!("attribute {} has no modification type", spec.name),
            ));
        }
        if spec.multi {
            let refs =
                |values: Vec<Value>| -> Vec<String> { values.iter().filter_map(text).map(str::to_owned).collect() };
            let op = match modification {
                AttributeModificationType::Replace => {
                    MemberOp::Replace(resolve_all(conn, refs(adds), &mut plan, true)?)
                }
                AttributeModificationType::Delete => MemberOp::Replace(Vec::new()),
                AttributeModificationType::Add => MemberOp::Add(resolve_all(conn, refs(adds), &mut plan, true)?),
                _ => {
                    let removed = resolve_all(conn, refs(deletes), &mut plan, false)?;
                    plan.members.push(MemberOp::Remove(removed));
                    MemberOp::Add(resolve_all(conn, refs(adds), &mut plan, true)?)
                }
            };
            plan.members.push(op);
            continue;
        }
        let value = match modification {
            AttributeModificationType::Delete => Value::Null,
            AttributeModificationType::Update if adds.is_empty() => Value::Null,
            AttributeModificationType::Update => adds.pop().unwrap_or(Value::Null),
            _ if adds.len() > 1 => {
                return Err(fail(
                    MaExportError::ExportErrorInvalidAttributeValue,
                    "too-many-values",
                    format!("attribute {} takes one value, got {}", spec.name, adds.len()),
                ));
            }
            _ => adds.pop().unwrap_or(Value::Null),
        };
        match spec.column {
            Column::Rdn => plan.naming = text(&value).map(str::to_owned),
            Column::Manager => match text(&value) {
                None => {
                    plan.columns.insert(Column::Manager, Value::Null);
                }
                Some(reference) => match resolve(conn, reference)? {
                    Some(id) => {
                        plan.columns.insert(Column::Manager, Value::Text(id));
                    }
                    None => plan.unresolved.push(reference.to_owned()),
                },
            },
            Column::Locked | Column::MustChange if value == Value::Null => {
                plan.columns.insert(spec.column, Value::Integer(0));
            }
            column => {
                plan.columns.insert(column, value);
            }
        }
    }
    Ok(plan)
}

fn apply_members(conn: &Connection, group: &str, ops: &[MemberOp]) -> rusqlite::Result<()> {
    let mut add = conn.prepare_cached("INSERT OR IGNORE INTO members (group_id, member_id) VALUES (?1, ?2)")?;
    let mut remove = conn.prepare_cached("DELETE FROM members WHERE group_id = ?1 AND member_id = ?2")?;
    for op in ops {
        match op {
            MemberOp::Replace(ids) => {
                let current: Vec<String> = conn
                    .prepare_cached("SELECT member_id FROM members WHERE group_id = ?1")?
                    .query_map([group], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for id in current.iter().filter(|c| !ids.contains(c)) {
                    remove.execute(params![group, id])?;
                }
                for id in ids {
                    add.execute(params![group, id])?;
                }
            }
            MemberOp::Add(ids) => {
                for id in ids {
                    add.execute(params![group, id])?;
                }
            }
            MemberOp::Remove(ids) => {
                for id in ids {
                    remove.execute(params![group, id])?;
                }
            }
        }
    }
    Ok(())
}

/// Checks that an object of `object_type` may live at `dn`: naming component, partition, an
/// existing parent OU, and a free DN.
fn check_placement(conn: &Connection, object_type: &str, dn: &Dn, own_id: Option<&str>) -> Result<(), Failure> {
    let invalid = |detail: String| fail(MaExportError::ExportErrorInvalidDn, "invalid-dn", detail);
    let naming = schema::naming_component(object_type).unwrap_or("CN");
    if !dn.rdn().name.eq_ignore_ascii_case(naming) {
        return Err(invalid(format!("a {object_type} is named {naming}=..., not {dn}")));
    }
    let Some(partition) = dn.partition() else {
        return Err(invalid(format!(
            "{dn} is in neither partition ({} or {})",
            dn::PARTITIONS[0].dn,
            dn::PARTITIONS[1].dn
        )));
    };
    let parent = dn.parent().map(|p| p.to_string()).unwrap_or_default();
    if parent.len() < partition.dn.len() {
        return Err(invalid(format!("{dn} is a partition root")));
    }
    if !parent.eq_ignore_ascii_case(partition.dn) {
        match store::id_by_dn(conn, &parent)? {
            None => {
                return Err(fail(
                    MaExportError::ExportActionProvisioningParent,
                    "parent-missing",
                    format!("the parent {parent} of {dn} does not exist"),
                ));
            }
            Some((_, t)) if t != schema::OU => {
                return Err(invalid(format!(
                    "the parent {parent} is a {t}, not an organizationalUnit"
                )));
            }
            Some(_) => {}
        }
    }
    let holder = store::id_by_dn(conn, &dn.to_string())?.map(|(id, _)| id);
    if holder.is_some() && holder.as_deref() != own_id {
        return Err(fail(
            MaExportError::ExportErrorConnectedDirectoryExistingObject,
            "dn-exists",
            format!("{dn} already exists"),
        ));
    }
    Ok(())
}

fn check_mail(conn: &Connection, columns: &Columns, own_id: &str) -> Result<(), Failure> {
    let Some(mail) = columns.get(&Column::Mail).and_then(text) else {
        return Ok(());
    };
    let holder: Option<String> = conn
        .prepare_cached("SELECT dn FROM objects WHERE mail = ?1 AND id != ?2")?
        .query_row(params![mail, own_id], |r| r.get(0))
        .optional()?;
    match holder {
        Some(holder) => Err(fail(
            MaExportError::ExportErrorConstraintViolation,
            "mail-not-unique",
            format!("mail {mail} is already used by {holder}"),
        )),
        None => Ok(()),
    }
}

fn check_naming(plan: &Plan, dn: &Dn) -> Result<(), Failure> {
    match &plan.naming {
        Some(value) if *value != dn.rdn().value() => Err(fail(
            MaExportError::ExportErrorChangeNamingAttribute,
            "naming-attribute-change",
            format!("{value:?} differs from the RDN of {dn}; rename the object through its DN instead"),
        )),
        _ => Ok(()),
    }
}

fn anchor_of(entry: &CsEntryChange) -> Option<String> {
    entry.anchor_attributes.iter().find(|a| a.name == ANCHOR).and_then(|a| {
        match a.value.as_ref().and_then(|v| v.kind.as_ref()) {
            Some(Kind::StringValue(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    })
}

fn find(conn: &Connection, entry: &CsEntryChange) -> rusqlite::Result<Option<ObjectRow>> {
    match anchor_of(entry) {
        Some(id) => store::row_by_id(conn, &id),
        None => match dn::normalize(&entry.dn) {
            Ok(dn) => store::row_by_dn(conn, &dn),
            Err(_) => Ok(None),
        },
    }
}

fn parse_dn(text: &str) -> Result<Dn, Failure> {
    Dn::parse(text).map_err(|e| {
        fail(
            MaExportError::ExportErrorInvalidDn,
            "invalid-dn",
            format!("{text:?}: {e}"),
        )
    })
}

fn add(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    let object_type = entry.object_type.as_str();
    let dn = parse_dn(&entry.dn)?;
    check_placement(conn, object_type, &dn, None)?;
    let id = match anchor_of(entry) {
        Some(id) => {
            if store::row_by_id(conn, &id)?.is_some() {
                return Err(fail(
                    MaExportError::ExportErrorDuplicateAnchor,
                    "duplicate-anchor",
                    format!("anchor {id} is taken"),
                ));
            }
            id
        }
        None => uuid::Uuid::new_v4().to_string(),
    };
    let plan = plan(conn, object_type, &entry.attribute_changes)?;
    check_naming(&plan, &dn)?;
    check_mail(conn, &plan.columns, &id)?;
    store::insert_object(conn, &id, object_type, &dn, &plan.columns).map_err(classify)?;
    apply_members(conn, &id, &plan.members)?;
    set_password(conn, &id, &plan, &dn.rdn().value())?;
    Ok(Done {
        anchor: Some(id),
        unresolved: plan.unresolved,
    })
}

/// Moves `id` to `new` and, for an OU, everything below it.
fn rename(conn: &Connection, row: &ObjectRow, new: &Dn) -> Result<(), Failure> {
    check_placement(conn, &row.object_type, new, Some(&row.id))?;
    store::move_object(conn, &row.id, new).map_err(classify)?;
    if row.object_type == schema::OU {
        let suffix = format!(",{}", row.dn);
        let below: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, dn FROM objects WHERE length(dn) > ?2 \
                 AND substr(dn, -?2) = ?1 COLLATE NOCASE ORDER BY length(dn)",
            )?
            .query_map(params![suffix, suffix.len() as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, old) in below {
            let moved = format!("{},{new}", &old[..old.len() - suffix.len()]);
            let moved = Dn::parse(&moved)
                .map_err(|e| fail(MaExportError::ExportErrorInvalidDn, "invalid-dn", e.to_string()))?;
            store::move_object(conn, &id, &moved).map_err(classify)?;
        }
    }
    Ok(())
}

fn update(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    let Some(row) = find(conn, entry)? else {
        return Err(fail(
            MaExportError::ExportActionConvertUpdateToAdd,
            "object-missing",
            format!("{} is not in the directory", entry.dn),
        ));
    };
    let plan = plan(conn, &row.object_type, &entry.attribute_changes)?;
    let mut dn = parse_dn(&row.dn)?;
    if let Some(new) = plan.rename.as_ref().filter(|new| new.to_string() != row.dn) {
        rename(conn, &row, new)?;
        dn = new.clone();
    }
    check_naming(&plan, &dn)?;
    check_mail(conn, &plan.columns, &row.id)?;
    store::update_object(conn, &row.id, &plan.columns).map_err(classify)?;
    apply_members(conn, &row.id, &plan.members)?;
    set_password(conn, &row.id, &plan, &dn.rdn().value())?;
    Ok(Done {
        anchor: None,
        unresolved: plan.unresolved,
    })
}

/// An object-level Replace: every attribute takes the entry's values (absent ones are cleared).
fn replace(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    let Some(row) = find(conn, entry)? else {
        return add(conn, entry);
    };
    let mut plan = plan(conn, &row.object_type, &entry.attribute_changes)?;
    for spec in schema::attributes(&row.object_type).unwrap_or_default() {
        match spec.column {
            Column::Rdn | Column::MustChange => {}
            Column::Members => plan.members.insert(0, MemberOp::Replace(Vec::new())),
            Column::Locked => {
                plan.columns.entry(Column::Locked).or_insert(Value::Integer(0));
            }
            column => {
                plan.columns.entry(column).or_insert(Value::Null);
            }
        }
    }
    let dn = parse_dn(&entry.dn)?;
    if dn.to_string() != row.dn {
        rename(conn, &row, &dn)?;
    }
    check_naming(&plan, &dn)?;
    check_mail(conn, &plan.columns, &row.id)?;
    store::update_object(conn, &row.id, &plan.columns).map_err(classify)?;
    apply_members(conn, &row.id, &plan.members)?;
    set_password(conn, &row.id, &plan, &dn.rdn().value())?;
    Ok(Done::default())
}

fn delete(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    let Some(row) = find(conn, entry)? else {
        return Ok(Done::default());
    };
    let has_children: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM objects WHERE parent_dn = ?1)")?
        .query_row([&row.dn], |r| r.get(0))?;
    if has_children {
        return Err(fail(
            MaExportError::ExportErrorCustomContinueRun,
            "not-allowed-on-non-leaf",
            format!("{} still contains objects", row.dn),
        ));
    }
    conn.execute("DELETE FROM members WHERE member_id = ?1", [&row.id])?;
    conn.execute("DELETE FROM members WHERE group_id = ?1", [&row.id])?;
    conn.execute("UPDATE objects SET manager_id = NULL WHERE manager_id = ?1", [&row.id])?;
    conn.execute("DELETE FROM objects WHERE id = ?1", [&row.id])?;
    Ok(Done::default())
}

fn export_one(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    if schema::attributes(&entry.object_type).is_none()
        && entry.object_modification_type() != ObjectModificationType::Delete
    {
        return Err(fail(
            MaExportError::ExportErrorCustomContinueRun,
            "unknown-object-type",
            format!("object type {:?} is not in the schema", entry.object_type),
        ));
    }
    match entry.object_modification_type() {
        ObjectModificationType::Add => add(conn, entry),
        ObjectModificationType::Update => update(conn, entry),
        ObjectModificationType::Replace => replace(conn, entry),
        ObjectModificationType::Delete => delete(conn, entry),
        other => Err(fail(
            MaExportError::ExportErrorCustomContinueRun,
            "invalid-change-type",
            format!("cannot export a change of type {other:?}"),
        )),
    }
}

/// A full export's entry: the whole object as an add; one the directory has (by anchor or DN)
/// is overwritten with it.
fn export_whole(conn: &Connection, entry: &CsEntryChange) -> Result<Done, Failure> {
    if entry.object_modification_type() == ObjectModificationType::Add && find(conn, entry)?.is_some() {
        let replace = CsEntryChange {
            object_modification_type: ObjectModificationType::Replace as i32,
            ..entry.clone()
        };
        return export_one(conn, &replace);
    }
    export_one(conn, entry)
}

fn result_of(identifier: &str, outcome: Result<Done, Failure>) -> Result<CsEntryChangeResult, rusqlite::Error> {
    match outcome {
        Ok(Done { anchor, unresolved }) if !unresolved.is_empty() => Ok(CsEntryChangeResult {
            error_name: "reference-not-found".to_owned(),
            error_detail: format!(
                "no object has the DN {}; the other attributes were written",
                unresolved.join(" or ")
            ),
            ..match anchor {
                Some(id) => CsEntryChangeResult {
                    error_code: MaExportError::ExportActionRetryReferenceAttribute as i32,
                    ..export_anchor(identifier, ANCHOR, id)
                },
                None => export_result(identifier, MaExportError::ExportActionRetryReferenceAttribute),
            }
        }),
        Ok(Done { anchor: Some(id), .. }) => Ok(export_anchor(identifier, ANCHOR, id)),
        Ok(Done { anchor: None, .. }) => Ok(export_result(identifier, MaExportError::Success)),
        Err(Failure::Object { code, name, detail }) => Ok(export_error(identifier, code, name, &detail)),
        Err(Failure::Store(e)) => Err(e),
    }
}

/// Exports a batch in one transaction; an entry's failure rolls back only that entry.
fn export_batch(
    conn: &mut Connection,
    entries: &[CsEntryChange],
    full: bool,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<CsEntryChangeResult>, StoreError> {
    // Immediate: take the write lock up front, so a concurrent writer makes this batch wait
    // (busy timeout) instead of failing when a read would have to upgrade to a write.
    let mut tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(entries.len());
    for entry in entries {
        if cancelled() {
            // Dropping the transaction rolls the batch back: nobody will see its results.
            return Err(StoreError::Cancelled);
        }
        let sp = tx.savepoint()?;
        let outcome = if full {
            export_whole(&sp, entry)
        } else {
            export_one(&sp, entry)
        };
        let keep = outcome.is_ok();
        let result = result_of(&entry.identifier, outcome)?;
        if keep {
            sp.commit()?;
        }
        debug!(identifier = %entry.identifier, code = ?result.error_code(), "entry exported");
        results.push(result);
    }
    tx.commit()?;
    Ok(results)
}

#[async_trait]
impl CallExport for Demo {
    fn export_default_page_size(&self) -> i32 {
        DEFAULT_BATCH_SIZE
    }

    fn export_max_page_size(&self) -> i32 {
        MAX_BATCH_SIZE
    }

    async fn open_export_connection(
        &mut self,
        ctx: &Context,
        params: &Params,
        _types: &Schema,
        step: &OpenExportConnectionRunStep,
    ) -> Result<()> {
        self.hooks = crate::observe::Hooks::from_params(params)?;
        self.hooks.observe(
            ctx,
            "open",
            json!({
                "kind": "export",
                "export_type": format!("{:?}", step.export_type()),
                "batch_size": step.batch_size,
            }),
        );
        self.hooks.maybe_panic(ctx);
        if let Err(err) = self.open_store(ctx, params).await {
            self.note_cancelled(ctx, &err);
            return Err(err);
        }
        self.export = Some(ExportState {
            batch_size: step.batch_size,
            full: step.export_type() == ecma2_sdk::pb::OperationType::Full,
            exported: 0,
        });
        Ok(())
    }

    async fn put_export_entries(
        &mut self,
        ctx: &Context,
        entries: Vec<CsEntryChange>,
    ) -> Result<PutExportEntriesResults> {
        self.hooks.maybe_panic(ctx);
        self.block(ctx, self.hooks.block_put).await?;
        let count = entries.len();
        let entries = if self.hooks.dn_style_none {
            entries.into_iter().map(place_without_dn).collect()
        } else {
            entries
        };
        let token = ctx.cancellation_token();
        let full = self.export.as_ref().is_some_and(|s| s.full);
        let dn_style_none = self.hooks.dn_style_none;
        let outcome = self
            .store()?
            .run(move |conn| {
                let mut entries = entries;
                if dn_style_none {
                    // References name objects by their anchor.
                    crate::anchor_refs::to_dns(conn, &mut entries)?;
                }
                export_batch(conn, &entries, full, &|| token.is_cancelled())
            })
            .await;
        let results = match outcome {
            Ok(results) => results,
            Err(err) => {
                let err = Error::from(err);
                self.note_cancelled(ctx, &err);
                return Err(err);
            }
        };
        let failed = results
            .iter()
            .filter(|r| r.error_code() != MaExportError::Success)
            .count();
        if let Some(state) = self.export.as_mut() {
            state.exported += count as u64;
        }
        info!(entries = count, not_success = failed, "export batch written");
        self.hooks
            .observe(ctx, "export", json!({ "entries": count, "not_success": failed }));
        if self.hooks.exit_after_put {
            self.hooks.observe(ctx, "exit", json!({ "entries": count }));
            std::process::exit(3);
        }
        Ok(PutExportEntriesResults {
            cs_entry_change_results: results,
        })
    }

    async fn close_export_connection(&mut self, ctx: &Context, step: &CloseExportConnectionRunStep) -> Result<()> {
        self.hooks.observe(
            ctx,
            "close",
            json!({
                "kind": "export",
                "reason": format!("{:?}", step.reason()),
                "cancelled": self.cancelled_calls > 0 || ctx.is_cancelled(),
                "cancelled_calls": self.cancelled_calls,
                "exported": self.export.as_ref().map(|s| s.exported).unwrap_or_default(),
                "batch_size": self.export.as_ref().map(|s| s.batch_size),
            }),
        );
        self.hooks.maybe_panic(ctx);
        self.store = None;
        self.export = None;
        info!(reason = ?step.reason(), "export closed");
        Ok(())
    }
}

/// Test hook `test_dn_style_none`: the engine sends an add with the anchor (or nothing) as DN;
/// the directory places it by its `cn` under `OU=People` of the demo partition.
fn place_without_dn(mut entry: CsEntryChange) -> CsEntryChange {
    if entry.object_modification_type() != ObjectModificationType::Add || Dn::parse(&entry.dn).is_ok() {
        return entry;
    }
    let cn = entry
        .attribute_changes
        .iter()
        .find(|a| a.name == "cn")
        .and_then(|a| a.value_changes.first())
        .and_then(|v| match v.value.as_ref().and_then(|v| v.kind.as_ref()) {
            Some(Kind::StringValue(s)) => Some(s.clone()),
            _ => None,
        });
    if let Some(cn) = cn {
        entry.dn = format!("CN={cn},OU=People,DC=demo,DC=example");
    }
    entry
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn value_json(value: &AttributeValue) -> Json {
    match value.kind.as_ref() {
        Some(Kind::StringValue(s) | Kind::ReferenceValue(s)) => json!(s),
        Some(Kind::IntegerValue(i)) => json!(i),
        Some(Kind::BooleanValue(b)) => json!(b),
        Some(Kind::BinaryValue(b)) => json!(hex(b)),
        None => Json::Null,
    }
}

/// One change as a JSON object, the line format of the import and export files:
/// `{"changeType","objectType","dn","id","attributes":{name:[values] or null},"error"}`.
/// Binary values are hex text; references are DNs.
pub fn entry_to_json(entry: &CsEntryChange) -> Json {
    let change_type = match entry.object_modification_type() {
        ObjectModificationType::Add => "add",
        ObjectModificationType::Update => "update",
        ObjectModificationType::Replace => "replace",
        ObjectModificationType::Delete => "delete",
        _ => "none",
    };
    let mut attributes = Map::new();
    for change in &entry.attribute_changes {
        let values: Vec<Json> = change
            .value_changes
            .iter()
            .filter(|v| v.modification_type() != ValueModificationType::Delete)
            .filter_map(|v| v.value.as_ref().map(value_json))
            .collect();
        let cleared = change.modification_type() == AttributeModificationType::Delete;
        attributes.insert(change.name.clone(), if cleared { Json::Null } else { json!(values) });
    }
    let mut line = json!({
        "changeType": change_type,
        "objectType": entry.object_type,
        "dn": entry.dn,
        "id": anchor_of(entry),
        "attributes": attributes,
    });
    if !entry.error_name.is_empty() {
        line["error"] = json!({ "name": entry.error_name, "detail": entry.error_detail });
    }
    line
}

fn json_value(spec: &AttrSpec, value: &Json) -> Option<AttributeValue> {
    use ecma2_sdk::IntoValue;
    Some(match (spec.ty, value) {
        (AttributeType::String, Json::String(s)) => s.clone().into_value(),
        (AttributeType::Reference, Json::String(s)) => Reference(s.clone()).into_value(),
        (AttributeType::Integer, Json::Number(n)) => n.as_i64()?.into_value(),
        (AttributeType::Boolean, Json::Bool(b)) => b.into_value(),
        (AttributeType::Binary, Json::String(s)) => unhex(s)?.into_value(),
        _ => return None,
    })
}

/// The change a line of an export file describes (see [`entry_to_json`]); `newDn` renames.
pub fn json_to_entry(line: &Json) -> Result<CsEntryChange, String> {
    let field = |name: &str| line.get(name).and_then(Json::as_str).unwrap_or_default();
    let object_type = field("objectType");
    let kind = match field("changeType") {
        "add" => ObjectModificationType::Add,
        "update" => ObjectModificationType::Update,
        "replace" => ObjectModificationType::Replace,
        "delete" => ObjectModificationType::Delete,
        other => return Err(format!("changeType {other:?} is not add, update, replace or delete")),
    };
    let mut builder = model::change(kind, object_type).dn(field("dn"));
    if !field("id").is_empty() {
        builder = builder.anchor(ANCHOR, field("id"));
    }
    if kind == ObjectModificationType::Update && !field("newDn").is_empty() {
        builder = builder.rename(field("newDn"));
    }
    let attributes = line.get("attributes").and_then(Json::as_object);
    for (name, values) in attributes.into_iter().flatten() {
        let spec =
            schema::attribute(object_type, name).ok_or_else(|| format!("{object_type} has no attribute {name:?}"))?;
        if values.is_null() {
            builder = builder.attr_delete(name);
            continue;
        }
        let list = match values {
            Json::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        let typed = list
            .iter()
            .map(|v| json_value(spec, v).ok_or_else(|| format!("attribute {name}: {v} is not a {:?} value", spec.ty)))
            .collect::<Result<Vec<_>, _>>()?;
        builder = builder.attr_values(name, typed);
    }
    Ok(builder.build())
}

#[async_trait]
impl FileExport for Demo {
    async fn read_export_file(
        &mut self,
        ctx: &Context,
        params: &Params,
        _types: &Schema,
        step: &ReadExportFileRunStep,
    ) -> Result<()> {
        self.hooks_from(ctx, params)?;
        let path = std::path::PathBuf::from(&step.file_path);
        let text = store::blocking(move || std::fs::read_to_string(path))
            .await
            .map_err(|e| Error::other(e).with_dn(step.file_path.clone()))?;
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parsed: Json = serde_json::from_str(line)
                .map_err(|e| Error::unexpected_data(format!("{} line {}: {e}", step.file_path, number + 1)))?;
            let entry = json_to_entry(&parsed)
                .map_err(|e| Error::unexpected_data(format!("{} line {}: {e}", step.file_path, number + 1)))?;
            entries.push((number + 1, entry));
        }
        let token = ctx.cancellation_token();
        let changes: Vec<CsEntryChange> = entries.iter().map(|(_, e)| e.clone()).collect();
        let store = self.open_store(ctx, params).await?;
        let results = store
            .run(move |conn| export_batch(conn, &changes, false, &|| token.is_cancelled()))
            .await?;
        let lines: BTreeMap<&str, usize> = entries.iter().map(|(n, e)| (e.identifier.as_str(), *n)).collect();
        let failures: Vec<String> = results
            .iter()
            .filter(|r| r.error_code() != MaExportError::Success)
            .map(|r| {
                format!(
                    "line {}: {:?} {}",
                    lines[r.identifier.as_str()],
                    r.error_code(),
                    r.error_detail
                )
            })
            .collect();
        self.hooks.observe(
            ctx,
            "export_file",
            json!({ "entries": results.len(), "not_success": failures.len(), "path": step.file_path }),
        );
        if failures.is_empty() {
            Ok(())
        } else {
            Err(Error::unexpected_data(format!(
                "{} of {} changes in {} were not exported: {}",
                failures.len(),
                results.len(),
                step.file_path,
                failures.join("; ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lines_round_trip() {
        let entry = model::add(schema::USER)
            .dn("CN=Zed,OU=People,DC=demo,DC=example")
            .attr("mail", "zed@demo.example")
            .attr("photo", vec![0xde, 0xad])
            .attr(
                "manager",
                Reference("CN=Ada Lovelace,OU=People,DC=demo,DC=example".into()),
            )
            .build();
        let line = entry_to_json(&entry);
        assert_eq!(line["attributes"]["photo"], json!(["dead"]));
        let back = json_to_entry(&line).unwrap();
        assert_eq!(back.attribute_changes.len(), 3);
        let photo = |e: &CsEntryChange| {
            e.attribute_changes
                .iter()
                .find(|a| a.name == "photo")
                .unwrap()
                .value_changes[0]
                .value
                .clone()
        };
        assert_eq!(photo(&back), photo(&entry));
        assert!(json_to_entry(&json!({"changeType": "nope"})).is_err());
        assert_eq!(unhex("0g"), None);
    }
}
