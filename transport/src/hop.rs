//! [`Hop`]: one HTTP/2 connection to a process on this machine (a connector the host launched),
//! called directly. A tonic `Channel` puts a buffer task between its callers and the connection
//! (a queue, a task switch and a reply channel per call) and rebuilds each request's URI and
//! user agent; on a hop that is dialled once and never load-balanced none of that is needed, and
//! a one-object page is mostly such per-call costs (issue #18). When the connection ends while
//! the process lives (its server has a maximum connection age, or sent GOAWAY for its own
//! reasons), the next call dials it again: one dial for all the hop's clones, which then share
//! the new connection. When the process is gone, the dial fails and so does the call; whoever
//! launched the process starts it again.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_util::TryFutureExt;
use futures_util::future::{Either, MapErr};
use http::uri::{Authority, PathAndQuery, Scheme, Uri};
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tonic::transport::Channel;
use tracing::{debug, info};

use crate::platform::UnixStream;
use crate::{Address, TransportError, Windows};

/// How often an idle hop is pinged, as tonic's channels to local connectors did.
const KEEPALIVE: Duration = Duration::from_secs(30);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The handle requests are sent on, one per connection.
type Sender = http2::SendRequest<tonic::body::Body>;

/// A dial in progress.
type Dialling = Pin<Box<dyn Future<Output = Result<Sender, TransportError>> + Send + Sync>>;

/// A cloneable handle on one HTTP/2 connection; a `tower::Service` for tonic's clients.
pub struct Hop {
    send: Sender,
    dial: Arc<Dial>,
    /// This clone's wait for a new connection, once its own has ended.
    redial: Option<Dialling>,
}

/// What a hop's clones share: where to dial again, and the newest connection.
struct Dial {
    address: Address,
    windows: Windows,
    authority: Authority,
    newest: Mutex<Sender>,
    /// Held while dialling, so that clones whose connection ended together dial once.
    dialling: tokio::sync::Mutex<()>,
}

impl Clone for Hop {
    fn clone(&self) -> Self {
        Hop {
            send: self.send.clone(),
            dial: self.dial.clone(),
            redial: None,
        }
    }
}

impl std::fmt::Debug for Hop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hop")
            .field("address", &self.dial.address)
            .field("closed", &self.send.is_closed())
            .finish()
    }
}

/// The future of a call on a [`Hop`].
pub type HopFuture = Pin<Box<dyn Future<Output = Result<http::Response<tonic::body::Body>, BoxError>> + Send>>;

impl Hop {
    /// Connects to `address` (a Unix socket or TCP), advertising `windows`.
    pub async fn connect(address: &Address, windows: Windows) -> Result<Hop, TransportError> {
        let (authority, send) = dial(address, windows).await?;
        Ok(Hop {
            send: send.clone(),
            dial: Arc::new(Dial {
                address: address.clone(),
                windows,
                authority,
                newest: Mutex::new(send),
                dialling: tokio::sync::Mutex::new(()),
            }),
            redial: None,
        })
    }
}

impl Dial {
    /// A live connection: the newest, if another clone has dialled since this one's ended, else
    /// a new one.
    async fn again(self: Arc<Self>) -> Result<Sender, TransportError> {
        let _dialling = self.dialling.lock().await;
        {
            let newest = self.newest.lock().expect("hop lock");
            if !newest.is_closed() {
                return Ok(newest.clone());
            }
        }
        let (_, send) = dial(&self.address, self.windows).await?;
        info!(address = %self.address, "connection to a local process ended; dialled it again");
        *self.newest.lock().expect("hop lock") = send.clone();
        Ok(send)
    }
}

/// Dials `address` and does the HTTP/2 handshake; the connection's authority and its handle.
async fn dial(address: &Address, windows: Windows) -> Result<(Authority, Sender), TransportError> {
    let failed = |source: std::io::Error| TransportError::Dial {
        address: address.clone(),
        reason: source.to_string(),
    };
    let (authority, hop) = match address {
        Address::Unix(path) => (
            Authority::from_static("localhost"),
            handshake(TokioIo::new(UnixStream::connect(path).await.map_err(failed)?), windows).await,
        ),
        Address::Tcp(addr) => tcp(address, TcpStream::connect(addr).await, addr.to_string(), windows).await?,
        Address::Host { name, port } => {
            let stream = TcpStream::connect((name.as_str(), *port)).await;
            tcp(address, stream, format!("{name}:{port}"), windows).await?
        }
    };
    let send = hop.map_err(|e| TransportError::Dial {
        address: address.clone(),
        reason: format!("HTTP/2 handshake: {e}"),
    })?;
    Ok((authority, send))
}

/// The handshake over a TCP connection to `address` (Nagle off), and its authority.
async fn tcp(
    address: &Address,
    stream: std::io::Result<TcpStream>,
    authority_text: String,
    windows: Windows,
) -> Result<(Authority, Result<http2::SendRequest<tonic::body::Body>, hyper::Error>), TransportError> {
    let stream = stream.map_err(|e| TransportError::Dial {
        address: address.clone(),
        reason: e.to_string(),
    })?;
    let _ = stream.set_nodelay(true);
    Ok((
        authority(address, authority_text)?,
        handshake(TokioIo::new(stream), windows).await,
    ))
}

fn authority(address: &Address, text: String) -> Result<Authority, TransportError> {
    Authority::try_from(text).map_err(|e| TransportError::Dial {
        address: address.clone(),
        reason: format!("not an HTTP authority: {e}"),
    })
}

/// The HTTP/2 handshake over `io`; the connection is driven by a task of its own until it ends.
async fn handshake<I>(io: I, windows: Windows) -> Result<Sender, hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = http2::Builder::new(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .keep_alive_interval(KEEPALIVE)
        .keep_alive_while_idle(true)
        .initial_stream_window_size(windows.stream)
        .initial_connection_window_size(windows.connection);
    let (send, connection) = builder.handshake(io).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            debug!(error = %e, "connection to a local process ended");
        }
    });
    Ok(send)
}

impl tower::Service<http::Request<tonic::body::Body>> for Hop {
    type Response = http::Response<tonic::body::Body>;
    type Error = BoxError;
    type Future = HopFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let mut dialled = false;
        loop {
            if let Some(redial) = &mut self.redial {
                let dialled_now = ready!(redial.as_mut().poll(cx));
                self.redial = None;
                self.send = dialled_now?;
                dialled = true;
            }
            match self.send.poll_ready(cx) {
                Poll::Ready(Err(e)) if self.send.is_closed() && !dialled => {
                    debug!(error = %e, address = %self.dial.address, "connection to a local process ended");
                    self.redial = Some(Box::pin(self.dial.clone().again()));
                }
                other => return other.map_err(Into::into),
            }
        }
    }

    fn call(&mut self, mut request: http::Request<tonic::body::Body>) -> Self::Future {
        // HTTP/2 needs :scheme and :authority; tonic's clients send the path alone.
        if request.uri().scheme().is_none() {
            let path = request
                .uri()
                .path_and_query()
                .cloned()
                .unwrap_or_else(|| PathAndQuery::from_static("/"));
            let mut parts = http::uri::Parts::default();
            parts.scheme = Some(Scheme::HTTP);
            parts.authority = Some(self.dial.authority.clone());
            parts.path_and_query = Some(path);
            *request.uri_mut() = Uri::from_parts(parts).expect("scheme, authority and path make a URI");
        }
        let response = self.send.send_request(request);
        Box::pin(async move { Ok(response.await?.map(tonic::body::Body::new)) })
    }
}

/// A connector's connection: a [`Hop`] to a process the host launched, or a tonic `Channel` to an
/// endpoint dialled over the network (with TLS and reconnection).
#[derive(Debug, Clone)]
pub enum Upstream {
    /// A launched process on this machine.
    Local(Hop),
    /// A remote endpoint.
    Remote(Channel),
}

/// The future of a call on an [`Upstream`].
pub type UpstreamFuture = Either<
    HopFuture,
    MapErr<
        <Channel as tower::Service<http::Request<tonic::body::Body>>>::Future,
        fn(tonic::transport::Error) -> BoxError,
    >,
>;

impl tower::Service<http::Request<tonic::body::Body>> for Upstream {
    type Response = http::Response<tonic::body::Body>;
    type Error = BoxError;
    type Future = UpstreamFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self {
            Upstream::Local(hop) => hop.poll_ready(cx),
            Upstream::Remote(channel) => channel.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        match self {
            Upstream::Local(hop) => Either::Left(hop.call(request)),
            Upstream::Remote(channel) => Either::Right(channel.call(request).map_err(Into::into as fn(_) -> _)),
        }
    }
}
