//! A listener that holds up under a local process that misbehaves: [`accept`] accepts with a
//! backoff when accepting fails (out of file descriptors: `EMFILE`/`ENFILE`), logging the error
//! instead of spinning; caps the connections open at once ([`ConnectionLimits::max_connections`]),
//! answering calls over the cap with `RESOURCE_EXHAUSTED`; and closes a connection that makes no
//! authenticated call within [`ConnectionLimits::auth_timeout`] or has no call in flight for
//! [`ConnectionLimits::idle_timeout`].
//!
//! A connection's calls are counted by [`CallTracking`], a tower layer the server must carry
//! (it sees each request's [`ConnectionInfo`]); whoever checks credentials calls
//! [`ConnectionInfo::authenticated`]. The timers live in the socket wrapper ([`Tracked`]): when
//! one runs out, the socket reads as closed and the HTTP/2 connection over it ends.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::{Instant, Sleep};
use tracing::{info, warn};

use crate::{ConnectionInfo, Io, Listener, Tracked};

/// How many connections over the cap are kept just long enough to answer `RESOURCE_EXHAUSTED`;
/// more than that are closed as soon as they are accepted.
const REFUSING: usize = 16;
/// How long a connection over the cap may stay to read its answer.
const REFUSED_LINGER: Duration = Duration::from_secs(2);
/// The first and the longest pause after a failed accept.
const BACKOFF_MIN: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// At most one log line per this interval while accepting keeps failing, or connections keep
/// being refused.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The limits of a listener's connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Who connects, for messages: `engine`. Config keys are named `<name>.<field>`.
    pub name: &'static str,
    /// A connection with no call in flight for this long is closed.
    pub idle_timeout: Duration,
    /// A connection that has made no authenticated call this long after it was accepted is
    /// closed (None: no authentication on this listener).
    pub auth_timeout: Option<Duration>,
    /// At most this many connections at once.
    pub max_connections: usize,
}

/// What a connection does, shared by its socket, its requests and [`ConnectionInfo`].
#[derive(Debug)]
pub(crate) struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
    authenticated: AtomicBool,
    /// Set for a connection over the cap: the message its calls get.
    refused: Option<String>,
}

impl Activity {
    pub(crate) fn new(refused: Option<String>) -> Self {
        Self {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            authenticated: AtomicBool::new(false),
            refused,
        }
    }

    pub(crate) fn authenticate(&self) {
        // Every authenticated call lands here: read first, so that only the first one writes.
        if !self.authenticated.load(Ordering::Relaxed) {
            self.authenticated.store(true, Ordering::SeqCst);
        }
    }

    fn begin(self: &Arc<Self>) -> CallGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        CallGuard(self.clone())
    }
}

/// A call in flight on a connection, for as long as it lives (until its response body ends).
struct CallGuard(Arc<Activity>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        *self.0.idle_since.lock().expect("idle_since lock") = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The timers of one accepted connection (kept in its [`Tracked`] socket).
#[derive(Debug)]
pub(crate) struct Watch {
    limits: Arc<ConnectionLimits>,
    accepted: Instant,
    peer: String,
    sleep: Pin<Box<Sleep>>,
    /// The waker the timer holds since it was last set: until the timer fires or the connection
    /// is read from another task, a read need not poll it again.
    armed: Option<Waker>,
    expired: bool,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Watch {
    /// Whether the connection ran out of time already.
    pub(crate) fn is_expired(&self) -> bool {
        self.expired
    }

    /// Whether the connection has run out of time (it then reads as closed). The timer is
    /// looked at only when it runs out: then it is set again for the next moment the connection
    /// could be out of time, so a call starting or ending costs the connection nothing (no waker
    /// stored per read, no wake-up and no timer change per call: issue #18). Once the timer holds
    /// this task's waker it is not polled again until it has fired (a poll of the timer on every
    /// read that found nothing cost about 250 instructions per one-object page, issue #18).
    pub(crate) fn expired(&mut self, activity: &Activity, cx: &mut Context<'_>) -> bool {
        if self.expired {
            return true;
        }
        if let Some(waker) = &self.armed
            && waker.will_wake(cx.waker())
            && !self.sleep.is_elapsed()
        {
            return false;
        }
        loop {
            if self.sleep.as_mut().poll(cx).is_pending() {
                self.armed = Some(cx.waker().clone());
                return false;
            }
            self.armed = None;
            match self.next_look(activity, Instant::now()) {
                Ok(next) => self.sleep.as_mut().reset(next),
                Err(why) => {
                    self.expired = true;
                    self.log_expiry(why);
                    return true;
                }
            }
        }
    }

    /// When to look at the connection again (its earliest deadline, or one idle timeout from
    /// `now` while calls are in flight), or why it is out of time at `now`.
    fn next_look(&self, activity: &Activity, now: Instant) -> Result<Instant, &'static str> {
        let limits = &self.limits;
        if activity.refused.is_some() {
            let deadline = self.accepted + REFUSED_LINGER;
            return if now >= deadline {
                Err("over the connection cap")
            } else {
                Ok(deadline)
            };
        }
        let mut next = now + limits.idle_timeout;
        if let (Some(auth), false) = (limits.auth_timeout, activity.authenticated.load(Ordering::SeqCst)) {
            let deadline = self.accepted + auth;
            if now >= deadline {
                return Err("no authenticated call");
            }
            next = next.min(deadline);
        }
        if activity.in_flight.load(Ordering::SeqCst) == 0 {
            let deadline = *activity.idle_since.lock().expect("idle_since lock") + limits.idle_timeout;
            if now >= deadline {
                return Err("idle");
            }
            next = next.min(deadline);
        }
        Ok(next)
    }

    fn log_expiry(&self, why: &str) {
        let limits = &self.limits;
        let name = limits.name;
        match why {
            "idle" => info!(
                peer = %self.peer,
                idle = ?limits.idle_timeout,
                "closing an idle {name} connection (no call for {name}.idle_timeout)"
            ),
            "no authenticated call" => warn!(
                peer = %self.peer,
                auth_timeout = ?limits.auth_timeout.unwrap_or_default(),
                "closing an {name} connection that made no authenticated call within {name}.auth_timeout"
            ),
            _ => {}
        }
    }
}

/// Whether an accept error concerns only the one connection (the next accept may well work).
fn per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted
    )
}

/// Accepts connections on `listener` under `limits`, until the receiver is dropped. Accept
/// errors pause the loop (10 ms, doubling to 1 s) and are logged (the first, then at most every
/// 10 s, and the recovery).
pub(crate) fn accept(listener: Listener, limits: ConnectionLimits) -> mpsc::Receiver<io::Result<Tracked<Box<dyn Io>>>> {
    let (tx, rx) = mpsc::channel(1);
    let limits = Arc::new(limits);
    tokio::spawn(async move {
        let open = Arc::new(Semaphore::new(limits.max_connections));
        let refusing = Arc::new(Semaphore::new(REFUSING));
        let name = limits.name;
        let address = listener.local_address();
        let mut backoff = BACKOFF_MIN;
        let mut failures = 0u64;
        let mut failure_logged: Option<Instant> = None;
        let mut refused = 0u64;
        let mut refusal_logged: Option<Instant> = None;
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = tx.closed() => return,
            };
            let (io, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(e) if per_connection(&e) => continue,
                Err(e) => {
                    failures += 1;
                    if failure_logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
                        warn!(
                            address = %address,
                            error = %e,
                            failures,
                            retry_in = ?backoff,
                            "cannot accept {name} connections (out of file descriptors?); retrying with backoff"
                        );
                        failure_logged = Some(Instant::now());
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = tx.closed() => return,
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            };
            if failures > 0 {
                info!(address = %address, failures, "accepting {name} connections again");
                failures = 0;
                failure_logged = None;
                backoff = BACKOFF_MIN;
            }
            let (permit, refusal) = match open.clone().try_acquire_owned() {
                Ok(permit) => (Some(permit), None),
                Err(_) => {
                    refused += 1;
                    if refusal_logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
                        warn!(
                            address = %address,
                            peer = %peer,
                            max_connections = limits.max_connections,
                            refused,
                            "refusing an {name} connection: {} are open ({name}.max_connections)",
                            limits.max_connections
                        );
                        refusal_logged = Some(Instant::now());
                    }
                    match refusing.clone().try_acquire_owned() {
                        Ok(permit) => (
                            Some(permit),
                            Some(format!(
                                "the host has {} {name} connections open, its limit ({name}.max_connections); try again later",
                                limits.max_connections
                            )),
                        ),
                        // Too many refusals in progress: close it at once.
                        Err(_) => continue,
                    }
                }
            };
            let watch = Watch {
                limits: limits.clone(),
                accepted: Instant::now(),
                peer,
                sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
                armed: None,
                expired: false,
                _permit: permit,
            };
            if tx.send(Ok(Tracked::watched(io, watch, refusal))).await.is_err() {
                return;
            }
        }
    });
    rx
}

/// A tower layer counting each connection's calls in flight (from the request to the end of its
/// response body), for [`ConnectionLimits::idle_timeout`], and answering the calls of a
/// connection over the cap with `RESOURCE_EXHAUSTED`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallTracking;

impl<S> tower::Layer<S> for CallTracking {
    type Service = Tracking<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Tracking { inner }
    }
}

/// The service of [`CallTracking`].
#[derive(Debug, Clone)]
pub struct Tracking<S> {
    inner: S,
}

pin_project_lite::pin_project! {
    /// The future of [`Tracking`]: the inner call's, its response body then guarded.
    pub struct TrackingFuture<F> {
        #[pin]
        state: TrackingState<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = TrackingProj]
    enum TrackingState<F> {
        Call { #[pin] call: F, guard: Option<CallGuard> },
        Refused { response: Option<http::Response<tonic::body::Body>> },
    }
}

impl<F, R, E> Future for TrackingFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
    R: http_body::Body<Data = Bytes> + Send + 'static,
    R::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Output = Result<http::Response<tonic::body::Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            TrackingProj::Call { call, guard } => {
                let response = std::task::ready!(call.poll(cx))?;
                let guard = guard.take();
                // One box around the body and its guard (boxing the body first, then the two,
                // was an allocation and a layer of dynamic calls per frame more, issue #18).
                Poll::Ready(Ok(
                    response.map(|body| tonic::body::Body::new(GuardedBody { body, _guard: guard }))
                ))
            }
            TrackingProj::Refused { response } => Poll::Ready(Ok(response
                .take()
                .expect("a refused call's future polled after its end"))),
        }
    }
}

impl<S, B, R> tower::Service<http::Request<B>> for Tracking<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    R: http_body::Body<Data = Bytes> + Send + 'static,
    R::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Pin<Box<TrackingFuture<S::Future>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let activity = ConnectionInfo::in_extensions(request.extensions()).map(|info| info.activity());
        if let Some(message) = activity.and_then(|a| a.refused.clone()) {
            let response = tonic::Status::resource_exhausted(message).into_http();
            return Box::pin(TrackingFuture {
                state: TrackingState::Refused {
                    response: Some(response),
                },
            });
        }
        let guard = activity.map(|a| a.begin());
        // Boxed: hyper moves each call's future into a task of its own (and over it again as
        // the task ends), and the router's future inline made every one of those copies larger.
        Box::pin(TrackingFuture {
            state: TrackingState::Call {
                call: self.inner.call(request),
                guard,
            },
        })
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its call counted as in flight until it is dropped.
    struct GuardedBody<R> {
        #[pin]
        body: R,
        _guard: Option<CallGuard>,
    }
}

impl<R: http_body::Body> http_body::Body for GuardedBody<R> {
    type Data = R::Data;
    type Error = R::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<R::Data>, R::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
