//! End-to-end tests of the host with real processes: the demo connector as a child process, the
//! host in-process or as its own process, and assertions on what the connector observed.

mod support;

// Unix sockets, /proc and prlimit.
#[path = "cases/batches.rs"]
mod batches;
#[cfg(target_os = "linux")]
#[path = "cases/connections.rs"]
mod connections;

#[path = "cases/concurrency.rs"]
mod concurrency;

#[path = "cases/engine.rs"]
mod engine;

#[path = "cases/faults.rs"]
mod faults;

// Talks HTTP/1.1 to the engine's Unix socket.
#[cfg(unix)]
#[path = "cases/grpc_web.rs"]
mod grpc_web;

#[path = "cases/limits.rs"]
mod limits;

#[path = "cases/metrics.rs"]
mod metrics;

#[path = "cases/properties.rs"]
mod properties;

#[path = "cases/remote.rs"]
mod remote;

use std::time::Duration;

use ecma2_proto::pb::*;
use support::{Harness, is_close};

#[tokio::test(flavor = "multi_thread")]
async fn a_full_import_crosses_the_host_and_close_is_normal() {
    let h = Harness::start("").await;
    let open = h.open_import(7, &[]).await.expect("open");
    assert_eq!(open.page_size, 7);
    let mut all = Vec::new();
    loop {
        let (entries, more) = h.page(&open.session_id).await.expect("page");
        assert!(
            entries.len() <= 7,
            "a page of {} entries exceeds the page size",
            entries.len()
        );
        all.extend(entries);
        if !more {
            break;
        }
    }
    assert!(
        all.len() >= 40,
        "expected the 40 seeded users and more, got {}",
        all.len()
    );
    assert!(
        all.iter()
            .all(|e| e.object_modification_type() == ObjectModificationType::Add),
        "full import returns only Add"
    );
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("close");
    h.wait_event("close Normal", |e| is_close(e, &open.session_id, "Normal"))
        .await;
    // Close is idempotent; other calls on a closed session are NOT_FOUND naming it.
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("second close is fine");
    let err = h.page(&open.session_id).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert!(err.message().contains(&open.session_id));
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_cancelling_a_page_closes_with_terminated_by_user() {
    let h = Harness::start("").await;
    let open = h.open_import(0, &[("test_block_get_ms", "60000")]).await.expect("open");
    let session = open.session_id.clone();
    let page = tokio::time::timeout(Duration::from_millis(700), h.page(&session)).await;
    assert!(page.is_err(), "the blocked page should not finish");
    h.wait_event("close TerminatedByUser", |e| is_close(e, &session, "TerminatedByUser"))
        .await;
    h.host.unwrap().shutdown().await;
}

/// The connector has sent the whole page (the host sends a page's headers once the connector
/// has answered), but the engine lets no data in and walks away with the headers alone: it never
/// saw the page's end, so its session is closed.
#[tokio::test(flavor = "multi_thread")]
async fn an_engine_walking_away_from_a_page_the_connector_finished_has_its_session_closed() {
    let h = Harness::start("").await;
    let open = h.open_import(1, &[]).await.expect("open");
    let session = open.session_id.clone();
    let address = h.host.as_ref().unwrap().address.clone();
    let no_data = ecma2_transport::Windows {
        stream: Some(0),
        connection: None,
    };
    let stalled = ecma2_transport::connect_with(&address, no_data).await.unwrap();
    let mut client = connector_service_client::ConnectorServiceClient::new(stalled);
    let headers = client
        .get_import_entries(h.request(GetImportEntriesRequest {
            session_id: session.clone(),
            import_run_step: None,
        }))
        .await
        .expect("the page's headers");
    drop(headers);
    h.wait_event("close TerminatedByUser", |e| is_close(e, &session, "TerminatedByUser"))
        .await;
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn host_shutdown_closes_open_sessions_with_terminated_shutting_down() {
    let h = Harness::start("").await;
    let open = h.open_import(0, &[]).await.expect("open");
    let mut h = h;
    h.host.take().unwrap().shutdown().await;
    h.wait_event("close TerminatedShuttingDown", |e| {
        is_close(e, &open.session_id, "TerminatedShuttingDown")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_sessions_are_closed() {
    let h = Harness::start("session_idle_timeout = \"1s\"").await;
    let open = h.open_import(0, &[]).await.expect("open");
    h.wait_event("close after idling", |e| {
        is_close(e, &open.session_id, "TerminatedByUser")
    })
    .await;
    let err = h.page(&open.session_id).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_open_is_followed_by_close_with_open_connection_failure() {
    let h = Harness::start("").await;
    let err = h
        .open_import(0, &[("database", "/proc/ecma2-no-such-dir/demo.db")])
        .await
        .expect_err("open must fail on an unusable database path");
    let fault = Fault::from_status(&err).expect("a fault detail");
    assert!(fault.session_id.is_empty(), "the host closed the session itself");
    h.wait_event("close OpenConnectionFailure", |e| {
        e.get("event").and_then(|v| v.as_str()) == Some("close")
            && e.get("reason").map(|r| {
                r.to_string()
                    .to_ascii_lowercase()
                    .replace('_', "")
                    .contains("openconnectionfailure")
            }) == Some(true)
    })
    .await;
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_connector_gives_dropped_connection_and_the_next_run_works() {
    let h = Harness::start("restart_backoff = \"50ms\"").await;
    let open = h.open_import(0, &[("test_block_get_ms", "60000")]).await.expect("open");
    let pid = h.host.as_ref().unwrap().inner().connectors()[0].status().pid;
    assert!(pid > 0);
    let session = open.session_id.clone();
    let page = tokio::spawn({
        let channel = h.channel.clone();
        let request = h.request(GetImportEntriesRequest {
            session_id: session.clone(),
            import_run_step: None,
        });
        async move {
            let mut client = connector_service_client::ConnectorServiceClient::new(channel);
            let mut stream = client.get_import_entries(request).await?.into_inner();
            while stream.message().await?.is_some() {}
            Ok::<_, tonic::Status>(())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill");
    let err = tokio::time::timeout(Duration::from_secs(10), page)
        .await
        .expect("the call ends")
        .unwrap()
        .unwrap_err();
    let fault = Fault::from_status(&err).unwrap_or_else(|| panic!("no fault in {err:?}"));
    assert_eq!(fault.fault_kind(), FaultKind::DroppedConnectionException, "{err:?}");
    assert_eq!(fault.connector, "demo");
    // The supervisor restarts it; the next run succeeds.
    let host = h.host.as_ref().unwrap();
    assert!(host.wait_settled(Duration::from_secs(20)).await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let reopened = loop {
        match h.open_import(0, &[]).await {
            Ok(open) => break open,
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("no run after the restart: {e:?}"),
        }
    };
    let (entries, _) = h.page(&reopened.session_id).await.expect("page after restart");
    assert!(!entries.is_empty());
    assert!(host.inner().connectors()[0].status().restarts >= 1);
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unauthenticated_calls_are_refused_before_any_connector() {
    let h = Harness::start("").await;
    let mut client = h.client();
    let mut request = tonic::Request::new(GetSchemaRequest {
        config_parameters: h.params(&[]),
    });
    request
        .metadata_mut()
        .insert("ecma2-connector", "demo".parse().unwrap());
    let err = client.get_schema(request).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    let mut wrong = tonic::Request::new(GetSchemaRequest {
        config_parameters: h.params(&[]),
    });
    wrong.metadata_mut().insert("ecma2-connector", "demo".parse().unwrap());
    wrong
        .metadata_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    assert_eq!(
        client.get_schema(wrong).await.unwrap_err().code(),
        tonic::Code::Unauthenticated
    );
    // A page is served before the token interceptor (forward::PagesFirst), and checks it itself.
    for token in [None, Some("Bearer nope")] {
        let mut page = tonic::Request::new(GetImportEntriesRequest {
            session_id: "any".into(),
            import_run_step: None,
        });
        page.metadata_mut().insert("ecma2-connector", "demo".parse().unwrap());
        if let Some(token) = token {
            page.metadata_mut().insert("authorization", token.parse().unwrap());
        }
        let err = match client.get_import_entries(page).await {
            Err(err) => err,
            Ok(stream) => stream.into_inner().message().await.unwrap_err(),
        };
        assert_eq!(err.code(), tonic::Code::Unauthenticated, "token {token:?}: {err:?}");
        assert!(err.message().contains("engine token"), "{err:?}");
    }
    assert!(
        h.events().is_empty(),
        "nothing may reach the connector: {:?}",
        h.events()
    );
    h.host.unwrap().shutdown().await;
}

#[test]
fn bad_config_exits_64_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown.toml",
            "surprise = 1\n[[connector]]\nname=\"a\"\ncommand=\"b\"\n",
            "surprise",
        ),
        ("nocommand.toml", "[[connector]]\nname=\"a\"\n", "connector[0].command"),
        (
            "badaddr.toml",
            "[engine]\nlisten=\"here\"\n[[connector]]\nname=\"a\"\ncommand=\"b\"\n",
            "engine.listen",
        ),
        (
            "both.toml",
            "[[connector]]\nname=\"a\"\ncommand=\"b\"\nendpoint=\"tcp:127.0.0.1:7000\"\n",
            "connector[0].endpoint",
        ),
        (
            "plainremote.toml",
            "[[connector]]\nname=\"a\"\nendpoint=\"tcp:10.0.0.5:7000\"\n",
            "[connector.tls]",
        ),
        (
            "zero.toml",
            "[[connector]]\nname=\"a\"\ncommand=\"b\"\n[connector.limits]\ncall_deadline=\"0s\"\n",
            "call_deadline",
        ),
        (
            "case.toml",
            "[[connector]]\nname=\"demo\"\ncommand=\"b\"\n[[connector]]\nname=\"DEMO\"\ncommand=\"b\"\n",
            "connector[1].name",
        ),
        (
            "public.toml",
            "[engine]\nlisten=\"tcp:0.0.0.0:5800\"\n[[connector]]\nname=\"a\"\ncommand=\"b\"\n",
            "not a loopback address",
        ),
    ];
    for (file, text, key) in cases {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(support::host_binary())
            .arg("--config")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{file}: {stderr}");
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains(key),
            "{file}: {stderr}"
        );
    }
}

#[test]
fn killing_the_host_leaves_no_connector_behind() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("host.toml");
    std::fs::write(&config, support::config_text(dir.path(), "")).unwrap();
    let mut host = std::process::Command::new(support::host_binary())
        .arg("--config")
        .arg(&config)
        .arg("--log-format")
        .arg("json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The host logs "connector ready" with the child's pid.
    let stderr = std::io::BufReader::new(host.stderr.take().unwrap());
    let mut pid = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if line.contains("connector ready") {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            pid = v.get("pid").and_then(|p| p.as_u64());
            break;
        }
    }
    let pid = pid.expect("the host reported the connector's pid");
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    host.kill().unwrap(); // SIGKILL
    host.wait().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        // A zombie no longer counts once it is reaped by init; check its state.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.split_whitespace().nth(2) == Some("Z") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "connector {pid} outlived the host by 2 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[path = "cases/engine_tls.rs"]
mod engine_tls;
