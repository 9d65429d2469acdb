//! Item 8: the Go SDK's import throughput against the Rust SDK's, on the same data in one run.
//! Two synthetic sources generate identical users (`ecma2-synthetic`, built here on the Rust
//! SDK, and `sdk/go/examples/synthetic`, built with `go build` into the work directory); each is
//! launched as the host launches a connector and imported directly over gRPC by the same engine
//! code, rounds interleaved, the best round of each counting. The ratio is Go over Rust.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail, ensure};
use tracing::info;

use crate::engine::{self, ImportRun, param};
use crate::procs::launch_connector;
use crate::report::Report;

/// The best import of each SDK.
#[derive(Debug, Clone, Copy)]
pub struct SdkThroughput {
    /// The Rust SDK's synthetic source.
    pub rust: ImportRun,
    /// The Go SDK's synthetic source.
    pub go: ImportRun,
}

impl SdkThroughput {
    /// Go's rate over Rust's.
    pub fn ratio(&self) -> f64 {
        self.go.rate() / self.rust.rate().max(1e-9)
    }
}

/// Builds the Go synthetic source into `work`; an error says why it cannot be measured.
fn build_go(work: &Path) -> Result<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/go");
    let out = work.join("synthetic-go");
    let status = std::process::Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg("./examples/synthetic")
        .current_dir(&source)
        .status()
        .context("running go build (is Go installed?)")?;
    ensure!(status.success(), "go build of sdk/go/examples/synthetic failed");
    Ok(out)
}

/// Measures both sources with `objects` users, pages of `page_size`, `rounds` rounds each.
pub async fn measure(bin_dir: &Path, work: &Path, objects: u64, page_size: i32, rounds: u32) -> Result<SdkThroughput> {
    let rust_bin = bin_dir.join("ecma2-synthetic");
    if !rust_bin.is_file() {
        bail!(
            "{} is missing: build it next to ecma2-bench (cargo build -p ecma2-bench)",
            rust_bin.display()
        );
    }
    let go_bin = build_go(work)?;
    let params = vec![param("objects", objects.to_string())];
    let mut rust = launch_connector(&rust_bin, &[], work, "synthetic-rust").await?;
    let mut go = launch_connector(&go_bin, &[], work, "synthetic-go").await?;
    let measured = async {
        let rust_schema = engine::schema(&mut rust.client, &params).await?;
        let go_schema = engine::schema(&mut go.client, &params).await?;
        let mut best = SdkThroughput {
            rust: ImportRun::default(),
            go: ImportRun::default(),
        };
        for round in 1..=rounds.max(1) {
            let r = engine::import_all(&mut rust.client, &params, &rust_schema, page_size).await?;
            let g = engine::import_all(&mut go.client, &params, &go_schema, page_size).await?;
            ensure!(
                r.objects == objects && g.objects == objects,
                "imported {} (Rust) and {} (Go) of {objects}",
                r.objects,
                g.objects
            );
            info!(round, rust = r.rate(), go = g.rate(), "item 8: SDK import throughput");
            if r.rate() > best.rust.rate() {
                best.rust = r;
            }
            if g.rate() > best.go.rate() {
                best.go = g;
            }
        }
        Ok::<_, anyhow::Error>(best)
    }
    .await;
    rust.stop().await;
    go.stop().await;
    measured
}

/// Adds item 8's row: the measurement, or why it was not measured.
pub fn row(report: &mut Report, objects: u64, page_size: i32, measured: Result<SdkThroughput>) {
    let what = format!(
        "Go SDK import vs Rust SDK: {objects} synthetic users, pages of {page_size}, connector process, direct gRPC"
    );
    match measured {
        Ok(m) => report.row(
            "10 go",
            what,
            format!(
                "Go {:.0} obj/s, Rust {:.0} obj/s: ratio Go/Rust {:.2}",
                m.go.rate(),
                m.rust.rate(),
                m.ratio()
            ),
        ),
        Err(e) => report.not_measured("10 go", what, format!("{e:#}")),
    }
}
