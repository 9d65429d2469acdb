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
    // The pass-through proxy of items 2 and 12 is this same program too.
    let args: Vec<String> = std::env::args().collect();
    if let [_, serve, listen, upstream] = args.as_slice() {
        if serve == ecma2_bench::proxy::SERVE_ARG {
            return ecma2_bench::proxy::serve(listen, upstream);
        }
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
