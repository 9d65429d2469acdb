//! `ecma2-host`: parse the command line and the config file, then run the host until asked to
//! stop (SIGINT or SIGTERM; on Windows Ctrl-C, Ctrl-Break or the console closing). Bad configuration exits with status 64 and a message naming the file and the key.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use ecma2_host::Host;
use ecma2_host::config::HostConfig;

/// Runs ECMA2 connectors out of process and forwards every engine call to them.
#[derive(Debug, Parser)]
#[command(name = "ecma2-host", version)]
struct Args {
    /// The host configuration file (see deploy/host.toml).
    #[arg(long, short, env = "ECMA2_HOST_CONFIG")]
    config: PathBuf,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Check the configuration and exit.
    #[arg(long)]
    check: bool,
    /// Runtime threads. 1 (the default) runs the host on one thread: relaying is light, and a
    /// hand-off between threads costs more than the work it spreads. 0 means one per core.
    #[arg(long, env = "ECMA2_HOST_THREADS", default_value_t = 1)]
    threads: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a terminal: rendering them into a log file cost a few percent per call.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match args.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
    let config = match HostConfig::load(&args.config) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("ecma2-host: {e}");
            return ExitCode::from(64);
        }
    };
    if args.check {
        if let Err(e) = config.check_commands() {
            eprintln!("ecma2-host: {e}");
            return ExitCode::from(64);
        }
        println!("{}: ok ({} connectors)", args.config.display(), config.connectors.len());
        return ExitCode::SUCCESS;
    }
    let runtime = match args.threads {
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        0 => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    }
    .expect("a tokio runtime");
    runtime.block_on(async move {
        let host = match Host::start(config).await {
            Ok(host) => host,
            Err(e) => {
                eprintln!("ecma2-host: {e}");
                return ExitCode::from(1);
            }
        };
        let why = ecma2_host::platform::stop_requested().await;
        tracing::info!(reason = why, "stopping");
        host.shutdown().await;
        ExitCode::SUCCESS
    })
}
