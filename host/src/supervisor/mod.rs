//! One supervisor per configured connector. A **command** connector: launch the process, read
//! its ready line, connect, handshake, then watch it; a crash marks it restarting and relaunches
//! it after a backoff that doubles per crash; too many crashes within the window mark it failed
//! with the reason. An **endpoint** connector (remote, such as a container): dial it (TLS),
//! handshake, then watch the connection (HTTP/2 keepalive) and `grpc.health.v1`; when it is lost
//! the connector is unavailable and the host dials again with backoff, forever. Each launch or
//! connection is a new generation: sessions of an older one are lost. Forwarding code reads the
//! current state through [`ConnectorHandle`].

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use ecma2_proto::meta;
use ecma2_proto::pb::{
    ConnectorState, Ecma2Interface, GetCapabilitiesRequest, HandshakeRequest, MaCapabilities, ShutdownRequest,
};
use ecma2_transport::Upstream;
use ecma2_transport::{Address, Connection};
use tokio::io::BufReader;
use tokio::process::{Child, Command};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::codegen::http::HeaderValue;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tracing::{Instrument, debug, error, info, info_span, warn};

use crate::config::{ConnectorConfig, HopTransport};
use crate::logs::{self, Tail};

mod handle;
mod run_gate;

pub use handle::{Client, ConnectorHandle, Ready, Transport};
pub use run_gate::{CACHED_PARAMETER_SETS, RunPermit};

/// How long the host waits for the exit status of a process that closed its stdout before it
/// was ready.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// The name the connector's gRPC health is checked under.
const HEALTH_SERVICE: &str = "ecma2.v1.ConnectorService";
/// Health checks that may fail in a row before a connector counts as lost (one slow answer from
/// a busy connector is not a reason to kill it).
const HEALTH_FAILURES: u32 = 3;

/// A launched, handshaken process.
struct Running {
    child: Child,
    ready: Ready,
    health: HealthClient<Upstream>,
}

/// Starts supervising `config`; returns the handle at once.
pub fn supervise(
    config: ConnectorConfig,
    run_dir: std::path::PathBuf,
    shutdown: CancellationToken,
    stopped: Arc<Notify>,
) -> Arc<ConnectorHandle> {
    let handle = Arc::new(ConnectorHandle::new(config));
    let h = handle.clone();
    let span = info_span!("connector", connector = %handle.name);
    tokio::spawn(
        async move {
            if h.is_remote() {
                remote_loop(&h, &shutdown).await;
            } else {
                supervise_loop(&h, &run_dir, &shutdown).await;
            }
            stopped.notify_waiters();
        }
        .instrument(span),
    );
    handle
}

async fn supervise_loop(handle: &Arc<ConnectorHandle>, run_dir: &std::path::Path, shutdown: &CancellationToken) {
    let limits = handle.config.limits.clone();
    let mut crashes: VecDeque<Instant> = VecDeque::new();
    let mut backoff = limits.restart_backoff;
    let mut generation = 0u64;
    loop {
        generation += 1;
        handle.set_state(ConnectorState::Starting);
        let launched = tokio::select! {
            r = launch(handle, run_dir, generation) => r,
            _ = shutdown.cancelled() => { handle.set_state(ConnectorState::Stopped); return; }
        };
        let mut ready_since = None;
        match launched {
            Ok(mut running) => {
                ready_since = Some(Instant::now());
                {
                    let mut live = handle.live.write().expect("live lock");
                    live.pid = running.child.id().unwrap_or_default();
                    live.ready = Some(running.ready.clone());
                    live.state = ConnectorState::Ready as i32;
                    live.last_error.clear();
                }
                handle.changed.notify_waiters();
                info!(pid = handle.status().pid, generation, "connector ready");
                let health = health_lost(running.health.clone(), limits.health_interval);
                tokio::select! {
                    why = health => {
                        error!(error = %why, "connector is not healthy; killing it");
                        handle.set_error(&why);
                        let _ = running.child.start_kill();
                        let _ = running.child.wait().await;
                    }
                    status = running.child.wait() => {
                        let text = match status {
                            Ok(s) => format!("connector process exited unexpectedly ({s})"),
                            Err(e) => format!("connector process could not be waited for: {e}"),
                        };
                        error!(error = %text, "connector crashed");
                        handle.set_error(&text);
                    }
                    _ = handle.kill_requested(generation) => {
                        let _ = running.child.start_kill();
                        let _ = running.child.wait().await;
                    }
                    _ = shutdown.cancelled() => {
                        stop(handle, running).await;
                        handle.set_state(ConnectorState::Stopped);
                        return;
                    }
                }
            }
            Err(text) => {
                error!(error = %text, "connector failed to start");
                handle.set_error(&text);
            }
        }
        let now = Instant::now();
        if ready_since.is_some_and(|t| now.duration_since(t) >= limits.crash_window) {
            // It ran healthy for a whole crash window: earlier crashes are forgiven, the wait too.
            backoff = limits.restart_backoff;
        }
        crashes.push_back(now);
        while crashes
            .front()
            .is_some_and(|t| now.duration_since(*t) > limits.crash_window)
        {
            crashes.pop_front();
        }
        if crashes.len() as u32 >= limits.max_crashes {
            let last = handle.status().last_error;
            let text = format!(
                "gave up after {} crashes within {:?}; last error: {last}",
                crashes.len(),
                limits.crash_window
            );
            error!(error = %text, "connector failed");
            handle.set_error(&text);
            handle.set_state(ConnectorState::Failed);
            shutdown.cancelled().await;
            return;
        }
        handle.set_state(ConnectorState::Restarting);
        handle.live.write().expect("live lock").restarts += 1;
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.cancelled() => { handle.set_state(ConnectorState::Stopped); return; }
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Orderly stop: the Shutdown RPC (the connector closes its sessions), then wait, then kill.
async fn stop(handle: &ConnectorHandle, mut running: Running) {
    let grace = handle.config.limits.close_grace;
    let mut client = running.ready.client.clone();
    let asked = tokio::time::timeout(
        grace,
        client.shutdown(ShutdownRequest {
            reason: "host shutting down".into(),
        }),
    )
    .await;
    if let Ok(Ok(response)) = &asked {
        info!(
            closed_sessions = response.get_ref().closed_sessions,
            "connector shut down"
        );
    }
    if tokio::time::timeout(grace, running.child.wait()).await.is_err() {
        warn!("connector did not exit within the close grace; killing it");
        let _ = running.child.start_kill();
        let _ = running.child.wait().await;
    }
}

fn random_secret() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

async fn launch(handle: &ConnectorHandle, run_dir: &std::path::Path, generation: u64) -> Result<Running, String> {
    let config = &handle.config;
    let limits = &config.limits;
    let deadline = Instant::now() + limits.start_timeout;
    let listen = match config.transport {
        HopTransport::Unix => format!(
            "unix:{}",
            run_dir.join(format!("{}-{generation}.sock", config.name)).display()
        ),
        HopTransport::Tcp => "tcp:127.0.0.1:0".to_owned(),
    };
    let secret = random_secret();
    let program = config.command.clone().unwrap_or_default();
    let mut command = Command::new(&program);
    command
        .args(&config.args)
        .envs(&config.env)
        .env(meta::env::LISTEN, &listen)
        .env(meta::env::LAUNCH_SECRET, &secret)
        .env(meta::env::HOST_PID, std::process::id().to_string())
        .env(meta::env::CONNECTOR_NAME, &config.name)
        .env(meta::env::LOG_FORMAT, "json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = &config.working_dir {
        command.current_dir(dir);
    }
    crate::platform::tie_to_host(&mut command);
    let mut child = command.spawn().map_err(|e| {
        format!(
            "cannot launch connector {:?} with command {program:?}: {e}",
            config.name
        )
    })?;
    if let Err(e) = crate::platform::adopt(&child) {
        // The SDKs' host-pid watch still ends the connector if the host dies.
        warn!(error = %e, "cannot tie the connector's lifetime to the host");
    }
    let tail = Tail::default();
    let stderr = child.stderr.take().expect("stderr is piped");
    tokio::spawn(logs::forward(handle.name.clone(), stderr, tail.clone()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut stdout = BufReader::with_capacity(logs::READ_BUFFER, stdout);

    let ready_line = tokio::select! {
        line = logs::next_line(&mut stdout) => line.map_err(|e| format!("reading the connector's stdout: {e}"))?,
        status = child.wait() => {
            // Give the stderr reader a moment to record why.
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Err(format!(
                "connector process exited before it was ready ({}); last stderr: {}",
                status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()),
                tail.text()
            ));
        }
        _ = tokio::time::sleep_until(deadline) => {
            return Err(format!("connector did not print its ready line within {:?}; last stderr: {}", limits.start_timeout, tail.text()));
        }
    };
    let Some(ready_line) = ready_line else {
        // stdout closes when the process exits; say how it exited (it usually has by now).
        let exited = match tokio::time::timeout(EXIT_WAIT, child.wait()).await {
            Ok(Ok(status)) => format!("the process exited ({status})"),
            Ok(Err(e)) => format!("the process could not be waited for: {e}"),
            Err(_) => format!("the process was still running {EXIT_WAIT:?} later"),
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        return Err(format!(
            "connector closed stdout before it was ready; {exited}; last stderr: {}",
            tail.text()
        ));
    };
    if ready_line.cut > 0 {
        warn!(
            kept = logs::MAX_LINE_BYTES,
            cut = ready_line.cut,
            "connector stdout line too long; cut"
        );
    }
    let address = parse_ready(&ready_line.text)?;
    let name = handle.name.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = logs::next_line(&mut stdout).await {
            if line.cut > 0 {
                warn!(connector = %name, kept = logs::MAX_LINE_BYTES, cut = line.cut, "connector stdout line too long; cut");
            }
            warn!(connector = %name, line = %line.text, "unexpected connector stdout");
        }
    });

    let channel = loop {
        // Small windows: unread frames of every session of this connector stay under 1 MiB.
        // A direct HTTP/2 connection, no tonic channel: see `ecma2_transport::Hop`.
        match ecma2_transport::Hop::connect(&address, ecma2_transport::Windows::LOCAL_HOP).await {
            Ok(hop) => break Upstream::Local(hop),
            Err(e) if Instant::now() >= deadline => return Err(format!("cannot connect to the connector: {e}")),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let secret_value = HeaderValue::from_str(&secret).map_err(|_| "launch secret is not ASCII".to_owned())?;
    let secure_hop = crate::platform::launched_hop_is_private(&address);
    let ready = handshake(
        handle,
        channel.clone(),
        Some(secret_value),
        generation,
        secure_hop,
        deadline,
    )
    .await?;
    Ok(Running {
        child,
        ready,
        health: HealthClient::new(channel),
    })
}

/// Handshakes over `channel` before `deadline` and reads the capabilities that matter to the
/// host: ConcurrentOperation from plain GetCapabilities, for a connector without
/// GetCapabilitiesEx (with it, each run's parameters decide: [`run_gate`]).
async fn handshake(
    handle: &ConnectorHandle,
    channel: Upstream,
    secret: Option<HeaderValue>,
    generation: u64,
    secure_hop: bool,
    deadline: Instant,
) -> Result<Ready, String> {
    let limit = handle.config.limits.start_timeout;
    let remote = secret.is_none();
    let client = Client::new(channel, secret);
    let handshake = tokio::time::timeout_at(
        deadline,
        client.clone().handshake(HandshakeRequest {
            protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
            caller_name: "ecma2-host".into(),
            caller_version: env!("CARGO_PKG_VERSION").into(),
            features: vec![ecma2_proto::meta::ENTRY_BATCHES.to_owned()],
        }),
    )
    .await
    .map_err(|_| format!("no handshake within {limit:?}"))?
    .map_err(|s| {
        // The status message alone can be as vague as "operation was canceled"; the cause chain
        // holds the transport's reason (such as a TLS alert).
        let mut reason = s.message().to_owned();
        if let Some(source) = std::error::Error::source(&s) {
            let chain = ecma2_transport::error_chain(source);
            reason = if chain.starts_with(&reason) {
                chain
            } else {
                format!("{reason}: {chain}")
            };
        }
        let mut text = format!("handshake failed: {reason}");
        // With TLS 1.3 the host's side of the handshake is done before the connector checks the
        // client certificate, so a refusal shows up as whatever the closed connection gave:
        // an alert, a cancelled or reset stream, a broken pipe. A bad server certificate says so.
        let closed = matches!(
            s.code(),
            tonic::Code::Cancelled | tonic::Code::Unavailable | tonic::Code::Unknown
        );
        let refused = (closed || reason.contains("alert")) && !reason.contains("invalid peer certificate");
        if remote && handle.config.client_tls.is_some() && refused {
            text.push_str(
                " (a connector in remote mode closes the connection when it refuses the host's client \
                 certificate: check [connector.tls] cert and key against its ECMA2_TLS_CLIENT_CA)",
            );
        }
        text
    })?
    .into_inner();

    let mut client = client;
    client
        .relay
        .set_entry_batches(handshake.features.iter().any(|f| f == ecma2_proto::meta::ENTRY_BATCHES));
    let ready = Ready {
        client: client.clone(),
        generation,
        secure_hop,
        handshake,
    };
    if ConnectorHandle::implements(&ready, Ecma2Interface::GetCapabilities) {
        match tokio::time::timeout_at(deadline, client.clone().get_capabilities(GetCapabilitiesRequest {})).await {
            Ok(Ok(r)) => {
                let caps: MaCapabilities = r.into_inner().capabilities.unwrap_or_default();
                handle.gate.set_alone_at_start(caps.concurrent_operation == Some(false));
            }
            Ok(Err(s)) => warn!(error = %s.message(), "capabilities unavailable at start"),
            Err(_) => warn!("capabilities unavailable at start: no answer in time"),
        }
    } else {
        handle.gate.set_alone_at_start(false);
    }
    Ok(ready)
}

/// Checks `grpc.health.v1` every `interval`; returns why the connector counts as lost: it said
/// NOT_SERVING (it is shutting down), or [`HEALTH_FAILURES`] checks in a row failed or went
/// unanswered for an interval.
async fn health_lost(mut health: HealthClient<Upstream>, interval: Duration) -> String {
    let mut failures = 0;
    loop {
        tokio::time::sleep(interval).await;
        let asked = tokio::time::timeout(
            interval,
            health.check(HealthCheckRequest {
                service: HEALTH_SERVICE.into(),
            }),
        )
        .await;
        let failure = match asked {
            Ok(Ok(r)) if r.get_ref().status() == ServingStatus::Serving => {
                failures = 0;
                continue;
            }
            Ok(Ok(_)) => return "the connector reports NOT_SERVING (it is shutting down)".to_owned(),
            Ok(Err(s)) => format!("health check failed: {}", s.message()),
            Err(_) => format!("health check unanswered within {interval:?}"),
        };
        failures += 1;
        debug!(failures, error = %failure, "health check failed");
        if failures >= HEALTH_FAILURES {
            return format!("{failure} ({failures} times in a row)");
        }
    }
}

/// An endpoint: dial, handshake, watch; on loss mark it unavailable and dial again with backoff
/// (never "failed": a remote connector restarts on its own schedule).
async fn remote_loop(handle: &Arc<ConnectorHandle>, shutdown: &CancellationToken) {
    let limits = handle.config.limits.clone();
    let address = handle.config.endpoint_address.clone().expect("an endpoint connector");
    let mut backoff = limits.restart_backoff;
    let mut generation = 0u64;
    let mut connected_before = false;
    loop {
        let attempt = tokio::select! {
            r = connect_remote(handle, &address, generation + 1) => r,
            _ = shutdown.cancelled() => { handle.set_state(ConnectorState::Stopped); return; }
        };
        match attempt {
            Ok((ready, connection)) => {
                generation = ready.generation;
                {
                    let mut live = handle.live.write().expect("live lock");
                    live.pid = 0;
                    live.ready = Some(ready);
                    live.state = ConnectorState::Ready as i32;
                    live.last_error.clear();
                    if connected_before {
                        live.restarts += 1;
                    }
                }
                connected_before = true;
                backoff = limits.restart_backoff;
                handle.changed.notify_waiters();
                info!(endpoint = %address, generation, "connector ready");
                let health = health_lost(
                    HealthClient::new(Upstream::Remote(connection.channel.clone())),
                    limits.health_interval,
                );
                let why = tokio::select! {
                    biased;
                    _ = shutdown.cancelled() => {
                        // Open sessions were closed by the host's shutdown; the remote connector
                        // is not ours to stop.
                        handle.set_state(ConnectorState::Stopped);
                        return;
                    }
                    _ = connection.closed() => format!("the connection to {address} was lost"),
                    why = health => why,
                    _ = handle.kill_requested(generation) => handle.status().last_error,
                };
                warn!(endpoint = %address, error = %why, "remote connector unavailable; reconnecting");
                handle.set_error(&why);
            }
            Err(text) => {
                warn!(endpoint = %address, error = %text, retry_in = ?backoff, "cannot reach the remote connector");
                handle.set_error(&text);
            }
        }
        handle.set_state(ConnectorState::Unavailable);
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.cancelled() => { handle.set_state(ConnectorState::Stopped); return; }
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

async fn connect_remote(
    handle: &ConnectorHandle,
    address: &Address,
    generation: u64,
) -> Result<(Ready, Connection), String> {
    let deadline = Instant::now() + handle.config.limits.start_timeout;
    let tls = handle.config.client_tls.as_ref();
    let connection = tokio::time::timeout_at(deadline, ecma2_transport::dial(address, tls))
        .await
        .map_err(|_| format!("cannot connect to {address}: no answer within the start timeout"))?
        .map_err(|e| e.to_string())?;
    let secure_hop = tls.is_some() || matches!(address, Address::Unix(_));
    let ready = handshake(
        handle,
        Upstream::Remote(connection.channel.clone()),
        None,
        generation,
        secure_hop,
        deadline,
    )
    .await
    .map_err(|e| format!("{address}: {e}"))?;
    Ok((ready, connection))
}

fn parse_ready(line: &str) -> Result<Address, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|_| {
        format!(
            "the connector's first stdout line is not the JSON ready line: {}",
            crate::status::quote(line)
        )
    })?;
    if value.get("ecma2").and_then(|v| v.as_str()) != Some(meta::READY_MARKER) {
        return Err(format!(
            "the connector's first stdout line is not a ready line: {}",
            crate::status::quote(line)
        ));
    }
    value
        .get("address")
        .and_then(|v| v.as_str())
        .ok_or_else(|| format!("the ready line has no address: {}", crate::status::quote(line)))?
        .parse()
        .map_err(|e: ecma2_transport::TransportError| format!("the ready line's address is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_lines_are_checked() {
        let ok = parse_ready(r#"{"ecma2":"ready","protocol":1,"address":"unix:/tmp/a.sock","pid":1,"extra":true}"#);
        assert_eq!(ok.unwrap(), Address::Unix("/tmp/a.sock".into()));
        assert!(parse_ready("hello").unwrap_err().contains("not the JSON ready line"));
        assert!(parse_ready(r#"{"ecma2":"ready"}"#).unwrap_err().contains("no address"));
    }
}
