//! Shared harness for the host's end-to-end tests: a host started in-process on a Unix socket in
//! a temp dir, running the real demo connector binary as a child process, an engine client, and
//! the connector's observe file (what the connector itself saw).

use std::path::{Path, PathBuf};
use std::time::Duration;

use ecma2_host::config::HostConfig;
use ecma2_host::{Host, RunningHost};
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::*;
use serde_json::Value;
use tonic::transport::Channel;

/// The demo connector binary built next to the test executable.
pub fn demo_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join("ecma2-demo");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p ecma2-demo` first (cargo test --workspace does)",
        path.display()
    );
    path
}

/// The host binary built next to the test executable.
pub fn host_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ecma2-host"))
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub host: Option<RunningHost>,
    pub channel: Channel,
    pub token: String,
}

/// A host config text with one connector `demo` and extra `[connector.limits]` lines.
pub fn config_text(dir: &Path, limits: &str) -> String {
    format!(
        "state_dir = {state:?}\n[engine]\nlisten = \"unix:{sock}\"\n\n[[connector]]\nname = \"demo\"\ncommand = {cmd:?}\n[connector.limits]\n{limits}\n",
        state = dir.join("state").display().to_string(),
        sock = dir.join("engine.sock").display(),
        cmd = demo_binary().display().to_string(),
    )
}

impl Harness {
    pub async fn start(limits: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config =
            HostConfig::parse(&dir.path().join("host.toml"), &config_text(dir.path(), limits)).expect("valid config");
        let host = Host::start(config).await.expect("host starts");
        assert!(
            host.wait_settled(Duration::from_secs(30)).await,
            "connector did not settle"
        );
        let channel = ecma2_transport::connect(&host.address).await.expect("connect to host");
        let token = host.token.clone();
        Self {
            dir,
            host: Some(host),
            channel,
            token,
        }
    }

    pub fn client(&self) -> ConnectorServiceClient<Channel> {
        ConnectorServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }

    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {}", self.token).parse().unwrap());
        request
            .metadata_mut()
            .insert("ecma2-connector", "demo".parse().unwrap());
        request
    }

    pub fn observe_file(&self) -> PathBuf {
        self.dir.path().join("observe.jsonl")
    }

    pub fn params(&self, extra: &[(&str, &str)]) -> Vec<ConfigParameter> {
        let mut all = vec![
            (
                "database".to_owned(),
                self.dir.path().join("demo.db").display().to_string(),
            ),
            ("seed_users".to_owned(), "40".to_owned()),
            ("observe_file".to_owned(), self.observe_file().display().to_string()),
        ];
        for (k, v) in extra {
            all.retain(|(name, _)| name != k);
            all.push(((*k).to_owned(), (*v).to_owned()));
        }
        all.into_iter()
            .map(|(name, value)| ConfigParameter {
                name,
                value,
                ..Default::default()
            })
            .collect()
    }

    pub async fn open_import(
        &self,
        page_size: i32,
        extra: &[(&str, &str)],
    ) -> Result<OpenImportConnectionResponse, tonic::Status> {
        let mut client = self.client();
        let schema = client
            .get_schema(self.request(GetSchemaRequest {
                config_parameters: self.params(extra),
            }))
            .await?
            .into_inner()
            .schema;
        client
            .open_import_connection(self.request(OpenImportConnectionRequest {
                config_parameters: self.params(extra),
                types: schema,
                import_run_step: Some(OpenImportConnectionRunStep {
                    page_size,
                    import_type: OperationType::Full as i32,
                    ..Default::default()
                }),
            }))
            .await
            .map(|r| r.into_inner())
    }

    /// Reads one whole page; returns (entries, more_to_import).
    pub async fn page(&self, session_id: &str) -> Result<(Vec<CsEntryChange>, bool), tonic::Status> {
        let mut stream = self
            .client()
            .get_import_entries(self.request(GetImportEntriesRequest {
                session_id: session_id.to_owned(),
                import_run_step: Some(GetImportEntriesRunStep::default()),
            }))
            .await?
            .into_inner();
        let mut entries = Vec::new();
        let mut reassembler = ecma2_proto::frames::Reassembler::default();
        while let Some(frame) = stream.message().await? {
            match frame.frame {
                Some(get_import_entries_response::Frame::Entry(e)) => entries.push(e),
                Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                    if let Some(e) = reassembler.push(f).expect("fragments reassemble") {
                        entries.push(e)
                    }
                }
                Some(get_import_entries_response::Frame::Results(r)) => return Ok((entries, r.more_to_import)),
                None => {}
            }
        }
        panic!("page ended without a results frame");
    }

    pub async fn close_import(&self, session_id: &str, reason: CloseReason) -> Result<(), tonic::Status> {
        self.client()
            .close_import_connection(self.request(CloseImportConnectionRequest {
                session_id: session_id.to_owned(),
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: reason as i32,
                    ..Default::default()
                }),
            }))
            .await
            .map(drop)
    }

    /// Every event the connector recorded.
    pub fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.observe_file())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until the connector recorded an event matching `pred`.
    pub async fn wait_event(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(found) = self.events().into_iter().find(|e| pred(e)) {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "connector never recorded {what}; events: {:?}",
                self.events()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether `event` is a close of `session` with `reason` (spelled either way).
pub fn is_close(event: &Value, session: &str, reason: &str) -> bool {
    let norm = |s: &str| {
        s.to_ascii_lowercase()
            .replace(['_', '-', ' '], "")
            .replace("closereason", "")
    };
    event.get("event").and_then(Value::as_str) == Some("close")
        && event.get("session_id").and_then(Value::as_str) == Some(session)
        && event.get("reason").map(|r| norm(&r.to_string().replace('"', ""))) == Some(norm(reason))
}
