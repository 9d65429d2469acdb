//! How the kit launches a connector process itself, the way the host does (docs/runtime.md,
//! Launch): program, arguments, extra environment and working directory, plus the `ECMA2_*`
//! variables the kit sets per launch (a Unix socket in a temporary directory, a fresh launch
//! secret, the pid to watch, JSON logs). A [`Running`] process gives its ready line, a channel
//! to it, everything it wrote to stdout after the ready line and to stderr, and its exit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_transport::Address;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

use crate::check::Failure;

/// How long a launched connector may take to print its ready line.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A connector's command line, as in a host config's `[[connector]]` (`command`, `args`, `env`,
/// `working_dir`).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Its working directory (default: the kit's).
    pub working_dir: Option<PathBuf>,
}

/// What a launch sets beyond the command line.
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    /// The pid given as `ECMA2_HOST_PID` (default: the kit's own).
    pub host_pid: Option<u32>,
    /// The name given as `ECMA2_CONNECTOR_NAME` (default: `conformance`).
    pub name: Option<String>,
}

/// Lines a process wrote, collected as it runs.
#[derive(Debug, Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    /// Everything so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("lines lock").clone()
    }

    fn push(&self, line: String) {
        let mut lines = self.0.lock().expect("lines lock");
        // A flood must not eat the kit's memory; the first lines say enough.
        if lines.len() < 10_000 {
            lines.push(line);
        }
    }
}

/// A launched connector that printed its ready line.
pub struct Running {
    child: Child,
    _dir: tempfile::TempDir,
    /// The ready line as printed.
    pub ready_line: String,
    /// The ready line parsed (a JSON object).
    pub ready: serde_json::Value,
    /// The address the kit asked it to listen on.
    pub asked: Address,
    /// The address it announced.
    pub address: Address,
    /// The launch secret it was given.
    pub secret: String,
    /// A channel to it.
    pub channel: Channel,
    /// Its pid as the kit launched it.
    pub pid: u32,
    /// Lines on stdout after the ready line.
    pub stdout: Lines,
    /// Lines on stderr.
    pub stderr: Lines,
}

impl Launch {
    /// The command line as one string, for reports.
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Launches the connector and waits for its ready line; connects to the address it gives.
    pub async fn start(&self, options: LaunchOptions) -> Result<Running, Failure> {
        let dir = tempfile::Builder::new()
            .prefix("ecma2-conformance-")
            .tempdir()
            .map_err(|e| Failure::new(format!("cannot create a temporary directory: {e}")))?;
        let asked = if cfg!(unix) {
            Address::Unix(dir.path().join("c.sock"))
        } else {
            "tcp:127.0.0.1:0".parse().expect("a valid address")
        };
        let secret = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(&self.env)
            .env(meta::env::LISTEN, asked.to_string())
            .env(meta::env::LAUNCH_SECRET, &secret)
            .env(
                meta::env::HOST_PID,
                options.host_pid.unwrap_or_else(std::process::id).to_string(),
            )
            .env(
                meta::env::CONNECTOR_NAME,
                options.name.as_deref().unwrap_or("conformance"),
            )
            .env(meta::env::LOG_FORMAT, "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.working_dir {
            command.current_dir(dir);
        }
        let mut child = command
            .spawn()
            .map_err(|e| Failure::new(format!("cannot launch {}: {e}", self.display())))?;
        let pid = child.id().unwrap_or_default();
        let stderr = Lines::default();
        {
            let lines = stderr.clone();
            let mut reader = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
            tokio::spawn(async move {
                while let Ok(Some(line)) = reader.next_line().await {
                    lines.push(line);
                }
            });
        }
        let mut out = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let deadline = Instant::now() + START_TIMEOUT;
        let ready_line = tokio::select! {
            line = out.next_line() => line.map_err(|e| Failure::new(format!("reading stdout: {e}")))?,
            _ = tokio::time::sleep_until(deadline) => None,
        };
        let Some(ready_line) = ready_line else {
            let _ = child.start_kill();
            let status = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Err(Failure::new(format!(
                "the connector printed no ready line within {START_TIMEOUT:?} ({}); stderr: {}",
                match status {
                    Ok(Ok(s)) => format!("it exited: {s}"),
                    _ => "it was still running".into(),
                },
                tail(&stderr.all())
            ))
            .sent(self.display()));
        };
        let stdout = Lines::default();
        {
            let lines = stdout.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = out.next_line().await {
                    lines.push(line);
                }
            });
        }
        let ready: serde_json::Value = serde_json::from_str(&ready_line).map_err(|e| Failure {
            message: format!("the first line on stdout is not JSON: {e}"),
            sent: None,
            received: Some(ready_line.clone()),
        })?;
        let address: Address = ready
            .get("address")
            .and_then(|a| a.as_str())
            .ok_or_else(|| Failure {
                message: "the ready line has no address".into(),
                sent: None,
                received: Some(ready_line.clone()),
            })?
            .parse()
            .map_err(|e| Failure {
                message: format!("the ready line's address: {e}"),
                sent: None,
                received: Some(ready_line.clone()),
            })?;
        let channel = loop {
            match ecma2_transport::connect(&address).await {
                Ok(channel) => break channel,
                Err(e) if Instant::now() >= deadline => {
                    return Err(Failure::new(format!("cannot connect to {address}: {e}")));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        Ok(Running {
            child,
            _dir: dir,
            ready_line,
            ready,
            asked,
            address,
            secret,
            channel,
            pid,
            stdout,
            stderr,
        })
    }
}

/// The last lines of `lines`, joined, for error messages.
pub fn tail(lines: &[String]) -> String {
    let from = lines.len().saturating_sub(5);
    lines[from..].join(" | ")
}

impl Running {
    /// A client of the connector service (add the secret with [`Running::request`]).
    pub fn client(&self) -> ConnectorServiceClient<Channel> {
        ConnectorServiceClient::new(self.channel.clone())
            .max_decoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
    }

    /// A health client.
    pub fn health(&self) -> HealthClient<Channel> {
        HealthClient::new(self.channel.clone())
    }

    /// A request carrying the launch secret.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        with_secret(message, Some(&self.secret))
    }

    /// Sends SIGTERM (Unix); elsewhere kills the process.
    pub async fn terminate(&mut self) -> Result<(), Failure> {
        #[cfg(unix)]
        {
            let status = Command::new("kill")
                .arg("-TERM")
                .arg(self.pid.to_string())
                .status()
                .await
                .map_err(|e| Failure::new(format!("cannot run kill: {e}")))?;
            if !status.success() {
                return Err(Failure::new(format!("kill -TERM {} failed: {status}", self.pid)));
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            self.child
                .start_kill()
                .map_err(|e| Failure::new(format!("cannot stop the connector: {e}")))
        }
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let status = tokio::time::timeout(limit, self.child.wait()).await.ok()?.ok()?;
        // Let the readers drain what the process wrote last.
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some(status)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the process: the Shutdown RPC, then a kill after a few seconds.
    pub async fn stop(mut self) {
        let mut client = self.client();
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            client.shutdown(self.request(ecma2_proto::pb::ShutdownRequest {
                reason: "conformance check done".into(),
            })),
        )
        .await;
        if self.wait_exit(Duration::from_secs(5)).await.is_none() {
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
    }
}

/// A request with `secret` in the `ecma2-launch-secret` metadata (none: without).
pub fn with_secret<T>(message: T, secret: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(secret) = secret
        && let Ok(value) = secret.parse()
    {
        request.metadata_mut().insert(meta::LAUNCH_SECRET, value);
    }
    request
}
