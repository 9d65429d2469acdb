//! Remote mode (docs/runtime.md "Remote mode"): with `ECMA2_TLS_*` set the connector serves
//! mutual TLS, accepts only clients whose certificate its client CA signed, needs no launch
//! secret, and refuses to start with TLS but without a client CA.

use std::collections::HashMap;
use std::time::Duration;

use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::*;
use ecma2_sdk::{Connector, LaunchSettings, ServeError};
use ecma2_transport::test_util::TestCa;
use ecma2_transport::{Address, TlsClient};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::Faulty;

fn settings(vars: &[(&str, &str)]) -> Result<LaunchSettings, ServeError> {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    LaunchSettings::from_vars(|name| vars.get(name).cloned())
}

#[test]
fn tls_without_a_client_ca_is_refused_naming_the_variable() {
    let err = settings(&[("ECMA2_TLS_CERT", "/c.pem"), ("ECMA2_TLS_KEY", "/k.pem")]).unwrap_err();
    assert!(
        matches!(
            err,
            ServeError::Env {
                name: "ECMA2_TLS_CLIENT_CA",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("mutual TLS"), "{err}");
    let err = settings(&[("ECMA2_TLS_CERT", "/c.pem"), ("ECMA2_TLS_CLIENT_CA", "/ca.pem")]).unwrap_err();
    assert!(
        matches!(
            err,
            ServeError::Env {
                name: "ECMA2_TLS_KEY",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn remote_mode_has_no_launch_secret_and_no_host_pid() {
    let s = settings(&[
        ("ECMA2_LISTEN", "tcp:0.0.0.0:7000"),
        ("ECMA2_TLS_CERT", "/c.pem"),
        ("ECMA2_TLS_KEY", "/k.pem"),
        ("ECMA2_TLS_CLIENT_CA", "/ca.pem"),
        ("ECMA2_LAUNCH_SECRET", "ignored"),
        ("ECMA2_HOST_PID", "1"),
    ])
    .unwrap();
    assert!(s.tls.is_some());
    assert!(s.launch_secret.is_none() && s.host_pid.is_none(), "{s:?}");
    let plain = settings(&[("ECMA2_LAUNCH_SECRET", "s"), ("ECMA2_HOST_PID", "1")]).unwrap();
    assert!(plain.tls.is_none() && plain.launch_secret.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_certificate_file_is_an_env_error_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "ca");
    let mut s = settings(&[]).unwrap();
    let mut tls = ca.tls_server(&ca);
    tls.cert = dir.path().join("nowhere.pem");
    s.tls = Some(tls);
    let err = Connector::new("faulty", "0.0.1", Faulty::default)
        .call_import()
        .serve_with(s)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServeError::Env {
                name: "ECMA2_TLS_CERT",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nowhere.pem"), "{err}");
}

async fn handshake(address: &Address, tls: &TlsClient) -> Result<HandshakeResponse, String> {
    let tls = tls.load().map_err(|e| e.to_string())?;
    let connection = ecma2_transport::dial(address, Some(&tls))
        .await
        .map_err(|e| e.to_string())?;
    ConnectorServiceClient::new(connection.channel)
        .handshake(HandshakeRequest {
            protocol_versions: vec![1],
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner())
        .map_err(|s| format!("{s:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_mode_serves_mutual_tls_to_clients_of_its_ca_only() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "ca");
    let other = TestCa::new(dir.path(), "other");
    // A free port for ECMA2_LISTEN (the ready line goes to stdout, which a test cannot read).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address: Address = format!("tcp:127.0.0.1:{port}").parse().unwrap();
    let probe = Address::Unix(dir.path().join("health.sock"));
    let mut s = settings(&[
        ("ECMA2_LISTEN", &address.to_string()),
        ("ECMA2_HEALTH_LISTEN", &probe.to_string()),
    ])
    .unwrap();
    assert_eq!(s.health_listen.as_ref(), Some(&probe));
    s.tls = Some(ca.tls_server(&ca));
    let served = tokio::spawn(
        Connector::new("faulty", "0.0.1", Faulty::default)
            .call_import()
            .serve_with(s),
    );
    let good = ca.tls_client(&ca);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let hello = loop {
        match handshake(&address, &good).await {
            Ok(hello) => break hello,
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("the connector never answered over mutual TLS: {e}"),
        }
    };
    assert_eq!(hello.connector.unwrap().name, "faulty");

    let anonymous = TlsClient {
        cert: None,
        key: None,
        ..good.clone()
    };
    assert!(
        handshake(&address, &anonymous).await.is_err(),
        "a client without a certificate"
    );
    assert!(
        handshake(&address, &other.tls_client(&ca)).await.is_err(),
        "a client certificate of another CA"
    );
    let plain = ecma2_transport::connect(&address).await;
    if let Ok(channel) = plain {
        let err = ConnectorServiceClient::new(channel)
            .handshake(HandshakeRequest::default())
            .await
            .unwrap_err();
        assert_ne!(err.code(), tonic::Code::Ok);
    }

    // The probe listener: plain-text health, and nothing else.
    let plain_probe = ecma2_transport::connect(&probe).await.expect("the health listener");
    let checked = HealthClient::new(plain_probe.clone())
        .check(HealthCheckRequest {
            service: "ecma2.v1.ConnectorService".into(),
        })
        .await
        .expect("health over the probe listener")
        .into_inner();
    assert_eq!(checked.status(), ServingStatus::Serving);
    let err = ConnectorServiceClient::new(plain_probe.clone())
        .handshake(HandshakeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);

    // The Shutdown RPC (over mutual TLS, no launch secret) stops it.
    let connection = ecma2_transport::dial(&address, Some(&good.load().unwrap()))
        .await
        .unwrap();
    ConnectorServiceClient::new(connection.channel)
        .shutdown(ShutdownRequest::default())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .expect("the connector stops")
        .unwrap()
        .unwrap();
    // The probe listener stopped with it, so a liveness probe sees the stop.
    assert!(!dir.path().join("health.sock").exists() || ecma2_transport::connect(&probe).await.is_err());
}

#[test]
fn a_bad_health_listen_address_names_the_variable() {
    let err = settings(&[("ECMA2_HEALTH_LISTEN", "0.0.0.0:7001")]).unwrap_err();
    assert!(
        matches!(
            err,
            ServeError::Env {
                name: "ECMA2_HEALTH_LISTEN",
                ..
            }
        ),
        "{err}"
    );
}
