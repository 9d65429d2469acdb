//! The engine side of sessions: an engine whose connection closes while its sessions are open and
//! idle has them closed at once, with TerminatedByUser, rather than at the idle timeout.

use std::time::Duration;

use ecma2_proto::pb::*;

use crate::support::{Harness, is_close};

#[tokio::test(flavor = "multi_thread")]
async fn an_engine_that_disconnects_has_its_idle_sessions_closed_at_once() {
    // The idle timeout is far away: only the disconnect can close the session in time.
    let mut h = Harness::start("session_idle_timeout = \"1h\"").await;
    let shared = h.channel.clone();
    h.channel = ecma2_transport::connect(&h.host.as_ref().unwrap().address)
        .await
        .expect("a second engine connection");
    let open = h.open_import(0, &[]).await.expect("open");
    let (entries, _) = h.page(&open.session_id).await.expect("a page");
    assert!(!entries.is_empty());
    // The engine goes away without closing: every handle on its connection is dropped.
    h.channel = shared;
    let gone = tokio::time::Instant::now();
    h.wait_event("close TerminatedByUser after the disconnect", |e| {
        is_close(e, &open.session_id, "TerminatedByUser")
    })
    .await;
    assert!(gone.elapsed() < Duration::from_secs(10), "{:?}", gone.elapsed());
    // The host forgot the session: another engine gets NOT_FOUND, and Close is a no-op.
    let err = h.page(&open.session_id).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("close is idempotent");
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_a_live_engine_connection_used_last_stays_open() {
    let mut h = Harness::start("session_idle_timeout = \"1h\"").await;
    let main = h.channel.clone();
    // One connection opens the session, another one, which stays, uses it last.
    let opener = ecma2_transport::connect(&h.host.as_ref().unwrap().address)
        .await
        .unwrap();
    h.channel = opener.clone();
    let open = h.open_import(0, &[]).await.expect("open");
    h.channel = main;
    h.page(&open.session_id).await.expect("a page on the other connection");
    drop(opener);
    // A negative check: give the host time in which it must not close the session.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !h.events()
            .iter()
            .any(|e| is_close(e, &open.session_id, "TerminatedByUser")),
        "the session was closed although a live connection used it last"
    );
    h.page(&open.session_id).await.expect("the session still works");
    h.close_import(&open.session_id, CloseReason::Normal).await.unwrap();
    h.host.unwrap().shutdown().await;
}
