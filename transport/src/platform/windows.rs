//! Local sockets on Windows: there are none tokio can use, so `unix:` addresses are refused when
//! parsed (with a hint to use loopback TCP) and the types below only stand in for tokio's Unix
//! socket types so that the rest of the crate reads the same on every platform. They cannot be
//! constructed: `bind` and `connect` fail, and values never exist.

use std::convert::Infallible;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Whether `unix:` addresses can be bound and dialled here.
pub const UNIX_SOCKETS: bool = false;

fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "Unix sockets are not available on Windows; use tcp:127.0.0.1:PORT",
    )
}

/// Stands in for `tokio::net::UnixListener`; never exists.
#[derive(Debug)]
pub struct UnixListener(Infallible);

impl UnixListener {
    pub(crate) fn bind(_path: &Path) -> io::Result<Self> {
        Err(unsupported())
    }

    pub async fn accept(&self) -> io::Result<(UnixStream, ())> {
        match self.0 {}
    }
}

/// Stands in for `tokio::net::UnixStream`; never exists.
#[derive(Debug)]
pub struct UnixStream(Infallible);

impl UnixStream {
    pub(crate) async fn connect(_path: impl AsRef<Path>) -> io::Result<Self> {
        Err(unsupported())
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, _: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.0 {}
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        match self.0 {}
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.0 {}
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.0 {}
    }
}

/// The connections accepted by `listener`: none, as it cannot exist.
pub(crate) fn incoming(listener: UnixListener) -> tokio_stream::Empty<io::Result<UnixStream>> {
    match listener.0 {}
}
