//! FullExport (guide: the directory "wants all objects every time and not only changed
//! objects"; "the Full Export step type appears in the run profiles" only when it is true).

use serde_json::json;

use crate::support::{Scenario, sent_for};
use crate::user;

#[tokio::test]
async fn full_export_sends_every_object_whole_with_the_staged_changes_applied() {
    let mut s = Scenario::new(3, &[("test_full_export", "1")]).await;
    s.import(false, 0).await.unwrap();
    let objects = s.space.count("demo").unwrap() as usize;
    let added = user("Full Export");
    s.stage(&[
        json!({"op": "update", "dn": user("Ada Lovelace"), "attrs": {"title": "Countess"}}),
        json!({"op": "add", "type": "user", "dn": added, "attrs": {"cn": "Full Export", "mail": "full@scenario.example"}}),
        json!({"op": "delete", "dn": user("Grace Hopper")}),
    ])
    .await;
    let (summary, sent) = s.try_export(0, true).await.unwrap();
    assert_eq!(summary.errors, 0, "{summary:?} {:?}", s.events);
    assert_eq!(
        sent.len(),
        objects,
        "every object once, the deleted one not: {summary:?}"
    );
    assert!(sent.iter().all(|e| e["modification"] == "OBJECT_MODIFICATION_TYPE_ADD"));
    assert!(sent_for(&sent, &user("Grace Hopper")).is_empty());
    let ada = sent_for(&sent, &user("Ada Lovelace"))[0];
    let title = ada["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "title")
        .unwrap();
    assert_eq!(title["values"][0]["value"], "Countess", "{ada}");
    let open = s.observed("open").pop().unwrap();
    assert_eq!(open["export_type"], "Full", "{open}");
    assert!(s.space.pending("demo").unwrap().is_empty(), "everything went");
    assert!(s.space.get_by_dn("demo", &added).unwrap().is_some());
    assert!(s.space.get_by_dn("demo", &user("Grace Hopper")).unwrap().is_none());
    s.finish().await;
}

#[tokio::test]
async fn full_export_capability_false_refuses_full_export_runs() {
    let mut s = Scenario::new(0, &[]).await;
    s.import(false, 0).await.unwrap();
    let error = s.try_export(0, true).await.unwrap_err();
    assert!(matches!(error, ecma2_engine::Error::NoFullExport { .. }), "{error}");
    assert!(
        s.observed("open").iter().all(|o| o["kind"] != "export"),
        "no export session opened"
    );
    s.finish().await;
}
