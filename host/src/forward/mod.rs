//! The engine-facing ConnectorService: every call names its connector in the `ecma2-connector`
//! metadata key and is forwarded to that connector's process with the same messages. Sessions are
//! tracked so that Close reaches the connector however a run ends: the engine closes it, the
//! engine cancels a call or goes away, the session idles out, Open fails, or the host stops.
//! Pages and batches stream through frame by frame (a page pulled by the engine's response
//! body, a batch over a bounded channel), so the host never holds a page.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_server::ConnectorService;
use ecma2_proto::pb::*;
use ecma2_transport::ConnectionInfo;
use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::codegen::http::HeaderName;
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, info, info_span};

use crate::metrics::Metrics;
use crate::relay::RelayExportFrame;
use crate::sessions::{Kind, Session, Sessions, close_upstream};
use crate::status;
use crate::supervisor::{ConnectorHandle, Ready};

mod batches;
mod entry_relay;
mod page;
mod pages;
mod wire;

pub use entry_relay::{EntryRelay, PagesFirst};

/// The engine-facing service: the top of the host. It finds a call's connector handle, checks and
/// records sessions in the session table, and forwards through the handle's client; nothing
/// below it knows it exists.
#[derive(Clone)]
pub struct EngineService {
    connectors: Arc<[Arc<ConnectorHandle>]>,
    sessions: Arc<Sessions>,
    metrics: Arc<Metrics>,
}

type Target = (Arc<ConnectorHandle>, Ready);

impl EngineService {
    /// A service forwarding to `connectors`, recording sessions in `sessions`.
    pub fn new(connectors: Arc<[Arc<ConnectorHandle>]>, sessions: Arc<Sessions>, metrics: Arc<Metrics>) -> Self {
        Self {
            connectors,
            sessions,
            metrics,
        }
    }

    pub(crate) fn connector<T>(&self, request: &Request<T>) -> Result<Arc<ConnectorHandle>, Status> {
        let names = || {
            self.connectors
                .iter()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        const CONNECTOR: HeaderName = HeaderName::from_static(meta::CONNECTOR);
        let name = request
            .metadata()
            .as_ref()
            .get(CONNECTOR)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Status::invalid_argument(format!(
                    "missing metadata key {} naming the target connector (configured: {})",
                    meta::CONNECTOR,
                    names()
                ))
            })?;
        self.connectors
            .iter()
            .find(|c| &*c.name == name)
            .cloned()
            .ok_or_else(|| {
                Status::not_found(format!(
                    "no connector named {} (configured: {})",
                    status::quote(name),
                    names()
                ))
            })
    }

    fn target<T>(&self, request: &Request<T>, interface: Ecma2Interface, call: &str) -> Result<Target, Status> {
        let handle = self.connector(request)?;
        if self.sessions.shutting_down() {
            return Err(status::host_fault(
                FaultKind::ServerDownException,
                &handle.name,
                call,
                "the host is shutting down",
            ));
        }
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

    /// The open session `id` of connector `named` (the call's `ecma2-connector`), checked to be
    /// of `kind` and alive.
    pub(crate) fn session(
        &self,
        named: &ConnectorHandle,
        id: &str,
        kind: Kind,
        call: &str,
    ) -> Result<Arc<Session>, Status> {
        let Some(session) = self.owned(named, id)? else {
            if self.sessions.shutting_down() {
                return Err(status::host_fault(
                    FaultKind::DroppedConnectionException,
                    &named.name,
                    call,
                    format!(
                        "the host is shutting down: session {} of connector {} was closed with \
                         TerminatedShuttingDown",
                        status::quote(id),
                        named.name
                    ),
                ));
            }
            return Err(Status::not_found(format!(
                "session {} of connector {} not found",
                status::quote(id),
                named.name
            )));
        };
        if session.kind != kind {
            return Err(Status::failed_precondition(format!(
                "session {} is a {:?} session, not {kind:?}",
                status::quote(id),
                session.kind
            )));
        }
        match session.connector.is_ready_at(session.generation) {
            true => Ok(session),
            false => {
                if let Some(lost) = self.sessions.remove(id) {
                    // Nothing left to close upstream; stop whatever still waits on it.
                    lost.cancel.cancel();
                }
                Err(status::session_lost(&session.connector.name, call, id))
            }
        }
    }

    /// Session `id` if it is open, provided it belongs to connector `named`: a session is only
    /// reached through the connector that opened it.
    fn owned(&self, named: &ConnectorHandle, id: &str) -> Result<Option<Arc<Session>>, Status> {
        match self.sessions.get(id) {
            Some(session) if *session.connector.name != *named.name => Err(Status::not_found(format!(
                "connector {} has no session {} (the session belongs to connector {}; the call must name \
                 that connector in {})",
                named.name,
                status::quote(id),
                session.connector.name,
                meta::CONNECTOR
            ))),
            found => Ok(found),
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
        let session = self.sessions.insert(session);
        session.opened_on(engine);
        let sessions = self.sessions.clone();
        let watched = session.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = watched.engine_gone() => {
                    info!(connector = %watched.connector.name, session_id = %watched.id, "engine connection closed; closing its idle session");
                    let _ = sessions.close(&watched.id, CloseReason::TerminatedByUser).await;
                }
                _ = watched.cancel.cancelled() => {}
            }
        });
        session
    }

    /// Closes a session in the background (used when the engine is no longer there to wait).
    pub(crate) fn close_later(&self, id: String, reason: CloseReason) {
        let sessions = self.sessions.clone();
        tokio::spawn(async move {
            let _ = sessions.close(&id, reason).await;
        });
    }
}

/// The engine connection a request came on, when the listener tracks connections. None for
/// gRPC-Web calls: their HTTP/1.1 connections are pooled and closed at the client's whim, so a
/// session opened over gRPC-Web outlives its connection (see [`crate::web`]).
pub(crate) fn engine_of<T>(request: &Request<T>) -> Option<CancellationToken> {
    if crate::web::is_marked(request) {
        return None;
    }
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
        let request = request.into_inner();
        let asked = request.protocol_versions;
        if !asked.contains(&ready.handshake.protocol_version) {
            return Err(Status::failed_precondition(format!(
                "no common protocol version: engine speaks {asked:?}, connector {} speaks {}",
                handle.name, ready.handshake.protocol_version
            )));
        }
        Ok(Response::new(batches::answer(&request.features, ready.handshake)))
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
        let permit = Some(handle.run_permit(&ready, &inner.config_parameters).await);
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

    /// Served by [`EntryRelay`] without decoding; this is the same page with each
    /// entry decoded, for a caller that uses the generated server alone.
    async fn get_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> Result<Response<Self::GetImportEntriesStream>, Status> {
        use tonic::codec::Codec;
        let page = self.relay_import_entries(request, None)?;
        let decoder = tonic_prost::ProstCodec::<(), GetImportEntriesResponse>::default().decoder();
        Ok(Response::new(Box::pin(tonic::codec::Streaming::new_response(
            decoder,
            page,
            tonic::codegen::http::StatusCode::OK,
            None,
            Some(ecma2_proto::frames::MAX_MESSAGE_BYTES),
        ))))
    }

    async fn close_import_connection(
        &self,
        request: Request<CloseImportConnectionRequest>,
    ) -> Result<Response<CloseImportConnectionResponse>, Status> {
        const CALL: &str = "CloseImportConnection";
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        let reason = inner
            .import_run_step
            .as_ref()
            .map(|s| s.reason())
            .unwrap_or(CloseReason::Normal);
        let closed = || {
            Response::new(CloseImportConnectionResponse {
                results: Some(Default::default()),
            })
        };
        if self.owned(&named, &inner.session_id)?.is_none() {
            return Ok(closed());
        }
        let Some(session) = self.sessions.take(&inner.session_id) else {
            // The host may be closing it already (the engine cancelled a call): answer once
            // the connector has been closed, so the engine never races that close.
            self.sessions.settled(&inner.session_id).await;
            return Ok(closed());
        };
        session.cancel_with(reason);
        let alive = session.connector.is_ready_at(session.generation);
        if !alive {
            // Its process is gone and the session with it: closed, as for export.
            self.sessions.closed(&session);
            return Ok(closed());
        }
        let mut client = session.client.clone();
        let grace = session.connector.config.limits.close_grace;
        let outcome = tokio::time::timeout(grace, client.close_import_connection(inner)).await;
        self.sessions.closed(&session);
        match outcome {
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
                session.connector.kill_and_restart(session.generation, &why);
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
        let permit = Some(handle.run_permit(&ready, &inner.config_parameters).await);
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

    /// Served by [`EntryRelay`] without decoding; this re-encodes each entry, for
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
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        self.owned(&named, &inner.session_id)?;
        let reason = inner
            .export_run_step
            .as_ref()
            .map(|s| s.reason())
            .unwrap_or(CloseReason::Normal);
        self.sessions
            .close(&inner.session_id, reason)
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
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        let session = self.session(&named, &inner.session_id, Kind::Password, CALL)?;
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
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        let session = self.password_session(&named, &inner.session_id, CALL)?;
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
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        let session = self.password_session(&named, &inner.session_id, CALL)?;
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
        let named = self.connector(&request)?;
        let inner = request.into_inner();
        self.owned(&named, &inner.session_id)?;
        self.sessions
            .close(&inner.session_id, CloseReason::Normal)
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
    /// A failed Open: ECMA2 still calls Close, with OpenConnectionFailure, on the session the
    /// connector created; then the engine gets the fault.
    async fn open_failed(&self, handle: &ConnectorHandle, ready: &Ready, kind: Kind, status: Status) -> Status {
        if let Some(mut fault) = Fault::from_status(&status) {
            if !fault.session_id.is_empty() {
                let id = std::mem::take(&mut fault.session_id);
                let _ = close_upstream(
                    handle,
                    ready.generation,
                    &ready.client,
                    kind,
                    &id,
                    CloseReason::OpenConnectionFailure,
                )
                .await;
                return fault.into_status();
            }
        }
        status
    }

    fn password_session(&self, named: &ConnectorHandle, id: &str, call: &str) -> Result<Arc<Session>, Status> {
        let session = self.session(named, id, Kind::Password, call)?;
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
