//! `ecma2-bench`: what running a connector out of process costs, measured side by side in one
//! run on one machine and printed as one table (issue #7). The demo connector is timed three
//! ways: in this process as a library, launched as its own process and called over gRPC
//! directly, and behind an `ecma2-host` process. The same engine code drives the last two, so
//! the difference between them is the host. Databases, sockets and logs live in a temporary
//! work directory. Targets are printed next to the measurements as met or missed, never
//! asserted. docs/benchmarks.md has a full run and how to read it.

pub mod bridge;
pub mod close;
pub mod data;
pub mod engine;
pub mod generator;
pub mod gosdk;
pub mod inproc;
pub mod java;
pub mod machine;
pub mod procs;
pub mod proxy;
pub mod python;
pub mod report;
pub mod scale;
pub mod soak;
pub mod stats;
pub mod synthetic;
pub mod table;
pub mod typescript;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use clap::Parser;
use ecma2_proto::meta;
use ecma2_proto::pb::ConfigParameter;
use tracing::info;

use crate::engine::{Client, ExportRun, ImportRun, LatencyTarget, param};
use crate::machine::{Machine, cpu_time, load_average, utc_now, wakeups};
use crate::procs::{Bins, ConnectorProcess, Hop, HostProcess, launch_connector, start_host};
use crate::report::Report;
use crate::stats::{Summary, summarize};

/// Measures what ecma2-host costs against a direct connection and in-process calls of the demo
/// connector, and prints one Markdown table (stdout; progress goes to stderr). Needs ecma2-host
/// and ecma2-demo built next to it: `cargo build --release -p ecma2-bench -p ecma2-host -p ecma2-demo`.
#[derive(Debug, Clone, Parser)]
#[command(name = "ecma2-bench", version)]
pub struct Options {
    /// Small numbers (N = 10,000, M = 1,000, R = 20, ...): seconds in a release build, well under a
    /// minute in a debug build. For CI.
    #[arg(long)]
    pub quick: bool,
    /// N, the objects imported in items 1, 3 and 7 [default: 1,000,000; quick: 10,000].
    #[arg(long, value_name = "N")]
    pub objects: Option<u64>,
    /// M, the objects exported in item 6 [default: 100,000; quick: 1,000].
    #[arg(long, value_name = "M")]
    pub export_objects: Option<u64>,
    /// R, the cancelled pages of item 4 [default: 1,000; quick: 20].
    #[arg(long, value_name = "R")]
    pub close_runs: Option<u32>,
    /// Timed one-object pages per path in items 2 and 7 [default: 10,000; quick: 100].
    #[arg(long)]
    pub calls: Option<u32>,
    /// Objects of 1 MiB imported in item 3 [default: 500; quick: 10].
    #[arg(long)]
    pub big_objects: Option<u32>,
    /// Launches of each connector in item 5 [default: 10; quick: 2].
    #[arg(long)]
    pub starts: Option<u32>,
    /// Rounds of the throughput runs of items 1, 6 and 7; the best round counts [default: 2; quick: 1].
    #[arg(long)]
    pub rounds: Option<u32>,
    /// Import page size.
    #[arg(long, default_value_t = 5000)]
    pub page_size: i32,
    /// Export batch size (the demo connector's maximum is 5,000).
    #[arg(long, default_value_t = 5000)]
    pub batch_size: i32,
    /// The directory holding ecma2-host and ecma2-demo [default: this executable's directory].
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// The Python interpreter for the HR connector of item 5 [default: sdk/python/.venv/bin/python
    /// of this repository].
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Where databases, sockets and logs go [default: a temporary directory, removed afterwards].
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Measure the host only: skip the other SDKs and the bridge (items 5 python, 8, 9, 10 and 11
    /// say "not measured"), for comparing two host builds quickly.
    #[arg(long)]
    pub host_only: bool,
}

/// Why an item was skipped with `--host-only`.
const HOST_ONLY: &str = "skipped (--host-only)";

/// The size of a "1 MiB object"'s photo.
pub const BIG_PHOTO: usize = 1024 * 1024;

/// The photo of an exported user, so that it weighs about 500 bytes like a generated one.
const EXPORT_PHOTO: usize = 256;

/// The numbers of one run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// N.
    pub objects: u64,
    /// Users in the small database: item 3's "10,000 objects" (2,000 in quick mode), and what
    /// items 2 and 4 read.
    pub small: u64,
    /// M.
    pub export_objects: u64,
    /// R.
    pub close_runs: u32,
    /// Timed one-object pages per path.
    pub calls: u32,
    /// Untimed one-object pages per path first.
    pub warmup: u32,
    /// Objects of 1 MiB.
    pub big_objects: u32,
    /// Launches per connector.
    pub starts: u32,
    /// Throughput rounds.
    pub rounds: u32,
    /// Import page size.
    pub page_size: i32,
    /// Export batch size.
    pub batch_size: i32,
    /// Item 12: connectors in one host, and concurrent sessions per connector.
    pub scale: (usize, usize),
    /// Item 12's rounds (each one session alone, then every session at once).
    pub scale_rounds: usize,
}

impl Plan {
    /// The numbers `options` ask for.
    pub fn new(options: &Options) -> Plan {
        let pick =
            |given: Option<u64>, full: u64, quick: u64| given.unwrap_or(if options.quick { quick } else { full });
        let calls = pick(options.calls.map(u64::from), 10_000, 100) as u32;
        Plan {
            objects: pick(options.objects, 1_000_000, 10_000),
            small: pick(None, 10_000, 2_000),
            export_objects: pick(options.export_objects, 100_000, 1_000),
            close_runs: pick(options.close_runs.map(u64::from), 1_000, 20) as u32,
            calls,
            warmup: (calls / 20).clamp(10, 500),
            big_objects: pick(options.big_objects.map(u64::from), 500, 10) as u32,
            starts: pick(options.starts.map(u64::from), 10, 2) as u32,
            rounds: pick(options.rounds.map(u64::from), 2, 1).max(1) as u32,
            page_size: options.page_size,
            batch_size: options.batch_size,
            scale: if options.quick { (2, 2) } else { (10, 10) },
            scale_rounds: if options.quick { 1 } else { 3 },
        }
    }
}

/// The database parameters of a demo connector session.
fn database(path: &Path, users: u64) -> Vec<ConfigParameter> {
    vec![
        param(ecma2_demo::params::DATABASE, path.display().to_string()),
        param(ecma2_demo::params::SEED_USERS, users.to_string()),
    ]
}

/// One import path: its best round, and the CPU time each process involved used over all rounds.
#[derive(Debug, Default)]
pub struct Throughput {
    /// The fastest round.
    pub best: ImportRun,
    /// Objects over all rounds.
    pub objects: u64,
    /// CPU time and wake-ups per process (in the order the path names them) over all rounds.
    pub usage: Vec<Usage>,
}

/// What one process used during a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// CPU time, user and system.
    pub cpu: Duration,
    /// Voluntary context switches of its threads (see [`machine::wakeups`]).
    pub wakeups: u64,
}

impl Throughput {
    fn add(&mut self, run: ImportRun, usage: &[Usage]) {
        if run.rate() > self.best.rate() {
            self.best = run;
        }
        self.objects += run.objects;
        self.usage.resize(self.usage.len().max(usage.len()), Usage::default());
        for (total, used) in self.usage.iter_mut().zip(usage) {
            total.cpu += used.cpu;
            total.wakeups += used.wakeups;
        }
    }

    /// Objects per second of the best round.
    pub fn rate(&self) -> f64 {
        self.best.rate()
    }
}

/// What `pids` used while `f` runs.
pub(crate) async fn with_cpu<T>(
    pids: &[u32],
    f: impl std::future::Future<Output = Result<T>>,
) -> Result<(T, Vec<Usage>)> {
    let read = || -> Result<Vec<Usage>> {
        pids.iter()
            .map(|p| {
                Ok(Usage {
                    cpu: cpu_time(*p)?,
                    wakeups: wakeups(*p)?,
                })
            })
            .collect()
    };
    let before = read()?;
    let value = f.await?;
    let after = read()?;
    let used = after.iter().zip(&before).map(|(a, b)| Usage {
        cpu: a.cpu.saturating_sub(b.cpu),
        wakeups: a.wakeups.saturating_sub(b.wakeups),
    });
    Ok((value, used.collect()))
}

/// Everything one run measured, for [`table::table`].
#[derive(Debug, Default)]
pub struct Measurements {
    /// The numbers used.
    pub plan: Plan,
    /// The command line.
    pub command: String,
    /// When the run started.
    pub date: String,
    /// The machine.
    pub machine: Machine,
    /// Load average before and after.
    pub load: (String, String),
    /// Objects in the N database (generated users and the demo's fixed objects).
    pub objects: u64,
    /// Average encoded size of an imported entry.
    pub entry_size: u64,
    /// 1a: the connector's CallImport code in-process.
    pub in_process: Throughput,
    /// 1a': the SDK's ConnectorServer in-process.
    pub in_process_sdk: Throughput,
    /// 1b: engine → connector.
    pub direct: Throughput,
    /// 1c: engine → host → connector over a Unix socket.
    pub host: Throughput,
    /// 7: engine → host → connector over TCP.
    pub host_tcp: Throughput,
    /// 2 and 7: one-object pages: direct, host over Unix, host over TCP, the plain proxy.
    pub latency: [Summary; 4],
    /// 2 and 7: wake-ups per call of each process on the path (engine, [host or proxy,] connector).
    pub latency_wakeups: [Vec<f64>; 4],
    /// 2: one-object pages through the SDK's ConnectorServer in this process.
    pub latency_in_process: Summary,
    /// 3: host peak RSS after start.
    pub rss_idle: u64,
    /// 3: objects in the small database, and the host's peak RSS importing them.
    pub rss_small: (u64, u64),
    /// 3: the host's peak RSS importing N objects.
    pub rss_big: u64,
    /// 3: the host's peak RSS importing the 1 MiB objects.
    pub rss_photos: u64,
    /// 4: cancel → close, and cancel → the connector sees the cancellation.
    pub close: (Summary, Summary),
    /// 5: (to the ready line, to the handshake) of the Rust demo connector.
    pub rust_starts: (Summary, Summary),
    /// 5: the same for the Python HR connector, or why it was not measured.
    pub python_starts: Option<Result<(Summary, Summary), String>>,
    /// 6: export direct and through the host, best rounds.
    pub export: (ExportRun, ExportRun),
    /// 6: average encoded size of an exported entry.
    pub export_size: u64,
    /// 8: the Java SDK against the Rust SDK, or why it was not measured.
    pub java: Option<Result<java::JavaRow, String>>,
    /// Item 5py: the Python SDK's import through the host against the Rust demo's.
    pub python: Option<Result<python::PythonRow, String>>,
    /// 9: import through the .NET bridge on mono against the Rust engine client, or why not measured.
    pub bridge: Option<Result<bridge::BridgeImport, String>>,
    /// 11: TypeScript SDK vs Rust SDK import, or why it was not measured.
    pub typescript: Option<Result<typescript::SdkRace, String>>,
    /// 12: many connectors and concurrent sessions through one host.
    pub scale: scale::Scale,
}

/// The processes of items 1, 2, 4, 6 and 7, and engine clients of each.
struct Targets {
    direct: ConnectorProcess,
    host: HostProcess,
    host_tcp: HostProcess,
    /// The plain pass-through proxy in front of `direct`'s connector (item 2's floor).
    proxy: proxy::ProxyProcess,
    direct_client: Client,
    host_client: Client,
    tcp_client: Client,
    proxy_client: Client,
}

impl Targets {
    async fn start(bins: &Bins, work: &Path) -> Result<Targets> {
        let direct = launch_connector(&bins.demo, &[], work, "demo-direct").await?;
        let host = start_host(bins, &work.join("host-unix"), Hop::Unix).await?;
        let host_tcp = start_host(bins, &work.join("host-tcp"), Hop::Tcp).await?;
        let proxy = proxy::ProxyProcess::start(&direct.address, work, "proxy").await?;
        Ok(Targets {
            direct_client: direct.client.clone(),
            host_client: host.client().await?,
            tcp_client: host_tcp.client().await?,
            // The engine's request is the same on both relays' paths: the host's token and the
            // connector's name go to the proxy too (it forwards them, and the connector ignores
            // them), beside the launch secret the connector checks. h2 never indexes an
            // `authorization` value, so an engine sends and a relay decodes the token with every
            // call; without it the proxy's floor left that cost out of its own path.
            proxy_client: engine::client(
                &proxy.address,
                &[
                    (meta::LAUNCH_SECRET, &direct.secret),
                    (meta::AUTHORIZATION, &format!("Bearer {}", host.token)),
                    (meta::CONNECTOR, procs::CONNECTOR),
                ],
            )
            .await?,
            direct,
            host,
            host_tcp,
            proxy,
        })
    }

    async fn stop(self) {
        self.proxy.stop().await;
        self.host_tcp.stop().await;
        self.host.stop().await;
        self.direct.stop().await;
    }
}

/// One run: the work directory, the databases and what has been measured so far.
struct Run {
    plan: Plan,
    bins: Bins,
    work: PathBuf,
    /// N users.
    big: Vec<ConfigParameter>,
    /// 10,000 users (2,000 in quick mode).
    small: Vec<ConfigParameter>,
    /// The 1 MiB objects.
    photos: Vec<ConfigParameter>,
    m: Measurements,
}

impl Run {
    /// Databases: N users, the small one, and the 1 MiB objects (added through the connector's
    /// own export code: the demo has no seed option for large photos).
    async fn seed(&mut self) -> Result<()> {
        info!(users = self.plan.objects, "seeding the import databases");
        inproc::seed(&self.big).await?;
        inproc::seed(&self.small).await?;
        inproc::seed(&self.photos).await?;
        info!(objects = self.plan.big_objects, "adding the 1 MiB objects by export");
        let count = u64::from(self.plan.big_objects);
        let batches = (1..=count)
            .step_by(10)
            .map(|first| data::users("photo", first..=(first + 9).min(count), BIG_PHOTO));
        inproc::export(&self.photos, batches, 10).await
    }

    /// Item 3: a fresh host imports `params`' database once; returns (objects, its peak RSS
    /// after start, its peak RSS after the import).
    async fn host_memory(&self, params: &[ConfigParameter], name: &str) -> Result<(u64, u64, u64)> {
        let host = start_host(&self.bins, &self.work.join(name), Hop::Unix).await?;
        let idle = host.peak_rss()?;
        let mut client = host.client().await?;
        let schema = engine::schema(&mut client, params).await?;
        let run = engine::import_all(&mut client, params, &schema, self.plan.page_size).await?;
        let peak = host.peak_rss()?;
        host.stop().await;
        Ok((run.objects, idle, peak))
    }

    /// Items 1 and 7: N objects five ways, in rounds; within a round the order of the wire
    /// paths alternates so that none always runs first.
    async fn throughput(&mut self, t: &mut Targets) -> Result<()> {
        let me = std::process::id();
        let pids = [
            vec![me, t.direct.pid()],
            vec![me, t.host.pid, t.host.connector_pid().await?],
            vec![me, t.host_tcp.pid, t.host_tcp.connector_pid().await?],
        ];
        let (big, page) = (&self.big, self.plan.page_size);
        let schema = inproc::schema(big).await?;
        for round in 1..=self.plan.rounds {
            info!(
                round,
                objects = self.plan.objects,
                "item 1a: import in-process, connector code"
            );
            let ((run, size), cpu) = with_cpu(&[me], inproc::import_connector_code(big, &schema, page)).await?;
            self.m.entry_size = size;
            self.m.objects = run.objects;
            self.m.in_process.add(run, &cpu);
            info!(round, "item 1a': import in-process, SDK server");
            let (run, cpu) = with_cpu(&[me], inproc::import_sdk_server(big, &schema, page)).await?;
            self.m.in_process_sdk.add(run, &cpu);
            let mut wire = [0, 1, 2];
            if round % 2 == 0 {
                wire.reverse();
            }
            for path in wire {
                let (client, into, what) = match path {
                    0 => (
                        &mut t.direct_client,
                        &mut self.m.direct,
                        "item 1b: import engine → connector",
                    ),
                    1 => (
                        &mut t.host_client,
                        &mut self.m.host,
                        "item 1c: import engine → host → connector",
                    ),
                    _ => (
                        &mut t.tcp_client,
                        &mut self.m.host_tcp,
                        "item 7: import through the host, TCP hop",
                    ),
                };
                info!(round, "{what}");
                let (run, cpu) = with_cpu(&pids[path], engine::import_all(client, big, &schema, page)).await?;
                info!(round, objects_per_s = run.rate().round(), "{what}: done");
                into.add(run, &cpu);
            }
        }
        let m = &self.m;
        for (name, path) in [
            ("1a'", &m.in_process_sdk),
            ("1b", &m.direct),
            ("1c", &m.host),
            ("7", &m.host_tcp),
        ] {
            ensure!(
                path.best.objects == m.objects,
                "path {name} imported {} objects, 1a {}",
                path.best.objects,
                m.objects
            );
        }
        Ok(())
    }

    /// Items 2 and 7: one-object pages, the four wire paths interleaved (the proxy's is the
    /// floor the host is held to).
    async fn latency(&mut self, t: &Targets) -> Result<()> {
        info!(calls = self.plan.calls, "items 2 and 7: one-object pages");
        let me = std::process::id();
        let paths = [
            (&t.direct_client, vec![me, t.direct.pid()]),
            (&t.host_client, vec![me, t.host.pid, t.host.connector_pid().await?]),
            (
                &t.tcp_client,
                vec![me, t.host_tcp.pid, t.host_tcp.connector_pid().await?],
            ),
            (&t.proxy_client, vec![me, t.proxy.pid, t.direct.pid()]),
        ];
        let mut targets = Vec::new();
        for (client, pids) in paths {
            targets.push(LatencyTarget::new(client.clone(), self.small.clone(), pids).await?);
        }
        engine::interleaved_latency(&mut targets, self.plan.warmup, self.plan.calls).await?;
        self.m.latency = [0, 1, 2, 3].map(|i| summarize(&targets[i].samples));
        let calls = u64::from(self.plan.calls.max(1));
        self.m.latency_wakeups = [0, 1, 2, 3].map(|i| {
            let per_call = |w: &u64| *w as f64 / calls as f64;
            targets[i].wakeups.iter().map(per_call).collect()
        });
        let schema = inproc::schema(&self.small).await?;
        let samples = inproc::one_object_pages(&self.small, &schema, self.plan.warmup, self.plan.calls).await?;
        self.m.latency_in_process = summarize(&samples);
        Ok(())
    }

    /// Item 4.
    async fn close(&mut self, t: &mut Targets) -> Result<()> {
        info!(runs = self.plan.close_runs, "item 4: cancel → close");
        let observe = self.work.join("observe.jsonl");
        let samples = close::measure(&mut t.host_client, &self.small, &observe, self.plan.close_runs).await?;
        self.m.close = (summarize(&samples.close), summarize(&samples.cancelled));
        Ok(())
    }

    /// Item 6: each round exports M objects into two fresh databases, direct and through the host.
    async fn export(&mut self, t: &mut Targets) -> Result<()> {
        let plan = &self.plan;
        for round in 1..=plan.rounds {
            let users = data::users("export", 1..=plan.export_objects, EXPORT_PHOTO);
            self.m.export_size =
                (users.iter().map(prost::Message::encoded_len).sum::<usize>() / users.len().max(1)) as u64;
            let batches = data::batches(users, plan.batch_size as usize);
            let mut order = [true, false];
            if round % 2 == 0 {
                order.reverse();
            }
            for direct in order {
                let (client, name, best) = if direct {
                    (&mut t.direct_client, "direct", &mut self.m.export.0)
                } else {
                    (&mut t.host_client, "host", &mut self.m.export.1)
                };
                let params = database(&self.work.join(format!("export-{name}-{round}.db")), 0);
                inproc::seed(&params).await?;
                info!(round, objects = plan.export_objects, path = name, "item 6: export");
                let run = engine::export_all(client, &params, batches.clone(), plan.batch_size).await?;
                info!(
                    round,
                    path = name,
                    objects_per_s = run.rate().round(),
                    "item 6: export done"
                );
                if run.rate() > best.rate() {
                    *best = run;
                }
            }
        }
        Ok(())
    }

    /// Item 5.
    async fn starts(&mut self, options: &Options) -> Result<()> {
        info!(times = self.plan.starts, "item 5: start to ready");
        let work = &self.work;
        self.m.rust_starts = starts(&self.bins.demo, &[], work, "start-rust", self.plan.starts).await?;
        self.m.python_starts = Some(match python_command(options).await {
            _ if options.host_only => Err(HOST_ONLY.to_owned()),
            Ok(python) => starts(&python, &["-m", "hr_connector"], work, "start-python", self.plan.starts)
                .await
                .map_err(|e| format!("{e:#}")),
            Err(why) => Err(why),
        });
        Ok(())
    }
}

/// Where a Python HR connector can be launched from, or why not.
pub async fn python_command(options: &Options) -> Result<PathBuf, String> {
    let python = options
        .python
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/python/.venv/bin/python"));
    if !python.exists() {
        return Err(format!(
            "{} does not exist (sdk/python/scripts/check.sh creates the venv)",
            python.display()
        ));
    }
    let probe = tokio::process::Command::new(&python)
        .args(["-c", "import hr_connector"])
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !probe.status.success() {
        return Err(format!(
            "{} cannot import hr_connector: {}",
            python.display(),
            String::from_utf8_lossy(&probe.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ));
    }
    Ok(python)
}

/// Launches `program args` `times` times; returns (to ready line, to handshake) per launch.
async fn starts(program: &Path, args: &[&str], work: &Path, name: &str, times: u32) -> Result<(Summary, Summary)> {
    let mut ready = Vec::new();
    let mut handshake = Vec::new();
    for i in 0..times {
        let process = launch_connector(program, args, work, &format!("{name}-{i}")).await?;
        ready.push(process.to_ready_line);
        handshake.push(process.to_handshake);
        process.stop().await;
    }
    Ok((summarize(&ready), summarize(&handshake)))
}

/// Runs every measurement and returns the table. `command` is the command line, for the header.
pub async fn run(options: &Options, command: &str) -> Result<Report> {
    let plan = Plan::new(options);
    let bins = Bins::locate(options.bin_dir.as_deref())?;
    let mut m = Measurements {
        command: command.to_owned(),
        date: utc_now(),
        machine: Machine::read(),
        load: (load_average(), String::new()),
        ..Default::default()
    };
    let temp;
    let work = match &options.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new().prefix("ecma2-bench.").tempdir()?;
            temp.path().to_owned()
        }
    };
    info!(work = %work.display(), ?plan, "starting");
    m.plan = plan.clone();
    let mut run = Run {
        big: database(&work.join("import-n.db"), plan.objects),
        small: database(&work.join("import-small.db"), plan.small),
        photos: database(&work.join("photos.db"), 0),
        plan,
        bins,
        work,
        m,
    };
    // Item 5 first, while this process is small: launching forks it, and a fork's cost grows with
    // the parent's memory (the host, which stays small, pays the small price).
    run.starts(options).await?;
    run.seed().await?;

    info!(
        objects = run.plan.small,
        "item 3: host memory importing the small database"
    );
    let (objects, idle, peak) = run.host_memory(&run.small, "host-small").await?;
    ensure!(objects >= run.plan.small, "the small import returned {objects} objects");
    (run.m.rss_idle, run.m.rss_small) = (idle, (objects, peak));

    let mut targets = Targets::start(&run.bins, &run.work).await?;
    let measured = async {
        run.throughput(&mut targets).await?;
        run.m.rss_big = targets.host.peak_rss()?;
        run.latency(&targets).await?;
        run.close(&mut targets).await?;
        run.export(&mut targets).await
    }
    .await;
    targets.stop().await;
    measured?;

    info!(
        objects = run.plan.big_objects,
        "item 3: host memory importing 1 MiB objects"
    );
    let (objects, _, peak) = run.host_memory(&run.photos, "host-photos").await?;
    ensure!(
        objects >= u64::from(run.plan.big_objects),
        "the 1 MiB import returned {objects} objects"
    );
    run.m.rss_photos = peak;

    let (connectors, sessions) = run.plan.scale;
    info!(
        connectors,
        sessions, "item 12: connectors × concurrent sessions through one host"
    );
    run.m.scale = scale::measure(
        &run.bins,
        &run.work,
        &run.small,
        run.plan.page_size,
        connectors,
        sessions,
        run.plan.scale_rounds,
    )
    .await?;

    if options.host_only {
        run.m.load.1 = load_average();
        run.m.java = Some(Err(HOST_ONLY.to_owned()));
        run.m.bridge = Some(Err(HOST_ONLY.to_owned()));
        run.m.typescript = Some(Err(HOST_ONLY.to_owned()));
        let mut report = table::table(&run.m);
        gosdk::row(
            &mut report,
            run.plan.objects,
            run.plan.page_size,
            Err(anyhow::anyhow!(HOST_ONLY)),
        );
        return Ok(report);
    }
    run.m.java = Some(java::measure(&run.work, &run.plan).await);
    info!(
        objects = run.plan.objects,
        "item 5py: Python SDK import against the Rust demo"
    );
    run.m.python = Some(match python_command(options).await {
        Ok(python) => {
            let side = python::PythonSide {
                python,
                pythonpath: None,
            };
            python::measure(
                &run.bins,
                &run.work,
                &side,
                run.plan.objects,
                run.plan.page_size.min(1000),
                run.plan.rounds,
            )
            .await
        }
        Err(why) => Err(why),
    });
    info!(
        objects = run.plan.small,
        "item 9: import through the .NET bridge and the Rust client"
    );
    run.m.bridge = Some(
        bridge::measure(&run.bins, &run.work, &run.small, run.plan.page_size, run.plan.rounds)
            .await
            .map_err(|e| format!("{e:#}")),
    );
    run.m.typescript = Some(typescript::race(&run.work, run.plan.objects, run.plan.page_size, run.plan.rounds).await?);
    info!(
        objects = run.plan.objects,
        "item 10: Go SDK against Rust SDK import throughput"
    );
    let bin_dir = run.bins.host.parent().unwrap_or(Path::new(".")).to_owned();
    let sdks = gosdk::measure(
        &bin_dir,
        &run.work,
        run.plan.objects,
        run.plan.page_size,
        run.plan.rounds,
    )
    .await;

    run.m.load.1 = load_average();
    let mut report = table::table(&run.m);
    gosdk::row(&mut report, run.plan.objects, run.plan.page_size, sdks);
    Ok(report)
}
