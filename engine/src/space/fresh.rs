//! The bulk path of a full import into a connector that has no objects in the connector space
//! (the first import of a connector, or one after its space was cleared).
//!
//! In a space that holds nothing of the connector, an imported object can only meet an object
//! that this same run stored before: another entry with its anchor, or with its DN. [`Fresh`]
//! remembers a 64-bit hash of every anchor key and lower-cased DN the run stored, so an object
//! whose anchor and DN are both new is a plain INSERT: no lookup by anchor, no delete by DN, no
//! upsert clause (three index searches fewer per object). An object whose anchor or DN hash was
//! seen before, including a hash collision, takes [`Space::upsert`]'s general path, so every rule
//! of the general path (one object per anchor, one per DN, Updated or Unchanged on a repeat)
//! holds as before; a collision only costs the lookups it would have made anyway.
//!
//! The DN is lower-cased as SQLite's `lower()` does (ASCII only), so "same DN" here is exactly
//! what the `objects_dn_key` index and the general path's delete by DN call the same DN.
//!
//! Another run of the same connector may write the same space at the same time (a connector
//! with ConcurrentOperation = true, two `ecma2` processes). The plain INSERT gives way on an
//! anchor that is already stored; that proves another writer, and the rest of the run takes the
//! general path.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use ecma2_proto::pb::{CsEntryChange, ObjectModificationType};
use prost::Message;
use rusqlite::params;

use super::{Space, Upsert, anchor_key};
use crate::error::Result;

/// What a bulk import stored so far (hashes of anchor keys and of lower-cased DNs).
#[derive(Default)]
pub struct Fresh {
    hasher: RandomState,
    anchors: HashSet<u64>,
    dns: HashSet<u64>,
    /// Another writer stored an object of this connector during the run: no more bulk inserts.
    shared: bool,
}

impl Fresh {
    fn hash_anchor(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    fn hash_dn(&self, dn: &str) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        for byte in dn.bytes() {
            byte.to_ascii_lowercase().hash(&mut hasher);
        }
        hasher.finish()
    }
}

impl Space {
    /// A [`Fresh`] when `connector` has no object in the connector space (a full import may take
    /// the bulk path), None otherwise.
    pub fn fresh(&self, connector: &str) -> Result<Option<Fresh>> {
        let any: bool = self
            .db
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM objects WHERE connector=?1)")?
            .query_row(params![connector], |r| r.get(0))?;
        Ok((!any).then(Fresh::default))
    }

    /// [`Space::upsert`] for a run that started with no object of `connector` in the space: an
    /// object whose anchor and DN the run did not store before is inserted without a lookup.
    pub fn upsert_fresh(
        &self,
        fresh: &mut Fresh,
        connector: &str,
        partition: &str,
        key: String,
        entry: &mut CsEntryChange,
    ) -> Result<Upsert> {
        debug_assert_eq!(key, anchor_key(entry));
        if fresh.shared {
            return self.upsert(connector, partition, entry);
        }
        let anchor = fresh.hash_anchor(&key);
        let dn = fresh.hash_dn(&entry.dn);
        // Both sets learn the object either way: the general path stores it too.
        let new_anchor = fresh.anchors.insert(anchor);
        let new_dn = fresh.dns.insert(dn);
        if !(new_anchor && new_dn) {
            return self.upsert(connector, partition, entry);
        }
        // The stored form as upsert makes it: an Add, without the crossing's identifier.
        let kind = entry.object_modification_type;
        let identifier = std::mem::take(&mut entry.identifier);
        entry.object_modification_type = ObjectModificationType::Add as i32;
        let blob = entry.encode_to_vec();
        entry.object_modification_type = kind;
        entry.identifier = identifier;
        let inserted = self
            .db
            .prepare_cached(
                "INSERT INTO objects(connector, anchor, partition, dn, object_type, entry, seen) VALUES (?1,?2,?3,?4,?5,?6,1)
                 ON CONFLICT(connector, anchor) DO NOTHING",
            )?
            .execute(params![connector, key, partition, entry.dn, entry.object_type, blob])?;
        if inserted == 0 {
            tracing::debug!(
                connector,
                "another run stored objects of this connector: the bulk path ends"
            );
            fresh.shared = true;
            return self.upsert(connector, partition, entry);
        }
        Ok(Upsert::Added)
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        !self.db.is_autocommit()
    }
}

#[cfg(test)]
mod tests {
    use ecma2_proto::pb::{AnchorAttribute, AttributeValue, attribute_value::Kind};

    use super::*;

    fn entry(id: &str, dn: &str) -> CsEntryChange {
        CsEntryChange {
            object_modification_type: ObjectModificationType::Add as i32,
            identifier: format!("crossing-{id}-{dn}"),
            object_type: "user".into(),
            dn: dn.into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: 1,
                value: Some(AttributeValue {
                    kind: Some(Kind::StringValue(id.into())),
                }),
            }],
            ..Default::default()
        }
    }

    fn upsert(space: &Space, fresh: &mut Fresh, id: &str, dn: &str) -> Upsert {
        let mut e = entry(id, dn);
        space.upsert_fresh(fresh, "c", "p", anchor_key(&e), &mut e).unwrap()
    }

    /// The bulk path keeps the general path's rules for repeats within the run: one object per
    /// anchor (a repeat is Unchanged or Updated), one per DN case-insensitively (a new anchor
    /// with a known DN replaces the object), and stores what the general path stores.
    #[test]
    fn repeats_within_a_bulk_import_keep_the_general_rules() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        let mut fresh = space.fresh("c").unwrap().expect("an empty space is fresh");
        assert_eq!(upsert(&space, &mut fresh, "1", "CN=a"), Upsert::Added);
        assert_eq!(upsert(&space, &mut fresh, "2", "CN=b"), Upsert::Added);
        assert_eq!(upsert(&space, &mut fresh, "1", "CN=a"), Upsert::Unchanged);
        assert_eq!(upsert(&space, &mut fresh, "1", "CN=a2"), Upsert::Updated);
        assert_eq!(upsert(&space, &mut fresh, "3", "cn=B"), Upsert::Added);
        assert_eq!(space.count("c").unwrap(), 2, "CN=b and cn=B are one object");
        assert!(space.get("c", "id=2").unwrap().is_none());
        assert_eq!(space.get_by_dn("c", "CN=A2").unwrap().unwrap().dn, "CN=a2");
        // Stored as the general path stores it: an Add without the crossing's identifier.
        let stored = space.get("c", "id=3").unwrap().unwrap();
        assert!(stored.identifier.is_empty());
        let dir2 = tempfile::tempdir().unwrap();
        let general = Space::open(dir2.path()).unwrap();
        general.upsert("c", "p", &mut entry("3", "cn=B")).unwrap();
        assert_eq!(general.get("c", "id=3").unwrap().unwrap(), stored);
        assert!(
            space.fresh("c").unwrap().is_none(),
            "a connector with objects is not fresh"
        );
        assert!(space.fresh("other").unwrap().is_some());
    }

    /// Another run (another handle on the same space) stores an object while this run is on the
    /// bulk path: the insert gives way to the general path instead of failing on the anchor.
    #[test]
    fn another_writer_ends_the_bulk_path() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        let other = Space::open(dir.path()).unwrap();
        let mut fresh = space.fresh("c").unwrap().expect("an empty space is fresh");
        other.upsert("c", "p", &mut entry("1", "CN=a")).unwrap();
        assert_eq!(upsert(&space, &mut fresh, "1", "CN=a"), Upsert::Unchanged);
        assert!(fresh.shared);
        assert_eq!(upsert(&space, &mut fresh, "2", "CN=b"), Upsert::Added);
        assert_eq!(space.count("c").unwrap(), 2);
    }
}
