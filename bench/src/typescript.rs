//! Row 11: the TypeScript SDK's import throughput against the Rust SDK's, on the same synthetic
//! users (see [`crate::synthetic`] and `sdk/typescript/bench/synthetic.ts`), in one run. Both
//! connectors are launched as the host launches them and read directly by the same engine code
//! (no host in between, so only the SDKs differ), N objects each, in rounds whose order
//! alternates; the best round of each counts. The TypeScript side needs `node` and the SDK built
//! (`sdk/typescript/scripts/check.sh` or `npm run build` there); without them the row says why.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use tracing::info;

use crate::engine::{self, ImportRun, param};
use crate::procs::launch_connector;

/// Best rounds of both SDKs.
#[derive(Debug, Clone, Default)]
pub struct SdkRace {
    /// The Rust SDK's synthetic connector.
    pub rust: ImportRun,
    /// The TypeScript SDK's.
    pub typescript: ImportRun,
}

impl SdkRace {
    /// TypeScript / Rust.
    pub fn ratio(&self) -> f64 {
        self.typescript.rate() / self.rust.rate()
    }
}

/// `ecma2-bench-synthetic` next to this executable.
fn rust_connector() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating this executable")?;
    let path = exe.with_file_name("ecma2-bench-synthetic");
    if !path.is_file() {
        bail!("{} is missing: cargo build -p ecma2-bench builds it", path.display());
    }
    Ok(path)
}

/// The compiled TypeScript connector of this repository.
fn typescript_connector() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/typescript/dist/bench/synthetic.js");
    if !script.is_file() {
        return Err(format!(
            "{} is missing (sdk/typescript/scripts/check.sh builds it)",
            script.display()
        ));
    }
    match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(script),
        _ => Err("node is not on PATH".to_owned()),
    }
}

/// Imports `objects` synthetic users from each SDK's connector, `rounds` times; Err(why) when
/// the TypeScript side cannot run here.
pub async fn race(work: &Path, objects: u64, page_size: i32, rounds: u32) -> Result<Result<SdkRace, String>> {
    let script = match typescript_connector() {
        Ok(script) => script,
        Err(why) => return Ok(Err(why)),
    };
    let rust = rust_connector()?;
    let script = script.display().to_string();
    let mut rust_process = launch_connector(&rust, &[], work, "synthetic-rust").await?;
    let mut ts_process = launch_connector(Path::new("node"), &[&script], work, "synthetic-ts").await?;
    let params = vec![param("objects", objects.to_string())];
    let page = page_size.min(10_000);
    let mut best = SdkRace::default();
    let measured = async {
        let schema = engine::schema(&mut rust_process.client, &params).await?;
        for round in 0..rounds {
            for first_rust in [round % 2 == 0, round % 2 != 0] {
                let (name, client, slot) = if first_rust {
                    ("rust", &mut rust_process.client, &mut best.rust)
                } else {
                    ("typescript", &mut ts_process.client, &mut best.typescript)
                };
                info!(round, objects, sdk = name, "item 11: synthetic import");
                let run = engine::import_all(client, &params, &schema, page).await?;
                anyhow::ensure!(
                    run.objects == objects,
                    "the {name} connector returned {} of {objects} objects",
                    run.objects
                );
                if run.rate() > slot.rate() {
                    *slot = run;
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    ts_process.stop().await;
    rust_process.stop().await;
    measured?;
    Ok(Ok(best))
}
