//! Item 8: import through the .NET bridge against the Rust engine client, on the same host and
//! connector in one run. A host with a TCP engine endpoint serves both: the Rust client speaks
//! gRPC over HTTP/2, and `Ecma2Driver.exe` on mono loads `Ecma2Bridge.dll` as the sync engine
//! would and speaks gRPC-Web over HTTP/1.1. Each side runs the same full import of the same
//! database, alternating, and the best round of each counts. The bridge build is found in
//! `bridge/dotnet/build/test` (`bridge/dotnet/scripts/check.sh` or `build.sh` + `build-ecma.sh
//! tests` make it); without it, or without mono, the row says why it was not measured.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use ecma2_proto::pb::ConfigParameter;
use ecma2_transport::Address;
use tokio::process::Command;
use tracing::info;

use crate::engine::{self, ImportRun};
use crate::procs::{Bins, CONNECTOR};

/// How long the host may take to start and its connector to become ready.
const DEADLINE: Duration = Duration::from_secs(60);

/// Both sides of item 9.
#[derive(Debug, Clone, Copy, Default)]
pub struct BridgeImport {
    /// The Rust engine client's best round.
    pub rust: ImportRun,
    /// The bridge's best round, as timed inside the driver (open to close; mono's start and the
    /// first import's JIT excluded).
    pub bridge: ImportRun,
}

impl BridgeImport {
    /// How many times faster the Rust client imports.
    pub fn ratio(&self) -> f64 {
        self.rust.rate() / self.bridge.rate().max(1e-9)
    }
}

/// Where the bridge's test build lives: `bridge/dotnet/build/test` of this repository.
pub fn bridge_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/dotnet/build/test")
}

/// Runs item 9 with `params` (the demo database) and `page_size`, `rounds` rounds per side.
pub async fn measure(
    bins: &Bins,
    work: &Path,
    params: &[ConfigParameter],
    page_size: i32,
    rounds: u32,
) -> Result<BridgeImport> {
    let dir = bridge_dir();
    for file in [
        "Ecma2Driver.exe",
        "Ecma2Bridge.dll",
        "Microsoft.MetadirectoryServicesEx.dll",
    ] {
        if !dir.join(file).is_file() {
            bail!(
                "{} is missing: run bridge/dotnet/scripts/check.sh first",
                dir.join(file).display()
            );
        }
    }
    let mono = std::process::Command::new("mono")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !mono.map(|s| s.success()).unwrap_or(false) {
        bail!("mono is not installed");
    }
    let work = work.join("bridge");
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let (mut host, listen, token_file) = start(bins, &work).await?;
    let measured = async {
        let address: Address = listen.parse().map_err(|e| anyhow::anyhow!("{listen}: {e}"))?;
        let token = std::fs::read_to_string(&token_file)?.trim().to_owned();
        let mut client = ready(&address, &token).await?;
        let schema = engine::schema(&mut client, params).await?;
        let settings = work.join("Ecma2Bridge.settings");
        let url = format!("http://{}/", listen.trim_start_matches("tcp:"));
        std::fs::write(
            &settings,
            format!(
                "host = {url}\ntoken_file = {}\nconnector = {CONNECTOR}\npage_timeout_seconds = 3600\n",
                token_file.display()
            ),
        )?;
        let mut best = BridgeImport::default();
        for round in 0..rounds.max(1) {
            let rust = engine::import_all(&mut client, params, &schema, page_size).await?;
            let bridge = driver_import(&dir, &settings, params, page_size).await?;
            info!(
                round,
                rust = rust.objects,
                rust_s = rust.elapsed.as_secs_f64(),
                bridge = bridge.objects,
                bridge_s = bridge.elapsed.as_secs_f64(),
                "item 9 round"
            );
            if rust.objects != bridge.objects {
                bail!(
                    "the Rust client imported {} objects and the bridge {}",
                    rust.objects,
                    bridge.objects
                );
            }
            if rust.rate() > best.rust.rate() {
                best.rust = rust;
            }
            if bridge.rate() > best.bridge.rate() {
                best.bridge = bridge;
            }
        }
        Ok(best)
    }
    .await;
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(host.id().unwrap_or_default().to_string())
        .status();
    let _ = tokio::time::timeout(DEADLINE, host.wait()).await;
    let _ = host.start_kill();
    measured
}

/// Starts a host whose engine endpoint is TCP on port 0; returns it, its `tcp:` address (from its
/// "host listening" log line) and its token file.
async fn start(bins: &Bins, dir: &Path) -> Result<(tokio::process::Child, String, PathBuf)> {
    let state = dir.join("state");
    let config = dir.join("host.toml");
    let log = dir.join("host.log");
    std::fs::write(
        &config,
        format!(
            "state_dir = {:?}\n\n[engine]\nlisten = \"tcp:127.0.0.1:0\"\n\n[[connector]]\nname = \"{CONNECTOR}\"\ncommand = {:?}\n",
            state.display().to_string(),
            bins.demo.display().to_string()
        ),
    )?;
    let child = Command::new(&bins.host)
        .arg("--config")
        .arg(&config)
        .arg("--log-format")
        .arg("json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("launching {}", bins.host.display()))?;
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("host listening for engines")) {
            let value: serde_json::Value =
                serde_json::from_str(line).context("the host's listening line is not JSON")?;
            let address = value["address"]
                .as_str()
                .context("the listening line has no address")?
                .to_owned();
            return Ok((child, address, state.join("engine.token")));
        }
        if started.elapsed() > DEADLINE {
            bail!("ecma2-host did not listen within {DEADLINE:?}; its log:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A client once the connector answers through the host.
async fn ready(address: &Address, token: &str) -> Result<engine::Client> {
    let started = Instant::now();
    loop {
        let mut client = engine::via_host(address, token, CONNECTOR).await?;
        match engine::schema(&mut client, &[]).await {
            Ok(_) => return Ok(client),
            Err(e) if started.elapsed() > DEADLINE => return Err(e.context("the connector was not ready in time")),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// One full import by the driver; its own timing line gives entries and milliseconds.
async fn driver_import(dir: &Path, settings: &Path, params: &[ConfigParameter], page_size: i32) -> Result<ImportRun> {
    let mut command = Command::new("mono");
    command
        .current_dir(dir)
        .env("ECMA2_BRIDGE_SETTINGS", settings)
        .arg("Ecma2Driver.exe")
        .arg("--bridge")
        .arg("Ecma2Bridge.dll");
    for p in params {
        command.arg("--param").arg(format!("{}={}", p.name, p.value));
    }
    let output = command
        .arg("import")
        .arg("--page-size")
        .arg(page_size.to_string())
        // Two imports in one process, the faster timed: the first pays for mono's JIT, which a
        // sync service pays once per start.
        .arg("--rounds")
        .arg("2")
        .stdin(Stdio::null())
        .output()
        .await
        .context("running mono Ecma2Driver.exe")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "Ecma2Driver.exe failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // "entries N pages P ms T"
    let line = stdout
        .lines()
        .find(|l| l.starts_with("entries "))
        .context("the driver printed no timing line")?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let number = |i: usize| -> Result<u64> {
        words
            .get(i)
            .and_then(|w| w.parse().ok())
            .with_context(|| format!("bad timing line {line:?}"))
    };
    Ok(ImportRun {
        objects: number(1)?,
        pages: number(3)?,
        elapsed: Duration::from_millis(number(5)?),
    })
}
