//! Sessions, cancellation and faults as docs/runtime.md describes them, checked through what the
//! connector itself recorded in its observe file.

use std::time::Duration;

use ecma2_proto::pb::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_page_is_seen_by_the_connector_and_close_follows() {
    let mut h = InProcess::start().await;
    let params = h.params(&[("test_block_get_ms", "60000")]);
    let opened = h
        .client
        .open_import_connection(import_request(params, OperationType::Full, 0, "", None))
        .await
        .unwrap()
        .into_inner();
    let session = opened.session_id.clone();
    let mut client = h.client.clone();
    let call = client.get_import_entries(GetImportEntriesRequest {
        session_id: session.clone(),
        import_run_step: None,
    });
    // The caller gives up on its deadline: the call future is dropped mid-page.
    let outcome = tokio::time::timeout(Duration::from_millis(300), async move {
        let stream = call.await?.into_inner();
        read_page(stream)
            .await
            .map_err(|e| tonic::Status::unknown(e.to_string()))
    })
    .await;
    assert!(outcome.is_err(), "the blocked page must not finish");
    let events = eventually("the connector to see the cancellation", || {
        let events = h.files.events();
        let seen = events
            .iter()
            .any(|e| e["event"] == "cancelled" && e["session_id"] == session.as_str());
        seen.then_some(events)
    })
    .await;
    let cancelled = events_named(&events, "cancelled");
    assert_eq!(cancelled[0]["call"], "GetImportEntries");
    assert_eq!(h.server.open_sessions(), 1, "cancellation does not end the session");
    h.client
        .close_import_connection(CloseImportConnectionRequest {
            session_id: session.clone(),
            import_run_step: Some(CloseImportConnectionRunStep {
                reason: CloseReason::TerminatedByUser as i32,
                ..Default::default()
            }),
        })
        .await
        .unwrap();
    let events = h.files.events();
    let close = events_named(&events, "close");
    assert_eq!(close.len(), 1);
    assert_eq!(close[0]["session_id"], session.as_str());
    assert_eq!(close[0]["reason"], "TerminatedByUser");
    assert_eq!(close[0]["cancelled"], true);
    assert_eq!(close[0]["cancelled_calls"], 1);
    assert_eq!(h.server.open_sessions(), 0);
    // Other calls on the closed session: NOT_FOUND naming it; a second close is fine.
    let err = h
        .client
        .get_import_entries(GetImportEntriesRequest {
            session_id: session.clone(),
            import_run_step: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert!(err.message().contains(&session));
    h.client
        .close_import_connection(CloseImportConnectionRequest {
            session_id: session,
            import_run_step: None,
        })
        .await
        .unwrap();
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_export_batch_writes_nothing() {
    let mut h = InProcess::start().await;
    let params = h.params(&[("test_block_put_ms", "60000")]);
    let full = full_import(&mut h.client, h.files.params(&[]), 0).await.unwrap();
    let opened = open_export(&mut h.client, params, 0).await.unwrap();
    let entry = ecma2_sdk::model::add("user")
        .dn("CN=Never,OU=People,DC=demo,DC=example")
        .build();
    let mut client = h.client.clone();
    let session = opened.session_id.clone();
    let outcome = tokio::time::timeout(Duration::from_millis(300), async move {
        put(&mut client, &session, vec![entry]).await
    })
    .await;
    assert!(outcome.is_err());
    eventually("the export to see its cancellation", || {
        h.files
            .events()
            .iter()
            .any(|e| e["event"] == "cancelled" && e["call"] == "PutExportEntries")
            .then_some(())
    })
    .await;
    close_export(&mut h.client, &opened.session_id, CloseReason::TerminatedByUser)
        .await
        .unwrap();
    let delta = delta_import(&mut h.client, h.files.params(&[]), full.watermark())
        .await
        .unwrap();
    assert!(delta.entries().is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_close_and_pages_are_recorded_per_session() {
    let mut h = InProcess::start().await;
    let params = h.params(&[("seed_users", "5")]);
    let run = full_import(&mut h.client, params, 4).await.unwrap();
    let events = h.files.events();
    let mine: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["session_id"] == run.session_id.as_str())
        .collect();
    let kinds: Vec<&str> = mine.iter().map(|e| e["event"].as_str().unwrap()).collect();
    let pages = run.pages.len();
    let mut expected = vec!["open"];
    expected.extend(std::iter::repeat_n("page", pages));
    expected.push("close");
    assert_eq!(kinds, expected);
    assert_eq!(mine[0]["kind"], "import");
    assert_eq!(mine[0]["import_type"], "Full");
    assert_eq!(mine[0]["page_size"], 4);
    assert_eq!(mine.last().unwrap()["reason"], "Normal");
    assert_eq!(mine.last().unwrap()["cancelled"], false);
    assert_eq!(mine[0]["connector"], "demo");
    assert_eq!(mine[0]["pid"], std::process::id());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_open_keeps_its_session_until_closed_with_open_connection_failure() {
    let mut h = InProcess::start().await;
    let mut params = h.params(&[]);
    params[0] = param("database", "/proc/no-such-dir/demo.db");
    let err = h
        .client
        .open_import_connection(import_request(params, OperationType::Full, 0, "", None))
        .await
        .unwrap_err();
    let f = fault(&err);
    assert_eq!(f.fault_kind(), FaultKind::ServerDownException, "{err:?}");
    assert_eq!(f.call, "OpenImportConnection");
    assert_eq!(h.server.open_sessions(), 1);
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
    assert_eq!(h.server.open_sessions(), 0);
    let events = h.files.events();
    let close = events_named(&events, "close");
    assert_eq!(close[0]["reason"], "OpenConnectionFailure");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_open_stops_seeding_and_rolls_it_back() {
    let h = InProcess::start().await;
    let params = h.params(&[("seed_users", "2000000")]);
    let mut client = h.client.clone();
    let opening = client.open_import_connection(import_request(params, OperationType::Full, 0, "", None));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), opening).await.is_err(),
        "two million users do not seed in half a second"
    );
    eventually("the open to notice its cancellation", || {
        h.files
            .events()
            .iter()
            .any(|e| e["event"] == "cancelled" && e["call"] == "OpenImportConnection")
            .then_some(())
    })
    .await;
    let db = rusqlite::Connection::open(&h.files.db).unwrap();
    let users: i64 = db
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'objects'", [], |r| {
            r.get(0)
        })
        .and_then(|tables: i64| {
            if tables == 0 {
                Ok(0)
            } else {
                db.query_row("SELECT COUNT(*) FROM objects", [], |r| r.get(0))
            }
        })
        .unwrap();
    assert_eq!(users, 0, "the seeding transaction was rolled back");
    h.stop().await;
}
