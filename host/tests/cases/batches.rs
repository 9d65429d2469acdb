//! Entry batches through the host (docs/protocol.md#entry-batches): a connector built with the
//! Rust SDK sends `entry_batch` frames because the host asks for them; the host relays them to
//! an engine that asked and splits them into single entries for one that did not, with exact
//! counts and order either way, and counts a batch's entries against the page size.

use ecma2_proto::meta;
use ecma2_proto::pb::*;

use crate::support::{Harness, host_head, testkit_connector};

async fn testkit(env: &[(&str, &str)]) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}{}", host_head(dir.path()), testkit_connector("testkit", env, ""));
    Harness::start_with(dir, &text, "testkit").await
}

/// One page as the engine receives it.
#[derive(Default)]
struct Received {
    ids: Vec<i64>,
    singles: usize,
    batches: usize,
    more: Option<bool>,
}

async fn page(h: &Harness, session_id: &str, ask: bool) -> Result<Received, tonic::Status> {
    let mut request = h.request(GetImportEntriesRequest {
        session_id: session_id.to_owned(),
        import_run_step: Some(GetImportEntriesRunStep::default()),
    });
    if ask {
        request
            .metadata_mut()
            .insert(meta::FEATURES, meta::ENTRY_BATCHES.parse().unwrap());
    }
    let mut stream = h.client().get_import_entries(request).await?.into_inner();
    let mut got = Received::default();
    let id = |e: &CsEntryChange| match e.anchor_attributes[0].value.as_ref().and_then(|v| v.kind.clone()) {
        Some(attribute_value::Kind::IntegerValue(i)) => i,
        other => panic!("an integer anchor, got {other:?}"),
    };
    while let Some(frame) = stream.message().await? {
        assert!(got.more.is_none(), "a frame after the results frame");
        match frame.frame {
            Some(get_import_entries_response::Frame::Entry(e)) => {
                got.singles += 1;
                got.ids.push(id(&e));
            }
            Some(get_import_entries_response::Frame::EntryBatch(b)) => {
                assert!(ask, "an entry batch the engine did not ask for");
                assert!(!b.entries.is_empty(), "an empty batch");
                got.batches += 1;
                got.ids.extend(b.entries.iter().map(id));
            }
            Some(get_import_entries_response::Frame::Results(r)) => got.more = Some(r.more_to_import),
            other => panic!("unexpected frame {other:?}"),
        }
    }
    Ok(got)
}

/// A whole import of `entries` objects in pages of `page_size`; every page.
async fn import(h: &Harness, entries: usize, blob: usize, page_size: i32, ask: bool) -> Vec<Received> {
    let (entries, blob) = (entries.to_string(), blob.to_string());
    let open = h
        .open_import(page_size, &[("entries", &entries), ("blob_bytes", &blob)])
        .await
        .expect("open");
    let mut pages = Vec::new();
    loop {
        let got = page(h, &open.session_id, ask).await.expect("page");
        let more = got.more.expect("a results frame");
        pages.push(got);
        if !more {
            break;
        }
    }
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("close");
    pages
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batching_connector_reaches_an_engine_that_did_not_ask_as_single_entries() {
    let h = testkit(&[]).await;
    let pages = import(&h, 2500, 0, 1000, false).await;
    assert_eq!(pages.iter().map(|p| p.ids.len()).collect::<Vec<_>>(), [1000, 1000, 500]);
    let ids: Vec<i64> = pages.iter().flat_map(|p| p.ids.clone()).collect();
    assert_eq!(ids, (0..2500).collect::<Vec<i64>>());
    assert!(pages.iter().all(|p| p.batches == 0 && p.singles == p.ids.len()));
    // The connector did send batches: the host asked, because its handshake listed them.
    let status = h.status("testkit").await;
    let features = status.handshake.map(|hs| hs.features).unwrap_or_default();
    assert!(features.iter().any(|f| f == meta::ENTRY_BATCHES), "{features:?}");
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_engine_that_asked_gets_the_connectors_batches_relayed() {
    let h = testkit(&[]).await;
    let pages = import(&h, 2500, 0, 1000, true).await;
    let ids: Vec<i64> = pages.iter().flat_map(|p| p.ids.clone()).collect();
    assert_eq!(ids, (0..2500).collect::<Vec<i64>>());
    // Small entries: one batch per page, no single frames.
    assert_eq!(
        pages.iter().map(|p| (p.batches, p.singles)).collect::<Vec<_>>(),
        [(1, 0); 3]
    );

    // 100 KiB entries: about ten to a 1 MiB batch, still exact and in order.
    let pages = import(&h, 45, 100 * 1024, 30, true).await;
    let ids: Vec<i64> = pages.iter().flat_map(|p| p.ids.clone()).collect();
    assert_eq!(ids, (0..45).collect::<Vec<i64>>());
    assert!(
        pages[0].batches >= 3,
        "{} batches in a page of 30 × 100 KiB",
        pages[0].batches
    );
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hosts_handshake_lists_entry_batches_when_the_engine_does() {
    let h = testkit(&[]).await;
    let ask = |features: Vec<String>| HandshakeRequest {
        protocol_versions: vec![1],
        features,
        ..Default::default()
    };
    let mut client = h.client();
    let plain = client
        .handshake(h.request(ask(vec![])))
        .await
        .expect("handshake")
        .into_inner();
    assert!(
        !plain.features.iter().any(|f| f == meta::ENTRY_BATCHES),
        "{:?}",
        plain.features
    );
    let asked = client
        .handshake(h.request(ask(vec!["x".into(), meta::ENTRY_BATCHES.into()])))
        .await
        .expect("handshake")
        .into_inner();
    assert_eq!(asked.features, [meta::ENTRY_BATCHES]);
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_over_the_page_size_is_a_connector_fault_relayed_or_split() {
    let h = testkit(&[("ECMA2_TESTKIT_WIRE", "oversized-batch:4")]).await;
    for ask in [false, true] {
        let open = h.open_import(3, &[]).await.expect("open");
        let err = match page(&h, &open.session_id, ask).await {
            Ok(got) => panic!(
                "a page of {} entries for a page size of 3 passed (ask {ask})",
                got.ids.len()
            ),
            Err(err) => err,
        };
        let fault = Fault::from_status(&err).unwrap_or_else(|| panic!("no fault in {err:?}"));
        assert_eq!(fault.fault_kind(), FaultKind::ExtensibleExtensionException, "{err:?}");
        assert!(err.message().contains("more than 3 entries"), "{err:?}");
        h.close_import(&open.session_id, CloseReason::TerminatedByUser)
            .await
            .expect("close");
    }
    // Within the page size, the same connector's batch arrives whole.
    let open = h.open_import(4, &[]).await.expect("open");
    let got = page(&h, &open.session_id, true).await.expect("a page of 4");
    assert_eq!((got.ids, got.batches), (vec![0, 1, 2, 3], 1));
    h.host.unwrap().shutdown().await;
}
