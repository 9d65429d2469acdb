//! `ecma2-bench-python`: item 5py of [`ecma2_bench::python`] on its own (the Python SDK's import
//! through the host against the Rust demo's); prints its rows as a table on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Imports N users from the Python HR connector and the Rust demo connector through one host.
#[derive(Debug, Parser)]
#[command(name = "ecma2-bench-python")]
struct Args {
    /// N, the users each connector is seeded with and imports.
    #[arg(long, default_value_t = 100_000)]
    objects: u64,
    /// Timed rounds per connector; the best counts.
    #[arg(long, default_value_t = 2)]
    rounds: u32,
    /// Import page size (the HR connector's maximum is 1,000).
    #[arg(long, default_value_t = 1000)]
    page_size: i32,
    /// Where ecma2-host and ecma2-demo are [default: next to this executable].
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// The Python interpreter [default: sdk/python/.venv/bin/python of this repository].
    #[arg(long)]
    python: Option<PathBuf>,
    /// Put first on the HR connector's PYTHONPATH, to measure another checkout's SDK and HR
    /// connector (`OTHER/sdk/python/src:OTHER/connectors/hr-python/src`); skips the direct rows.
    #[arg(long)]
    pythonpath: Option<String>,
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
        let bins = ecma2_bench::procs::Bins::locate(args.bin_dir.as_deref())?;
        let options = ecma2_bench::Options {
            python: args.python.clone(),
            ..ecma2_bench::Options::parse_from(["ecma2-bench"])
        };
        let python = ecma2_bench::python_command(&options)
            .await
            .map_err(anyhow::Error::msg)?;
        let dir = tempfile::tempdir()?;
        let side = ecma2_bench::python::PythonSide {
            python,
            pythonpath: args.pythonpath.clone(),
        };
        let row =
            ecma2_bench::python::measure(&bins, dir.path(), &side, args.objects, args.page_size, args.rounds).await;
        let mut report = ecma2_bench::report::Report::default();
        report.header.push(format!(
            "ecma2-bench-python: {} objects, page size {}, {} rounds; load average {}",
            args.objects,
            args.page_size,
            args.rounds,
            ecma2_bench::machine::load_average()
        ));
        ecma2_bench::python::rows(&mut report, args.objects, args.rounds, &Some(row));
        anyhow::Ok(report)
    });
    match outcome {
        Ok(report) => {
            print!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ecma2-bench-python: {err:#}");
            ExitCode::FAILURE
        }
    }
}
