//! The ECMA2 connector host. [`Host::start`] validates nothing itself (see [`config`]); it
//! launches and supervises every configured connector, serves engines the contract's
//! ConnectorService (forwarding each call, see [`forward`]) and HostService on a loopback or Unix
//! socket behind a bearer token, and on [`RunningHost::shutdown`] closes every open session with
//! TerminatedShuttingDown before stopping the connectors.

pub mod auth;
pub mod config;
pub mod forward;
pub mod logs;
pub mod metrics;
pub mod platform;
pub mod relay;
pub mod sessions;
pub mod status;
pub mod supervisor;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use ecma2_proto::frames::MAX_MESSAGE_BYTES;
use ecma2_proto::pb::connector_service_server::ConnectorServiceServer;
use ecma2_proto::pb::host_service_server::{HostService, HostServiceServer};
use ecma2_proto::pb::*;
use ecma2_transport::{Address, Listener};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};
use tracing::{info, warn};

use crate::config::HostConfig;
use crate::sessions::Sessions;
use crate::supervisor::ConnectorHandle;

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The state directory or token file could not be prepared.
    #[error("cannot prepare {path}: {source}")]
    State {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The engine listener could not be bound.
    #[error(transparent)]
    Listen(#[from] ecma2_transport::TransportError),
    /// The Unix socket path of a listener is taken by something the host must not replace.
    #[error("cannot listen on {path}: {reason}")]
    SocketTaken {
        /// The path.
        path: std::path::PathBuf,
        /// What is there.
        reason: String,
    },
}

/// State shared by the engine-facing services: the connector handles, the session table and the
/// metrics, each shared (`Arc`) with the parts that use it.
pub struct HostInner {
    pub(crate) connectors: Arc<[Arc<ConnectorHandle>]>,
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) metrics: Arc<metrics::Metrics>,
}

impl HostInner {
    /// Closes session `id` with `reason` (see [`Sessions::close`]).
    pub async fn close_session(&self, id: &str, reason: CloseReason) -> Result<(), Fault> {
        self.sessions.close(id, reason).await
    }

    /// The connector handles, in configuration order.
    pub fn connectors(&self) -> &[Arc<ConnectorHandle>] {
        &self.connectors
    }
}

/// A host that is running.
pub struct RunningHost {
    /// Where engines reach it.
    pub address: Address,
    /// The engine token.
    pub token: String,
    /// Where the metrics are served, when `[metrics]` is configured.
    pub metrics_address: Option<Address>,
    inner: Arc<HostInner>,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<()>,
    stopped: Arc<Notify>,
}

/// Entry point.
pub struct Host;

impl Host {
    /// Prepares state, starts every connector and serves engines.
    pub async fn start(config: HostConfig) -> Result<RunningHost, HostError> {
        let state = |path: &std::path::Path| {
            let path = path.to_owned();
            move |source| HostError::State { path, source }
        };
        let run_dir = config.state_dir.join("run");
        std::fs::create_dir_all(&run_dir).map_err(state(&run_dir))?;
        let token = auth::load_or_create_token(&config.token_file).map_err(state(&config.token_file))?;

        let shutdown = CancellationToken::new();
        let stopped = Arc::new(Notify::new());
        let connectors: Arc<[_]> = config
            .connectors
            .iter()
            .map(|c| supervisor::supervise(c.clone(), run_dir.clone(), shutdown.clone(), stopped.clone()))
            .collect();
        let inner = Arc::new(HostInner {
            metrics: Arc::new(metrics::Metrics::new(connectors.iter().map(|c| c.name.clone()))),
            connectors,
            sessions: Arc::new(Sessions::default()),
        });

        claim_socket(&config.engine_listen)?;
        if let Some(metrics) = &config.metrics_listen {
            claim_socket(metrics)?;
        }
        let listener = Listener::bind(&config.engine_listen).await?;
        let address = listener.local_address();
        if let Address::Unix(path) = &address {
            platform::make_private(path).map_err(state(path))?;
        }
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("", tonic_health::ServingStatus::Serving)
            .await;
        let engine_auth = auth::EngineAuth::new(&token);
        let engine_service =
            forward::EngineService::new(inner.connectors.clone(), inner.sessions.clone(), inner.metrics.clone());
        let pages_first = forward::PagesFirst::new(engine_service.clone(), engine_auth.clone());
        let engine = InterceptedService::new(
            metrics::Measured::new(
                forward::EntryRelay::new(
                    ConnectorServiceServer::new(engine_service.clone())
                        .max_decoding_message_size(MAX_MESSAGE_BYTES)
                        .max_encoding_message_size(MAX_MESSAGE_BYTES),
                    engine_service,
                ),
                inner.metrics.clone(),
            ),
            engine_auth.clone(),
        );
        let host_service =
            InterceptedService::new(HostServiceServer::new(HostApi { host: inner.clone() }), engine_auth);
        // What an engine sends ahead (export batches) is held per connection, not per session.
        let windows = ecma2_transport::Windows::ENGINE_LISTENER;
        let mut builder = tonic::transport::Server::builder()
            .initial_stream_window_size(windows.stream)
            .initial_connection_window_size(windows.connection);
        if let Some(tls) = &config.engine_tls {
            // Engines without a client certificate of `client_ca` fail the handshake.
            builder = tls.apply(builder)?;
        }
        // HTTP/2 gRPC, and binary gRPC-Web over HTTP/1.1 (or HTTP/2) for engines without an
        // HTTP/2 client (see `web`).
        let router = builder
            .accept_http1(true)
            // Counts each connection's calls in flight, for `engine.idle_timeout` (see `serve_limited`).
            .layer(ecma2_transport::CallTracking)
            .add_service(web::enable(health))
            // A plain gRPC page is served before the gRPC-Web layer and the token interceptor
            // (which it checks itself): see `forward::PagesFirst`.
            .add_service(tower::Layer::layer(&pages_first, web::enable(engine)))
            .add_service(web::enable(host_service));
        let stop = shutdown.clone();
        let limits = config.engine_limits.clone();
        let server = tokio::spawn(async move {
            if let Err(e) = listener.serve_limited(router, stop.cancelled_owned(), limits).await {
                warn!(error = %e, "engine listener stopped");
            }
        });

        tokio::spawn({
            let sessions = inner.sessions.clone();
            let stop = shutdown.clone();
            async move { sessions.reap_idle(stop).await }
        });
        let metrics_address = match &config.metrics_listen {
            Some(listen) => Some(
                metrics::serve(
                    listen,
                    inner.metrics.clone(),
                    inner.sessions.clone(),
                    inner.connectors.clone(),
                    shutdown.clone(),
                )
                .await?,
            ),
            None => None,
        };
        info!(
            address = %address,
            mutual_tls = config.engine_tls.is_some(),
            connectors = inner.connectors.len(),
            "host listening for engines"
        );
        Ok(RunningHost {
            address,
            token,
            metrics_address,
            inner,
            shutdown,
            server,
            stopped,
        })
    }
}

/// Makes sure a `unix:` listen path may be (re)bound: nothing there, or a stale socket nobody
/// answers on (removed here). A regular file, a directory, or a socket a live process (such as
/// another host with the same config) still answers on is refused, and left alone.
fn claim_socket(address: &Address) -> Result<(), HostError> {
    let Address::Unix(path) = address else {
        return Ok(());
    };
    let taken = |reason: String| HostError::SocketTaken {
        path: path.clone(),
        reason,
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(taken(e.to_string())),
    };
    if !platform::is_socket(&meta) {
        return Err(taken(
            "the path exists and is not a socket; the host replaces only a stale socket of its own".into(),
        ));
    }
    match platform::connect_unix_socket(path) {
        Ok(_) => Err(taken(
            "a process is listening on it (another host with the same config?)".into(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            warn!(path = %path.display(), "removing a stale socket");
            std::fs::remove_file(path).map_err(|e| taken(format!("cannot remove the stale socket: {e}")))
        }
        Err(e) => Err(taken(format!("cannot tell whether it is in use: {e}"))),
    }
}

impl RunningHost {
    /// Shared state (for tests and the CLI).
    pub fn inner(&self) -> &Arc<HostInner> {
        &self.inner
    }

    /// Waits until every connector has reached a settled state (ready, failed, or for an endpoint
    /// unavailable after a first attempt), up to `limit`.
    pub async fn wait_settled(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let settled = self.inner.connectors.iter().all(|c| {
                matches!(
                    c.state(),
                    ConnectorState::Ready | ConnectorState::Failed | ConnectorState::Unavailable
                )
            });
            if settled {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Closes every session with TerminatedShuttingDown, stops every connector, stops serving.
    pub async fn shutdown(self) {
        let ids = self.inner.sessions.shut_down();
        if !ids.is_empty() {
            info!(sessions = ids.len(), "closing open sessions for shutdown");
        }
        let closes = ids
            .iter()
            .map(|id| self.inner.close_session(id, CloseReason::TerminatedShuttingDown));
        futures_util::future::join_all(closes).await;
        // Closes begun before the shutdown (after an engine cancelled a call) finish first.
        let _ = tokio::time::timeout(Duration::from_secs(30), self.inner.sessions.all_settled()).await;
        let stopped = self.stopped.clone();
        let waiting = self.inner.connectors.len();
        let all_stopped = async {
            let mut left = waiting;
            while left > 0 {
                let notified = stopped.notified();
                left = self
                    .inner
                    .connectors
                    .iter()
                    .filter(|c| !matches!(c.state(), ConnectorState::Stopped | ConnectorState::Failed))
                    .count();
                if left == 0 {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            }
        };
        self.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(30), all_stopped).await;
        let _ = self.server.await;
        info!("host stopped");
    }
}

/// HostService.
struct HostApi {
    host: Arc<HostInner>,
}

#[tonic::async_trait]
impl HostService for HostApi {
    async fn get_host_info(
        &self,
        request: Request<GetHostInfoRequest>,
    ) -> Result<Response<GetHostInfoResponse>, Status> {
        let asked = request.into_inner().protocol_versions;
        let chosen = asked
            .iter()
            .copied()
            .filter(|v| ecma2_proto::PROTOCOL_VERSIONS.contains(v))
            .max()
            .ok_or_else(|| {
                Status::failed_precondition(format!(
                    "no common protocol version: engine speaks {asked:?}, host speaks {:?}",
                    ecma2_proto::PROTOCOL_VERSIONS
                ))
            })?;
        Ok(Response::new(GetHostInfoResponse {
            protocol_version: chosen,
            host_version: env!("CARGO_PKG_VERSION").to_owned(),
            features: Vec::new(),
        }))
    }

    async fn list_connectors(
        &self,
        _request: Request<ListConnectorsRequest>,
    ) -> Result<Response<ListConnectorsResponse>, Status> {
        Ok(Response::new(ListConnectorsResponse {
            connectors: self.host.connectors.iter().map(|c| c.status()).collect(),
        }))
    }

    async fn get_connector_status(
        &self,
        request: Request<GetConnectorStatusRequest>,
    ) -> Result<Response<GetConnectorStatusResponse>, Status> {
        let name = request.into_inner().name;
        let connector = self
            .host
            .connectors
            .iter()
            .find(|c| *c.name == name)
            .ok_or_else(|| Status::not_found(format!("no connector named {name:?}")))?;
        Ok(Response::new(GetConnectorStatusResponse {
            status: Some(connector.status()),
        }))
    }
}

#[cfg(test)]
mod tests {
    /// The host's parts, lowest first. A module may use the ones on its own layer's left and
    /// below, never above: the engine-facing service uses the session table and the connector
    /// handles, which use the relay client; nothing reaches back up.
    const LAYERS: [&[&str]; 6] = [
        &["config", "status", "logs", "platform", "auth", "web"],
        &["relay"],
        &["supervisor"],
        &["sessions"],
        &["metrics"],
        &["forward"],
    ];

    fn layer(module: &str) -> Option<usize> {
        LAYERS.iter().position(|l| l.contains(&module))
    }

    #[test]
    fn modules_point_one_way() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                for inner in std::fs::read_dir(&path).unwrap() {
                    files.push(inner.unwrap().path());
                }
            } else {
                files.push(path);
            }
        }
        let mut wrong = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            let module = relative
                .iter()
                .next()
                .unwrap()
                .to_str()
                .unwrap()
                .trim_end_matches(".rs");
            let Some(own) = layer(module) else {
                continue; // lib.rs and main.rs assemble everything
            };
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for (at, _) in line.match_indices("crate::") {
                    let used: String = line[at + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let ok = match layer(&used) {
                        Some(l) => l <= own,
                        None => false, // the crate root (HostInner, Host) is above everything
                    };
                    if !ok && used != module {
                        wrong.push(format!("{}:{}: {module} uses crate::{used}", relative.display(), n + 1));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "imports pointing up:\n{}", wrong.join("\n"));
    }
}
