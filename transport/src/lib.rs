//! Where things listen and how to reach them. An [`Address`] is `unix:/path/to.sock` or
//! `tcp:HOST:PORT`, the syntax of `ECMA2_LISTEN` and of the ready line (docs/runtime.md).
//! [`Listener`] binds one and serves a tonic router on it; [`connect`] opens a channel to one.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio_stream::wrappers::{TcpListenerStream, UnixListenerStream};
use tonic::transport::{Channel, Endpoint, server::Router};

/// A place to listen on or connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// A Unix domain socket at this path.
    Unix(PathBuf),
    /// A TCP socket address.
    Tcp(SocketAddr),
}

/// Why an address could not be parsed, bound or reached.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The text is not `unix:/path` or `tcp:host:port`.
    #[error("invalid address {text:?}: expected unix:/path/to.sock or tcp:HOST:PORT")]
    Invalid {
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
            Ok(Address::Unix(PathBuf::from(path)))
        } else if let Some(addr) = text.strip_prefix("tcp:") {
            let addr = addr.strip_prefix("//").unwrap_or(addr);
            addr.parse().map(Address::Tcp).map_err(|_| invalid())
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
        }
    }
}

impl Address {
    /// Whether this address is reachable only from this machine: a Unix socket or a loopback IP.
    pub fn is_local(&self) -> bool {
        match self {
            Address::Unix(_) => true,
            Address::Tcp(addr) => addr.ip().is_loopback(),
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

    /// Serves `router` until `shutdown` completes.
    pub async fn serve<F>(self, router: Router, shutdown: F) -> Result<(), TransportError>
    where
        F: Future<Output = ()> + Send,
    {
        let address = self.local_address();
        let result = match self {
            Listener::Unix(listener, path) => {
                let result = router
                    .serve_with_incoming_shutdown(UnixListenerStream::new(listener), shutdown)
                    .await;
                let _ = std::fs::remove_file(path);
                result
            }
            Listener::Tcp(listener) => {
                router
                    .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
                    .await
            }
        };
        result.map_err(|source| TransportError::Serve { address, source })
    }
}

/// An endpoint for `address` with the settings every hop uses.
fn endpoint(address: &Address) -> Endpoint {
    let uri = match address {
        Address::Tcp(addr) => format!("http://{addr}"),
        // The authority is unused: the connector below dials the socket path.
        Address::Unix(_) => "http://localhost".to_owned(),
    };
    Endpoint::from_shared(uri)
        .expect("a generated URI is valid")
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true)
}

/// Opens a channel to `address`.
pub async fn connect(address: &Address) -> Result<Channel, TransportError> {
    let connect_err = |source| TransportError::Connect {
        address: address.clone(),
        source,
    };
    match address {
        Address::Tcp(_) => endpoint(address).connect().await.map_err(connect_err),
        Address::Unix(path) => {
            let path = path.clone();
            endpoint(address)
                .connect_with_connector(tower::service_fn(move |_| {
                    let path = path.clone();
                    async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(path).await?)) }
                }))
                .await
                .map_err(connect_err)
        }
    }
}

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
        for bad in ["", "unix:", "tcp:localhost", "http://x", "tcp:1.2.3.4"] {
            let err = bad.parse::<Address>().unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
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
