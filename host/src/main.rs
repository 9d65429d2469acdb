//! `ecma2-host`: parse the command line and the config file, then run the host until asked to
//! stop (SIGINT or SIGTERM; on Windows Ctrl-C, Ctrl-Break or the console closing; as a Windows
//! service, the service control manager's Stop or a system shutdown). Bad configuration exits
//! with status 64 and a message naming the file and the key. `ecma2-host service ...` installs,
//! starts, stops and removes the Windows service (docs/host.md "Windows service").

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ecma2_host::Host;
use ecma2_host::config::HostConfig;
use ecma2_host::platform::service::DEFAULT_NAME;

/// Runs ECMA2 connectors out of process and forwards every engine call to them.
#[derive(Debug, Parser)]
#[command(name = "ecma2-host", version, subcommand_negates_reqs = true)]
struct Args {
    /// The host configuration file (see deploy/host.toml).
    #[arg(long, short, env = "ECMA2_HOST_CONFIG", required = true)]
    config: Option<PathBuf>,
    /// Log format on stderr (in the log file for a service).
    #[arg(long, value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
    /// Check the configuration and exit.
    #[arg(long)]
    check: bool,
    /// Runtime threads. 1 (the default) runs the host on one thread: relaying is light, and a
    /// hand-off between threads costs more than the work it spreads. 0 means one per core.
    #[arg(long, env = "ECMA2_HOST_THREADS", default_value_t = 1, global = true)]
    threads: usize,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The Windows service: install, start, stop, uninstall (Windows only; run as administrator).
    #[command(subcommand)]
    Service(ServiceCommand),
}

#[derive(Debug, Subcommand)]
enum ServiceCommand {
    /// Register this ecma2-host.exe as a service that starts with Windows (as LocalSystem; set
    /// another account in the Services console).
    Install {
        /// The host configuration file; made absolute.
        #[arg(long, short)]
        config: PathBuf,
        /// The service name.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
        /// Where the service appends its log lines (default: ecma2-host.log next to the config).
        #[arg(long)]
        log_file: Option<PathBuf>,
    },
    /// Start the installed service and wait until it runs.
    Start {
        /// The service name.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// Stop the service (connectors get their orderly shutdown) and wait until it has stopped.
    Stop {
        /// The service name.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// Stop the service if it runs, and remove it.
    Uninstall {
        /// The service name.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// What the service control manager starts (`install` registers it); not for a console.
    Run {
        /// The service name.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
        /// The host configuration file.
        #[arg(long, short)]
        config: PathBuf,
        /// The log file, appended to.
        #[arg(long)]
        log_file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn init_logging(format: LogFormat, writer: tracing_subscriber::fmt::writer::BoxMakeWriter, ansi: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: rendering them into a log file cost a few percent per call.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::Service(command)) = args.command {
        return service(command, args.log_format, args.threads);
    }
    init_logging(
        args.log_format,
        tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::io::stderr),
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let path = args.config.expect("clap requires --config without a subcommand");
    let config = match HostConfig::load(&path) {
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
        println!("{}: ok ({} connectors)", path.display(), config.connectors.len());
        return ExitCode::SUCCESS;
    }
    match serve(config, args.threads, ecma2_host::platform::stop_requested(), || {}) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecma2-host: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs the host until `stop` resolves; `started` is called once it serves.
fn serve(
    config: HostConfig,
    threads: usize,
    stop: impl Future<Output = &'static str>,
    started: impl FnOnce(),
) -> Result<(), ecma2_host::HostError> {
    let runtime = match threads {
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        0 => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    }
    .expect("a tokio runtime");
    runtime.block_on(async move {
        let host = Host::start(config).await?;
        started();
        let why = stop.await;
        tracing::info!(reason = why, "stopping");
        host.shutdown().await;
        Ok(())
    })
}

#[cfg(not(windows))]
fn service(_command: ServiceCommand, _format: LogFormat, _threads: usize) -> ExitCode {
    eprintln!(
        "ecma2-host service: {}",
        ecma2_host::platform::service::ServiceError::Unsupported
    );
    ExitCode::from(64)
}

#[cfg(windows)]
fn service(command: ServiceCommand, format: LogFormat, threads: usize) -> ExitCode {
    use ecma2_host::platform::service::{ServiceEvent, ServicePlan, working_directory};
    use ecma2_host::platform::windows_service as win;

    let done = |what: &str, result: Result<(), ecma2_host::platform::service::ServiceError>| match result {
        Ok(()) => {
            println!("{what}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ecma2-host service: {e}");
            ExitCode::from(1)
        }
    };
    match command {
        ServiceCommand::Install { config, name, log_file } => {
            let plan = std::env::current_exe().and_then(|exe| Ok((exe, std::env::current_dir()?)));
            let plan = match plan {
                Ok((exe, cwd)) => ServicePlan::new(&name, &exe, &config, log_file.as_deref(), &cwd),
                Err(e) => {
                    eprintln!("ecma2-host service: cannot find this executable: {e}");
                    return ExitCode::from(1);
                }
            };
            let plan = match plan {
                Ok(plan) => plan,
                Err(e) => {
                    eprintln!("ecma2-host service: {e}");
                    return ExitCode::from(64);
                }
            };
            // The same validation as a start, before anything is registered.
            if let Err(e) = HostConfig::load(&plan.config) {
                eprintln!("ecma2-host: {e}");
                return ExitCode::from(64);
            }
            let log = plan.log_file.display().to_string();
            done(
                &format!(
                    "installed service {name:?}: {:?} service run ..., logging to {log}",
                    plan.executable
                ),
                win::install(&plan),
            )
        }
        ServiceCommand::Start { name } => done(&format!("service {name:?} is running"), win::start(&name)),
        ServiceCommand::Stop { name } => done(&format!("service {name:?} has stopped"), win::stop(&name)),
        ServiceCommand::Uninstall { name } => done(&format!("service {name:?} removed"), win::uninstall(&name)),
        ServiceCommand::Run { name, config, log_file } => {
            let file = match std::fs::OpenOptions::new().create(true).append(true).open(&log_file) {
                Ok(file) => file,
                Err(e) => {
                    eprintln!(
                        "ecma2-host service: cannot open the log file {}: {e}",
                        log_file.display()
                    );
                    return ExitCode::from(1);
                }
            };
            init_logging(
                format,
                tracing_subscriber::fmt::writer::BoxMakeWriter::new(std::sync::Mutex::new(file)),
                false,
            );
            let service_name = name.clone();
            let body: win::ServiceBody = Box::new(move |stop, reporter| {
                tracing::info!(service = %name, config = %config.display(), "service starting");
                if let Some(dir) = working_directory(&config)
                    && let Err(e) = std::env::set_current_dir(dir)
                {
                    tracing::warn!(dir = %dir.display(), error = %e, "cannot work in the config file's directory");
                }
                let host_config = match HostConfig::load(&config) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(error = %e, "bad configuration");
                        reporter.event(ServiceEvent::BadConfig);
                        return;
                    }
                };
                let stop = async {
                    let why = stop.await.unwrap_or("service control handler gone");
                    reporter.event(ServiceEvent::StopRequested);
                    why
                };
                match serve(host_config, threads, stop, || reporter.event(ServiceEvent::HostStarted)) {
                    Ok(()) => reporter.event(ServiceEvent::HostStopped),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot start the host");
                        reporter.event(ServiceEvent::StartFailed);
                    }
                }
            });
            match win::run(&service_name, body) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!(
                        "ecma2-host service: {e} (`service run` is what the service control manager starts; from a console run ecma2-host --config FILE)"
                    );
                    ExitCode::from(1)
                }
            }
        }
    }
}
