//! The floor for a relaying host (issue #18): a plain tonic pass-through proxy, run as its own
//! process (`ecma2-bench --serve-proxy LISTEN UPSTREAM`) on one runtime thread like the host: the
//! host's listener towards the engine (`ecma2_transport::Listener`) and a tonic `Channel` with the
//! host's windows towards the connector (`ecma2_transport::connect_with`; the host itself dials
//! its connectors with a direct HTTP/2 connection, `ecma2_transport::Hop`). It forwards every
//! call of ConnectorService whatever its path, headers and body untouched: no decoding, no
//! sessions, no checks. What it adds to a call is what any tonic relay adds; the host's added
//! latency is measured against it in the same run, with the same request from the engine.
//!
//! `ECMA2_BENCH_PROXY_WRAPPER`, when set, names a program the proxy is launched through (its
//! words, then this executable and the proxy's arguments): a profiler such as
//! `valgrind --tool=callgrind`, to count the proxy's instructions per call against the host's
//! (docs/benchmarks.md). The proxy exits cleanly on SIGTERM, so such a wrapper writes its output.

use std::convert::Infallible;
use std::path::Path;
use std::process::Stdio;
use std::task::{Context, Poll};

use anyhow::{Context as _, Result};
use ecma2_transport::Address;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::NamedService;
use tonic::transport::Channel;

/// The argument that makes `ecma2-bench` serve the proxy instead of measuring.
pub const SERVE_ARG: &str = "--serve-proxy";

/// The line the proxy prints on stdout once it listens.
const READY: &str = "proxy ready";

/// Forwards every request to one upstream channel.
#[derive(Clone)]
struct Forward {
    upstream: Channel,
}

impl NamedService for Forward {
    const NAME: &'static str = "ecma2.v1.ConnectorService";
}

impl Service<http::Request<Body>> for Forward {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let mut upstream = self.upstream.clone();
        Box::pin(async move {
            let answer = async {
                std::future::poll_fn(|cx| upstream.poll_ready(cx)).await?;
                upstream.call(request).await
            };
            Ok(match answer.await {
                Ok(response) => response,
                Err(e) => tonic::Status::unavailable(format!("upstream: {e}")).into_http(),
            })
        })
    }
}

/// Serves the proxy on `listen`, forwarding to `upstream`; prints [`READY`] once bound. Runs until
/// killed (the benchmark sends SIGTERM, or it dies with the benchmark).
pub fn serve(listen: &str, upstream: &str) -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let served = runtime.block_on(async {
        let listen: Address = listen.parse()?;
        let upstream: Address = upstream.parse()?;
        let channel = ecma2_transport::connect_with(&upstream, ecma2_transport::Windows::LOCAL_HOP).await?;
        let listener = ecma2_transport::Listener::bind(&listen).await?;
        let router = tonic::transport::Server::builder().add_service(Forward { upstream: channel });
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        println!("{READY}");
        listener
            .serve(router, async move {
                term.recv().await;
            })
            .await?;
        anyhow::Ok(())
    });
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ecma2-bench proxy: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A proxy process.
pub struct ProxyProcess {
    child: Child,
    /// Its pid.
    pub pid: u32,
    /// Where engines reach it.
    pub address: Address,
}

impl ProxyProcess {
    /// Launches this executable as a proxy listening on `<dir>/<name>.sock` in front of `upstream`,
    /// and waits for its ready line.
    pub async fn start(upstream: &Address, dir: &Path, name: &str) -> Result<ProxyProcess> {
        let socket = dir.join(format!("{name}.sock"));
        let log = dir.join(format!("{name}.log"));
        let me = std::env::current_exe().context("locating this executable")?;
        let wrapper = std::env::var("ECMA2_BENCH_PROXY_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(me);
                command
            }
            None => Command::new(me),
        };
        command
            .arg(SERVE_ARG)
            .arg(Address::Unix(socket.clone()).to_string())
            .arg(upstream.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?)
            .kill_on_drop(true);
        crate::procs::tie_to_bench(&mut command);
        let mut child = command.spawn().context("launching the proxy")?;
        let pid = child.id().context("the proxy exited at once")?;
        let stdout = child.stdout.take().context("stdout is piped")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(120), lines.next_line())
            .await
            .context("the proxy printed no ready line within 120 s")??;
        anyhow::ensure!(
            line.as_deref() == Some(READY),
            "the proxy did not start: {line:?}; see {}",
            log.display()
        );
        Ok(ProxyProcess {
            child,
            pid,
            address: Address::Unix(socket),
        })
    }

    /// Stops it: SIGTERM, then SIGKILL if it is still there after a while.
    pub async fn stop(mut self) {
        crate::procs::terminate(self.pid);
        crate::procs::wait_or_kill(&mut self.child, "proxy").await;
    }
}
