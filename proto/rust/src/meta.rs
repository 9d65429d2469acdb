//! Names shared by every side of the contract: gRPC metadata keys and the environment a host
//! sets when it launches a connector.

/// Request metadata key naming the target connector on engine → host calls.
pub const CONNECTOR: &str = "ecma2-connector";
/// Request metadata key carrying the per-launch secret on host → connector calls.
pub const LAUNCH_SECRET: &str = "ecma2-launch-secret";
/// Request metadata key for the engine's bearer token on engine → host calls.
pub const AUTHORIZATION: &str = "authorization";
/// Request metadata key listing (comma-separated) the optional features the caller accepts on
/// this call, such as [`ENTRY_BATCHES`]. Only features both sides listed in the handshake.
pub const FEATURES: &str = "ecma2-features";

/// The handshake feature (and [`FEATURES`] value) for `GetImportEntriesResponse.entry_batch`
/// frames: several whole entries in one frame.
pub const ENTRY_BATCHES: &str = "entry-batches";

/// Whether a [`FEATURES`] metadata value lists `feature`.
pub fn lists_feature(value: &str, feature: &str) -> bool {
    value.split(',').any(|f| f.trim() == feature)
}

/// Environment variables the host sets for a launched connector.
pub mod env {
    /// Where to listen: `unix:/path/to.sock` or `tcp:127.0.0.1:0`.
    pub const LISTEN: &str = "ECMA2_LISTEN";
    /// The per-launch secret every host call carries in [`super::LAUNCH_SECRET`].
    pub const LAUNCH_SECRET: &str = "ECMA2_LAUNCH_SECRET";
    /// The host's process id; the connector exits when that process is gone.
    pub const HOST_PID: &str = "ECMA2_HOST_PID";
    /// The connector's configured name in the host, for its logs.
    pub const CONNECTOR_NAME: &str = "ECMA2_CONNECTOR_NAME";
    /// Log format the host wants on stderr: `json` (default when launched by a host) or `text`.
    pub const LOG_FORMAT: &str = "ECMA2_LOG_FORMAT";
}

/// The first line a connector prints on stdout once it listens: a JSON object with at least
/// `{"ecma2": "ready", "protocol": 1, "address": "unix:/..."}`. Structured, so it can grow.
pub const READY_MARKER: &str = "ready";
