//! Item 5py: the Python SDK against the Rust SDK on the import path a sync engine uses. One
//! `ecma2-host` runs two connectors side by side: the Rust demo connector (`seed_users` = N
//! generated users) and the Python HR connector (`Seed employees` = N employees, plus its few
//! departments), both SQLite-backed directory connectors of about the same shape (a user with
//! an anchor, a DN and seven to ten single-valued attributes, references among them). The
//! bench's engine client imports each through the host in alternating rounds after an untimed
//! warm-up (which also seeds the databases); the best round of each gives objects/s, the ratio
//! Python / Rust, and the host's CPU time per object relayed. The same import is also run
//! engine → Python connector directly with and without entry batches, which shows what the
//! `entry-batches` feature is worth to the Python SDK on its own.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use ecma2_proto::pb::ConfigParameter;
use tracing::info;

use crate::engine::{self, ImportRun, import_all_with, param};
use crate::procs::{Bins, CONNECTOR, Hop, launch_connector, start_host_with};

/// The HR connector's configured name in the host.
const HR: &str = "hr";

/// One import path's best round and the CPU time of its processes in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path5 {
    /// The best round.
    pub best: ImportRun,
    /// The host's CPU time (user and system) during the best round.
    pub host_cpu: Duration,
    /// The connector process's CPU time during the best round.
    pub connector_cpu: Duration,
    /// The bench process's (the engine client's) CPU time during the best round.
    pub engine_cpu: Duration,
}

impl Path5 {
    fn per_object(&self, cpu: Duration) -> Duration {
        cpu / u32::try_from(self.best.objects.max(1)).unwrap_or(u32::MAX)
    }

    /// Host CPU per object in the best round.
    pub fn host_cpu_per_object(&self) -> Duration {
        self.per_object(self.host_cpu)
    }

    /// Connector CPU per object in the best round.
    pub fn connector_cpu_per_object(&self) -> Duration {
        self.per_object(self.connector_cpu)
    }

    /// Engine client CPU per object in the best round.
    pub fn engine_cpu_per_object(&self) -> Duration {
        self.per_object(self.engine_cpu)
    }

    fn keep(&mut self, run: ImportRun, cpu: &[crate::Usage]) {
        if self.best.objects == 0 || run.rate() > self.best.rate() {
            *self = Self {
                best: run,
                host_cpu: cpu[0].cpu,
                connector_cpu: cpu[1].cpu,
                engine_cpu: cpu[2].cpu,
            };
        }
    }
}

/// What item 5py measured.
#[derive(Debug, Clone, Default)]
pub struct PythonRow {
    /// The objects asked for (N).
    pub objects: u64,
    /// Rust demo connector through the host.
    pub rust: Path5,
    /// Python HR connector through the host.
    pub python: Path5,
    /// Python HR connector, engine → connector, one entry per frame.
    pub direct_single: ImportRun,
    /// Python HR connector, engine → connector, entry batches.
    pub direct_batched: ImportRun,
}

impl PythonRow {
    /// Python's rate over Rust's through the host.
    pub fn ratio(&self) -> f64 {
        self.python.best.rate() / self.rust.best.rate().max(1e-9)
    }

    /// Python's host CPU per object over Rust's.
    pub fn cpu_ratio(&self) -> f64 {
        self.python.host_cpu_per_object().as_secs_f64() / self.rust.host_cpu_per_object().as_secs_f64().max(1e-12)
    }
}

fn hr_params(dir: &Path, objects: u64) -> Vec<ConfigParameter> {
    vec![
        param("Database path", dir.join("hr.db").display().to_string()),
        param("Create if missing", "1"),
        param("Seed employees", objects.to_string()),
    ]
}

/// The Python side of item 5py.
#[derive(Debug, Clone)]
pub struct PythonSide {
    /// The interpreter (a venv holding the SDK and the HR connector).
    pub python: std::path::PathBuf,
    /// Put first on the connector's `PYTHONPATH` (to measure another checkout's SDK and HR
    /// connector, such as the one before a change: `SDK/src:HR/src`).
    pub pythonpath: Option<String>,
}

/// Measures item 5py, or says why it could not.
pub async fn measure(
    bins: &Bins,
    work: &Path,
    side: &PythonSide,
    objects: u64,
    page_size: i32,
    rounds: u32,
) -> Result<PythonRow, String> {
    run(bins, work, side, objects, page_size, rounds)
        .await
        .map_err(|e| format!("{e:#}"))
}

async fn run(
    bins: &Bins,
    work: &Path,
    side: &PythonSide,
    objects: u64,
    page_size: i32,
    rounds: u32,
) -> Result<PythonRow> {
    let python = side.python.as_path();
    let dir = work.join("python-row");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let env = match &side.pythonpath {
        Some(path) => format!("env = {{ PYTHONPATH = {path:?}, PYTHONDONTWRITEBYTECODE = \"1\" }}\n"),
        None => String::new(),
    };
    let extra = format!(
        "\n[[connector]]\nname = \"{HR}\"\ncommand = {python:?}\nargs = [\"-m\", \"hr_connector\"]\n{env}",
        python = python.display().to_string(),
    );
    let host = start_host_with(bins, &dir.join("host"), Hop::Unix, &[CONNECTOR], &extra).await?;
    let measured = async {
        let mut rust = host.client().await?;
        let mut hr = host.client_of(HR).await?;
        let rust_params = crate::database(&dir.join("demo.db"), objects);
        let hr_params = hr_params(&dir, objects);
        let rust_schema = engine::schema(&mut rust, &rust_params).await?;
        let hr_schema = engine::schema(&mut hr, &hr_params).await?;
        info!(objects, "item 5py: seeding and warming up the demo and HR connectors");
        let hr_objects = import_all_with(&mut hr, &hr_params, &hr_schema, page_size, true)
            .await?
            .objects;
        let rust_objects = import_all_with(&mut rust, &rust_params, &rust_schema, page_size, true)
            .await?
            .objects;
        ensure!(
            hr_objects >= objects && rust_objects >= objects,
            "seeded {hr_objects} HR and {rust_objects} demo objects, asked for {objects}"
        );
        let mut row = PythonRow {
            objects,
            ..Default::default()
        };
        let rust_pid = host.connector_pid_of(CONNECTOR).await?;
        let hr_pid = host.connector_pid_of(HR).await?;
        for round in 1..=rounds {
            let order = if round % 2 == 1 { [true, false] } else { [false, true] };
            for is_python in order {
                info!(round, python = is_python, "item 5py: import through the host");
                let (client, params, schema, into, pid) = if is_python {
                    (&mut hr, &hr_params, &hr_schema, &mut row.python, hr_pid)
                } else {
                    (&mut rust, &rust_params, &rust_schema, &mut row.rust, rust_pid)
                };
                let pids = [host.pid, pid, std::process::id()];
                let (run, cpu) =
                    crate::with_cpu(&pids, import_all_with(client, params, schema, page_size, true)).await?;
                into.keep(run, &cpu);
            }
        }
        Ok(row)
    }
    .await;
    host.stop().await;
    let mut row = measured?;

    // Engine → Python connector directly: one entry per frame, then batches (this checkout's
    // SDK only: launch_connector passes no PYTHONPATH).
    if side.pythonpath.is_some() {
        return Ok(row);
    }
    let mut direct = launch_connector(python, &["-m", "hr_connector"], &dir, "hr-direct").await?;
    let measured = async {
        let params = hr_params(&dir, objects);
        let schema = engine::schema(&mut direct.client, &params).await?;
        for round in 1..=rounds {
            for batches in [false, true] {
                info!(round, batches, "item 5py: import engine → Python connector");
                let run = import_all_with(&mut direct.client, &params, &schema, page_size, batches).await?;
                let best = if batches {
                    &mut row.direct_batched
                } else {
                    &mut row.direct_single
                };
                if best.objects == 0 || run.rate() > best.rate() {
                    *best = run;
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    direct.stop().await;
    measured?;
    Ok(row)
}

/// The rows of item 5py.
pub fn rows(report: &mut crate::report::Report, objects: u64, rounds: u32, row: &Option<Result<PythonRow, String>>) {
    let n = crate::stats::thousands(objects);
    let what = format!(
        "import {n} users through one host, bench engine path (entry batches asked for): Rust demo connector, \
         Python HR connector (SDK for Python), ratio Python / Rust; best of {rounds} rounds after a warm-up"
    );
    let cpu = "host CPU per object relayed in those rounds: Rust demo, Python HR, ratio Python / Rust".to_owned();
    let processes = "CPU per object of each process in those rounds (robust to load): connector, host, engine client \
                     (the bench process); Rust demo, then Python HR"
        .to_owned();
    let direct = format!(
        "import {n} users engine → Python HR connector directly: one entry per frame, entry batches, and ratio"
    );
    match row {
        Some(Ok(r)) => {
            let rate = |run: &ImportRun| {
                format!(
                    "{:.0} objects/s ({} in {:.2} s)",
                    run.rate(),
                    run.objects,
                    run.elapsed.as_secs_f64()
                )
            };
            report.target(
                "5py import",
                what,
                format!(
                    "Rust {}; Python {}; ratio {:.2}",
                    rate(&r.rust.best),
                    rate(&r.python.best),
                    r.ratio()
                ),
                "≥ 0.5",
                crate::report::Verdict::of(r.ratio() >= 0.5),
            );
            report.target(
                "5py host cpu",
                cpu,
                format!(
                    "Rust {:.2} µs; Python {:.2} µs; ratio {:.2}",
                    r.rust.host_cpu_per_object().as_secs_f64() * 1e6,
                    r.python.host_cpu_per_object().as_secs_f64() * 1e6,
                    r.cpu_ratio()
                ),
                "≤ 2",
                crate::report::Verdict::of(r.cpu_ratio() <= 2.0),
            );
            let us = |d: Duration| d.as_secs_f64() * 1e6;
            let each = |p: &Path5| {
                format!(
                    "connector {:.1} µs, host {:.2} µs, engine {:.1} µs",
                    us(p.connector_cpu_per_object()),
                    us(p.host_cpu_per_object()),
                    us(p.engine_cpu_per_object())
                )
            };
            report.row(
                "5py cpu",
                processes,
                format!(
                    "Rust: {}; Python: {}; connector ratio Python / Rust {:.2}",
                    each(&r.rust),
                    each(&r.python),
                    us(r.python.connector_cpu_per_object()) / us(r.rust.connector_cpu_per_object()).max(1e-9)
                ),
            );
            if r.direct_single.objects == 0 {
                report.not_measured("5py batches", direct, "another checkout's SDK (--pythonpath)");
            } else {
                report.row(
                    "5py batches",
                    direct,
                    format!(
                        "single {}; batched {}; ratio {:.2}",
                        rate(&r.direct_single),
                        rate(&r.direct_batched),
                        r.direct_batched.rate() / r.direct_single.rate().max(1e-9)
                    ),
                );
            }
        }
        Some(Err(why)) => {
            for (key, what) in [
                ("5py import", what),
                ("5py host cpu", cpu),
                ("5py cpu", processes),
                ("5py batches", direct),
            ] {
                report.not_measured(key, what, why.clone());
            }
        }
        None => {
            for (key, what) in [
                ("5py import", what),
                ("5py host cpu", cpu),
                ("5py cpu", processes),
                ("5py batches", direct),
            ] {
                report.not_measured(key, what, "the run stopped before item 5py");
            }
        }
    }
}
