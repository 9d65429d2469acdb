//! The Rust half of the SDK comparison (item 8): a connector built with the Rust SDK that
//! imports `Objects` generated users, byte for byte what the Java SDK's `GeneratorConnector`
//! (sdk/java/example) makes. `ecma2-bench --serve-generator` runs it as its own process.

use ecma2_sdk::model::{self, Reference};
use ecma2_sdk::pb::{self, CsEntryChange, Schema};
use ecma2_sdk::{CallImport, Connector, Context, ImportPage, Params, Result, async_trait};

/// The argument that makes `ecma2-bench` serve the generator instead of measuring.
pub const SERVE_ARG: &str = "--serve-generator";

const MANAGER: &str = "CN=Ada Lovelace,OU=People,DC=demo,DC=example";
const PHOTO: usize = 256;

/// User `n`.
pub fn user(n: u64) -> CsEntryChange {
    let cn = format!("gen{n:07}");
    let photo: Vec<u8> = (0..PHOTO)
        .map(|i| (n as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect();
    model::add("user")
        .dn(format!("CN={cn},OU=People,DC=demo,DC=example"))
        .anchor("id", n as i64)
        .attr("displayName", format!("Benchmark User {cn}"))
        .attr("mail", format!("{cn}@demo.example"))
        .attr("employeeNumber", n as i64)
        .attr("enabled", true)
        .attr("title", "Engineer")
        .attr("photo", photo)
        .attr("manager", Reference(MANAGER.to_owned()))
        .build()
}

#[derive(Default)]
struct Generator {
    total: u64,
    next: u64,
    page_size: usize,
}

#[async_trait]
impl CallImport for Generator {
    fn import_default_page_size(&self) -> i32 {
        500
    }

    fn import_max_page_size(&self) -> i32 {
        5000
    }

    async fn open_import_connection(
        &mut self,
        _ctx: &Context,
        params: &Params,
        _schema: &Schema,
        step: &pb::OpenImportConnectionRunStep,
    ) -> Result<pb::OpenImportConnectionResults> {
        self.total = params.int_or("Objects", 0)?.max(0) as u64;
        self.next = 1;
        self.page_size = step.page_size.max(1) as usize;
        Ok(Default::default())
    }

    async fn get_import_entries(&mut self, ctx: &Context, _step: &pb::GetImportEntriesRunStep) -> Result<ImportPage> {
        let mut entries = Vec::with_capacity(self.page_size);
        while entries.len() < self.page_size && self.next <= self.total {
            entries.push(user(self.next));
            self.next += 1;
        }
        if ctx.is_cancelled() {
            return Err(ecma2_sdk::Error::terminate_run("import cancelled"));
        }
        Ok(ImportPage {
            entries,
            more_to_import: self.next <= self.total,
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

/// Serves the generator until the launcher stops it; returns the process's exit status.
pub fn serve() -> std::process::ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let served = runtime.block_on(
        Connector::new("rust-generator", env!("CARGO_PKG_VERSION"), Generator::default)
            .call_import()
            .serve(),
    );
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rust-generator: {err}");
            std::process::ExitCode::from(64)
        }
    }
}
