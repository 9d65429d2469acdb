//! ConcurrentOperation through the host (guide, "Basic properties"; docs/host.md, "Runs one at a
//! time"): the host reads it for each run from GetCapabilitiesEx with the parameters that run's
//! Open carries, so engines that do not hold a lock of their own (MIM's, through the bridge) are
//! kept apart too. The demo says false only when its Capabilities-page check box
//! `test_no_concurrent_operation` is set, which its plain GetCapabilities never sees. A run that
//! says false runs alone among the connector's runs; a second Open waits for it.

use std::time::Duration;

use ecma2_proto::pb::*;
use serde_json::Value;
use tonic::transport::Channel;

use crate::support::{Harness, engine_request, poll};

const NO_CONCURRENT: (&str, &str) = ("test_no_concurrent_operation", "1");

/// How long an Open that must wait is given to overtake the run it waits for. A host that lets
/// it through does so in milliseconds.
const OVERTAKE: Duration = Duration::from_millis(700);

/// How long an Open that may go ahead is given.
const GO_AHEAD: Duration = Duration::from_secs(20);

/// An engine: its own connection to the host.
#[derive(Clone)]
struct Engine {
    channel: Channel,
    token: String,
    params: Vec<ConfigParameter>,
}

impl Engine {
    /// A new connection to `h`'s host, with `h`'s demo parameters and `extra`.
    async fn connect(h: &Harness, extra: &[(&str, &str)]) -> Self {
        let host = h.host.as_ref().expect("an in-process host");
        Self::on(
            ecma2_transport::connect(&host.address).await.expect("connect"),
            h,
            extra,
        )
    }

    fn on(channel: Channel, h: &Harness, extra: &[(&str, &str)]) -> Self {
        Self {
            channel,
            token: h.token.clone(),
            params: h.params(extra),
        }
    }

    fn client(&self) -> connector_service_client::ConnectorServiceClient<Channel> {
        connector_service_client::ConnectorServiceClient::new(self.channel.clone())
    }

    fn request<T>(&self, message: T) -> tonic::Request<T> {
        engine_request(&self.token, "demo", message)
    }

    async fn schema(&self) -> Option<Schema> {
        self.client()
            .get_schema(self.request(GetSchemaRequest {
                config_parameters: self.params.clone(),
            }))
            .await
            .expect("schema")
            .into_inner()
            .schema
    }

    /// OpenImportConnection (full); the session id.
    async fn open_import(&self) -> Result<String, tonic::Status> {
        let types = self.schema().await;
        self.client()
            .open_import_connection(self.request(OpenImportConnectionRequest {
                config_parameters: self.params.clone(),
                types,
                import_run_step: Some(OpenImportConnectionRunStep {
                    import_type: OperationType::Full as i32,
                    ..Default::default()
                }),
            }))
            .await
            .map(|r| r.into_inner().session_id)
    }

    /// OpenExportConnection; the session id.
    async fn open_export(&self) -> Result<String, tonic::Status> {
        let types = self.schema().await;
        self.client()
            .open_export_connection(self.request(OpenExportConnectionRequest {
                config_parameters: self.params.clone(),
                types,
                export_run_step: Some(OpenExportConnectionRunStep::default()),
            }))
            .await
            .map(|r| r.into_inner().session_id)
    }

    async fn close_import(&self, session_id: &str) {
        self.client()
            .close_import_connection(self.request(CloseImportConnectionRequest {
                session_id: session_id.to_owned(),
                import_run_step: Some(CloseImportConnectionRunStep::default()),
            }))
            .await
            .expect("close import");
    }

    async fn close_export(&self, session_id: &str) {
        self.client()
            .close_export_connection(self.request(CloseExportConnectionRequest {
                session_id: session_id.to_owned(),
                export_run_step: Some(CloseExportConnectionRunStep::default()),
            }))
            .await
            .expect("close export");
    }
}

/// Where the connector recorded `event` of `session` (`open`, `close`).
#[track_caller]
fn position(events: &[Value], event: &str, session: &str) -> usize {
    events
        .iter()
        .position(|e| {
            e.get("event").and_then(Value::as_str) == Some(event)
                && e.get("session_id").and_then(Value::as_str) == Some(session)
        })
        .unwrap_or_else(|| panic!("no {event} of {session} in {events:?}"))
}

/// The sessions the connector has opened, in order.
fn opened(h: &Harness) -> Vec<String> {
    h.events()
        .iter()
        .filter(|e| e.get("event").and_then(Value::as_str) == Some("open"))
        .filter_map(|e| e.get("session_id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The GetCapabilitiesEx calls the connector answered.
fn capability_calls(h: &Harness) -> usize {
    h.events()
        .iter()
        .filter(|e| e.get("event").and_then(Value::as_str) == Some("capabilities"))
        .count()
}

/// Gives `open` [`OVERTAKE`] to finish, asserting it does not.
async fn still_waits(open: &tokio::task::JoinHandle<Result<String, tonic::Status>>, what: &str) {
    let deadline = tokio::time::Instant::now() + OVERTAKE;
    while tokio::time::Instant::now() < deadline {
        assert!(!open.is_finished(), "{what} did not wait: {open:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Awaits an Open that may now go ahead.
async fn goes_ahead(open: tokio::task::JoinHandle<Result<String, tonic::Status>>, what: &str) -> String {
    tokio::time::timeout(GO_AHEAD, open)
        .await
        .unwrap_or_else(|_| panic!("{what} still waits after {GO_AHEAD:?}"))
        .expect("task")
        .unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// Two engines with `test_no_concurrent_operation` in their parameters: the second one's import
/// Open reaches the connector only after the first run closed; an export waits the same way.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_operation_false_from_the_parameters_keeps_two_engines_apart() {
    let h = Harness::start("").await;
    let first = Engine::connect(&h, &[NO_CONCURRENT]).await;
    let second = Engine::connect(&h, &[NO_CONCURRENT]).await;
    let running = first.open_import().await.expect("first open");

    let waiting = tokio::spawn({
        let second = second.clone();
        async move { second.open_import().await }
    });
    still_waits(&waiting, "the second engine's import").await;
    assert_eq!(
        opened(&h),
        std::slice::from_ref(&running),
        "only the first run reached the connector"
    );

    first.close_import(&running).await;
    let next = goes_ahead(waiting, "the second engine's import, after the first run closed").await;
    let events = h.events();
    assert!(
        position(&events, "close", &running) < position(&events, "open", &next),
        "the connector saw the second open before the first close: {events:?}"
    );

    // An export of the connector (same parameters) waits for that import as well.
    let export = tokio::spawn({
        let first = first.clone();
        async move { first.open_export().await }
    });
    still_waits(&export, "an export while an import runs").await;
    second.close_import(&next).await;
    let export = goes_ahead(export, "the export, after the import closed").await;
    first.close_export(&export).await;
    h.host.unwrap().shutdown().await;
}

/// Without the check box (ConcurrentOperation true, the demo's default) two engines' runs
/// overlap: both are open at the connector at once.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_operation_true_lets_two_engines_overlap() {
    let h = Harness::start("").await;
    let first = Engine::connect(&h, &[]).await;
    let second = Engine::connect(&h, &[]).await;
    let a = first.open_import().await.expect("first open");
    let b = tokio::time::timeout(GO_AHEAD, second.open_import())
        .await
        .expect("the second open does not wait")
        .expect("second open");
    let export = tokio::time::timeout(GO_AHEAD, first.open_export())
        .await
        .expect("an export does not wait either")
        .expect("export open");
    assert_eq!(opened(&h), [a.clone(), b.clone(), export.clone()]);
    first.close_import(&a).await;
    second.close_import(&b).await;
    first.close_export(&export).await;
    h.host.unwrap().shutdown().await;
}

/// Per connector, not per parameter set: a run whose parameters say false waits for a run of
/// the connector with other parameters (that says true), and a run that says true, arriving
/// while it waits, waits behind it (the gate is fair), then runs once it closed.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_says_false_runs_alone_among_all_runs_of_its_connector() {
    let h = Harness::start("").await;
    let plain = Engine::connect(&h, &[]).await;
    let alone = Engine::connect(&h, &[NO_CONCURRENT]).await;
    // Another parameter set again (the hook is inert at 0), so it is asked for on its own.
    let later = Engine::connect(&h, &[("test_block_put_ms", "0")]).await;

    let shared = plain.open_import().await.expect("a run that says true");
    let waiting = tokio::spawn({
        let alone = alone.clone();
        async move { alone.open_import().await }
    });
    poll(
        "the host asking GetCapabilitiesEx for the waiting run",
        GO_AHEAD,
        || (capability_calls(&h) >= 2).then_some(()),
    )
    .await;
    still_waits(&waiting, "a run that says false, beside a run that says true").await;
    let behind = tokio::spawn({
        let later = later.clone();
        async move { later.open_import().await }
    });
    still_waits(&behind, "a run that says true, behind a waiting one that says false").await;
    assert_eq!(opened(&h), std::slice::from_ref(&shared));

    plain.close_import(&shared).await;
    let solo = goes_ahead(waiting, "the run that says false, after the other closed").await;
    still_waits(&behind, "a run that says true, while one that says false is open").await;
    alone.close_import(&solo).await;
    let last = goes_ahead(behind, "the run that says true, after the lone run closed").await;
    let events = h.events();
    assert!(position(&events, "close", &shared) < position(&events, "open", &solo));
    assert!(position(&events, "close", &solo) < position(&events, "open", &last));
    later.close_import(&last).await;
    h.host.unwrap().shutdown().await;
}

/// The host asks GetCapabilitiesEx once per parameter set (per launch of the connector), not
/// once per run: two runs with the same parameters, one question; another set, another.
#[tokio::test(flavor = "multi_thread")]
async fn get_capabilities_ex_is_asked_once_per_parameter_set() {
    let h = Harness::start("").await;
    let engine = Engine::connect(&h, &[NO_CONCURRENT]).await;
    for _ in 0..2 {
        let session = engine.open_import().await.expect("open");
        engine.close_import(&session).await;
    }
    assert_eq!(capability_calls(&h), 1, "{:?}", h.events());
    let other = Engine::connect(&h, &[]).await;
    let session = other.open_export().await.expect("open");
    other.close_export(&session).await;
    assert_eq!(capability_calls(&h), 2, "{:?}", h.events());
    h.host.unwrap().shutdown().await;
}

/// Kills the host process when the test ends, also when it fails.
#[cfg(unix)]
struct KillOnDrop(std::process::Child);

#[cfg(unix)]
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Parameters can hold EncryptedString values: with every target at debug level, the host's
/// log (its own lines and the connector's forwarded ones) never shows one, while the runs that
/// carried it went through the GetCapabilitiesEx path and its cache.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn an_encrypted_parameter_never_reaches_the_hosts_debug_log() {
    use crate::support::{config_text, host_binary};

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("host.toml");
    std::fs::write(&config, config_text(dir.path(), "")).unwrap();
    let log_path = dir.path().join("host.log");
    let host = std::process::Command::new(host_binary())
        .arg("--config")
        .arg(&config)
        .arg("--log-format")
        .arg("json")
        .env("RUST_LOG", "debug")
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut host = KillOnDrop(host);
    let h = Harness::attach(dir, "demo").await;
    h.wait_status("demo", "ready", |s| s.state == ConnectorState::Ready as i32)
        .await;
    let secret = "ecma2-secret-7f3a9c1e";
    let mut engine = Engine::on(h.channel.clone(), &h, &[NO_CONCURRENT]);
    engine.params.push(ConfigParameter {
        name: "api_key".into(),
        secure_value: Some(Secret { value: secret.into() }),
        is_encrypted: true,
        ..Default::default()
    });
    for _ in 0..2 {
        let session = engine.open_import().await.expect("open");
        engine.close_import(&session).await;
    }
    assert_eq!(capability_calls(&h), 1);
    std::process::Command::new("kill")
        .args(["-TERM", &host.0.id().to_string()])
        .status()
        .unwrap();
    let _ = host.0.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("ConcurrentOperation read from GetCapabilitiesEx"),
        "the debug log covers the path: {log}"
    );
    assert!(!log.contains(secret), "the host's log shows an EncryptedString value");
}
