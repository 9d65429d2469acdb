//! The engine endpoint over mutual TLS (`[engine.tls]`): an engine with a client certificate of
//! the configured CA and the token gets through; without a certificate, with one of another CA,
//! or without the token it is refused. A non-loopback listen is accepted only with TLS.

use std::path::Path;

use ecma2_host::Host;
use ecma2_host::config::HostConfig;
use ecma2_proto::pb::ListConnectorsRequest;
use ecma2_proto::pb::host_service_client::HostServiceClient;
use ecma2_transport::test_util::TestCa;
use ecma2_transport::{Address, TlsClient, dial};

fn config(dir: &Path, listen: &str, server: &ecma2_transport::TlsServer) -> String {
    format!(
        "state_dir = {state:?}\n[engine]\nlisten = {listen:?}\n[engine.tls]\ncert = {cert:?}\nkey = {key:?}\nclient_ca = {ca:?}\n",
        state = dir.join("state").display().to_string(),
        cert = server.cert.display().to_string(),
        key = server.key.display().to_string(),
        ca = server.client_ca.display().to_string(),
    ) + &crate::support::command_connector("demo", &crate::support::demo_binary(), "")
}

async fn list(address: &Address, tls: &TlsClient, token: Option<&str>) -> Result<usize, String> {
    let tls = tls.load().map_err(|e| e.to_string())?;
    let connection = dial(address, Some(&tls)).await.map_err(|e| e.to_string())?;
    let mut request = tonic::Request::new(ListConnectorsRequest {});
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    HostServiceClient::new(connection.channel)
        .list_connectors(request)
        .await
        .map(|r| r.into_inner().connectors.len())
        .map_err(|s| format!("{s:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn only_engines_with_our_certificate_and_the_token_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let ours = TestCa::new(dir.path(), "ours");
    let foreign = TestCa::new(dir.path(), "foreign");
    let path = dir.path().join("host.toml");
    let text = config(dir.path(), "tcp:127.0.0.1:0", &ours.tls_server(&ours));
    let host = Host::start(HostConfig::parse(&path, &text).unwrap()).await.unwrap();
    let token = host.token.clone();

    let engine = ours.tls_client(&ours);
    assert_eq!(list(&host.address, &engine, Some(&token)).await, Ok(1));

    let err = list(&host.address, &engine, None).await.unwrap_err();
    assert!(err.contains("Unauthenticated"), "a certificate but no token: {err}");

    let anonymous = TlsClient {
        cert: None,
        key: None,
        ..engine.clone()
    };
    assert!(
        list(&host.address, &anonymous, Some(&token)).await.is_err(),
        "no client certificate"
    );
    assert!(
        list(&host.address, &foreign.tls_client(&ours), Some(&token))
            .await
            .is_err(),
        "a client certificate of another CA"
    );
    host.shutdown().await;
}

#[test]
fn a_non_loopback_listen_needs_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "ca");
    let path = dir.path().join("host.toml");
    let with_tls = config(dir.path(), "tcp:0.0.0.0:5800", &ca.tls_server(&ca));
    let config = HostConfig::parse(&path, &with_tls).expect("off loopback with [engine.tls]");
    assert!(config.engine_tls.is_some());

    let plain = with_tls.replace("[engine.tls]", "[unused]");
    let plain = plain.split("[unused]").next().unwrap().to_owned() + "[[connector]]\nname = \"a\"\ncommand = \"b\"\n";
    let err = HostConfig::parse(&path, &plain).unwrap_err().to_string();
    assert!(
        err.contains("engine.listen") && err.contains("[engine.tls]") && err.contains("host.toml"),
        "{err}"
    );

    let missing = with_tls.replace("client_ca = ", "client_ca = \"nope.pem\" # ");
    let err = HostConfig::parse(&path, &missing).unwrap_err().to_string();
    assert!(
        err.contains("engine.tls.client_ca") && err.contains("nope.pem"),
        "{err}"
    );

    let unknown = format!("{with_tls}surprise = 1\n");
    let err = HostConfig::parse(&path, &unknown).unwrap_err().to_string();
    assert!(err.contains("surprise"), "{err}");
}
