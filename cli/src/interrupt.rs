//! Ctrl-C, the sync engine's "Stop": the first one cancels the run, which closes its session
//! with TerminatedByUser and exits 130; a second one exits at once. The handler is installed
//! before any work starts and stays for the whole command, so no SIGINT is ever lost (listening
//! anew for each run left windows where the signal went to a listener that was gone). A Ctrl-C
//! that comes once the run has closed its session normally stops nothing: the run's results
//! stand, the CLI says so and exits with the run's own code.

use std::sync::atomic::{AtomicU32, Ordering};

use tokio_util::sync::CancellationToken;

use crate::output::exit;

static COUNT: AtomicU32 = AtomicU32::new(0);

/// Installs the handler; the token is cancelled by the first Ctrl-C.
pub fn install() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    #[cfg(unix)]
    let mut signals = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .expect("a SIGINT handler can be installed");
    #[cfg(windows)]
    let mut signals = tokio::signal::windows::ctrl_c().expect("a Ctrl-C handler can be installed");
    tokio::spawn(async move {
        while signals.recv().await.is_some() {
            if COUNT.fetch_add(1, Ordering::SeqCst) == 0 {
                eprintln!("\necma2: interrupted: stopping the run (Ctrl-C again to quit at once)");
                cancel.cancel();
            } else {
                eprintln!("ecma2: interrupted again: quitting now");
                std::process::exit(exit::INTERRUPTED.into());
            }
        }
    });
    token
}
