//! Misbehaviour below the SDK, on the wire, that a connector written by hand could show: a page
//! whose last entry's fragments never finish, an export batch answered before it was read. Chosen
//! by `ECMA2_TESTKIT_WIRE` (the connector's `env` in the host config):
//!
//! * `unfinished-fragment`: every `GetImportEntries` page is one entry, then a fragment with
//!   `last = false`, then the results frame;
//! * `export-read:N`: `PutExportEntries` reads `N` frames, then answers OK with no results;
//! * `oversized-batch:N`: every `GetImportEntries` page is one `entry_batch` frame of `N`
//!   entries (whatever the page size), then the results frame;
//! * `late-trailers:MS`: every `GetImportEntries` page is one entry and the results frame, and
//!   the stream ends (its trailers) `MS` milliseconds after the results frame, as a connector
//!   does that cleans up after its last frame. Once a page's stream has been cut before its
//!   end (reset by the host), every later page fails, saying so;
//! * `error-after-results`: every `GetImportEntries` page is one entry and the results frame,
//!   and then the stream ends with UNAVAILABLE.
//!
//! Every other call goes to the SDK's server. In this mode the testkit serves by itself (ready
//! line, health, listener) and exits on the host's Shutdown.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use ecma2_sdk::pb::{
    CsEntryChange, EntryFragment, GetImportEntriesRequest, GetImportEntriesResponse, GetImportEntriesResults,
    PutExportEntriesRequest, PutExportEntriesResponse, get_import_entries_response::Frame,
};
use futures_util::{Stream, StreamExt};
use prost::Message;
use tokio::sync::Notify;
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{ClientStreamingService, NamedService, ServerStreamingService};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

/// What to get wrong.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// A page ends while an entry's fragments are unfinished.
    UnfinishedFragment,
    /// An export batch is answered after reading this many frames.
    ExportRead(usize),
    /// A page is one entry batch of this many entries.
    OversizedBatch(usize),
    /// A page's stream ends this many milliseconds after its results frame.
    LateTrailers(u64),
    /// A page's stream ends with an error after its results frame.
    ErrorAfterResults,
}

impl Mode {
    /// The mode `ECMA2_TESTKIT_WIRE` asks for, if any.
    pub fn from_env() -> Option<Result<Self, String>> {
        let value = std::env::var("ECMA2_TESTKIT_WIRE").ok()?;
        Some(match value.split_once(':') {
            None if value == "unfinished-fragment" => Ok(Self::UnfinishedFragment),
            None if value == "error-after-results" => Ok(Self::ErrorAfterResults),
            Some(("export-read", n)) => n.parse().map(Self::ExportRead).map_err(|e| format!("{value}: {e}")),
            Some(("oversized-batch", n)) => n.parse().map(Self::OversizedBatch).map_err(|e| format!("{value}: {e}")),
            Some(("late-trailers", ms)) => ms.parse().map(Self::LateTrailers).map_err(|e| format!("{value}: {e}")),
            _ => Err(format!("unknown ECMA2_TESTKIT_WIRE value {value:?}")),
        })
    }
}

/// The SDK's server with the misbehaviour in front of it.
#[derive(Clone)]
pub struct Wire<S> {
    inner: S,
    mode: Mode,
    /// Notified when the host asked for Shutdown.
    pub shutdown: Arc<Notify>,
    /// A page's stream was cut before its end (`late-trailers`).
    cut: Arc<AtomicBool>,
}

impl<S> Wire<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, mode: Mode) -> Self {
        Self {
            inner,
            mode,
            shutdown: Arc::new(Notify::new()),
            cut: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<S: NamedService> NamedService for Wire<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for Wire<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Error = Infallible>,
    S::Future: Send + 'static,
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let max = Some(4 << 20);
        match (request.uri().path(), self.mode) {
            ("/ecma2.v1.ConnectorService/GetImportEntries", Mode::UnfinishedFragment) => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(
                    ProstCodec::<GetImportEntriesResponse, GetImportEntriesRequest>::default(),
                )
                .apply_max_message_size_config(max, max);
                Ok(grpc.server_streaming(UnfinishedPage, request).await)
            }),
            ("/ecma2.v1.ConnectorService/GetImportEntries", Mode::OversizedBatch(n)) => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(
                    ProstCodec::<GetImportEntriesResponse, GetImportEntriesRequest>::default(),
                )
                .apply_max_message_size_config(max, max);
                Ok(grpc.server_streaming(OversizedBatch(n), request).await)
            }),
            (
                "/ecma2.v1.ConnectorService/GetImportEntries",
                mode @ (Mode::LateTrailers(_) | Mode::ErrorAfterResults),
            ) => {
                let page = LateTrailers {
                    ms: if let Mode::LateTrailers(ms) = mode { ms } else { 0 },
                    fail: matches!(mode, Mode::ErrorAfterResults),
                    cut: self.cut.clone(),
                };
                Box::pin(async move {
                    let mut grpc = tonic::server::Grpc::new(ProstCodec::<
                        GetImportEntriesResponse,
                        GetImportEntriesRequest,
                    >::default())
                    .apply_max_message_size_config(max, max);
                    Ok(grpc.server_streaming(page, request).await)
                })
            }
            ("/ecma2.v1.ConnectorService/PutExportEntries", Mode::ExportRead(n)) => Box::pin(async move {
                let mut grpc = tonic::server::Grpc::new(
                    ProstCodec::<PutExportEntriesResponse, PutExportEntriesRequest>::default(),
                )
                .apply_max_message_size_config(max, max);
                Ok(grpc.client_streaming(EarlyAnswer(n), request).await)
            }),
            ("/ecma2.v1.ConnectorService/Shutdown", _) => {
                let shutdown = self.shutdown.clone();
                let answer = self.inner.call(request);
                Box::pin(async move {
                    let response = answer.await;
                    shutdown.notify_one();
                    response
                })
            }
            _ => Box::pin(self.inner.call(request)),
        }
    }
}

type Page = Pin<Box<dyn Stream<Item = Result<GetImportEntriesResponse, Status>> + Send>>;

struct UnfinishedPage;

impl ServerStreamingService<GetImportEntriesRequest> for UnfinishedPage {
    type Response = GetImportEntriesResponse;
    type ResponseStream = Page;
    type Future = BoxFuture<Response<Page>, Status>;

    fn call(&mut self, _request: Request<GetImportEntriesRequest>) -> Self::Future {
        let entry = |id: i64| ecma2_sdk::model::add("thing").anchor("id", id).build();
        let whole: CsEntryChange = entry(1);
        let half = entry(2).encode_to_vec();
        let frames = vec![
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::Entry(whole)),
            }),
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::EntryFragment(EntryFragment {
                    data: half[..half.len() / 2].to_vec().into(),
                    last: false,
                })),
            }),
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::Results(GetImportEntriesResults {
                    custom_data: "unfinished".into(),
                    more_to_import: false,
                })),
            }),
        ];
        Box::pin(async move { Ok(Response::new(Box::pin(futures_util::stream::iter(frames)) as Page)) })
    }
}

struct OversizedBatch(usize);

impl ServerStreamingService<GetImportEntriesRequest> for OversizedBatch {
    type Response = GetImportEntriesResponse;
    type ResponseStream = Page;
    type Future = BoxFuture<Response<Page>, Status>;

    fn call(&mut self, _request: Request<GetImportEntriesRequest>) -> Self::Future {
        let entries = (0..self.0)
            .map(|id| ecma2_sdk::model::add("thing").anchor("id", id as i64).build())
            .collect();
        let frames = vec![
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::EntryBatch(ecma2_sdk::pb::EntryBatch { entries })),
            }),
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::Results(GetImportEntriesResults {
                    custom_data: "oversized".into(),
                    more_to_import: false,
                })),
            }),
        ];
        Box::pin(async move { Ok(Response::new(Box::pin(futures_util::stream::iter(frames)) as Page)) })
    }
}

/// A page whose stream ends some time after its results frame, or with an error; a page asked
/// for after an earlier page's stream was cut before its end (the engine's side reset it) fails,
/// naming that.
struct LateTrailers {
    ms: u64,
    fail: bool,
    cut: Arc<AtomicBool>,
}

/// Marks the pages' stream as cut if dropped before [`EndGuard::reached`].
struct EndGuard(Option<Arc<AtomicBool>>);

impl EndGuard {
    fn reached(mut self) {
        self.0 = None;
    }
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        if let Some(cut) = self.0.take() {
            cut.store(true, Ordering::SeqCst);
        }
    }
}

impl ServerStreamingService<GetImportEntriesRequest> for LateTrailers {
    type Response = GetImportEntriesResponse;
    type ResponseStream = Page;
    type Future = BoxFuture<Response<Page>, Status>;

    fn call(&mut self, _request: Request<GetImportEntriesRequest>) -> Self::Future {
        if self.cut.load(Ordering::SeqCst) {
            let refused =
                Status::failed_precondition("a page's stream was cut before its end (after its results frame)");
            return Box::pin(async move { Err(refused) });
        }
        let frames = vec![
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::Entry(ecma2_sdk::model::add("thing").anchor("id", 1).build())),
            }),
            Ok(GetImportEntriesResponse {
                frame: Some(Frame::Results(GetImportEntriesResults {
                    custom_data: "late".into(),
                    more_to_import: true,
                })),
            }),
        ];
        let pause = Duration::from_millis(self.ms);
        let fail = self.fail;
        let guard = EndGuard(Some(self.cut.clone()));
        // The stream yields nothing more (or the error): it ends once the pause is over.
        let end = futures_util::stream::once(async move {
            tokio::time::sleep(pause).await;
            guard.reached();
            fail.then(|| {
                Err(Status::unavailable(
                    "the source went away while the page was cleaned up",
                ))
            })
        })
        .filter_map(|last| async { last });
        Box::pin(async move {
            Ok(Response::new(
                Box::pin(futures_util::stream::iter(frames).chain(end)) as Page
            ))
        })
    }
}

struct EarlyAnswer(usize);

impl ClientStreamingService<PutExportEntriesRequest> for EarlyAnswer {
    type Response = PutExportEntriesResponse;
    type Future = BoxFuture<Response<PutExportEntriesResponse>, Status>;

    fn call(&mut self, request: Request<Streaming<PutExportEntriesRequest>>) -> Self::Future {
        let read = self.0;
        Box::pin(async move {
            let mut frames = request.into_inner();
            for _ in 0..read {
                if frames.message().await?.is_none() {
                    break;
                }
            }
            Ok(Response::new(PutExportEntriesResponse {
                results: Some(Default::default()),
            }))
        })
    }
}
