//! The `ecma2-demo` connector process: serves the demo directory connector as the host's
//! environment says (docs/runtime.md). Exits 64 when the environment is unusable.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match ecma2_demo::connector().serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err @ ecma2_sdk::ServeError::Env { .. }) => {
            eprintln!("ecma2-demo: {err}");
            ExitCode::from(64)
        }
        Err(err) => {
            eprintln!("ecma2-demo: {err}");
            ExitCode::FAILURE
        }
    }
}
