//! Knowing when a connection ends. [`Tracked`] wraps a socket; when the socket is dropped (the
//! HTTP/2 connection over it is over, whichever side ended it) its [`ConnectionInfo`] token is
//! cancelled. Servers get the info in every request's extensions (tonic's `Connected`), so a
//! service can tie state, such as an engine's sessions, to the connection that made it. Clients
//! use the same token to learn that their channel's connection was lost.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::sync::{CancellationToken, DropGuard};
use tonic::transport::server::{Connected, TlsConnectInfo};

use crate::guard::{Activity, Watch};

/// What a server knows about the connection a request came on. One `Arc`: every request gets a
/// copy, and cloning a `CancellationToken` takes a lock.
#[derive(Debug, Clone)]
pub struct ConnectionInfo(Arc<Info>);

#[derive(Debug)]
struct Info {
    closed: CancellationToken,
    activity: Arc<Activity>,
}

impl ConnectionInfo {
    fn new(closed: CancellationToken, activity: Activity) -> Self {
        ConnectionInfo(Arc::new(Info {
            closed,
            activity: Arc::new(activity),
        }))
    }

    /// A token cancelled once the connection has ended.
    pub fn closed(&self) -> CancellationToken {
        self.0.closed.clone()
    }

    /// The connection's calls in flight and its credentials.
    pub(crate) fn activity(&self) -> &Arc<Activity> {
        &self.0.activity
    }

    /// Marks the connection as authenticated (its credentials were checked): the
    /// [`crate::ConnectionLimits::auth_timeout`] no longer applies to it.
    pub fn authenticated(&self) {
        self.0.activity.authenticate();
    }

    /// The connection a request came on, when it was accepted by a [`crate::Listener`].
    pub fn of<T>(request: &tonic::Request<T>) -> Option<&ConnectionInfo> {
        Self::in_extensions(request.extensions())
    }

    /// The connection info among a request's extensions (plain or behind TLS).
    pub fn in_extensions(extensions: &http::Extensions) -> Option<&ConnectionInfo> {
        extensions.get::<ConnectionInfo>().or_else(|| {
            extensions
                .get::<TlsConnectInfo<ConnectionInfo>>()
                .map(|tls| tls.get_ref())
        })
    }
}

/// A socket whose end cancels a token.
#[derive(Debug)]
pub struct Tracked<IO> {
    io: IO,
    info: ConnectionInfo,
    watch: Option<Watch>,
    _guard: DropGuard,
}

impl<IO> Tracked<IO> {
    /// Tracks `io` with a token of its own.
    pub fn new(io: IO) -> Self {
        Self::with_token(io, CancellationToken::new())
    }

    /// Tracks `io` with `token`, cancelled when `io` is dropped.
    pub fn with_token(io: IO, token: CancellationToken) -> Self {
        Self {
            io,
            info: ConnectionInfo::new(token.clone(), Activity::new(None)),
            watch: None,
            _guard: token.drop_guard(),
        }
    }

    /// Tracks an accepted `io` whose time `watch` limits; `refused` is the message its calls get
    /// when it is over the connection cap.
    pub(crate) fn watched(io: IO, watch: Watch, refused: Option<String>) -> Self {
        let token = CancellationToken::new();
        Self {
            io,
            info: ConnectionInfo::new(token.clone(), Activity::new(refused)),
            watch: Some(watch),
            _guard: token.drop_guard(),
        }
    }
}

impl<IO> Connected for Tracked<IO> {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> ConnectionInfo {
        self.info.clone()
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Tracked<IO> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.watch.as_ref().is_some_and(Watch::is_expired) {
            return Poll::Ready(Ok(()));
        }
        let read = Pin::new(&mut this.io).poll_read(cx, buf);
        if read.is_pending()
            && let Some(watch) = &mut this.watch
            && watch.expired(this.info.activity(), cx)
        {
            // Out of time: the connection reads as closed, and the server ends it.
            return Poll::Ready(Ok(()));
        }
        read
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Tracked<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
