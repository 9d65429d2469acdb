//! The gRPC side of a connector: [`ConnectorServer`] implements the contract's ConnectorService
//! over a connector type's registered interfaces. It owns sessions (a fresh instance each), page
//! size rules, entry framing, cancellation, fault mapping and closing everything on shutdown, so
//! connector code only talks to its target system.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecma2_proto::frames::{self, Framed, Reassembler};
use ecma2_proto::pb::{self, connector_service_server::ConnectorService, *};
use futures_util::Stream;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, debug, error, info, info_span, warn};

use crate::{Context, Error, Params, Result, interfaces::*};

type Lookup<T, I> = fn(&mut T) -> &mut I;

/// Which interfaces a connector type implements, as casts from the type to each trait object.
pub(crate) struct VTable<T: 'static> {
    pub caps: Option<Lookup<T, dyn GetCapabilities>>,
    pub caps_ex: Option<Lookup<T, dyn GetCapabilitiesEx>>,
    pub params: Option<Lookup<T, dyn GetParameters>>,
    pub params_ex: Option<Lookup<T, dyn GetParametersEx>>,
    pub schema: Option<Lookup<T, dyn GetSchema>>,
    pub partitions: Option<Lookup<T, dyn GetPartitions>>,
    pub hierarchy: Option<Lookup<T, dyn GetHierarchy>>,
    pub import: Option<Lookup<T, dyn CallImport>>,
    pub export: Option<Lookup<T, dyn CallExport>>,
    pub file_import: Option<Lookup<T, dyn FileImport>>,
    pub file_export: Option<Lookup<T, dyn FileExport>>,
    pub password: Option<Lookup<T, dyn Password>>,
}

impl<T> Default for VTable<T> {
    fn default() -> Self {
        Self {
            caps: None,
            caps_ex: None,
            params: None,
            params_ex: None,
            schema: None,
            partitions: None,
            hierarchy: None,
            import: None,
            export: None,
            file_import: None,
            file_export: None,
            password: None,
        }
    }
}

impl<T> Clone for VTable<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for VTable<T> {}

impl<T> VTable<T> {
    fn interfaces(&self) -> Vec<Ecma2Interface> {
        use Ecma2Interface as I;
        [
            (self.import.is_some(), I::CallImport),
            (self.export.is_some(), I::CallExport),
            (self.file_import.is_some(), I::FileImport),
            (self.file_export.is_some(), I::FileExport),
            (self.schema.is_some(), I::GetSchema),
            (self.partitions.is_some(), I::GetPartitions),
            (self.hierarchy.is_some(), I::GetHierarchy),
            (self.caps.is_some(), I::GetCapabilities),
            (self.caps_ex.is_some(), I::GetCapabilitiesEx),
            (self.params.is_some(), I::GetParameters),
            (self.params_ex.is_some(), I::GetParametersEx),
            (self.password.is_some(), I::Password),
        ]
        .into_iter()
        .filter_map(|(on, i)| on.then_some(i))
        .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Import,
    Export,
    Password,
}

struct Session<T> {
    kind: Kind,
    instance: Arc<tokio::sync::Mutex<T>>,
    page_size: i32,
}

pub(crate) struct Inner<T: 'static> {
    pub name: Arc<str>,
    /// The connector's own name, for the handshake (`name` may be the host's name for it).
    pub own_name: String,
    pub version: String,
    pub factory: Arc<dyn Fn() -> T + Send + Sync>,
    pub vt: VTable<T>,
    pub import_sizes: (i32, i32),
    pub export_sizes: (i32, i32),
    sessions: Mutex<HashMap<String, Arc<Session<T>>>>,
    /// Parent of every call's cancellation token; cancelled on shutdown.
    calls: CancellationToken,
    /// Cancelled once the process should stop serving.
    pub stopping: CancellationToken,
}

/// The tonic service implementation for a connector type. Cheap to clone.
pub struct ConnectorServer<T: 'static> {
    pub(crate) inner: Arc<Inner<T>>,
}

impl<T> Clone for ConnectorServer<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

type FrameStream<M> = Pin<Box<dyn Stream<Item = std::result::Result<M, Status>> + Send>>;

const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

impl<T: Send + 'static> ConnectorServer<T> {
    pub(crate) fn new(
        name: Arc<str>,
        own_name: String,
        version: String,
        factory: Arc<dyn Fn() -> T + Send + Sync>,
        vt: VTable<T>,
    ) -> Self {
        let mut prototype = factory();
        let import_sizes = vt
            .import
            .map(|f| {
                let i = f(&mut prototype);
                (i.import_default_page_size(), i.import_max_page_size())
            })
            .unwrap_or_default();
        let export_sizes = vt
            .export
            .map(|f| {
                let e = f(&mut prototype);
                (e.export_default_page_size(), e.export_max_page_size())
            })
            .unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                name,
                own_name,
                version,
                factory,
                vt,
                import_sizes,
                export_sizes,
                sessions: Mutex::new(HashMap::new()),
                calls: CancellationToken::new(),
                stopping: CancellationToken::new(),
            }),
        }
    }

    /// How many sessions are open.
    pub fn open_sessions(&self) -> usize {
        self.inner.sessions.lock().expect("sessions lock").len()
    }

    /// A token cancelled when the connector should stop serving (Shutdown RPC).
    pub fn stopping(&self) -> CancellationToken {
        self.inner.stopping.clone()
    }

    fn context(&self, call: &'static str, session_id: Option<&str>) -> (Context, DropGuard) {
        let token = self.inner.calls.child_token();
        let guard = token.clone().drop_guard();
        let ctx = Context {
            cancel: token,
            connector: self.inner.name.clone(),
            session_id: session_id.map(str::to_owned),
            call,
        };
        (ctx, guard)
    }

    fn fault(&self, fault: Fault, call: &str) -> Status {
        fault.at(&self.inner.name, call).into_status()
    }

    fn error(&self, error: Error, call: &str) -> Status {
        self.fault(error.into_fault(), call)
    }

    fn unimplemented(&self, interface: &str, call: &str) -> Status {
        self.error(
            Error::entry_point_not_implemented(format!("connector {} does not implement {interface}", self.inner.name)),
            call,
        )
    }

    fn refuse_if_stopping(&self, call: &str) -> std::result::Result<(), Status> {
        if self.inner.calls.is_cancelled() {
            return Err(self.error(Error::server_down("the connector is shutting down"), call));
        }
        Ok(())
    }

    fn session(&self, id: &str, kind: Kind) -> std::result::Result<Arc<Session<T>>, Status> {
        let sessions = self.inner.sessions.lock().expect("sessions lock");
        match sessions.get(id) {
            Some(s) if s.kind == kind => Ok(s.clone()),
            Some(s) => Err(Status::failed_precondition(format!(
                "session {id} is a {:?} session, not {kind:?}",
                s.kind
            ))),
            None => Err(Status::not_found(format!("session {id} not found"))),
        }
    }

    fn remove(&self, id: &str) -> Option<Arc<Session<T>>> {
        self.inner.sessions.lock().expect("sessions lock").remove(id)
    }

    fn register(&self, kind: Kind, page_size: i32) -> (String, Arc<tokio::sync::Mutex<T>>) {
        let id = uuid::Uuid::new_v4().to_string();
        let instance = Arc::new(tokio::sync::Mutex::new((self.inner.factory)()));
        let session = Arc::new(Session {
            kind,
            instance: instance.clone(),
            page_size,
        });
        self.inner
            .sessions
            .lock()
            .expect("sessions lock")
            .insert(id.clone(), session);
        (id, instance)
    }

    fn fresh(&self) -> Arc<tokio::sync::Mutex<T>> {
        Arc::new(tokio::sync::Mutex::new((self.inner.factory)()))
    }

    /// Waits for connector code spawned for `call`; maps its error or panic to a status.
    async fn finish<R>(
        &self,
        call: &'static str,
        guard: DropGuard,
        handle: JoinHandle<Result<R>>,
    ) -> std::result::Result<R, Status> {
        let joined = handle.await;
        guard.disarm();
        match joined {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                warn!(call, error = %err, "call failed");
                Err(self.error(err, call))
            }
            Err(join) => {
                let text = match join.try_into_panic() {
                    Ok(payload) => payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "non-text panic payload".to_owned()),
                    Err(_) => "the task was cancelled".to_owned(),
                };
                error!(call, panic = %text, "connector code panicked");
                let mut fault = Fault::new(
                    FaultKind::ExtensibleExtensionException,
                    format!("connector code panicked: {text}"),
                );
                fault.foreign_type_name = "panic".to_owned();
                Err(self.fault(fault, call))
            }
        }
    }

    fn page_size(
        &self,
        call: &str,
        asked: i32,
        (default, max): (i32, i32),
        what: &str,
    ) -> std::result::Result<i32, Status> {
        if asked < 0 {
            return Err(Status::invalid_argument(format!("{what} {asked} is negative")));
        }
        if asked == 0 {
            return Ok(default.max(1));
        }
        if max > 0 && asked > max {
            return Err(Status::invalid_argument(format!(
                "{what} {asked} is above connector {}'s maximum of {max} (call {call})",
                self.inner.name
            )));
        }
        Ok(asked)
    }

    /// Closes every open session with TerminatedShuttingDown, cancelling calls in flight first.
    /// Returns how many sessions were closed.
    pub async fn close_all(&self) -> usize {
        self.inner.calls.cancel();
        let sessions: Vec<(String, Arc<Session<T>>)> =
            self.inner.sessions.lock().expect("sessions lock").drain().collect();
        let count = sessions.len();
        for (id, session) in sessions {
            let vt = self.inner.vt;
            let ctx = Context {
                cancel: CancellationToken::new(),
                connector: self.inner.name.clone(),
                session_id: Some(id.clone()),
                call: "Shutdown",
            };
            let work = async move {
                let mut instance = session.instance.lock().await;
                let t = &mut *instance;
                match session.kind {
                    Kind::Import => {
                        let step = CloseImportConnectionRunStep {
                            reason: CloseReason::TerminatedShuttingDown as i32,
                            ..Default::default()
                        };
                        vt.import.expect("import session")(t)
                            .close_import_connection(&ctx, &step)
                            .await
                            .map(drop)
                    }
                    Kind::Export => {
                        let step = CloseExportConnectionRunStep {
                            reason: CloseReason::TerminatedShuttingDown as i32,
                        };
                        vt.export.expect("export session")(t)
                            .close_export_connection(&ctx, &step)
                            .await
                    }
                    Kind::Password => {
                        vt.password.expect("password session")(t)
                            .close_password_connection(&ctx)
                            .await
                    }
                }
            };
            match tokio::time::timeout(CLOSE_TIMEOUT, tokio::spawn(work)).await {
                Ok(Ok(Ok(()))) => info!(session_id = %id, "session closed for shutdown"),
                Ok(Ok(Err(err))) => warn!(session_id = %id, error = %err, "close failed during shutdown"),
                Ok(Err(join)) => error!(session_id = %id, error = %join, "close panicked during shutdown"),
                Err(_) => error!(session_id = %id, "close did not finish during shutdown"),
            }
        }
        count
    }
}

/// Runs connector code for one call on its own task, so that a cancelled call still lets the
/// connector finish cleanly (it sees the cancellation through its [`Context`]). The task runs in
/// a `call` span carrying the call and session, so every log line of connector code has them.
macro_rules! run {
    ($self:ident, $call:expr, $sid:expr, $instance:expr, |$t:ident, $ctx:ident| $body:expr) => {{
        let (ctx, guard) = $self.context($call, $sid);
        let instance = $instance;
        let span = info_span!("call", call = $call, session_id = tracing::field::Empty);
        if let Some(id) = ctx.session_id() {
            span.record("session_id", id);
        }
        let handle = tokio::spawn(
            async move {
                let mut lock = instance.lock().await;
                let $t = &mut *lock;
                let $ctx = &ctx;
                $body
            }
            .instrument(span),
        );
        $self.finish($call, guard, handle).await
    }};
}

#[tonic::async_trait]
impl<T: Send + 'static> ConnectorService for ConnectorServer<T> {
    async fn handshake(
        &self,
        request: Request<HandshakeRequest>,
    ) -> std::result::Result<Response<HandshakeResponse>, Status> {
        let request = request.into_inner();
        let chosen = request
            .protocol_versions
            .iter()
            .copied()
            .filter(|v| ecma2_proto::PROTOCOL_VERSIONS.contains(v))
            .max()
            .ok_or_else(|| {
                Status::failed_precondition(format!(
                    "no common protocol version: caller speaks {:?}, connector {} speaks {:?}",
                    request.protocol_versions,
                    self.inner.name,
                    ecma2_proto::PROTOCOL_VERSIONS
                ))
            })?;
        let vt = self.inner.vt;
        let sizes = |(default_page_size, max_page_size)| PageSizes {
            default_page_size,
            max_page_size,
        };
        info!(caller = %request.caller_name, protocol = chosen, "handshake");
        Ok(Response::new(HandshakeResponse {
            protocol_version: chosen,
            connector: Some(ConnectorInfo {
                name: self.inner.own_name.clone(),
                version: self.inner.version.clone(),
                sdk_name: "ecma2-sdk-rust".to_owned(),
                sdk_version: env!("CARGO_PKG_VERSION").to_owned(),
                language: "rust".to_owned(),
            }),
            interfaces: vt.interfaces().into_iter().map(|i| i as i32).collect(),
            features: request
                .features
                .iter()
                .filter(|f| *f == ecma2_proto::meta::ENTRY_BATCHES)
                .cloned()
                .collect(),
            import_page_sizes: vt.import.map(|_| sizes(self.inner.import_sizes)),
            export_page_sizes: vt.export.map(|_| sizes(self.inner.export_sizes)),
        }))
    }

    async fn get_capabilities(
        &self,
        _request: Request<GetCapabilitiesRequest>,
    ) -> std::result::Result<Response<GetCapabilitiesResponse>, Status> {
        const CALL: &str = "GetCapabilities";
        let f = self
            .inner
            .vt
            .caps
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetCapabilities", CALL))?;
        let capabilities = run!(self, CALL, None, self.fresh(), |t, ctx| f(t).capabilities(ctx).await)?;
        Ok(Response::new(GetCapabilitiesResponse {
            capabilities: Some(capabilities),
        }))
    }

    async fn get_capabilities_ex(
        &self,
        request: Request<GetCapabilitiesExRequest>,
    ) -> std::result::Result<Response<GetCapabilitiesExResponse>, Status> {
        const CALL: &str = "GetCapabilitiesEx";
        let f = self
            .inner
            .vt
            .caps_ex
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetCapabilitiesEx", CALL))?;
        let params = Params(request.into_inner().config_parameters);
        let capabilities = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_capabilities_ex(ctx, &params)
            .await)?;
        Ok(Response::new(GetCapabilitiesExResponse {
            capabilities: Some(capabilities),
        }))
    }

    async fn get_config_parameters(
        &self,
        request: Request<GetConfigParametersRequest>,
    ) -> std::result::Result<Response<GetConfigParametersResponse>, Status> {
        const CALL: &str = "GetConfigParameters";
        let f = self
            .inner
            .vt
            .params
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetParameters", CALL))?;
        let request = request.into_inner();
        let page = request.page();
        let params = Params(request.config_parameters);
        let definitions = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_config_parameters(ctx, &params, page)
            .await)?;
        Ok(Response::new(GetConfigParametersResponse { definitions }))
    }

    async fn validate_config_parameters(
        &self,
        request: Request<ValidateConfigParametersRequest>,
    ) -> std::result::Result<Response<ValidateConfigParametersResponse>, Status> {
        const CALL: &str = "ValidateConfigParameters";
        let f = self
            .inner
            .vt
            .params
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetParameters", CALL))?;
        let request = request.into_inner();
        let page = request.page();
        let params = Params(request.config_parameters);
        let result = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .validate_config_parameters(ctx, &params, page)
            .await)?;
        Ok(Response::new(ValidateConfigParametersResponse { result: Some(result) }))
    }

    async fn get_config_parameters_ex(
        &self,
        request: Request<GetConfigParametersExRequest>,
    ) -> std::result::Result<Response<GetConfigParametersExResponse>, Status> {
        const CALL: &str = "GetConfigParametersEx";
        let f = self
            .inner
            .vt
            .params_ex
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetParametersEx", CALL))?;
        let request = request.into_inner();
        let (page, number) = (request.page(), request.page_number);
        let params = Params(request.config_parameters);
        let definitions = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_config_parameters_ex(ctx, &params, page, number)
            .await)?;
        Ok(Response::new(GetConfigParametersExResponse { definitions }))
    }

    async fn validate_config_parameters_ex(
        &self,
        request: Request<ValidateConfigParametersExRequest>,
    ) -> std::result::Result<Response<ValidateConfigParametersExResponse>, Status> {
        const CALL: &str = "ValidateConfigParametersEx";
        let f = self
            .inner
            .vt
            .params_ex
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetParametersEx", CALL))?;
        let request = request.into_inner();
        let (page, number) = (request.page(), request.page_number);
        let params = Params(request.config_parameters);
        let result = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .validate_config_parameters_ex(ctx, &params, page, number)
            .await)?;
        Ok(Response::new(ValidateConfigParametersExResponse {
            result: Some(result),
        }))
    }

    async fn get_schema(
        &self,
        request: Request<GetSchemaRequest>,
    ) -> std::result::Result<Response<GetSchemaResponse>, Status> {
        const CALL: &str = "GetSchema";
        let f = self
            .inner
            .vt
            .schema
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetSchema", CALL))?;
        let params = Params(request.into_inner().config_parameters);
        let schema = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_schema(ctx, &params)
            .await)?;
        Ok(Response::new(GetSchemaResponse { schema: Some(schema) }))
    }

    async fn get_partitions(
        &self,
        request: Request<GetPartitionsRequest>,
    ) -> std::result::Result<Response<GetPartitionsResponse>, Status> {
        const CALL: &str = "GetPartitions";
        let f = self
            .inner
            .vt
            .partitions
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetPartitions", CALL))?;
        let params = Params(request.into_inner().config_parameters);
        let partitions = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_partitions(ctx, &params)
            .await)?;
        Ok(Response::new(GetPartitionsResponse { partitions }))
    }

    async fn get_hierarchy(
        &self,
        request: Request<GetHierarchyRequest>,
    ) -> std::result::Result<Response<GetHierarchyResponse>, Status> {
        const CALL: &str = "GetHierarchy";
        let f = self
            .inner
            .vt
            .hierarchy
            .ok_or_else(|| self.unimplemented("IMAExtensible2GetHierarchy", CALL))?;
        let request = request.into_inner();
        let parent = request.parent.unwrap_or_default();
        let params = Params(request.config_parameters);
        let nodes = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .get_hierarchy(ctx, &params, &parent)
            .await)?;
        Ok(Response::new(GetHierarchyResponse { nodes }))
    }

    async fn open_import_connection(
        &self,
        request: Request<OpenImportConnectionRequest>,
    ) -> std::result::Result<Response<OpenImportConnectionResponse>, Status> {
        const CALL: &str = "OpenImportConnection";
        let f = self
            .inner
            .vt
            .import
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallImport", CALL))?;
        self.refuse_if_stopping(CALL)?;
        let request = request.into_inner();
        let mut step = request.import_run_step.unwrap_or_default();
        step.page_size = self.page_size(CALL, step.page_size, self.inner.import_sizes, "page size")?;
        let page_size = step.page_size;
        let (id, instance) = self.register(Kind::Import, page_size);
        let params = Params(request.config_parameters);
        let schema = request.types.unwrap_or_default();
        let span = info_span!("session", session_id = %id, kind = "import");
        let outcome = run!(self, CALL, Some(&id), instance, |t, ctx| f(t)
            .open_import_connection(ctx, &params, &schema, &step)
            .await)
        .map_err(|status| with_session(status, &id));
        let results = outcome?;
        span.in_scope(|| info!(page_size, "import session opened"));
        Ok(Response::new(OpenImportConnectionResponse {
            session_id: id,
            results: Some(results),
            page_size,
        }))
    }

    type GetImportEntriesStream = FrameStream<GetImportEntriesResponse>;

    async fn get_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> std::result::Result<Response<Self::GetImportEntriesStream>, Status> {
        const CALL: &str = "GetImportEntries";
        let f = self
            .inner
            .vt
            .import
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallImport", CALL))?;
        let batched = request
            .metadata()
            .get_all(ecma2_proto::meta::FEATURES)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| ecma2_proto::meta::lists_feature(v, ecma2_proto::meta::ENTRY_BATCHES));
        let request = request.into_inner();
        let session = self.session(&request.session_id, Kind::Import)?;
        let step = request.import_run_step.unwrap_or_default();
        let id = request.session_id;
        let page = run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .get_import_entries(ctx, &step)
            .await)?;
        if page.entries.len() > session.page_size as usize {
            return Err(self.error(
                Error::extensible_extension(format!(
                    "connector returned {} entries for a page of at most {}",
                    page.entries.len(),
                    session.page_size
                )),
                CALL,
            ));
        }
        debug!(session_id = %id, entries = page.entries.len(), more = page.more_to_import, "page");
        let results = GetImportEntriesResults {
            custom_data: page.custom_data,
            more_to_import: page.more_to_import,
        };
        let frames: Vec<get_import_entries_response::Frame> = if batched {
            frames::batch(page.entries)
                .into_iter()
                .flat_map(|step| match step {
                    frames::Batched::Batch(batch) => vec![get_import_entries_response::Frame::EntryBatch(batch)],
                    frames::Batched::Fragments(parts) => parts
                        .into_iter()
                        .map(get_import_entries_response::Frame::EntryFragment)
                        .collect(),
                })
                .collect()
        } else {
            page.entries
                .into_iter()
                .flat_map(|entry| match frames::frame(entry) {
                    Framed::Whole(entry) => vec![get_import_entries_response::Frame::Entry(entry)],
                    Framed::Fragments(parts) => parts
                        .into_iter()
                        .map(get_import_entries_response::Frame::EntryFragment)
                        .collect(),
                })
                .collect()
        };
        let frames = frames
            .into_iter()
            .chain(std::iter::once(get_import_entries_response::Frame::Results(results)))
            .map(|frame| Ok(GetImportEntriesResponse { frame: Some(frame) }));
        Ok(Response::new(Box::pin(tokio_stream::iter(frames))))
    }

    async fn close_import_connection(
        &self,
        request: Request<CloseImportConnectionRequest>,
    ) -> std::result::Result<Response<CloseImportConnectionResponse>, Status> {
        const CALL: &str = "CloseImportConnection";
        let f = self
            .inner
            .vt
            .import
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallImport", CALL))?;
        let request = request.into_inner();
        let Some(session) = self.remove(&request.session_id) else {
            debug!(session_id = %request.session_id, "close of an unknown session ignored");
            return Ok(Response::new(CloseImportConnectionResponse {
                results: Some(Default::default()),
            }));
        };
        let step = request.import_run_step.unwrap_or_default();
        let id = request.session_id;
        info!(session_id = %id, reason = ?step.reason(), "closing import session");
        let results = run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .close_import_connection(ctx, &step)
            .await)?;
        Ok(Response::new(CloseImportConnectionResponse { results: Some(results) }))
    }

    async fn open_export_connection(
        &self,
        request: Request<OpenExportConnectionRequest>,
    ) -> std::result::Result<Response<OpenExportConnectionResponse>, Status> {
        const CALL: &str = "OpenExportConnection";
        let f = self
            .inner
            .vt
            .export
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallExport", CALL))?;
        self.refuse_if_stopping(CALL)?;
        let request = request.into_inner();
        let mut step = request.export_run_step.unwrap_or_default();
        step.batch_size = self.page_size(CALL, step.batch_size, self.inner.export_sizes, "batch size")?;
        let batch_size = step.batch_size;
        let (id, instance) = self.register(Kind::Export, batch_size);
        let params = Params(request.config_parameters);
        let schema = request.types.unwrap_or_default();
        run!(self, CALL, Some(&id), instance, |t, ctx| f(t)
            .open_export_connection(ctx, &params, &schema, &step)
            .await)
        .map_err(|status| with_session(status, &id))?;
        info!(session_id = %id, batch_size, "export session opened");
        Ok(Response::new(OpenExportConnectionResponse {
            session_id: id,
            batch_size,
        }))
    }

    async fn put_export_entries(
        &self,
        request: Request<Streaming<PutExportEntriesRequest>>,
    ) -> std::result::Result<Response<PutExportEntriesResponse>, Status> {
        const CALL: &str = "PutExportEntries";
        let f = self
            .inner
            .vt
            .export
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallExport", CALL))?;
        let mut stream = request.into_inner();
        let mut session: Option<(String, Arc<Session<T>>)> = None;
        let mut entries = Vec::new();
        let mut reassembler = Reassembler::default();
        while let Some(frame) = stream.message().await? {
            if session.is_none() {
                if frame.session_id.is_empty() {
                    return Err(Status::invalid_argument(
                        "the first PutExportEntries frame must carry session_id",
                    ));
                }
                let s = self.session(&frame.session_id, Kind::Export)?;
                session = Some((frame.session_id.clone(), s));
            }
            let entry = match frame.frame {
                Some(put_export_entries_request::Frame::Entry(entry)) => {
                    reassembler
                        .ensure_idle()
                        .map_err(|e| Status::invalid_argument(e.to_string()))?;
                    Some(entry)
                }
                Some(put_export_entries_request::Frame::EntryFragment(fragment)) => reassembler
                    .push(fragment)
                    .map_err(|e| Status::invalid_argument(e.to_string()))?,
                None => None,
            };
            if let Some(entry) = entry {
                entries.push(entry);
                let limit = session.as_ref().map(|(_, s)| s.page_size).unwrap_or_default() as usize;
                if entries.len() > limit {
                    return Err(Status::invalid_argument(format!(
                        "batch holds more than the session's batch size of {limit} entries"
                    )));
                }
            }
        }
        reassembler
            .ensure_idle()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let Some((id, session)) = session else {
            return Err(Status::invalid_argument("empty PutExportEntries stream: no session_id"));
        };
        debug!(session_id = %id, entries = entries.len(), "export batch");
        let results = run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .put_export_entries(ctx, entries)
            .await)?;
        Ok(Response::new(PutExportEntriesResponse { results: Some(results) }))
    }

    async fn close_export_connection(
        &self,
        request: Request<CloseExportConnectionRequest>,
    ) -> std::result::Result<Response<CloseExportConnectionResponse>, Status> {
        const CALL: &str = "CloseExportConnection";
        let f = self
            .inner
            .vt
            .export
            .ok_or_else(|| self.unimplemented("IMAExtensible2CallExport", CALL))?;
        let request = request.into_inner();
        let Some(session) = self.remove(&request.session_id) else {
            return Ok(Response::new(CloseExportConnectionResponse {}));
        };
        let step = request.export_run_step.unwrap_or_default();
        let id = request.session_id;
        info!(session_id = %id, reason = ?step.reason(), "closing export session");
        run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .close_export_connection(ctx, &step)
            .await)?;
        Ok(Response::new(CloseExportConnectionResponse {}))
    }

    async fn write_import_file(
        &self,
        request: Request<WriteImportFileRequest>,
    ) -> std::result::Result<Response<WriteImportFileResponse>, Status> {
        const CALL: &str = "WriteImportFile";
        let f = self
            .inner
            .vt
            .file_import
            .ok_or_else(|| self.unimplemented("IMAExtensible2FileImport", CALL))?;
        let request = request.into_inner();
        let params = Params(request.config_parameters);
        let schema = request.types.unwrap_or_default();
        let step = request.import_run_step.unwrap_or_default();
        let results = run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .write_import_file(ctx, &params, &schema, &step)
            .await)?;
        Ok(Response::new(WriteImportFileResponse { results: Some(results) }))
    }

    async fn read_export_file(
        &self,
        request: Request<ReadExportFileRequest>,
    ) -> std::result::Result<Response<ReadExportFileResponse>, Status> {
        const CALL: &str = "ReadExportFile";
        let f = self
            .inner
            .vt
            .file_export
            .ok_or_else(|| self.unimplemented("IMAExtensible2FileExport", CALL))?;
        let request = request.into_inner();
        let params = Params(request.config_parameters);
        let schema = request.types.unwrap_or_default();
        let step = request.export_run_step.unwrap_or_default();
        run!(self, CALL, None, self.fresh(), |t, ctx| f(t)
            .read_export_file(ctx, &params, &schema, &step)
            .await)?;
        Ok(Response::new(ReadExportFileResponse {}))
    }

    async fn open_password_connection(
        &self,
        request: Request<OpenPasswordConnectionRequest>,
    ) -> std::result::Result<Response<OpenPasswordConnectionResponse>, Status> {
        const CALL: &str = "OpenPasswordConnection";
        let f = self
            .inner
            .vt
            .password
            .ok_or_else(|| self.unimplemented("IMAExtensible2Password", CALL))?;
        self.refuse_if_stopping(CALL)?;
        let request = request.into_inner();
        let (id, instance) = self.register(Kind::Password, 0);
        let params = Params(request.config_parameters);
        let partition = request.partition.unwrap_or_default();
        run!(self, CALL, Some(&id), instance, |t, ctx| f(t)
            .open_password_connection(ctx, &params, &partition)
            .await)
        .map_err(|status| with_session(status, &id))?;
        info!(session_id = %id, "password session opened");
        Ok(Response::new(OpenPasswordConnectionResponse { session_id: id }))
    }

    async fn get_connection_security_level(
        &self,
        request: Request<GetConnectionSecurityLevelRequest>,
    ) -> std::result::Result<Response<GetConnectionSecurityLevelResponse>, Status> {
        const CALL: &str = "GetConnectionSecurityLevel";
        let f = self
            .inner
            .vt
            .password
            .ok_or_else(|| self.unimplemented("IMAExtensible2Password", CALL))?;
        let id = request.into_inner().session_id;
        let session = self.session(&id, Kind::Password)?;
        let level = run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .get_connection_security_level(ctx)
            .await)?;
        Ok(Response::new(GetConnectionSecurityLevelResponse {
            level: level as i32,
        }))
    }

    async fn set_password(
        &self,
        request: Request<SetPasswordRequest>,
    ) -> std::result::Result<Response<SetPasswordResponse>, Status> {
        const CALL: &str = "SetPassword";
        let f = self
            .inner
            .vt
            .password
            .ok_or_else(|| self.unimplemented("IMAExtensible2Password", CALL))?;
        let request = request.into_inner();
        let session = self.session(&request.session_id, Kind::Password)?;
        let options: Vec<PasswordOption> = request.options().collect();
        let entry = request.csentry.unwrap_or_default();
        let new = request.new_password.unwrap_or_default();
        let id = request.session_id;
        run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .set_password(ctx, &entry, &new, &options)
            .await)?;
        Ok(Response::new(SetPasswordResponse {}))
    }

    async fn change_password(
        &self,
        request: Request<ChangePasswordRequest>,
    ) -> std::result::Result<Response<ChangePasswordResponse>, Status> {
        const CALL: &str = "ChangePassword";
        let f = self
            .inner
            .vt
            .password
            .ok_or_else(|| self.unimplemented("IMAExtensible2Password", CALL))?;
        let request = request.into_inner();
        let session = self.session(&request.session_id, Kind::Password)?;
        let entry = request.csentry.unwrap_or_default();
        let old = request.old_password.unwrap_or_default();
        let new = request.new_password.unwrap_or_default();
        let id = request.session_id;
        run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .change_password(ctx, &entry, &old, &new)
            .await)?;
        Ok(Response::new(ChangePasswordResponse {}))
    }

    async fn close_password_connection(
        &self,
        request: Request<ClosePasswordConnectionRequest>,
    ) -> std::result::Result<Response<ClosePasswordConnectionResponse>, Status> {
        const CALL: &str = "ClosePasswordConnection";
        let f = self
            .inner
            .vt
            .password
            .ok_or_else(|| self.unimplemented("IMAExtensible2Password", CALL))?;
        let id = request.into_inner().session_id;
        let Some(session) = self.remove(&id) else {
            return Ok(Response::new(ClosePasswordConnectionResponse {}));
        };
        run!(self, CALL, Some(&id), session.instance.clone(), |t, ctx| f(t)
            .close_password_connection(ctx)
            .await)?;
        Ok(Response::new(ClosePasswordConnectionResponse {}))
    }

    async fn shutdown(
        &self,
        request: Request<ShutdownRequest>,
    ) -> std::result::Result<Response<ShutdownResponse>, Status> {
        info!(reason = %request.into_inner().reason, "shutdown requested");
        let closed = self.close_all().await;
        self.inner.stopping.cancel();
        Ok(Response::new(ShutdownResponse {
            closed_sessions: closed as u32,
        }))
    }
}

/// Adds the session id of a failed open to its fault, so the caller can still close it.
fn with_session(status: Status, session_id: &str) -> Status {
    match pb::Fault::from_status(&status) {
        Some(mut fault) => {
            fault.session_id = session_id.to_owned();
            fault.into_status()
        }
        None => status,
    }
}
