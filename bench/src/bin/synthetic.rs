//! `ecma2-bench-synthetic`: row 11's Rust connector (see `ecma2_bench::synthetic`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match ecma2_bench::synthetic::serve().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ecma2-bench-synthetic: {err}");
            std::process::ExitCode::from(64)
        }
    }
}
