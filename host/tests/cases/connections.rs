//! Engine connections as a hostile local process uses them: idle and unauthenticated connections
//! are closed after their (configured) timeouts, the connection cap answers `RESOURCE_EXHAUSTED`
//! naming its key, and at the file-descriptor limit the accept loop backs off and logs instead
//! of spinning, then serves again once descriptors are free.

use std::io::{BufRead, Read};
use std::time::{Duration, Instant};

use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::host_service_client::HostServiceClient;
use ecma2_proto::pb::*;
use ecma2_transport::Address;

use crate::support::{Harness, command_connector, demo_binary, host_binary, host_head, poll};

/// A host config with these `[engine]` keys and the demo connector with these limits.
fn config(dir: &std::path::Path, engine: &str, limits: &str) -> String {
    format!(
        "{}{engine}\n{}",
        host_head(dir),
        command_connector("demo", &demo_binary(), limits)
    )
}

async fn host_info(channel: tonic::transport::Channel, token: &str) -> Result<(), tonic::Status> {
    let mut request = tonic::Request::new(GetHostInfoRequest {
        protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    HostServiceClient::new(channel).get_host_info(request).await.map(drop)
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_and_unauthenticated_connections_are_closed_after_their_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    let text = config(
        dir.path(),
        "idle_timeout = \"1s\"\nauth_timeout = \"1s\"",
        "session_idle_timeout = \"1s\"",
    );
    let h = Harness::start_with(dir, &text, "demo").await;
    let address = h.host.as_ref().unwrap().address.clone();
    let Address::Unix(path) = &address else {
        panic!("{address}")
    };

    // A connection that says nothing is closed after auth_timeout.
    let started = Instant::now();
    let mut silent = std::os::unix::net::UnixStream::connect(path).unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    let n = silent
        .read(&mut buf)
        .expect("the host closes the silent connection within 10 s");
    assert_eq!(n, 0, "EOF, not data");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}, expected about 1 s"
    );

    // A connection that only fails to authenticate is closed too.
    let wrong = ecma2_transport::dial(&address, None).await.unwrap();
    let err = host_info(wrong.channel.clone(), "not-the-token").await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    tokio::time::timeout(Duration::from_secs(10), wrong.closed())
        .await
        .expect("the unauthenticated connection is closed");

    // An authenticated one lives while a call is in flight (a page blocked for 2.5 s, longer
    // than idle_timeout), and is closed after idling 1 s once it is done.
    let engine = ecma2_transport::dial(&address, None).await.unwrap();
    host_info(engine.channel.clone(), &h.token)
        .await
        .expect("authenticated call");
    let mut client = ecma2_proto::pb::connector_service_client::ConnectorServiceClient::new(engine.channel.clone());
    let open = client
        .open_import_connection(h.request(OpenImportConnectionRequest {
            config_parameters: h.params(&[("test_block_get_ms", "2500")]),
            ..Default::default()
        }))
        .await
        .expect("open")
        .into_inner();
    let page_started = Instant::now();
    let mut stream = client
        .get_import_entries(h.request(GetImportEntriesRequest {
            session_id: open.session_id.clone(),
            import_run_step: None,
        }))
        .await
        .expect("page")
        .into_inner();
    while stream
        .message()
        .await
        .expect("the page is not cut by the idle timeout")
        .is_some()
    {}
    assert!(page_started.elapsed() >= Duration::from_millis(2400));
    assert!(!engine.is_closed(), "closed during a call");
    let idle_from = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), engine.closed())
        .await
        .expect("the idle connection is closed");
    assert!(
        idle_from.elapsed() >= Duration::from_millis(800),
        "closed after {:?} idle",
        idle_from.elapsed()
    );
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_over_the_cap_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = config(dir.path(), "max_connections = 2", "");
    let h = Harness::start_with(dir, &text, "demo").await;
    let address = h.host.as_ref().unwrap().address.clone();
    // The harness holds one connection; one more fits.
    host_info(h.channel.clone(), &h.token).await.expect("first");
    let second = ecma2_transport::dial(&address, None).await.unwrap();
    host_info(second.channel.clone(), &h.token).await.expect("second");
    let third = ecma2_transport::dial(&address, None).await.unwrap();
    let err = host_info(third.channel.clone(), &h.token).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("engine.max_connections"), "{err:?}");
    drop(third);
    // Once one is gone, a new connection is served.
    drop(second);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let next = ecma2_transport::dial(&address, None).await.unwrap();
        match host_info(next.channel.clone(), &h.token).await {
            Ok(()) => break,
            Err(e) if e.code() == tonic::Code::ResourceExhausted && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("no connection after one was freed: {e:?}"),
        }
    }
    h.host.unwrap().shutdown().await;
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which is in parentheses): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Starts the host binary on `config`; returns it and a function waiting (up to a limit) for a
/// log line containing some text.
fn spawn_host(config: &std::path::Path) -> (std::process::Child, impl FnMut(&str, Duration) + use<>) {
    let mut host = std::process::Command::new(host_binary())
        .arg("--config")
        .arg(config)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let stderr = std::io::BufReader::new(host.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let wait_log = move |what: &str, limit: Duration| {
        let deadline = Instant::now() + limit;
        while !log.iter().any(|l: &String| l.contains(what)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) => log.push(line),
                Err(_) => panic!("no log line with {what:?} within {limit:?}:\n{}", log.join("\n")),
            }
        }
    };
    (host, wait_log)
}

/// The host binary with the demo connector in a fresh directory, started and past the log line
/// `ready`, and a harness attached to it.
async fn demo_host(ready: &str) -> (std::process::Child, impl FnMut(&str, Duration) + use<>, Harness) {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("host.toml");
    std::fs::write(&config_file, config(dir.path(), "", "")).unwrap();
    let (host, mut wait_log) = spawn_host(&config_file);
    wait_log(ready, Duration::from_secs(30));
    let h = Harness::attach(dir, "demo").await;
    (host, wait_log, h)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_descriptor_limit_the_accept_loop_backs_off_logs_and_recovers() {
    let (mut host, mut wait_log, h) = demo_host("connector ready").await;
    let pid = host.id();
    host_info(h.channel.clone(), &h.token)
        .await
        .expect("a call before the limit");

    // Leave the host two descriptors, then connect more clients than that.
    let limit = open_fds(pid) + 2;
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={pid}"))
        .arg(format!("--nofile={limit}:{limit}"))
        .status()
        .unwrap();
    assert!(status.success(), "prlimit");
    let socket = h.dir.path().join("engine.sock");
    let clients: Vec<_> = (0..6)
        .map(|_| std::os::unix::net::UnixStream::connect(&socket).unwrap())
        .collect();
    wait_log("cannot accept engine connections", Duration::from_secs(10));

    // Waiting with connections it cannot accept, the host stays nearly idle.
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_ticks(pid) - before;
    let per_second = poll("clock ticks per second", Duration::from_secs(1), || {
        let out = std::process::Command::new("getconf").arg("CLK_TCK").output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse::<u64>().ok()
    })
    .await;
    assert!(
        spent * 10 < per_second * 2,
        "the host used {spent} ticks ({per_second}/s) of CPU in 2 s at the descriptor limit"
    );

    // Descriptors come back: the clients leave, and the host serves again.
    drop(clients);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempt = async {
            let connection = ecma2_transport::dial(&Address::Unix(socket.clone()), None)
                .await
                .map_err(|e| e.to_string())?;
            host_info(connection.channel, &h.token).await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(Duration::from_secs(2), attempt).await {
            Ok(Ok(())) => break,
            other if Instant::now() < deadline => {
                let _ = other;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("the host does not serve again: {other:?}"),
        }
    }
    wait_log("accepting engine connections again", Duration::from_secs(5));
    let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    let _ = host.wait();
}

/// The SDK's virtualenv Python (grpcio), made by sdk/python/scripts/check.sh.
fn python() -> std::path::PathBuf {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/python/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run sdk/python/scripts/check.sh first (scripts/test does)",
        python.display()
    );
    python
}

/// A grpcio client calling GetHostInfo at `target` with the token (and a malformed method name
/// when `method` says so); prints OK or the status.
const GRPCIO_CLIENT: &str = r#"
import sys, grpc
from ecma2._pb import host_pb2, host_pb2_grpc
target, token, method = sys.argv[1], sys.argv[2], sys.argv[3]
with grpc.insecure_channel(target) as channel:
    call = channel.unary_unary(method, request_serializer=host_pb2.GetHostInfoRequest.SerializeToString,
                               response_deserializer=host_pb2.GetHostInfoResponse.FromString)
    try:
        reply = call(host_pb2.GetHostInfoRequest(protocol_versions=[1]),
                     metadata=[("authorization", "Bearer " + token)], timeout=20)
        print("OK", reply.host_version)
    except grpc.RpcError as e:
        print("ERR", e.code(), e.details())
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_grpcio_client_reaches_the_unix_socket_and_malformed_requests_are_logged() {
    let (mut host, mut wait_log, h) = demo_host("host listening for engines").await;
    let socket = h.dir.path().join("engine.sock");
    let run = |target: String, method: &str| {
        let out = std::process::Command::new(python())
            .args(["-c", GRPCIO_CLIENT, &target, &h.token, method])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let get_host_info = "/ecma2.v1.HostService/GetHostInfo";
    // grpc-core sends the socket path, percent-encoded, as :authority for both spellings.
    for target in [
        format!("unix:{}", socket.display()),
        format!("unix://{}", socket.display()),
    ] {
        let answer = run(target.clone(), get_host_info);
        assert!(answer.starts_with("OK "), "{target}: {answer}");
    }
    // A request h2 still refuses (a space in the method path) is logged.
    let answer = run(
        format!("unix:{}", socket.display()),
        "/ecma2.v1.HostService/Get HostInfo",
    );
    assert!(answer.starts_with("ERR"), "{answer}");
    wait_log("HTTP/2 headers are malformed", Duration::from_secs(10));
    let _ = std::process::Command::new("kill").arg(host.id().to_string()).status();
    let _ = host.wait();
}

/// The host process's peak resident set size (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// Issue #18: pages an engine has asked for but does not read yet cost the host little. Sixteen
/// pages of 5,000 demo users (about 3.5 MB each, in 1 MiB entry batches) are open at once, each
/// on its own engine connection, and read one after the other, so that while one is read the others wait with the connector ready
/// to send. A host that gathers whole frames held two to four batches per waiting page (over
/// 40 MiB more than for one page); the host reads pages as bytes and hands on at most 64 KiB per
/// page ahead of the engine's connection.
#[tokio::test(flavor = "multi_thread")]
async fn pages_an_engine_has_not_read_yet_cost_the_host_little_memory() {
    let (mut host, _log, h) = demo_host("connector ready").await;
    let pid = host.id();
    let users = [("seed_users", "5000")];
    let request = |session_id: &str| {
        let mut request = h.request(GetImportEntriesRequest {
            session_id: session_id.to_owned(),
            import_run_step: Some(GetImportEntriesRunStep::default()),
        });
        request.metadata_mut().insert(
            ecma2_proto::meta::FEATURES,
            ecma2_proto::meta::ENTRY_BATCHES.parse().unwrap(),
        );
        request
    };
    let read = |mut stream: tonic::Streaming<GetImportEntriesResponse>| async move {
        let mut entries = 0;
        while let Some(frame) = stream.message().await.expect("a frame") {
            match frame.frame {
                Some(get_import_entries_response::Frame::EntryBatch(b)) => entries += b.entries.len(),
                Some(get_import_entries_response::Frame::Entry(_)) => entries += 1,
                _ => {}
            }
        }
        entries
    };

    // One page alone first: what the host needs to relay a page at all.
    let open = h.open_import(5000, &users).await.expect("open");
    let stream = h
        .client()
        .get_import_entries(request(&open.session_id))
        .await
        .expect("page");
    assert_eq!(read(stream.into_inner()).await, 5000);
    h.close_import(&open.session_id, CloseReason::Normal)
        .await
        .expect("close");
    let alone = peak_rss(pid);

    // Each page on a connection of its own, as separate engines would: on one connection the
    // pages not read yet would fill its window and stall the one being read.
    let address = Address::Unix(h.dir.path().join("engine.sock"));
    let mut sessions = Vec::new();
    let mut streams = Vec::new();
    for _ in 0..16 {
        let open = h.open_import(5000, &users).await.expect("open");
        let channel = ecma2_transport::connect(&address).await.expect("connect");
        let mut client = ConnectorServiceClient::new(channel).max_decoding_message_size(64 << 20);
        let stream = client
            .get_import_entries(request(&open.session_id))
            .await
            .expect("page");
        sessions.push(open.session_id);
        streams.push(stream.into_inner());
    }
    for stream in streams {
        assert_eq!(read(stream).await, 5000);
    }
    for id in &sessions {
        h.close_import(id, CloseReason::Normal).await.expect("close");
    }
    let many = peak_rss(pid);
    let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    let _ = host.wait();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    assert!(
        many.saturating_sub(alone) < 16 << 20,
        "the host's peak RSS went from {:.1} MiB with one page to {:.1} MiB with 16 waiting pages",
        mib(alone),
        mib(many)
    );
}
