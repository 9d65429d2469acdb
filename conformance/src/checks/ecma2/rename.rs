//! `rename`: a rename keeps the object (guide, "Anchors and DNs", "ObjectRename"). The kit adds
//! an object, exports a rename of it as ECMA2 shapes one (an Update whose attribute change `DN`
//! carries the new DN), and expects Success; then a delta import that reports the same anchor
//! under the new DN and no Delete of it, and a full import with the object, same anchor, at the
//! new DN only. The object is deleted afterwards.

use ecma2_proto::pb::*;

use super::support::{KitObject, add_kit_object, delete_kit_object, describe, dn_style, import, same_anchor};
use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::checks::export::result_ok;
use crate::run_fn;
use crate::subject::{Subject, same_dn, string_value};

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![Check {
        id: "rename",
        category: Category::Ecma2,
        rule: "a rename exported as a DN change keeps the object: same anchor, new DN, never a Delete and an Add",
        writes: Some(
            "adds one object named ecma2-conformance-<tag>, renames it to ecma2-conformance-<tag>-renamed, then deletes it",
        ),
        needs: &[
            Need::Interface(Ecma2Interface::CallExport),
            Need::Interface(Ecma2Interface::CallImport),
        ],
        doc: "docs/connector-rules.md#renames",
        run: run_fn!(rename),
    }]
}

/// `dn` with its first component's value replaced by `value + "-renamed"`.
pub fn renamed(dn: &str) -> String {
    let (first, rest) = match dn.split_once(',') {
        Some((first, rest)) => (first, Some(rest)),
        None => (dn, None),
    };
    let first = match first.split_once('=') {
        Some((name, value)) => format!("{name}={}-renamed", value.trim()),
        None => format!("{first}-renamed"),
    };
    match rest {
        Some(rest) => format!("{first},{rest}"),
        None => first,
    }
}

/// The export entry of a rename: ECMA2's `AttributeChange.CreateNewDN`.
pub fn rename_entry(object: &KitObject, new_dn: &str) -> CsEntryChange {
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Update as i32,
        object_type: object.object_type.clone(),
        dn: object.dn.clone(),
        anchor_attributes: object.anchors.clone(),
        attribute_changes: vec![AttributeChange {
            name: "DN".into(),
            data_type: AttributeType::String as i32,
            is_multi_valued: false,
            modification_type: AttributeModificationType::Unconfigured as i32,
            value_changes: vec![ValueChange {
                value: string_value(new_dn.to_owned()),
                modification_type: ValueModificationType::Add as i32,
            }],
        }],
        ..Default::default()
    }
}

/// What a delta after the rename shows wrong; `None` when it reports the rename as one.
pub fn delta_problem(object: &KitObject, new_dn: &str, delta: &[CsEntryChange]) -> Option<String> {
    let mine = |e: &&CsEntryChange| {
        same_anchor(&e.anchor_attributes, &object.anchors) || same_dn(&e.dn, &object.dn) || same_dn(&e.dn, new_dn)
    };
    let related: Vec<&CsEntryChange> = delta.iter().filter(mine).collect();
    if let Some(delete) = related
        .iter()
        .find(|e| e.object_modification_type() == ObjectModificationType::Delete)
    {
        return Some(format!(
            "the delta reports {}: a rename is the same object with a new DN, not a Delete",
            describe(delete)
        ));
    }
    if let Some(new) = related
        .iter()
        .find(|e| same_dn(&e.dn, new_dn) && !same_anchor(&e.anchor_attributes, &object.anchors))
    {
        return Some(format!(
            "the delta reports {} under a new anchor; the anchor must not change",
            describe(new)
        ));
    }
    if !related.iter().any(|e| same_dn(&e.dn, new_dn)) {
        return Some(format!(
            "the delta does not report the object under its new DN {new_dn}"
        ));
    }
    None
}

async fn rename(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let style = dn_style(s);
    if style == MaDistinguishedNameStyle::None || !s.caps.object_rename.unwrap_or(true) {
        return Ok(Outcome::skip(
            "the connector does not rename (ObjectRename false or DN style None)",
        ));
    }
    if s.caps.is_dn_as_anchor.unwrap_or(false) {
        return Ok(Outcome::skip(
            "IsDNAsAnchor: a moved object is a delete and an add by design",
        ));
    }
    let mut object = add_kit_object(s, None).await?;
    let new_dn = renamed(&object.dn);
    let outcome = renamed_object(s, &mut object, &new_dn).await;
    let left = delete_kit_object(s, &object).await;
    Ok(match outcome {
        Ok(o) => o.left(left),
        Err(f) => Outcome::from(f).left(left),
    })
}

/// Renames the kit's object and checks how imports show it; `object` follows the object to
/// where the last import found it, for the clean-up.
async fn renamed_object(s: &Subject<'_>, object: &mut KitObject, new_dn: &str) -> Result<Outcome, Failure> {
    if object.anchors.is_empty() {
        return Ok(Outcome::skip(format!(
            "the kit's object {} has no anchor in the import, so a rename cannot be told from a new object",
            object.dn
        )));
    }
    let before = object.clone();
    let update = rename_entry(object, new_dn);
    let sent = format!("PutExportEntries: Update {} with DN -> {new_dn}", object.dn);
    let results = s.export(vec![update.clone()]).await?;
    if let Err(f) = result_ok(&results, &update.identifier) {
        return Ok(Outcome::fail("the rename was refused")
            .sent(sent)
            .received(f.received.unwrap_or_default()));
    }
    let delta = if s.caps.delta_import.unwrap_or(true) {
        Some(import(s, true, &before.watermark, None).await?.0)
    } else {
        None
    };
    let (after, _) = import(s, false, "", None).await?;
    let at_new = after.iter().find(|e| same_dn(&e.dn, new_dn)).cloned();
    let at_old = after.iter().any(|e| same_dn(&e.dn, &before.dn));
    if let Some(e) = &at_new {
        object.dn = e.dn.clone();
        object.anchors = e.anchor_attributes.clone();
    }
    if let Some(delta) = &delta
        && let Some(problem) = delta_problem(&before, new_dn, delta)
    {
        let seen: Vec<String> = delta.iter().map(describe).collect();
        return Ok(Outcome::fail(problem).sent(sent).received(seen.join("; ")));
    }
    Ok(match at_new {
        None => Outcome::fail(format!("a full import after the rename has nothing at {new_dn}")).sent(sent),
        Some(e) if !same_anchor(&e.anchor_attributes, &before.anchors) => Outcome::fail(format!(
            "after the rename a full import shows {}: the anchor changed, so the engine sees a new object",
            describe(&e)
        ))
        .sent(sent),
        Some(_) if at_old => {
            Outcome::fail("a full import after the rename still has an object at the old DN").sent(sent)
        }
        Some(e) => Outcome::pass(format!(
            "renamed to {}; {} the same anchor at the new DN",
            e.dn,
            if delta.is_some() {
                "the delta and a full import show"
            } else {
                "a full import shows"
            }
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::attribute_value::Kind;

    fn anchor(value: &str) -> Vec<AnchorAttribute> {
        vec![AnchorAttribute {
            name: "id".into(),
            data_type: AttributeType::String as i32,
            value: Some(AttributeValue {
                kind: Some(Kind::StringValue(value.into())),
            }),
        }]
    }

    fn entry(kind: ObjectModificationType, dn: &str, id: &str) -> CsEntryChange {
        CsEntryChange {
            object_modification_type: kind as i32,
            object_type: "person".into(),
            dn: dn.into(),
            anchor_attributes: anchor(id),
            ..Default::default()
        }
    }

    #[test]
    fn renamed_changes_the_first_value_only() {
        assert_eq!(renamed("CN=x, OU=P,DC=t"), "CN=x-renamed, OU=P,DC=t");
        assert_eq!(renamed("CN=x"), "CN=x-renamed");
    }

    #[test]
    fn a_rename_is_the_same_anchor_under_the_new_dn() {
        let object = KitObject {
            object_type: "person".into(),
            dn: "CN=x,DC=t".into(),
            anchors: anchor("1"),
            watermark: String::new(),
        };
        let new = "CN=x-renamed,DC=t";
        use ObjectModificationType::{Add, Delete, Replace, Update};
        for kind in [Update, Replace, Add] {
            assert_eq!(delta_problem(&object, new, &[entry(kind, new, "1")]), None);
        }
        assert!(delta_problem(&object, new, &[entry(Delete, "CN=x,DC=t", "1"), entry(Add, new, "2")]).is_some());
        assert!(delta_problem(&object, new, &[entry(Delete, "CN=x,DC=t", "1"), entry(Add, new, "1")]).is_some());
        assert!(delta_problem(&object, new, &[entry(Add, new, "2")]).is_some());
        assert!(delta_problem(&object, new, &[]).is_some());
    }
}
