//! Local sockets on Unix: tokio's Unix domain sockets, used as they are. The Windows twin of this
//! file stands in for them where the platform has none.

pub use tokio::net::{UnixListener, UnixStream};

/// Whether `unix:` addresses can be bound and dialled here.
pub const UNIX_SOCKETS: bool = true;

/// The connections accepted by `listener`.
pub(crate) fn incoming(listener: UnixListener) -> tokio_stream::wrappers::UnixListenerStream {
    tokio_stream::wrappers::UnixListenerStream::new(listener)
}
