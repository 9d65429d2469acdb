//! Placeholders for references into partitions not yet imported. Guide, Partitions and DNs:
//! "all objects must match the DN in the partition that is currently running. The exception is
//! reference attributes, that can reference objects in other partitions. These objects might
//! not yet have been imported. In that case, a placeholder is created until the object has been
//! imported."
//!
//! A placeholder is a row of the `objects` table that holds only a DN: no object type, no
//! anchor, no attributes, keyed `placeholder:<dn>` in the `(placeholder)` partition (so no
//! partition's obsolescence removes it). The import of the partition that holds the object
//! fills it: storing an object replaces any other row with its DN (see `Space::upsert`), so a
//! placeholder costs an import nothing. Until then an export finds the referenced object by DN,
//! so a reference to it is not held back as one to an object that does not exist. Listings of
//! objects (`objects`, `count`, `types`, `sample`) leave placeholders out.

use ecma2_proto::pb::{AttributeType, CsEntryChange};
use prost::Message;
use rusqlite::params;

use super::{Space, value_text};
use crate::error::Result;
use crate::scope::{Containers, is_within};

/// The connector space partition placeholders are kept in.
pub const PLACEHOLDER_PARTITION: &str = "(placeholder)";

/// Whether a stored object is a placeholder (it has no object type; every real one has).
pub fn is_placeholder(entry: &CsEntryChange) -> bool {
    entry.object_type.is_empty() && entry.anchor_attributes.is_empty()
}

impl Space {
    /// Makes a placeholder for every reference of `entry` (an object the run in `containers`
    /// just stored) to another partition's object that the connector space does not hold.
    /// Returns how many it made. Runs without a partition have nothing to do.
    pub fn placeholders_for(&self, connector: &str, containers: &Containers, entry: &CsEntryChange) -> Result<u64> {
        let Some(partition) = containers.partition.as_ref().filter(|p| !p.dn.is_empty()) else {
            return Ok(0);
        };
        let mut made = 0;
        for attribute in &entry.attribute_changes {
            if attribute.data_type() != AttributeType::Reference {
                continue;
            }
            for value in &attribute.value_changes {
                let dn = value_text(value.value.as_ref());
                if dn.is_empty() || is_within(&dn, &partition.dn) {
                    continue;
                }
                made += self.ensure_placeholder(connector, &dn)? as u64;
            }
        }
        Ok(made)
    }

    /// Stores a placeholder for `dn` unless an object (or a placeholder) has that DN.
    pub fn ensure_placeholder(&self, connector: &str, dn: &str) -> Result<bool> {
        let entry = CsEntryChange {
            dn: dn.to_owned(),
            ..Default::default()
        };
        let changed = self
            .db
            .prepare_cached(
                "INSERT INTO objects(connector, anchor, partition, dn, object_type, entry, seen)
                 SELECT ?1, 'placeholder:' || lower(?2), ?3, ?2, '', ?4, 1
                 WHERE NOT EXISTS (SELECT 1 FROM objects WHERE connector=?1 AND lower(dn)=lower(?2))",
            )?
            .execute(params![connector, dn, PLACEHOLDER_PARTITION, entry.encode_to_vec()])?;
        Ok(changed > 0)
    }

    /// The DNs of `connector`'s placeholders, in order.
    pub fn placeholders(&self, connector: &str) -> Result<Vec<String>> {
        let mut statement = self
            .db
            .prepare("SELECT dn FROM objects WHERE connector=?1 AND partition=?2 ORDER BY lower(dn)")?;
        let rows = statement.query_map(params![connector, PLACEHOLDER_PARTITION], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::{AnchorAttribute, AttributeChange, AttributeValue, Partition, ValueChange, attribute_value};

    fn reference(dn: &str) -> ValueChange {
        ValueChange {
            value: Some(AttributeValue {
                kind: Some(attribute_value::Kind::ReferenceValue(dn.into())),
            }),
            modification_type: 2,
        }
    }

    #[test]
    fn a_reference_into_another_partition_gets_a_placeholder_that_its_import_fills() {
        let dir = tempfile::tempdir().unwrap();
        let space = Space::open(dir.path()).unwrap();
        let lab = Containers {
            partition: Some(Partition {
                dn: "DC=lab,DC=example".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let group = CsEntryChange {
            object_type: "group".into(),
            dn: "CN=G,DC=lab,DC=example".into(),
            attribute_changes: vec![AttributeChange {
                name: "member".into(),
                data_type: AttributeType::Reference as i32,
                value_changes: vec![
                    reference("CN=Ada,DC=demo,DC=example"),
                    reference("CN=Lab,DC=lab,DC=example"),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            space.placeholders_for("c", &lab, &group).unwrap(),
            1,
            "only the other partition's"
        );
        assert_eq!(space.placeholders_for("c", &lab, &group).unwrap(), 0, "once");
        assert_eq!(space.placeholders("c").unwrap(), ["CN=Ada,DC=demo,DC=example"]);
        assert!(
            space
                .get_by_dn("c", "cn=ada,dc=demo,dc=example")
                .unwrap()
                .is_some_and(|p| is_placeholder(&p))
        );
        assert_eq!(space.count("c").unwrap(), 0, "listings leave placeholders out");
        let mut ada = CsEntryChange {
            object_type: "user".into(),
            dn: "CN=Ada,DC=demo,DC=example".into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: 1,
                value: Some(AttributeValue {
                    kind: Some(attribute_value::Kind::StringValue("1".into())),
                }),
            }],
            ..Default::default()
        };
        space.upsert("c", "DC=demo,DC=example", &mut ada).unwrap();
        assert!(space.placeholders("c").unwrap().is_empty(), "the import filled it");
        assert_eq!(space.count("c").unwrap(), 1);
    }
}
