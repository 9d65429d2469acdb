//! The host's configuration: one TOML file, parsed into typed structs that reject unknown keys,
//! then validated (names unique, a command or an endpoint per connector, addresses parse, loopback
//! unless TLS, TLS files readable) before anything is bound or launched. Every error names the
//! file and the key. deploy/host.toml is the documented example; docs/host.md lists every key.
//!
//! ```toml
//! state_dir = ".ecma2-host"              # token file and connector sockets
//! [engine]
//! listen = "tcp:127.0.0.1:5800"          # or unix:/path; loopback only
//! [metrics]
//! listen = "tcp:127.0.0.1:9464"          # Prometheus text at GET /metrics; loopback only
//!
//! [[connector]]                          # launched by the host
//! name = "demo"
//! command = "ecma2-demo"
//!
//! [[connector]]                          # a remote connector (a container), reached over TLS
//! name = "hr"
//! endpoint = "tcp:10.0.0.5:7000"
//! [connector.tls]
//! ca = "certs/ca.pem"                    # CA that signs the connector's certificate
//! cert = "certs/host.pem"                # host client certificate: cert + key = mutual TLS
//! key = "certs/host-key.pem"
//! server_name = "hr.connectors.internal" # default: the endpoint's host
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ecma2_transport::{Address, ClientTls, ConnectionLimits, ServerTls, TlsClient, TlsServer};
use serde::Deserialize;

/// A configuration problem; the binary exits with status 64 on any of these.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config file {file}: cannot read it: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown or mistyped key.
    #[error("config file {file}: {message}")]
    Parse {
        /// The file.
        file: PathBuf,
        /// What toml says, including the key and line.
        message: String,
    },
    /// A value is present but not acceptable.
    #[error("config file {file}: key `{key}`: {message}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The dotted key, such as `connector[0].command`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where engines reach the host.
    #[serde(default)]
    pub engine: EngineConfig,
    /// The Prometheus metrics endpoint, if any.
    #[serde(default)]
    pub metrics: Option<MetricsConfig>,
    /// Where the host keeps its token file and connector sockets. Default: `.ecma2-host` next
    /// to the config file.
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
    /// The connectors, in order.
    #[serde(default, rename = "connector")]
    pub connectors: Vec<ConnectorConfig>,
}

/// The engine-facing listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// `tcp:127.0.0.1:5800` (default) or `unix:/path`. A non-loopback address needs `tls`.
    #[serde(default = "default_engine_listen")]
    pub listen: String,
    /// Mutual TLS for engines on another machine: the host's server certificate and the CA whose
    /// client certificates it accepts. The token is still required.
    #[serde(default)]
    pub tls: Option<EngineTls>,
    /// The bearer token file. Created with mode 0600 on first start when missing. Default:
    /// `<state_dir>/engine.token`.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// An engine connection with no call in flight for this long is closed (engines reconnect
    /// when they call again). At least every connector's `limits.session_idle_timeout`, since
    /// the end of a connection closes its idle sessions. Default: 15m, or the longest
    /// `session_idle_timeout` when that is longer.
    #[serde(default, deserialize_with = "optional_duration")]
    pub idle_timeout: Option<Duration>,
    /// A connection that has made no call with the right token this long after it was accepted
    /// is closed. Default 10s.
    #[serde(default = "default_auth_timeout", with = "duration")]
    pub auth_timeout: Duration,
    /// At most this many engine connections at once; calls over more get `RESOURCE_EXHAUSTED`
    /// naming this key. Default 256.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            listen: default_engine_listen(),
            tls: None,
            token_file: None,
            idle_timeout: None,
            auth_timeout: default_auth_timeout(),
            max_connections: default_max_connections(),
        }
    }
}

/// The engine idle timeout when `engine.idle_timeout` is not set (and no session idle timeout
/// is longer).
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(900);

fn optional_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration::deserialize(d).map(Some)
}

fn default_auth_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_max_connections() -> u32 {
    256
}

/// `[engine.tls]`: the engine endpoint serves mutual TLS. Relative paths are relative to the
/// config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineTls {
    /// PEM file with the host's server certificate chain (its names: what engines dial).
    pub cert: PathBuf,
    /// PEM file with its private key.
    pub key: PathBuf,
    /// PEM file with the CA that signs engine client certificates (`ecma2 certs init --engine`).
    pub client_ca: PathBuf,
}

fn default_engine_listen() -> String {
    "tcp:127.0.0.1:5800".to_owned()
}

/// The metrics listener: Prometheus text exposition at `GET /metrics` (see [`crate::metrics`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// `tcp:127.0.0.1:9464` (or `unix:/path`), loopback only: the metrics carry connector names
    /// and are served without authentication.
    pub listen: String,
}

/// One connector: either a `command` the host launches or an `endpoint` it dials (a remote
/// connector such as a container), never both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorConfig {
    /// The name engines use in the `ecma2-connector` metadata key.
    pub name: String,
    /// The program to launch.
    pub command: Option<String>,
    /// A remote connector's address, `tcp:HOST:PORT` (HOST an IP address or a DNS name such as a
    /// Kubernetes service, resolved at each connection). Without a `tls` table only a loopback
    /// address (or `localhost`) is accepted. The host connects, handshakes and health-checks
    /// it, marks it unavailable when the connection is lost and reconnects with backoff forever.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// TLS for an endpoint. Passwords are forwarded to an endpoint only over TLS.
    #[serde(default)]
    pub tls: Option<ConnectorTls>,
    /// The parsed endpoint (set by validation).
    #[serde(skip)]
    pub endpoint_address: Option<Address>,
    /// The loaded TLS files (set by validation).
    #[serde(skip)]
    pub client_tls: Option<ClientTls>,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Its working directory; default: the config file's directory.
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    /// `unix` (default; `tcp` on Windows) or `tcp` (loopback) for the host → connector hop.
    #[serde(default)]
    pub transport: HopTransport,
    /// Timeouts and restart policy.
    #[serde(default)]
    pub limits: Limits,
}

/// `[connector.tls]`: how the host checks a remote connector and proves who it is. Relative
/// paths are relative to the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorTls {
    /// PEM file with the CA certificate(s) that sign the connector's server certificate.
    pub ca: PathBuf,
    /// PEM file with the host's client certificate; with `key`, the hop is mutual TLS (what
    /// connectors in remote mode require).
    #[serde(default)]
    pub cert: Option<PathBuf>,
    /// PEM file with the client certificate's private key.
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// The name (DNS or IP) the connector's certificate must carry. Default: the endpoint's host
    /// (its IP address or DNS name).
    #[serde(default)]
    pub server_name: Option<String>,
}

/// The local hop's transport. Default: `unix`, or `tcp` where there are no Unix sockets
/// (Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HopTransport {
    /// A Unix socket in the host's private state directory.
    Unix,
    /// TCP on 127.0.0.1 with a port the connector picks.
    Tcp,
}

impl Default for HopTransport {
    fn default() -> Self {
        if ecma2_transport::UNIX_SOCKETS {
            Self::Unix
        } else {
            Self::Tcp
        }
    }
}

/// Per-connector limits; every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// From launch to a completed handshake. Default 20s.
    #[serde(with = "duration")]
    pub start_timeout: Duration,
    /// The longest one forwarded call may take. Default 300s.
    #[serde(with = "duration")]
    pub call_deadline: Duration,
    /// A session with no call for this long is closed. Default 900s.
    #[serde(with = "duration")]
    pub session_idle_timeout: Duration,
    /// How long Close (and shutdown) may take before the process is killed. Default 10s.
    #[serde(with = "duration")]
    pub close_grace: Duration,
    /// First restart delay after a crash, doubled per crash up to 30s. Default 200ms.
    #[serde(with = "duration")]
    pub restart_backoff: Duration,
    /// Crashes within `crash_window` after which the host gives up. Default 5.
    pub max_crashes: u32,
    /// The window for counting crashes. Default 60s.
    #[serde(with = "duration")]
    pub crash_window: Duration,
    /// Endpoints: how often the host checks a connected connector with `grpc.health.v1` (a check
    /// that fails, or does not answer within this interval, counts as a lost connection).
    /// Default 5s.
    #[serde(with = "duration")]
    pub health_interval: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            start_timeout: Duration::from_secs(20),
            call_deadline: Duration::from_secs(300),
            session_idle_timeout: Duration::from_secs(900),
            close_grace: Duration::from_secs(10),
            restart_backoff: Duration::from_millis(200),
            max_crashes: 5,
            crash_window: Duration::from_secs(60),
            health_interval: Duration::from_secs(5),
        }
    }
}

/// Durations as `"250ms"`, `"10s"`, `"5m"`, `"1h"`, or combined as `"1m30s"` (humantime's
/// syntax). Zero is refused (no limit is meant to be instant), and so is anything over
/// [`duration::MAX`], which also keeps deadlines from overflowing the clock.
pub mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    /// The longest duration a key takes: 365 days.
    pub const MAX: Duration = Duration::from_secs(365 * 24 * 3600);

    /// Parses a duration text.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let text = text.trim();
        let value = humantime::parse_duration(text)
            .map_err(|e| format!("{text:?} is not a duration like \"10s\" or \"1m30s\": {e}"))?;
        if value.is_zero() {
            return Err(format!("{text:?} is zero; a duration must be greater than zero"));
        }
        if value > MAX {
            return Err(format!("{text:?} is longer than the maximum of 365 days"));
        }
        Ok(value)
    }

    /// serde adapter.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A validated configuration with paths resolved.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The file it came from (for messages).
    pub file: PathBuf,
    /// Engine listen address.
    pub engine_listen: Address,
    /// Token file path.
    pub token_file: PathBuf,
    /// State directory.
    pub state_dir: PathBuf,
    /// The engine endpoint's mutual TLS, loaded (`[engine.tls]`).
    pub engine_tls: Option<ServerTls>,
    /// Metrics listen address.
    pub metrics_listen: Option<Address>,
    /// The limits of engine connections (`engine.idle_timeout`, `auth_timeout`,
    /// `max_connections`).
    pub engine_limits: ConnectionLimits,
    /// Connectors.
    pub connectors: Vec<ConnectorConfig>,
}

impl HostConfig {
    /// Reads and validates `file`.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            file: file.to_owned(),
            source,
        })?;
        Self::parse(file, &text)
    }

    /// Parses and validates `text` as if read from `file`.
    pub fn parse(file: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let invalid = |key: String, message: String| ConfigError::Invalid {
            file: file.to_owned(),
            key,
            message,
        };
        let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        // Connectors run in another working directory and get paths under the state directory:
        // every path handed on must be absolute, whatever directory the host was started from.
        let base = std::path::absolute(&base).unwrap_or(base);

        let engine_listen: Address = raw
            .engine
            .listen
            .parse()
            .map_err(|e: ecma2_transport::TransportError| invalid("engine.listen".into(), e.to_string()))?;
        let engine_tls = match &raw.engine.tls {
            Some(tls) => {
                let files = TlsServer {
                    cert: base.join(&tls.cert),
                    key: base.join(&tls.key),
                    client_ca: base.join(&tls.client_ca),
                };
                let loaded = files.load().map_err(|e| {
                    let which = match &e {
                        ecma2_transport::TransportError::TlsFile { file, .. } if *file == files.key => "key",
                        ecma2_transport::TransportError::TlsFile { file, .. } if *file == files.client_ca => {
                            "client_ca"
                        }
                        _ => "cert",
                    };
                    invalid(format!("engine.tls.{which}"), e.to_string())
                })?;
                if matches!(engine_listen, Address::Unix(_)) {
                    return Err(invalid(
                        "engine.tls".into(),
                        format!("{engine_listen} is a Unix socket; TLS is for tcp: addresses"),
                    ));
                }
                Some(loaded)
            }
            None => None,
        };
        if !engine_listen.is_local() && engine_tls.is_none() {
            return Err(invalid(
                "engine.listen".into(),
                format!(
                    "{engine_listen} is not a loopback address; without TLS the host only listens on 127.0.0.1, ::1 or a \
                     Unix socket: add an [engine.tls] table (cert, key, client_ca) to serve engines on other machines \
                     over mutual TLS"
                ),
            ));
        }
        let metrics_listen = match &raw.metrics {
            Some(m) => {
                let a: Address = m
                    .listen
                    .parse()
                    .map_err(|e: ecma2_transport::TransportError| invalid("metrics.listen".into(), e.to_string()))?;
                if !a.is_local() {
                    return Err(invalid(
                        "metrics.listen".into(),
                        format!("{a} is not a loopback address"),
                    ));
                }
                Some(a)
            }
            None => None,
        };
        let state_dir = raw
            .state_dir
            .map(|d| base.join(d))
            .unwrap_or_else(|| base.join(".ecma2-host"));
        let token_file = raw
            .engine
            .token_file
            .map(|f| base.join(f))
            .unwrap_or_else(|| state_dir.join("engine.token"));

        let mut connectors = raw.connectors;
        if connectors.is_empty() {
            return Err(invalid("connector".into(), "no connector is configured".into()));
        }
        let mut seen = std::collections::HashMap::new();
        for (i, c) in connectors.iter_mut().enumerate() {
            let key = |k: &str| format!("connector[{i}].{k}");
            if c.name.is_empty()
                || !c
                    .name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
            {
                return Err(invalid(
                    key("name"),
                    format!(
                        "{:?} must be non-empty and use only letters, digits, '-', '_' or '.'",
                        c.name
                    ),
                ));
            }
            if let Some(first) = seen.get(&c.name.to_ascii_lowercase()) {
                return Err(invalid(
                    key("name"),
                    format!(
                        "connector {:?} is configured twice (as {first:?}; names differ in case at most)",
                        c.name
                    ),
                ));
            }
            seen.insert(c.name.to_ascii_lowercase(), c.name.clone());
            match (&c.command, &c.endpoint) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        key("endpoint"),
                        format!(
                            "connector {:?} has both a command and an endpoint; they are mutually exclusive",
                            c.name
                        ),
                    ));
                }
                (None, None) => {
                    return Err(invalid(
                        key("command"),
                        format!("connector {:?} has no command (or endpoint)", c.name),
                    ));
                }
                (Some(cmd), None) if cmd.trim().is_empty() => {
                    return Err(invalid(
                        key("command"),
                        format!("connector {:?} has an empty command", c.name),
                    ));
                }
                (Some(_), None) => {
                    if c.tls.is_some() {
                        return Err(invalid(
                            key("tls"),
                            "TLS settings are for endpoints; a launched connector is reached over a private \
                             Unix socket or loopback"
                                .into(),
                        ));
                    }
                    if c.transport == HopTransport::Unix && !ecma2_transport::UNIX_SOCKETS {
                        return Err(invalid(
                            key("transport"),
                            "unix sockets are not available on this platform; use transport = \"tcp\"".into(),
                        ));
                    }
                    c.working_dir = Some(match &c.working_dir {
                        Some(d) => base.join(d),
                        None => base.clone(),
                    });
                }
                (None, Some(endpoint)) => {
                    validate_endpoint(c, endpoint.clone(), &base, &key).map_err(|(k, m)| invalid(k, m))?;
                }
            }
            if c.limits.max_crashes == 0 {
                return Err(invalid(key("limits.max_crashes"), "must be at least 1".into()));
            }
            if let Some(idle) = raw.engine.idle_timeout
                && idle < c.limits.session_idle_timeout
            {
                return Err(invalid(
                    "engine.idle_timeout".into(),
                    format!(
                        "{idle:?} is shorter than {} ({:?}): closing an idle engine connection closes its \
                         sessions, so it must be at least the longest session idle timeout",
                        key("limits.session_idle_timeout"),
                        c.limits.session_idle_timeout
                    ),
                ));
            }
        }
        if raw.engine.max_connections == 0 {
            return Err(invalid("engine.max_connections".into(), "must be at least 1".into()));
        }
        let engine_limits = ConnectionLimits {
            name: "engine",
            idle_timeout: raw.engine.idle_timeout.unwrap_or_else(|| {
                connectors
                    .iter()
                    .map(|c| c.limits.session_idle_timeout)
                    .fold(DEFAULT_IDLE_TIMEOUT, Duration::max)
            }),
            auth_timeout: Some(raw.engine.auth_timeout),
            max_connections: raw.engine.max_connections as usize,
        };
        Ok(Self {
            engine_limits,
            file: file.to_owned(),
            engine_listen,
            engine_tls,
            token_file,
            state_dir,
            metrics_listen,
            connectors,
        })
    }
}

impl HostConfig {
    /// What `--check` adds to [`HostConfig::parse`]: each launched connector's `command` must
    /// name an executable file, on `PATH` when it is a bare name, else relative to the
    /// connector's working directory. (Start does not require it: a connector whose program is
    /// missing is FAILED with the reason, and the others run.)
    pub fn check_commands(&self) -> Result<(), ConfigError> {
        for (i, c) in self.connectors.iter().enumerate() {
            let Some(command) = &c.command else { continue };
            let found = if command.contains('/') {
                let path = Path::new(command);
                let path = match &c.working_dir {
                    Some(dir) if path.is_relative() => dir.join(path),
                    _ => path.to_owned(),
                };
                is_executable(&path).then_some(path)
            } else {
                std::env::var_os("PATH")
                    .map(|paths| {
                        std::env::split_paths(&paths)
                            .map(|d| d.join(command))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .find(|p| is_executable(p))
            };
            if found.is_none() {
                return Err(ConfigError::Invalid {
                    file: self.file.clone(),
                    key: format!("connector[{i}].command"),
                    message: format!(
                        "connector {:?}: {command:?} is not an executable file{}",
                        c.name,
                        if command.contains('/') { "" } else { " on PATH" }
                    ),
                });
            }
        }
        Ok(())
    }
}

fn is_executable(path: &Path) -> bool {
    crate::platform::is_executable(path)
}

/// Checks and resolves an endpoint connector: the address, TLS (required off loopback), the TLS
/// files, and no launch settings. Errors are (key, message).
fn validate_endpoint(
    c: &mut ConnectorConfig,
    endpoint: String,
    base: &Path,
    key: &dyn Fn(&str) -> String,
) -> Result<(), (String, String)> {
    let address: Address = endpoint
        .parse()
        .map_err(|e: ecma2_transport::TransportError| (key("endpoint"), e.to_string()))?;
    if !c.args.is_empty() || !c.env.is_empty() || c.working_dir.is_some() {
        let which = if !c.args.is_empty() {
            "args"
        } else if !c.env.is_empty() {
            "env"
        } else {
            "working_dir"
        };
        return Err((
            key(which),
            format!(
                "connector {:?} is an endpoint; {which} only applies to a command",
                c.name
            ),
        ));
    }
    match &mut c.tls {
        None if !address.is_local() => {
            return Err((
                key("endpoint"),
                format!(
                    "{address} is not a loopback address; a remote connector is only reached over TLS: add a \
                     [connector.tls] table (ca, and cert + key for mutual TLS)"
                ),
            ));
        }
        None => {}
        Some(tls) => {
            tls.ca = base.join(&tls.ca);
            tls.cert = tls.cert.as_ref().map(|p| base.join(p));
            tls.key = tls.key.as_ref().map(|p| base.join(p));
            let which = match (&tls.cert, &tls.key) {
                (Some(_), None) => Some("tls.key"),
                (None, Some(_)) => Some("tls.cert"),
                _ => None,
            };
            if let Some(which) = which {
                return Err((
                    key(which),
                    "cert and key go together: both for mutual TLS, neither for server authentication only".into(),
                ));
            }
            let loaded = TlsClient {
                ca: tls.ca.clone(),
                cert: tls.cert.clone(),
                key: tls.key.clone(),
                server_name: tls.server_name.clone(),
            }
            .load()
            .map_err(|e| {
                let which = match &e {
                    ecma2_transport::TransportError::TlsFile { file, .. } if *file == tls.ca => "tls.ca",
                    ecma2_transport::TransportError::TlsFile { file, .. } if Some(file) == tls.key.as_ref() => {
                        "tls.key"
                    }
                    ecma2_transport::TransportError::TlsFile { .. } => "tls.cert",
                    _ => "tls.server_name",
                };
                (key(which), e.to_string())
            })?;
            c.client_tls = Some(loaded);
        }
    }
    c.endpoint_address = Some(address);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HostConfig, ConfigError> {
        HostConfig::parse(Path::new("/etc/ecma2/host.toml"), text)
    }

    #[test]
    fn a_minimal_config_gets_the_documented_defaults() {
        let c = parse("[[connector]]\nname = \"demo\"\ncommand = \"ecma2-demo\"\n").unwrap();
        assert_eq!(c.engine_listen.to_string(), "tcp:127.0.0.1:5800");
        assert_eq!(c.token_file, PathBuf::from("/etc/ecma2/.ecma2-host/engine.token"));
        assert_eq!(c.connectors[0].limits.call_deadline, Duration::from_secs(300));
        assert_eq!(c.connectors[0].transport, HopTransport::Unix);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let unknown = parse("[engine]\nlisten = \"tcp:127.0.0.1:1\"\nbogus = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("/etc/ecma2/host.toml") && unknown.contains("bogus"),
            "{unknown}"
        );
        let missing = parse("[[connector]]\nname = \"x\"\n").unwrap_err().to_string();
        assert!(missing.contains("connector[0].command"), "{missing}");
        let addr = parse("[engine]\nlisten = \"nowhere\"\n[[connector]]\nname=\"x\"\ncommand=\"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(addr.contains("engine.listen") && addr.contains("nowhere"), "{addr}");
        let public = parse("[engine]\nlisten = \"tcp:0.0.0.0:5800\"\n[[connector]]\nname=\"x\"\ncommand=\"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(public.contains("not a loopback address"), "{public}");
        let dur = parse("[[connector]]\nname=\"x\"\ncommand=\"y\"\n[connector.limits]\nclose_grace = \"ten\"\n")
            .unwrap_err()
            .to_string();
        assert!(dur.contains("close_grace") || dur.contains("ten"), "{dur}");
    }

    #[test]
    fn endpoints_are_checked() {
        let both = parse("[[connector]]\nname=\"x\"\ncommand=\"y\"\nendpoint=\"tcp:127.0.0.1:7000\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            both.contains("connector[0].endpoint") && both.contains("mutually exclusive"),
            "{both}"
        );
        let plain_remote = parse("[[connector]]\nname=\"x\"\nendpoint=\"tcp:10.0.0.5:7000\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            plain_remote.contains("connector[0].endpoint") && plain_remote.contains("[connector.tls]"),
            "{plain_remote}"
        );
        let loopback = parse("[[connector]]\nname=\"x\"\nendpoint=\"tcp:127.0.0.1:7000\"\n").unwrap();
        assert_eq!(
            loopback.connectors[0].endpoint_address,
            Some("tcp:127.0.0.1:7000".parse().unwrap())
        );
        let args = parse("[[connector]]\nname=\"x\"\nendpoint=\"tcp:127.0.0.1:1\"\nargs=[\"-v\"]\n")
            .unwrap_err()
            .to_string();
        assert!(args.contains("connector[0].args"), "{args}");
        let tls_on_command = parse("[[connector]]\nname=\"x\"\ncommand=\"y\"\n[connector.tls]\nca=\"ca.pem\"\n")
            .unwrap_err()
            .to_string();
        assert!(tls_on_command.contains("connector[0].tls"), "{tls_on_command}");
        let half = parse(
            "[[connector]]\nname=\"x\"\nendpoint=\"tcp:10.0.0.5:7000\"\n[connector.tls]\nca=\"ca.pem\"\ncert=\"c.pem\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(half.contains("connector[0].tls.key"), "{half}");
        let missing =
            parse("[[connector]]\nname=\"x\"\nendpoint=\"tcp:10.0.0.5:7000\"\n[connector.tls]\nca=\"ca.pem\"\n")
                .unwrap_err()
                .to_string();
        assert!(
            missing.contains("connector[0].tls.ca") && missing.contains("/etc/ecma2/ca.pem"),
            "{missing}"
        );
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(duration::parse("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(duration::parse("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(duration::parse("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(duration::parse("1m30s").unwrap(), Duration::from_secs(90));
        assert!(duration::parse("5").is_err());
    }

    #[test]
    fn zero_and_overflowing_durations_are_refused_naming_the_key() {
        for (key, value, says) in [
            ("health_interval", "0ms", "zero"),
            ("call_deadline", "0s", "zero"),
            ("close_grace", "18446744073709551615s", "close_grace"),
            ("session_idle_timeout", "400days", "365 days"),
        ] {
            let text =
                format!("[[connector]]\nname = \"a\"\ncommand = \"b\"\n[connector.limits]\n{key} = \"{value}\"\n");
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.contains(key) && err.contains(says), "{key} = {value}: {err}");
        }
    }

    #[test]
    fn names_differing_only_in_case_are_refused() {
        let err =
            parse("[[connector]]\nname = \"demo\"\ncommand = \"b\"\n[[connector]]\nname = \"DEMO\"\ncommand = \"b\"\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("connector[1].name") && err.contains("\"demo\""), "{err}");
    }

    #[test]
    fn engine_connection_limits_have_defaults_and_are_checked() {
        let one = "[[connector]]\nname = \"a\"\ncommand = \"b\"\n";
        let limits = parse(one).unwrap().engine_limits;
        assert_eq!(limits.idle_timeout, Duration::from_secs(900));
        assert_eq!(limits.auth_timeout, Some(Duration::from_secs(10)));
        assert_eq!(limits.max_connections, 256);
        // Unset, the idle timeout follows the longest session idle timeout.
        let long = format!("{one}[connector.limits]\nsession_idle_timeout = \"1h\"\n");
        assert_eq!(
            parse(&long).unwrap().engine_limits.idle_timeout,
            Duration::from_secs(3600)
        );
        let set = format!(
            "[engine]\nidle_timeout = \"2s\"\nauth_timeout = \"1s\"\nmax_connections = 3\n{one}\
             [connector.limits]\nsession_idle_timeout = \"2s\"\n"
        );
        let limits = parse(&set).unwrap().engine_limits;
        assert_eq!(
            (limits.idle_timeout, limits.auth_timeout, limits.max_connections),
            (Duration::from_secs(2), Some(Duration::from_secs(1)), 3)
        );
        for (text, key) in [
            (
                format!("[engine]\nidle_timeout = \"1m\"\n{long}"),
                "engine.idle_timeout",
            ),
            (
                format!("[engine]\nmax_connections = 0\n{one}"),
                "engine.max_connections",
            ),
            (format!("[engine]\nauth_timeout = \"0s\"\n{one}"), "auth_timeout"),
            (format!("[engine]\nmax_conections = 1\n{one}"), "max_conections"),
        ] {
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
    }

    #[test]
    fn check_refuses_a_command_that_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[[connector]]\nname = \"a\"\ncommand = \"ecma2-no-such-program\"\n[[connector]]\nname = \"b\"\ncommand = \"sh\"\n";
        let config = HostConfig::parse(&dir.path().join("host.toml"), text).unwrap();
        let err = config.check_commands().unwrap_err().to_string();
        assert!(
            err.contains("connector[0].command") && err.contains("ecma2-no-such-program"),
            "{err}"
        );
        let text = "[[connector]]\nname = \"b\"\ncommand = \"./missing/bin\"\n";
        let config = HostConfig::parse(&dir.path().join("host.toml"), text).unwrap();
        assert!(
            config
                .check_commands()
                .unwrap_err()
                .to_string()
                .contains("connector[0].command")
        );
        let text = "[[connector]]\nname = \"b\"\ncommand = \"sh\"\n";
        HostConfig::parse(&dir.path().join("host.toml"), text)
            .unwrap()
            .check_commands()
            .expect("sh is on PATH");
    }

    #[test]
    fn paths_of_a_relative_config_file_are_absolute() {
        let config = HostConfig::parse(
            Path::new("deploy/host.toml"),
            "[[connector]]\nname = \"a\"\ncommand = \"b\"\n",
        )
        .unwrap();
        assert!(config.state_dir.is_absolute(), "{config:?}");
        assert!(config.token_file.is_absolute(), "{config:?}");
        assert!(
            config.connectors[0].working_dir.as_ref().unwrap().is_absolute(),
            "{config:?}"
        );
    }
}
