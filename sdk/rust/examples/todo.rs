//! The todo connector: a fixed list of tasks, imported in full.

use ecma2_sdk::model::{self, anchor, single};
use ecma2_sdk::pb::{self, AttributeType, Schema, SchemaType};
use ecma2_sdk::{CallImport, Connector, Context, GetCapabilities, GetSchema, ImportPage, Params, Result, async_trait};

#[derive(Default)]
struct Todo {
    /// How far the current import session has read.
    next: usize,
    page_size: usize,
}

const TASKS: [&str; 3] = ["write the connector", "test it", "ship it"];

#[async_trait]
impl GetCapabilities for Todo {
    async fn capabilities(&mut self, _ctx: &Context) -> Result<pb::MaCapabilities> {
        Ok(pb::MaCapabilities {
            distinguished_name_style: pb::MaDistinguishedNameStyle::Generic as i32,
            delta_import: Some(false),
            support_export: Some(false),
            support_partitions: Some(false),
            support_hierarchy: Some(false),
            support_password: Some(false),
            ..Default::default()
        })
    }
}

#[async_trait]
impl GetSchema for Todo {
    async fn get_schema(&mut self, _ctx: &Context, _params: &Params) -> Result<Schema> {
        Ok(Schema {
            types: vec![SchemaType {
                name: "task".into(),
                locked: true,
                attributes: vec![
                    anchor("id", AttributeType::Integer),
                    single("title", AttributeType::String),
                ],
                ..Default::default()
            }],
            ..Default::default()
        })
    }
}

#[async_trait]
impl CallImport for Todo {
    fn import_default_page_size(&self) -> i32 {
        100
    }
    fn import_max_page_size(&self) -> i32 {
        1000
    }

    async fn open_import_connection(
        &mut self,
        _ctx: &Context,
        _params: &Params,
        _schema: &Schema,
        step: &pb::OpenImportConnectionRunStep,
    ) -> Result<pb::OpenImportConnectionResults> {
        // The SDK has already replaced 0 by the default and refused sizes above the maximum.
        self.page_size = step.page_size as usize;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, ctx: &Context, _step: &pb::GetImportEntriesRunStep) -> Result<ImportPage> {
        let mut entries = Vec::new();
        while entries.len() < self.page_size && self.next < TASKS.len() {
            if ctx.is_cancelled() {
                return Err(ecma2_sdk::Error::terminate_run("import cancelled"));
            }
            let n = self.next;
            entries.push(
                model::add("task")
                    .dn(format!("CN={n}"))
                    .anchor("id", n as i64)
                    .attr("title", TASKS[n])
                    .build(),
            );
            self.next += 1;
        }
        Ok(ImportPage {
            entries,
            more_to_import: self.next < TASKS.len(),
            custom_data: String::new(),
        })
    }

    async fn close_import_connection(
        &mut self,
        _ctx: &Context,
        step: &pb::CloseImportConnectionRunStep,
    ) -> Result<pb::CloseImportConnectionResults> {
        tracing::info!(reason = ?step.reason(), "import closed");
        Ok(Default::default())
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let served = Connector::new("todo", env!("CARGO_PKG_VERSION"), Todo::default)
        .capabilities()
        .schema()
        .call_import()
        .serve()
        .await;
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("todo: {err}");
            std::process::ExitCode::from(64)
        }
    }
}
