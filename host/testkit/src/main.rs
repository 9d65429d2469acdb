//! `ecma2-testkit`: a connector that misbehaves on request, for the host's end-to-end tests
//! (host/tests). It serves as the environment says (docs/runtime.md) and is driven by
//! configuration parameters:
//!
//! * `entries` (default 3): how many `thing` objects a full import returns, in pages of the
//!   page size in force (default 500, maximum 1000);
//! * `blob_bytes` (default 0): the size of each object's binary `blob` attribute. The value is
//!   shared, so the connector itself stays small however large the page;
//! * `hang_on`: a call name (`OpenImportConnection`, `GetImportEntries`,
//!   `CloseImportConnection`) that never returns and ignores cancellation, like connector code
//!   stuck in a blocking driver. The session's other calls then wait behind it.
//!
//! Export batches are accepted and answered with no results. The environment adds:
//!
//! * `ECMA2_TESTKIT_STDOUT_FLOOD` / `ECMA2_TESTKIT_STDERR_FLOOD`: that many bytes without a
//!   newline written to stdout (before the ready line) or stderr, before serving;
//! * `ECMA2_TESTKIT_WIRE`: misbehaviour on the wire (see [`wire`]);
//! * `ECMA2_TESTKIT_MAX_CONNECTION_AGE_MS` (with `ECMA2_TESTKIT_WIRE`): connections end (GOAWAY)
//!   after that long, as with a gRPC server's maximum connection age.

mod wire;

use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use ecma2_sdk::model::{self, anchor, single};
use ecma2_sdk::pb::{
    AttributeType, CloseExportConnectionRunStep, CloseImportConnectionResults, CloseImportConnectionRunStep,
    CsEntryChange, GetImportEntriesRunStep, OpenExportConnectionRunStep, OpenImportConnectionResults,
    OpenImportConnectionRunStep, PutExportEntriesResults, Schema, SchemaType,
};
use ecma2_sdk::{
    CallExport, CallImport, Connector, Context, GetSchema, ImportPage, Params, Result, ServeError, async_trait,
};
use tracing::warn;

#[derive(Default)]
struct Testkit {
    total: usize,
    next: usize,
    page_size: usize,
    blob: Bytes,
    hang_on: String,
}

impl Testkit {
    /// Hangs forever if told to for `ctx`'s call, without looking at the cancellation.
    async fn maybe_hang(&self, ctx: &Context) {
        if self.hang_on == ctx.call() {
            warn!(call = ctx.call(), "hanging as asked, ignoring cancellation");
            loop {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
    }
}

#[async_trait]
impl GetSchema for Testkit {
    async fn get_schema(&mut self, _ctx: &Context, _params: &Params) -> Result<Schema> {
        Ok(Schema {
            types: vec![SchemaType {
                name: "thing".into(),
                locked: true,
                attributes: vec![
                    anchor("id", AttributeType::Integer),
                    single("blob", AttributeType::Binary),
                ],
                ..Default::default()
            }],
            ..Default::default()
        })
    }
}

#[async_trait]
impl CallImport for Testkit {
    fn import_default_page_size(&self) -> i32 {
        500
    }
    fn import_max_page_size(&self) -> i32 {
        1000
    }

    async fn open_import_connection(
        &mut self,
        ctx: &Context,
        params: &Params,
        _schema: &Schema,
        step: &OpenImportConnectionRunStep,
    ) -> Result<OpenImportConnectionResults> {
        self.total = params.int_or("entries", 3)?.max(0) as usize;
        let blob_bytes = params.int_or("blob_bytes", 0)?.max(0) as usize;
        self.blob = Bytes::from(vec![0xa5; blob_bytes]);
        self.hang_on = params.get("hang_on").unwrap_or_default().to_owned();
        self.page_size = step.page_size.max(1) as usize;
        self.maybe_hang(ctx).await;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, ctx: &Context, _step: &GetImportEntriesRunStep) -> Result<ImportPage> {
        self.maybe_hang(ctx).await;
        let end = (self.next + self.page_size).min(self.total);
        let entries = (self.next..end)
            .map(|i| {
                model::add("thing")
                    .anchor("id", i as i64)
                    .attr("blob", self.blob.clone())
                    .build()
            })
            .collect();
        self.next = end;
        Ok(ImportPage {
            entries,
            more_to_import: end < self.total,
            custom_data: end.to_string(),
        })
    }

    async fn close_import_connection(
        &mut self,
        ctx: &Context,
        _step: &CloseImportConnectionRunStep,
    ) -> Result<CloseImportConnectionResults> {
        self.maybe_hang(ctx).await;
        Ok(Default::default())
    }
}

#[async_trait]
impl CallExport for Testkit {
    fn export_default_page_size(&self) -> i32 {
        100
    }
    fn export_max_page_size(&self) -> i32 {
        1000
    }

    async fn open_export_connection(
        &mut self,
        _ctx: &Context,
        _params: &Params,
        _schema: &Schema,
        _step: &OpenExportConnectionRunStep,
    ) -> Result<()> {
        Ok(())
    }

    async fn put_export_entries(
        &mut self,
        _ctx: &Context,
        _entries: Vec<CsEntryChange>,
    ) -> Result<PutExportEntriesResults> {
        Ok(Default::default())
    }

    async fn close_export_connection(&mut self, _ctx: &Context, _step: &CloseExportConnectionRunStep) -> Result<()> {
        Ok(())
    }
}

/// Writes `ECMA2_TESTKIT_<which>_FLOOD` bytes without a newline to `out`, then a newline; the
/// write blocks until the host has read all but a pipe's worth.
fn flood(which: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let Some(bytes) = std::env::var(format!("ECMA2_TESTKIT_{which}_FLOOD"))
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return Ok(());
    };
    let chunk = vec![b'x'; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        out.write_all(&chunk[..n])?;
        left -= n;
    }
    out.write_all(b"\n")?;
    out.flush()
}

fn connector() -> Connector<Testkit> {
    Connector::new("testkit", env!("CARGO_PKG_VERSION"), Testkit::default)
        .schema()
        .call_import()
        .call_export()
}

/// Serves with the wire misbehaviour in front of the SDK's server.
async fn serve_wire(mode: wire::Mode) -> std::result::Result<(), String> {
    use ecma2_sdk::pb::connector_service_server::ConnectorServiceServer;
    let listen: ecma2_transport::Address = std::env::var(ecma2_proto::meta::env::LISTEN)
        .map_err(|e| format!("{}: {e}", ecma2_proto::meta::env::LISTEN))?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let listener = ecma2_transport::Listener::bind(&listen)
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_address();
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("ecma2.v1.ConnectorService", tonic_health::ServingStatus::Serving)
        .await;
    let service = wire::Wire::new(ConnectorServiceServer::new(connector().server()), mode);
    let stop = service.shutdown.clone();
    let mut server = tonic::transport::Server::builder();
    if let Ok(ms) = std::env::var("ECMA2_TESTKIT_MAX_CONNECTION_AGE_MS") {
        let ms: u64 = ms
            .parse()
            .map_err(|e| format!("ECMA2_TESTKIT_MAX_CONNECTION_AGE_MS={ms:?}: {e}"))?;
        server = server.max_connection_age(Duration::from_millis(ms));
    }
    let router = server.add_service(health).add_service(service);
    println!(
        "{}",
        serde_json::json!({
            "ecma2": ecma2_proto::meta::READY_MARKER,
            "protocol": 1,
            "address": address.to_string(),
            "pid": std::process::id(),
        })
    );
    tokio::select! {
        served = listener.serve(router, std::future::pending()) => served.map_err(|e| e.to_string()),
        _ = stop.notified() => Ok(()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(e) = flood("STDERR", &mut std::io::stderr()).and_then(|_| flood("STDOUT", &mut std::io::stdout())) {
        eprintln!("ecma2-testkit: flooding: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(mode) = wire::Mode::from_env() {
        let served = match mode {
            Ok(mode) => serve_wire(mode).await,
            Err(e) => Err(e),
        };
        return match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ecma2-testkit: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let served = connector().serve().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err @ ServeError::Env { .. }) => {
            eprintln!("ecma2-testkit: {err}");
            ExitCode::from(64)
        }
        Err(err) => {
            eprintln!("ecma2-testkit: {err}");
            ExitCode::FAILURE
        }
    }
}
