//! The host's configuration: one TOML file, parsed into typed structs that reject unknown keys,
//! then validated (names unique, commands present, addresses parse, loopback unless TLS) before
//! anything is bound or launched. Every error names the file and the key. deploy/host.toml is the
//! documented example.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ecma2_transport::Address;
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
    /// `tcp:127.0.0.1:5800` (default) or `unix:/path`. A non-loopback address is refused (TLS on
    /// the engine side is not offered yet).
    #[serde(default = "default_engine_listen")]
    pub listen: String,
    /// The bearer token file. Created with mode 0600 on first start when missing. Default:
    /// `<state_dir>/engine.token`.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            listen: default_engine_listen(),
            token_file: None,
        }
    }
}

fn default_engine_listen() -> String {
    "tcp:127.0.0.1:5800".to_owned()
}

/// The metrics listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// `tcp:127.0.0.1:9464`, loopback only.
    pub listen: String,
}

/// One connector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorConfig {
    /// The name engines use in the `ecma2-connector` metadata key.
    pub name: String,
    /// The program to launch.
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Its working directory; default: the config file's directory.
    #[serde(default)]
    pub working_dir: Option<PathBuf>,
    /// `unix` (default) or `tcp` (loopback) for the host → connector hop.
    #[serde(default)]
    pub transport: HopTransport,
    /// Timeouts and restart policy.
    #[serde(default)]
    pub limits: Limits,
}

/// The local hop's transport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HopTransport {
    /// A Unix socket in the host's private state directory.
    #[default]
    Unix,
    /// TCP on 127.0.0.1 with a port the connector picks.
    Tcp,
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
        }
    }
}

/// Durations as `"250ms"`, `"10s"`, `"5m"`, `"1h"`.
pub mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    /// Parses a duration text.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("{text:?} is not a duration like \"10s\""))?;
        let ms = match unit {
            "ms" => n,
            "s" => n * 1000,
            "m" => n * 60_000,
            "h" => n * 3_600_000,
            _ => return Err(format!("{text:?} has no unit (ms, s, m or h)")),
        };
        Ok(Duration::from_millis(ms))
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
    /// Metrics listen address.
    pub metrics_listen: Option<Address>,
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
            message: e.to_string().trim_end().replace('\n', " "),
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

        let engine_listen: Address = raw
            .engine
            .listen
            .parse()
            .map_err(|e: ecma2_transport::TransportError| invalid("engine.listen".into(), e.to_string()))?;
        if !engine_listen.is_local() {
            return Err(invalid(
                "engine.listen".into(),
                format!(
                    "{engine_listen} is not a loopback address; without TLS the host only listens on 127.0.0.1, ::1 or a Unix socket"
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
        let mut seen = std::collections::HashSet::new();
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
            if !seen.insert(c.name.clone()) {
                return Err(invalid(
                    key("name"),
                    format!("connector {:?} is configured twice", c.name),
                ));
            }
            match &c.command {
                None => {
                    return Err(invalid(
                        key("command"),
                        format!("connector {:?} has no command", c.name),
                    ));
                }
                Some(cmd) if cmd.trim().is_empty() => {
                    return Err(invalid(
                        key("command"),
                        format!("connector {:?} has an empty command", c.name),
                    ));
                }
                Some(_) => {}
            }
            c.working_dir = Some(match &c.working_dir {
                Some(d) => base.join(d),
                None => base.clone(),
            });
            if c.limits.max_crashes == 0 {
                return Err(invalid(key("limits.max_crashes"), "must be at least 1".into()));
            }
        }
        Ok(Self {
            file: file.to_owned(),
            engine_listen,
            token_file,
            state_dir,
            metrics_listen,
            connectors,
        })
    }
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
    fn durations_parse_with_units() {
        assert_eq!(duration::parse("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(duration::parse("2m").unwrap(), Duration::from_secs(120));
        assert!(duration::parse("5").is_err());
    }
}
