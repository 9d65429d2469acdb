//! Item 12: one `ecma2-host` relaying for many connectors and sessions at once (issue #18). The
//! host runs `connectors` demo connectors; first one import session reads the small database
//! alone, several times over (the host's CPU per object at rest), then every connector serves `sessions` concurrent
//! full imports of it, each connector over its own engine connection. The host's CPU per object,
//! its peak RSS and the throughput are compared with the single session's.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use ecma2_proto::pb::ConfigParameter;
use tracing::info;

use crate::engine;
use crate::machine::{thread_cpu_time, vm_hwm};
use crate::procs::{Bins, Hop, start_host_with};

/// What one phase relayed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relayed {
    /// Entries all sessions received.
    pub objects: u64,
    /// Wall time of the phase.
    pub elapsed: Duration,
    /// The host's CPU time (user and system) during the phase.
    pub host_cpu: Duration,
}

impl Relayed {
    /// Objects per second.
    pub fn rate(&self) -> f64 {
        self.objects as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Host CPU per object, µs.
    pub fn cpu_per_object(&self) -> f64 {
        self.host_cpu.as_secs_f64() * 1e6 / self.objects.max(1) as f64
    }
}

/// The scale measurement.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scale {
    /// Connectors configured in the host.
    pub connectors: usize,
    /// Concurrent sessions per connector.
    pub sessions: usize,
    /// One session alone.
    pub one: Relayed,
    /// Every session of every connector at once.
    pub many: Relayed,
    /// The host's peak RSS (VmHWM) over the whole measurement.
    pub peak_rss: u64,
}

/// Runs item 12 in `<work>/host-scale` with `params`' database.
pub async fn measure(
    bins: &Bins,
    work: &Path,
    params: &[ConfigParameter],
    page_size: i32,
    connectors: usize,
    sessions: usize,
) -> Result<Scale> {
    let names: Vec<String> = (0..connectors).map(|i| format!("scale-{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let host = start_host_with(bins, &work.join("host-scale"), Hop::Unix, &refs, "").await?;
    let measured = async {
        let mut clients = Vec::new();
        for name in &names {
            clients.push(host.client_of(name).await?);
        }
        let schema = engine::schema(&mut clients[0], params).await?;

        // One session at a time, repeated over a fifth of the concurrent phase's objects, so
        // that both phases measure the host over a sizeable run.
        let repeats = (connectors * sessions / 5).max(1);
        info!(repeats, "item 12: one session alone");
        let cpu = thread_cpu_time(host.pid)?;
        let started = Instant::now();
        let mut each = 0;
        let mut objects = 0;
        for _ in 0..repeats {
            each = engine::import_all(&mut clients[0].clone(), params, &schema, page_size)
                .await?
                .objects;
            objects += each;
        }
        let one = Relayed {
            objects,
            elapsed: started.elapsed(),
            host_cpu: thread_cpu_time(host.pid)?.saturating_sub(cpu),
        };

        info!(connectors, sessions, "item 12: concurrent sessions");
        let mut imports = tokio::task::JoinSet::new();
        let cpu = thread_cpu_time(host.pid)?;
        let started = Instant::now();
        for client in &clients {
            for _ in 0..sessions {
                let mut client = client.clone();
                let (params, schema) = (params.to_vec(), schema.clone());
                imports.spawn(async move { engine::import_all(&mut client, &params, &schema, page_size).await });
            }
        }
        let mut objects = 0;
        while let Some(run) = imports.join_next().await {
            let run = run.context("an import task")??;
            ensure!(
                run.objects == each,
                "a concurrent import returned {} objects, the single one {each}",
                run.objects
            );
            objects += run.objects;
        }
        let many = Relayed {
            objects,
            elapsed: started.elapsed(),
            host_cpu: thread_cpu_time(host.pid)?.saturating_sub(cpu),
        };
        anyhow::Ok(Scale {
            connectors,
            sessions,
            one,
            many,
            peak_rss: vm_hwm(host.pid)?,
        })
    }
    .await;
    host.stop().await;
    measured
}
