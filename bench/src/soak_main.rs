//! `ecma2-soak`: the soak of [`ecma2_bench::soak`]; prints the host's memory and file
//! descriptors as a table on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Holds many sessions and many concurrent imports through one host process.
#[derive(Debug, Parser)]
#[command(name = "ecma2-soak")]
struct Args {
    /// Import sessions opened, read and closed one after another.
    #[arg(long, default_value_t = 10_000)]
    sessions: u64,
    /// Full imports at the same time, after the sessions.
    #[arg(long, default_value_t = 100)]
    concurrent: usize,
    /// Where ecma2-host and ecma2-demo are [default: next to this executable].
    #[arg(long)]
    bins: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let outcome = runtime.block_on(async {
        let bins = ecma2_bench::procs::Bins::locate(args.bins.as_deref())?;
        let dir = tempfile::tempdir()?;
        ecma2_bench::soak::run(&bins, dir.path(), args.sessions, args.concurrent).await
    });
    match outcome {
        Ok(soak) => {
            print!("{}", soak.render());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ecma2-soak: {err:#}");
            ExitCode::FAILURE
        }
    }
}
