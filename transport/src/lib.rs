//! Where things listen and how to reach them. An [`Address`] is `unix:/path/to.sock` or
//! `tcp:HOST:PORT`, the syntax of `ECMA2_LISTEN` and of the ready line (docs/runtime.md).
//! [`Listener`] binds one and serves a tonic router on it, telling services when each connection
//! ends ([`ConnectionInfo`]); [`connect`] opens a plain channel to one, and [`dial`] a channel,
//! with TLS when asked, that says when its connection is lost. TLS is in [`tls`]. What differs
//! between Unix and Windows (Unix sockets) is in one `platform` module.

// The one place the platform is chosen; see the module's two files.
mod authority;
mod guard;
mod hop;
#[cfg_attr(unix, path = "platform/unix.rs")]
#[cfg_attr(windows, path = "platform/windows.rs")]
mod platform;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
pub mod tls;
mod tracked;

pub use guard::{CallTracking, ConnectionLimits, Tracking};
pub use hop::{Hop, HopFuture, Upstream, UpstreamFuture};
pub use platform::UNIX_SOCKETS;
pub use tls::{ClientTls, ServerTls, TlsClient, TlsServer};
pub use tracked::{ConnectionInfo, Tracked};

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use platform::{UnixListener, UnixStream};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tonic::transport::{Channel, Endpoint, server::Router};

/// A place to listen on or connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// A Unix domain socket at this path.
    Unix(PathBuf),
    /// A TCP socket address.
    Tcp(SocketAddr),
    /// A TCP port on a host known by name (such as a Kubernetes service), resolved when used.
    Host {
        /// The DNS name.
        name: String,
        /// The port.
        port: u16,
    },
}

/// Why an address could not be parsed, bound or reached.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The text is not `unix:/path` or `tcp:host:port`.
    #[error(
        "invalid address {text:?}: expected unix:/path/to.sock or tcp:HOST:PORT (HOST an IP address or a DNS name)"
    )]
    Invalid {
        /// The rejected text.
        text: String,
    },
    /// The address is well formed but this platform cannot use it (a Unix socket on Windows).
    #[error(
        "address {text:?} cannot be used here: Unix sockets are not available on this platform; use tcp:127.0.0.1:PORT"
    )]
    Unsupported {
        /// The rejected text.
        text: String,
    },
    /// Binding failed.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: Address,
        /// The cause.
        source: std::io::Error,
    },
    /// Connecting failed.
    #[error("cannot connect to {address}: {source}")]
    Connect {
        /// The address.
        address: Address,
        /// The cause.
        source: tonic::transport::Error,
    },
    /// Serving failed.
    #[error("serving on {address} failed: {source}")]
    Serve {
        /// The address.
        address: Address,
        /// The cause.
        source: tonic::transport::Error,
    },
    /// A TLS file could not be read or holds nothing usable.
    #[error("TLS {what} file {file}: {reason}")]
    TlsFile {
        /// Which file: `certificate`, `private key`, `CA` or `client CA`.
        what: &'static str,
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The TLS settings do not fit together (a key without its certificate, a key that does not
    /// match, a server name that is neither a DNS name nor an IP address).
    #[error("TLS {context}: {reason}")]
    Tls {
        /// The files or setting concerned.
        context: String,
        /// What is wrong.
        reason: String,
    },
    /// Dialling failed (connection refused, TLS handshake refused, timeout).
    #[error("cannot connect to {address}: {reason}")]
    Dial {
        /// The address.
        address: Address,
        /// The whole cause chain, such as `invalid peer certificate: UnknownIssuer`.
        reason: String,
    },
}

/// `error` and its sources, joined by `: ` (tonic's transport errors keep the useful part, such
/// as a certificate problem, in their sources).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

impl FromStr for Address {
    type Err = TransportError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || TransportError::Invalid { text: text.to_owned() };
        if let Some(path) = text.strip_prefix("unix:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(invalid());
            }
            if !UNIX_SOCKETS {
                return Err(TransportError::Unsupported { text: text.to_owned() });
            }
            Ok(Address::Unix(PathBuf::from(path)))
        } else if let Some(addr) = text.strip_prefix("tcp:") {
            let addr = addr.strip_prefix("//").unwrap_or(addr);
            if let Ok(addr) = addr.parse() {
                return Ok(Address::Tcp(addr));
            }
            let (name, port) = addr.rsplit_once(':').ok_or_else(invalid)?;
            let port = port.parse().map_err(|_| invalid())?;
            let label_ok = |l: &str| {
                !l.is_empty() && !l.starts_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            };
            // A name, not a mistyped IP address: some label has a letter.
            if name.split('.').all(label_ok) && name.chars().any(|c| c.is_ascii_alphabetic()) {
                Ok(Address::Host {
                    name: name.to_ascii_lowercase(),
                    port,
                })
            } else {
                Err(invalid())
            }
        } else {
            Err(invalid())
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
            Address::Tcp(addr) => write!(f, "tcp:{addr}"),
            Address::Host { name, port } => write!(f, "tcp:{name}:{port}"),
        }
    }
}

impl Address {
    /// Whether this address is reachable only from this machine: a Unix socket or a loopback IP.
    pub fn is_local(&self) -> bool {
        match self {
            Address::Unix(_) => true,
            Address::Tcp(addr) => addr.ip().is_loopback(),
            Address::Host { name, .. } => name == "localhost",
        }
    }
}

/// A bound listener.
#[derive(Debug)]
pub enum Listener {
    /// A Unix socket listener and its path (removed again on drop of the server).
    Unix(UnixListener, PathBuf),
    /// A TCP listener.
    Tcp(TcpListener),
}

impl Listener {
    /// Binds `address`. A stale Unix socket file at the path is replaced.
    pub async fn bind(address: &Address) -> Result<Self, TransportError> {
        let bind_err = |source| TransportError::Bind {
            address: address.clone(),
            source,
        };
        match address {
            Address::Unix(path) => {
                if path.exists() {
                    std::fs::remove_file(path).map_err(bind_err)?;
                }
                let listener = UnixListener::bind(path).map_err(bind_err)?;
                Ok(Listener::Unix(listener, path.clone()))
            }
            Address::Tcp(addr) => Ok(Listener::Tcp(TcpListener::bind(addr).await.map_err(bind_err)?)),
            Address::Host { name, port } => Ok(Listener::Tcp(
                TcpListener::bind((name.as_str(), *port)).await.map_err(bind_err)?,
            )),
        }
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_address(&self) -> Address {
        match self {
            Listener::Unix(_, path) => Address::Unix(path.clone()),
            Listener::Tcp(listener) => {
                Address::Tcp(listener.local_addr().expect("a bound TCP listener has a local address"))
            }
        }
    }

    /// Serves `router` until `shutdown` completes. Every request carries the
    /// [`ConnectionInfo`] of its connection in its extensions.
    pub async fn serve<F>(self, router: Router, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send,
    {
        let address = self.local_address();
        let result = match self {
            Listener::Unix(listener, path) => {
                let incoming = platform::incoming(listener).map(|io| io.map(Tracked::new));
                let result = router.serve_with_incoming_shutdown(incoming, shutdown).await;
                let _ = std::fs::remove_file(path);
                result
            }
            Listener::Tcp(listener) => {
                let incoming = TcpListenerStream::new(listener).map(|io| {
                    io.map(|io| {
                        let _ = io.set_nodelay(true);
                        Tracked::new(io)
                    })
                });
                router.serve_with_incoming_shutdown(incoming, shutdown).await
            }
        };
        result.map_err(|source| TransportError::Serve { address, source })
    }
}

impl Listener {
    /// Accepts one connection: the socket and who is on the other end (for logs).
    async fn accept(&self) -> std::io::Result<(Box<dyn Io>, String)> {
        match self {
            Listener::Unix(listener, _) => {
                let (io, _) = listener.accept().await?;
                Ok((Box::new(authority::UnixHttp2::new(io)), "unix".to_owned()))
            }
            Listener::Tcp(listener) => {
                let (io, peer) = listener.accept().await?;
                let _ = io.set_nodelay(true);
                Ok((Box::new(io), peer.to_string()))
            }
        }
    }

    /// Serves `router` like [`Listener::serve`], under `limits`: accept errors (out of file
    /// descriptors) back off and are logged, at most `max_connections` are served at once (calls
    /// of the ones over it get `RESOURCE_EXHAUSTED`), and connections that stay idle or
    /// unauthenticated too long are closed. The router must carry [`CallTracking`] for the
    /// idle timeout to see calls (without it every connection counts as idle), and the
    /// credentials check must call [`ConnectionInfo::authenticated`].
    pub async fn serve_limited<F>(
        self,
        router: Router<tower::layer::util::Stack<CallTracking, tower::layer::util::Identity>>,
        shutdown: F,
        limits: ConnectionLimits,
    ) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send,
    {
        let address = self.local_address();
        let path = match &self {
            Listener::Unix(_, path) => Some(path.clone()),
            Listener::Tcp(_) => None,
        };
        let incoming = tokio_stream::wrappers::ReceiverStream::new(guard::accept(self, limits));
        let result = router.serve_with_incoming_shutdown(incoming, shutdown).await;
        if let Some(path) = path {
            let _ = std::fs::remove_file(path);
        }
        result.map_err(|source| TransportError::Serve { address, source })
    }
}

/// The HTTP/2 flow-control windows a connection advertises: how many bytes the peer may send
/// before this side reads them, per stream and over all streams of the connection. Unread data
/// up to the connection window is held in memory, so the connection window bounds what one
/// connection costs however many sessions it carries. `None` keeps hyper's defaults (a client:
/// 2 MiB per stream, 5 MiB per connection; a server: 1 MiB and 1 MiB).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Windows {
    /// Per stream, bytes.
    pub stream: Option<u32>,
    /// Per connection, bytes.
    pub connection: Option<u32>,
}

impl Windows {
    /// hyper's defaults.
    pub const DEFAULT: Windows = Windows {
        stream: None,
        connection: None,
    };

    /// A hop on this machine (a Unix socket or loopback) between a host and a connector or an
    /// engine: 64 KiB per stream. A round trip takes microseconds, so four HTTP/2 frames in
    /// flight keep a stream busy, and what a hundred sessions hold unread stays small (the host's
    /// peak RSS at ten connectors × ten sessions: 48 MiB at 256 KiB per stream, 28 MiB at 64 KiB,
    /// at the same throughput; issue #18). The connection's window is no limit of its own
    /// (1 GiB): what a connection holds unread is at most 64 KiB per stream its reader is not
    /// reading, and a connection window smaller than that sum lets the streams nobody reads yet
    /// (sessions an engine reads one after the other) fill it and stall the one being read, since
    /// the host reads each page only as fast as its engine does (issue #18).
    pub const LOCAL_HOP: Windows = Windows {
        stream: Some(64 * 1024),
        connection: Some(1 << 30),
    };

    /// What the host's engine listener advertises: 256 KiB per stream and 1 MiB per connection.
    /// There the host is the reader of what engines send ahead (export batches), and an engine
    /// chooses how many streams it opens, so the connection's window is what bounds the unread
    /// data one engine connection can make the host hold. (The stall [`Windows::LOCAL_HOP`]
    /// avoids is on the connector side, where the host opens the streams and reads pages.)
    pub const ENGINE_LISTENER: Windows = Windows {
        stream: Some(256 * 1024),
        connection: Some(1024 * 1024),
    };
}

/// An endpoint for `address` with the settings every hop uses.
fn endpoint(address: &Address, windows: Windows) -> Endpoint {
    let uri = match address {
        Address::Tcp(addr) => format!("http://{addr}"),
        Address::Host { name, port } => format!("http://{name}:{port}"),
        // The authority is unused: the connector below dials the socket path.
        Address::Unix(_) => "http://localhost".to_owned(),
    };
    Endpoint::from_shared(uri)
        .expect("a generated URI is valid")
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true)
        .initial_stream_window_size(windows.stream)
        .initial_connection_window_size(windows.connection)
}

/// Opens a channel to `address` with hyper's default windows.
pub async fn connect(address: &Address) -> Result<Channel, TransportError> {
    connect_with(address, Windows::DEFAULT).await
}

/// Opens a channel to `address` advertising `windows`.
pub async fn connect_with(address: &Address, windows: Windows) -> Result<Channel, TransportError> {
    let connect_err = |source| TransportError::Connect {
        address: address.clone(),
        source,
    };
    match address {
        Address::Tcp(_) | Address::Host { .. } => endpoint(address, windows).connect().await.map_err(connect_err),
        Address::Unix(path) => {
            let path = path.clone();
            endpoint(address, windows)
                .connect_with_connector(tower::service_fn(move |_| {
                    let path = path.clone();
                    async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(path).await?)) }
                }))
                .await
                .map_err(connect_err)
        }
    }
}

/// A channel from [`dial`] and a way to learn that its connection was lost.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The channel. Do not use it after [`Connection::closed`] fired: dial again instead, so
    /// that nothing of the old connection (such as its sessions) is taken for alive.
    pub channel: Channel,
    closed: CancellationToken,
}

impl Connection {
    /// Completes once the connection is lost (peer gone, keepalive unanswered, reset).
    pub fn closed(&self) -> WaitForCancellationFutureOwned {
        self.closed.clone().cancelled_owned()
    }

    /// Whether the connection has been lost.
    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }
}

/// How long a remote peer may leave an HTTP/2 keepalive ping unanswered.
const KEEPALIVE: Duration = Duration::from_secs(10);

/// Connects to `address`, over TLS when `tls` is given, and returns once the connection (and the
/// TLS handshake) is up. HTTP/2 keepalive pings every 10 s detect a silent peer.
pub async fn dial(address: &Address, tls: Option<&ClientTls>) -> Result<Connection, TransportError> {
    let dial_err = |e: &(dyn std::error::Error + 'static)| TransportError::Dial {
        address: address.clone(),
        reason: error_chain(e),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let authority = match address {
        Address::Tcp(addr) => addr.to_string(),
        Address::Host { name, port } => format!("{name}:{port}"),
        Address::Unix(_) => "localhost".to_owned(),
    };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{authority}"))
        .expect("a generated URI is valid")
        .connect_timeout(Duration::from_secs(10))
        .http2_keep_alive_interval(KEEPALIVE)
        .keep_alive_timeout(KEEPALIVE)
        .keep_alive_while_idle(true);
    if let Some(tls) = tls {
        let name = match address {
            Address::Tcp(addr) => addr.ip().to_string(),
            Address::Host { name, .. } => name.clone(),
            Address::Unix(_) => "localhost".to_owned(),
        };
        endpoint = endpoint
            .tls_config(tls.config(&name))
            .map_err(|e| TransportError::Tls {
                context: format!("client settings for {address}"),
                reason: error_chain(&e),
            })?;
    }
    let closed = CancellationToken::new();
    let token = closed.clone();
    let target = address.clone();
    let connector = tower::service_fn(move |_| {
        let (target, token) = (target.clone(), token.clone());
        async move {
            let io: Box<dyn Io> = match &target {
                Address::Tcp(addr) => {
                    let stream = TcpStream::connect(addr).await?;
                    stream.set_nodelay(true)?;
                    Box::new(Tracked::with_token(stream, token))
                }
                Address::Host { name, port } => {
                    let stream = TcpStream::connect((name.as_str(), *port)).await?;
                    stream.set_nodelay(true)?;
                    Box::new(Tracked::with_token(stream, token))
                }
                Address::Unix(path) => Box::new(Tracked::with_token(UnixStream::connect(path).await?, token)),
            };
            Ok::<_, std::io::Error>(TokioIo::new(io))
        }
    });
    let channel = endpoint
        .connect_with_connector(connector)
        .await
        .map_err(|e| dial_err(&e))?;
    Ok(Connection { channel, closed })
}

/// A socket of any kind.
pub(crate) trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_both_kinds() {
        let unix: Address = "unix:/tmp/a.sock".parse().unwrap();
        assert_eq!(unix, Address::Unix("/tmp/a.sock".into()));
        assert_eq!(unix.to_string(), "unix:/tmp/a.sock");
        let tcp: Address = "tcp:127.0.0.1:0".parse().unwrap();
        assert_eq!(tcp.to_string(), "tcp:127.0.0.1:0");
        assert!(tcp.is_local());
        assert!(!"tcp:0.0.0.0:1".parse::<Address>().unwrap().is_local());
        let named: Address = "tcp:HR-Connector.ns.svc:7000".parse().unwrap();
        assert_eq!(
            named,
            Address::Host {
                name: "hr-connector.ns.svc".into(),
                port: 7000
            }
        );
        assert_eq!(named.to_string(), "tcp:hr-connector.ns.svc:7000");
        assert!(!named.is_local());
        assert!("tcp:localhost:1".parse::<Address>().unwrap().is_local());
        for bad in [
            "",
            "unix:",
            "tcp:localhost",
            "http://x",
            "tcp:1.2.3.4",
            "tcp:1.2.3:4",
            "tcp:a b:1",
            "tcp:-x:1",
            "tcp:x:99999",
        ] {
            let err = bad.parse::<Address>().unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;

    use crate::test_util::TestCa;

    /// Serves gRPC health on 127.0.0.1:0 over mutual TLS with `tls`; returns the address.
    async fn tls_health_server(tls: &TlsServer) -> (Address, tokio::sync::oneshot::Sender<()>) {
        let listener = Listener::bind(&"tcp:127.0.0.1:0".parse().unwrap()).await.unwrap();
        let address = listener.local_address();
        let (_reporter, health) = tonic_health::server::health_reporter();
        let mut builder = tls.load().unwrap().apply(tonic::transport::Server::builder()).unwrap();
        let router = builder.add_service(health);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(listener.serve(router, async move {
            let _ = stopped.await;
        }));
        (address, stop)
    }

    async fn check(address: &Address, tls: &TlsClient) -> Result<(), String> {
        let tls = tls.load().map_err(|e| e.to_string())?;
        let connection = dial(address, Some(&tls)).await.map_err(|e| e.to_string())?;
        HealthClient::new(connection.channel)
            .check(HealthCheckRequest::default())
            .await
            .map(drop)
            .map_err(|s| format!("{s:?}"))
    }

    #[tokio::test]
    async fn mutual_tls_accepts_only_certificates_of_the_right_cas() {
        let dir = tempfile::tempdir().unwrap();
        let good = TestCa::new(dir.path(), "good");
        let other = TestCa::new(dir.path(), "other");
        let (address, _stop) = tls_health_server(&good.tls_server(&good)).await;

        check(&address, &good.tls_client(&good))
            .await
            .expect("a client of the right CA");

        let foreign = other.tls_client(&good);
        assert!(check(&address, &foreign).await.is_err(), "a client cert of another CA");

        let anonymous = TlsClient {
            cert: None,
            key: None,
            ..good.tls_client(&good)
        };
        assert!(check(&address, &anonymous).await.is_err(), "a client without a cert");

        let (rogue, _stop) = tls_health_server(&other.tls_server(&good)).await;
        let err = check(&rogue, &good.tls_client(&good)).await.unwrap_err();
        assert!(err.contains("certificate"), "a server cert of another CA: {err}");

        let named = TlsClient {
            server_name: Some("elsewhere.example".into()),
            ..good.tls_client(&good)
        };
        let err = check(&address, &named).await.unwrap_err();
        assert!(
            err.contains("certificate"),
            "a server cert without the expected name: {err}"
        );
    }

    #[tokio::test]
    async fn a_lost_connection_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let ca = TestCa::new(dir.path(), "ca");
        let (address, stop) = tls_health_server(&ca.tls_server(&ca)).await;
        let connection = dial(&address, Some(&ca.tls_client(&ca).load().unwrap())).await.unwrap();
        assert!(!connection.is_closed());
        drop(stop);
        tokio::time::timeout(Duration::from_secs(10), connection.closed())
            .await
            .expect("the end of the connection is seen");
    }

    #[tokio::test]
    async fn servers_learn_when_a_connection_ends() {
        use std::sync::{Arc, Mutex};
        let seen: Arc<Mutex<Option<ConnectionInfo>>> = Arc::default();
        let record = seen.clone();
        let (reporter, health) = tonic_health::server::health_reporter();
        drop(reporter);
        let intercepted = tonic::service::interceptor::InterceptedService::new(health, move |r: tonic::Request<()>| {
            *record.lock().unwrap() = ConnectionInfo::of(&r).cloned();
            Ok(r)
        });
        let listener = Listener::bind(&"tcp:127.0.0.1:0".parse().unwrap()).await.unwrap();
        let address = listener.local_address();
        let router = tonic::transport::Server::builder().add_service(intercepted);
        tokio::spawn(listener.serve(router, std::future::pending()));
        let connection = dial(&address, None).await.unwrap();
        let _ = HealthClient::new(connection.channel.clone())
            .check(HealthCheckRequest::default())
            .await;
        let info = seen.lock().unwrap().clone().expect("connection info in the extensions");
        assert!(!info.closed().is_cancelled());
        drop(connection);
        tokio::time::timeout(Duration::from_secs(10), info.closed().cancelled())
            .await
            .expect("the server sees the connection end");
    }

    #[tokio::test]
    async fn binds_tcp_port_zero_to_a_real_port() {
        let listener = Listener::bind(&"tcp:127.0.0.1:0".parse().unwrap()).await.unwrap();
        let Address::Tcp(addr) = listener.local_address() else {
            panic!()
        };
        assert_ne!(addr.port(), 0);
    }
}
