//! `ecma2-synthetic`: a benchmark source built on the Rust SDK. It imports `objects` generated
//! users shaped exactly like the Go SDK's `sdk/go/examples/synthetic` (an anchor, four strings,
//! an integer, a boolean, a reference and a 256-byte photo), so ecma2-bench can compare the two
//! SDKs' import throughput on the same data (item 8).

use ecma2_sdk::model::{self, Reference, anchor, single};
use ecma2_sdk::pb::{self, AttributeType, Schema, SchemaType};
use ecma2_sdk::{CallImport, Connector, Context, Error, GetSchema, ImportPage, Params, Result, async_trait};

#[derive(Default)]
struct Synthetic {
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
                    anchor("id", AttributeType::String),
                    single("displayName", AttributeType::String),
                    single("mail", AttributeType::String),
                    single("title", AttributeType::String),
                    single("department", AttributeType::String),
                    single("employeeNumber", AttributeType::Integer),
                    single("enabled", AttributeType::Boolean),
                    single("manager", AttributeType::Reference),
                    single("photo", AttributeType::Binary),
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
        let total = params.int_or("objects", 0)?;
        self.total = u64::try_from(total).map_err(|_| Error::no_such_parameter("objects", "objects is negative"))?;
        self.page_size = step.page_size as usize;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, ctx: &Context, _step: &pb::GetImportEntriesRunStep) -> Result<ImportPage> {
        let mut entries = Vec::with_capacity(self.page_size);
        while entries.len() < self.page_size && self.next < self.total {
            if ctx.is_cancelled() {
                return Err(Error::terminate_run("import cancelled"));
            }
            let n = self.next;
            self.next += 1;
            let id = format!("u{n:07}");
            let photo: Vec<u8> = (0..256usize)
                .map(|i| (n as usize).wrapping_mul(31).wrapping_add(i) as u8)
                .collect();
            entries.push(
                model::add("user")
                    .dn(format!("CN={id},OU=People,DC=synthetic"))
                    .anchor("id", id.clone())
                    .attr("displayName", format!("Synthetic User {id}"))
                    .attr("mail", format!("{id}@synthetic.example"))
                    .attr("title", "Engineer")
                    .attr("department", format!("Department {}", n % 50))
                    .attr("employeeNumber", n as i64)
                    .attr("enabled", n % 7 != 0)
                    .attr("manager", Reference("CN=u0000000,OU=People,DC=synthetic".to_owned()))
                    .attr("photo", photo)
                    .build(),
            );
        }
        Ok(ImportPage {
            entries,
            more_to_import: self.next < self.total,
            custom_data: String::new(),
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let served = Connector::new("synthetic-rust", env!("CARGO_PKG_VERSION"), Synthetic::default)
        .schema()
        .call_import()
        .serve()
        .await;
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ecma2-synthetic: {err}");
            std::process::ExitCode::from(64)
        }
    }
}
