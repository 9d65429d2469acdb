//! Sessions as the host sees them: which connector (and which launch of it) owns a session,
//! whether a call is in flight, when it was last used, and an import or export run's permit
//! from its connector's run gate (ConcurrentOperation). Closing a session cancels its in-flight call first, then calls the
//! connector's Close with the reason, and kills the process if Close outlives the grace period.
//!
//! The session table sits between the engine-facing service (above, `forward`) and the connector
//! handles (below, [`crate::supervisor`]); it never reaches up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecma2_proto::pb::{
    CloseExportConnectionRequest, CloseExportConnectionRunStep, CloseImportConnectionRequest,
    CloseImportConnectionRunStep, ClosePasswordConnectionRequest, CloseReason, Fault, FaultKind,
};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::supervisor::{Client, ConnectorHandle, RunPermit};

/// The kind of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Call-based import.
    Import,
    /// Call-based export.
    Export,
    /// Password management.
    Password,
}

/// One open session.
pub struct Session {
    /// The session id (the connector's).
    pub id: String,
    /// The connector.
    pub connector: Arc<ConnectorHandle>,
    /// The launch of the connector that owns it.
    pub generation: u64,
    /// The client of that launch.
    pub client: Client,
    /// Its kind.
    pub kind: Kind,
    /// The page (or batch) size in force.
    pub page_size: i32,
    /// Cancelled when the session closes; in-flight forwards stop.
    pub cancel: CancellationToken,
    /// For password sessions: the connector reported a secure connection.
    pub secure: AtomicBool,
    in_flight: AtomicUsize,
    last_used: Mutex<Instant>,
    /// The engine connection of the latest call (cancelled when that connection ends).
    engine: Mutex<Option<CancellationToken>>,
    /// Signalled when a call starts or ends.
    activity: Notify,
    /// Why the host closed it (set before its in-flight call is cancelled).
    closed_reason: Mutex<Option<CloseReason>>,
    /// When the call in flight must have ended (an import page: the connector's deadline).
    /// [`Sessions::reap_idle`] closes a session whose call is past it; the page, seeing its
    /// session closed past its deadline, ends with DEADLINE_EXCEEDED.
    due: Mutex<Option<Instant>>,
    /// An import or export run's hold on its connector's run gate, released with the session.
    _permit: Option<RunPermit>,
}

/// Marks a call in flight on a session for as long as it lives.
pub struct InFlight(Arc<Session>);

impl Drop for InFlight {
    fn drop(&mut self) {
        *self.0.due.lock().expect("due lock") = None;
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
        self.0.activity.notify_waiters();
    }
}

impl Session {
    /// A new session record.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        connector: Arc<ConnectorHandle>,
        generation: u64,
        client: Client,
        kind: Kind,
        page_size: i32,
        permit: Option<RunPermit>,
    ) -> Self {
        Self {
            id,
            connector,
            generation,
            client,
            kind,
            page_size,
            cancel: CancellationToken::new(),
            secure: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            last_used: Mutex::new(Instant::now()),
            engine: Mutex::new(None),
            activity: Notify::new(),
            closed_reason: Mutex::new(None),
            due: Mutex::new(None),
            _permit: permit,
        }
    }

    /// Why the session was closed, once it is.
    pub fn closed_reason(&self) -> Option<CloseReason> {
        *self.closed_reason.lock().expect("closed_reason lock")
    }

    /// Records why the session is being closed and stops its in-flight call.
    pub fn cancel_with(&self, reason: CloseReason) {
        self.closed_reason
            .lock()
            .expect("closed_reason lock")
            .get_or_insert(reason);
        self.cancel.cancel();
    }

    fn touch(&self) {
        *self.last_used.lock().expect("last_used lock") = Instant::now();
    }

    /// Starts a call on this session, made over the engine connection `engine` (when known).
    pub fn begin(self: &Arc<Self>, engine: Option<CancellationToken>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        if engine.is_some() {
            *self.engine.lock().expect("engine lock") = engine;
        }
        self.activity.notify_waiters();
        InFlight(self.clone())
    }

    /// Starts a call that must end by `due` (see [`Session::begin`]).
    pub fn begin_until(self: &Arc<Self>, engine: Option<CancellationToken>, due: Instant) -> InFlight {
        *self.due.lock().expect("due lock") = Some(due);
        self.begin(engine)
    }

    fn overdue(&self, now: Instant) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0 && self.due.lock().expect("due lock").is_some_and(|due| due <= now)
    }

    /// Records the engine connection that opened the session.
    pub fn opened_on(&self, engine: Option<CancellationToken>) {
        *self.engine.lock().expect("engine lock") = engine;
    }

    fn engine(&self) -> Option<CancellationToken> {
        self.engine.lock().expect("engine lock").clone()
    }

    /// Completes when the engine connection that used the session last has ended and no call is
    /// in flight: the engine is gone and will not close the session itself. Never completes for a
    /// session whose connection is unknown (not accepted by a tracking listener).
    pub async fn engine_gone(&self) {
        loop {
            let Some(connection) = self.engine() else {
                return std::future::pending().await;
            };
            connection.cancelled().await;
            loop {
                let activity = self.activity.notified();
                tokio::pin!(activity);
                activity.as_mut().enable();
                if !self.engine().is_some_and(|c| c.is_cancelled()) {
                    // A call on a newer connection took the session over.
                    break;
                }
                if self.in_flight.load(Ordering::SeqCst) == 0 {
                    return;
                }
                activity.await;
            }
        }
    }

    fn idle_for(&self) -> Option<Duration> {
        (self.in_flight.load(Ordering::SeqCst) == 0).then(|| self.last_used.lock().expect("last_used lock").elapsed())
    }
}

/// Every open session of the host.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Arc<Session>>>,
    /// Set when the host starts shutting down: no session opens any more, and a call on a
    /// session that is gone learns why.
    shutting_down: AtomicBool,
    /// Sessions taken for closing whose connector Close has not finished, each with a token
    /// cancelled when it has: a second Close (the engine's own, after the host began closing a
    /// session whose call the engine cancelled) and shutdown wait for it instead of racing it.
    closing: Mutex<HashMap<String, CancellationToken>>,
}

impl Sessions {
    /// Registers a session.
    pub fn insert(&self, session: Session) -> Arc<Session> {
        let session = Arc::new(session);
        session.connector.add_sessions(session.generation, 1);
        self.map
            .lock()
            .expect("sessions lock")
            .insert(session.id.clone(), session.clone());
        session
    }

    /// Looks a session up.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.map.lock().expect("sessions lock").get(id).cloned()
    }

    /// Removes a session, returning it if it was open.
    pub fn remove(&self, id: &str) -> Option<Arc<Session>> {
        let removed = self.map.lock().expect("sessions lock").remove(id);
        if let Some(s) = &removed {
            s.connector.add_sessions(s.generation, -1);
        }
        removed
    }

    /// Removes a session for closing; the open-session count drops only when [`Sessions::closed`]
    /// is called, once the connector has answered Close.
    pub fn take(&self, id: &str) -> Option<Arc<Session>> {
        let mut map = self.map.lock().expect("sessions lock");
        let session = map.remove(id)?;
        // Registered before the map lock is released, so whoever finds the session gone also
        // finds its close under way.
        self.closing
            .lock()
            .expect("closing lock")
            .insert(id.to_owned(), CancellationToken::new());
        Some(session)
    }

    /// Marks a session taken with [`Sessions::take`] as closed.
    pub fn closed(&self, session: &Session) {
        session.connector.add_sessions(session.generation, -1);
        if let Some(done) = self.closing.lock().expect("closing lock").remove(&session.id) {
            done.cancel();
        }
    }

    /// Waits until a close of `id` already under way has finished (at once when none is).
    pub async fn settled(&self, id: &str) {
        let pending = self.closing.lock().expect("closing lock").get(id).cloned();
        if let Some(done) = pending {
            done.cancelled().await;
        }
    }

    /// Waits until every close under way has finished.
    pub async fn all_settled(&self) {
        let pending: Vec<CancellationToken> = self.closing.lock().expect("closing lock").values().cloned().collect();
        for done in pending {
            done.cancelled().await;
        }
    }

    /// Closes session `id` with `reason`: cancels its in-flight call, then calls the connector's
    /// Close within the grace period. Unknown or already closed sessions succeed.
    pub async fn close(&self, id: &str, reason: CloseReason) -> Result<(), Fault> {
        let Some(session) = self.take(id) else {
            self.settled(id).await;
            return Ok(());
        };
        session.cancel_with(reason);
        let alive = session
            .connector
            .ready()
            .map(|r| r.generation == session.generation)
            .unwrap_or(false);
        let outcome = if alive {
            close_upstream(
                &session.connector,
                session.generation,
                &session.client,
                session.kind,
                id,
                reason,
            )
            .await
        } else {
            Ok(())
        };
        self.closed(&session);
        outcome
    }

    /// Every half second until `stop`, closes the sessions whose call in flight is past its
    /// deadline (TerminatedByUser), and those idle past their connector's timeout
    /// (TerminatedByUser; Normal for password sessions, which have no run to end). The overdue
    /// ones are closed each in a task of its own: their calls end as soon as their sessions are
    /// cancelled, whatever a hung connector's Close of another session waits for.
    pub async fn reap_idle(self: &Arc<Self>, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stop.cancelled() => return,
            }
            for id in self.overdue() {
                info!(session_id = %id, "a call outlived its deadline; closing the session");
                let sessions = self.clone();
                tokio::spawn(async move { sessions.close(&id, CloseReason::TerminatedByUser).await });
            }
            for id in self.idle() {
                info!(session_id = %id, "session idle past its timeout; closing it");
                let reason = match self.get(&id).map(|s| s.kind) {
                    Some(Kind::Password) => CloseReason::Normal,
                    _ => CloseReason::TerminatedByUser,
                };
                let _ = self.close(&id, reason).await;
            }
        }
    }

    /// Open sessions per connector name, counting only those of the connector's current
    /// connection (sessions of a crashed or disconnected generation are lost, not open).
    pub fn open_per_connector(&self) -> HashMap<String, u64> {
        let mut open = HashMap::new();
        for s in self.map.lock().expect("sessions lock").values() {
            if s.connector.generation() == Some(s.generation) {
                *open.entry(s.connector.name.to_string()).or_default() += 1;
            }
        }
        open
    }

    /// Starts the host's shutdown: refuses new sessions; returns the ids of the open ones.
    pub fn shut_down(&self) -> Vec<String> {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.ids()
    }

    /// Whether the host is shutting down.
    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Ids of every open session.
    pub fn ids(&self) -> Vec<String> {
        self.map.lock().expect("sessions lock").keys().cloned().collect()
    }

    /// Ids of sessions whose call in flight is past its deadline.
    pub fn overdue(&self) -> Vec<String> {
        let now = Instant::now();
        self.map
            .lock()
            .expect("sessions lock")
            .values()
            .filter(|s| s.overdue(now))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Ids of sessions with no call in flight for longer than their connector's idle timeout.
    pub fn idle(&self) -> Vec<String> {
        self.map
            .lock()
            .expect("sessions lock")
            .values()
            .filter(|s| {
                s.idle_for()
                    .is_some_and(|d| d > s.connector.config.limits.session_idle_timeout)
            })
            .map(|s| s.id.clone())
            .collect()
    }
}

/// Calls the connector's Close for `kind` on session `id`, within the grace period. Past the
/// grace period the process is killed (and restarted by its supervisor).
pub async fn close_upstream(
    connector: &ConnectorHandle,
    generation: u64,
    client: &Client,
    kind: Kind,
    id: &str,
    reason: CloseReason,
) -> Result<(), Fault> {
    let grace = connector.config.limits.close_grace;
    let mut client = client.clone();
    let id = id.to_owned();
    let call = async {
        match kind {
            Kind::Import => client
                .close_import_connection(CloseImportConnectionRequest {
                    session_id: id.clone(),
                    import_run_step: Some(CloseImportConnectionRunStep {
                        reason: reason as i32,
                        ..Default::default()
                    }),
                })
                .await
                .map(drop),
            Kind::Export => client
                .close_export_connection(CloseExportConnectionRequest {
                    session_id: id.clone(),
                    export_run_step: Some(CloseExportConnectionRunStep { reason: reason as i32 }),
                })
                .await
                .map(drop),
            Kind::Password => client
                .close_password_connection(ClosePasswordConnectionRequest { session_id: id.clone() })
                .await
                .map(drop),
        }
    };
    match tokio::time::timeout(grace, call).await {
        Ok(Ok(())) => {
            info!(connector = %connector.name, session_id = %id, reason = ?reason, "session closed");
            Ok(())
        }
        Ok(Err(status)) => {
            warn!(connector = %connector.name, session_id = %id, error = %status.message(), "close failed");
            connector.record_error(&format!("Close of session {id} failed: {}", status.message()));
            Err(Fault::from_status(&status)
                .unwrap_or_else(|| Fault::new(FaultKind::DroppedConnectionException, status.message().to_owned())))
        }
        Err(_) => {
            let why = format!("session {id} did not close within the grace period of {grace:?}");
            connector.kill_and_restart(generation, &why);
            Err(Fault::new(
                FaultKind::DroppedConnectionException,
                format!("{why}; the connector was killed and is restarting"),
            ))
        }
    }
}
