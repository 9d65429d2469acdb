//! Test hook `test_dn_style_none`, references: with DN style None "there is only an immutable
//! ID, the anchor, and ... all other objects reference each other using this single value"
//! (guide, "DistinguishedNameStyle"). So an import gives each reference value as the referenced
//! object's anchor, and an export takes reference values as anchors. The store keeps references
//! by id either way; only their spelling on the wire changes.

use ecma2_sdk::pb::attribute_value::Kind;
use ecma2_sdk::pb::{AttributeType, CsEntryChange};
use rusqlite::{Connection, OptionalExtension};

use crate::{dn, schema, store};

/// Calls `f` on every reference value of `entries` (by the schema of each entry's type).
fn each_reference(
    entries: &mut [CsEntryChange],
    mut f: impl FnMut(&mut String) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    for entry in entries {
        for change in &mut entry.attribute_changes {
            let reference = schema::attribute(&entry.object_type, &change.name)
                .is_some_and(|spec| spec.ty == AttributeType::Reference);
            if !reference {
                continue;
            }
            for value in &mut change.value_changes {
                if let Some(Kind::ReferenceValue(text) | Kind::StringValue(text)) =
                    value.value.as_mut().and_then(|v| v.kind.as_mut())
                {
                    f(text)?;
                }
            }
        }
    }
    Ok(())
}

/// Imported entries: each reference DN becomes the anchor of the object it names.
pub fn to_anchors(conn: &Connection, entries: &mut [CsEntryChange]) -> rusqlite::Result<()> {
    each_reference(entries, |text| {
        if let Ok(normal) = dn::normalize(text) {
            if let Some((id, _)) = store::id_by_dn(conn, &normal)? {
                *text = id;
            }
        }
        Ok(())
    })
}

/// Entries to export: each reference that is an object's anchor becomes its DN, which the
/// export resolves as usual. An anchor of no object stays as it is, and is reported unresolved.
pub fn to_dns(conn: &Connection, entries: &mut [CsEntryChange]) -> rusqlite::Result<()> {
    let mut by_id = conn.prepare_cached("SELECT dn FROM objects WHERE id = ?1")?;
    each_reference(entries, |text| {
        if let Some(found) = by_id.query_row([text.as_str()], |r| r.get::<_, String>(0)).optional()? {
            *text = found;
        }
        Ok(())
    })
}
