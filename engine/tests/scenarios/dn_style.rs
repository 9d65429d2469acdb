//! DN style None (guide, "DistinguishedNameStyle" and "The connector space"): "there is only an
//! immutable ID, the anchor"; "the anchor is copied to the DN attribute by the sync engine to
//! ensure both attributes are populated". The demo's `test_dn_style_none` makes it such a
//! connector: imports carry no DN, and it places an added object by its `cn`.

use serde_json::json;

use crate::support::{Scenario, sent_for};

/// Imports give each object its anchor as DN; two adds staged without a DN are two objects,
/// each stored under the anchor the connector returned (never collapsed into one, keyed by the
/// empty DN); a staged update addresses an object by its anchor and is exported with the anchor
/// as DN and as anchor; the next import confirms every exported change at those DNs.
#[tokio::test]
async fn dn_style_none_objects_are_exported_by_anchor_and_never_collapse() {
    let mut s = Scenario::new(2, &[("test_dn_style_none", "1")]).await;
    let full = s.import(false, 0).await.unwrap();
    let objects = s.space.objects("demo").unwrap();
    assert_eq!(objects.len() as u64, full.adds, "{full:?}");
    for o in &objects {
        let anchor = ecma2_engine::space::value_text(o.anchor_attributes[0].value.as_ref());
        assert_eq!(o.dn, anchor, "the anchor is the DN");
    }
    let count = objects.len();
    s.stage(&[
        json!({"op": "add", "type": "user", "dn": "", "attrs": {"cn": "None One", "mail": "one@none.example"}}),
        json!({"op": "add", "type": "user", "dn": "", "attrs": {"cn": "None Two", "mail": "two@none.example"}}),
    ])
    .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?} {sent:?}");
    assert_eq!(sent.len(), 2, "{sent:?}");
    let objects = s.space.objects("demo").unwrap();
    assert_eq!(objects.len(), count + 2, "two objects, not one: {:?}", s.dns());
    let new: Vec<_> = objects
        .iter()
        .filter(|o| {
            o.attribute_changes
                .iter()
                .any(|a| a.name == "mail" && format!("{a:?}").contains("none.example"))
        })
        .collect();
    assert_eq!(new.len(), 2);
    for o in &new {
        assert_eq!(
            o.dn,
            ecma2_engine::space::value_text(o.anchor_attributes[0].value.as_ref())
        );
    }
    // An update staged by the anchor goes out with the anchor as DN.
    let ada = objects
        .iter()
        .find(|o| {
            o.attribute_changes.iter().any(|a| {
                a.name == "cn"
                    && a.value_changes
                        .iter()
                        .any(|v| ecma2_engine::space::value_text(v.value.as_ref()) == "Ada Lovelace")
            })
        })
        .unwrap();
    s.stage(&[json!({"op": "update", "dn": ada.dn.to_uppercase(), "attrs": {"title": "Countess"}})])
        .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?} {sent:?}");
    let update = sent_for(&sent, &ada.dn)[0];
    assert_eq!(
        update["dn"],
        ada.dn.as_str(),
        "the stored DN (the anchor), as it is: {update}"
    );
    assert_eq!(update["anchors"][0]["value"], ada.dn.as_str(), "{update}");
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.warnings, 0, "every exported change is confirmed: {delta:?}");
    assert!(delta.confirmed >= 3, "{delta:?}");
    assert_eq!(s.space.objects("demo").unwrap().len(), count + 2);
    let stored = s.space.get_by_dn("demo", &ada.dn).unwrap().unwrap();
    assert!(format!("{:?}", stored.attribute_changes).contains("Countess"));
    s.finish().await;
}

/// The text of every value of `name` on `object`.
fn values_of(object: &ecma2_proto::pb::CsEntryChange, name: &str) -> Vec<String> {
    object
        .attribute_changes
        .iter()
        .filter(|a| a.name == name)
        .flat_map(|a| &a.value_changes)
        .map(|v| ecma2_engine::space::value_text(v.value.as_ref()))
        .collect()
}

/// References with DN style None: "all other objects reference each other using this single
/// value", the anchor, and the engine copies the anchor into the DN, so the DN a reference
/// names is the anchor, both ways, with no translation: every imported reference is the DN of
/// an object of the connector space; a reference staged by an object's DN goes out as that
/// object's anchor, the connector resolves it, and the next import confirms it.
#[tokio::test]
async fn dn_style_none_references_name_the_anchor_both_ways() {
    let mut s = Scenario::new(4, &[("test_dn_style_none", "1")]).await;
    s.import(false, 0).await.unwrap();
    let objects = s.space.objects("demo").unwrap();
    let dns: std::collections::HashSet<&str> = objects.iter().map(|o| o.dn.as_str()).collect();
    let references: Vec<String> = objects
        .iter()
        .flat_map(|o| [values_of(o, "manager"), values_of(o, "member")].concat())
        .collect();
    assert!(!references.is_empty(), "the demo's seed has managers and members");
    for reference in &references {
        assert!(
            dns.contains(reference.as_str()),
            "reference {reference:?} is the anchor (the DN) of an object in the space: {dns:?}"
        );
    }
    let users: Vec<_> = objects.iter().filter(|o| o.object_type == "user").collect();
    let who = users
        .iter()
        .find(|u| !values_of(u, "manager").is_empty())
        .expect("a user with a manager");
    let boss = users
        .iter()
        .find(|u| u.dn != who.dn && !values_of(who, "manager").contains(&u.dn))
        .expect("another user");
    s.stage(&[json!({"op": "update", "dn": who.dn, "attrs": {"manager": boss.dn}})])
        .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?} {sent:?}");
    let update = sent_for(&sent, &who.dn)[0];
    assert!(
        update.to_string().contains(&format!("{:?}", boss.dn)),
        "the reference goes out as the manager's anchor: {update}"
    );
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.warnings, 0, "the change is confirmed: {delta:?}");
    let stored = s.space.get_by_dn("demo", &who.dn).unwrap().unwrap();
    assert_eq!(values_of(&stored, "manager"), std::slice::from_ref(&boss.dn));
    s.finish().await;
}
