//! The Prometheus endpoint, scraped over plain HTTP after an import: per-connector sessions,
//! objects, call latency, restarts and faults, and never the engine token.

use std::time::Duration;

use ecma2_proto::pb::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Harness, config_text};

/// GETs `path` from the metrics address; returns (status line, body).
async fn get(address: &ecma2_transport::Address, path: &str) -> (String, String) {
    let ecma2_transport::Address::Tcp(addr) = address else {
        panic!("metrics on {address}")
    };
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut response))
        .await
        .expect("a response in time")
        .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

/// The value of the sample `series` (name and labels exactly as exposed).
#[track_caller]
fn sample(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no sample {series} in:\n{body}"))
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_scraped_after_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[metrics]\nlisten = \"tcp:127.0.0.1:0\"\n",
        config_text(dir.path(), "")
    );
    let h = Harness::start_with(dir, &text, "demo").await;
    let address = h
        .host
        .as_ref()
        .unwrap()
        .metrics_address
        .clone()
        .expect("metrics address");

    let open = h.open_import(0, &[]).await.expect("open");
    let mut imported = 0;
    let mut pages = 0;
    loop {
        let (entries, more) = h.page(&open.session_id).await.expect("page");
        imported += entries.len();
        pages += 1;
        if !more {
            break;
        }
    }
    let (status, body) = get(&address, "/metrics").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(sample(&body, "ecma2_host_sessions_open{connector=\"demo\"}"), 1.0);
    assert_eq!(
        sample(&body, "ecma2_host_objects_imported_total{connector=\"demo\"}"),
        imported as f64
    );
    assert_eq!(
        sample(&body, "ecma2_host_objects_exported_total{connector=\"demo\"}"),
        0.0
    );
    assert_eq!(
        sample(
            &body,
            "ecma2_host_call_duration_seconds_count{connector=\"demo\",call=\"GetImportEntries\"}"
        ),
        pages as f64
    );
    assert_eq!(
        sample(
            &body,
            "ecma2_host_call_duration_seconds_count{connector=\"demo\",call=\"OpenImportConnection\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&body, "ecma2_host_connector_restarts_total{connector=\"demo\"}"),
        0.0
    );
    assert_eq!(sample(&body, "ecma2_host_connector_up{connector=\"demo\"}"), 1.0);
    assert!(body.contains("# TYPE ecma2_host_call_duration_seconds histogram"));

    // A fault is counted by kind; a closed session is no longer open.
    let err = h
        .open_import(0, &[("database", "/proc/ecma2-no-such-dir/demo.db")])
        .await
        .unwrap_err();
    let kind = Fault::from_status(&err).expect("a fault").fault_kind();
    h.close_import(&open.session_id, CloseReason::Normal).await.unwrap();
    let (_, body) = get(&address, "/metrics").await;
    let kind = ecma2_proto::fault::ecma2_name(kind);
    assert_eq!(
        sample(
            &body,
            &format!("ecma2_host_faults_total{{connector=\"demo\",kind=\"{kind}\"}}")
        ),
        1.0
    );
    assert_eq!(sample(&body, "ecma2_host_sessions_open{connector=\"demo\"}"), 0.0);
    assert!(!body.contains(&h.token), "the engine token leaked into the metrics");

    let (status, _) = get(&address, "/other").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    h.host.unwrap().shutdown().await;
}
