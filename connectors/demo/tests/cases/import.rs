//! Call-based import: full and delta, paging, watermarks, object-level errors.

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_import_returns_only_adds_of_every_seeded_object_and_ends() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let run = full_import(&mut h.client, params, 0).await.unwrap();
    assert_eq!(run.page_size, 500, "page size 0 means ImportDefaultPageSize");
    let entries = run.entries();
    assert!(
        entries
            .iter()
            .all(|e| e.object_modification_type() == ObjectModificationType::Add)
    );
    let ada = by_dn(&entries, "CN=Ada Lovelace,OU=People,DC=demo,DC=example");
    assert_eq!(ada.object_type, "user");
    assert_eq!(values(ada, "mail"), [s("ada@demo.example")]);
    assert!(!anchor(ada).is_empty());
    let grace = by_dn(&entries, "CN=Grace Hopper,OU=People,DC=demo,DC=example");
    assert_eq!(
        values(grace, "manager"),
        [r("CN=Ada Lovelace,OU=People,DC=demo,DC=example")]
    );
    let engineers = by_dn(&entries, "CN=Engineers,OU=Groups,DC=demo,DC=example");
    assert_eq!(change(engineers, "member").unwrap().value_changes.len(), 2);
    assert!(change(engineers, "member").unwrap().is_multi_valued);
    by_dn(&entries, "CN=Alan Turing,OU=People,DC=lab,DC=example");
    assert!(!run.pages.last().unwrap().1.more_to_import);
    h.stop().await;
}

fn ids(entries: &[CsEntryChange]) -> Vec<String> {
    let mut all: Vec<String> = entries.iter().map(anchor).collect();
    all.sort();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_size_returns_the_same_objects_once() {
    let mut h = InProcess::start().await;
    let params = h.params(&[("seed_users", "1203")]);
    let default = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    assert_eq!(default.page_size, 500);
    let total = default.entries().len();
    assert_eq!(total, 1203 + 12, "1203 generated users and the 12 seeded objects");
    assert_eq!(default.pages.len(), total.div_ceil(500));
    let maximum = full_import(&mut h.client, params.clone(), 10_000).await.unwrap();
    assert_eq!(maximum.page_size, 10_000);
    assert_eq!(maximum.pages.len(), 1);
    assert_eq!(ids(&default.entries()), ids(&maximum.entries()));
    let mut unique = ids(&default.entries());
    unique.dedup();
    assert_eq!(unique.len(), total, "no object twice");
    // Every page's watermark is the one the import opened with, and close keeps it.
    assert!(default.pages.iter().all(|(_, r)| r.custom_data == default.watermark()));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_size_one_pages_through_everything() {
    let mut h = InProcess::start().await;
    let params = h.params(&[("seed_users", "20")]);
    let ones = full_import(&mut h.client, params.clone(), 1).await.unwrap();
    assert_eq!(ones.page_size, 1);
    assert!(
        ones.pages.iter().all(|(e, _)| e.len() == 1),
        "each page holds exactly one entry"
    );
    let all = full_import(&mut h.client, params, 0).await.unwrap();
    assert_eq!(ids(&ones.entries()), ids(&all.entries()));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_size_above_the_maximum_is_refused_naming_both_numbers() {
    let mut h = InProcess::start().await;
    let request = import_request(h.params(&[]), OperationType::Full, 10_001, "", None);
    let err = h.client.open_import_connection(request).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(
        err.message().contains("10001") && err.message().contains("10000"),
        "{}",
        err.message()
    );
    assert_eq!(h.server.open_sessions(), 0, "no session was created");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_after_no_change_returns_nothing() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let delta = delta_import(&mut h.client, params.clone(), full.watermark())
        .await
        .unwrap();
    assert!(delta.entries().is_empty(), "{:?}", delta.entries());
    assert_eq!(delta.pages.len(), 1);
    assert!(!delta.pages[0].1.more_to_import);
    assert_eq!(delta.watermark(), full.watermark());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_needs_a_watermark_from_this_database() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let request = import_request(params.clone(), OperationType::Delta, 0, "", None);
    let err = h.client.open_import_connection(request).await.unwrap_err();
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::WarningNoWatermarkException);
    assert!(
        !f.session_id.is_empty(),
        "a failed open still names its session, to be closed"
    );
    h.client
        .close_import_connection(CloseImportConnectionRequest {
            session_id: f.session_id.clone(),
            import_run_step: Some(CloseImportConnectionRunStep {
                reason: CloseReason::OpenConnectionFailure as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let closes = events_named(&h.files.events(), "close")
        .into_iter()
        .filter(|e| e["session_id"] == f.session_id.as_str())
        .map(|e| e["reason"].clone())
        .collect::<Vec<_>>();
    assert_eq!(closes, ["OpenConnectionFailure"]);
    let foreign = import_request(params, OperationType::Delta, 0, "another-database:12", None);
    let err = h.client.open_import_connection(foreign).await.unwrap_err();
    assert_eq!(fault(&err).fault_kind(), FaultKind::WarningNoWatermarkException);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_import_returns_only_that_partition() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let lab = import_run(
        &mut h.client,
        import_request(params.clone(), OperationType::Full, 0, "", Some("dc=lab,dc=example")),
    )
    .await
    .unwrap();
    let dns: Vec<String> = lab.entries().iter().map(|e| e.dn.clone()).collect();
    assert_eq!(dns.len(), 4, "{dns:?}");
    assert!(dns.iter().all(|d| d.ends_with(",DC=lab,DC=example")), "{dns:?}");
    // References may cross partitions: Ada, of demo, is a Researcher in lab.
    let researchers = by_dn(&lab.entries(), "CN=Researchers,OU=Groups,DC=lab,DC=example").clone();
    assert!(values(&researchers, "member").contains(&r("CN=Ada Lovelace,OU=People,DC=demo,DC=example")));
    let demo = import_run(
        &mut h.client,
        import_request(params.clone(), OperationType::Full, 0, "", Some("DC=demo,DC=example")),
    )
    .await
    .unwrap();
    assert_eq!(demo.entries().len() + lab.entries().len(), 12);
    let unknown = import_request(params, OperationType::Full, 0, "", Some("DC=elsewhere"));
    assert!(h.client.open_import_connection(unknown).await.is_err());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hierarchy_nodes_and_the_selected_schema_narrow_a_full_import() {
    let mut h = InProcess::start().await;
    let mut request = import_request(h.params(&[]), OperationType::Full, 0, "", Some("DC=demo,DC=example"));
    let step = request.import_run_step.as_mut().unwrap();
    step.inclusion_hierarchy_nodes = vec![HierarchyNode {
        dn: "OU=People,DC=demo,DC=example".into(),
        display_name: "People".into(),
    }];
    step.exclusion_hierarchy_nodes = vec![HierarchyNode {
        dn: "OU=Contractors,OU=People,DC=demo,DC=example".into(),
        display_name: "Contractors".into(),
    }];
    request.types = Some(Schema {
        types: vec![SchemaType {
            name: "user".into(),
            attributes: vec![
                SchemaAttribute {
                    name: "id".into(),
                    is_anchor: true,
                    ..Default::default()
                },
                SchemaAttribute {
                    name: "mail".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
        ..Default::default()
    });
    let run = import_run(&mut h.client, request).await.unwrap();
    let mut dns: Vec<String> = run.entries().iter().map(|e| e.dn.clone()).collect();
    dns.sort();
    assert_eq!(
        dns,
        [
            "CN=Ada Lovelace,OU=People,DC=demo,DC=example",
            "CN=Grace Hopper,OU=People,DC=demo,DC=example"
        ]
    );
    for e in run.entries() {
        let names: Vec<&str> = e.attribute_changes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["mail"], "only the selected attributes");
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_flagged_bad_is_an_object_level_error_in_full_and_delta_import() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let db = rusqlite::Connection::open(&h.files.db).unwrap();
    db.execute(
        "UPDATE objects SET bad = 'the HR feed sent garbage' WHERE dn = 'CN=Grace Hopper,OU=People,DC=demo,DC=example'",
        [],
    )
    .unwrap();
    let delta = delta_import(&mut h.client, params.clone(), full.watermark())
        .await
        .unwrap();
    let entries = delta.entries();
    assert_eq!(entries.len(), 1);
    let grace = &entries[0];
    assert_eq!(grace.error_code_import(), MaImportError::ImportErrorCustomContinueRun);
    assert_eq!(grace.error_name, "bad-row");
    assert_eq!(grace.error_detail, "the HR feed sent garbage");
    let again = full_import(&mut h.client, params, 0).await.unwrap();
    let entries = again.entries();
    let flagged: Vec<&CsEntryChange> = entries
        .iter()
        .filter(|e| e.error_code_import() != MaImportError::Unspecified)
        .collect();
    assert_eq!(flagged.len(), 1, "only the bad row carries an error; the run goes on");
    assert_eq!(flagged[0].dn, "CN=Grace Hopper,OU=People,DC=demo,DC=example");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_object_entries_return_exactly_the_objects_asked_for() {
    let mut h = InProcess::start().await;
    let params = h.params(&[]);
    let full = full_import(&mut h.client, params.clone(), 0).await.unwrap();
    let grace = by_dn(&full.entries(), "CN=Grace Hopper,OU=People,DC=demo,DC=example").clone();
    let opened = h
        .client
        .open_import_connection(import_request(params, OperationType::Delta, 0, full.watermark(), None))
        .await
        .unwrap()
        .into_inner();
    let asked = [
        // Known only by DN (the engine's FullObject case), spelled differently.
        CsEntryChange {
            object_type: "user".into(),
            dn: "cn=grace hopper, ou=People, dc=demo, dc=example".into(),
            ..Default::default()
        },
        // Known by anchor.
        CsEntryChange {
            object_type: "group".into(),
            dn: "CN=Engineers,OU=Groups,DC=demo,DC=example".into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: AttributeType::String as i32,
                value: Some(AttributeValue {
                    kind: Some(attribute_value::Kind::StringValue(anchor(by_dn(
                        &full.entries(),
                        "CN=Engineers,OU=Groups,DC=demo,DC=example",
                    )))),
                }),
            }],
            ..Default::default()
        },
    ];
    let stream = h
        .client
        .get_import_entries(GetImportEntriesRequest {
            session_id: opened.session_id.clone(),
            import_run_step: Some(GetImportEntriesRunStep {
                custom_data: full.watermark().to_owned(),
                full_object_entries: asked.to_vec(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    let (entries, results, _) = read_page(stream).await.unwrap();
    assert_eq!(entries.len(), 2, "exactly the objects asked for");
    assert_eq!(entries[0].object_modification_type(), ObjectModificationType::Add);
    assert_eq!(anchor(&entries[0]), anchor(&grace));
    let mut got = entries[0].attribute_changes.clone();
    let mut want = grace.attribute_changes.clone();
    got.sort_by(|a, b| a.name.cmp(&b.name));
    want.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(got, want, "complete: every attribute of the object");
    assert_eq!(entries[1].dn, "CN=Engineers,OU=Groups,DC=demo,DC=example");
    assert_eq!(results.custom_data, full.watermark());
    h.stop().await;
}
