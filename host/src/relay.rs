//! Import pages and export batches relayed without decoding the entries. The host only needs to
//! know which kind of frame it holds (an entry, a fragment of one, the results that end a page),
//! so on both hops `GetImportEntries` uses [`RelayFrame`] and `PutExportEntries` uses
//! [`RelayExportFrame`]: the wire layouts of `GetImportEntriesResponse` and
//! `PutExportEntriesRequest` with the entry kept as the bytes it arrived as. Decoding and
//! re-encoding every CSEntryChange was 91 % of the host's instructions on an import
//! (docs/benchmarks.md).
//!
//! [`RelayClient`] calls them on a connector; the engine-facing side serves them with the same
//! frames (`forward::EntryRelay`). This module is the bottom of the host: it knows nothing of
//! sessions, connectors or engines.

use std::future::Future;
use std::pin::Pin;

use ecma2_proto::frames::MAX_MESSAGE_BYTES;
use ecma2_proto::pb::{
    CsEntryChange, EntryFragment, GetImportEntriesRequest, GetImportEntriesResponse, GetImportEntriesResults,
    PutExportEntriesRequest, PutExportEntriesResponse, get_import_entries_response, put_export_entries_request,
};
use futures_util::Stream;
use prost::Message;
use tonic::client::GrpcService;
use tonic::codegen::{Body, GrpcMethod, StdError, http};
use tonic::{Request, Status, Streaming};
use tonic_prost::ProstCodec;

/// The gRPC path of the relayed import method.
pub const GET_IMPORT_ENTRIES: &str = "/ecma2.v1.ConnectorService/GetImportEntries";
/// The gRPC path of the relayed export method.
pub const PUT_EXPORT_ENTRIES: &str = "/ecma2.v1.ConnectorService/PutExportEntries";

/// One frame of an import page as the host relays it: the field numbers and wire types of
/// `GetImportEntriesResponse`, except that the entry (field 1, a length-delimited message) stays
/// encoded. The test below checks that both types read and write the same bytes.
#[derive(Clone, PartialEq, Message)]
pub struct RelayFrame {
    /// Which frame this is.
    #[prost(oneof = "RelayKind", tags = "1, 2, 3, 4")]
    pub frame: Option<RelayKind>,
}

/// The frame kinds of `GetImportEntriesResponse.frame`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum RelayKind {
    /// A whole CSEntryChange, still encoded.
    #[prost(bytes = "bytes", tag = "1")]
    Entry(bytes::Bytes),
    /// A piece of an entry larger than a frame.
    #[prost(message, tag = "2")]
    EntryFragment(EntryFragment),
    /// The end of the page.
    #[prost(message, tag = "3")]
    Results(GetImportEntriesResults),
    /// Several whole entries: an `EntryBatch`, still encoded (`crate::forward::batches`
    /// counts its entries and, for an engine that did not ask for batches, splits it).
    #[prost(bytes = "bytes", tag = "4")]
    EntryBatch(bytes::Bytes),
}

impl RelayFrame {
    /// Decodes the entry, for callers that want the generated message.
    pub fn decode_entry(self) -> Result<GetImportEntriesResponse, Status> {
        use get_import_entries_response::Frame;
        let frame = match self.frame {
            Some(RelayKind::Entry(bytes)) => {
                Some(Frame::Entry(CsEntryChange::decode(bytes).map_err(|e| {
                    Status::internal(format!("a relayed entry does not decode: {e}"))
                })?))
            }
            Some(RelayKind::EntryFragment(f)) => Some(Frame::EntryFragment(f)),
            Some(RelayKind::Results(r)) => Some(Frame::Results(r)),
            Some(RelayKind::EntryBatch(bytes)) => Some(Frame::EntryBatch(
                ecma2_proto::pb::EntryBatch::decode(bytes)
                    .map_err(|e| Status::internal(format!("a relayed entry batch does not decode: {e}")))?,
            )),
            None => None,
        };
        Ok(GetImportEntriesResponse { frame })
    }
}

/// One frame of an export batch as the host relays it: `PutExportEntriesRequest` with the entry
/// (field 2) kept encoded.
#[derive(Clone, PartialEq, Message)]
pub struct RelayExportFrame {
    /// The export session (required on the first frame).
    #[prost(string, tag = "1")]
    pub session_id: String,
    /// Which frame this is.
    #[prost(oneof = "RelayExportKind", tags = "2, 3")]
    pub frame: Option<RelayExportKind>,
}

/// The frame kinds of `PutExportEntriesRequest.frame`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum RelayExportKind {
    /// A whole CSEntryChange, still encoded.
    #[prost(bytes = "bytes", tag = "2")]
    Entry(bytes::Bytes),
    /// A piece of an entry larger than a frame.
    #[prost(message, tag = "3")]
    EntryFragment(EntryFragment),
}

impl From<PutExportEntriesRequest> for RelayExportFrame {
    fn from(request: PutExportEntriesRequest) -> Self {
        use put_export_entries_request::Frame;
        let frame = match request.frame {
            Some(Frame::Entry(entry)) => Some(RelayExportKind::Entry(entry.encode_to_vec().into())),
            Some(Frame::EntryFragment(f)) => Some(RelayExportKind::EntryFragment(f)),
            None => None,
        };
        Self {
            session_id: request.session_id,
            frame,
        }
    }
}

/// The relayed page as the engine-facing service returns it.
pub type RelayStream = Pin<Box<dyn Stream<Item = Result<RelayFrame, Status>> + Send>>;

/// Calls `GetImportEntries` and `PutExportEntries` on a connector with the relay frames.
#[derive(Clone)]
pub struct RelayClient<T> {
    grpc: tonic::client::Grpc<T>,
    /// The same transport, for [`RelayClient::open_import_entries`].
    inner: T,
    /// The connector listed `entry-batches` in its handshake: pages are asked for in batches
    /// (`crate::forward::batches` splits them again for an engine that did not ask).
    entry_batches: bool,
    /// `GET_IMPORT_ENTRIES`, parsed once.
    pages: http::Uri,
    /// The headers of a page's request, built once (copying them costs less than inserting
    /// them one by one, each hashed, on every page).
    page_headers: http::HeaderMap,
}

/// The headers of a page's request to a connector.
fn page_headers(entry_batches: bool) -> http::HeaderMap {
    let mut headers = http::HeaderMap::with_capacity(3);
    headers.insert(http::header::TE, http::HeaderValue::from_static("trailers"));
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/grpc"),
    );
    if entry_batches {
        headers.insert(
            http::HeaderName::from_static(ecma2_proto::meta::FEATURES),
            http::HeaderValue::from_static(ecma2_proto::meta::ENTRY_BATCHES),
        );
    }
    headers
}

impl<T> RelayClient<T>
where
    T: GrpcService<tonic::body::Body>,
    T::Error: Into<StdError>,
    T::ResponseBody: Body<Data = bytes::Bytes> + Send + 'static,
    <T::ResponseBody as Body>::Error: Into<StdError> + Send,
{
    /// Wraps the same transport the generated client uses.
    pub fn new(inner: T) -> Self
    where
        T: Clone,
    {
        let grpc = tonic::client::Grpc::new(inner.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        Self {
            grpc,
            inner,
            entry_batches: false,
            pages: http::Uri::from_static(GET_IMPORT_ENTRIES),
            page_headers: page_headers(false),
        }
    }

    /// Asks for pages in batches, or not.
    pub fn set_entry_batches(&mut self, on: bool) {
        self.entry_batches = on;
        self.page_headers = page_headers(on);
    }

    /// Waits for the connection and wraps `message` as a call of `method`.
    async fn prepare<M>(&mut self, message: M, method: &'static str) -> Result<Request<M>, Status> {
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("connection not ready: {}", e.into())))?;
        let mut request = Request::new(message);
        request
            .extensions_mut()
            .insert(GrpcMethod::new("ecma2.v1.ConnectorService", method));
        Ok(request)
    }

    /// Opens one page.
    pub async fn get_import_entries(
        &mut self,
        request: GetImportEntriesRequest,
    ) -> Result<Streaming<RelayFrame>, Status> {
        let mut request = self.prepare(request, "GetImportEntries").await?;
        if self.entry_batches {
            request.metadata_mut().insert(
                ecma2_proto::meta::FEATURES,
                tonic::metadata::MetadataValue::from_static(ecma2_proto::meta::ENTRY_BATCHES),
            );
        }
        let path = http::uri::PathAndQuery::from_static(GET_IMPORT_ENTRIES);
        let codec = ProstCodec::<GetImportEntriesRequest, RelayFrame>::default();
        Ok(self.grpc.server_streaming(request, path, codec).await?.into_inner())
    }

    /// Opens one page and returns the connector's response with its body unread: the host
    /// reads the page as bytes (`crate::forward::wire`), never holding a whole frame. A status
    /// the connector answers with at once (a trailers-only response) is the error. `message` is
    /// the request as gRPC frames it ([`framed`]): the engine's own bytes when it sent them as
    /// such, so that they are not encoded again. The request is built here, from a copy of
    /// headers made once; the call holds a clone of the transport only.
    pub fn open_import_entries(
        &self,
        message: bytes::Bytes,
    ) -> impl Future<Output = Result<http::Response<tonic::body::Body>, Status>> + Send + 'static
    where
        T: Clone + Send + 'static,
        T::Future: Send,
    {
        let mut http = http::Request::new(tonic::body::Body::new(OneMessage(Some(message))));
        *http.method_mut() = http::Method::POST;
        *http.uri_mut() = self.pages.clone();
        *http.version_mut() = http::Version::HTTP_2;
        *http.headers_mut() = self.page_headers.clone();
        let mut inner = self.inner.clone();
        async move {
            std::future::poll_fn(|cx| inner.poll_ready(cx))
                .await
                .map_err(|e| Status::unavailable(format!("connection not ready: {}", e.into())))?;
            let response = inner.call(http).await.map_err(|e| Status::from_error(e.into()))?;
            if let Some(status) = Status::from_header_map(response.headers())
                && status.code() != tonic::Code::Ok
            {
                return Err(status);
            }
            if response.status() != http::StatusCode::OK {
                return Err(Status::unavailable(format!(
                    "the connector answered HTTP status {}",
                    response.status()
                )));
            }
            Ok(response.map(tonic::body::Body::new))
        }
    }

    /// Sends one export batch.
    pub async fn put_export_entries(
        &mut self,
        frames: impl Stream<Item = RelayExportFrame> + Send + 'static,
    ) -> Result<PutExportEntriesResponse, Status> {
        let request = self.prepare(frames, "PutExportEntries").await?;
        let path = http::uri::PathAndQuery::from_static(PUT_EXPORT_ENTRIES);
        let codec = ProstCodec::<RelayExportFrame, PutExportEntriesResponse>::default();
        Ok(self.grpc.client_streaming(request, path, codec).await?.into_inner())
    }
}

/// A request body of one message, of no stated length: a body that states its length (such as
/// `http_body_util::Full`) gets a `content-length` header from hyper, which gRPC does not use
/// (an allocation and a header to encode on every page, issue #18).
struct OneMessage(Option<bytes::Bytes>);

impl Body for OneMessage {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.take().map(|bytes| Ok(hyper::body::Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }
}

/// `message` as one uncompressed gRPC frame: a flag byte, its length, its bytes.
pub fn framed(message: &impl prost::Message) -> bytes::Bytes {
    let len = message.encoded_len();
    let mut framed = bytes::BytesMut::with_capacity(5 + len);
    framed.extend_from_slice(&[0]);
    framed.extend_from_slice(&(len as u32).to_be_bytes());
    message
        .encode(&mut framed)
        .expect("a BytesMut with room for the message");
    framed.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::{AnchorAttribute, AttributeValue, attribute_value::Kind};

    fn frames() -> Vec<GetImportEntriesResponse> {
        use get_import_entries_response::Frame;
        let entry = CsEntryChange {
            object_type: "user".into(),
            dn: "CN=Ada,OU=People".into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: 1,
                value: Some(AttributeValue {
                    kind: Some(Kind::StringValue("42".into())),
                }),
            }],
            ..Default::default()
        };
        vec![
            GetImportEntriesResponse {
                frame: Some(Frame::Entry(entry)),
            },
            GetImportEntriesResponse {
                frame: Some(Frame::EntryFragment(EntryFragment {
                    data: bytes::Bytes::from_static(b"\x0a\x04user"),
                    last: true,
                })),
            },
            GetImportEntriesResponse {
                frame: Some(Frame::Results(GetImportEntriesResults {
                    custom_data: "watermark:7".into(),
                    more_to_import: true,
                })),
            },
            GetImportEntriesResponse {
                frame: Some(Frame::EntryBatch(ecma2_proto::pb::EntryBatch {
                    entries: vec![
                        CsEntryChange::default(),
                        CsEntryChange {
                            dn: "CN=Bo".into(),
                            ..Default::default()
                        },
                    ],
                })),
            },
            GetImportEntriesResponse { frame: None },
        ]
    }

    #[test]
    fn relay_frames_carry_the_same_bytes_as_the_generated_message() {
        for frame in frames() {
            let wire = frame.encode_to_vec();
            let relayed = RelayFrame::decode(wire.as_slice()).unwrap();
            assert_eq!(relayed.encode_to_vec(), wire, "{frame:?}");
            assert_eq!(relayed.encoded_len(), wire.len());
            assert_eq!(relayed.decode_entry().unwrap(), frame);
        }
    }

    #[test]
    fn relay_export_frames_carry_the_same_bytes_as_the_generated_message() {
        use put_export_entries_request::Frame;
        let entry = match frames().remove(0).frame {
            Some(get_import_entries_response::Frame::Entry(entry)) => entry,
            _ => unreachable!(),
        };
        for request in [
            PutExportEntriesRequest {
                session_id: "s-1".into(),
                frame: Some(Frame::Entry(entry)),
            },
            PutExportEntriesRequest {
                session_id: String::new(),
                frame: Some(Frame::EntryFragment(EntryFragment {
                    data: bytes::Bytes::from_static(b"\x0a\x04user"),
                    last: false,
                })),
            },
        ] {
            let wire = request.encode_to_vec();
            let relayed = RelayExportFrame::decode(wire.as_slice()).unwrap();
            assert_eq!(relayed.encode_to_vec(), wire, "{request:?}");
            assert_eq!(RelayExportFrame::from(request), relayed);
        }
    }

    #[test]
    fn a_relayed_entry_stays_encoded() {
        let wire = frames()[0].encode_to_vec();
        let Some(RelayKind::Entry(bytes)) = RelayFrame::decode(wire.as_slice()).unwrap().frame else {
            panic!("an entry frame");
        };
        assert_eq!(CsEntryChange::decode(bytes).unwrap().dn, "CN=Ada,OU=People");
    }

    #[test]
    fn an_entry_that_does_not_decode_is_named() {
        let broken = RelayFrame {
            frame: Some(RelayKind::Entry(bytes::Bytes::from_static(b"\x0a\xff"))),
        };
        let status = broken.decode_entry().unwrap_err();
        assert!(status.message().contains("relayed entry does not decode"), "{status:?}");
    }
}
