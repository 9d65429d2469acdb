//! gRPC-Web (binary) on the engine endpoint, driven by a real HTTP/1.1 client (hyper's http1
//! client on the engine socket), as the .NET bridge calls it: unary, a server stream, a client
//! stream whose frames travel in one chunked body (which tonic-web does not promise), errors both
//! trailers-only and in a trailer frame, and a session that outlives the connection it was opened on.

use std::collections::HashMap;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use ecma2_proto::pb::*;
use prost::Message;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use crate::support::{Harness, is_close};

/// One HTTP/1.1 connection to the host's engine socket, spoken by hand so that the test
/// decides exactly how bodies are framed (Content-Length, or chunks cut anywhere).
struct Web {
    stream: BufReader<UnixStream>,
}

/// What came back: HTTP status, headers, the data frames, and the trailer frame (if any).
#[derive(Debug)]
struct Reply {
    http: u16,
    headers: HashMap<String, String>,
    messages: Vec<Bytes>,
    trailers: Option<HashMap<String, String>>,
}

impl Reply {
    /// grpc-status from the trailer frame, or from the headers of a trailers-only response.
    fn status(&self) -> i32 {
        let text = match &self.trailers {
            Some(t) => t.get("grpc-status"),
            None => self.headers.get("grpc-status"),
        };
        text.expect("a grpc-status").parse().expect("a number")
    }
}

fn frame(message: &impl Message) -> Bytes {
    let body = message.encode_to_vec();
    let mut out = BytesMut::with_capacity(5 + body.len());
    out.put_u8(0);
    out.put_u32(body.len() as u32);
    out.put_slice(&body);
    out.freeze()
}

impl Web {
    async fn connect(h: &Harness) -> Web {
        let stream = UnixStream::connect(h.dir.path().join("engine.sock"))
            .await
            .expect("connect to the engine socket");
        Web {
            stream: BufReader::new(stream),
        }
    }

    /// Ends the connection from the client side.
    async fn close(mut self) {
        let _ = self.stream.get_mut().shutdown().await;
    }

    async fn line(&mut self) -> String {
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("a line");
        assert!(line.ends_with("\r\n"), "a truncated line {line:?}");
        line.truncate(line.len() - 2);
        line
    }

    /// One call; `sized` sends a Content-Length body, otherwise each chunk is one HTTP chunk.
    async fn call(&mut self, token: &str, connector: &str, path: &str, chunks: Vec<Bytes>, sized: bool) -> Reply {
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/grpc-web+proto\r\n\
             accept: application/grpc-web+proto\r\nx-grpc-web: 1\r\nauthorization: Bearer {token}\r\n\
             ecma2-connector: {connector}\r\n"
        );
        let mut body = Vec::new();
        if sized {
            head.push_str(&format!(
                "content-length: {}\r\n",
                chunks.iter().map(Bytes::len).sum::<usize>()
            ));
            for chunk in &chunks {
                body.extend_from_slice(chunk);
            }
        } else {
            head.push_str("transfer-encoding: chunked\r\n");
            for chunk in &chunks {
                body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                body.extend_from_slice(chunk);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"0\r\n\r\n");
        }
        head.push_str("\r\n");
        // Head and body in one write, as an HTTP client sends a small request: a host that
        // answers before reading the body (a refused token) may close its side at once.
        let mut request = head.into_bytes();
        request.extend_from_slice(&body);
        let stream = self.stream.get_mut();
        stream.write_all(&request).await.expect("send the request");

        let status = self.line().await;
        let http: u16 = status
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("a status line, got {status:?}"));
        assert!(status.starts_with("HTTP/1.1 "), "{status}");
        let mut headers = HashMap::new();
        loop {
            let line = self.line().await;
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').expect("a header line");
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
        let mut body = Vec::new();
        if headers
            .get("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            loop {
                let size =
                    usize::from_str_radix(self.line().await.split(';').next().unwrap(), 16).expect("a chunk size");
                if size == 0 {
                    while !self.line().await.is_empty() {}
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                self.stream.read_exact(&mut body[start..]).await.expect("a chunk");
                assert!(self.line().await.is_empty(), "a chunk not followed by CRLF");
            }
        } else {
            let length: usize = headers
                .get("content-length")
                .map(|l| l.parse().expect("a length"))
                .unwrap_or(0);
            body.resize(length, 0);
            self.stream.read_exact(&mut body).await.expect("the body");
        }

        let mut body = Bytes::from(body);
        let mut messages = Vec::new();
        let mut trailers = None;
        while !body.is_empty() {
            assert!(body.len() >= 5, "a truncated frame header");
            let flags = body[0];
            let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
            let payload = body.slice(5..5 + len);
            body = body.slice(5 + len..);
            if flags & 0x80 != 0 {
                let text = String::from_utf8(payload.to_vec()).expect("ASCII trailers");
                let map = text
                    .split("\r\n")
                    .filter_map(|line| line.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                trailers = Some(map);
                assert!(body.is_empty(), "data after the trailer frame");
            } else {
                messages.push(payload);
            }
        }
        Reply {
            http,
            headers,
            messages,
            trailers,
        }
    }

    async fn unary<Resp: Message + Default>(&mut self, h: &Harness, path: &str, request: &impl Message) -> Resp {
        let reply = self
            .call(&h.token, &h.connector, path, vec![frame(request)], true)
            .await;
        assert_eq!(reply.http, 200, "{reply:?}");
        assert_eq!(reply.status(), 0, "{path}: {reply:?}");
        assert!(
            reply.trailers.is_some(),
            "a successful unary call ends with a trailer frame"
        );
        assert_eq!(reply.messages.len(), 1, "{path}: {reply:?}");
        Resp::decode(reply.messages[0].clone()).expect("the response decodes")
    }

    async fn open_import(&mut self, h: &Harness) -> OpenImportConnectionResponse {
        let schema: GetSchemaResponse = self
            .unary(
                h,
                "/ecma2.v1.ConnectorService/GetSchema",
                &GetSchemaRequest {
                    config_parameters: h.params(&[]),
                },
            )
            .await;
        self.unary(
            h,
            "/ecma2.v1.ConnectorService/OpenImportConnection",
            &OpenImportConnectionRequest {
                config_parameters: h.params(&[]),
                types: schema.schema,
                import_run_step: Some(OpenImportConnectionRunStep {
                    page_size: 10,
                    import_type: OperationType::Full as i32,
                    ..Default::default()
                }),
            },
        )
        .await
    }

    /// One page over a server stream: (entries, more_to_import).
    async fn page(&mut self, h: &Harness, session_id: &str) -> (usize, bool) {
        let request = GetImportEntriesRequest {
            session_id: session_id.to_owned(),
            import_run_step: Some(GetImportEntriesRunStep::default()),
        };
        let reply = self
            .call(
                &h.token,
                &h.connector,
                "/ecma2.v1.ConnectorService/GetImportEntries",
                vec![frame(&request)],
                true,
            )
            .await;
        assert_eq!(reply.status(), 0, "{reply:?}");
        let frames: Vec<GetImportEntriesResponse> = reply
            .messages
            .iter()
            .map(|m| GetImportEntriesResponse::decode(m.clone()).expect("a frame decodes"))
            .collect();
        let Some(get_import_entries_response::Frame::Results(results)) = frames.last().and_then(|f| f.frame.clone())
        else {
            panic!("the page does not end with its results frame: {frames:?}");
        };
        let entries = frames
            .iter()
            .filter(|f| matches!(f.frame, Some(get_import_entries_response::Frame::Entry(_))))
            .count();
        (entries, results.more_to_import)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn grpc_web_over_http1_serves_unary_server_and_client_streams_and_errors() {
    let h = Harness::start("").await;
    let mut web = Web::connect(&h).await;

    // Unary, on the host service.
    let listed: ListConnectorsResponse = web
        .unary(&h, "/ecma2.v1.HostService/ListConnectors", &ListConnectorsRequest {})
        .await;
    assert_eq!(
        listed.connectors.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["demo"]
    );

    // Server stream: every page of a full import, on the same kept-alive connection.
    let open = web.open_import(&h).await;
    let mut total = 0;
    loop {
        let (entries, more) = web.page(&h, &open.session_id).await;
        assert!(entries <= 10, "a page of {entries} exceeds the page size");
        total += entries;
        if !more {
            break;
        }
    }
    assert!(total >= 40, "the demo seeds 40 users, the import saw {total} objects");
    let _: CloseImportConnectionResponse = web
        .unary(
            &h,
            "/ecma2.v1.ConnectorService/CloseImportConnection",
            &CloseImportConnectionRequest {
                session_id: open.session_id.clone(),
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: CloseReason::Normal as i32,
                    ..Default::default()
                }),
            },
        )
        .await;

    // Client stream: three entries as frames of one chunked body, cut so that chunk and frame
    // boundaries differ. Each gets its own result back, so all three crossed.
    let export: OpenExportConnectionResponse = web
        .unary(
            &h,
            "/ecma2.v1.ConnectorService/OpenExportConnection",
            &OpenExportConnectionRequest {
                config_parameters: h.params(&[]),
                types: None,
                export_run_step: Some(OpenExportConnectionRunStep {
                    export_type: OperationType::Delta as i32,
                    ..Default::default()
                }),
            },
        )
        .await;
    let ids = ["e-1", "e-2", "e-3"];
    let mut body = BytesMut::new();
    for id in ids {
        body.put(frame(&PutExportEntriesRequest {
            session_id: export.session_id.clone(),
            frame: Some(put_export_entries_request::Frame::Entry(CsEntryChange {
                identifier: id.to_owned(),
                object_modification_type: ObjectModificationType::Add as i32,
                object_type: "no-such-type".to_owned(),
                dn: format!("CN={id}"),
                ..Default::default()
            })),
        }));
    }
    let body = body.freeze();
    let third = body.len() / 3;
    let chunks = vec![
        body.slice(..3),
        body.slice(3..third),
        body.slice(third..2 * third + 1),
        body.slice(2 * third + 1..),
    ];
    let reply = web
        .call(
            &h.token,
            &h.connector,
            "/ecma2.v1.ConnectorService/PutExportEntries",
            chunks,
            false,
        )
        .await;
    assert_eq!(reply.status(), 0, "{reply:?}");
    let results = PutExportEntriesResponse::decode(reply.messages[0].clone())
        .expect("decodes")
        .results
        .expect("results");
    let got: Vec<&str> = results
        .cs_entry_change_results
        .iter()
        .map(|r| r.identifier.as_str())
        .collect();
    assert_eq!(got, ids);
    assert!(
        results
            .cs_entry_change_results
            .iter()
            .all(|r| r.error_name == "unknown-object-type")
    );
    h.wait_event("the export batch of three", |e| {
        e.get("event").and_then(|v| v.as_str()) == Some("export") && e.get("entries") == Some(&3.into())
    })
    .await;

    // A trailers-only error: a wrong token is refused before any body, status in the headers.
    let refused = web
        .call(
            "wrong-token",
            &h.connector,
            "/ecma2.v1.HostService/ListConnectors",
            vec![frame(&ListConnectorsRequest {})],
            true,
        )
        .await;
    assert_eq!(refused.http, 200);
    assert!(refused.trailers.is_none() && refused.messages.is_empty(), "{refused:?}");
    assert_eq!(refused.status(), tonic::Code::Unauthenticated as i32);

    // An error from the service itself: an unknown session is NOT_FOUND, with a message.
    let missing = web
        .call(
            &h.token,
            &h.connector,
            "/ecma2.v1.ConnectorService/GetImportEntries",
            vec![frame(&GetImportEntriesRequest {
                session_id: "no-such-session".to_owned(),
                import_run_step: None,
            })],
            true,
        )
        .await;
    assert_eq!(missing.status(), tonic::Code::NotFound as i32, "{missing:?}");
    web.close().await;
    h.host.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grpc_web_session_survives_its_connection_closing_between_calls() {
    let h = Harness::start("session_idle_timeout = \"1h\"").await;
    let address = h.host.as_ref().unwrap().address.clone();

    // Opened over gRPC-Web, then that HTTP/1.1 connection ends.
    let mut first = Web::connect(&h).await;
    let web_session = first.open_import(&h).await.session_id;
    first.close().await;

    // A control: a session opened over plain gRPC whose HTTP/2 connection ends afterwards is
    // closed with TerminatedByUser. Once the host has done that, it has also seen the earlier
    // HTTP/1.1 connection end.
    let mut control = Harness {
        dir: tempfile::tempdir().unwrap(),
        host: None,
        channel: ecma2_transport::connect(&address).await.expect("a gRPC connection"),
        token: h.token.clone(),
        connector: h.connector.clone(),
    };
    let params = h.params(&[]);
    let schema = control
        .client()
        .get_schema(control.request(GetSchemaRequest {
            config_parameters: params.clone(),
        }))
        .await
        .expect("schema")
        .into_inner()
        .schema;
    let grpc_session = control
        .client()
        .open_import_connection(control.request(OpenImportConnectionRequest {
            config_parameters: params,
            types: schema,
            import_run_step: Some(OpenImportConnectionRunStep {
                page_size: 10,
                import_type: OperationType::Full as i32,
                ..Default::default()
            }),
        }))
        .await
        .expect("open over gRPC")
        .into_inner()
        .session_id;
    control.channel = h.channel.clone();
    drop(control);
    h.wait_event("the gRPC session closed with its connection", |e| {
        is_close(e, &grpc_session, "TerminatedByUser")
    })
    .await;

    // The gRPC-Web session is still open: no close was recorded, and a new connection reads it.
    assert!(
        !h.events()
            .iter()
            .any(|e| e.get("event").and_then(|v| v.as_str()) == Some("close")
                && e.get("session_id").and_then(|v| v.as_str()) == Some(web_session.as_str())),
        "the gRPC-Web session was closed with its connection"
    );
    let mut second = Web::connect(&h).await;
    let (entries, _) = second.page(&h, &web_session).await;
    assert!(entries > 0);
    // Close still ends it.
    let _: CloseImportConnectionResponse = second
        .unary(
            &h,
            "/ecma2.v1.ConnectorService/CloseImportConnection",
            &CloseImportConnectionRequest {
                session_id: web_session.clone(),
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: CloseReason::Normal as i32,
                    ..Default::default()
                }),
            },
        )
        .await;
    h.wait_event("the gRPC-Web session closed normally", |e| {
        is_close(e, &web_session, "Normal")
    })
    .await;
    second.close().await;
    tokio::time::timeout(Duration::from_secs(30), h.host.unwrap().shutdown())
        .await
        .expect("the host shuts down");
}
