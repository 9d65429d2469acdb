//! The processes a run needs, started the way production starts them: a connector launched as
//! the host launches one (`ECMA2_LISTEN`, `ECMA2_LAUNCH_SECRET`, the ready line on stdout, then a
//! handshake), and `ecma2-host` as its own process from a generated configuration file, so that
//! its memory can be read from `/proc/<pid>/status`. Every child gets SIGTERM when the benchmark
//! dies, and its stderr goes to a log file in the work directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use ecma2_proto::meta;
use ecma2_proto::pb::host_service_client::HostServiceClient;
use ecma2_proto::pb::{ConnectorState, ConnectorStatus, HandshakeRequest, ListConnectorsRequest, ShutdownRequest};
use ecma2_transport::Address;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tracing::{debug, warn};

use crate::engine::{self, Client};

/// How long any process may take to start or to stop.
const DEADLINE: Duration = Duration::from_secs(60);

/// The binaries a run launches.
#[derive(Debug, Clone)]
pub struct Bins {
    /// `ecma2-host`.
    pub host: PathBuf,
    /// `ecma2-demo`.
    pub demo: PathBuf,
}

impl Bins {
    /// The binaries in `dir`, or next to this executable.
    pub fn locate(dir: Option<&Path>) -> Result<Bins> {
        let dir = match dir {
            Some(dir) => dir.to_owned(),
            None => std::env::current_exe()
                .context("locating this executable")?
                .parent()
                .context("this executable has no directory")?
                .to_owned(),
        };
        let bins = Bins {
            host: dir.join("ecma2-host"),
            demo: dir.join("ecma2-demo"),
        };
        for path in [&bins.host, &bins.demo] {
            if !path.is_file() {
                bail!(
                    "{} is missing: build it next to ecma2-bench first (cargo build --release -p ecma2-host -p ecma2-demo, \
                     or without --release for a debug build)",
                    path.display()
                );
            }
        }
        Ok(bins)
    }
}

/// Makes `command`'s process receive SIGTERM when the benchmark process dies, so that a killed
/// run leaves no host or connector behind on a shared machine.
#[allow(unsafe_code)]
pub(crate) fn tie_to_bench(command: &mut Command) {
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl and
    // getppid, both async-signal-safe, touching no memory shared with the parent.
    unsafe {
        let parent = std::process::id() as libc::pid_t;
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                libc::_exit(0);
            }
            Ok(())
        });
    }
}

fn log_file(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))
}

/// The last lines of a log file, for error messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Sends SIGTERM by pid with the `kill` command.
pub(crate) fn terminate(pid: u32) {
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

pub(crate) async fn wait_or_kill(child: &mut Child, what: &str) {
    if tokio::time::timeout(DEADLINE, child.wait()).await.is_err() {
        warn!(process = what, "did not exit in time; killing it");
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
}

/// A connector process launched as the host launches one.
pub struct ConnectorProcess {
    child: Child,
    /// Where it listens (from its ready line).
    pub address: Address,
    /// Its launch secret.
    pub secret: String,
    /// From spawn to its ready line.
    pub to_ready_line: Duration,
    /// From spawn to a completed handshake.
    pub to_handshake: Duration,
    /// A client carrying the launch secret.
    pub client: Client,
}

impl ConnectorProcess {
    /// Its pid.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }
}

/// Launches `program args` listening on a Unix socket `<dir>/<name>.sock`, reads its ready line,
/// connects and handshakes, timing each step. Its stderr goes to `<dir>/<name>.log`.
pub async fn launch_connector(program: &Path, args: &[&str], dir: &Path, name: &str) -> Result<ConnectorProcess> {
    let socket = dir.join(format!("{name}.sock"));
    let log = dir.join(format!("{name}.log"));
    let secret = format!("bench-{}-{}", std::process::id(), name);
    let mut command = Command::new(program);
    command
        .args(args)
        .env(meta::env::LISTEN, format!("unix:{}", socket.display()))
        .env(meta::env::LAUNCH_SECRET, &secret)
        .env(meta::env::HOST_PID, std::process::id().to_string())
        .env(meta::env::CONNECTOR_NAME, name)
        .env(meta::env::LOG_FORMAT, "json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file(&log)?)
        .kill_on_drop(true);
    tie_to_bench(&mut command);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("launching {}", program.display()))?;
    let stdout = child.stdout.take().context("stdout is piped")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(DEADLINE, lines.next_line())
        .await
        .with_context(|| format!("{name}: no ready line within {DEADLINE:?}; stderr: {}", tail(&log)))??
        .with_context(|| format!("{name}: stdout closed before the ready line; stderr: {}", tail(&log)))?;
    let to_ready_line = started.elapsed();
    let ready: serde_json::Value =
        serde_json::from_str(&line).with_context(|| format!("{name}: ready line {line:?} is not JSON"))?;
    let address: Address = ready["address"]
        .as_str()
        .with_context(|| format!("{name}: ready line {line:?} has no address"))?
        .parse()?;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let mut client = engine::direct(&address, &secret).await?;
    client
        .handshake(HandshakeRequest {
            protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
            caller_name: "ecma2-bench".into(),
            caller_version: env!("CARGO_PKG_VERSION").into(),
            features: Vec::new(),
        })
        .await
        .with_context(|| format!("{name}: handshake"))?;
    let to_handshake = started.elapsed();
    debug!(connector = name, ?to_ready_line, ?to_handshake, "connector ready");
    Ok(ConnectorProcess {
        child,
        address,
        secret,
        to_ready_line,
        to_handshake,
        client,
    })
}

impl ConnectorProcess {
    /// Asks it to shut down (the Shutdown RPC, as the host does), then waits for it to exit.
    pub async fn stop(mut self) {
        let asked = tokio::time::timeout(
            DEADLINE,
            self.client.shutdown(ShutdownRequest {
                reason: "benchmark done".into(),
            }),
        )
        .await;
        if !matches!(asked, Ok(Ok(_))) {
            if let Some(pid) = self.child.id() {
                terminate(pid);
            }
        }
        wait_or_kill(&mut self.child, "connector").await;
    }
}

/// The host → connector hop of a host process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// A Unix socket (the default).
    Unix,
    /// TCP on 127.0.0.1.
    Tcp,
}

impl Hop {
    fn config_value(self) -> &'static str {
        match self {
            Hop::Unix => "unix",
            Hop::Tcp => "tcp",
        }
    }
}

/// An `ecma2-host` process with one connector, `demo`.
pub struct HostProcess {
    child: Child,
    /// Its pid (for `/proc/<pid>/status`).
    pub pid: u32,
    /// Where engines reach it.
    pub address: Address,
    /// Its engine token.
    pub token: String,
}

/// The name of the connector in every generated host configuration.
pub const CONNECTOR: &str = "demo";

/// Writes a host configuration into `dir` (engine socket, state, one demo connector reached over
/// `hop`), starts `ecma2-host` with it and waits until the connector is ready.
pub async fn start_host(bins: &Bins, dir: &Path, hop: Hop) -> Result<HostProcess> {
    start_host_with(bins, dir, hop, &[CONNECTOR], "").await
}

/// [`start_host`] with one demo connector per name in `connectors`, then the `[[connector]]`
/// tables of `extra` (TOML); waits until every connector is ready.
pub async fn start_host_with(
    bins: &Bins,
    dir: &Path,
    hop: Hop,
    connectors: &[&str],
    extra: &str,
) -> Result<HostProcess> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let socket = dir.join("engine.sock");
    let state = dir.join("state");
    let config = dir.join("host.toml");
    let log = dir.join("host.log");
    let mut text = format!(
        "state_dir = {state:?}\n\n[engine]\nlisten = \"unix:{socket}\"\n",
        state = state.display().to_string(),
        socket = socket.display(),
    );
    for name in connectors {
        text.push_str(&format!(
            "\n[[connector]]\nname = \"{name}\"\ncommand = {demo:?}\ntransport = \"{hop}\"\n",
            demo = bins.demo.display().to_string(),
            hop = hop.config_value(),
        ));
    }
    text.push_str(extra);
    let expected = connectors.len() + extra.matches("[[connector]]").count();
    std::fs::write(&config, text).with_context(|| format!("writing {}", config.display()))?;
    let mut command = Command::new(&bins.host);
    command
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(log_file(&dir.join("host.stdout"))?)
        .stderr(log_file(&log)?)
        .kill_on_drop(true);
    tie_to_bench(&mut command);
    let mut child = command
        .spawn()
        .with_context(|| format!("launching {}", bins.host.display()))?;
    let pid = child.id().context("the host exited at once")?;
    let address = Address::Unix(socket.clone());
    let token_file = state.join("engine.token");
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!(
                "ecma2-host exited during start ({status}); its log ends with:\n{}",
                tail(&log)
            );
        }
        if Instant::now() > deadline {
            bail!(
                "ecma2-host's connector was not ready within {DEADLINE:?}; its log ends with:\n{}",
                tail(&log)
            );
        }
        if socket.exists() && token_file.exists() {
            let token = std::fs::read_to_string(&token_file)?.trim().to_owned();
            if let Ok(all) = connector_statuses(&address, &token).await {
                if all.iter().any(|s| s.state() == ConnectorState::Failed) {
                    bail!(
                        "a connector of the host failed to start; its log ends with:\n{}",
                        tail(&log)
                    );
                }
                if all.len() == expected && all.iter().all(|s| s.state() == ConnectorState::Ready) {
                    return Ok(HostProcess {
                        child,
                        pid,
                        address,
                        token,
                    });
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn connector_statuses(address: &Address, token: &str) -> Result<Vec<ConnectorStatus>> {
    let channel = ecma2_transport::connect(address).await?;
    let mut request = tonic::Request::new(ListConnectorsRequest {});
    request
        .metadata_mut()
        .insert(meta::AUTHORIZATION, format!("Bearer {token}").parse()?);
    Ok(HostServiceClient::new(channel)
        .list_connectors(request)
        .await?
        .into_inner()
        .connectors)
}

async fn connector_status(address: &Address, token: &str) -> Result<ConnectorStatus> {
    connector_statuses(address, token)
        .await?
        .into_iter()
        .next()
        .context("the host lists no connector")
}

impl HostProcess {
    /// An engine client of the demo connector behind this host.
    pub async fn client(&self) -> Result<Client> {
        self.client_of(CONNECTOR).await
    }

    /// An engine client of connector `name` behind this host, over its own connection.
    pub async fn client_of(&self, name: &str) -> Result<Client> {
        engine::via_host(&self.address, &self.token, name).await
    }

    /// The pid of the connector process the host launched.
    pub async fn connector_pid(&self) -> Result<u32> {
        Ok(connector_status(&self.address, &self.token).await?.pid)
    }

    /// The pid of the connector configured as `name` (a launched connector that is running).
    pub async fn connector_pid_of(&self, name: &str) -> Result<u32> {
        connector_statuses(&self.address, &self.token)
            .await?
            .into_iter()
            .find(|s| s.name == name && s.pid != 0)
            .map(|s| s.pid)
            .with_context(|| format!("the host lists no running connector {name:?}"))
    }

    /// The host process's peak resident set size so far (VmHWM), in bytes.
    pub fn peak_rss(&self) -> Result<u64> {
        crate::machine::vm_hwm(self.pid)
    }

    /// SIGTERM (the host closes sessions and stops its connector), then waits for it to exit.
    pub async fn stop(mut self) {
        terminate(self.pid);
        wait_or_kill(&mut self.child, "ecma2-host").await;
    }
}
