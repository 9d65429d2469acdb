//! Names shared by every side of the contract: gRPC metadata keys and the environment a host
//! sets when it launches a connector.

/// Request metadata key naming the target connector on engine → host calls.
pub const CONNECTOR: &str = "ecma2-connector";
/// Request metadata key carrying the per-launch secret on host → connector calls.
pub const LAUNCH_SECRET: &str = "ecma2-launch-secret";
/// Request metadata key for the engine's bearer token on engine → host calls.
pub const AUTHORIZATION: &str = "authorization";

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
