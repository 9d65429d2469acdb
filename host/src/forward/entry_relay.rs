//! [`EntryRelay`]: the engine-facing `GetImportEntries` and `PutExportEntries` served with the
//! relay frames of [`crate::relay`] (entries stay encoded), every other call passed to the
//! generated server.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use ecma2_proto::frames::MAX_MESSAGE_BYTES;
use ecma2_proto::pb::{GetImportEntriesRequest, PutExportEntriesResponse};
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{ClientStreamingService, NamedService, ServerStreamingService};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

use super::EngineService;
use super::page::Page;
use crate::relay::{GET_IMPORT_ENTRIES, PUT_EXPORT_ENTRIES, RelayExportFrame, RelayFrame, RelayStream};

/// Serves `GetImportEntries` and `PutExportEntries` from [`EngineService::relay_import_entries`]
/// and [`EngineService::relay_export_entries`], and everything else from `inner` (the generated
/// server).
#[derive(Clone)]
pub struct EntryRelay<S> {
    inner: S,
    service: EngineService,
}

impl<S> EntryRelay<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, service: EngineService) -> Self {
        Self { inner, service }
    }
}

impl<S: NamedService> NamedService for EntryRelay<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for EntryRelay<S>
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
        let max = Some(MAX_MESSAGE_BYTES);
        match request.uri().path() {
            GET_IMPORT_ENTRIES => {
                let method = ImportMethod(self.service.clone());
                Box::pin(async move {
                    let mut grpc =
                        tonic::server::Grpc::new(ProstCodec::<RelayFrame, GetImportEntriesRequest>::default())
                            .apply_max_message_size_config(max, max);
                    // tonic decodes the request, calls the method and makes the headers (or the
                    // error); the page's bytes are the body, in place of tonic's encoder.
                    let (mut parts, body) = grpc.server_streaming(method, request).await.into_parts();
                    let page = parts
                        .extensions
                        .remove::<PageSlot>()
                        .and_then(|slot| slot.0.lock().expect("page slot lock").take());
                    let body = match page {
                        Some(page) => tonic::body::Body::new(page),
                        None => body,
                    };
                    Ok(http::Response::from_parts(parts, body))
                })
            }
            PUT_EXPORT_ENTRIES => {
                let method = ExportMethod(self.service.clone());
                Box::pin(async move {
                    let mut grpc =
                        tonic::server::Grpc::new(ProstCodec::<PutExportEntriesResponse, RelayExportFrame>::default())
                            .apply_max_message_size_config(max, max);
                    Ok(grpc.client_streaming(method, request).await)
                })
            }
            _ => Box::pin(self.inner.call(request)),
        }
    }
}

struct ExportMethod(EngineService);

impl ClientStreamingService<RelayExportFrame> for ExportMethod {
    type Response = PutExportEntriesResponse;
    type Future = BoxFuture<Response<PutExportEntriesResponse>, Status>;

    fn call(&mut self, request: Request<Streaming<RelayExportFrame>>) -> Self::Future {
        let service = self.0.clone();
        Box::pin(async move { service.relay_export_entries(request).await })
    }
}

struct ImportMethod(EngineService);

/// A page on its way from [`ImportMethod`] to the response it is the body of.
#[derive(Clone)]
struct PageSlot(Arc<Mutex<Option<Page>>>);

impl ServerStreamingService<GetImportEntriesRequest> for ImportMethod {
    type Response = RelayFrame;
    type ResponseStream = RelayStream;
    type Future = BoxFuture<Response<RelayStream>, Status>;

    fn call(&mut self, request: Request<GetImportEntriesRequest>) -> Self::Future {
        let service = self.0.clone();
        Box::pin(async move {
            let page = service.relay_import_entries(request).await?;
            let mut response: Response<RelayStream> = Response::new(Box::pin(futures_util::stream::empty()));
            response
                .extensions_mut()
                .insert(PageSlot(Arc::new(Mutex::new(Some(page)))));
            Ok(response)
        })
    }
}
