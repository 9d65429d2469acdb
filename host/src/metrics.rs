//! Prometheus metrics: what the host counts and the text it serves at `GET /metrics` on
//! `[metrics] listen`. Per connector: open sessions, objects imported and exported (counted from
//! the frames the host relays), call latency per call, restarts, readiness, and faults by kind.
//! Labels are only configured connector names, call names and fault kinds, so the number of
//! series is bounded; no value ever comes from a request body, so no secret can leak here.
//!
//! Counting is lock-free (atomics in structures built once at start). Call latency and faults of
//! unary and client-streaming calls are measured by [`Measured`], a middleware around the
//! engine-facing ConnectorService; a page of GetImportEntries is a server stream whose end only
//! the forwarding code sees, so it reports through [`Metrics::record_call`] itself.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use ecma2_proto::meta;
use ecma2_proto::pb::{ConnectorState, Fault, FaultKind};
use ecma2_transport::{Address, Listener, TransportError};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::codegen::{Service, http};
use tonic::server::NamedService;
use tracing::{debug, info, warn};

use crate::sessions::Sessions;
use crate::supervisor::ConnectorHandle;

/// Every ConnectorService call, in the contract's order.
pub const CALLS: [&str; 24] = [
    "Handshake",
    "GetCapabilities",
    "GetCapabilitiesEx",
    "GetConfigParameters",
    "ValidateConfigParameters",
    "GetConfigParametersEx",
    "ValidateConfigParametersEx",
    "GetSchema",
    "GetPartitions",
    "GetHierarchy",
    "OpenImportConnection",
    "GetImportEntries",
    "CloseImportConnection",
    "OpenExportConnection",
    "PutExportEntries",
    "CloseExportConnection",
    "WriteImportFile",
    "ReadExportFile",
    "OpenPasswordConnection",
    "GetConnectionSecurityLevel",
    "SetPassword",
    "ChangePassword",
    "ClosePasswordConnection",
    "Shutdown",
];

/// Upper bounds of the latency buckets, in seconds (`+Inf` follows).
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// FaultKind values are below this (the enum has 45 values with a gap; unknown ones count as 0).
const FAULT_KINDS: usize = 64;

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }
}

struct ConnectorMetrics {
    name: Arc<str>,
    imported: AtomicU64,
    exported: AtomicU64,
    calls: [Histogram; CALLS.len()],
    faults: [AtomicU64; FAULT_KINDS],
}

/// The host's metrics, one set per configured connector.
pub struct Metrics {
    connectors: Vec<ConnectorMetrics>,
    index: HashMap<Arc<str>, usize>,
}

impl Metrics {
    /// Metrics for the connectors named `names`.
    pub fn new(names: impl IntoIterator<Item = Arc<str>>) -> Self {
        let connectors: Vec<_> = names
            .into_iter()
            .map(|name| ConnectorMetrics {
                name,
                imported: AtomicU64::new(0),
                exported: AtomicU64::new(0),
                calls: std::array::from_fn(|_| Histogram::default()),
                faults: std::array::from_fn(|_| AtomicU64::new(0)),
            })
            .collect();
        let index = connectors
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        Self { connectors, index }
    }

    fn connector(&self, name: &str) -> Option<&ConnectorMetrics> {
        self.index.get(name).map(|&i| &self.connectors[i])
    }

    /// Counts `n` objects relayed from `connector` to the engine on import.
    pub fn imported(&self, connector: &str, n: u64) {
        if let Some(c) = self.connector(connector) {
            c.imported.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts `n` objects relayed from the engine to `connector` on export.
    pub fn exported(&self, connector: &str, n: u64) {
        if let Some(c) = self.connector(connector) {
            c.exported.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Records one call of `connector` that took `elapsed` and failed with `fault`, if any.
    pub fn record_call(&self, connector: &str, call: &str, elapsed: Duration, fault: Option<FaultKind>) {
        let Some(c) = self.connector(connector) else {
            return;
        };
        if let Some(i) = CALLS.iter().position(|name| *name == call) {
            c.calls[i].observe(elapsed);
        }
        if let Some(kind) = fault {
            let i = usize::try_from(kind as i32)
                .ok()
                .filter(|i| *i < FAULT_KINDS)
                .unwrap_or(0);
            c.faults[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The exposition text (Prometheus text format 0.0.4).
    pub fn render(&self, sessions: &Sessions, connectors: &[Arc<ConnectorHandle>]) -> String {
        let mut out = String::with_capacity(4096);
        let family = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        let open = sessions.open_per_connector();
        family(
            &mut out,
            "ecma2_host_sessions_open",
            "gauge",
            "Open sessions (import, export, password) of live connector connections.",
        );
        for c in &self.connectors {
            let n = open.get(&*c.name).copied().unwrap_or(0);
            let _ = writeln!(out, "ecma2_host_sessions_open{{connector=\"{}\"}} {n}", c.name);
        }
        family(
            &mut out,
            "ecma2_host_objects_imported_total",
            "counter",
            "Objects relayed from the connector to the engine by GetImportEntries.",
        );
        for c in &self.connectors {
            let n = c.imported.load(Ordering::Relaxed);
            let _ = writeln!(out, "ecma2_host_objects_imported_total{{connector=\"{}\"}} {n}", c.name);
        }
        family(
            &mut out,
            "ecma2_host_objects_exported_total",
            "counter",
            "Objects relayed from the engine to the connector by PutExportEntries.",
        );
        for c in &self.connectors {
            let n = c.exported.load(Ordering::Relaxed);
            let _ = writeln!(out, "ecma2_host_objects_exported_total{{connector=\"{}\"}} {n}", c.name);
        }
        family(
            &mut out,
            "ecma2_host_call_duration_seconds",
            "histogram",
            "Engine calls forwarded to the connector, from request to the end of the response.",
        );
        for c in &self.connectors {
            for (call, h) in CALLS.iter().zip(&c.calls) {
                let count = h.count.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                let labels = format!("connector=\"{}\",call=\"{call}\"", c.name);
                for (bucket, bound) in h.buckets.iter().zip(BUCKETS) {
                    let n = bucket.load(Ordering::Relaxed);
                    let _ = writeln!(
                        out,
                        "ecma2_host_call_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "ecma2_host_call_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n\
                     ecma2_host_call_duration_seconds_sum{{{labels}}} {}\n\
                     ecma2_host_call_duration_seconds_count{{{labels}}} {count}",
                    h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
                );
            }
        }
        family(
            &mut out,
            "ecma2_host_faults_total",
            "counter",
            "ECMA2 exceptions returned to the engine, raised by the connector or by the host.",
        );
        for c in &self.connectors {
            for (i, n) in c.faults.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n == 0 {
                    continue;
                }
                let kind = FaultKind::try_from(i as i32).unwrap_or_default();
                let kind = ecma2_proto::fault::ecma2_name(kind);
                let _ = writeln!(
                    out,
                    "ecma2_host_faults_total{{connector=\"{}\",kind=\"{kind}\"}} {n}",
                    c.name
                );
            }
        }
        family(
            &mut out,
            "ecma2_host_connector_restarts_total",
            "counter",
            "Restarts of a launched connector, reconnections to a remote one.",
        );
        for handle in connectors {
            let _ = writeln!(
                out,
                "ecma2_host_connector_restarts_total{{connector=\"{}\"}} {}",
                handle.name,
                handle.status().restarts
            );
        }
        family(
            &mut out,
            "ecma2_host_connector_up",
            "gauge",
            "1 when the connector is ready to take calls, else 0.",
        );
        for handle in connectors {
            let up = u8::from(handle.state() == ConnectorState::Ready);
            let _ = writeln!(out, "ecma2_host_connector_up{{connector=\"{}\"}} {up}", handle.name);
        }
        out
    }
}

/// Measures each ConnectorService call of a configured connector (latency, fault kind).
#[derive(Clone)]
pub struct Measured<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S> Measured<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

impl<S: NamedService> NamedService for Measured<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B, R> Service<http::Request<B>> for Measured<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let call = request.uri().path().rsplit('/').next().unwrap_or_default().to_owned();
        // GetImportEntries streams; the forwarding code measures the whole page itself.
        let connector = (call != "GetImportEntries")
            .then(|| request.headers().get(meta::CONNECTOR).and_then(|v| v.to_str().ok()))
            .flatten()
            .filter(|name| self.metrics.connector(name).is_some())
            .map(str::to_owned);
        let future = self.inner.call(request);
        let metrics = self.metrics.clone();
        let started = Instant::now();
        Box::pin(async move {
            let response = future.await;
            if let (Some(connector), Ok(response)) = (connector, &response) {
                // Errors of these calls arrive as trailers-only responses: the status is in the
                // headers.
                let fault = tonic::Status::from_header_map(response.headers())
                    .filter(|s| s.code() != tonic::Code::Ok)
                    .and_then(|s| Fault::from_status(&s))
                    .map(|f| f.fault_kind());
                metrics.record_call(&connector, &call, started.elapsed(), fault);
            }
            response
        })
    }
}

/// Serves the exposition on `address` until `stop`.
pub async fn serve(
    address: &Address,
    metrics: Arc<Metrics>,
    sessions: Arc<Sessions>,
    connectors: Arc<[Arc<ConnectorHandle>]>,
    stop: CancellationToken,
) -> Result<Address, TransportError> {
    let host = Arc::new(Sources {
        metrics,
        sessions,
        connectors,
    });
    let listener = Listener::bind(address).await?;
    let bound = listener.local_address();
    info!(address = %bound, "metrics listening");
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = accept(&listener) => a,
                _ = stop.cancelled() => return,
            };
            match accepted {
                Ok(io) => {
                    let host = host.clone();
                    tokio::spawn(async move {
                        if let Err(e) = answer(io, &host).await {
                            debug!(error = %e, "metrics request failed");
                        }
                    });
                }
                Err(e) => {
                    warn!(error = %e, "metrics accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(bound)
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

async fn accept(listener: &Listener) -> std::io::Result<Box<dyn Io>> {
    Ok(match listener {
        Listener::Tcp(l) => Box::new(l.accept().await?.0),
        Listener::Unix(l, _) => Box::new(l.accept().await?.0),
    })
}

/// What the exposition is rendered from.
struct Sources {
    metrics: Arc<Metrics>,
    sessions: Arc<Sessions>,
    connectors: Arc<[Arc<ConnectorHandle>]>,
}

/// One HTTP/1.1 exchange: read the request head, answer, close.
async fn answer(mut io: Box<dyn Io>, host: &Sources) -> std::io::Result<()> {
    const HEAD_LIMIT: usize = 8192;
    let mut head = Vec::with_capacity(512);
    let read = async {
        let mut buf = [0u8; 512];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = io.read(&mut buf).await?;
            if n == 0 || head.len() + n > HEAD_LIMIT {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "bad request head"));
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "request head too slow"))??;
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let path = target.split('?').next().unwrap_or_default();
    let (status, content_type, body) = match (method, path) {
        ("GET", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            host.metrics.render(&host.sessions, &host.connectors),
        ),
        ("GET", _) => ("404 Not Found", "text/plain", "metrics are at /metrics\n".to_owned()),
        _ => ("405 Method Not Allowed", "text/plain", "only GET\n".to_owned()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    io.write_all(response.as_bytes()).await?;
    io.shutdown().await
}
