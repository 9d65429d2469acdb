//! The connector under test as the checks see it: a host to call it through (an [`Engine`]),
//! its configuration, what it announced (handshake, capabilities, schema), and, for the process
//! checks, the command line the kit launches it with. Also the engine-like helpers checks share:
//! a whole import run, an export batch, the host's view of the connector.

use std::time::{Duration, Instant};

use ecma2_engine::Engine;
use ecma2_proto::frames::{Framed, Reassembler, frame};
use ecma2_proto::pb::*;

use crate::Outcome;
use crate::check::{Context, Failure};
use crate::launch::Launch;

/// The prefix of every object the kit creates, so a person (or a cleanup script) can tell them
/// from real data.
pub const PREFIX: &str = "ecma2-conformance-";

/// The connector under test.
pub struct Subject<'e> {
    /// The host the protocol and ECMA2 checks call through.
    pub engine: &'e Engine,
    /// The connector's name in the host.
    pub connector: String,
    /// The configuration the checks open sessions with (typed by the connector's pages).
    pub params: Vec<ConfigParameter>,
    /// What the connector answered to the kit's handshake through the host.
    pub handshake: HandshakeResponse,
    /// Its capabilities (GetCapabilities, else GetCapabilitiesEx, else defaults).
    pub caps: MaCapabilities,
    /// Its schema (empty without GetSchema).
    pub schema: Schema,
    /// How to launch it, for the process checks.
    pub launch: Option<Launch>,
    /// The export round trip's three verdicts, shared by its three checks.
    pub(crate) round_trip: tokio::sync::OnceCell<Vec<Outcome>>,
}

/// One import run's outcome.
#[derive(Debug, Default)]
pub struct Imported {
    /// Every entry, reassembled.
    pub entries: Vec<CsEntryChange>,
    /// The watermark after the run (the last page's, or Close's when it returned one).
    pub watermark: String,
    /// Pages read.
    pub pages: usize,
    /// The most entries one page held.
    pub largest_page: usize,
    /// The page size in force for the session.
    pub page_size: i32,
}

impl<'e> Subject<'e> {
    /// Handshakes with `connector` through `engine` and reads its capabilities and schema.
    pub async fn new(engine: &'e Engine, connector: &str, params: Vec<ConfigParameter>) -> Result<Self, Failure> {
        let mut client = engine.connectors();
        let handshake = client
            .handshake(engine.request(
                connector,
                HandshakeRequest {
                    protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
                    caller_name: "ecma2 conformance".into(),
                    ..Default::default()
                },
            ))
            .await
            .context("handshake")?
            .into_inner();
        let has = |i: Ecma2Interface| handshake.interfaces.contains(&(i as i32));
        let caps = if has(Ecma2Interface::GetCapabilities) {
            client
                .get_capabilities(engine.request(connector, GetCapabilitiesRequest {}))
                .await
                .context("GetCapabilities")?
                .into_inner()
                .capabilities
                .unwrap_or_default()
        } else if has(Ecma2Interface::GetCapabilitiesEx) {
            client
                .get_capabilities_ex(engine.request(
                    connector,
                    GetCapabilitiesExRequest {
                        config_parameters: params.clone(),
                    },
                ))
                .await
                .context("GetCapabilitiesEx")?
                .into_inner()
                .capabilities
                .unwrap_or_default()
        } else {
            MaCapabilities::default()
        };
        let schema = if has(Ecma2Interface::GetSchema) {
            client
                .get_schema(engine.request(
                    connector,
                    GetSchemaRequest {
                        config_parameters: params.clone(),
                    },
                ))
                .await
                .context("GetSchema")?
                .into_inner()
                .schema
                .unwrap_or_default()
        } else {
            Schema::default()
        };
        Ok(Self {
            engine,
            connector: connector.to_owned(),
            params,
            handshake,
            caps,
            schema,
            launch: None,
            round_trip: Default::default(),
        })
    }

    /// Adds the command line the process checks launch the connector with.
    pub fn with_launch(mut self, launch: Launch) -> Self {
        self.launch = Some(launch);
        self
    }

    /// Whether the handshake announced `interface`.
    pub fn has(&self, interface: Ecma2Interface) -> bool {
        self.handshake.interfaces.contains(&(interface as i32))
    }

    /// A request to the connector through the host.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        self.engine.request(&self.connector, message)
    }

    /// A client of the connector service through the host.
    pub fn client(
        &self,
    ) -> ecma2_proto::pb::connector_service_client::ConnectorServiceClient<tonic::transport::Channel> {
        self.engine.connectors()
    }

    /// A whole import run (open, pages until MoreToImport is false, close) with `page_size`
    /// (0: the connector's default); stops with a failure after `max_pages`.
    pub async fn import(
        &self,
        delta: bool,
        watermark: &str,
        page_size: i32,
        max_pages: usize,
    ) -> Result<Imported, Failure> {
        let mut client = self.client();
        let open = client
            .open_import_connection(self.request(OpenImportConnectionRequest {
                config_parameters: self.params.clone(),
                types: Some(self.schema.clone()),
                import_run_step: Some(OpenImportConnectionRunStep {
                    custom_data: watermark.to_owned(),
                    page_size,
                    import_type: if delta {
                        OperationType::Delta
                    } else {
                        OperationType::Full
                    } as i32,
                    ..Default::default()
                }),
            }))
            .await
            .context(format!(
                "OpenImportConnection ({}, page size {page_size})",
                if delta { "delta" } else { "full" }
            ))?
            .into_inner();
        let mut out = Imported {
            watermark: watermark.to_owned(),
            page_size: open.page_size,
            ..Default::default()
        };
        let result = async {
            loop {
                let mut stream = client
                    .get_import_entries(self.request(GetImportEntriesRequest {
                        session_id: open.session_id.clone(),
                        import_run_step: Some(GetImportEntriesRunStep {
                            custom_data: out.watermark.clone(),
                            ..Default::default()
                        }),
                    }))
                    .await
                    .context("GetImportEntries")?
                    .into_inner();
                let mut reassembler = Reassembler::default();
                let mut in_page = 0;
                let mut end = None;
                while let Some(frame) = stream.message().await.context("GetImportEntries")? {
                    match frame.frame {
                        Some(get_import_entries_response::Frame::Entry(e)) => {
                            in_page += 1;
                            out.entries.push(e)
                        }
                        Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                            if let Some(e) = reassembler.push(f)? {
                                in_page += 1;
                                out.entries.push(e)
                            }
                        }
                        Some(get_import_entries_response::Frame::Results(r)) => end = Some(r),
                        Some(get_import_entries_response::Frame::EntryBatch(_)) => {
                            crate::bail!("the connector sent an entry batch, which this call did not ask for (docs/protocol.md#entry-batches)")
                        }
                        None => {}
                    }
                }
                let end = end.context("a page ended without its results frame")?;
                out.pages += 1;
                out.largest_page = out.largest_page.max(in_page);
                out.watermark = end.custom_data;
                if !end.more_to_import {
                    break;
                }
                if out.pages >= max_pages {
                    crate::bail!("import did not end after {max_pages} pages (MoreToImport stayed true)");
                }
            }
            Ok::<_, Failure>(())
        }
        .await;
        let closed = client
            .close_import_connection(self.request(CloseImportConnectionRequest {
                session_id: open.session_id.clone(),
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: if result.is_ok() {
                        CloseReason::Normal
                    } else {
                        CloseReason::TerminatedByUser
                    } as i32,
                    custom_data: out.watermark.clone(),
                }),
            }))
            .await;
        result?;
        let closed = closed.context("CloseImportConnection")?.into_inner();
        if let Some(w) = closed.results.map(|r| r.custom_data).filter(|w| !w.is_empty()) {
            out.watermark = w;
        }
        Ok(out)
    }

    /// One export session with one batch of `entries`; returns the per-object results.
    pub async fn export(&self, entries: Vec<CsEntryChange>) -> Result<Vec<CsEntryChangeResult>, Failure> {
        let mut client = self.client();
        let open = client
            .open_export_connection(self.request(OpenExportConnectionRequest {
                config_parameters: self.params.clone(),
                types: Some(self.schema.clone()),
                export_run_step: Some(OpenExportConnectionRunStep {
                    export_type: OperationType::Delta as i32,
                    ..Default::default()
                }),
            }))
            .await
            .context("OpenExportConnection")?
            .into_inner();
        let frames: Vec<PutExportEntriesRequest> = entries
            .into_iter()
            .flat_map(|e| match frame(e) {
                Framed::Whole(e) => vec![put_export_entries_request::Frame::Entry(e)],
                Framed::Fragments(f) => f
                    .into_iter()
                    .map(put_export_entries_request::Frame::EntryFragment)
                    .collect(),
            })
            .map(|f| PutExportEntriesRequest {
                session_id: open.session_id.clone(),
                frame: Some(f),
            })
            .collect();
        let put = client
            .put_export_entries(self.request(tokio_stream::iter(frames)))
            .await;
        let closed = client
            .close_export_connection(self.request(CloseExportConnectionRequest {
                session_id: open.session_id,
                export_run_step: Some(CloseExportConnectionRunStep {
                    reason: CloseReason::Normal as i32,
                }),
            }))
            .await;
        let results = put
            .context("PutExportEntries")?
            .into_inner()
            .results
            .unwrap_or_default()
            .cs_entry_change_results;
        closed.context("CloseExportConnection")?;
        Ok(results)
    }

    /// The host's view of the connector (state, restarts, open sessions, last error).
    pub async fn status(&self) -> Result<ConnectorStatus, Failure> {
        self.engine
            .host()
            .get_connector_status(self.engine.request(
                "",
                GetConnectorStatusRequest {
                    name: self.connector.clone(),
                },
            ))
            .await
            .context("GetConnectorStatus")?
            .into_inner()
            .status
            .context("the host returned no status")
    }

    /// Waits until the host reports no open session of the connector. `None`: closed; otherwise
    /// what went wrong (a restart, a close error, sessions still open after `limit`).
    pub async fn wait_closed(
        &self,
        restarts: u32,
        error_before: &str,
        limit: Duration,
    ) -> Result<Option<String>, Failure> {
        let deadline = Instant::now() + limit;
        loop {
            let status = self.status().await?;
            if status.restarts != restarts {
                return Ok(Some(format!(
                    "the connector was restarted (it did not close the session in time): {}",
                    status.last_error
                )));
            }
            if status.open_sessions == 0 {
                if status.last_error != error_before && !status.last_error.is_empty() {
                    return Ok(Some(format!("closing the session failed: {}", status.last_error)));
                }
                return Ok(None);
            }
            if Instant::now() > deadline {
                return Ok(Some(format!(
                    "{} sessions still open {} s later",
                    status.open_sessions,
                    limit.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Whether two DNs are the same, ignoring case and spaces around the commas.
pub fn same_dn(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    norm(a) == norm(b)
}

/// A string attribute value.
pub fn string_value(s: String) -> Option<AttributeValue> {
    Some(AttributeValue {
        kind: Some(attribute_value::Kind::StringValue(s)),
    })
}

/// The first value of attribute `name` in `entry`, as text.
pub fn attr_value(entry: &CsEntryChange, name: &str) -> Option<String> {
    entry.attribute_changes.iter().find(|a| a.name == name).and_then(|a| {
        a.value_changes
            .first()
            .map(|v| ecma2_engine::space::value_text(v.value.as_ref()))
    })
}

/// A short random tag for the names of objects the kit creates.
pub fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}
