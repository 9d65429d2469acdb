//! The synthetic connector of row 11: N users generated in memory, no storage, served with the Rust
//! SDK by the `ecma2-bench-synthetic` binary. `sdk/typescript/bench/synthetic.ts` generates the
//! very same users with the TypeScript SDK, so the two import rates compare the SDKs alone.

use ecma2_sdk::model::{self, Reference, anchor, multi, single};
use ecma2_sdk::pb::{self, AttributeType, CsEntryChange, Schema, SchemaType};
use ecma2_sdk::{CallImport, Connector, Context, GetSchema, ImportPage, Params, Result, async_trait};

const TITLES: [&str; 3] = ["Engineer", "Manager", "Analyst"];
const DEPARTMENTS: [&str; 4] = ["Sales", "Engineering", "Finance", "Support"];

fn dn(n: u64) -> String {
    format!("CN=User{n:07},OU=People,DC=synthetic,DC=example")
}

fn phone(k: u64) -> String {
    format!("+1 555 {:04}", k % 10_000)
}

/// User `n` (1-based); the same as `user(n)` in synthetic.ts.
pub fn user(n: u64) -> CsEntryChange {
    model::add("user")
        .dn(dn(n))
        .anchor("id", n as i64)
        .attr("displayName", format!("Synthetic User {n}"))
        .attr("mail", format!("user{n}@synthetic.example"))
        .attr("employeeNumber", n as i64)
        .attr("enabled", n % 7 != 0)
        .attr("title", TITLES[(n % 3) as usize])
        .attr("department", DEPARTMENTS[(n % 4) as usize])
        .attr("manager", Reference(dn(1)))
        .attr_values("phones", [phone(n), phone(n * 7)])
        .build()
}

/// The connector: parameter `objects` says how many users there are.
#[derive(Default)]
pub struct Synthetic {
    total: u64,
    next: u64,
    page_size: usize,
}

#[async_trait]
impl GetSchema for Synthetic {
    async fn get_schema(&mut self, _ctx: &Context, _params: &Params) -> Result<Schema> {
        Ok(Schema {
            types: vec![SchemaType {
                name: "user".into(),
                attributes: vec![
                    anchor("id", AttributeType::Integer),
                    single("displayName", AttributeType::String),
                    single("mail", AttributeType::String),
                    single("employeeNumber", AttributeType::Integer),
                    single("enabled", AttributeType::Boolean),
                    single("title", AttributeType::String),
                    single("department", AttributeType::String),
                    single("manager", AttributeType::Reference),
                    multi("phones", AttributeType::String),
                ],
                ..Default::default()
            }],
            ..Default::default()
        })
    }
}

#[async_trait]
impl CallImport for Synthetic {
    fn import_default_page_size(&self) -> i32 {
        1000
    }
    fn import_max_page_size(&self) -> i32 {
        10_000
    }

    async fn open_import_connection(
        &mut self,
        _ctx: &Context,
        params: &Params,
        _schema: &Schema,
        step: &pb::OpenImportConnectionRunStep,
    ) -> Result<pb::OpenImportConnectionResults> {
        self.total = params.int_or("objects", 0)?.max(0) as u64;
        self.next = 1;
        self.page_size = step.page_size as usize;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, _ctx: &Context, _step: &pb::GetImportEntriesRunStep) -> Result<ImportPage> {
        let mut entries = Vec::with_capacity(self.page_size);
        while entries.len() < self.page_size && self.next <= self.total {
            entries.push(user(self.next));
            self.next += 1;
        }
        Ok(ImportPage {
            entries,
            more_to_import: self.next <= self.total,
            custom_data: (self.next - 1).to_string(),
        })
    }

    async fn close_import_connection(
        &mut self,
        _ctx: &Context,
        _step: &pb::CloseImportConnectionRunStep,
    ) -> Result<pb::CloseImportConnectionResults> {
        Ok(Default::default())
    }
}

/// Serves the connector until the host (or the benchmark) stops it.
pub async fn serve() -> std::result::Result<(), ecma2_sdk::ServeError> {
    Connector::new("synthetic-rust", env!("CARGO_PKG_VERSION"), Synthetic::default)
        .schema()
        .call_import()
        .serve()
        .await
}
