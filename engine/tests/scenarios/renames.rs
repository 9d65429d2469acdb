//! Renames on export (guide, ObjectRename: "the DN being changed ... in an update"): staged
//! with `newDn`, sent as the "DN" attribute change, followed by the connector space and
//! confirmed at the new DN; refused when the connector's ObjectRename is false.

use serde_json::json;

use crate::support::{Scenario, sent_for};
use crate::user;

#[tokio::test]
async fn renames_a_staged_rename_is_exported_and_the_space_follows_it() {
    let mut s = Scenario::new(0, &[]).await;
    s.import(false, 0).await.unwrap();
    let old = user("Grace Hopper");
    let new = user("Grace Brewster Hopper");
    let before = s.space.get_by_dn("demo", &old).unwrap().unwrap();
    s.stage(&[json!({"op": "update", "dn": old, "newDn": new, "attrs": {"title": "Commodore"}})])
        .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?} {sent:?}");
    let update = sent_for(&sent, &old)[0];
    let dn_change = update["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "DN")
        .unwrap_or_else(|| panic!("the DN change was sent: {update}"));
    assert_eq!(dn_change["values"][0]["value"], json!(new), "{update}");
    let after = s.space.get_by_dn("demo", &new).unwrap().expect("the space follows");
    assert_eq!(after.anchor_attributes, before.anchor_attributes, "same object");
    assert!(s.space.get_by_dn("demo", &old).unwrap().is_none());
    let delta = s.import(true, 0).await.unwrap();
    assert!(delta.confirmed >= 1, "{delta:?}");
    assert_eq!(delta.warnings, 0, "confirmed at the new DN: {delta:?}");
    assert!(s.space.get_by_dn("demo", &new).unwrap().is_some());
    s.finish().await;
}

#[tokio::test]
async fn renames_object_rename_false_keeps_the_rename_staged_and_sends_nothing() {
    let mut s = Scenario::new(0, &[("test_no_object_rename", "1")]).await;
    s.import(false, 0).await.unwrap();
    let old = user("Grace Hopper");
    s.stage(&[json!({"op": "update", "dn": old, "newDn": user("Grace Renamed")})])
        .await;
    let (summary, sent) = s.export(0).await;
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(summary.errors, 1, "{summary:?}");
    assert_eq!(s.space.pending("demo").unwrap().len(), 1, "still staged");
    assert!(s.space.get_by_dn("demo", &old).unwrap().is_some());
    s.finish().await;
}
