//! `ecma2-bench-scale`: item 12 of `ecma2-bench` alone (see [`ecma2_bench::scale`]), for comparing
//! the memory and CPU of host builds quickly: one host with `--connectors` demo connectors, one
//! import session alone, then `--sessions` concurrent imports per connector. Prints one line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ecma2_bench::engine::param;

/// Item 12 of ecma2-bench alone.
#[derive(Debug, Parser)]
#[command(name = "ecma2-bench-scale")]
struct Args {
    /// Demo connectors in the host.
    #[arg(long, default_value_t = 10)]
    connectors: usize,
    /// Concurrent import sessions per connector.
    #[arg(long, default_value_t = 10)]
    sessions: usize,
    /// Users in the database each session imports.
    #[arg(long, default_value_t = 10_000)]
    objects: u64,
    /// Import page size.
    #[arg(long, default_value_t = 5000)]
    page_size: i32,
    /// Rounds (each one session alone, then every session at once).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Where ecma2-host and ecma2-demo are [default: next to this executable].
    #[arg(long)]
    bin_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let outcome = runtime.block_on(async {
        let bins = ecma2_bench::procs::Bins::locate(args.bin_dir.as_deref())?;
        let dir = tempfile::Builder::new().prefix("ecma2-bench-scale.").tempdir()?;
        let params = vec![
            param(
                ecma2_demo::params::DATABASE,
                dir.path().join("import.db").display().to_string(),
            ),
            param(ecma2_demo::params::SEED_USERS, args.objects.to_string()),
        ];
        ecma2_bench::inproc::seed(&params).await?;
        let load = ecma2_bench::machine::load_average();
        let scale = ecma2_bench::scale::measure(
            &bins,
            dir.path(),
            &params,
            args.page_size,
            args.connectors,
            args.sessions,
            args.rounds,
        )
        .await?;
        anyhow::Ok((scale, load))
    });
    match outcome {
        Ok((s, load)) => {
            let m = s.median();
            println!(
                "{} × {}, median of {} rounds: one {:.0} objects/s, host {:.2} µs/object; many {:.0} objects/s, \
                 host {:.2} µs/object (many/one CPU {:.2}; rounds {}); host peak RSS {:.1} MiB; load average before {load}",
                s.connectors,
                s.sessions,
                s.rounds.len(),
                m.one.rate(),
                m.one.cpu_per_object(),
                m.many.rate(),
                m.many.cpu_per_object(),
                m.cpu_ratio(),
                s.ratios(),
                s.peak_rss as f64 / (1024.0 * 1024.0),
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ecma2-bench-scale: {err:#}");
            ExitCode::FAILURE
        }
    }
}
