//! Endpoint connectors over mutual TLS: the demo connector in remote mode (its own process, as
//! a container would run it) reached by the host over TLS with client certificates. Certificates
//! of another CA are refused both ways, a client without a certificate is refused by the
//! connector, and a connector that goes away and comes back is survived by the host.

use std::process::Stdio;
use std::time::Duration;

use ecma2_proto::pb::*;
use ecma2_transport::test_util::TestCa;
use ecma2_transport::{Address, TlsClient, TlsServer};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{Harness, demo_binary, host_head};

/// The demo connector in remote mode on `listen`; returns the process and its address.
async fn remote_demo(listen: &str, tls: &TlsServer) -> (Child, Address) {
    let mut child = Command::new(demo_binary())
        .env("ECMA2_LISTEN", listen)
        .env("ECMA2_TLS_CERT", &tls.cert)
        .env("ECMA2_TLS_KEY", &tls.key)
        .env("ECMA2_TLS_CLIENT_CA", &tls.client_ca)
        .env("ECMA2_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the demo connector");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a ready line in time")
        .unwrap()
        .expect("a ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let address = ready["address"].as_str().unwrap().parse().unwrap();
    (child, address)
}

fn endpoint(name: &str, address: &Address, tls: &TlsClient) -> String {
    format!(
        "\n[[connector]]\nname = {name:?}\nendpoint = \"{address}\"\n[connector.tls]\nca = {ca:?}\ncert = {cert:?}\nkey = {key:?}\n[connector.limits]\nrestart_backoff = \"50ms\"\nhealth_interval = \"200ms\"\n",
        ca = tls.ca.display().to_string(),
        cert = tls.cert.as_ref().unwrap().display().to_string(),
        key = tls.key.as_ref().unwrap().display().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_connector_over_mutual_tls_works_and_foreign_certificates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = TestCa::new(dir.path(), "good");
    let other = TestCa::new(dir.path(), "other");
    let (mut demo, demo_address) = remote_demo("tcp:127.0.0.1:0", &good.tls_server(&good)).await;
    // A connector whose server certificate another CA signed.
    let (_rogue, rogue_address) = remote_demo("tcp:127.0.0.1:0", &other.tls_server(&good)).await;
    let host_tls = good.tls_client(&good);
    let text = format!(
        "{}{}{}{}",
        host_head(dir.path()),
        endpoint("demo", &demo_address, &host_tls),
        endpoint("rogue", &rogue_address, &host_tls),
        // The host presenting a client certificate of another CA to the good connector.
        endpoint("stranger", &demo_address, &other.tls_client(&good)),
    );
    let h = Harness::start_with(dir, &text, "demo").await;

    // Through the host, over mutual TLS.
    let status = h
        .wait_status("demo", "ready", |s| s.state() == ConnectorState::Ready)
        .await;
    assert_eq!(status.transport(), ConnectorTransport::RemoteTls);
    assert_eq!(status.pid, 0, "a remote connector has no pid of ours");
    let open = h.open_import(0, &[]).await.expect("open over mutual TLS");
    let mut seen = 0;
    loop {
        let (entries, more) = h.page(&open.session_id).await.expect("page over mutual TLS");
        seen += entries.len();
        if !more {
            break;
        }
    }
    assert!(seen >= 40, "{seen} objects");
    h.close_import(&open.session_id, CloseReason::Normal).await.unwrap();

    // The host refuses a connector certificate of another CA.
    let rogue = h
        .wait_status("rogue", "unavailable", |s| {
            s.state() == ConnectorState::Unavailable && !s.last_error.is_empty()
        })
        .await;
    assert!(rogue.last_error.contains("certificate"), "{rogue:?}");
    let err = h.for_connector("rogue").get_schema().await.unwrap_err();
    let fault = Fault::from_status(&err).expect("a fault");
    assert_eq!(fault.fault_kind(), FaultKind::ServerDownException);
    assert!(fault.message.contains("rogue"), "{fault:?}");

    // The connector refuses a host certificate of another CA.
    let stranger = h
        .wait_status("stranger", "unavailable", |s| {
            s.state() == ConnectorState::Unavailable && !s.last_error.is_empty()
        })
        .await;
    assert_ne!(stranger.state(), ConnectorState::Ready, "{stranger:?}");
    assert!(stranger.last_error.contains("client certificate"), "{stranger:?}");

    // The connector refuses a client without a certificate.
    let anonymous = TlsClient {
        cert: None,
        key: None,
        ..good.tls_client(&good)
    };
    let refused = match ecma2_transport::dial(&demo_address, Some(&anonymous.load().unwrap())).await {
        Err(_) => true,
        Ok(connection) => connector_service_client::ConnectorServiceClient::new(connection.channel)
            .handshake(HandshakeRequest {
                protocol_versions: vec![1],
                ..Default::default()
            })
            .await
            .is_err(),
    };
    assert!(refused, "a client without a certificate got through");

    // The connector goes away: sessions of that connection are lost, the connector is
    // unavailable (ServerDownException), and when it is back the next run works.
    let open = h.open_import(0, &[]).await.expect("open");
    let restarts = h.status("demo").await.restarts;
    demo.start_kill().unwrap();
    demo.wait().await.unwrap();
    h.wait_status("demo", "unavailable", |s| s.state() == ConnectorState::Unavailable)
        .await;
    let err = h.page(&open.session_id).await.unwrap_err();
    let fault = Fault::from_status(&err).expect("a fault");
    assert_eq!(fault.fault_kind(), FaultKind::DroppedConnectionException, "{err:?}");
    let err = h.open_import(0, &[]).await.unwrap_err();
    assert_eq!(
        Fault::from_status(&err).map(|f| f.fault_kind()),
        Some(FaultKind::ServerDownException),
        "{err:?}"
    );
    let (_demo, again) = remote_demo(&demo_address.to_string(), &good.tls_server(&good)).await;
    assert_eq!(again, demo_address);
    let back = h
        .wait_status("demo", "ready again", |s| s.state() == ConnectorState::Ready)
        .await;
    assert_eq!(back.restarts, restarts + 1, "{back:?}");
    let open = h.open_import(0, &[]).await.expect("open after the connector came back");
    let (entries, _) = h
        .page(&open.session_id)
        .await
        .expect("page after the connector came back");
    assert!(!entries.is_empty());
    h.host.unwrap().shutdown().await;
}
