//! Partitions and hierarchy (guide: "Partitions and DNs", "Hierarchies", OpenImportConnection's
//! hierarchy nodes, "OperationType FullObject").

use serde_json::json;

use crate::support::{Scenario, attribute_names, sent_for};
use crate::{PEOPLE, user};

const DEMO: &str = "DC=demo,DC=example";
const LAB: &str = "DC=lab,DC=example";
const CONTRACTORS: &str = "OU=Contractors,OU=People,DC=demo,DC=example";

fn contractor(cn: &str) -> String {
    format!("CN={cn},{CONTRACTORS}")
}

/// Guide, Partitions: a run is per partition, carries its StepPartition, and keeps its own
/// watermark; obsolescence after a full import touches only the partition that ran.
#[tokio::test]
async fn partitions_runs_carry_their_partition_with_a_watermark_and_obsolescence_each() {
    let mut s = Scenario::new(0, &[]).await;
    s.select(DEMO, &[], &[]);
    s.import(false, 0).await.unwrap();
    s.select(LAB, &[], &[]);
    s.import(false, 0).await.unwrap();
    let opens: Vec<_> = s
        .observed("open")
        .into_iter()
        .filter(|o| o["kind"] == "import")
        .map(|o| o["partition"].clone())
        .collect();
    assert_eq!(opens, [json!(DEMO), json!(LAB)], "each run carries its StepPartition");
    let dns = s.dns();
    assert!(dns.contains(&user("Ada Lovelace").to_lowercase()), "{dns:?}");
    assert!(
        dns.contains(&"cn=alan turing,ou=people,dc=lab,dc=example".to_owned()),
        "{dns:?}"
    );
    let demo_mark = s.space.watermark("demo", DEMO).unwrap();
    let lab_mark = s.space.watermark("demo", LAB).unwrap();
    assert!(demo_mark.is_some() && lab_mark.is_some(), "one watermark per partition");
    // Grace leaves the directory; lab's full import must not obsolete demo's objects.
    s.demo_sql(&format!("DELETE FROM objects WHERE dn = '{}'", user("Grace Hopper")));
    s.import(false, 0).await.unwrap();
    let lab_mark = s.space.watermark("demo", LAB).unwrap();
    assert!(
        s.dns().contains(&user("Grace Hopper").to_lowercase()),
        "lab's run kept demo's objects"
    );
    assert!(s.dns().contains(&user("Ada Lovelace").to_lowercase()));
    s.select(DEMO, &[], &[]);
    let full = s.import(false, 0).await.unwrap();
    assert!(full.deletes >= 1, "{full:?}");
    assert!(
        !s.dns().contains(&user("Grace Hopper").to_lowercase()),
        "demo's run obsoleted Grace"
    );
    assert!(
        s.dns().iter().any(|d| d.ends_with("dc=lab,dc=example")),
        "and nothing of lab"
    );
    // A delta of one partition needs that partition's watermark, not another's.
    s.import(true, 0).await.unwrap();
    assert_eq!(
        s.space.watermark("demo", LAB).unwrap(),
        lab_mark,
        "lab's watermark untouched"
    );
    s.finish().await;
}

/// Guide, OpenImportConnection: the hierarchy nodes are passed to the connector, and "when
/// data during import ... represents an object in an out-of-scope OU, the sync engine ignores
/// it and does not stage it" (the demo, like the ADMA, is told to read every container).
#[tokio::test]
async fn hierarchy_imported_objects_outside_the_selected_containers_are_dropped() {
    let mut s = Scenario::new(0, &[("test_ignore_hierarchy", "1")]).await;
    s.select(DEMO, &[DEMO], &[CONTRACTORS]);
    let full = s.import(false, 0).await.unwrap();
    let open = s.observed("open").pop().unwrap();
    assert_eq!(open["included"], json!([DEMO]), "{open}");
    assert_eq!(open["excluded"], json!([CONTRACTORS]), "{open}");
    let returned: Vec<String> = s
        .observed("page")
        .iter()
        .flat_map(|p| p["dns"].as_array().unwrap().clone())
        .map(|d| d.as_str().unwrap().to_lowercase())
        .collect();
    let babbage = contractor("Charles Babbage").to_lowercase();
    assert!(returned.contains(&babbage), "the connector returned it: {returned:?}");
    assert!(!s.dns().contains(&babbage), "the engine dropped it");
    assert!(full.dropped >= 1, "{full:?}");
    assert!(s.dns().contains(&user("Ada Lovelace").to_lowercase()));
    s.finish().await;
}

/// Guide, OperationType FullObject: with hierarchies, objects in out-of-scope containers are
/// thrown away by a full import; a delta then shows a rename of one into scope with nothing but
/// its DN; the engine asks for it with FullObjectEntries on the next GetImportEntries, gets only
/// that object back, complete, and stages it. An out-of-scope change asks for nothing.
#[tokio::test]
async fn full_object_an_object_renamed_into_scope_is_asked_for_in_full() {
    let mut s = Scenario::new(0, &[("test_ignore_hierarchy", "1")]).await;
    s.select(DEMO, &[DEMO], &[CONTRACTORS]);
    s.import(false, 0).await.unwrap();
    let old = contractor("Charles Babbage");
    // A change inside the excluded container: dropped, no FullObject request.
    s.demo_sql(&format!("UPDATE objects SET title = 'Inventor' WHERE dn = '{old}'"));
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.errors, 0, "{delta:?}");
    assert!(delta.dropped >= 1, "{delta:?}");
    assert!(
        s.observed("page").iter().all(|p| p["full_objects_asked"] == json!([])),
        "nothing asked for an out-of-scope change"
    );
    // Renamed into scope: only the DN and the anchor come in the delta.
    let new = user("Charles Babbage");
    s.demo_sql(&format!(
        "UPDATE objects SET dn = '{new}', parent_dn = '{PEOPLE}' WHERE dn = '{old}'"
    ));
    let pages_before = s.observed("page").len();
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.errors, 0, "{delta:?}");
    let pages = s.observed("page").split_off(pages_before);
    let asked: Vec<_> = pages.iter().filter(|p| p["full_objects_asked"] != json!([])).collect();
    assert_eq!(asked.len(), 1, "one FullObject request: {pages:?}");
    assert_eq!(asked[0]["full_objects_asked"], json!([new]), "{pages:?}");
    assert_eq!(asked[0]["dns"], json!([new]), "the reply holds only what was asked for");
    let stored = s.space.get_by_dn("demo", &new).unwrap().expect("staged in full");
    let names: Vec<_> = stored.attribute_changes.iter().map(|a| a.name.as_str()).collect();
    assert!(
        names.contains(&"mail") && names.contains(&"title"),
        "all attributes: {names:?}"
    );
    s.finish().await;
}

/// The guide's FullObject case needs hierarchies: without selected containers, an Update of an
/// object the connector space lacks is an object-level error, and no FullObject request is made.
#[tokio::test]
async fn full_object_is_not_asked_for_without_hierarchies() {
    let mut s = Scenario::new(0, &[]).await;
    s.import(false, 0).await.unwrap();
    let dn = user("Grace Hopper");
    let known = s.space.get_by_dn("demo", &dn).unwrap().unwrap();
    s.space
        .remove("demo", &ecma2_engine::space::anchor_key(&known))
        .unwrap();
    s.demo_sql(&format!("UPDATE objects SET title = 'Commodore' WHERE dn = '{dn}'"));
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.errors, 1, "{delta:?}");
    assert!(
        s.observed("page").iter().all(|p| p["full_objects_asked"] == json!([])),
        "no FullObject request"
    );
    s.finish().await;
}

/// Selected containers bound export too: nothing is exported into an excluded container (the
/// change stays staged, reported), and another partition's change waits for that partition.
#[tokio::test]
async fn hierarchy_nothing_is_exported_into_an_excluded_container() {
    let mut s = Scenario::new(0, &[]).await;
    s.select(DEMO, &[DEMO], &[CONTRACTORS]);
    s.import(false, 0).await.unwrap();
    let inside = user("Scoped In");
    let excluded = contractor("Scoped Out");
    let lab = "CN=Lab Person,OU=People,DC=lab,DC=example";
    s.stage(&[
        json!({"op": "add", "type": "user", "dn": inside, "attrs": {"cn": "Scoped In", "mail": "in@scenario.example"}}),
        json!({"op": "add", "type": "user", "dn": excluded, "attrs": {"cn": "Scoped Out", "mail": "out@scenario.example"}}),
        json!({"op": "add", "type": "user", "dn": lab, "attrs": {"cn": "Lab Person", "mail": "lab@scenario.example"}}),
    ])
    .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(sent_for(&sent, &inside).len(), 1, "{sent:?}");
    assert!(sent_for(&sent, &excluded).is_empty(), "{sent:?}");
    assert!(sent_for(&sent, lab).is_empty(), "{sent:?}");
    assert_eq!(summary.errors, 1, "the excluded one is reported: {summary:?}");
    let open = s.observed("open").pop().unwrap();
    assert_eq!(open["kind"], "export");
    let staged: Vec<String> = s
        .space
        .pending("demo")
        .unwrap()
        .into_iter()
        .map(|(_, c)| c.dn)
        .collect();
    assert_eq!(staged, [excluded, lab.to_owned()], "both stay staged");
    s.finish().await;
}

/// Guide, OperationType FullObject: "only the objects asked for should be returned". A
/// connector that answers the request with an object not asked for, with an Update instead of
/// the whole object, or without the object fails the run with `Error::FullObjectReply`, naming
/// the connector, the DN and what was wrong; nothing of the reply is staged and the delta
/// watermark stays where it was.
#[tokio::test]
async fn full_object_a_wrong_reply_fails_the_run_naming_connector_dn_and_fault() {
    let new = user("Charles Babbage");
    for (reply, wrong) in [
        ("extra", "not asked for"),
        ("update", "OBJECT_MODIFICATION_TYPE_UPDATE"),
        ("missing", "did not return it"),
    ] {
        let mut s = Scenario::new(0, &[("test_ignore_hierarchy", "1"), ("test_full_object_reply", reply)]).await;
        s.select(DEMO, &[DEMO], &[CONTRACTORS]);
        s.import(false, 0).await.unwrap();
        let watermark = s.space.watermark("demo", DEMO).unwrap();
        s.demo_sql(&format!(
            "UPDATE objects SET dn = '{new}', parent_dn = '{PEOPLE}' WHERE dn = '{}'",
            contractor("Charles Babbage")
        ));
        let error = s.import(true, 0).await.unwrap_err();
        let text = error.to_string();
        let ecma2_engine::Error::FullObjectReply { connector, dn, reason } = &error else {
            panic!("{reply}: {text}");
        };
        assert_eq!(connector, "demo", "{reply}: {text}");
        assert!(reason.contains(wrong), "{reply}: {text}");
        assert!(
            text.contains("demo") && text.contains(&new),
            "{reply}: names connector and DN: {text}"
        );
        if reply == "extra" {
            assert!(
                !dn.eq_ignore_ascii_case(&new),
                "{reply}: names the object not asked for: {text}"
            );
            assert!(
                s.observed("page")
                    .iter()
                    .any(|p| p["dns"].as_array().is_some_and(|d| d.len() == 2))
            );
        } else {
            assert!(dn.eq_ignore_ascii_case(&new), "{reply}: {text}");
        }
        assert!(
            s.space.get_by_dn("demo", &new).unwrap().is_none(),
            "{reply}: nothing of the reply is staged"
        );
        assert_eq!(
            s.space.watermark("demo", DEMO).unwrap(),
            watermark,
            "{reply}: the watermark is not moved"
        );
        s.finish().await;
    }
}

/// Guide, Partitions and DNs: references "can reference objects in other partitions. These
/// objects might not yet have been imported. In that case, a placeholder is created until the
/// object has been imported." Lab's Researchers group holds Ada of the demo partition: lab's
/// import makes a placeholder for her; an export of a lab group that references her sends the
/// reference in pass 1 (the placeholder resolves it by DN); demo's import fills the placeholder.
#[tokio::test]
async fn placeholders_a_reference_into_a_partition_not_yet_imported_gets_a_placeholder() {
    let mut s = Scenario::new(0, &[]).await;
    let ada = user("Ada Lovelace");
    s.select(LAB, &[], &[]);
    let lab = s.import(false, 0).await.unwrap();
    assert_eq!(lab.placeholders, 1, "{lab:?}");
    assert_eq!(s.space.placeholders("demo").unwrap(), std::slice::from_ref(&ada));
    assert!(
        !s.dns().contains(&ada.to_lowercase()),
        "a placeholder is not an object of the connector space"
    );
    let group = "CN=Visitors,OU=Groups,DC=lab,DC=example";
    s.stage(&[json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Visitors", "member": [ada]}})])
        .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?}");
    assert_eq!(summary.passes, 1, "the reference went with the add: {sent:?}");
    let add = sent_for(&sent, group)[0];
    assert!(attribute_names(add).contains(&"member".to_owned()), "{add}");
    s.select(DEMO, &[], &[]);
    s.import(false, 0).await.unwrap();
    assert!(
        s.space.placeholders("demo").unwrap().is_empty(),
        "demo's import filled it"
    );
    let filled = s.space.get_by_dn("demo", &ada).unwrap().unwrap();
    assert_eq!(filled.object_type, "user");
    assert!(!filled.anchor_attributes.is_empty());
    // Lab's next full import keeps no stale placeholder and obsoletes nothing of demo's.
    s.select(LAB, &[], &[]);
    let again = s.import(false, 0).await.unwrap();
    assert_eq!(again.placeholders, 0, "{again:?}");
    assert!(s.dns().contains(&ada.to_lowercase()));
    s.finish().await;
}
