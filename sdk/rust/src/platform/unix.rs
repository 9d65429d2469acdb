//! Unix: the host is gone when its pid no longer exists or this process was re-parented (the
//! host died and init adopted us); a stop is SIGTERM or SIGINT.

use std::time::Duration;

/// Watches the host process that launched this connector.
pub(crate) struct HostWatch {
    pid: u32,
    parent_at_start: u32,
}

impl HostWatch {
    /// Starts watching `pid` (the host's pid from the environment).
    pub(crate) fn new(pid: u32) -> Self {
        Self {
            pid,
            parent_at_start: std::os::unix::process::parent_id(),
        }
    }

    /// Whether the host process is gone.
    pub(crate) fn gone(&self) -> bool {
        !std::path::Path::new(&format!("/proc/{}", self.pid)).exists()
            || std::os::unix::process::parent_id() != self.parent_at_start
    }

    /// Completes once the host is gone (polled: a pid cannot be waited on portably).
    pub(crate) async fn wait(self) {
        while !self.gone() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Completes on SIGTERM or SIGINT; returns which.
pub(crate) async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    tokio::select! {
        _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => "SIGTERM",
        _ = async { match int.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => "SIGINT",
    }
}
