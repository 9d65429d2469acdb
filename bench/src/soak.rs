//! The soak: one `ecma2-host` process holding sessions over time and imports at once, its memory
//! and file descriptors read from `/proc` as it goes. First `sessions` import sessions one after
//! another (open, one page, close), then `concurrent` full imports at the same time, each over
//! its own engine connection. A host that leaks a little per session or per connection shows it
//! here as a rising line; the figures are printed, not asserted, because the run is long (it is
//! not part of `./scripts/test`): `cargo run -p ecma2-bench --bin ecma2-soak`.

use std::path::Path;

use anyhow::{Context as _, Result, ensure};
use ecma2_proto::pb::{CloseReason, ConfigParameter};
use tracing::info;

use crate::engine;
use crate::inproc;
use crate::procs::{self, Bins, Hop};

/// One reading of the host process.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When it was taken.
    pub label: String,
    /// Resident memory (VmRSS), bytes.
    pub rss: u64,
    /// Open file descriptors.
    pub fds: usize,
}

/// What the soak saw.
#[derive(Debug)]
pub struct Soak {
    /// Readings, in order.
    pub samples: Vec<Sample>,
    /// Objects each concurrent import returned (all equal when the host relays exactly).
    pub objects_per_import: u64,
}

impl Soak {
    /// The table printed at the end, with the change from the first reading after warm-up.
    pub fn render(&self) -> String {
        let mut out = String::from("| after | host RSS (MiB) | host fds |\n|---|---:|---:|\n");
        for s in &self.samples {
            out.push_str(&format!(
                "| {} | {:.1} | {} |\n",
                s.label,
                s.rss as f64 / 1048576.0,
                s.fds
            ));
        }
        if let (Some(first), Some(last)) = (self.samples.get(1), self.samples.last()) {
            out.push_str(&format!(
                "\nfrom the first reading after warm-up to the last: RSS {:+.1} MiB, fds {:+}; each concurrent import returned {} objects\n",
                (last.rss as f64 - first.rss as f64) / 1048576.0,
                last.fds as i64 - first.fds as i64,
                self.objects_per_import
            ));
        }
        out
    }
}

fn sample(pid: u32, label: impl Into<String>) -> Result<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading the host's status")?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS line")?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .context("listing the host's fds")?
        .count();
    let sample = Sample {
        label: label.into(),
        rss: kib * 1024,
        fds,
    };
    info!(label = %sample.label, rss_kib = kib, fds, "host reading");
    Ok(sample)
}

/// Runs the soak in `dir` with the binaries `bins`.
pub async fn run(bins: &Bins, dir: &Path, sessions: u64, concurrent: usize) -> Result<Soak> {
    let params = vec![
        ConfigParameter {
            name: ecma2_demo::params::DATABASE.into(),
            value: dir.join("soak.db").display().to_string(),
            ..Default::default()
        },
        ConfigParameter {
            name: ecma2_demo::params::SEED_USERS.into(),
            value: "200".into(),
            ..Default::default()
        },
    ];
    inproc::seed(&params).await?;
    let host = procs::start_host(bins, &dir.join("host"), Hop::Unix).await?;
    let mut samples = vec![sample(host.pid, "start")?];
    let mut client = host.client().await?;
    let schema = engine::schema(&mut client, &params).await?;
    let step = (sessions / 10).max(1);
    for n in 1..=sessions {
        let session = engine::open_import(&mut client, &params, &schema, 5).await?;
        engine::read_page(&mut client, &session).await?;
        engine::close_import(&mut client, &session, CloseReason::Normal).await?;
        if n % step == 0 {
            samples.push(sample(host.pid, format!("{n} sessions"))?);
        }
    }
    let mut imports = tokio::task::JoinSet::new();
    for _ in 0..concurrent {
        let mut client = host.client().await?;
        let params = params.clone();
        let schema = schema.clone();
        imports.spawn(async move { engine::import_all(&mut client, &params, &schema, 50).await });
    }
    let mut objects = Vec::new();
    while let Some(run) = imports.join_next().await {
        objects.push(run.context("an import task")??.objects);
    }
    samples.push(sample(host.pid, format!("{concurrent} concurrent imports"))?);
    ensure!(
        objects.windows(2).all(|w| w[0] == w[1]),
        "the concurrent imports returned different counts: {objects:?}"
    );
    host.stop().await;
    Ok(Soak {
        samples,
        objects_per_import: objects.first().copied().unwrap_or(0),
    })
}
