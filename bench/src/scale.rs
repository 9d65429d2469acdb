//! Item 12: one `ecma2-host` relaying for many connectors and sessions at once (issue #18). The
//! host runs `connectors` demo connectors. A round first has one import session read the small
//! database alone, several times over (the host's CPU per object at rest), then has every
//! connector serve `sessions` concurrent full imports of it, each connector over its own engine
//! connection. The host's CPU per object, its peak RSS and the throughput are compared with the
//! single session's, round by round: on a shared machine one pair of phases moves by ±15 % from
//! run to run, and the two phases of one round run under the same load, so the rows report the
//! round with the median ratio.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use ecma2_proto::pb::{ConfigParameter, Schema};
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

/// One round: one session alone, then every session of every connector at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Round {
    /// One session alone.
    pub one: Relayed,
    /// Every session of every connector at once.
    pub many: Relayed,
}

impl Round {
    /// Host CPU per object with every session at once ÷ with one session alone.
    pub fn cpu_ratio(&self) -> f64 {
        self.many.cpu_per_object() / self.one.cpu_per_object().max(1e-9)
    }
}

/// The scale measurement.
#[derive(Debug, Clone, Default)]
pub struct Scale {
    /// Connectors configured in the host.
    pub connectors: usize,
    /// Concurrent sessions per connector.
    pub sessions: usize,
    /// Every round, in the order they ran.
    pub rounds: Vec<Round>,
    /// The host's peak RSS (VmHWM) over the whole measurement.
    pub peak_rss: u64,
}

impl Scale {
    /// The round with the median CPU ratio (the lower middle one of an even number).
    pub fn median(&self) -> Round {
        let mut rounds = self.rounds.clone();
        rounds.sort_by(|a, b| a.cpu_ratio().total_cmp(&b.cpu_ratio()));
        rounds
            .get(rounds.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or_default()
    }

    /// Every round's CPU ratio, in the order they ran, as `0.95, 1.01, 1.10`.
    pub fn ratios(&self) -> String {
        let ratios: Vec<String> = self.rounds.iter().map(|r| format!("{:.2}", r.cpu_ratio())).collect();
        ratios.join(", ")
    }
}

/// Runs item 12 in `<work>/host-scale` with `params`' database, `rounds` times over with one host.
pub async fn measure(
    bins: &Bins,
    work: &Path,
    params: &[ConfigParameter],
    page_size: i32,
    connectors: usize,
    sessions: usize,
    rounds: usize,
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

        let mut measured = Vec::new();
        for round in 1..=rounds.max(1) {
            measured.push(self::round(round, host.pid, &clients, params, &schema, page_size, sessions).await?);
        }
        anyhow::Ok(Scale {
            connectors,
            sessions,
            rounds: measured,
            peak_rss: vm_hwm(host.pid)?,
        })
    }
    .await;
    host.stop().await;
    measured
}

/// One round of item 12 through the host `pid`, with a client per connector.
async fn round(
    round: usize,
    pid: u32,
    clients: &[engine::Client],
    params: &[ConfigParameter],
    schema: &Schema,
    page_size: i32,
    sessions: usize,
) -> Result<Round> {
    // One session at a time, repeated over a fifth of the concurrent phase's objects, so
    // that both phases measure the host over a sizeable run.
    let repeats = (clients.len() * sessions / 5).max(1);
    info!(round, repeats, "item 12: one session alone");
    let cpu = thread_cpu_time(pid)?;
    let started = Instant::now();
    let mut each = 0;
    let mut objects = 0;
    for _ in 0..repeats {
        each = engine::import_all(&mut clients[0].clone(), params, schema, page_size)
            .await?
            .objects;
        objects += each;
    }
    let one = Relayed {
        objects,
        elapsed: started.elapsed(),
        host_cpu: thread_cpu_time(pid)?.saturating_sub(cpu),
    };

    info!(
        round,
        connectors = clients.len(),
        sessions,
        "item 12: concurrent sessions"
    );
    let mut imports = tokio::task::JoinSet::new();
    let cpu = thread_cpu_time(pid)?;
    let started = Instant::now();
    for client in clients {
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
        host_cpu: thread_cpu_time(pid)?.saturating_sub(cpu),
    };
    Ok(Round { one, many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(one_us: u64, many_us: u64) -> Round {
        let relayed = |cpu_us| Relayed {
            objects: 1000,
            elapsed: Duration::from_secs(1),
            host_cpu: Duration::from_micros(cpu_us * 1000),
        };
        Round {
            one: relayed(one_us),
            many: relayed(many_us),
        }
    }

    #[test]
    fn the_rows_report_the_round_with_the_median_ratio() {
        let scale = Scale {
            rounds: vec![round(10, 12), round(10, 9), round(8, 8)],
            ..Default::default()
        };
        let median = scale.median();
        assert_eq!(median.cpu_ratio(), 1.0);
        assert_eq!(median.one.host_cpu, Duration::from_millis(8));
        assert_eq!(scale.ratios(), "1.20, 0.90, 1.00");
        // Of an even number, the lower middle one; of none, an empty round.
        let even = Scale {
            rounds: vec![round(10, 12), round(10, 9), round(8, 8), round(10, 15)],
            ..Default::default()
        };
        assert_eq!(even.median().cpu_ratio(), 1.0);
        assert_eq!(Scale::default().median().one.objects, 0);
    }
}
