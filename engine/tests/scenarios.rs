//! Scenarios named after the ECMA2 guide's rules (`/work/shared/ecma2/ecma2-guide.md`), each
//! driving the real demo connector through a real host and checking what crossed the wire (the
//! drop file), what the connector saw (its observe file) and what the connector space holds.
//! `docs/engine.md` lists them against the rules.

mod support;

#[path = "scenarios/concurrency.rs"]
mod concurrency;
#[path = "scenarios/dn_style.rs"]
mod dn_style;
#[path = "scenarios/full_export.rs"]
mod full_export;
#[path = "scenarios/partitions.rs"]
mod partitions;
#[path = "scenarios/renames.rs"]
mod renames;
#[path = "scenarios/secrets.rs"]
mod secrets;
#[path = "scenarios/stops.rs"]
mod stops;

use serde_json::json;
use support::{Scenario, attribute_names, sent_for};

pub(crate) const PEOPLE: &str = "OU=People,DC=demo,DC=example";
const GROUPS: &str = "OU=Groups,DC=demo,DC=example";

pub(crate) fn user(cn: &str) -> String {
    format!("CN={cn},{PEOPLE}")
}

fn add_user(cn: &str) -> serde_json::Value {
    json!({"op": "add", "type": "user", "dn": user(cn), "attrs": {"cn": cn, "mail": format!("{}@scenario.example", cn.replace(' ', "."))}})
}

/// Guide, Watermarks: "During full import, object obsolescence should not occur"; the freeze of
/// the watermark at the page before an error is for delta import. A full import with an
/// object-level error still commits its watermark, so a delta can follow it.
#[tokio::test]
async fn watermarks_a_full_import_with_an_object_error_commits_its_watermark() {
    let mut s = Scenario::new(5, &[]).await;
    s.import(false, 0).await.unwrap();
    s.demo_sql(&format!(
        "UPDATE objects SET bad = 'broken on purpose' WHERE dn = '{}'",
        user("Grace Hopper")
    ));
    let fresh = ecma2_engine::Space::open(&s.dir.path().join("fresh")).unwrap();
    s.space = fresh;
    let full = s.import(false, 0).await.unwrap();
    assert_eq!(full.errors, 1, "{full:?}");
    let last_page = s.observed("page").last().unwrap()["custom_data"].clone();
    assert_eq!(
        s.space.watermark("demo", "default").unwrap().as_deref(),
        last_page.as_str(),
        "the full import committed the connector's last watermark"
    );
    s.import(true, 0)
        .await
        .expect("a delta import can follow the full import");
    s.finish().await;
}

/// Guide, Watermarks: a full import starts from nothing; the old delta watermark is for delta
/// imports only. With a connector that answers OpenImportConnection without a watermark, a full
/// import's first GetImportEntries carries no watermark (a delta's carries the committed one),
/// and each later page carries the page before's.
#[tokio::test]
async fn watermarks_a_full_imports_first_page_never_receives_the_old_delta_watermark() {
    let mut s = Scenario::new(4, &[("test_open_without_watermark", "1")]).await;
    s.import(false, 0).await.unwrap();
    let old = s.space.watermark("demo", "default").unwrap().unwrap();
    assert!(!old.is_empty());
    let before = s.observed("page").len();
    s.import(true, 0).await.unwrap();
    let delta = s.observed("page").split_off(before);
    assert_eq!(
        delta[0]["asked_custom_data"],
        old.as_str(),
        "a delta starts from the watermark"
    );
    let before = s.observed("page").len();
    s.import(false, 3).await.unwrap();
    let full = s.observed("page").split_off(before);
    assert!(full.len() >= 2, "{full:?}");
    assert_eq!(
        full[0]["asked_custom_data"], "",
        "the first page of a full import gets no old watermark: {full:?}"
    );
    for pair in full.windows(2) {
        assert_eq!(pair[1]["asked_custom_data"], pair[0]["custom_data"], "{full:?}");
    }
    s.finish().await;
}

/// Guide, CloseImportConnection / Watermarks: the connector is closed with the watermark of the
/// last page it returned.
#[tokio::test]
async fn watermarks_close_receives_the_last_pages_watermark() {
    let mut s = Scenario::new(5, &[]).await;
    s.import(false, 3).await.unwrap();
    let last_page = s.observed("page").last().unwrap()["custom_data"].clone();
    let close = s.observed("close").last().unwrap().clone();
    assert!(!last_page.as_str().unwrap_or_default().is_empty());
    assert_eq!(close["custom_data"], last_page, "{close}");
    s.finish().await;
}

/// Guide, The four passes: "The fourth pass exports each reference value by itself" - with its
/// own modification, so a removal stays a Delete.
#[tokio::test]
async fn four_passes_pass_4_keeps_each_values_own_modification() {
    let mut s = Scenario::new(3, &[]).await;
    s.import(false, 0).await.unwrap();
    let group = format!("CN=Pass Four,{GROUPS}");
    s.stage(&[json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Pass Four", "member": [user("Ada Lovelace")]}})])
        .await;
    s.export(0).await;
    s.import(true, 0).await.unwrap();
    let ghost = user("Nobody At All");
    s.stage(&[
        json!({"op": "update", "dn": group, "add": {"member": [ghost]}, "remove": {"member": [user("Ada Lovelace")]}}),
    ])
    .await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.passes, 4, "{summary:?} {sent:?}");
    let last = *sent_for(&sent, &group).last().unwrap();
    let values = last["attributes"][0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 1, "pass 4 sends one value: {last}");
    let removal = sent_for(&sent, &group)
        .into_iter()
        .flat_map(|e| e["attributes"][0]["values"].as_array().unwrap().clone())
        .filter(|v| {
            v["value"]["ref"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(&user("Ada Lovelace")))
        })
        .collect::<Vec<_>>();
    assert!(
        removal
            .iter()
            .all(|v| v["modification"] == "VALUE_MODIFICATION_TYPE_DELETE"),
        "the removed member is a Delete in every pass: {removal:?}"
    );
    s.finish().await;
}

/// Guide, ExportPasswordInFirstPass: with false, "the connector then gets one call with the add,
/// without the password, and then an update with only the password".
#[tokio::test]
async fn export_password_in_first_pass_false_sends_the_password_alone() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    let dn = user("Password Later");
    let manager = user("Password Manager");
    s.stage(&[
        add_user("Password Manager"),
        json!({"op": "add", "type": "user", "dn": dn, "attrs": {"cn": "Password Later", "mail": "later@scenario.example", "manager": manager}, "password": "Sup3r-secret!"}),
    ])
    .await;
    let (_, sent) = s.export(1).await;
    let entries = sent_for(&sent, &dn);
    assert!(
        !attribute_names(entries[0]).contains(&"export_password".to_owned()),
        "the add goes without the password: {}",
        entries[0]
    );
    let password_updates: Vec<_> = entries
        .iter()
        .filter(|e| attribute_names(e).contains(&"export_password".to_owned()))
        .collect();
    assert_eq!(password_updates.len(), 1, "{entries:?}");
    assert_eq!(
        attribute_names(password_updates[0]),
        ["export_password"],
        "the password update carries nothing else: {}",
        password_updates[0]
    );
    s.finish().await;
}

/// Guide, Optimistically exporting references: "reference attributes to objects exported in an
/// earlier batch are exported already in the first pass".
#[tokio::test]
async fn optimistic_references_to_an_object_of_an_earlier_batch_go_in_pass_1() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    let group = format!("CN=Early Batch,{GROUPS}");
    s.stage(&[
        json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Early Batch", "member": [user("Early Member")]}}),
        add_user("Early Member"),
    ])
    .await;
    let (summary, sent) = s.export(1).await;
    assert_eq!(summary.errors, 0, "{summary:?}");
    assert_eq!(summary.passes, 1, "no second pass was needed: {summary:?}");
    let add = sent_for(&sent, &group)[0];
    assert!(attribute_names(add).contains(&"member".to_owned()), "{add}");
    s.finish().await;
}

/// Guide, Delete-Add: "In case the delete operation fails, then the add will be suppressed and
/// not sent to the connected directory."
#[tokio::test]
async fn delete_add_a_failed_delete_suppresses_the_add() {
    let mut s = Scenario::new(3, &[]).await;
    s.import(false, 0).await.unwrap();
    // OU=People holds users: the demo refuses to delete a container that is not a leaf.
    s.stage(&[
        json!({"op": "delete", "dn": PEOPLE}),
        json!({"op": "add", "type": "organizationalUnit", "dn": PEOPLE, "attrs": {"ou": "People"}}),
    ])
    .await;
    let (summary, sent) = s.export(0).await;
    let kinds: Vec<_> = sent_for(&sent, PEOPLE)
        .iter()
        .map(|e| e["modification"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["OBJECT_MODIFICATION_TYPE_DELETE"], "{sent:?}");
    assert!(summary.errors >= 1);
    s.finish().await;
}

/// Guide, Anchor: the anchor identifies one object for its lifetime; the add of a delete-add is
/// a new object and never carries the deleted object's anchor.
#[tokio::test]
async fn delete_add_the_add_does_not_carry_the_deleted_anchor() {
    let mut s = Scenario::new(3, &[]).await;
    s.import(false, 0).await.unwrap();
    let dn = user("Grace Hopper");
    s.stage(&[json!({"op": "delete", "dn": dn}), json!({"op": "add", "type": "user", "dn": dn, "attrs": {"cn": "Grace Hopper", "mail": "grace.again@scenario.example"}})]).await;
    let (summary, sent) = s.export(0).await;
    assert_eq!(summary.errors, 0, "{summary:?}");
    let add = sent_for(&sent, &dn)
        .into_iter()
        .find(|e| e["modification"] == "OBJECT_MODIFICATION_TYPE_ADD")
        .expect("the add was sent");
    assert_eq!(add["anchors"], json!([]), "{add}");
    s.finish().await;
}

/// Guide, The four passes / ECMA2 and references: an add whose references failed in every pass
/// was added; the next export sends only what is still pending (the references), not the add.
#[tokio::test]
async fn four_passes_an_add_whose_references_failed_is_not_sent_again_whole() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    let group = format!("CN=Half Done,{GROUPS}");
    s.stage(&[json!({"op": "add", "type": "group", "dn": group, "attrs": {"cn": "Half Done", "member": [user("Not Yet There")]}})])
        .await;
    let (first, _) = s.export(0).await;
    assert_eq!(first.errors, 1, "{first:?}");
    let (_, sent) = s.export(0).await;
    let entries = sent_for(&sent, &group);
    assert!(!entries.is_empty());
    for e in &entries {
        assert_ne!(e["modification"], "OBJECT_MODIFICATION_TYPE_ADD", "{e}");
        assert_eq!(attribute_names(e), ["member"], "{e}");
    }
    s.finish().await;
}

/// Secrets: a staged password never appears in clear in a drop file.
#[tokio::test]
async fn secrets_a_staged_password_is_not_in_the_drop_file() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    s.stage(&[json!({"op": "add", "type": "user", "dn": user("Secret Keeper"), "attrs": {"cn": "Secret Keeper", "mail": "keeper@scenario.example"}, "password": "Sup3r-secret!"})])
        .await;
    let (_, sent) = s.export(0).await;
    let text = serde_json::to_string(&sent).unwrap();
    assert!(text.contains("export_password"), "the password did cross: {text}");
    assert!(!text.contains("Sup3r-secret!"), "{text}");
    s.finish().await;
}

/// Guide, DeltaImport: the capability says whether delta import run profiles exist; a connector
/// that says false is never opened for a delta import.
#[tokio::test]
async fn delta_import_capability_false_refuses_delta_runs() {
    let mut s = Scenario::new(2, &[("test_no_delta_import", "1")]).await;
    s.import(false, 0).await.unwrap();
    let refused = s.import(true, 0).await.unwrap_err();
    assert!(
        matches!(refused, ecma2_engine::Error::NoDeltaImport { .. }),
        "{refused}"
    );
    let opens = s.observed("open");
    assert!(
        opens.iter().all(|o| o["import_type"] != "Delta"),
        "no delta import was opened: {opens:?}"
    );
    s.finish().await;
}

/// An export batch whose outcome is unknown (the connector died after writing it, before it
/// answered) is not recorded as failed: its adds are not sent again until an import has shown
/// whether they happened, and the import that shows them confirms them.
#[tokio::test]
async fn export_outcome_unknown_is_confirmed_by_import_before_any_add_is_resent() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    s.stage(&[add_user("Unknown One"), add_user("Unknown Two")]).await;
    let normal = s.params.clone();
    s.params.push(support::param("test_exit_after_put", "1"));
    let mut options = ecma2_engine::ExportOptions::new("demo", s.params.clone());
    options.observer = Some(&mut s.events);
    let died = ecma2_engine::export(&s.engine, &s.space, options).await;
    assert!(died.is_err(), "the connector died mid-export");
    assert!(!s.observed("exit").is_empty(), "the demo wrote the batch, then exited");
    s.params = normal;
    s.wait_ready().await;
    // Before any import: nothing is sent again (the demo already holds both users).
    let (again, sent) = s.export(0).await;
    assert!(sent.is_empty(), "no add is resent before an import: {sent:?}");
    assert_eq!(again.errors, 0);
    let delta = s.import(true, 0).await.unwrap();
    assert!(delta.confirmed >= 2, "{delta:?}");
    for cn in ["Unknown One", "Unknown Two"] {
        let stored = s.space.get_by_dn("demo", &user(cn)).unwrap().expect("imported");
        assert!(
            !stored.anchor_attributes.is_empty(),
            "the anchor was learnt: {stored:?}"
        );
    }
    let (last, sent) = s.export(0).await;
    assert!(sent.is_empty() && last.errors == 0, "{sent:?}");
    s.finish().await;
}

/// Guide, Normalizations: with Uppercase the controller upper-cases exported values, so the
/// confirming import (which returns them upper-cased) shows no exported-change-not-reimported.
#[tokio::test]
async fn normalizations_uppercase_is_applied_to_exported_values() {
    let mut s = Scenario::new(2, &[("test_normalize_uppercase", "1")]).await;
    s.import(false, 0).await.unwrap();
    let dn = user("Ada Lovelace");
    s.stage(&[json!({"op": "update", "dn": dn, "attrs": {"title": "chief analyst"}})])
        .await;
    let (_, sent) = s.export(0).await;
    let update = sent_for(&sent, &dn)[0];
    let title = update["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "title")
        .expect("the title was sent");
    assert_eq!(title["values"][0]["value"], "CHIEF ANALYST", "{update}");
    s.finish().await;
}

/// Guide, Anchor: "If the sync engine sees that the anchor value does not match the expected
/// value for the DN, it assumed that there was a rename". An object that comes back from a
/// delta import with its anchor and a new DN is the same object, renamed: the connector space
/// follows it.
#[tokio::test]
async fn renames_a_delta_update_with_the_anchor_and_a_new_dn_moves_the_object() {
    let mut s = Scenario::new(2, &[]).await;
    s.import(false, 0).await.unwrap();
    let old = user("Grace Hopper");
    let new = user("Grace Brewster Hopper");
    let before = s.space.get_by_dn("demo", &old).unwrap().expect("imported");
    s.demo_sql(&format!(
        "UPDATE objects SET dn = '{new}', rdn = 'Grace Brewster Hopper' WHERE dn = '{old}'"
    ));
    let delta = s.import(true, 0).await.unwrap();
    assert_eq!(delta.errors, 0, "{delta:?}");
    let after = s
        .space
        .get_by_dn("demo", &new)
        .unwrap()
        .expect("the space follows the rename");
    assert_eq!(after.anchor_attributes, before.anchor_attributes);
    assert!(s.space.get_by_dn("demo", &old).unwrap().is_none(), "the old DN is gone");
    s.finish().await;
}
