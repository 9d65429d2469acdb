//! Process checks: the host's view of a connector process (docs/runtime.md). Each launches its
//! own copy of the connector from [`Launch`](crate::Launch), talks to it directly (not through
//! the host, which would hide what it enforces itself: page sizes, fragments, secrets) and
//! watches its stdout, stderr and exit status. The rules on sessions, paging and framing that
//! need an open session are in [`super::process_sessions`].

use std::time::Duration;

use ecma2_proto::pb::*;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::launch::{LaunchOptions, Running, tail, with_secret};
use crate::run_fn;
use crate::subject::Subject;

/// How long a connector may take to close its sessions and exit once told to stop.
pub const EXIT_GRACE: Duration = Duration::from_secs(15);

/// The health service names a connector reports under.
const HEALTH_NAMES: [&str; 2] = ["", "ecma2.v1.ConnectorService"];

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    let check = |id, rule, doc, run| Check {
        id,
        category: Category::Process,
        rule,
        writes: None,
        needs: &[Need::Launch],
        doc,
        run,
    };
    let mut checks = vec![
        check(
            "ready-line",
            "once listening, the connector prints one JSON ready line on stdout: ecma2=ready, protocol, address, pid",
            "docs/runtime.md#ready-line",
            run_fn!(ready_line),
        ),
        check(
            "launch-secret",
            "every call but grpc.health.v1 without the launch secret, or with a wrong one, gets UNAUTHENTICATED",
            "docs/runtime.md#launch",
            run_fn!(launch_secret),
        ),
        check(
            "health",
            "grpc.health.v1 reports SERVING for \"\" and ecma2.v1.ConnectorService, and NOT_SERVING once shutting down",
            "docs/runtime.md#services",
            run_fn!(health),
        ),
        check(
            "handshake-no-common-version",
            "a handshake with no common protocol version is refused with FAILED_PRECONDITION",
            "docs/runtime.md#handshake",
            run_fn!(no_common_version),
        ),
        check(
            "sigterm-closes-sessions",
            "on SIGTERM the connector closes every open session (TerminatedShuttingDown), logs closed_sessions and exits 0",
            "docs/runtime.md#shutdown",
            run_fn!(sigterm),
        ),
        check(
            "shutdown-rpc",
            "the Shutdown RPC closes every open session, answers how many, and the process exits 0",
            "docs/runtime.md#shutdown",
            run_fn!(shutdown_rpc),
        ),
        check(
            "logs-json-stderr",
            "logs are JSON objects on stderr (timestamp, level, message); nothing on stdout after the ready line; no secret in them",
            "docs/runtime.md#logs",
            run_fn!(logs),
        ),
    ];
    if cfg!(unix) {
        checks.insert(
            5,
            check(
                "host-pid-watch",
                "when the process named by ECMA2_HOST_PID is gone, the connector shuts down and exits 0",
                "docs/runtime.md#launch",
                run_fn!(host_pid_watch),
            ),
        );
    }
    checks.extend(super::process_sessions::checks());
    checks
}

/// Launches the subject's connector.
pub async fn launch(s: &Subject<'_>, mut options: LaunchOptions) -> Result<Running, Failure> {
    let launch = s.launch.as_ref().ok_or_else(|| Failure::new(Need::Launch.missing()))?;
    options.name.get_or_insert_with(|| s.connector.clone());
    launch.start(options).await
}

/// Opens `n` sessions directly on `r` (import when the connector imports, else export); returns
/// their ids. Empty when it does neither.
pub async fn open_sessions(s: &Subject<'_>, r: &Running, n: usize) -> Result<Vec<String>, Failure> {
    let mut client = r.client();
    let mut ids = Vec::new();
    for _ in 0..n {
        let id = if s.has(Ecma2Interface::CallImport) {
            client
                .open_import_connection(r.request(OpenImportConnectionRequest {
                    config_parameters: s.params.clone(),
                    types: Some(s.schema.clone()),
                    import_run_step: Some(OpenImportConnectionRunStep {
                        import_type: OperationType::Full as i32,
                        ..Default::default()
                    }),
                }))
                .await
                .map_err(|e| Failure::from(e).sent("OpenImportConnection (direct)"))?
                .into_inner()
                .session_id
        } else if s.has(Ecma2Interface::CallExport) {
            client
                .open_export_connection(r.request(OpenExportConnectionRequest {
                    config_parameters: s.params.clone(),
                    types: Some(s.schema.clone()),
                    export_run_step: Some(OpenExportConnectionRunStep {
                        export_type: OperationType::Delta as i32,
                        ..Default::default()
                    }),
                }))
                .await
                .map_err(|e| Failure::from(e).sent("OpenExportConnection (direct)"))?
                .into_inner()
                .session_id
        } else {
            return Ok(ids);
        };
        ids.push(id);
    }
    Ok(ids)
}

/// The stderr lines parsed as JSON objects (lines that are not are left out).
fn records(lines: &[String]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| match v {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// The number of sessions the connector logged it closed at shutdown: the `closed_sessions`
/// field of any record (`closed` is accepted from SDKs that predate the name).
fn logged_closed(lines: &[String]) -> Option<u64> {
    records(lines)
        .iter()
        .filter_map(|r| {
            let field = |name: &str| {
                r.get(name)
                    .or_else(|| r.get("fields").and_then(|f| f.get(name)))
                    .and_then(|v| v.as_u64())
            };
            field("closed_sessions").or_else(|| field("closed"))
        })
        .max()
}

async fn ready_line(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let mut problems = Vec::new();
    if r.ready.get("ecma2").and_then(|v| v.as_str()) != Some(ecma2_proto::meta::READY_MARKER) {
        problems.push("\"ecma2\" is not \"ready\"".to_owned());
    }
    match r.ready.get("protocol").and_then(|v| v.as_u64()) {
        Some(p) if ecma2_proto::PROTOCOL_VERSIONS.contains(&(p as u32)) => {}
        other => problems.push(format!(
            "\"protocol\" is {other:?}, not one of {:?}",
            ecma2_proto::PROTOCOL_VERSIONS
        )),
    }
    match r.ready.get("pid").and_then(|v| v.as_u64()) {
        Some(pid) if pid == u64::from(r.pid) => {}
        Some(pid) => problems.push(format!(
            "\"pid\" is {pid} but the launched process is {} (a wrapper script must exec the connector, or signals miss it)",
            r.pid
        )),
        None => problems.push("\"pid\" is missing or not a number".to_owned()),
    }
    if r.address != r.asked {
        problems.push(format!("\"address\" is {} but {} was asked", r.address, r.asked));
    }
    let line = r.ready_line.clone();
    let asked = r.asked.to_string();
    r.stop().await;
    if problems.is_empty() {
        Ok(Outcome::pass(format!("ready line: {line}")))
    } else {
        Ok(Outcome::fail(problems.join("; "))
            .sent(format!("launch with ECMA2_LISTEN={asked}"))
            .received(line))
    }
}

async fn launch_secret(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let mut client = r.client();
    let request = || HandshakeRequest {
        protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
        caller_name: "ecma2 conformance".into(),
        ..Default::default()
    };
    let mut problems = Vec::new();
    let mut received = Vec::new();
    for (what, secret) in [
        ("without the secret", None),
        ("with a wrong secret", Some("wrong-secret")),
    ] {
        match client.handshake(with_secret(request(), secret)).await {
            Err(e) if e.code() == tonic::Code::Unauthenticated => {}
            Err(e) => {
                problems.push(format!("Handshake {what} got {:?}, not UNAUTHENTICATED", e.code()));
                received.push(format!("{:?}: {}", e.code(), e.message()));
            }
            Ok(_) => {
                problems.push(format!("Handshake {what} was answered"));
                received.push("a HandshakeResponse".into());
            }
        }
    }
    if let Err(e) = client.handshake(r.request(request())).await {
        problems.push(format!(
            "Handshake with the right secret failed: {:?} {}",
            e.code(),
            e.message()
        ));
    }
    r.stop().await;
    if problems.is_empty() {
        Ok(Outcome::pass(
            "calls without the launch secret or with a wrong one: UNAUTHENTICATED",
        ))
    } else {
        Ok(Outcome::fail(problems.join("; "))
            .sent("Handshake without ecma2-launch-secret, with a wrong one, with the right one")
            .received(received.join("; ")))
    }
}

async fn health(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut r = launch(s, LaunchOptions::default()).await?;
    let mut health = r.health();
    for name in HEALTH_NAMES {
        let status = health
            .check(HealthCheckRequest { service: name.into() })
            .await
            .map(|a| a.into_inner().status());
        match status {
            Ok(ServingStatus::Serving) => {}
            other => {
                let received = match other {
                    Ok(st) => format!("{st:?}"),
                    Err(e) => format!("{:?}: {}", e.code(), e.message()),
                };
                r.stop().await;
                return Ok(Outcome::fail("grpc.health.v1 does not report SERVING")
                    .sent(format!("grpc.health.v1.Health/Check service={name:?}"))
                    .received(received));
            }
        }
    }
    // Watch, then stop it: the stream must say NOT_SERVING before it ends.
    let mut watch = health
        .watch(HealthCheckRequest {
            service: HEALTH_NAMES[1].into(),
        })
        .await
        .map_err(|e| Failure::from(e).sent("grpc.health.v1.Health/Watch"))?
        .into_inner();
    let first = watch.message().await.ok().flatten().map(|m| m.status());
    if first != Some(ServingStatus::Serving) {
        r.stop().await;
        return Ok(Outcome::fail("grpc.health.v1 Watch did not start with SERVING")
            .sent("grpc.health.v1.Health/Watch")
            .received(format!("{first:?}")));
    }
    // The Shutdown RPC, not SIGTERM: signal handling has its own check.
    let mut client = r.client();
    let request = r.request(ShutdownRequest {
        reason: "conformance".into(),
    });
    let shutdown = tokio::spawn(async move { client.shutdown(request).await });
    let mut seen = Vec::new();
    let not_serving = tokio::time::timeout(EXIT_GRACE, async {
        while let Ok(Some(m)) = watch.message().await {
            seen.push(m.status());
            if m.status() == ServingStatus::NotServing {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    let _ = tokio::time::timeout(EXIT_GRACE, shutdown).await;
    let exited = r.wait_exit(EXIT_GRACE).await;
    if !not_serving {
        return Ok(
            Outcome::fail("grpc.health.v1 never reported NOT_SERVING while the connector shut down")
                .sent("grpc.health.v1.Health/Watch, then Shutdown")
                .received(format!("statuses {seen:?}, then the stream ended; exit {exited:?}")),
        );
    }
    Ok(Outcome::pass("SERVING for both names; NOT_SERVING once shutting down"))
}

async fn no_common_version(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let answer = r
        .client()
        .handshake(r.request(HandshakeRequest {
            protocol_versions: vec![9999],
            caller_name: "ecma2 conformance".into(),
            ..Default::default()
        }))
        .await;
    r.stop().await;
    let sent = "Handshake protocol_versions=[9999]";
    match answer {
        Err(e) if e.code() == tonic::Code::FailedPrecondition => Ok(Outcome::pass(format!("refused: {}", e.message()))),
        Err(e) => Ok(Outcome::fail("refused, but not with FAILED_PRECONDITION")
            .sent(sent)
            .received(format!("{:?}: {}", e.code(), e.message()))),
        Ok(a) => Ok(Outcome::fail("the handshake was accepted")
            .sent(sent)
            .received(format!("protocol_version={}", a.into_inner().protocol_version))),
    }
}

async fn sigterm(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut r = launch(s, LaunchOptions::default()).await?;
    let ids = open_sessions(s, &r, 2).await?;
    r.terminate().await?;
    let exited = r.wait_exit(EXIT_GRACE).await;
    let sent = format!("{} open sessions, then SIGTERM", ids.len());
    let stderr = r.stderr.all();
    let Some(status) = exited else {
        return Ok(Outcome::fail(format!("still running {EXIT_GRACE:?} after SIGTERM"))
            .sent(sent)
            .received(tail(&stderr)));
    };
    if !status.success() {
        return Ok(Outcome::fail("did not exit 0 after SIGTERM")
            .sent(sent)
            .received(format!("{status}; stderr: {}", tail(&stderr))));
    }
    match logged_closed(&stderr) {
        Some(n) if n as usize == ids.len() => Ok(Outcome::pass(format!(
            "exited 0, closed {n} sessions (closed_sessions in its log)"
        ))),
        Some(n) => Ok(
            Outcome::fail(format!("logged closed_sessions={n}, but {} were open", ids.len()))
                .sent(sent)
                .received(tail(&stderr)),
        ),
        None if ids.is_empty() => Ok(Outcome::pass("exited 0 (no session interface to hold open)")),
        None => Ok(Outcome::fail(
            "exited without logging that it closed its sessions (no closed_sessions field on stderr)",
        )
        .sent(sent)
        .received(format!("{status}; stderr: {}", tail(&stderr)))),
    }
}

async fn shutdown_rpc(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut r = launch(s, LaunchOptions::default()).await?;
    let ids = open_sessions(s, &r, 2).await?;
    let sent = format!("{} open sessions, then Shutdown", ids.len());
    let answer = r
        .client()
        .shutdown(r.request(ShutdownRequest {
            reason: "conformance".into(),
        }))
        .await;
    let closed = match answer {
        Ok(a) => a.into_inner().closed_sessions,
        Err(e) => {
            return Ok(Outcome::fail("Shutdown failed").sent(sent).received(format!(
                "{:?}: {}",
                e.code(),
                e.message()
            )));
        }
    };
    let exited = r.wait_exit(EXIT_GRACE).await;
    if closed as usize != ids.len() {
        return Ok(Outcome::fail(format!(
            "Shutdown answered closed_sessions={closed}, but {} were open",
            ids.len()
        ))
        .sent(sent));
    }
    match exited {
        Some(st) if st.success() => Ok(Outcome::pass(format!("closed {closed} sessions and exited 0"))),
        Some(st) => Ok(Outcome::fail("did not exit 0 after Shutdown")
            .sent(sent)
            .received(format!("{st}; stderr: {}", tail(&r.stderr.all())))),
        None => Ok(Outcome::fail(format!("still running {EXIT_GRACE:?} after Shutdown")).sent(sent)),
    }
}

async fn host_pid_watch(s: &Subject<'_>) -> Result<Outcome, Failure> {
    // A stand-in host: a process the kit can end.
    let mut host = tokio::process::Command::new("sleep")
        .arg("600")
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Failure::new(format!("cannot start a stand-in host (sleep): {e}")))?;
    let host_pid = host.id().unwrap_or_default();
    let mut r = launch(
        s,
        LaunchOptions {
            host_pid: Some(host_pid),
            ..Default::default()
        },
    )
    .await?;
    let _ = host.start_kill();
    let _ = host.wait().await;
    let sent = format!("launch with ECMA2_HOST_PID={host_pid}, then end that process");
    match r.wait_exit(EXIT_GRACE).await {
        Some(st) if st.success() => Ok(Outcome::pass("the connector exited 0 once the host pid was gone")),
        Some(st) => Ok(Outcome::fail("the connector did not exit 0 when the host pid was gone")
            .sent(sent)
            .received(format!("{st}; stderr: {}", tail(&r.stderr.all())))),
        None => {
            let stderr = r.stderr.all();
            r.stop().await;
            Ok(Outcome::fail(format!(
                "the connector was still running {EXIT_GRACE:?} after its host pid was gone"
            ))
            .sent(sent)
            .received(tail(&stderr)))
        }
    }
}

async fn logs(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut r = launch(s, LaunchOptions::default()).await?;
    let mut client = r.client();
    // Some traffic to log: a handshake, sessions, a refused call, a shutdown.
    let _ = client
        .handshake(r.request(HandshakeRequest {
            protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
            caller_name: "ecma2 conformance".into(),
            ..Default::default()
        }))
        .await;
    let _ = open_sessions(s, &r, 1).await;
    let _ = client.handshake(with_secret(HandshakeRequest::default(), None)).await;
    let _ = client
        .shutdown(r.request(ShutdownRequest {
            reason: "conformance".into(),
        }))
        .await;
    if r.wait_exit(EXIT_GRACE).await.is_none() {
        r.stop().await;
        return Ok(Outcome::fail("the connector did not exit after Shutdown"));
    }
    let stderr = r.stderr.all();
    let stdout = r.stdout.all();
    let mut problems = Vec::new();
    let mut received = None;
    if let Some(line) = stdout.first() {
        problems.push(format!("{} lines on stdout after the ready line", stdout.len()));
        received = Some(format!("stdout: {line}"));
    }
    const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];
    for line in &stderr {
        let Ok(serde_json::Value::Object(record)) = serde_json::from_str::<serde_json::Value>(line) else {
            problems.push("a stderr line is not a JSON object".into());
            received.get_or_insert_with(|| format!("stderr: {line}"));
            break;
        };
        let level = record.get("level").and_then(|v| v.as_str());
        let fine = record.get("timestamp").is_some_and(|v| v.is_string())
            && record.get("message").is_some_and(|v| v.is_string())
            && level.is_some_and(|l| LEVELS.contains(&l));
        if !fine {
            problems.push("a log record lacks timestamp, message or a level of TRACE/DEBUG/INFO/WARN/ERROR".into());
            received.get_or_insert_with(|| format!("stderr: {line}"));
            break;
        }
    }
    if stderr.iter().chain(&stdout).any(|l| l.contains(&r.secret)) {
        problems.push("the launch secret appears in its output".into());
    }
    if stderr.is_empty() {
        problems.push("nothing was logged on stderr".into());
    }
    if problems.is_empty() {
        Ok(Outcome::pass(format!(
            "{} JSON log records, stdout quiet",
            stderr.len()
        )))
    } else {
        let mut outcome = Outcome::fail(problems.join("; "))
            .sent("launch with ECMA2_LOG_FORMAT=json; Handshake, a session, a call without the secret, Shutdown");
        if let Some(r) = received {
            outcome = outcome.received(r);
        }
        Ok(outcome)
    }
}
