//! The per-call context handed to connector code: which connector, session and call this is,
//! and a cancellation signal that fires when the caller gives up (the engine stopped the run,
//! the host hit a deadline) or the process is shutting down.

use tokio_util::sync::CancellationToken;

/// Per-call context.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) cancel: CancellationToken,
    pub(crate) connector: std::sync::Arc<str>,
    pub(crate) session_id: Option<String>,
    pub(crate) call: &'static str,
}

impl Context {
    /// A context for calling connector code directly, such as in unit tests.
    pub fn detached(call: &'static str) -> Self {
        Self {
            cancel: CancellationToken::new(),
            connector: "test".into(),
            session_id: None,
            call,
        }
    }

    /// Whether the call has been cancelled. Long loops should check this between items.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Completes when the call is cancelled; use it in `tokio::select!` around slow I/O.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await
    }

    /// A clone of the cancellation token, for code that needs to own one.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// The connector's name (as the host knows it, else its own).
    pub fn connector(&self) -> &str {
        &self.connector
    }

    /// The session id, for calls within a session.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The RPC name, such as `GetImportEntries`.
    pub fn call(&self) -> &'static str {
        self.call
    }
}
