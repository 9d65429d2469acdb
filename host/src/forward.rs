//! The engine-facing ConnectorService: every call names its connector in the `ecma2-connector`
//! metadata key and is forwarded to that connector's process with the same messages. Sessions are
//! tracked so that Close reaches the connector however a run ends: the engine closes it, the
//! engine cancels a call or goes away, the session idles out, Open fails, or the host stops.
//! Pages and batches stream through frame by frame over bounded channels, so the host never
//! holds a page.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_server::ConnectorService;
use ecma2_proto::pb::*;
use ecma2_transport::ConnectionInfo;
use futures_util::{Stream, StreamExt};
use prost::Message;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, debug, info, info_span, warn};

use crate::HostInner;
use crate::metrics::Metrics;
use crate::relay::{RelayExportFrame, RelayExportKind, RelayFrame, RelayKind, RelayStream};
use crate::sessions::{Kind, Session, close_upstream};
use crate::status;
use crate::supervisor::{ConnectorHandle, Ready};

/// How many frames may wait between the engine and a connector on one export stream.
const FRAME_BUFFER: usize = 4;

/// How many frames of an import page may wait for the engine: enough for tonic to fill a whole
/// 32 KiB write with ordinary entries. With 4, tonic flushed every few entries and the engine
/// and the host woke twice as often (docs/benchmarks.md)...
const PAGE_FRAMES: usize = 64;

/// ...but never more than 4 MiB of them, so that 1 MiB fragments do not multiply host memory.
const PAGE_BUFFER_KIB: u32 = 4 * 1024;

/// A frame on its way to the engine, holding its share of the page buffer until it is sent.
type Queued = (Result<RelayFrame, Status>, Option<OwnedSemaphorePermit>);

/// The engine-facing service.
#[derive(Clone)]
pub struct EngineService {
    pub(crate) host: Arc<HostInner>,
}

type Target = (Arc<ConnectorHandle>, Ready);

impl EngineService {
    fn connector<T>(&self, request: &Request<T>) -> Result<Arc<ConnectorHandle>, Status> {
        let names = || {
            self.host
                .connectors
                .iter()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let name = request
            .metadata()
            .get(meta::CONNECTOR)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Status::invalid_argument(format!(
                    "missing metadata key {} naming the target connector (configured: {})",
                    meta::CONNECTOR,
                    names()
                ))
            })?;
        self.host
            .connectors
            .iter()
            .find(|c| &*c.name == name)
            .cloned()
            .ok_or_else(|| Status::not_found(format!("no connector named {name:?} (configured: {})", names())))
    }

    fn target<T>(&self, request: &Request<T>, interface: Ecma2Interface, call: &str) -> Result<Target, Status> {
        let handle = self.connector(request)?;
        let ready = handle
            .ready()
            .map_err(|(state, last)| status::not_ready(&handle.name, call, state, &last))?;
        if !ConnectorHandle::implements(&ready, interface) {
            let mut fault = Fault::new(
                FaultKind::EntryPointNotImplementedException,
                format!(
                    "connector {} does not implement {}",
                    handle.name,
                    interface_name(interface)
                ),
            )
            .at(&handle.name, call);
            fault.from_host = true;
            return Err(fault.into_status());
        }
        Ok((handle, ready))
    }

    /// The open session `id`, checked to be of `kind` and alive.
    fn session(&self, id: &str, kind: Kind, call: &str) -> Result<Arc<Session>, Status> {
        let session = self
            .host
            .sessions
            .get(id)
            .ok_or_else(|| Status::not_found(format!("session {id} not found")))?;
        if session.kind != kind {
            return Err(Status::failed_precondition(format!(
                "session {id} is a {:?} session, not {kind:?}",
                session.kind
            )));
        }
        match session.connector.ready() {
            Ok(ready) if ready.generation == session.generation => Ok(session),
            _ => {
                if let Some(lost) = self.host.sessions.remove(id) {
                    // Nothing left to close upstream; stop whatever still waits on it.
                    lost.cancel.cancel();
                }
                Err(status::session_lost(&session.connector.name, call, id))
            }
        }
    }

    async fn deadline<R>(
        &self,
        handle: &ConnectorHandle,
        call: &str,
        future: impl std::future::Future<Output = Result<Response<R>, Status>>,
    ) -> Result<R, Status> {
        let limit = handle.config.limits.call_deadline;
        match tokio::time::timeout(limit, future).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Ok(Err(s)) => Err(status::upstream(&handle.name, call, s)),
            Err(_) => Err(Status::deadline_exceeded(format!(
                "connector {} did not answer {call} within its deadline of {limit:?}",
                handle.name
            ))),
        }
    }

    /// Registers a session opened over `engine`, and closes it with TerminatedByUser as soon as
    /// that engine connection ends while the session is idle (the engine went away without
    /// closing; nobody would close it before the idle timeout otherwise).
    fn register(&self, session: Session, engine: Option<CancellationToken>) -> Arc<Session> {
        let session = self.host.sessions.insert(session);
        session.opened_on(engine);
        let host = self.host.clone();
        let watched = session.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = watched.engine_gone() => {
                    info!(connector = %watched.connector.name, session_id = %watched.id, "engine connection closed; closing its idle session");
                    let _ = host.close_session(&watched.id, CloseReason::TerminatedByUser).await;
                }
                _ = watched.cancel.cancelled() => {}
            }
        });
        session
    }

    /// Forwards one import page, frame by frame, with the entries left encoded.
    pub(crate) async fn relay_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> Result<Response<RelayStream>, Status> {
        const CALL: &str = "GetImportEntries";
        let engine = engine_of(&request);
        let inner = request.into_inner();
        let started = Instant::now();
        let session = self.session(&inner.session_id, Kind::Import, CALL)?;
        let in_flight = session.begin(engine);
        let (tx, rx) = mpsc::channel::<Queued>(PAGE_FRAMES);
        let buffer = Arc::new(Semaphore::new(PAGE_BUFFER_KIB as usize));
        let service = self.clone();
        let span = info_span!("call", connector = %session.connector.name, call = CALL, session_id = %session.id);
        tokio::spawn(
            async move {
                let _in_flight = in_flight;
                let outcome = pump_page(&session, inner, &tx, &buffer, &service.host.metrics).await;
                let fault = match &outcome {
                    Pump::Failed(status) => Fault::from_status(status).map(|f| f.fault_kind()),
                    _ => None,
                };
                service
                    .host
                    .metrics
                    .record_call(&session.connector.name, CALL, started.elapsed(), fault);
                match outcome {
                    Pump::Done => {}
                    Pump::Failed(status) => {
                        let _ = tx.send((Err(status), None)).await;
                    }
                    Pump::EngineGone => {
                        info!("engine cancelled the page; closing the session");
                        service.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                    }
                    Pump::TimedOut(limit) => {
                        let _ = tx
                            .send((
                                Err(Status::deadline_exceeded(format!(
                                    "connector {} did not finish {CALL} within its deadline of {limit:?}",
                                    session.connector.name
                                ))),
                                None,
                            ))
                            .await;
                        service.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                    }
                    Pump::SessionClosed => {}
                }
            }
            .instrument(span),
        );
        // A frame's share of the page buffer is released as tonic takes it for encoding.
        let frames = ReceiverStream::new(rx).map(|(frame, _share)| frame);
        Ok(Response::new(Box::pin(frames)))
    }

    /// Forwards one export batch, frame by frame, with the entries left encoded.
    pub(crate) async fn relay_export_entries<S>(
        &self,
        request: Request<S>,
    ) -> Result<Response<PutExportEntriesResponse>, Status>
    where
        S: Stream<Item = Result<RelayExportFrame, Status>> + Send + Unpin + 'static,
    {
        const CALL: &str = "PutExportEntries";
        let engine = engine_of(&request);
        let mut incoming = request.into_inner();
        let first = incoming
            .next()
            .await
            .transpose()?
            .ok_or_else(|| Status::invalid_argument("empty PutExportEntries stream: no session_id"))?;
        let session = self.session(&first.session_id, Kind::Export, CALL)?;
        let _in_flight = session.begin(engine);
        let guard = CloseOnDrop {
            service: self.clone(),
            session: Some(session.id.clone()),
        };
        let limit = session.page_size.max(0) as usize;
        let metrics = self.host.metrics.clone();
        let connector = session.connector.name.clone();
        // Frames flow engine → host → connector as they arrive; the host counts entries only.
        let (tx, rx) = mpsc::channel::<RelayExportFrame>(FRAME_BUFFER);
        let (error_tx, mut error_rx) = mpsc::channel::<Status>(1);
        let relay = tokio::spawn(async move {
            let mut entries = 0usize;
            let mut next = Some(Ok(first));
            loop {
                let frame = match next.take() {
                    Some(frame) => frame,
                    None => match incoming.next().await {
                        Some(frame) => frame,
                        None => break,
                    },
                };
                let frame = match frame {
                    Ok(frame) => frame,
                    Err(status) => {
                        let _ = error_tx.send(status).await;
                        break;
                    }
                };
                let before = entries;
                match &frame.frame {
                    Some(RelayExportKind::Entry(_)) => entries += 1,
                    Some(RelayExportKind::EntryFragment(f)) if f.last => entries += 1,
                    _ => {}
                }
                if entries > limit {
                    let _ = error_tx
                        .send(Status::invalid_argument(format!(
                            "batch holds more than the session's batch size of {limit} entries"
                        )))
                        .await;
                    break;
                }
                if tx.send(frame).await.is_err() {
                    break;
                }
                if entries > before {
                    metrics.exported(&connector, 1);
                }
            }
        });
        let mut client = session.client.relay.clone();
        let upstream = client.put_export_entries(ReceiverStream::new(rx));
        let deadline = session.connector.config.limits.call_deadline;
        let result = tokio::select! {
            r = tokio::time::timeout(deadline, upstream) => r,
            Some(status) = error_rx.recv() => {
                relay.abort();
                guard.disarm();
                return Err(status);
            }
            _ = session.cancel.cancelled() => {
                guard.disarm();
                return Err(Status::cancelled(format!("session {} was closed", session.id)));
            }
        };
        relay.abort();
        guard.disarm();
        match result {
            Ok(Ok(response)) => Ok(Response::new(response)),
            Ok(Err(s)) => {
                if let Ok(status) = error_rx.try_recv() {
                    return Err(status);
                }
                Err(status::upstream(&session.connector.name, CALL, s))
            }
            Err(_) => {
                self.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                Err(Status::deadline_exceeded(format!(
                    "connector {} did not finish {CALL} within its deadline of {deadline:?}",
                    session.connector.name
                )))
            }
        }
    }

    /// Closes a session in the background (used when the engine is no longer there to wait).
    fn close_later(&self, id: String, reason: CloseReason) {
        let host = self.host.clone();
        tokio::spawn(async move {
            let _ = host.close_session(&id, reason).await;
        });
    }
}

/// The engine connection a request came on, when the listener tracks connections.
fn engine_of<T>(request: &Request<T>) -> Option<CancellationToken> {
    ConnectionInfo::of(request).map(ConnectionInfo::closed)
}

fn interface_name(interface: Ecma2Interface) -> &'static str {
    use Ecma2Interface as I;
    match interface {
        I::CallImport => "IMAExtensible2CallImport",
        I::CallExport => "IMAExtensible2CallExport",
        I::FileImport => "IMAExtensible2FileImport",
        I::FileExport => "IMAExtensible2FileExport",
        I::GetSchema => "IMAExtensible2GetSchema",
        I::GetPartitions => "IMAExtensible2GetPartitions",
        I::GetHierarchy => "IMAExtensible2GetHierarchy",
        I::GetCapabilities => "IMAExtensible2GetCapabilities",
        I::GetCapabilitiesEx => "IMAExtensible2GetCapabilitiesEx",
        I::GetParameters => "IMAExtensible2GetParameters",
        I::GetParametersEx => "IMAExtensible2GetParametersEx",
        I::Password => "IMAExtensible2Password",
        I::Unspecified => "an unspecified interface",
    }
}

/// Closes the session with TerminatedByUser if dropped while armed: the engine cancelled the
/// call or went away while it was in flight.
struct CloseOnDrop {
    service: EngineService,
    session: Option<String>,
}

impl CloseOnDrop {
    fn disarm(mut self) {
        self.session = None;
    }
}

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            info!(session_id = %id, "engine cancelled the call; closing the session");
            self.service.close_later(id, CloseReason::TerminatedByUser);
        }
    }
}

macro_rules! stateless {
    ($self:ident, $request:ident, $interface:expr, $call:literal, $method:ident) => {{
        let (handle, ready) = $self.target(&$request, $interface, $call)?;
        let span = info_span!("call", connector = %handle.name, call = $call);
        let mut client = ready.client.clone();
        let inner = $request.into_inner();
        $self.deadline(&handle, $call, client.$method(inner)).instrument(span).await.map(Response::new)
    }};
}

type FrameStream<M> = Pin<Box<dyn Stream<Item = Result<M, Status>> + Send>>;

#[tonic::async_trait]
impl ConnectorService for EngineService {
    async fn handshake(&self, request: Request<HandshakeRequest>) -> Result<Response<HandshakeResponse>, Status> {
        let handle = self.connector(&request)?;
        let ready = handle
            .ready()
            .map_err(|(state, last)| status::not_ready(&handle.name, "Handshake", state, &last))?;
        let asked = request.into_inner().protocol_versions;
        if !asked.contains(&ready.handshake.protocol_version) {
            return Err(Status::failed_precondition(format!(
                "no common protocol version: engine speaks {asked:?}, connector {} speaks {}",
                handle.name, ready.handshake.protocol_version
            )));
        }
        Ok(Response::new(ready.handshake))
    }

    async fn get_capabilities(
        &self,
        request: Request<GetCapabilitiesRequest>,
    ) -> Result<Response<GetCapabilitiesResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetCapabilities,
            "GetCapabilities",
            get_capabilities
        )
    }

    async fn get_capabilities_ex(
        &self,
        request: Request<GetCapabilitiesExRequest>,
    ) -> Result<Response<GetCapabilitiesExResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetCapabilitiesEx,
            "GetCapabilitiesEx",
            get_capabilities_ex
        )
    }

    async fn get_config_parameters(
        &self,
        request: Request<GetConfigParametersRequest>,
    ) -> Result<Response<GetConfigParametersResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetParameters,
            "GetConfigParameters",
            get_config_parameters
        )
    }

    async fn validate_config_parameters(
        &self,
        request: Request<ValidateConfigParametersRequest>,
    ) -> Result<Response<ValidateConfigParametersResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetParameters,
            "ValidateConfigParameters",
            validate_config_parameters
        )
    }

    async fn get_config_parameters_ex(
        &self,
        request: Request<GetConfigParametersExRequest>,
    ) -> Result<Response<GetConfigParametersExResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetParametersEx,
            "GetConfigParametersEx",
            get_config_parameters_ex
        )
    }

    async fn validate_config_parameters_ex(
        &self,
        request: Request<ValidateConfigParametersExRequest>,
    ) -> Result<Response<ValidateConfigParametersExResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetParametersEx,
            "ValidateConfigParametersEx",
            validate_config_parameters_ex
        )
    }

    async fn get_schema(&self, request: Request<GetSchemaRequest>) -> Result<Response<GetSchemaResponse>, Status> {
        stateless!(self, request, Ecma2Interface::GetSchema, "GetSchema", get_schema)
    }

    async fn get_partitions(
        &self,
        request: Request<GetPartitionsRequest>,
    ) -> Result<Response<GetPartitionsResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetPartitions,
            "GetPartitions",
            get_partitions
        )
    }

    async fn get_hierarchy(
        &self,
        request: Request<GetHierarchyRequest>,
    ) -> Result<Response<GetHierarchyResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::GetHierarchy,
            "GetHierarchy",
            get_hierarchy
        )
    }

    async fn write_import_file(
        &self,
        request: Request<WriteImportFileRequest>,
    ) -> Result<Response<WriteImportFileResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::FileImport,
            "WriteImportFile",
            write_import_file
        )
    }

    async fn read_export_file(
        &self,
        request: Request<ReadExportFileRequest>,
    ) -> Result<Response<ReadExportFileResponse>, Status> {
        stateless!(
            self,
            request,
            Ecma2Interface::FileExport,
            "ReadExportFile",
            read_export_file
        )
    }

    async fn open_import_connection(
        &self,
        request: Request<OpenImportConnectionRequest>,
    ) -> Result<Response<OpenImportConnectionResponse>, Status> {
        const CALL: &str = "OpenImportConnection";
        let (handle, ready) = self.target(&request, Ecma2Interface::CallImport, CALL)?;
        let engine = engine_of(&request);
        let mut inner = request.into_inner();
        let sizes = ready.handshake.import_page_sizes.unwrap_or_default();
        let step = inner.import_run_step.get_or_insert_with(Default::default);
        check_page_size(&handle.name, CALL, step.page_size, &sizes, "page size")?;
        let permit = self.run_permit(&handle).await;
        let span = info_span!("call", connector = %handle.name, call = CALL);
        let response = {
            let mut client = ready.client.clone();
            self.deadline(&handle, CALL, client.open_import_connection(inner))
                .instrument(span)
                .await
        };
        match response {
            Ok(response) => {
                self.register(
                    Session::new(
                        response.session_id.clone(),
                        handle.clone(),
                        ready.generation,
                        ready.client.clone(),
                        Kind::Import,
                        response.page_size,
                        permit,
                    ),
                    engine,
                );
                info!(connector = %handle.name, session_id = %response.session_id, page_size = response.page_size, "import session opened");
                Ok(Response::new(response))
            }
            Err(s) => Err(self.open_failed(&handle, &ready, Kind::Import, s).await),
        }
    }

    type GetImportEntriesStream = FrameStream<GetImportEntriesResponse>;

    /// Served by [`crate::relay::EntryRelay`] without decoding; this is the same page with each
    /// entry decoded, for a caller that uses the generated server alone.
    async fn get_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> Result<Response<Self::GetImportEntriesStream>, Status> {
        let frames = self.relay_import_entries(request).await?.into_inner();
        Ok(Response::new(Box::pin(
            frames.map(|f| f.and_then(RelayFrame::decode_entry)),
        )))
    }

    async fn close_import_connection(
        &self,
        request: Request<CloseImportConnectionRequest>,
    ) -> Result<Response<CloseImportConnectionResponse>, Status> {
        const CALL: &str = "CloseImportConnection";
        let inner = request.into_inner();
        let reason = inner
            .import_run_step
            .as_ref()
            .map(|s| s.reason())
            .unwrap_or(CloseReason::Normal);
        let Some(session) = self.host.sessions.remove(&inner.session_id) else {
            return Ok(Response::new(CloseImportConnectionResponse {
                results: Some(Default::default()),
            }));
        };
        session.cancel.cancel();
        let mut client = session.client.clone();
        let grace = session.connector.config.limits.close_grace;
        match tokio::time::timeout(grace, client.close_import_connection(inner)).await {
            Ok(Ok(response)) => {
                info!(connector = %session.connector.name, session_id = %session.id, reason = ?reason, "import session closed");
                Ok(Response::new(response.into_inner()))
            }
            Ok(Err(s)) => Err(status::upstream(&session.connector.name, CALL, s)),
            Err(_) => {
                let why = format!(
                    "session {} did not close within the grace period of {grace:?}",
                    session.id
                );
                session.connector.kill_and_restart(&why);
                Err(status::host_fault(
                    FaultKind::DroppedConnectionException,
                    &session.connector.name,
                    CALL,
                    format!("{why}; the connector was killed and is restarting"),
                ))
            }
        }
    }

    async fn open_export_connection(
        &self,
        request: Request<OpenExportConnectionRequest>,
    ) -> Result<Response<OpenExportConnectionResponse>, Status> {
        const CALL: &str = "OpenExportConnection";
        let (handle, ready) = self.target(&request, Ecma2Interface::CallExport, CALL)?;
        let engine = engine_of(&request);
        let mut inner = request.into_inner();
        let sizes = ready.handshake.export_page_sizes.unwrap_or_default();
        let step = inner.export_run_step.get_or_insert_with(Default::default);
        check_page_size(&handle.name, CALL, step.batch_size, &sizes, "batch size")?;
        let permit = self.run_permit(&handle).await;
        let response = {
            let mut client = ready.client.clone();
            self.deadline(&handle, CALL, client.open_export_connection(inner)).await
        };
        match response {
            Ok(response) => {
                self.register(
                    Session::new(
                        response.session_id.clone(),
                        handle.clone(),
                        ready.generation,
                        ready.client.clone(),
                        Kind::Export,
                        response.batch_size,
                        permit,
                    ),
                    engine,
                );
                info!(connector = %handle.name, session_id = %response.session_id, batch_size = response.batch_size, "export session opened");
                Ok(Response::new(response))
            }
            Err(s) => Err(self.open_failed(&handle, &ready, Kind::Export, s).await),
        }
    }

    /// Served by [`crate::relay::EntryRelay`] without decoding; this re-encodes each entry, for
    /// a caller that uses the generated server alone.
    async fn put_export_entries(
        &self,
        request: Request<Streaming<PutExportEntriesRequest>>,
    ) -> Result<Response<PutExportEntriesResponse>, Status> {
        let (metadata, extensions, incoming) = request.into_parts();
        let frames = incoming.map(|f| f.map(RelayExportFrame::from));
        self.relay_export_entries(Request::from_parts(metadata, extensions, frames))
            .await
    }

    async fn close_export_connection(
        &self,
        request: Request<CloseExportConnectionRequest>,
    ) -> Result<Response<CloseExportConnectionResponse>, Status> {
        let inner = request.into_inner();
        let reason = inner
            .export_run_step
            .as_ref()
            .map(|s| s.reason())
            .unwrap_or(CloseReason::Normal);
        self.host
            .close_session(&inner.session_id, reason)
            .await
            .map(|_| Response::new(CloseExportConnectionResponse {}))
            .map_err(|f| f.into_status())
    }

    async fn open_password_connection(
        &self,
        request: Request<OpenPasswordConnectionRequest>,
    ) -> Result<Response<OpenPasswordConnectionResponse>, Status> {
        const CALL: &str = "OpenPasswordConnection";
        let (handle, ready) = self.target(&request, Ecma2Interface::Password, CALL)?;
        let engine = engine_of(&request);
        let mut client = ready.client.clone();
        let response = match self
            .deadline(&handle, CALL, client.open_password_connection(request.into_inner()))
            .await
        {
            Ok(r) => r,
            Err(s) => return Err(self.open_failed(&handle, &ready, Kind::Password, s).await),
        };
        let session = self.register(
            Session::new(
                response.session_id.clone(),
                handle.clone(),
                ready.generation,
                ready.client.clone(),
                Kind::Password,
                0,
                None,
            ),
            engine,
        );
        let level = self
            .deadline(
                &handle,
                "GetConnectionSecurityLevel",
                client.get_connection_security_level(GetConnectionSecurityLevelRequest {
                    session_id: session.id.clone(),
                }),
            )
            .await
            .map(|r| r.level())
            .unwrap_or(ConnectionSecurityLevel::NotSecure);
        session
            .secure
            .store(level == ConnectionSecurityLevel::Secure, Ordering::SeqCst);
        info!(connector = %handle.name, session_id = %session.id, secure = level == ConnectionSecurityLevel::Secure, "password session opened");
        Ok(Response::new(response))
    }

    async fn get_connection_security_level(
        &self,
        request: Request<GetConnectionSecurityLevelRequest>,
    ) -> Result<Response<GetConnectionSecurityLevelResponse>, Status> {
        const CALL: &str = "GetConnectionSecurityLevel";
        let engine = engine_of(&request);
        let inner = request.into_inner();
        let session = self.session(&inner.session_id, Kind::Password, CALL)?;
        let _in_flight = session.begin(engine);
        let mut client = session.client.clone();
        self.deadline(&session.connector, CALL, client.get_connection_security_level(inner))
            .await
            .map(Response::new)
    }

    async fn set_password(
        &self,
        request: Request<SetPasswordRequest>,
    ) -> Result<Response<SetPasswordResponse>, Status> {
        const CALL: &str = "SetPassword";
        let engine = engine_of(&request);
        let inner = request.into_inner();
        let session = self.password_session(&inner.session_id, CALL)?;
        let _in_flight = session.begin(engine);
        let mut client = session.client.clone();
        self.deadline(&session.connector, CALL, client.set_password(inner))
            .await
            .map(Response::new)
    }

    async fn change_password(
        &self,
        request: Request<ChangePasswordRequest>,
    ) -> Result<Response<ChangePasswordResponse>, Status> {
        const CALL: &str = "ChangePassword";
        let engine = engine_of(&request);
        let inner = request.into_inner();
        let session = self.password_session(&inner.session_id, CALL)?;
        let _in_flight = session.begin(engine);
        let mut client = session.client.clone();
        self.deadline(&session.connector, CALL, client.change_password(inner))
            .await
            .map(Response::new)
    }

    async fn close_password_connection(
        &self,
        request: Request<ClosePasswordConnectionRequest>,
    ) -> Result<Response<ClosePasswordConnectionResponse>, Status> {
        let inner = request.into_inner();
        self.host
            .close_session(&inner.session_id, CloseReason::Normal)
            .await
            .map(|_| Response::new(ClosePasswordConnectionResponse {}))
            .map_err(|f| f.into_status())
    }

    async fn shutdown(&self, _request: Request<ShutdownRequest>) -> Result<Response<ShutdownResponse>, Status> {
        Err(Status::permission_denied(
            "Shutdown is between the host and its connectors; engines cannot call it",
        ))
    }
}

impl EngineService {
    async fn run_permit(&self, handle: &ConnectorHandle) -> Option<tokio::sync::OwnedSemaphorePermit> {
        if handle.serialize_runs() {
            debug!(connector = %handle.name, "ConcurrentOperation is false: waiting for the previous run");
            handle.run_gate.clone().acquire_owned().await.ok()
        } else {
            None
        }
    }

    /// A failed Open: ECMA2 still calls Close, with OpenConnectionFailure, on the session the
    /// connector created; then the engine gets the fault.
    async fn open_failed(&self, handle: &ConnectorHandle, ready: &Ready, kind: Kind, status: Status) -> Status {
        if let Some(mut fault) = Fault::from_status(&status) {
            if !fault.session_id.is_empty() {
                let id = std::mem::take(&mut fault.session_id);
                let _ = close_upstream(handle, &ready.client, kind, &id, CloseReason::OpenConnectionFailure).await;
                return fault.into_status();
            }
        }
        status
    }

    fn password_session(&self, id: &str, call: &str) -> Result<Arc<Session>, Status> {
        let session = self.session(id, Kind::Password, call)?;
        let secure_hop = session.connector.ready().map(|r| r.secure_hop).unwrap_or(false);
        if !secure_hop {
            return Err(Status::failed_precondition(format!(
                "connector {} is reached over TCP without TLS; passwords are only forwarded over a Unix socket or TLS",
                session.connector.name
            )));
        }
        if !session.secure.load(Ordering::SeqCst) {
            return Err(Status::failed_precondition(format!(
                "connector {} reports a NotSecure connection to its system; passwords are not forwarded",
                session.connector.name
            )));
        }
        Ok(session)
    }
}

fn check_page_size(connector: &str, call: &str, asked: i32, sizes: &PageSizes, what: &str) -> Result<(), Status> {
    if asked < 0 {
        return Err(Status::invalid_argument(format!("{what} {asked} is negative ({call})")));
    }
    if sizes.max_page_size > 0 && asked > sizes.max_page_size {
        return Err(Status::invalid_argument(format!(
            "{what} {asked} is above connector {connector}'s maximum of {} ({call})",
            sizes.max_page_size
        )));
    }
    Ok(())
}

enum Pump {
    Done,
    Failed(Status),
    EngineGone,
    TimedOut(Duration),
    SessionClosed,
}

/// Forwards one page, frame by frame, checking the page size and the end frame.
async fn pump_page(
    session: &Session,
    request: GetImportEntriesRequest,
    tx: &mpsc::Sender<Queued>,
    buffer: &Arc<Semaphore>,
    metrics: &Metrics,
) -> Pump {
    const CALL: &str = "GetImportEntries";
    let name = &session.connector.name;
    let limit = session.connector.config.limits.call_deadline;
    let deadline = tokio::time::sleep(limit);
    tokio::pin!(deadline);
    let mut client = session.client.relay.clone();
    let mut upstream = tokio::select! {
        r = client.get_import_entries(request) => match r {
            Ok(r) => r,
            Err(s) => return Pump::Failed(status::upstream(name, CALL, s)),
        },
        _ = tx.closed() => return Pump::EngineGone,
        _ = &mut deadline => return Pump::TimedOut(limit),
        _ = session.cancel.cancelled() => return Pump::SessionClosed,
    };
    let mut entries = 0usize;
    let page_size = session.page_size.max(1) as usize;
    loop {
        // Upstream first: while frames are ready, no waiter is registered on the other three.
        let frame = tokio::select! {
            biased;
            f = upstream.message() => f,
            _ = tx.closed() => return Pump::EngineGone,
            _ = &mut deadline => return Pump::TimedOut(limit),
            _ = session.cancel.cancelled() => return Pump::SessionClosed,
        };
        let frame = match frame {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                return Pump::Failed(status::host_fault(
                    FaultKind::ExtensibleExtensionException,
                    name,
                    CALL,
                    format!("connector {name} ended a page without its results frame"),
                ));
            }
            Err(s) => return Pump::Failed(status::upstream(name, CALL, s)),
        };
        let before = entries;
        let last = match &frame.frame {
            Some(RelayKind::Entry(_)) => {
                entries += 1;
                false
            }
            Some(RelayKind::EntryFragment(f)) => {
                if f.last {
                    entries += 1;
                }
                false
            }
            Some(RelayKind::Results(_)) => true,
            None => false,
        };
        if entries > page_size {
            warn!(entries, page_size, "connector returned more entries than the page size");
            return Pump::Failed(status::host_fault(
                FaultKind::ExtensibleExtensionException,
                name,
                CALL,
                format!("connector {name} returned more than {page_size} entries for a page of {page_size}"),
            ));
        }
        let counted = entries > before;
        let kib = (frame.encoded_len() / 1024).clamp(1, PAGE_BUFFER_KIB as usize) as u32;
        let send = async {
            let share = buffer.clone().acquire_many_owned(kib).await.ok();
            tx.send((Ok(frame), share)).await
        };
        tokio::select! {
            sent = send => if sent.is_err() { return Pump::EngineGone },
            _ = &mut deadline => return Pump::TimedOut(limit),
        }
        if counted {
            metrics.imported(name, 1);
        }
        if last {
            debug!(entries, "page forwarded");
            return Pump::Done;
        }
    }
}
