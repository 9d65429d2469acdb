//! `ecma2-bench-import`: the bench's engine client (item 1c's code, `ecma2_bench::engine`) as a
//! command, so `bench/scripts/engine-import.sh` can time it beside the `ecma2` CLI in one run,
//! through the same host and connector. It reads every page of one full import of the demo and
//! stores nothing; it prints `objects seconds` on one line.
//!
//!   ecma2-bench-import ADDRESS TOKEN_FILE PAGE_SIZE NAME=VALUE...

use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use ecma2_bench::engine;

async fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, token_file, page_size, params @ ..] = args.as_slice() else {
        bail!("usage: ecma2-bench-import ADDRESS TOKEN_FILE PAGE_SIZE NAME=VALUE...");
    };
    let address = address.parse().with_context(|| format!("address {address:?}"))?;
    let token = std::fs::read_to_string(token_file).with_context(|| format!("reading {token_file}"))?;
    let page_size: i32 = page_size.parse().with_context(|| format!("page size {page_size:?}"))?;
    let params = params
        .iter()
        .map(|p| match p.split_once('=') {
            Some((name, value)) => Ok(engine::param(name, value)),
            None => bail!("parameter {p:?} is not NAME=VALUE"),
        })
        .collect::<Result<Vec<_>>>()?;
    let mut client = engine::via_host(&address, token.trim(), "demo").await?;
    let schema = engine::schema(&mut client, &params).await?;
    let run = engine::import_all(&mut client, &params, &schema, page_size).await?;
    println!("{} {:.3}", run.objects, run.elapsed.as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ecma2-bench-import: {err:#}");
            ExitCode::FAILURE
        }
    }
}
