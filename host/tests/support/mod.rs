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

/// The connector binaries the tests launch, built next to the test executable. `cargo test
/// --workspace` builds them; for `cargo test -p ecma2-host` the first test that needs one runs
/// `cargo build` for both packages (a no-op when they are fresh), so they are never stale.
fn connector_binary(name: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let exe = std::env::current_exe().expect("test exe path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target dir");
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = std::process::Command::new(cargo);
        command.args(["build", "-q", "-p", "ecma2-demo", "-p", "ecma2-testkit"]);
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => {}
            Some("release") => {
                command.arg("--release");
            }
            Some(other) => {
                command.args(["--profile", other]);
            }
            None => {}
        }
        if let Some(target_dir) = profile_dir.parent() {
            command.arg("--target-dir").arg(target_dir);
        }
        command.current_dir(env!("CARGO_MANIFEST_DIR"));
        match command.status() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("cargo build of the connector binaries failed ({status})")),
            Err(e) => Err(format!("cannot run cargo to build the connector binaries: {e}")),
        }
    });
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing ({built:?}): run `cargo build -p ecma2-demo -p ecma2-testkit` first",
        path.display()
    );
    path
}

/// The demo connector binary.
pub fn demo_binary() -> PathBuf {
    connector_binary("ecma2-demo")
}

/// The testkit connector binary (host/testkit): big pages and calls that hang.
pub fn testkit_binary() -> PathBuf {
    connector_binary("ecma2-testkit")
}

/// The host binary built next to the test executable.
pub fn host_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ecma2-host"))
}

/// A call as an engine makes it: the bearer token and the connector's name in the metadata.
pub fn engine_request<T>(token: &str, connector: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
        .metadata_mut()
        .insert("ecma2-connector", connector.parse().unwrap());
    request
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub host: Option<RunningHost>,
    pub channel: Channel,
    pub token: String,
    /// The connector calls go to (the `ecma2-connector` metadata).
    pub connector: String,
}

/// The head of a host config in `dir`: state directory and an engine Unix socket.
pub fn host_head(dir: &Path) -> String {
    format!(
        "state_dir = {state:?}\n[engine]\nlisten = \"unix:{sock}\"\n",
        state = dir.join("state").display().to_string(),
        sock = dir.join("engine.sock").display(),
    )
}

/// A `[[connector]]` table launching `command`, with extra `[connector.limits]` lines.
pub fn command_connector(name: &str, command: &Path, limits: &str) -> String {
    format!(
        "\n[[connector]]\nname = {name:?}\ncommand = {cmd:?}\n[connector.limits]\n{limits}\n",
        cmd = command.display().to_string(),
    )
}

/// A host config text with one connector `demo` and extra `[connector.limits]` lines.
pub fn config_text(dir: &Path, limits: &str) -> String {
    format!(
        "{}{}",
        host_head(dir),
        command_connector("demo", &demo_binary(), limits)
    )
}

impl Harness {
    /// A host running the demo connector with these `[connector.limits]` lines.
    pub async fn start(limits: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = config_text(dir.path(), limits);
        Self::start_with(dir, &text, "demo").await
    }

    /// A host in-process with config `text` (written for `dir`); calls go to `connector`.
    pub async fn start_with(dir: tempfile::TempDir, text: &str, connector: &str) -> Self {
        let config = HostConfig::parse(&dir.path().join("host.toml"), text).expect("valid config");
        let host = Host::start(config).await.expect("host starts");
        assert!(
            host.wait_settled(Duration::from_secs(30)).await,
            "connectors did not settle"
        );
        let channel = ecma2_transport::connect(&host.address).await.expect("connect to host");
        let token = host.token.clone();
        Self {
            dir,
            host: Some(host),
            channel,
            token,
            connector: connector.to_owned(),
        }
    }

    /// An engine of a host running as its own process (config written in `dir`).
    pub async fn attach(dir: tempfile::TempDir, connector: &str) -> Self {
        let socket = dir.path().join("engine.sock");
        let token_file = dir.path().join("state/engine.token");
        let token = poll(
            "the host's engine socket and token file",
            Duration::from_secs(30),
            || {
                (socket.exists() && token_file.exists())
                    .then(|| std::fs::read_to_string(&token_file).ok())
                    .flatten()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
            },
        )
        .await;
        let channel = ecma2_transport::connect(&ecma2_transport::Address::Unix(socket))
            .await
            .expect("connect to host");
        Self {
            dir,
            host: None,
            channel,
            token,
            connector: connector.to_owned(),
        }
    }

    /// The same host, with calls going to `connector`.
    pub fn for_connector(&self, connector: &str) -> Engine {
        Engine {
            channel: self.channel.clone(),
            token: self.token.clone(),
            connector: connector.to_owned(),
        }
    }

    /// The status of `name` as HostService reports it.
    pub async fn status(&self, name: &str) -> ConnectorStatus {
        let mut request = tonic::Request::new(GetConnectorStatusRequest { name: name.to_owned() });
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {}", self.token).parse().unwrap());
        host_service_client::HostServiceClient::new(self.channel.clone())
            .get_connector_status(request)
            .await
            .expect("connector status")
            .into_inner()
            .status
            .expect("a status")
    }

    /// Waits until `name`'s status satisfies `pred`.
    pub async fn wait_status(
        &self,
        name: &str,
        what: &str,
        pred: impl Fn(&ConnectorStatus) -> bool,
    ) -> ConnectorStatus {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.status(name).await;
            if pred(&status) {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "connector {name} never became {what}: {status:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn client(&self) -> ConnectorServiceClient<Channel> {
        ConnectorServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }

    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        engine_request(&self.token, &self.connector, message)
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
        let mut more = None;
        // To the stream's end, as an engine must (docs/protocol.md): a page dropped after its
        // results frame but before its status has its session closed.
        while let Some(frame) = stream.message().await? {
            match frame.frame {
                Some(get_import_entries_response::Frame::Entry(e)) => entries.push(e),
                Some(get_import_entries_response::Frame::EntryBatch(b)) => entries.extend(b.entries),
                Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                    if let Some(e) = reassembler.push(f).expect("fragments reassemble") {
                        entries.push(e)
                    }
                }
                Some(get_import_entries_response::Frame::Results(r)) => more = Some(r.more_to_import),
                None => {}
            }
        }
        Ok((entries, more.expect("page ended without a results frame")))
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

/// Calls to another connector of a harness's host.
pub struct Engine {
    pub channel: Channel,
    pub token: String,
    pub connector: String,
}

impl Engine {
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        engine_request(&self.token, &self.connector, message)
    }

    pub async fn get_schema(&self) -> Result<GetSchemaResponse, tonic::Status> {
        ConnectorServiceClient::new(self.channel.clone())
            .get_schema(self.request(GetSchemaRequest::default()))
            .await
            .map(|r| r.into_inner())
    }
}

/// Polls `probe` every 20 ms until it yields a value, failing after `limit`.
#[track_caller]
pub fn poll<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> impl Future<Output = T> {
    let caller = std::panic::Location::caller();
    let what = what.to_owned();
    async move {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(value) = probe() {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{caller}: no {what} within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet).
pub fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) == Some("Z"),
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

/// A `[[connector]]` table for the testkit connector with `env` and extra `[connector.limits]`.
pub fn testkit_connector(name: &str, env: &[(&str, &str)], limits: &str) -> String {
    let env: Vec<String> = env.iter().map(|(k, v)| format!("{k} = {v:?}")).collect();
    format!(
        "\n[[connector]]\nname = {name:?}\ncommand = {cmd:?}\nenv = {{ {} }}\n[connector.limits]\n{limits}\n",
        env.join(", "),
        cmd = testkit_binary().display().to_string(),
    )
}

/// Peak resident memory of `pid` in bytes (VmHWM).
pub fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/<pid>/status");
    kib * 1024
}

/// Reads one page as it comes: the entries (fragments reassembled) and the results frame, if the
/// page had one.
pub async fn read_page(
    h: &Harness,
    session_id: &str,
) -> Result<(usize, Option<GetImportEntriesResults>), tonic::Status> {
    let mut stream = h
        .client()
        .get_import_entries(h.request(GetImportEntriesRequest {
            session_id: session_id.to_owned(),
            import_run_step: Some(GetImportEntriesRunStep::default()),
        }))
        .await?
        .into_inner();
    let mut entries = 0;
    let mut results = None;
    while let Some(frame) = stream.message().await? {
        match frame.frame {
            Some(get_import_entries_response::Frame::Entry(_)) => entries += 1,
            Some(get_import_entries_response::Frame::EntryFragment(f)) if f.last => entries += 1,
            Some(get_import_entries_response::Frame::Results(r)) => results = Some(r),
            _ => {}
        }
    }
    Ok((entries, results))
}
