//! Prometheus metrics: what the host counts and the text it serves at `GET /metrics` on
//! `[metrics] listen`. Per connector: open sessions, objects imported and exported (counted from
//! the frames the host relays), call latency per call, restarts, readiness, and faults by kind.
//! Labels are only configured connector names, call names and fault kinds, so the number of
//! series is bounded; no value ever comes from a request body, so no secret can leak here.
//!
//! Counting is lock-free (atomics in structures built once at start); at each scrape a
//! `prometheus-client` collector reads them and its encoder writes the Prometheus text format
//! (0.0.4), served over HTTP/1.1 by hyper. Call latency and faults of
//! unary and client-streaming calls are measured by [`Measured`], a middleware around the
//! engine-facing ConnectorService; a page of GetImportEntries is a server stream whose end only
//! the forwarding code sees, so it reports through [`Metrics::record_call`] itself.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use ecma2_proto::meta;
use ecma2_proto::pb::{ConnectorState, Fault, FaultKind};
use ecma2_transport::{Address, Listener, TransportError};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncRead, AsyncWrite};
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

/// Call latencies: each bucket counts the calls above the bound before it and up to its own (not
/// cumulative: one atomic add per call instead of one per bucket above, 14 for a fast call, issue
/// #18; the encoder sums them up), and the calls over the last bound are `count` less all of them.
#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
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

/// Where `kind` is counted in a connector's faults (an unknown kind as 0).
fn fault_index(kind: FaultKind) -> usize {
    usize::try_from(kind as i32)
        .ok()
        .filter(|i| *i < FAULT_KINDS)
        .unwrap_or(0)
}

/// Where `call` is in [`CALLS`] (a compile error if it is not there).
const fn call_index(call: &str) -> usize {
    let mut i = 0;
    while i < CALLS.len() {
        if CALLS[i].len() == call.len() {
            let (a, b) = (CALLS[i].as_bytes(), call.as_bytes());
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a ConnectorService call")
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

    /// The metrics of the connector whose handle holds `name`: the same `Arc` as the metrics
    /// were built from, found by address among the first few (no hashing per page, issue #18),
    /// else by name.
    fn connector_of(&self, name: &Arc<str>) -> Option<&ConnectorMetrics> {
        self.connectors
            .iter()
            .take(8)
            .find(|c| Arc::ptr_eq(&c.name, name))
            .or_else(|| self.connector(name))
    }

    /// Records one page of GetImportEntries from connector `name` (its handle's name): its time,
    /// its fault if any, and the `entries` it relayed.
    pub fn record_page(&self, name: &Arc<str>, elapsed: Duration, fault: Option<FaultKind>, entries: u64) {
        const PAGE: usize = call_index("GetImportEntries");
        let Some(c) = self.connector_of(name) else {
            return;
        };
        c.calls[PAGE].observe(elapsed);
        if let Some(kind) = fault {
            c.faults[fault_index(kind)].fetch_add(1, Ordering::Relaxed);
        }
        if entries > 0 {
            c.imported.fetch_add(entries, Ordering::Relaxed);
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
            c.faults[fault_index(kind)].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The exposition text (Prometheus text format 0.0.4), written by `prometheus-client`.
    pub fn render(self: &Arc<Self>, sessions: &Arc<Sessions>, connectors: &Arc<[Arc<ConnectorHandle>]>) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Exposition {
            metrics: self.clone(),
            sessions: sessions.clone(),
            connectors: connectors.clone(),
        }));
        let mut out = String::with_capacity(4096);
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// What the exposition is read from, at each scrape: the host's counters, the session table and
/// the connector handles.
struct Exposition {
    metrics: Arc<Metrics>,
    sessions: Arc<Sessions>,
    connectors: Arc<[Arc<ConnectorHandle>]>,
}

impl std::fmt::Debug for Exposition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exposition").finish_non_exhaustive()
    }
}

/// One sample of a counter or a gauge.
#[derive(Debug)]
enum Sample {
    Counter(u64),
    Gauge(i64),
}

impl EncodeMetric for Sample {
    fn encode(&self, mut encoder: prometheus_client::encoding::MetricEncoder) -> Result<(), std::fmt::Error> {
        match self {
            Sample::Counter(n) => encoder.encode_counter::<prometheus_client::encoding::NoLabelSet, _, u64>(n, None),
            Sample::Gauge(n) => encoder.encode_gauge(n),
        }
    }

    fn metric_type(&self) -> MetricType {
        match self {
            Sample::Counter(_) => MetricType::Counter,
            Sample::Gauge(_) => MetricType::Gauge,
        }
    }
}

/// A family with one sample per label set: (name without `_total`, help, type, samples).
fn family<'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    samples: impl IntoIterator<Item = (Vec<(&'a str, &'a str)>, Sample)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, sample) in samples {
        sample.encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

impl Collector for Exposition {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let metrics = &self.metrics.connectors;
        let open = self.sessions.open_per_connector();
        family(
            &mut encoder,
            "ecma2_host_sessions_open",
            "Open sessions (import, export, password) of live connector connections",
            MetricType::Gauge,
            metrics.iter().map(|c| {
                let n = open.get(&*c.name).copied().unwrap_or(0);
                (vec![("connector", &*c.name)], Sample::Gauge(n as i64))
            }),
        )?;
        family(
            &mut encoder,
            "ecma2_host_objects_imported",
            "Objects relayed from the connector to the engine by GetImportEntries",
            MetricType::Counter,
            metrics.iter().map(|c| {
                (
                    vec![("connector", &*c.name)],
                    Sample::Counter(c.imported.load(Ordering::Relaxed)),
                )
            }),
        )?;
        family(
            &mut encoder,
            "ecma2_host_objects_exported",
            "Objects relayed from the engine to the connector by PutExportEntries",
            MetricType::Counter,
            metrics.iter().map(|c| {
                (
                    vec![("connector", &*c.name)],
                    Sample::Counter(c.exported.load(Ordering::Relaxed)),
                )
            }),
        )?;
        {
            let mut histogram = encoder.encode_descriptor(
                "ecma2_host_call_duration_seconds",
                "Engine calls forwarded to the connector, from request to the end of the response",
                None,
                MetricType::Histogram,
            )?;
            for c in metrics {
                for (call, h) in CALLS.iter().zip(&c.calls) {
                    let count = h.count.load(Ordering::Relaxed);
                    if count == 0 {
                        continue;
                    }
                    // The encoder sums the buckets up.
                    let mut below = 0u64;
                    let mut buckets: Vec<(f64, u64)> = h
                        .buckets
                        .iter()
                        .zip(BUCKETS)
                        .map(|(bucket, bound)| {
                            let own = bucket.load(Ordering::Relaxed);
                            below = below.saturating_add(own);
                            (bound, own)
                        })
                        .collect();
                    buckets.push((f64::INFINITY, count.saturating_sub(below)));
                    let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
                    let labels = [("connector", &*c.name), ("call", *call)];
                    histogram
                        .encode_family(&labels)?
                        .encode_histogram::<prometheus_client::encoding::NoLabelSet>(sum, count, &buckets, None)?;
                }
            }
        }
        let mut faults = Vec::new();
        for c in metrics {
            for (i, n) in c.faults.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let kind = FaultKind::try_from(i as i32).unwrap_or_default();
                    faults.push((&*c.name, ecma2_proto::fault::ecma2_name(kind), n));
                }
            }
        }
        family(
            &mut encoder,
            "ecma2_host_faults",
            "ECMA2 exceptions returned to the engine, raised by the connector or by the host",
            MetricType::Counter,
            faults.iter().map(|(connector, kind, n)| {
                (
                    vec![("connector", *connector), ("kind", kind.as_str())],
                    Sample::Counter(*n),
                )
            }),
        )?;
        family(
            &mut encoder,
            "ecma2_host_connector_restarts",
            "Restarts of a launched connector, reconnections to a remote one",
            MetricType::Counter,
            self.connectors.iter().map(|handle| {
                (
                    vec![("connector", &*handle.name)],
                    Sample::Counter(u64::from(handle.status().restarts)),
                )
            }),
        )?;
        family(
            &mut encoder,
            "ecma2_host_connector_up",
            "1 when the connector is ready to take calls, else 0",
            MetricType::Gauge,
            self.connectors.iter().map(|handle| {
                let up = i64::from(handle.state() == ConnectorState::Ready);
                (vec![("connector", &*handle.name)], Sample::Gauge(up))
            }),
        )?;
        Ok(())
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
        let name = request.uri().path().rsplit('/').next().unwrap_or_default();
        // GetImportEntries streams; the forwarding code measures the whole page itself.
        if name == "GetImportEntries" {
            return Box::pin(self.inner.call(request));
        }
        let call = CALLS.iter().find(|c| **c == name).copied().unwrap_or_default();
        let connector = request
            .headers()
            .get(meta::CONNECTOR)
            .and_then(|v| v.to_str().ok())
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
                metrics.record_call(&connector, call, started.elapsed(), fault);
            }
            response
        })
    }
}

/// Serves the exposition on `address` until `stop`: HTTP/1.1 by hyper, `GET /metrics` only.
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
        let mut backoff = Duration::from_millis(10);
        loop {
            let accepted = tokio::select! {
                a = accept(&listener) => a,
                _ = stop.cancelled() => return,
            };
            match accepted {
                Ok(io) => {
                    backoff = Duration::from_millis(10);
                    let host = host.clone();
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            let host = host.clone();
                            async move { Ok::<_, Infallible>(answer(&request, &host)) }
                        });
                        let connection = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(Duration::from_secs(5))
                            .keep_alive(false)
                            .serve_connection(TokioIo::new(io), service);
                        if let Err(e) = tokio::time::timeout(Duration::from_secs(30), connection)
                            .await
                            .unwrap_or(Ok(()))
                        {
                            debug!(error = %e, "metrics request failed");
                        }
                    });
                }
                Err(e) => {
                    warn!(error = %e, retry_in = ?backoff, "metrics accept failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
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

/// The answer to one request.
fn answer<B>(request: &http::Request<B>, host: &Sources) -> http::Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&http::Method::GET, "/metrics") => (
            http::StatusCode::OK,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            host.metrics.render(&host.sessions, &host.connectors),
        ),
        (&http::Method::GET, _) => (
            http::StatusCode::NOT_FOUND,
            "text/plain",
            "metrics are at /metrics\n".to_owned(),
        ),
        _ => (
            http::StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "only GET\n".to_owned(),
        ),
    };
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_counted_for_its_connector_whichever_copy_of_the_name_it_holds() {
        let names: Vec<Arc<str>> = (0..10).map(|i| Arc::from(format!("c{i}"))).collect();
        let metrics = Metrics::new(names.iter().cloned());
        // The handle's own name (the same allocation), past the first eight, and an equal copy.
        metrics.record_page(&names[1], Duration::from_millis(2), None, 3);
        metrics.record_page(
            &names[9],
            Duration::from_millis(2),
            Some(FaultKind::ExtensibleExtensionException),
            0,
        );
        metrics.record_page(&Arc::from("c1"), Duration::from_millis(2), None, 4);
        metrics.record_page(&Arc::from("unknown"), Duration::from_millis(2), None, 5);
        let page = call_index("GetImportEntries");
        assert_eq!(CALLS[page], "GetImportEntries");
        let one = metrics.connector("c1").unwrap();
        assert_eq!(one.imported.load(Ordering::Relaxed), 7);
        assert_eq!(one.calls[page].count.load(Ordering::Relaxed), 2);
        let nine = metrics.connector("c9").unwrap();
        assert_eq!(nine.calls[page].count.load(Ordering::Relaxed), 1);
        let kind = fault_index(FaultKind::ExtensibleExtensionException);
        assert_eq!(nine.faults[kind].load(Ordering::Relaxed), 1);
        assert_eq!(
            metrics.connector("c0").unwrap().calls[page]
                .count
                .load(Ordering::Relaxed),
            0
        );
    }

    #[test]
    fn latency_buckets_are_exposed_cumulative() {
        let name: Arc<str> = Arc::from("demo");
        let metrics = Arc::new(Metrics::new([name.clone()]));
        for millis in [3, 4, 20, 400_000] {
            metrics.record_page(&name, Duration::from_millis(millis), None, 1);
        }
        let connectors: Arc<[Arc<ConnectorHandle>]> = Arc::from(Vec::new());
        let text = metrics.render(&Arc::new(Sessions::default()), &connectors);
        let bucket = |le: &str| {
            let series = format!(
                "ecma2_host_call_duration_seconds_bucket{{connector=\"demo\",call=\"GetImportEntries\",le=\"{le}\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(&series))
                .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
                .parse::<u64>()
                .unwrap()
        };
        assert_eq!(bucket("0.005"), 2, "{text}");
        assert_eq!(bucket("0.01"), 2);
        assert_eq!(bucket("0.025"), 3);
        assert_eq!(bucket("300"), 3);
        assert_eq!(bucket("+Inf"), 4);
    }
}
