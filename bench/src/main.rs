//! `ecma2-bench`: parse the command line, run every measurement, print the table on stdout.
//! Progress goes to stderr (`RUST_LOG` filters it).

use std::process::ExitCode;

use clap::Parser;
use ecma2_bench::Options;

fn main() -> ExitCode {
    // Item 8 launches this same program as its Rust SDK generator connector.
    if std::env::args().nth(1).as_deref() == Some(ecma2_bench::generator::SERVE_ARG) {
        return ecma2_bench::generator::serve();
    }
    let options = Options::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(ecma2_bench::run(&options, &command)) {
        Ok(report) => {
            print!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("ecma2-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}
