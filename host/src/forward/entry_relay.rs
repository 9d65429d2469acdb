//! [`EntryRelay`]: the engine-facing `GetImportEntries` and `PutExportEntries` served with the
//! relay frames of [`crate::relay`] (entries stay encoded), every other call passed to the
//! generated server; and [`PagesFirst`], the short way of a plain gRPC page.
//!
//! A one-object page is mostly per-call overhead (issue #18), so a plain gRPC `GetImportEntries`
//! over HTTP/2 is taken as soon as the router hands the call to ConnectorService: the token is
//! checked, the one request message read and decoded here, and the page is the response body.
//! The gRPC-Web layer, the interceptor, the metrics layer and tonic's codec each box a future or
//! a body per call, and a page needs none of them: the page counts its own call, and a gRPC-Web
//! call, a compressed one or anything unusual still takes the long way, through the same
//! [`serve_page`].

use std::convert::Infallible;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use ecma2_proto::frames::MAX_MESSAGE_BYTES;
use ecma2_proto::pb::{GetImportEntriesRequest, PutExportEntriesResponse};
use futures_util::future::Either;
use http_body_util::BodyExt;
use prost::Message;
use tonic::codegen::http::header::CONTENT_TYPE;
use tonic::codegen::{Body, BoxFuture, Service, StdError, http};
use tonic::server::{ClientStreamingService, NamedService};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

use super::EngineService;
use crate::auth::EngineAuth;
use crate::relay::{GET_IMPORT_ENTRIES, PUT_EXPORT_ENTRIES, RelayExportFrame};

/// Serves `GetImportEntries` with [`serve_page`] and `PutExportEntries` from
/// [`EngineService::relay_export_entries`], and everything else from `inner` (the generated
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
    B: Body<Data = bytes::Bytes> + Send + 'static,
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
            // The long way is gRPC-Web's (or an unusual request's): headers at once, see
            // `serve_page`.
            GET_IMPORT_ENTRIES => Box::pin(serve_page(self.service.clone(), request, false)),
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

/// One `GetImportEntries`: the request's one message decoded, the page opened, and the page as
/// the response body (its own trailers end it); an error is a trailers-only response. With
/// `hold_headers` (plain gRPC over HTTP/2) the response goes back once the connector has answered
/// the call, so that its headers and the page's first bytes leave together (headers sent at once
/// cost the engine three wake-ups per call and the host a write: docs/benchmarks.md). Without it
/// (gRPC-Web) they go back at once, the call handed to the connector first: an HTTP/1.1 client
/// such as the .NET Framework bridge waits for response headers where a thread abort does not
/// reach it, and reads a body where one does. An engine that walks away before the page's end,
/// headers or not, finds its session closed.
pub(crate) async fn serve_page<B>(
    service: EngineService,
    request: http::Request<B>,
    hold_headers: bool,
) -> Result<http::Response<tonic::body::Body>, Infallible>
where
    B: Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<StdError>,
{
    let page = async {
        let (parts, body) = request.into_parts();
        let (message, framed) = read_message::<_, GetImportEntriesRequest>(body).await?;
        let request = Request::from_http(http::Request::from_parts(parts, message));
        let mut page = service.relay_import_entries(request, Some(framed))?;
        std::future::poll_fn(|cx| match hold_headers {
            true => page.poll_opened(cx),
            false => {
                page.send(cx);
                Poll::Ready(())
            }
        })
        .await;
        Ok::<_, Status>(page)
    };
    Ok(match page.await {
        Ok(mut page) => {
            let headers = page.response_headers();
            let mut response = http::Response::new(tonic::body::Body::new(page));
            *response.headers_mut() = headers;
            response
        }
        Err(status) => status.into_http(),
    })
}

/// Reads a request body holding one uncompressed gRPC message of at most [`MAX_MESSAGE_BYTES`],
/// and decodes it; with the message as it came, framed (to be passed on as it is).
async fn read_message<B, M>(body: B) -> Result<(M, Bytes), Status>
where
    B: Body<Data = bytes::Bytes>,
    B::Error: Into<StdError>,
    M: Message + Default,
{
    const CALL: &str = "GetImportEntries";
    let mut body = std::pin::pin!(body);
    // The request nearly always comes as one DATA frame: it is then decoded where it lies.
    let mut first: Option<Bytes> = None;
    let mut more = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Status::from_error(e.into()))?;
        if let Ok(data) = frame.into_data() {
            let held = first.as_ref().map_or(0, Bytes::len) + more.len();
            if held + data.len() > 5 + MAX_MESSAGE_BYTES {
                return Err(Status::out_of_range(format!(
                    "the {CALL} request is larger than the limit of {MAX_MESSAGE_BYTES} bytes"
                )));
            }
            match &first {
                None => first = Some(data),
                Some(head) => {
                    if more.is_empty() {
                        more.extend_from_slice(head);
                    }
                    more.extend_from_slice(&data);
                }
            }
        }
    }
    let framed = if more.is_empty() {
        first.unwrap_or_default()
    } else {
        more.freeze()
    };
    let Some((&[compressed, a, b, c, d], message)) = framed.split_first_chunk::<5>() else {
        return Err(Status::internal(format!("the {CALL} request holds no message")));
    };
    let length = u32::from_be_bytes([a, b, c, d]) as usize;
    if compressed != 0 {
        return Err(Status::unimplemented(format!(
            "the {CALL} request is compressed; the host takes uncompressed requests only"
        )));
    }
    if length != message.len() {
        return Err(Status::internal(format!(
            "the {CALL} request's message says {length} bytes and {} follow (one message expected)",
            message.len()
        )));
    }
    // Decoded from a slice: the bytes go on as they came, not shared (sharing bytes read into a
    // vector costs an allocation).
    let message = M::decode(message)
        .map_err(|e| Status::invalid_argument(format!("the {CALL} request cannot be decoded: {e}")))?;
    Ok((message, framed))
}

/// A layer in front of the engine-facing ConnectorService: a plain gRPC `GetImportEntries` over
/// HTTP/2 is served here (token checked, then [`serve_page`]); everything else goes on to
/// `inner`.
#[derive(Clone)]
pub struct PagesFirst {
    service: EngineService,
    auth: EngineAuth,
}

impl PagesFirst {
    /// Serves pages from `service` to callers `auth` lets in.
    pub fn new(service: EngineService, auth: EngineAuth) -> Self {
        Self { service, auth }
    }
}

impl<S> tower::Layer<S> for PagesFirst {
    type Service = PagesFirstService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PagesFirstService {
            inner,
            pages: self.clone(),
        }
    }
}

/// The service of [`PagesFirst`].
#[derive(Clone)]
pub struct PagesFirstService<S> {
    inner: S,
    pages: PagesFirst,
}

impl<S: NamedService> NamedService for PagesFirstService<S> {
    const NAME: &'static str = S::NAME;
}

/// Whether `request` is a page the short way can serve: plain gRPC, HTTP/2, uncompressed.
fn is_plain_page<B>(request: &http::Request<B>) -> bool {
    let headers = request.headers();
    request.uri().path() == GET_IMPORT_ENTRIES
        && request.version() == http::Version::HTTP_2
        && headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v == "application/grpc" || v == "application/grpc+proto")
        && headers.get("grpc-encoding").is_none_or(|v| v == "identity")
}

impl<S, B> Service<http::Request<B>> for PagesFirstService<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Error = Infallible>,
    B: Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<StdError>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<Self::Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if !is_plain_page(&request) {
            return Either::Left(self.inner.call(request));
        }
        if let Err(status) = self.pages.auth.check(request.headers(), request.extensions()) {
            return Either::Right(Box::pin(std::future::ready(Ok(status.into_http()))));
        }
        Either::Right(Box::pin(serve_page(self.pages.service.clone(), request, true)))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use bytes::{BufMut, Bytes, BytesMut};
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    use super::*;

    fn framed(message: &GetImportEntriesRequest) -> Vec<u8> {
        let mut bytes = BytesMut::new();
        bytes.put_u8(0);
        bytes.put_u32(message.encoded_len() as u32);
        message.encode(&mut bytes).unwrap();
        bytes.to_vec()
    }

    async fn read(pieces: Vec<Vec<u8>>) -> Result<GetImportEntriesRequest, Status> {
        let frames = pieces
            .into_iter()
            .map(|p| Ok::<_, Infallible>(Frame::data(Bytes::from(p))));
        let (message, framed) = read_message(StreamBody::new(futures_util::stream::iter(frames))).await?;
        assert_eq!(framed, crate::relay::framed(&message), "the request as it came");
        Ok(message)
    }

    #[tokio::test]
    async fn the_request_is_read_in_one_piece_or_many() {
        let message = GetImportEntriesRequest {
            session_id: "s-1".into(),
            import_run_step: None,
        };
        let bytes = framed(&message);
        assert_eq!(read(vec![bytes.clone()]).await.unwrap(), message);
        let pieces = bytes.iter().map(|b| vec![*b]).collect();
        assert_eq!(read(pieces).await.unwrap(), message);
    }

    #[tokio::test]
    async fn a_bad_request_gets_an_error_naming_what_is_wrong() {
        let message = GetImportEntriesRequest {
            session_id: "s-1".into(),
            import_run_step: None,
        };
        let empty = read(vec![]).await.unwrap_err();
        assert!(empty.message().contains("holds no message"), "{empty:?}");
        let mut compressed = framed(&message);
        compressed[0] = 1;
        assert_eq!(
            read(vec![compressed]).await.unwrap_err().code(),
            tonic::Code::Unimplemented
        );
        let mut two = framed(&message);
        two.extend(framed(&message));
        assert!(
            read(vec![two])
                .await
                .unwrap_err()
                .message()
                .contains("one message expected")
        );
        let garbage = vec![0, 0, 0, 0, 2, 0xff, 0xff];
        assert_eq!(
            read(vec![garbage]).await.unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
        let mut huge = vec![0, 0xff, 0xff, 0xff, 0xff];
        huge.resize(5 + MAX_MESSAGE_BYTES + 1, 0);
        let err = read(vec![huge]).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::OutOfRange);
        assert!(err.message().contains("limit"), "{err:?}");
    }

    #[test]
    fn only_plain_http2_grpc_pages_take_the_short_way() {
        let request = |path: &str, version, content_type: &str, encoding: Option<&str>| {
            let mut builder = http::Request::builder()
                .uri(path)
                .version(version)
                .header(CONTENT_TYPE, content_type);
            if let Some(encoding) = encoding {
                builder = builder.header("grpc-encoding", encoding);
            }
            builder.body(()).unwrap()
        };
        let h2 = http::Version::HTTP_2;
        assert!(is_plain_page(&request(
            GET_IMPORT_ENTRIES,
            h2,
            "application/grpc",
            None
        )));
        assert!(is_plain_page(&request(
            GET_IMPORT_ENTRIES,
            h2,
            "application/grpc+proto",
            Some("identity")
        )));
        assert!(!is_plain_page(&request(
            GET_IMPORT_ENTRIES,
            h2,
            "application/grpc-web",
            None
        )));
        assert!(!is_plain_page(&request(
            GET_IMPORT_ENTRIES,
            http::Version::HTTP_11,
            "application/grpc",
            None
        )));
        assert!(!is_plain_page(&request(
            GET_IMPORT_ENTRIES,
            h2,
            "application/grpc",
            Some("gzip")
        )));
        assert!(!is_plain_page(&request(
            PUT_EXPORT_ENTRIES,
            h2,
            "application/grpc",
            None
        )));
    }
}
