//! The process side of a connector (docs/runtime.md): launch settings from the environment,
//! logging to stderr, the listener and the ready line, the launch-secret check, health, and
//! shutdown on a signal, on the Shutdown RPC, or when the host process disappears. In remote mode
//! (a container reached over the network) the listener speaks mutual TLS instead: the host's
//! client certificate is the identity, and there is no launch secret and no host pid to watch.

use std::io::Write;

use ecma2_proto::frames::MAX_MESSAGE_BYTES;
use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_server::ConnectorServiceServer;
use ecma2_transport::{Address, Listener, TlsServer, TransportError};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Status};
use tracing::{info, warn};

use crate::ConnectorServer;
use crate::platform;

/// Remote mode: the connector's certificate chain (PEM).
pub(crate) const TLS_CERT_ENV: &str = "ECMA2_TLS_CERT";
/// Remote mode: the connector's private key (PEM).
pub(crate) const TLS_KEY_ENV: &str = "ECMA2_TLS_KEY";
/// Remote mode: the CA that signs the host client certificates to accept (PEM). Required.
pub(crate) const TLS_CLIENT_CA_ENV: &str = "ECMA2_TLS_CLIENT_CA";
/// A second, plain listener serving `grpc.health.v1` only, for probes without a client
/// certificate (Docker HEALTHCHECK, kubelet `grpc:` probes).
pub(crate) const HEALTH_LISTEN_ENV: &str = "ECMA2_HEALTH_LISTEN";

/// Why a connector process could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An environment variable has a value the SDK cannot use.
    #[error("environment variable {name} has an invalid value: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Listening or serving failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Writing the ready line failed.
    #[error("cannot write the ready line to stdout: {0}")]
    Stdout(std::io::Error),
}

/// What the host told the connector at launch (or the defaults for a manual run).
#[derive(Clone)]
pub struct LaunchSettings {
    /// Where to listen.
    pub listen: Address,
    /// The per-launch secret every call must carry, if any.
    pub launch_secret: Option<String>,
    /// The host's pid; the connector exits when it is gone.
    pub host_pid: Option<u32>,
    /// The name the host knows the connector by.
    pub connector_name: Option<String>,
    /// JSON log lines on stderr.
    pub json_logs: bool,
    /// Remote mode: serve mutual TLS with these files. Launch secret and host pid are then
    /// ignored (the client certificate is the identity; no host launched this process).
    pub tls: Option<TlsServer>,
    /// Also serve `grpc.health.v1`, and nothing else, in plain text here (for probes).
    pub health_listen: Option<Address>,
}

impl std::fmt::Debug for LaunchSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchSettings")
            .field("listen", &self.listen)
            .field("launch_secret", &self.launch_secret.as_ref().map(|_| "<redacted>"))
            .field("host_pid", &self.host_pid)
            .field("connector_name", &self.connector_name)
            .field("json_logs", &self.json_logs)
            .field("tls", &self.tls)
            .field("health_listen", &self.health_listen)
            .finish()
    }
}

impl LaunchSettings {
    /// Reads `ECMA2_*` variables.
    pub fn from_env() -> Result<Self, ServeError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the settings from `var` (the environment, or a map in tests). An empty value counts
    /// as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ServeError> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let tls = match (var(TLS_CERT_ENV), var(TLS_KEY_ENV), var(TLS_CLIENT_CA_ENV)) {
            (None, None, None) => None,
            (Some(cert), Some(key), Some(client_ca)) => Some(TlsServer {
                cert: cert.into(),
                key: key.into(),
                client_ca: client_ca.into(),
            }),
            (Some(_), Some(_), None) => {
                return Err(ServeError::Env {
                    name: TLS_CLIENT_CA_ENV,
                    reason: format!(
                        "{TLS_CERT_ENV} and {TLS_KEY_ENV} are set but {TLS_CLIENT_CA_ENV} is not: remote mode always \
                         requires client certificates (mutual TLS); there is no unauthenticated remote mode"
                    ),
                });
            }
            (cert, _, _) => {
                let missing = if cert.is_none() { TLS_CERT_ENV } else { TLS_KEY_ENV };
                return Err(ServeError::Env {
                    name: missing,
                    reason: format!(
                        "remote mode needs all of {TLS_CERT_ENV}, {TLS_KEY_ENV} and {TLS_CLIENT_CA_ENV}; {missing} is not set"
                    ),
                });
            }
        };
        let listen = match var(meta::env::LISTEN) {
            Some(text) => text.parse().map_err(|e: TransportError| ServeError::Env {
                name: meta::env::LISTEN,
                reason: e.to_string(),
            })?,
            None => "tcp:127.0.0.1:0".parse().expect("a valid default"),
        };
        let host_pid = match var(meta::env::HOST_PID) {
            Some(text) => Some(text.parse().map_err(|_| ServeError::Env {
                name: meta::env::HOST_PID,
                reason: format!("{text:?} is not a process id"),
            })?),
            None => None,
        };
        let health_listen = match var(HEALTH_LISTEN_ENV) {
            Some(text) => Some(text.parse().map_err(|e: TransportError| ServeError::Env {
                name: HEALTH_LISTEN_ENV,
                reason: e.to_string(),
            })?),
            None => None,
        };
        let launch_secret = var(meta::env::LAUNCH_SECRET);
        if tls.is_some() && matches!(listen, Address::Unix(_)) {
            return Err(ServeError::Env {
                name: meta::env::LISTEN,
                reason: format!("remote mode ({TLS_CERT_ENV}) listens on TCP, not on {listen}"),
            });
        }
        // A remote connector was not launched by a host: no secret to check, no pid to watch.
        let (launch_secret, host_pid) = if tls.is_some() {
            (None, None)
        } else {
            (launch_secret, host_pid)
        };
        let json_logs = match var(meta::env::LOG_FORMAT).as_deref() {
            Some("json") => true,
            Some("text") => false,
            Some(other) => {
                return Err(ServeError::Env {
                    name: meta::env::LOG_FORMAT,
                    reason: format!("{other:?} is neither json nor text"),
                });
            }
            None => launch_secret.is_some(),
        };
        Ok(Self {
            listen,
            launch_secret,
            host_pid,
            connector_name: var(meta::env::CONNECTOR_NAME),
            json_logs,
            tls,
            health_listen,
        })
    }
}

/// Installs the stderr log subscriber (JSON lines or text), honouring `RUST_LOG`. Does nothing
/// if a subscriber is already installed.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    // Compared without an early exit, so the time taken does not reveal how much matched.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn wait_for_stop(host_pid: Option<u32>, stopping: tokio_util::sync::CancellationToken) -> &'static str {
    let watch = async move {
        match host_pid {
            Some(pid) => platform::HostWatch::new(pid).wait().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        why = platform::stop_signal() => why,
        _ = stopping.cancelled() => "Shutdown RPC",
        _ = watch => "host process gone",
    }
}

/// Loads the remote-mode files; a file problem names its variable (the process exits 64).
fn load_tls(tls: &TlsServer) -> Result<ecma2_transport::ServerTls, ServeError> {
    tls.load().map_err(|err| {
        let name = match &err {
            TransportError::TlsFile { file, .. } if *file == tls.key => TLS_KEY_ENV,
            TransportError::TlsFile { file, .. } if *file == tls.client_ca => TLS_CLIENT_CA_ENV,
            _ => TLS_CERT_ENV,
        };
        ServeError::Env {
            name,
            reason: err.to_string(),
        }
    })
}

pub(crate) async fn serve<T: Send + 'static>(
    server: ConnectorServer<T>,
    settings: LaunchSettings,
) -> Result<(), ServeError> {
    let tls = settings.tls.as_ref().map(load_tls).transpose()?;
    let listener = Listener::bind(&settings.listen).await?;
    let address = listener.local_address();

    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("ecma2.v1.ConnectorService", tonic_health::ServingStatus::Serving)
        .await;

    let secret = settings.launch_secret.clone();
    let check = move |request: Request<()>| -> Result<Request<()>, Status> {
        let Some(expected) = secret.as_deref() else {
            return Ok(request);
        };
        match request.metadata().get(meta::LAUNCH_SECRET) {
            Some(given) if same_bytes(given.as_bytes(), expected.as_bytes()) => Ok(request),
            Some(_) => Err(Status::unauthenticated("wrong launch secret")),
            None => Err(Status::unauthenticated(
                "missing launch secret (metadata ecma2-launch-secret)",
            )),
        }
    };
    let service = InterceptedService::new(
        ConnectorServiceServer::new(server.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES),
        check,
    );
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &tls {
        builder = tls.apply(builder)?;
    }
    let router = builder.add_service(health.clone()).add_service(service);

    // The probe listener shares the health status, and stops with the connector.
    let probes_stop = tokio_util::sync::CancellationToken::new();
    let probes = match &settings.health_listen {
        Some(listen) => {
            let probe_listener = Listener::bind(listen).await?;
            let probe_address = probe_listener.local_address();
            let router = tonic::transport::Server::builder().add_service(health);
            let stop = probes_stop.clone().cancelled_owned();
            let task = tokio::spawn(async move {
                if let Err(err) = probe_listener.serve(router, stop).await {
                    warn!(error = %err, "health listener stopped");
                }
            });
            Some((probe_address, task))
        }
        None => None,
    };

    let mut ready = serde_json::json!({
        "ecma2": meta::READY_MARKER,
        "protocol": ecma2_proto::PROTOCOL_VERSIONS.iter().max(),
        "address": address.to_string(),
        "pid": std::process::id(),
    });
    if let Some((probe_address, _)) = &probes {
        ready["health_address"] = probe_address.to_string().into();
    }
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{ready}")
            .and_then(|_| stdout.flush())
            .map_err(ServeError::Stdout)?;
    }
    info!(
        address = %address,
        mutual_tls = tls.is_some(),
        health_address = probes.as_ref().map(|(a, _)| a.to_string()),
        "connector listening"
    );

    let stopper = server.clone();
    let host_pid = settings.host_pid;
    let shutdown = async move {
        let why = wait_for_stop(host_pid, stopper.stopping()).await;
        info!(reason = why, "shutting down");
        reporter
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        reporter
            .set_service_status("ecma2.v1.ConnectorService", tonic_health::ServingStatus::NotServing)
            .await;
        let closed = stopper.close_all().await;
        if closed > 0 {
            warn!(closed, "closed open sessions with TerminatedShuttingDown");
        }
    };
    let served = listener.serve(router, shutdown).await;
    probes_stop.cancel();
    if let Some((_, task)) = probes {
        let _ = task.await;
    }
    served?;
    info!("connector stopped");
    Ok(())
}
