//! Shared harness for the demo connector's integration tests: the connector served in-process
//! on a Unix socket in a temp dir, or launched as the real binary; typed helpers for the import,
//! export and password calls that check the stream framing on the way; the observe file; and
//! small assertion helpers. Waiting is always polling with a deadline, never a bare sleep.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use ecma2_proto::frames::{self, Framed, Reassembler};
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::connector_service_server::ConnectorServiceServer;
use ecma2_proto::pb::*;
use ecma2_transport::{Address, Listener};
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tonic::transport::Channel;

pub type Client = ConnectorServiceClient<Channel>;

/// How long any wait in a test may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A temp dir with the database and observe file paths every test uses.
pub struct Files {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub observe: PathBuf,
}

impl Files {
    pub fn new() -> Files {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("demo.db");
        let observe = dir.path().join("observe.jsonl");
        Files { dir, db, observe }
    }

    /// `database` and `observe_file`, plus `extra`.
    pub fn params(&self, extra: &[(&str, &str)]) -> Vec<ConfigParameter> {
        let mut all = vec![
            param("database", self.db.to_str().unwrap()),
            param("observe_file", self.observe.to_str().unwrap()),
        ];
        all.extend(extra.iter().map(|(n, v)| param(n, v)));
        all
    }

    /// The observe file's events, in order.
    pub fn events(&self) -> Vec<Json> {
        read_events(&self.observe)
    }
}

pub fn read_events(path: &Path) -> Vec<Json> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("observe lines are JSON"))
        .collect()
}

pub fn param(name: &str, value: &str) -> ConfigParameter {
    ConfigParameter {
        name: name.to_owned(),
        value: value.to_owned(),
        ..Default::default()
    }
}

/// The connector served in-process through `Connector::server()`.
pub struct InProcess {
    pub files: Files,
    pub client: Client,
    pub server: ecma2_sdk::ConnectorServer<ecma2_demo::Demo>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl InProcess {
    pub async fn start() -> InProcess {
        let files = Files::new();
        let server = ecma2_demo::connector().server();
        let address = Address::Unix(files.dir.path().join("demo.sock"));
        let listener = Listener::bind(&address).await.expect("bind");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = tonic::transport::Server::builder().add_service(
            ConnectorServiceServer::new(server.clone())
                .max_decoding_message_size(frames::MAX_MESSAGE_BYTES)
                .max_encoding_message_size(frames::MAX_MESSAGE_BYTES),
        );
        let task = tokio::spawn(async move {
            listener
                .serve(router, async {
                    let _ = stopped.await;
                })
                .await
                .expect("serve");
        });
        let channel = ecma2_transport::connect(&address).await.expect("connect");
        let client = ConnectorServiceClient::new(channel)
            .max_decoding_message_size(frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(frames::MAX_MESSAGE_BYTES);
        InProcess {
            files,
            client,
            server,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn params(&self, extra: &[(&str, &str)]) -> Vec<ConfigParameter> {
        self.files.params(extra)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// The real `ecma2-demo` binary, launched as a host would.
pub struct Launched {
    pub files: Files,
    pub child: tokio::process::Child,
    pub address: Address,
    pub secret: String,
    pub ready: Json,
}

impl Launched {
    pub async fn start(extra_env: &[(&str, &str)]) -> Result<Launched> {
        let files = Files::new();
        let socket = files.dir.path().join("demo.sock");
        let secret = uuid_like();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ecma2-demo"));
        command
            .env("ECMA2_LISTEN", format!("unix:{}", socket.display()))
            .env("ECMA2_LAUNCH_SECRET", &secret)
            .env("ECMA2_CONNECTOR_NAME", "demo-under-test")
            .env("ECMA2_HOST_PID", std::process::id().to_string())
            .env_remove("ECMA2_DEMO_DATABASE")
            .env_remove("ECMA2_DEMO_OBSERVE_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in extra_env {
            command.env(k, v);
        }
        let mut child = command.spawn().context("spawn ecma2-demo")?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(DEADLINE, lines.next_line())
            .await
            .context("no ready line before the deadline")??
            .context("stdout closed before the ready line")?;
        let ready: Json = serde_json::from_str(&line).with_context(|| format!("ready line {line:?}"))?;
        ensure!(ready["ecma2"] == "ready", "not a ready line: {line}");
        let address: Address = ready["address"].as_str().context("address")?.parse()?;
        // Keep draining stderr so the child never blocks on a full pipe.
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if std::env::var_os("DEMO_TEST_STDERR").is_some() {
                        eprintln!("[ecma2-demo] {line}");
                    }
                }
            });
        }
        Ok(Launched {
            files,
            child,
            address,
            secret,
            ready,
        })
    }

    /// A client that adds the launch secret to every call.
    pub async fn client(&self) -> Result<SecretClient> {
        self.client_with(Some(self.secret.clone())).await
    }

    /// A client that sends `secret` (or none).
    pub async fn client_with(&self, secret: Option<String>) -> Result<SecretClient> {
        let channel = ecma2_transport::connect(&self.address).await?;
        let interceptor = SecretInterceptor(secret);
        Ok(ConnectorServiceClient::with_interceptor(channel, interceptor)
            .max_decoding_message_size(frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(frames::MAX_MESSAGE_BYTES))
    }

    /// Waits for the process to exit; fails after the deadline.
    pub async fn wait_exit(&mut self) -> Result<std::process::ExitStatus> {
        Ok(tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .context("the connector did not exit before the deadline")??)
    }

    /// Sends a signal by name with the `kill` command (no unsafe code needed).
    pub fn signal(&self, name: &str) -> Result<()> {
        let pid = self.child.id().context("child already reaped")?;
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()?;
        ensure!(status.success(), "kill -{name} {pid} failed");
        Ok(())
    }
}

#[derive(Clone)]
pub struct SecretInterceptor(Option<String>);

impl tonic::service::Interceptor for SecretInterceptor {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(secret) = &self.0 {
            request
                .metadata_mut()
                .insert(ecma2_proto::meta::LAUNCH_SECRET, secret.parse().expect("ascii secret"));
        }
        Ok(request)
    }
}

pub type SecretClient =
    ConnectorServiceClient<tonic::service::interceptor::InterceptedService<Channel, SecretInterceptor>>;

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("secret-{nanos:x}-{}", std::process::id())
}

/// Polls `check` until it returns `Some`, failing after the deadline.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Generic client operations, for both the plain and the secret-carrying client.
pub trait Calls {
    fn open_import(
        &mut self,
        request: OpenImportConnectionRequest,
    ) -> impl std::future::Future<Output = Result<OpenImportConnectionResponse, tonic::Status>>;
    fn get_entries(
        &mut self,
        request: GetImportEntriesRequest,
    ) -> impl std::future::Future<Output = Result<tonic::Streaming<GetImportEntriesResponse>, tonic::Status>>;
    fn close_import(
        &mut self,
        request: CloseImportConnectionRequest,
    ) -> impl std::future::Future<Output = Result<CloseImportConnectionResponse, tonic::Status>>;
}

macro_rules! calls {
    ($t:ty) => {
        impl Calls for $t {
            async fn open_import(
                &mut self,
                request: OpenImportConnectionRequest,
            ) -> Result<OpenImportConnectionResponse, tonic::Status> {
                Ok(self.open_import_connection(request).await?.into_inner())
            }
            async fn get_entries(
                &mut self,
                request: GetImportEntriesRequest,
            ) -> Result<tonic::Streaming<GetImportEntriesResponse>, tonic::Status> {
                Ok(self.get_import_entries(request).await?.into_inner())
            }
            async fn close_import(
                &mut self,
                request: CloseImportConnectionRequest,
            ) -> Result<CloseImportConnectionResponse, tonic::Status> {
                Ok(self.close_import_connection(request).await?.into_inner())
            }
        }
    };
}
calls!(Client);
calls!(SecretClient);

/// An OpenImportConnection request.
pub fn import_request(
    params: Vec<ConfigParameter>,
    import_type: OperationType,
    page_size: i32,
    custom_data: &str,
    partition: Option<&str>,
) -> OpenImportConnectionRequest {
    OpenImportConnectionRequest {
        config_parameters: params,
        types: None,
        import_run_step: Some(OpenImportConnectionRunStep {
            custom_data: custom_data.to_owned(),
            page_size,
            import_type: import_type as i32,
            step_partition: partition.map(|dn| Partition {
                dn: dn.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

/// One page, with the framing checked: entries (whole or fragmented), exactly one results
/// frame, then the end of the stream. Returns the entries, the results and the number of
/// fragment frames seen.
pub async fn read_page(
    mut stream: tonic::Streaming<GetImportEntriesResponse>,
) -> Result<(Vec<CsEntryChange>, GetImportEntriesResults, usize)> {
    let mut entries = Vec::new();
    let mut reassembler = Reassembler::default();
    let mut fragments = 0;
    let mut results = None;
    while let Some(frame) = stream.message().await? {
        ensure!(results.is_none(), "a frame followed the results frame");
        match frame.frame.context("empty frame")? {
            get_import_entries_response::Frame::Entry(e) => {
                reassembler.ensure_idle()?;
                entries.push(e);
            }
            get_import_entries_response::Frame::EntryFragment(f) => {
                fragments += 1;
                ensure!(f.data.len() <= frames::FRAGMENT_SIZE, "fragment over 1 MiB");
                if let Some(e) = reassembler.push(f)? {
                    entries.push(e);
                }
            }
            get_import_entries_response::Frame::Results(r) => results = Some(r),
            get_import_entries_response::Frame::EntryBatch(_) => bail!("an entry batch the call did not ask for"),
        }
    }
    reassembler.ensure_idle()?;
    let Some(results) = results else {
        bail!("the page ended without a results frame")
    };
    Ok((entries, results, fragments))
}

/// What a whole import run returned.
#[derive(Debug)]
pub struct Run {
    pub session_id: String,
    pub page_size: i32,
    pub pages: Vec<(Vec<CsEntryChange>, GetImportEntriesResults)>,
    pub closed_custom_data: String,
}

impl Run {
    pub fn entries(&self) -> Vec<CsEntryChange> {
        self.pages.iter().flat_map(|(e, _)| e.clone()).collect()
    }

    /// The watermark to keep: the close results' custom data.
    pub fn watermark(&self) -> &str {
        &self.closed_custom_data
    }
}

/// Open, read every page, close Normal.
pub async fn import_run<C: Calls>(client: &mut C, request: OpenImportConnectionRequest) -> Result<Run> {
    let opened = client.open_import(request).await?;
    let mut pages = Vec::new();
    let mut custom_data = opened.results.clone().unwrap_or_default().custom_data;
    loop {
        ensure!(pages.len() < 1_000_000, "the import never ends");
        let stream = client
            .get_entries(GetImportEntriesRequest {
                session_id: opened.session_id.clone(),
                import_run_step: Some(GetImportEntriesRunStep {
                    custom_data: custom_data.clone(),
                    full_object_entries: Vec::new(),
                }),
            })
            .await?;
        let (entries, results, _) = read_page(stream).await?;
        ensure!(
            entries.len() <= opened.page_size as usize,
            "a page of {} entries exceeds the page size {}",
            entries.len(),
            opened.page_size
        );
        custom_data = results.custom_data.clone();
        let more = results.more_to_import;
        pages.push((entries, results));
        if !more {
            break;
        }
    }
    let closed = client
        .close_import(CloseImportConnectionRequest {
            session_id: opened.session_id.clone(),
            import_run_step: Some(CloseImportConnectionRunStep {
                custom_data,
                reason: CloseReason::Normal as i32,
            }),
        })
        .await?;
    Ok(Run {
        session_id: opened.session_id,
        page_size: opened.page_size,
        pages,
        closed_custom_data: closed.results.unwrap_or_default().custom_data,
    })
}

/// A full import of every partition with the given page size.
pub async fn full_import<C: Calls>(client: &mut C, params: Vec<ConfigParameter>, page_size: i32) -> Result<Run> {
    import_run(client, import_request(params, OperationType::Full, page_size, "", None)).await
}

/// A delta import of every partition from `watermark`.
pub async fn delta_import<C: Calls>(client: &mut C, params: Vec<ConfigParameter>, watermark: &str) -> Result<Run> {
    import_run(client, import_request(params, OperationType::Delta, 0, watermark, None)).await
}

/// One export batch, framed as the contract says.
pub async fn put(
    client: &mut Client,
    session_id: &str,
    entries: Vec<CsEntryChange>,
) -> Result<Vec<CsEntryChangeResult>, tonic::Status> {
    let mut frames_out = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let session = if i == 0 { session_id.to_owned() } else { String::new() };
        match frames::frame(entry) {
            Framed::Whole(e) => frames_out.push(PutExportEntriesRequest {
                session_id: session,
                frame: Some(put_export_entries_request::Frame::Entry(e)),
            }),
            Framed::Fragments(parts) => {
                for (j, part) in parts.into_iter().enumerate() {
                    frames_out.push(PutExportEntriesRequest {
                        session_id: if j == 0 { session.clone() } else { String::new() },
                        frame: Some(put_export_entries_request::Frame::EntryFragment(part)),
                    });
                }
            }
        }
    }
    if frames_out.is_empty() {
        frames_out.push(PutExportEntriesRequest {
            session_id: session_id.to_owned(),
            frame: None,
        });
    }
    let response = client.put_export_entries(tokio_stream::iter(frames_out)).await?;
    Ok(response
        .into_inner()
        .results
        .unwrap_or_default()
        .cs_entry_change_results)
}

/// Opens an export session.
pub async fn open_export(
    client: &mut Client,
    params: Vec<ConfigParameter>,
    batch_size: i32,
) -> Result<OpenExportConnectionResponse, tonic::Status> {
    Ok(client
        .open_export_connection(OpenExportConnectionRequest {
            config_parameters: params,
            types: None,
            export_run_step: Some(OpenExportConnectionRunStep {
                export_type: OperationType::Delta as i32,
                batch_size,
                ..Default::default()
            }),
        })
        .await?
        .into_inner())
}

/// Closes an export session.
pub async fn close_export(client: &mut Client, session_id: &str, reason: CloseReason) -> Result<()> {
    client
        .close_export_connection(CloseExportConnectionRequest {
            session_id: session_id.to_owned(),
            export_run_step: Some(CloseExportConnectionRunStep { reason: reason as i32 }),
        })
        .await?;
    Ok(())
}

/// Open, one batch, close Normal; returns the results keyed by position.
pub async fn export(
    client: &mut Client,
    params: Vec<ConfigParameter>,
    entries: Vec<CsEntryChange>,
) -> Result<Vec<CsEntryChangeResult>> {
    let opened = open_export(client, params, 0).await?;
    let results = put(client, &opened.session_id, entries).await?;
    close_export(client, &opened.session_id, CloseReason::Normal).await?;
    Ok(results)
}

/// The result for the change `identifier`.
#[track_caller]
pub fn result_for<'a>(results: &'a [CsEntryChangeResult], identifier: &str) -> &'a CsEntryChangeResult {
    results
        .iter()
        .find(|r| r.identifier == identifier)
        .unwrap_or_else(|| panic!("no result for {identifier} in {results:?}"))
}

/// The anchor (`id`) a result reports.
#[track_caller]
pub fn assigned_anchor(result: &CsEntryChangeResult) -> String {
    let change = result
        .anchor_attributes
        .iter()
        .find(|a| a.name == "id")
        .unwrap_or_else(|| panic!("no anchor in {result:?}"));
    match change.value_changes[0].value.as_ref().and_then(|v| v.kind.as_ref()) {
        Some(attribute_value::Kind::StringValue(s)) => s.clone(),
        other => panic!("anchor is not a string: {other:?}"),
    }
}

/// The entry with this DN (case-insensitive).
#[track_caller]
pub fn by_dn<'a>(entries: &'a [CsEntryChange], dn: &str) -> &'a CsEntryChange {
    entries
        .iter()
        .find(|e| e.dn.eq_ignore_ascii_case(dn))
        .unwrap_or_else(|| {
            panic!(
                "no entry {dn} among {:?}",
                entries.iter().map(|e| &e.dn).collect::<Vec<_>>()
            )
        })
}

/// The anchor value of an entry.
#[track_caller]
pub fn anchor(entry: &CsEntryChange) -> String {
    let a = entry
        .anchor_attributes
        .iter()
        .find(|a| a.name == "id")
        .unwrap_or_else(|| panic!("entry {} has no anchor", entry.dn));
    match a.value.as_ref().and_then(|v| v.kind.as_ref()) {
        Some(attribute_value::Kind::StringValue(s)) => s.clone(),
        other => panic!("anchor is not a string: {other:?}"),
    }
}

/// The values of attribute `name` on an entry (empty when absent).
pub fn values(entry: &CsEntryChange, name: &str) -> Vec<attribute_value::Kind> {
    entry
        .attribute_changes
        .iter()
        .filter(|a| a.name == name)
        .flat_map(|a| {
            a.value_changes
                .iter()
                .filter_map(|v| v.value.clone().and_then(|v| v.kind))
        })
        .collect()
}

/// The attribute change `name` of an entry.
pub fn change<'a>(entry: &'a CsEntryChange, name: &str) -> Option<&'a AttributeChange> {
    entry.attribute_changes.iter().find(|a| a.name == name)
}

/// A string value.
pub fn s(text: &str) -> attribute_value::Kind {
    attribute_value::Kind::StringValue(text.to_owned())
}

/// A reference value.
pub fn r(dn: &str) -> attribute_value::Kind {
    attribute_value::Kind::ReferenceValue(dn.to_owned())
}

/// The fault inside a status.
#[track_caller]
pub fn fault(status: &tonic::Status) -> Fault {
    Fault::from_status(status).unwrap_or_else(|| panic!("status without a fault: {status:?}"))
}

/// Events of one kind from the observe file.
pub fn events_named<'a>(events: &'a [Json], name: &str) -> Vec<&'a Json> {
    events.iter().filter(|e| e["event"] == name).collect()
}
