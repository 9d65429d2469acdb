//! [`ConnectorHandle`]: what the rest of the host sees of one connector, its state, its ready
//! connection ([`Ready`], with the [`Client`] that calls it) and its counters, written by the
//! supervisor loop and read by the session table and the engine-facing service.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::{ConnectorState, ConnectorStatus, ConnectorTransport, Ecma2Interface, HandshakeResponse};
use ecma2_transport::Address;
use ecma2_transport::{Upstream, UpstreamFuture};
use tokio::sync::Notify;
use tonic::codegen::http::{self, HeaderName, HeaderValue};
use tracing::{debug, warn};

use super::run_gate::RunGate;
use crate::config::{ConnectorConfig, HopTransport};
use crate::relay::RelayClient;

/// The transport to one running connector process: its connection, and the per-launch secret
/// every host → connector call carries (none for an endpoint: there the host's client
/// certificate is the identity). The header goes straight into each request; tonic's interceptor
/// would take each request apart and put it together again around it (issue #18).
#[derive(Clone)]
pub struct Transport {
    upstream: Upstream,
    secret: Option<HeaderValue>,
}

const LAUNCH_SECRET: HeaderName = HeaderName::from_static(meta::LAUNCH_SECRET);

impl tower::Service<http::Request<tonic::body::Body>> for Transport {
    type Response = http::Response<tonic::body::Body>;
    type Error = <Upstream as tower::Service<http::Request<tonic::body::Body>>>::Error;
    type Future = UpstreamFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.upstream.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<tonic::body::Body>) -> Self::Future {
        if let Some(secret) = &self.secret {
            request.headers_mut().insert(LAUNCH_SECRET, secret.clone());
        }
        self.upstream.call(request)
    }
}

/// A client of one running connector process: the generated client for every call (through
/// `Deref`), and the relay client for import pages and export batches, over the same connection.
#[derive(Clone)]
pub struct Client {
    api: ConnectorServiceClient<Transport>,
    /// `GetImportEntries` and `PutExportEntries` without decoding the entries.
    pub relay: RelayClient<Transport>,
}

impl Client {
    pub(super) fn new(upstream: Upstream, secret: Option<HeaderValue>) -> Self {
        let transport = Transport { upstream, secret };
        let api = ConnectorServiceClient::new(transport.clone())
            .max_decoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES);
        Self {
            api,
            relay: RelayClient::new(transport),
        }
    }
}

impl std::ops::Deref for Client {
    type Target = ConnectorServiceClient<Transport>;

    fn deref(&self) -> &Self::Target {
        &self.api
    }
}

impl std::ops::DerefMut for Client {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.api
    }
}

/// What forwarding needs of a ready connector.
#[derive(Clone)]
pub struct Ready {
    /// The client.
    pub client: Client,
    /// Which launch this is; sessions of an older generation died with their process.
    pub generation: u64,
    /// Its handshake.
    pub handshake: HandshakeResponse,
    /// Whether the hop is a Unix socket or TLS (secure for passwords).
    pub secure_hop: bool,
}

#[derive(Default)]
pub(super) struct Live {
    pub(super) state: i32,
    pub(super) ready: Option<Ready>,
    pub(super) pid: u32,
    pub(super) restarts: u32,
    pub(super) last_error: String,
    pub(super) open_sessions: u32,
}

/// Shared view of one connector.
pub struct ConnectorHandle {
    /// The configured name.
    pub name: Arc<str>,
    /// Its configuration.
    pub config: ConnectorConfig,
    pub(super) live: RwLock<Live>,
    /// Keeps a run whose ConcurrentOperation is false apart from the connector's other runs.
    pub(super) gate: RunGate,
    /// Asks the supervisor to kill and restart the process of generation [`Self::kill_for`].
    pub(super) kill_request: Notify,
    /// The generation a kill was asked for (0: none). A request for an older generation, such
    /// as a second one for a process already killed, must not kill its healthy successor.
    pub(super) kill_for: AtomicU64,
    /// Signals a state change (for tests and waiters).
    pub changed: Notify,
}

impl ConnectorHandle {
    pub(super) fn new(config: ConnectorConfig) -> Self {
        Self {
            name: config.name.as_str().into(),
            config,
            live: RwLock::new(Live {
                state: ConnectorState::Starting as i32,
                ..Default::default()
            }),
            gate: RunGate::new(),
            kill_request: Notify::new(),
            kill_for: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }

    /// The state.
    pub fn state(&self) -> ConnectorState {
        ConnectorState::try_from(self.live.read().expect("live lock").state).unwrap_or_default()
    }

    /// The ready connection, or why there is none.
    pub fn ready(&self) -> Result<Ready, (ConnectorState, String)> {
        let live = self.live.read().expect("live lock");
        match &live.ready {
            Some(r) if live.state == ConnectorState::Ready as i32 => Ok(r.clone()),
            _ => Err((
                ConnectorState::try_from(live.state).unwrap_or_default(),
                live.last_error.clone(),
            )),
        }
    }

    /// Whether the connector is ready on the connection of launch `generation`: [`Self::ready`]
    /// without cloning the handshake and clients, for the check every session call makes.
    pub fn is_ready_at(&self, generation: u64) -> bool {
        let live = self.live.read().expect("live lock");
        live.state == ConnectorState::Ready as i32 && live.ready.as_ref().is_some_and(|r| r.generation == generation)
    }

    /// Whether this is an endpoint (a remote connector the host dials, not a process it launched).
    pub fn is_remote(&self) -> bool {
        self.config.endpoint_address.is_some()
    }

    /// Whether the handshake announced `interface`.
    pub fn implements(ready: &Ready, interface: Ecma2Interface) -> bool {
        ready.handshake.interfaces.contains(&(interface as i32))
    }

    /// Adjusts the open-session count shown in status by `delta` sessions of launch
    /// `generation`. Sessions of an earlier launch died with it and count no more.
    pub fn add_sessions(&self, generation: u64, delta: i32) {
        let mut live = self.live.write().expect("live lock");
        if live.ready.as_ref().is_some_and(|r| r.generation == generation) {
            live.open_sessions = live.open_sessions.saturating_add_signed(delta);
        }
    }

    /// Records an error about this connector, shown in its status.
    pub fn record_error(&self, error: &str) {
        self.set_error(error);
    }

    /// Asks the supervisor to kill the process (it will be restarted); for an endpoint, to drop
    /// the connection and dial again. Either way the sessions of the current generation are lost.
    /// Only the process (or connection) of `generation` is killed: if it is already gone, so is
    /// the request.
    pub fn kill_and_restart(&self, generation: u64, why: &str) {
        if self.generation() != Some(generation) {
            debug!(connector = %self.name, generation, reason = why, "kill request for a launch already gone");
            return;
        }
        if self.is_remote() {
            warn!(connector = %self.name, reason = why, "dropping the connection to the remote connector");
        } else {
            warn!(connector = %self.name, reason = why, "killing connector process");
        }
        self.set_error(why);
        self.kill_for.store(generation, Ordering::SeqCst);
        self.kill_request.notify_one();
    }

    /// Completes when a kill of launch `generation` was asked for; stale requests are ignored.
    pub(super) async fn kill_requested(&self, generation: u64) {
        loop {
            let notified = self.kill_request.notified();
            if self.kill_for.load(Ordering::SeqCst) == generation {
                return;
            }
            notified.await;
        }
    }

    /// The generation of the current connection, if the connector is ready.
    pub fn generation(&self) -> Option<u64> {
        self.ready().ok().map(|r| r.generation)
    }

    /// The status message for the host service.
    pub fn status(&self) -> ConnectorStatus {
        let live = self.live.read().expect("live lock");
        ConnectorStatus {
            name: self.name.to_string(),
            state: live.state,
            transport: match (&self.config.endpoint_address, &self.config.client_tls) {
                (Some(_), Some(_)) => ConnectorTransport::RemoteTls,
                // An endpoint without TLS is on loopback (config validation); the proto has no
                // value for "remote, plain", so it reads as the local hop it is.
                (Some(Address::Unix(_)), None) => ConnectorTransport::Unix,
                (Some(_), None) => ConnectorTransport::Tcp,
                (None, _) => match self.config.transport {
                    HopTransport::Unix => ConnectorTransport::Unix,
                    HopTransport::Tcp => ConnectorTransport::Tcp,
                },
            } as i32,
            handshake: live.ready.as_ref().map(|r| r.handshake.clone()),
            pid: live.pid,
            restarts: live.restarts,
            open_sessions: live.open_sessions,
            last_error: live.last_error.clone(),
        }
    }

    pub(super) fn set_state(&self, state: ConnectorState) {
        {
            let mut live = self.live.write().expect("live lock");
            live.state = state as i32;
            if state != ConnectorState::Ready {
                live.ready = None;
                live.open_sessions = 0;
            }
            if matches!(
                state,
                ConnectorState::Restarting | ConnectorState::Failed | ConnectorState::Stopped
            ) {
                live.pid = 0;
            }
        }
        self.changed.notify_waiters();
    }

    pub(super) fn set_error(&self, error: &str) {
        self.live.write().expect("live lock").last_error = error.to_owned();
    }
}
