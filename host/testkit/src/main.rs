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

use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use ecma2_sdk::model::{self, anchor, single};
use ecma2_sdk::pb::{
    AttributeType, CloseImportConnectionResults, CloseImportConnectionRunStep, GetImportEntriesRunStep,
    OpenImportConnectionResults, OpenImportConnectionRunStep, Schema, SchemaType,
};
use ecma2_sdk::{CallImport, Connector, Context, GetSchema, ImportPage, Params, Result, ServeError, async_trait};
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

#[tokio::main]
async fn main() -> ExitCode {
    let served = Connector::new("testkit", env!("CARGO_PKG_VERSION"), Testkit::default)
        .schema()
        .call_import()
        .serve()
        .await;
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
