//! The connector space: what the engine knows of each connector's objects, kept in an embedded
//! SQLite database in the state directory. Objects are stored as their full CSEntryChange (Add
//! form, protobuf-encoded), keyed by connector and anchor; watermarks per connector and partition.

use std::path::Path;

use ecma2_proto::pb::{
    AttributeChange, AttributeModificationType, AttributeValue, CsEntryChange, ObjectModificationType, ValueChange,
    ValueModificationType, attribute_value::Kind,
};
use prost::Message;
use rusqlite::{OptionalExtension, params};

use crate::error::{Error, Result};
use crate::seal::Sealer;
use crate::stage::PASSWORD_ATTRIBUTE;

mod fresh;
mod pending;
mod placeholder;
pub use fresh::Fresh;
pub use pending::Staged;
pub use placeholder::{PLACEHOLDER_PARTITION, is_placeholder};

/// What [`Space::upsert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// The object was not in the connector space.
    Added,
    /// The object was there with other values.
    Updated,
    /// The object was there as it is.
    Unchanged,
}

/// The connector space database.
pub struct Space {
    db: rusqlite::Connection,
    /// The state directory (run locks live beside the database, see [`crate::lock`]).
    dir: std::path::PathBuf,
    /// Seals staged changes that carry a password (see [`crate::seal`]).
    sealer: Sealer,
}

/// The identity of an object: its anchor values, or its DN when it has no anchor.
pub fn anchor_key(entry: &CsEntryChange) -> String {
    if entry.anchor_attributes.is_empty() {
        return format!("dn:{}", entry.dn.to_lowercase());
    }
    let mut parts: Vec<String> = entry
        .anchor_attributes
        .iter()
        .map(|a| format!("{}={}", a.name, value_text(a.value.as_ref())))
        .collect();
    parts.sort();
    parts.join("|")
}

/// A short text form of a value.
pub fn value_text(value: Option<&AttributeValue>) -> String {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(s)) | Some(Kind::ReferenceValue(s)) => s.clone(),
        Some(Kind::IntegerValue(i)) => i.to_string(),
        Some(Kind::BooleanValue(b)) => b.to_string(),
        Some(Kind::BinaryValue(b)) => format!("<{} bytes>", b.len()),
        None => String::new(),
    }
}

impl Space {
    /// Opens (creating) the database under `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::SpaceOpen {
            path: dir.to_owned(),
            reason: e.to_string(),
        })?;
        let path = dir.join("connector-space.db");
        let db = rusqlite::Connection::open(&path).map_err(|e| Error::SpaceOpen {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        db.execute_batch(
            "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;
             CREATE TABLE IF NOT EXISTS objects (
               connector TEXT NOT NULL, anchor TEXT NOT NULL, partition TEXT NOT NULL,
               dn TEXT NOT NULL, object_type TEXT NOT NULL, entry BLOB NOT NULL, seen INTEGER NOT NULL DEFAULT 0,
               PRIMARY KEY (connector, anchor));
             DROP INDEX IF EXISTS objects_dn;
             CREATE INDEX IF NOT EXISTS objects_dn_key ON objects(connector, lower(dn));
             CREATE TABLE IF NOT EXISTS pending (
               seq INTEGER PRIMARY KEY AUTOINCREMENT, connector TEXT NOT NULL, change BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS unconfirmed (
               connector TEXT NOT NULL, dn TEXT NOT NULL, kind TEXT NOT NULL, expected BLOB NOT NULL,
               PRIMARY KEY (connector, dn));
             CREATE TABLE IF NOT EXISTS watermarks (
               connector TEXT NOT NULL, partition TEXT NOT NULL, custom_data TEXT NOT NULL,
               PRIMARY KEY (connector, partition));",
        )?;
        // Every per-object statement stays prepared for the life of the space (a page applies
        // thousands of objects in one transaction; re-preparing each was a third of the time).
        // Spaces made before "outcome unknown" existed get the column (the error when it is
        // already there is the expected case).
        let _ = db.execute_batch("ALTER TABLE pending ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0");
        // Staged changes with a password are sealed (1); spaces from before keep theirs as is.
        let _ = db.execute_batch("ALTER TABLE pending ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0");
        db.set_prepared_statement_cache_capacity(64);
        Ok(Self {
            db,
            dir: dir.to_owned(),
            sealer: Sealer::new(dir),
        })
    }

    /// The state directory the connector space lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether any exported change of `connector` awaits confirmation (imports skip the
    /// per-object lookup when none does).
    pub fn expecting(&self, connector: &str) -> Result<bool> {
        Ok(self
            .db
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM unconfirmed WHERE connector=?1)")?
            .query_row(params![connector], |r| r.get(0))?)
    }

    /// Begins a transaction (pages are applied in one each).
    pub fn begin(&self) -> Result<()> {
        self.db.execute_batch("BEGIN")?;
        Ok(())
    }

    /// Commits the open transaction.
    pub fn commit(&self) -> Result<()> {
        self.db.execute_batch("COMMIT")?;
        Ok(())
    }

    /// The committed watermark; None when no import ever completed for this partition.
    pub fn watermark(&self, connector: &str, partition: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .prepare_cached("SELECT custom_data FROM watermarks WHERE connector=?1 AND partition=?2")?
            .query_row(params![connector, partition], |r| r.get(0))
            .optional()?)
    }

    /// Commits a watermark.
    pub fn set_watermark(&self, connector: &str, partition: &str, custom_data: &str) -> Result<()> {
        self.db
            .prepare_cached(
                "INSERT INTO watermarks(connector, partition, custom_data) VALUES (?1, ?2, ?3)
             ON CONFLICT(connector, partition) DO UPDATE SET custom_data=excluded.custom_data",
            )?
            .execute(params![connector, partition, custom_data])?;
        Ok(())
    }

    /// Clears the seen marks before a full import.
    pub fn clear_seen(&self, connector: &str, partition: &str) -> Result<()> {
        self.db
            .prepare_cached("UPDATE objects SET seen=0 WHERE connector=?1 AND partition=?2")?
            .execute(params![connector, partition])?;
        Ok(())
    }

    /// Deletes objects a full import did not return (obsolescence). Returns how many.
    pub fn delete_unseen(&self, connector: &str, partition: &str) -> Result<usize> {
        Ok(self
            .db
            .prepare_cached("DELETE FROM objects WHERE connector=?1 AND partition=?2 AND seen=0")?
            .execute(params![connector, partition])?)
    }

    /// Looks an object up by anchor key.
    pub fn get(&self, connector: &str, anchor: &str) -> Result<Option<CsEntryChange>> {
        let blob: Option<Vec<u8>> = self
            .db
            .prepare_cached("SELECT entry FROM objects WHERE connector=?1 AND anchor=?2")?
            .query_row(params![connector, anchor], |r| r.get(0))
            .optional()?;
        blob.map(|b| CsEntryChange::decode(b.as_slice()).map_err(Error::from))
            .transpose()
    }

    /// Looks an object up by DN (case-insensitive).
    pub fn get_by_dn(&self, connector: &str, dn: &str) -> Result<Option<CsEntryChange>> {
        let blob: Option<Vec<u8>> = self
            .db
            .prepare_cached("SELECT entry FROM objects WHERE connector=?1 AND lower(dn)=lower(?2)")?
            .query_row(params![connector, dn], |r| r.get(0))
            .optional()?;
        blob.map(|b| CsEntryChange::decode(b.as_slice()).map_err(Error::from))
            .transpose()
    }

    /// Stages a change for the next export. A change that carries a password is sealed.
    pub fn stage(&self, connector: &str, change: &CsEntryChange) -> Result<()> {
        let blob = change.encode_to_vec();
        let secret = change.attribute_changes.iter().any(|a| a.name == PASSWORD_ATTRIBUTE);
        let blob = if secret {
            self.sealer.seal(connector, &blob)?
        } else {
            blob
        };
        self.db
            .prepare_cached("INSERT INTO pending(connector, change, sealed) VALUES (?1, ?2, ?3)")?
            .execute(params![connector, blob, secret])?;
        Ok(())
    }

    fn staged_change(&self, connector: &str, blob: &[u8], sealed: bool) -> Result<CsEntryChange> {
        if sealed {
            let plain = self.sealer.open(connector, blob)?;
            return Ok(CsEntryChange::decode(plain.as_slice())?);
        }
        Ok(CsEntryChange::decode(blob)?)
    }

    /// The staged changes, in order.
    pub fn pending(&self, connector: &str) -> Result<Vec<(i64, CsEntryChange)>> {
        let mut statement = self
            .db
            .prepare("SELECT seq, change, sealed FROM pending WHERE connector=?1 AND unknown=0 ORDER BY seq")?;
        let rows = statement.query_map(params![connector], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, bool>(2)?))
        })?;
        rows.map(|row| {
            let (seq, blob, sealed) = row?;
            Ok((seq, self.staged_change(connector, &blob, sealed)?))
        })
        .collect()
    }

    /// Marks a staged change whose export batch reached the connector with no answer (the
    /// connector died or the call failed after it was sent): the next import confirms it.
    pub fn mark_unknown(&self, seq: i64) -> Result<()> {
        self.db
            .prepare_cached("UPDATE pending SET unknown=1 WHERE seq=?1")?
            .execute(params![seq])?;
        Ok(())
    }

    /// How many staged changes of `connector` have an unknown outcome.
    pub fn unknown_count(&self, connector: &str) -> Result<u64> {
        Ok(self
            .db
            .prepare_cached("SELECT count(*) FROM pending WHERE connector=?1 AND unknown=1")?
            .query_row(params![connector], |r| r.get::<_, i64>(0))? as u64)
    }

    /// An import showed `dn`: a staged add of it whose outcome was unknown did happen, and is
    /// dropped from the pending list. Returns whether there was one.
    pub fn confirm_unknown_add(&self, connector: &str, dn: &str) -> Result<bool> {
        let rows: Vec<(i64, Vec<u8>, bool)> = {
            let mut statement = self
                .db
                .prepare_cached("SELECT seq, change, sealed FROM pending WHERE connector=?1 AND unknown=1")?;
            let rows = statement.query_map(params![connector], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (seq, blob, sealed) in rows {
            let change = self.staged_change(connector, &blob, sealed)?;
            if change.object_modification_type() == ObjectModificationType::Add && change.dn.eq_ignore_ascii_case(dn) {
                self.unstage(seq)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// After an import: staged changes whose outcome was unknown and that the import did not
    /// confirm did not happen; the next export sends them. Returns how many.
    pub fn release_unknown(&self, connector: &str) -> Result<usize> {
        Ok(self
            .db
            .prepare_cached("UPDATE pending SET unknown=0 WHERE connector=?1 AND unknown=1")?
            .execute(params![connector])?)
    }

    /// Drops exported changes from the pending list.
    pub fn unstage(&self, seq: i64) -> Result<()> {
        self.db
            .prepare_cached("DELETE FROM pending WHERE seq=?1")?
            .execute(params![seq])?;
        Ok(())
    }

    /// Records an exported change the next delta import should show.
    pub fn expect(&self, connector: &str, dn: &str, kind: &str, expected: &CsEntryChange) -> Result<()> {
        self.db
            .prepare_cached(
                "INSERT INTO unconfirmed(connector, dn, kind, expected) VALUES (?1, lower(?2), ?3, ?4)
             ON CONFLICT(connector, dn) DO UPDATE SET kind=excluded.kind, expected=excluded.expected",
            )?
            .execute(params![connector, dn, kind, expected.encode_to_vec()])?;
        Ok(())
    }

    /// The expectation for `dn`, if any.
    pub fn expectation(&self, connector: &str, dn: &str) -> Result<Option<(String, CsEntryChange)>> {
        let row: Option<(String, Vec<u8>)> = self
            .db
            .prepare_cached("SELECT kind, expected FROM unconfirmed WHERE connector=?1 AND dn=lower(?2)")?
            .query_row(params![connector, dn], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(kind, blob)| Ok((kind, CsEntryChange::decode(blob.as_slice())?)))
            .transpose()
    }

    /// Removes an expectation (confirmed, or reported as not re-imported).
    pub fn confirm(&self, connector: &str, dn: &str) -> Result<()> {
        self.db
            .prepare_cached("DELETE FROM unconfirmed WHERE connector=?1 AND dn=lower(?2)")?
            .execute(params![connector, dn])?;
        Ok(())
    }

    /// Every outstanding expectation: (dn, kind).
    pub fn unconfirmed(&self, connector: &str) -> Result<Vec<(String, String)>> {
        let mut statement = self
            .db
            .prepare("SELECT dn, kind FROM unconfirmed WHERE connector=?1 ORDER BY dn")?;
        let rows = statement.query_map(params![connector], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores the full object, marking it seen.
    pub fn put(&self, connector: &str, partition: &str, entry: &CsEntryChange) -> Result<()> {
        let mut stored = entry.clone();
        stored.object_modification_type = ObjectModificationType::Add as i32;
        self.write(connector, partition, &anchor_key(entry), entry, &stored.encode_to_vec())
    }

    /// Stores an imported object (marking it seen) and says whether it is new, changed or as
    /// the connector space already had it. The stored form has no identifier (it names one
    /// crossing, not the object), so an unchanged object compares equal byte for byte.
    pub fn upsert(&self, connector: &str, partition: &str, entry: &mut CsEntryChange) -> Result<Upsert> {
        let key = anchor_key(entry);
        // Encoded in place, not through a clone (a clone per object was a measurable part of a
        // large import); the entry is given back as it came.
        let kind = entry.object_modification_type;
        let identifier = std::mem::take(&mut entry.identifier);
        entry.object_modification_type = ObjectModificationType::Add as i32;
        let blob = entry.encode_to_vec();
        entry.object_modification_type = kind;
        entry.identifier = identifier;
        let old: Option<(Vec<u8>, String, String)> = self
            .db
            .prepare_cached("SELECT entry, dn, partition FROM objects WHERE connector=?1 AND anchor=?2")?
            .query_row(params![connector, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let outcome = match &old {
            None => Upsert::Added,
            Some((old, _, _)) if *old == blob => Upsert::Unchanged,
            Some(_) => Upsert::Updated,
        };
        if let Some((_, dn, old_partition)) = &old
            && dn.eq_ignore_ascii_case(&entry.dn)
        {
            // Known under this anchor and DN: no other object can hold the DN, and an
            // unchanged object only needs its seen mark.
            if outcome == Upsert::Unchanged && old_partition == partition {
                self.db
                    .prepare_cached("UPDATE objects SET seen=1 WHERE connector=?1 AND anchor=?2")?
                    .execute(params![connector, key])?;
            } else {
                self.insert(connector, partition, &key, entry, &blob)?;
            }
            return Ok(outcome);
        }
        self.write(connector, partition, &key, entry, &blob)?;
        Ok(outcome)
    }

    fn write(&self, connector: &str, partition: &str, key: &str, entry: &CsEntryChange, blob: &[u8]) -> Result<()> {
        // One object per DN: an export stored before its anchor was known is replaced here.
        self.db
            .prepare_cached("DELETE FROM objects WHERE connector=?1 AND lower(dn)=lower(?2) AND anchor<>?3")?
            .execute(params![connector, entry.dn, key])?;
        self.insert(connector, partition, key, entry, blob)
    }

    fn insert(&self, connector: &str, partition: &str, key: &str, entry: &CsEntryChange, blob: &[u8]) -> Result<()> {
        self.db
            .prepare_cached(
                "INSERT INTO objects(connector, anchor, partition, dn, object_type, entry, seen) VALUES (?1,?2,?3,?4,?5,?6,1)
                 ON CONFLICT(connector, anchor) DO UPDATE SET partition=excluded.partition, dn=excluded.dn,
                   object_type=excluded.object_type, entry=excluded.entry, seen=1",
            )?
            .execute(params![connector, key, partition, entry.dn, entry.object_type, blob])?;
        Ok(())
    }

    /// Removes an object.
    pub fn remove(&self, connector: &str, anchor: &str) -> Result<bool> {
        Ok(self
            .db
            .prepare_cached("DELETE FROM objects WHERE connector=?1 AND anchor=?2")?
            .execute(params![connector, anchor])?
            > 0)
    }

    /// How many objects the connector has.
    pub fn count(&self, connector: &str) -> Result<i64> {
        Ok(self
            .db
            .prepare_cached("SELECT count(*) FROM objects WHERE connector=?1 AND object_type<>''")?
            .query_row(params![connector], |r| r.get(0))?)
    }

    /// The object types present, with their counts.
    pub fn types(&self, connector: &str) -> Result<Vec<(i64, String)>> {
        let mut statement = self.db.prepare(
            "SELECT count(*), object_type FROM objects WHERE connector=?1 AND object_type<>'' GROUP BY object_type ORDER BY object_type",
        )?;
        let rows = statement.query_map(params![connector], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every object of a connector, by DN (a full export sends them all).
    pub fn objects(&self, connector: &str) -> Result<Vec<CsEntryChange>> {
        let mut statement = self
            .db
            .prepare("SELECT entry FROM objects WHERE connector=?1 AND object_type<>'' ORDER BY lower(dn)")?;
        let rows = statement.query_map(params![connector], |r| r.get::<_, Vec<u8>>(0))?;
        rows.map(|b| Ok(CsEntryChange::decode(b?.as_slice())?)).collect()
    }

    /// Some objects of a type, for building demo exports.
    pub fn sample(&self, connector: &str, object_type: &str, limit: usize) -> Result<Vec<CsEntryChange>> {
        let mut statement = self
            .db
            .prepare("SELECT entry FROM objects WHERE connector=?1 AND object_type=?2 ORDER BY dn LIMIT ?3")?;
        let rows = statement.query_map(params![connector, object_type, limit as i64], |r| {
            r.get::<_, Vec<u8>>(0)
        })?;
        rows.map(|b| Ok(CsEntryChange::decode(b?.as_slice())?)).collect()
    }
}

/// Applies a delta Update to a stored object, as the engine's connector space would.
pub fn apply_update(stored: &mut CsEntryChange, update: &CsEntryChange) -> Result<()> {
    for change in &update.attribute_changes {
        if change.name.eq_ignore_ascii_case("DN") {
            if let Some(value) = change.value_changes.first() {
                stored.dn = value_text(value.value.as_ref());
            }
            continue;
        }
        let position = stored.attribute_changes.iter().position(|a| a.name == change.name);
        match change.modification_type() {
            AttributeModificationType::Add | AttributeModificationType::Replace => {
                let replacement = AttributeChange {
                    modification_type: AttributeModificationType::Add as i32,
                    value_changes: change
                        .value_changes
                        .iter()
                        .map(|v| ValueChange {
                            value: v.value.clone(),
                            modification_type: ValueModificationType::Add as i32,
                        })
                        .collect(),
                    ..change.clone()
                };
                match position {
                    Some(i) if change.modification_type() == AttributeModificationType::Add => stored.attribute_changes
                        [i]
                        .value_changes
                        .extend(replacement.value_changes),
                    Some(i) => stored.attribute_changes[i] = replacement,
                    None => stored.attribute_changes.push(replacement),
                }
            }
            AttributeModificationType::Delete => {
                if let Some(i) = position {
                    stored.attribute_changes.remove(i);
                }
            }
            AttributeModificationType::Update => {
                let attribute = match position {
                    Some(i) => &mut stored.attribute_changes[i],
                    None => {
                        stored.attribute_changes.push(AttributeChange {
                            modification_type: AttributeModificationType::Add as i32,
                            value_changes: Vec::new(),
                            ..change.clone()
                        });
                        stored.attribute_changes.last_mut().expect("just pushed")
                    }
                };
                for value in &change.value_changes {
                    match value.modification_type() {
                        ValueModificationType::Delete => attribute.value_changes.retain(|v| v.value != value.value),
                        _ => attribute.value_changes.push(ValueChange {
                            value: value.value.clone(),
                            modification_type: ValueModificationType::Add as i32,
                        }),
                    }
                }
            }
            other => {
                return Err(Error::InvalidAttributeChange {
                    attribute: change.name.clone(),
                    modification: format!("{other:?}"),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::AnchorAttribute;

    fn value(s: &str) -> Option<AttributeValue> {
        Some(AttributeValue {
            kind: Some(Kind::StringValue(s.into())),
        })
    }

    fn entry(id: &str) -> CsEntryChange {
        CsEntryChange {
            object_type: "user".into(),
            dn: format!("CN={id}"),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: 1,
                value: value(id),
            }],
            attribute_changes: vec![AttributeChange {
                name: "member".into(),
                modification_type: AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: value("a"),
                    modification_type: 2,
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// The statements run once per imported object must use an index: a scan makes an import
    /// quadratic (100,000 objects took half an hour before `objects_dn_key`).
    #[test]
    fn per_object_statements_use_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        // Each statement with the index constraint its plan must show: both keys, not a prefix.
        let lower_dn = "(connector=? AND <expr>=?)";
        for (sql, key) in [
            (
                "SELECT entry FROM objects WHERE connector=?1 AND lower(dn)=lower(?2)",
                lower_dn,
            ),
            (
                "DELETE FROM objects WHERE connector=?1 AND lower(dn)=lower(?2) AND anchor<>?3",
                lower_dn,
            ),
            (
                "SELECT entry FROM objects WHERE connector=?1 AND anchor=?2",
                "(connector=? AND anchor=?)",
            ),
            (
                "SELECT kind, expected FROM unconfirmed WHERE connector=?1 AND dn=lower(?2)",
                "(connector=? AND dn=?)",
            ),
        ] {
            let mut plan = space.db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let details: Vec<String> = plan
                .query_map(params!["c", "x", "y"][..sql.matches('?').count()].as_ref(), |r| {
                    r.get(3)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = details.join("; ");
            assert!(plan.contains("USING") && plan.contains(key), "{sql}: {plan}");
        }
    }

    #[test]
    fn obsolescence_removes_only_unseen_objects() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        space.put("c", "p", &entry("1")).unwrap();
        space.put("c", "p", &entry("2")).unwrap();
        space.clear_seen("c", "p").unwrap();
        space.put("c", "p", &entry("1")).unwrap();
        assert_eq!(space.delete_unseen("c", "p").unwrap(), 1);
        assert!(space.get("c", "id=1").unwrap().is_some());
        assert!(space.get("c", "id=2").unwrap().is_none());
    }

    #[test]
    fn updates_apply_value_level_changes_and_renames() {
        let mut stored = entry("1");
        let update = CsEntryChange {
            attribute_changes: vec![
                AttributeChange {
                    name: "member".into(),
                    modification_type: AttributeModificationType::Update as i32,
                    value_changes: vec![
                        ValueChange {
                            value: value("b"),
                            modification_type: ValueModificationType::Add as i32,
                        },
                        ValueChange {
                            value: value("a"),
                            modification_type: ValueModificationType::Delete as i32,
                        },
                    ],
                    ..Default::default()
                },
                AttributeChange {
                    name: "DN".into(),
                    value_changes: vec![ValueChange {
                        value: value("CN=new"),
                        modification_type: 2,
                    }],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        apply_update(&mut stored, &update).unwrap();
        assert_eq!(stored.dn, "CN=new");
        let members: Vec<_> = stored.attribute_changes[0]
            .value_changes
            .iter()
            .map(|v| value_text(v.value.as_ref()))
            .collect();
        assert_eq!(members, ["b"]);
    }
}
