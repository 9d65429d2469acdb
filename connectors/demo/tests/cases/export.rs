//! Call-based export: add, update (multi-valued value adds and deletes), rename, delete and
//! references, each confirmed by a delta import as ECMA2's object confirmation expects; and the
//! object-level errors and export actions.

use ecma2_proto::pb::*;
use ecma2_sdk::model::{self, Reference};

use crate::support::*;

const ADA: &str = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";
const GRACE: &str = "CN=Grace Hopper,OU=People,DC=demo,DC=example";
const ENGINEERS: &str = "CN=Engineers,OU=Groups,DC=demo,DC=example";

fn with_anchor(builder: model::ChangeBuilder<'static>, id: &str) -> model::ChangeBuilder<'static> {
    builder.anchor("id", id.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_update_rename_delete_come_back_in_the_confirming_delta_import() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let entries = full.entries();
    let grace_id = anchor(by_dn(&entries, GRACE));
    let engineers_id = anchor(by_dn(&entries, ENGINEERS));

    // Add: the directory assigns the anchor and returns it with the result.
    let zed_dn = "CN=Zed Shaw,OU=People,DC=demo,DC=example";
    let add = model::add("user")
        .dn(zed_dn)
        .attr("displayName", "Zed Shaw")
        .attr("mail", "zed@demo.example")
        .attr("employeeNumber", 42i64)
        .attr("enabled", true)
        .attr("photo", vec![1u8, 2, 3])
        .attr("title", "Author")
        .attr("manager", Reference(ADA.into()))
        .build();
    let results = export(&mut h.client, params.clone(), vec![add.clone()]).await.unwrap();
    let result = result_for(&results, &add.identifier);
    assert_eq!(result.error_code(), MaExportError::Success, "{result:?}");
    let zed_id = assigned_anchor(result);
    assert_eq!(uuid_version(&zed_id), 4, "the anchor is a UUID: {zed_id}");

    let after_add = delta_import(&mut h.client, params.clone(), full.watermark())
        .await
        .unwrap();
    let seen = after_add.entries();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].object_modification_type(), ObjectModificationType::Add);
    assert_eq!(
        anchor(&seen[0]),
        zed_id,
        "the confirming import carries the assigned anchor"
    );
    assert_eq!(seen[0].dn, zed_dn);
    assert_eq!(values(&seen[0], "cn"), [s("Zed Shaw")]);
    assert_eq!(values(&seen[0], "manager"), [r(ADA)]);
    assert_eq!(
        values(&seen[0], "employeeNumber"),
        [attribute_value::Kind::IntegerValue(42)]
    );
    assert_eq!(
        values(&seen[0], "photo"),
        [attribute_value::Kind::BinaryValue(vec![1u8, 2, 3].into())]
    );

    // Update: replace one attribute, remove another, and per-value member changes (AttributeUpdate).
    let update_user = with_anchor(model::update("user"), &zed_id)
        .dn(zed_dn)
        .attr("title", "Editor")
        .attr_delete("photo")
        .build();
    let update_group = with_anchor(model::update("group"), &engineers_id)
        .dn(ENGINEERS)
        .attr_update("member", [Reference(zed_dn.into())], [Reference(GRACE.into())])
        .build();
    let results = export(
        &mut h.client,
        params.clone(),
        vec![update_user.clone(), update_group.clone()],
    )
    .await
    .unwrap();
    for r in &results {
        assert_eq!(r.error_code(), MaExportError::Success, "{r:?}");
    }
    let after_update = delta_import(&mut h.client, params.clone(), after_add.watermark())
        .await
        .unwrap();
    let seen = after_update.entries();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let zed = by_dn(&seen, zed_dn);
    assert_eq!(zed.object_modification_type(), ObjectModificationType::Update);
    let changed: Vec<(&str, AttributeModificationType)> = zed
        .attribute_changes
        .iter()
        .map(|a| (a.name.as_str(), a.modification_type()))
        .collect();
    assert_eq!(
        changed,
        [
            ("photo", AttributeModificationType::Delete),
            ("title", AttributeModificationType::Replace)
        ],
        "exactly the changed attributes"
    );
    let group = by_dn(&seen, ENGINEERS);
    let mut members = values(group, "member");
    members.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(members, [r(ADA), r(zed_dn)]);

    // Rename through the "DN" attribute: same anchor, new DN, references follow.
    let new_dn = "CN=Zed A. Shaw,OU=Contractors,OU=People,DC=demo,DC=example";
    let rename = with_anchor(model::update("user"), &zed_id)
        .dn(zed_dn)
        .rename(new_dn)
        .build();
    let results = export(&mut h.client, params.clone(), vec![rename]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success, "{:?}", results[0]);
    let after_rename = delta_import(&mut h.client, params.clone(), after_update.watermark())
        .await
        .unwrap();
    let seen = after_rename.entries();
    let zed = seen.iter().find(|e| e.object_type == "user").expect("the renamed user");
    assert_eq!(zed.object_modification_type(), ObjectModificationType::Update);
    assert_eq!(anchor(zed), zed_id);
    assert_eq!(zed.dn, new_dn);
    assert_eq!(
        values(zed, "cn"),
        [s("Zed A. Shaw")],
        "the naming attribute follows the RDN"
    );
    // The engine fixes up references to a renamed object itself; reading them shows the new DN.
    let now = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    assert!(values(by_dn(&now.entries(), ENGINEERS), "member").contains(&r(new_dn)));

    // Delete.
    let delete = with_anchor(model::delete("user"), &zed_id).dn(new_dn).build();
    let results = export(&mut h.client, params.clone(), vec![delete]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success);
    let after_delete = delta_import(&mut h.client, params.clone(), after_rename.watermark())
        .await
        .unwrap();
    let seen = after_delete.entries();
    let gone = seen.iter().find(|e| e.object_type == "user").expect("the delete");
    assert_eq!(gone.object_modification_type(), ObjectModificationType::Delete);
    assert_eq!(anchor(gone), zed_id);
    assert!(
        !values(by_dn(&seen, ENGINEERS), "member").contains(&r(new_dn)),
        "membership went with it"
    );

    // A delete of something already gone still succeeds; the delta after it is empty.
    let again = with_anchor(model::delete("user"), &zed_id).dn(new_dn).build();
    let results = export(&mut h.client, params.clone(), vec![again]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success);
    let quiet = delta_import(&mut h.client, params, after_delete.watermark())
        .await
        .unwrap();
    assert!(quiet.entries().is_empty());
    let _ = grace_id;
    h.stop().await;
}

fn uuid_version(text: &str) -> u32 {
    assert_eq!(text.len(), 36, "{text}");
    text[14..15].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_mail_is_a_constraint_violation_for_that_object_only() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let clash = model::add("user")
        .dn("CN=Ada Again,OU=People,DC=demo,DC=example")
        .attr("mail", "ADA@demo.example")
        .build();
    let fine = model::add("user")
        .dn("CN=Fine,OU=People,DC=demo,DC=example")
        .attr("mail", "fine@demo.example")
        .build();
    let results = export(&mut h.client, params.clone(), vec![clash.clone(), fine.clone()])
        .await
        .unwrap();
    let bad = result_for(&results, &clash.identifier);
    assert_eq!(bad.error_code(), MaExportError::ExportErrorConstraintViolation);
    assert_eq!(bad.error_name, "mail-not-unique");
    assert!(
        bad.error_detail.contains(ADA),
        "the detail names the holder: {}",
        bad.error_detail
    );
    assert!(bad.anchor_attributes.is_empty());
    assert_eq!(
        result_for(&results, &fine.identifier).error_code(),
        MaExportError::Success
    );
    let delta = delta_import(&mut h.client, params, full.watermark()).await.unwrap();
    let dns: Vec<&str> = delta
        .pages
        .iter()
        .flat_map(|(e, _)| e.iter().map(|e| e.dn.as_str()))
        .collect();
    assert_eq!(
        dns,
        ["CN=Fine,OU=People,DC=demo,DC=example"],
        "nothing of the failed add was written"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_parent_ou_asks_the_engine_to_provision_it() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let user = model::add("user")
        .dn("CN=New Hire,OU=Interns,OU=People,DC=demo,DC=example")
        .build();
    let results = export(&mut h.client, params.clone(), vec![user.clone()]).await.unwrap();
    let r = &results[0];
    assert_eq!(r.error_code(), MaExportError::ExportActionProvisioningParent, "{r:?}");
    assert!(
        r.error_detail.contains("OU=Interns,OU=People,DC=demo,DC=example"),
        "{}",
        r.error_detail
    );
    // The engine provisions the parent as the schema allows (ou), then retries the object.
    let ou = model::add("organizationalUnit")
        .dn("OU=Interns,OU=People,DC=demo,DC=example")
        .attr("ou", "Interns")
        .build();
    let retry = model::add("user")
        .dn("CN=New Hire,OU=Interns,OU=People,DC=demo,DC=example")
        .build();
    let results = export(&mut h.client, params, vec![ou, retry]).await.unwrap();
    assert!(
        results.iter().all(|r| r.error_code() == MaExportError::Success),
        "{results:?}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_to_an_object_not_yet_there_is_retried_in_the_next_pass() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let boss = "CN=Boss,OU=People,DC=demo,DC=example";
    let worker = model::add("user")
        .dn("CN=Worker,OU=People,DC=demo,DC=example")
        .attr("title", "Worker")
        .attr("manager", Reference(boss.into()))
        .build();
    let team = model::add("group")
        .dn("CN=Team,OU=Groups,DC=demo,DC=example")
        .attr_values("member", [Reference(ADA.into()), Reference(boss.into())])
        .build();
    let results = export(&mut h.client, params.clone(), vec![worker.clone(), team.clone()])
        .await
        .unwrap();
    for change in [&worker, &team] {
        let r = result_for(&results, &change.identifier);
        assert_eq!(
            r.error_code(),
            MaExportError::ExportActionRetryReferenceAttribute,
            "{r:?}"
        );
        assert!(r.error_detail.contains(boss), "{}", r.error_detail);
        assert!(
            !assigned_anchor(r).is_empty(),
            "the add happened, so its anchor comes back"
        );
    }
    let worker_id = assigned_anchor(result_for(&results, &worker.identifier));
    let team_id = assigned_anchor(result_for(&results, &team.identifier));
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let entries = full.entries();
    let stored = by_dn(&entries, "CN=Worker,OU=People,DC=demo,DC=example");
    assert_eq!(
        values(stored, "title"),
        [s("Worker")],
        "non-reference attributes were written"
    );
    assert!(values(stored, "manager").is_empty());
    assert_eq!(
        values(by_dn(&entries, "CN=Team,OU=Groups,DC=demo,DC=example"), "member"),
        [r(ADA)]
    );
    // Second pass: the boss exists now, the references are sent again as updates.
    let boss_add = model::add("user").dn(boss).build();
    let results = export(&mut h.client, params.clone(), vec![boss_add]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success);
    let second = vec![
        with_anchor(model::update("user"), &worker_id)
            .attr("manager", Reference(boss.into()))
            .build(),
        with_anchor(model::update("group"), &team_id)
            .attr_update("member", [Reference(boss.into())], Vec::<Reference>::new())
            .build(),
    ];
    let results = export(&mut h.client, params.clone(), second).await.unwrap();
    assert!(
        results.iter().all(|r| r.error_code() == MaExportError::Success),
        "{results:?}"
    );
    let delta = delta_import(&mut h.client, params, full.watermark()).await.unwrap();
    let entries = delta.entries();
    assert_eq!(
        values(by_dn(&entries, "CN=Worker,OU=People,DC=demo,DC=example"), "manager"),
        [r(boss)]
    );
    assert_eq!(
        values(by_dn(&entries, "CN=Team,OU=Groups,DC=demo,DC=example"), "member").len(),
        2
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_object_level_errors_and_actions() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let ada_id = anchor(by_dn(&full.entries(), ADA));
    let cases = vec![
        (
            model::add("user").dn("CN=Nowhere,DC=other,DC=example").build(),
            MaExportError::ExportErrorInvalidDn,
        ),
        (
            model::add("user").dn("OU=Wrong,DC=demo,DC=example").build(),
            MaExportError::ExportErrorInvalidDn,
        ),
        (
            model::add("user").dn("not a dn").build(),
            MaExportError::ExportErrorInvalidDn,
        ),
        (
            model::add("user").dn(GRACE).build(),
            MaExportError::ExportErrorConnectedDirectoryExistingObject,
        ),
        (
            with_anchor(model::update("user"), "00000000-0000-4000-8000-000000000000")
                .dn("CN=Gone,DC=demo,DC=example")
                .attr("title", "x")
                .build(),
            MaExportError::ExportActionConvertUpdateToAdd,
        ),
        (
            with_anchor(model::update("user"), &ada_id)
                .attr("cn", "Ada King")
                .build(),
            MaExportError::ExportErrorChangeNamingAttribute,
        ),
        (
            with_anchor(model::update("user"), &ada_id)
                .attr("employeeNumber", "forty-two")
                .build(),
            MaExportError::ExportErrorInvalidAttributeValue,
        ),
        (
            with_anchor(model::update("user"), &ada_id)
                .attr_values("title", ["a", "b"])
                .build(),
            MaExportError::ExportErrorInvalidAttributeValue,
        ),
        (
            with_anchor(model::update("user"), &ada_id)
                .attr("shoeSize", 44i64)
                .build(),
            MaExportError::ExportErrorCustomContinueRun,
        ),
        (
            model::add("printer").dn("CN=P1,DC=demo,DC=example").build(),
            MaExportError::ExportErrorCustomContinueRun,
        ),
        (
            model::delete("organizationalUnit")
                .dn("OU=People,DC=demo,DC=example")
                .build(),
            MaExportError::ExportErrorCustomContinueRun,
        ),
    ];
    let entries: Vec<CsEntryChange> = cases.iter().map(|(e, _)| e.clone()).collect();
    let results = export(&mut h.client, params.clone(), entries).await.unwrap();
    for (entry, expected) in &cases {
        let r = result_for(&results, &entry.identifier);
        assert_eq!(r.error_code(), *expected, "{entry:?} gave {r:?}");
        assert!(!r.error_name.is_empty() && !r.error_detail.is_empty(), "{r:?}");
    }
    let delta = delta_import(&mut h.client, params, full.watermark()).await.unwrap();
    assert!(
        delta.entries().is_empty(),
        "failed entries leave nothing behind: {:?}",
        delta.entries()
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_an_ou_moves_everything_below_it() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let people_id = anchor(by_dn(&full.entries(), "OU=People,DC=demo,DC=example"));
    let rename = with_anchor(model::update("organizationalUnit"), &people_id)
        .dn("OU=People,DC=demo,DC=example")
        .rename("OU=Staff,DC=demo,DC=example")
        .build();
    let results = export(&mut h.client, params.clone(), vec![rename]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success, "{:?}", results[0]);
    let delta = delta_import(&mut h.client, params.clone(), full.watermark())
        .await
        .unwrap();
    let entries = delta.entries();
    for dn in [
        "OU=Staff,DC=demo,DC=example",
        "OU=Contractors,OU=Staff,DC=demo,DC=example",
        "CN=Ada Lovelace,OU=Staff,DC=demo,DC=example",
        "CN=Charles Babbage,OU=Contractors,OU=Staff,DC=demo,DC=example",
    ] {
        assert_eq!(
            by_dn(&entries, dn).object_modification_type(),
            ObjectModificationType::Update
        );
    }
    assert!(
        entries.iter().all(|e| e.dn.contains("OU=Staff,")),
        "only the moved objects changed: {:?}",
        entries.iter().map(|e| &e.dn).collect::<Vec<_>>()
    );
    let now = full_import(&mut h.client, params, 0).await.unwrap();
    let grace = by_dn(&now.entries(), "CN=Grace Hopper,OU=Staff,DC=demo,DC=example").clone();
    assert_eq!(
        values(&grace, "manager"),
        [r("CN=Ada Lovelace,OU=Staff,DC=demo,DC=example")]
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_sizes_follow_the_export_page_size_rules() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let opened = open_export(&mut h.client, params.clone(), 0).await.unwrap();
    assert_eq!(opened.batch_size, 100, "0 means ExportDefaultPageSize");
    close_export(&mut h.client, &opened.session_id, CloseReason::Normal)
        .await
        .unwrap();
    let err = open_export(&mut h.client, params.clone(), 5_001).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(
        err.message().contains("5001") && err.message().contains("5000"),
        "{}",
        err.message()
    );
    let opened = open_export(&mut h.client, params, 2).await.unwrap();
    let three: Vec<CsEntryChange> = (0..3)
        .map(|i| {
            model::add("user")
                .dn(format!("CN=U{i},OU=People,DC=demo,DC=example"))
                .build()
        })
        .collect();
    let err = put(&mut h.client, &opened.session_id, three).await.unwrap_err();
    assert_eq!(
        err.code(),
        tonic::Code::InvalidArgument,
        "a batch above the batch size is refused"
    );
    close_export(&mut h.client, &opened.session_id, CloseReason::Normal)
        .await
        .unwrap();
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_mib_photo_crosses_both_ways_as_fragments() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let photo: Vec<u8> = (0..5 * 1024 * 1024 + 123).map(|i| (i % 251) as u8).collect();
    let big = model::add("user")
        .dn("CN=Big Photo,OU=People,DC=demo,DC=example")
        .attr("photo", photo.clone())
        .build();
    let results = export(&mut h.client, params.clone(), vec![big]).await.unwrap();
    assert_eq!(results[0].error_code(), MaExportError::Success);
    let opened = h
        .client
        .open_import_connection(import_request(params, OperationType::Full, 0, "", None))
        .await
        .unwrap()
        .into_inner();
    let stream = h
        .client
        .get_import_entries(GetImportEntriesRequest {
            session_id: opened.session_id.clone(),
            import_run_step: None,
        })
        .await
        .unwrap()
        .into_inner();
    let (entries, _, fragments) = read_page(stream).await.unwrap();
    assert!(
        fragments >= 6,
        "a 5 MiB entry travels as at least six 1 MiB fragments, got {fragments}"
    );
    let stored = by_dn(&entries, "CN=Big Photo,OU=People,DC=demo,DC=example");
    assert_eq!(
        values(stored, "photo"),
        [attribute_value::Kind::BinaryValue(photo.into())]
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_export_sessions_and_an_import_share_the_database() {
    let h = InProcess::start().await;
    let params = h.files.params(&[("seed_users", "300")]);
    // Create the database first, so the sessions below race only on writes.
    full_import(&mut h.client.clone(), params.clone(), 0).await.unwrap();
    let mut tasks = Vec::new();
    for writer in 0..3 {
        let mut client = h.client.clone();
        let params = params.clone();
        tasks.push(tokio::spawn(async move {
            let opened = open_export(&mut client, params, 50).await.unwrap();
            let mut ok = 0;
            for batch in 0..4 {
                let entries: Vec<CsEntryChange> = (0..50)
                    .map(|i| {
                        model::add("user")
                            .dn(format!("CN=W{writer} B{batch} U{i},OU=People,DC=demo,DC=example"))
                            .attr("mail", format!("w{writer}.b{batch}.u{i}@demo.example"))
                            .build()
                    })
                    .collect();
                let results = put(&mut client, &opened.session_id, entries).await.unwrap();
                ok += results
                    .iter()
                    .filter(|r| r.error_code() == MaExportError::Success)
                    .count();
            }
            close_export(&mut client, &opened.session_id, CloseReason::Normal)
                .await
                .unwrap();
            ok
        }));
    }
    let mut reader = h.client.clone();
    let read = full_import(&mut reader, params.clone(), 7).await.unwrap();
    assert!(read.entries().len() >= 312);
    let mut written = 0;
    for task in tasks {
        written += task.await.unwrap();
    }
    assert_eq!(written, 3 * 4 * 50, "every add of every session succeeded");
    let after = full_import(&mut reader, params, 0).await.unwrap();
    assert_eq!(after.entries().len(), 312 + 600);
    h.stop().await;
}
