//! Import pages and export batches between an engine and a connector: frame by frame over
//! bounded channels (the host never holds a page), entries left encoded, every frame counted
//! against the page or batch size, and the session closed with TerminatedByUser when the engine
//! walks away or the connector outlives its deadline.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ecma2_proto::pb::*;
use futures_util::{Stream, StreamExt};
use prost::Message;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{Instrument, debug, info, info_span, warn};

use super::{EngineService, engine_of};
use crate::metrics::Metrics;
use crate::relay::{RelayExportFrame, RelayExportKind, RelayFrame, RelayKind, RelayStream};
use crate::sessions::{Kind, Session};
use crate::status;

/// How many frames may wait between the engine and a connector on one export stream: as for a
/// page, enough to fill a write (with 4, the relay task and tonic's encoder took turns every few
/// entries); large frames also take a share of a 4 MiB budget.
const FRAME_BUFFER: usize = 64;

/// How many frames of an import page may wait for the engine: enough for tonic to fill a whole
/// 32 KiB write with ordinary entries. With 4, tonic flushed every few entries and the engine
/// and the host woke twice as often (docs/benchmarks.md)...
const PAGE_FRAMES: usize = 64;

/// ...but never more than 4 MiB of large frames, so that 1 MiB fragments do not multiply host
/// memory.
const PAGE_BUFFER_KIB: u32 = 4 * 1024;

/// Frames below this size take no share of the page buffer: [`PAGE_FRAMES`] of them hold at most
/// 4 MiB anyway, and an ordinary entry then costs no semaphore round trip.
const SMALL_FRAME: usize = 64 * 1024;

/// A frame on its way to the engine, holding its share of the page buffer until it is sent.
type Queued = (Result<RelayFrame, Status>, Option<OwnedSemaphorePermit>);

impl EngineService {
    /// Forwards one import page, frame by frame, with the entries left encoded.
    pub(crate) async fn relay_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> Result<Response<RelayStream>, Status> {
        const CALL: &str = "GetImportEntries";
        let engine = engine_of(&request);
        let named = self.connector(&request)?;
        let batches = super::batches::engine_accepts(request.metadata());
        let inner = request.into_inner();
        let started = Instant::now();
        let session = self.session(&named, &inner.session_id, Kind::Import, CALL)?;
        let in_flight = session.begin(engine);
        let (tx, rx) = mpsc::channel::<Queued>(PAGE_FRAMES);
        let buffer = Arc::new(Semaphore::new(PAGE_BUFFER_KIB as usize));
        // How the page failed, read by the engine's stream before its next frame. Never queued
        // behind the frames: an engine that stopped reading must not hold the pump (and with it
        // the session's Close) on a full channel.
        let failure = Arc::new(Mutex::new(None::<Status>));
        let session_id = session.id.clone();
        let service = self.clone();
        let span = info_span!("call", connector = %session.connector.name, call = CALL, session_id = %session.id);
        let failed = failure.clone();
        tokio::spawn(
            async move {
                let _in_flight = in_flight;
                let outcome = pump_page(&session, inner, batches, &tx, &buffer, &service.metrics).await;
                let fault = match &outcome {
                    Pump::Failed(status) => Fault::from_status(status).map(|f| f.fault_kind()),
                    _ => None,
                };
                service
                    .metrics
                    .record_call(&session.connector.name, CALL, started.elapsed(), fault);
                let status = match outcome {
                    Pump::Done => None,
                    Pump::Failed(status) => Some(status),
                    Pump::EngineGone => {
                        info!("engine cancelled the page; closing the session");
                        service.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                        None
                    }
                    Pump::TimedOut(limit) => {
                        service.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                        Some(Status::deadline_exceeded(format!(
                            "connector {} did not finish {CALL} within its deadline of {limit:?}",
                            session.connector.name
                        )))
                    }
                    Pump::SessionClosed => Some(session_closed(&session, CALL)),
                };
                if let Some(status) = status {
                    *failed.lock().expect("failure lock") = Some(status);
                }
                // Dropping the sender wakes an engine waiting on an empty channel.
                drop(tx);
            }
            .instrument(span),
        );
        // The response goes back at once, before the connector's first frame: an engine that
        // walks away from a page it has the headers of must find its session closed, and
        // headers held back until the first frame (one write fewer per call) left a fast page
        // fully queued before the engine could cancel it (docs/benchmarks.md, issue #18). An
        // engine that drops the page before its end closes the session (see `Page`).
        let page = Page {
            rx: Some(rx),
            failure,
            abandoned: Some((self.clone(), session_id)),
        };
        Ok(Response::new(Box::pin(page)))
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
        let named = self.connector(&request)?;
        let mut incoming = request.into_inner();
        let first = incoming
            .next()
            .await
            .transpose()?
            .ok_or_else(|| Status::invalid_argument("empty PutExportEntries stream: no session_id"))?;
        let session = self.session(&named, &first.session_id, Kind::Export, CALL)?;
        let _in_flight = session.begin(engine);
        let guard = CloseOnDrop {
            service: self.clone(),
            session: Some(session.id.clone()),
        };
        let limit = session.page_size.max(0) as usize;
        let metrics = self.metrics.clone();
        let name = session.connector.name.clone();
        let connector = name.clone();
        let session_id = session.id.clone();
        // Frames flow engine → host → connector as they arrive; the host counts entries only.
        let (tx, rx) = mpsc::channel::<(RelayExportFrame, Option<OwnedSemaphorePermit>)>(FRAME_BUFFER);
        let budget = Arc::new(Semaphore::new(PAGE_BUFFER_KIB as usize));
        let (error_tx, mut error_rx) = mpsc::channel::<Status>(1);
        let progress = Arc::new(ExportProgress::default());
        let answered = CancellationToken::new();
        let relay = tokio::spawn({
            let progress = progress.clone();
            let answered = answered.clone();
            async move {
                let mut counted = Counted::exported(&metrics, &connector);
                let mut open_fragment = false;
                let mut forwarding = true;
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
                            return;
                        }
                    };
                    let complete = match &frame.frame {
                        Some(RelayExportKind::Entry(_)) => !open_fragment,
                        Some(RelayExportKind::EntryFragment(f)) => {
                            open_fragment = !f.last;
                            f.last
                        }
                        None => false,
                    };
                    if matches!(frame.frame, Some(RelayExportKind::Entry(_))) && open_fragment {
                        let _ = error_tx
                            .send(Status::invalid_argument(format!(
                                "{CALL} of session {session_id} (connector {connector}): an entry arrived \
                                 before the previous entry's last fragment"
                            )))
                            .await;
                        return;
                    }
                    if complete && progress.seen.fetch_add(1, Ordering::SeqCst) + 1 > limit {
                        let _ = error_tx
                            .send(Status::invalid_argument(format!(
                                "batch holds more than the session's batch size of {limit} entries"
                            )))
                            .await;
                        return;
                    }
                    if !forwarding {
                        continue; // the connector has answered: only counting what the engine sends
                    }
                    let len = frame.encoded_len();
                    let send = async {
                        let share = if len < SMALL_FRAME {
                            None
                        } else {
                            let kib = (len / 1024).min(PAGE_BUFFER_KIB as usize) as u32;
                            budget.clone().acquire_many_owned(kib).await.ok()
                        };
                        tx.send((frame, share)).await
                    };
                    tokio::select! {
                        biased;
                        sent = send => forwarding = sent.is_ok(),
                        _ = answered.cancelled() => forwarding = false,
                    }
                    if forwarding && complete {
                        progress.relayed.fetch_add(1, Ordering::SeqCst);
                        counted.n += 1;
                    }
                }
                if open_fragment {
                    let _ = error_tx
                        .send(Status::invalid_argument(format!(
                            "{CALL} of session {session_id} (connector {connector}): the batch ended \
                             inside an entry's fragments (no fragment with last = true)"
                        )))
                        .await;
                    return;
                }
                if forwarding {
                    // Set before the sender drops: the connector cannot have seen the batch's end
                    // before this.
                    progress.delivered.store(true, Ordering::SeqCst);
                }
                drop(counted);
                drop(tx);
            }
        });
        let mut client = session.client.relay.clone();
        // A large frame's share of the budget is released as tonic takes it for encoding.
        let upstream = client.put_export_entries(ReceiverStream::new(rx).map(|(frame, _share)| frame));
        let deadline = session.connector.config.limits.call_deadline;
        let started = Instant::now();
        let result = tokio::select! {
            r = tokio::time::timeout(deadline, upstream) => r,
            Some(status) = error_rx.recv() => {
                relay.abort();
                guard.disarm();
                return Err(status);
            }
            _ = session.cancel.cancelled() => {
                relay.abort();
                guard.disarm();
                return Err(session_closed(&session, CALL));
            }
        };
        match result {
            Ok(Ok(response)) if progress.delivered.load(Ordering::SeqCst) => {
                relay.abort();
                guard.disarm();
                Ok(Response::new(response))
            }
            Ok(Ok(response)) => {
                // The connector answered before the end of the batch reached it: whatever it says
                // about the entries it never read would be taken as their export. Let the engine's
                // stream finish (within the deadline) to name the batch's size.
                answered.cancel();
                let left = deadline.saturating_sub(started.elapsed());
                let finished = tokio::time::timeout(left, relay).await.is_ok();
                guard.disarm();
                if let Ok(status) = error_rx.try_recv() {
                    return Err(status);
                }
                let relayed = progress.relayed.load(Ordering::SeqCst);
                let seen = progress.seen.load(Ordering::SeqCst);
                let results = response.results.map(|r| r.cs_entry_change_results.len()).unwrap_or(0);
                let batch = if finished {
                    format!("the batch's {seen} entries")
                } else {
                    format!("the {seen} entries the engine had sent so far")
                };
                warn!(
                    relayed,
                    seen, results, "connector answered an export batch before reading it"
                );
                Err(status::host_fault(
                    FaultKind::ExtensibleExtensionException,
                    &name,
                    CALL,
                    format!(
                        "connector {name} answered {CALL} before the end of the batch reached it: {relayed} of \
                         {batch} had been sent to it, and it returned {results} results; the batch is not exported"
                    ),
                ))
            }
            Ok(Err(s)) => {
                relay.abort();
                guard.disarm();
                if let Ok(status) = error_rx.try_recv() {
                    return Err(status);
                }
                Err(status::upstream(&name, CALL, s))
            }
            Err(_) => {
                relay.abort();
                guard.disarm();
                self.close_later(session.id.clone(), CloseReason::TerminatedByUser);
                Err(Status::deadline_exceeded(format!(
                    "connector {name} did not finish {CALL} within its deadline of {deadline:?}"
                )))
            }
        }
    }
}

/// An import page on its way to the engine, frame by frame from the pump. A frame's share of the
/// page buffer is released as tonic takes it for encoding.
struct Page {
    rx: Option<mpsc::Receiver<Queued>>,
    /// How the page failed, checked before each frame (see `relay_import_entries`).
    failure: Arc<Mutex<Option<Status>>>,
    /// Until the engine has taken the results frame (or an error): who closes the session, and
    /// which, when the engine drops the page before that. The pump may have queued every frame
    /// already, so the pump alone cannot tell a cancelled call from a finished one.
    abandoned: Option<(EngineService, String)>,
}

impl Page {
    fn failed(&self) -> Option<Status> {
        self.failure.lock().expect("failure lock").take()
    }

    /// The engine has the page's end (its results frame or its error): nothing to close on drop.
    fn ended(&mut self, item: Option<Result<RelayFrame, Status>>) -> Poll<Option<Result<RelayFrame, Status>>> {
        let end = match &item {
            Some(Ok(frame)) => matches!(frame.frame, Some(RelayKind::Results(_))),
            Some(Err(_)) | None => true,
        };
        if end {
            self.abandoned = None;
        }
        Poll::Ready(item)
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if let Some((service, session_id)) = self.abandoned.take() {
            info!(session_id = %session_id, "engine cancelled the page before its end; closing the session");
            service.close_later(session_id, CloseReason::TerminatedByUser);
        }
    }
}

impl Stream for Page {
    type Item = Result<RelayFrame, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.rx.is_none() {
            return this.ended(None);
        }
        if let Some(status) = this.failed() {
            this.rx = None;
            return this.ended(Some(Err(status)));
        }
        let Some(rx) = this.rx.as_mut() else {
            return this.ended(None);
        };
        match rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some((frame, _share))) => this.ended(Some(frame)),
            Poll::Ready(None) => {
                this.rx = None;
                let failed = this.failed().map(Err);
                this.ended(failed)
            }
        }
    }
}

/// How far an export batch got.
#[derive(Default)]
struct ExportProgress {
    /// Entries the engine sent.
    seen: AtomicUsize,
    /// Entries handed to the connector's stream.
    relayed: AtomicUsize,
    /// The engine's stream ended and every frame went to the connector, end included.
    delivered: AtomicBool,
}

/// The error for a call whose session the host closed under it: by its shutdown, or because the
/// engine (or the idle timeout) closed it meanwhile.
fn session_closed(session: &Session, call: &str) -> Status {
    let name = &session.connector.name;
    match session.closed_reason() {
        Some(CloseReason::TerminatedShuttingDown) => status::host_fault(
            FaultKind::DroppedConnectionException,
            name,
            call,
            format!(
                "the host is shutting down: session {} of connector {name} was closed with \
                 TerminatedShuttingDown during {call}",
                session.id
            ),
        ),
        reason => status::host_fault(
            FaultKind::DroppedConnectionException,
            name,
            call,
            format!(
                "session {} of connector {name} was closed ({}) during {call}",
                session.id,
                reason.map(|r| r.as_str_name()).unwrap_or("reason unknown")
            ),
        ),
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

/// Entries relayed by one page or batch, added to the connector's counter on drop (however the
/// call ends): one counter update per call instead of a name lookup per entry.
struct Counted<'a> {
    n: u64,
    metrics: &'a Metrics,
    connector: &'a str,
    export: bool,
}

impl<'a> Counted<'a> {
    fn imported(metrics: &'a Metrics, connector: &'a str) -> Self {
        Self {
            n: 0,
            metrics,
            connector,
            export: false,
        }
    }

    fn exported(metrics: &'a Metrics, connector: &'a str) -> Self {
        Self {
            export: true,
            ..Self::imported(metrics, connector)
        }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        match (self.n, self.export) {
            (0, _) => {}
            (n, false) => self.metrics.imported(self.connector, n),
            (n, true) => self.metrics.exported(self.connector, n),
        }
    }
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
    engine_batches: bool,
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
    let mut open_fragment = false;
    let page_size = session.page_size.max(1) as usize;
    // Counted once when the page ends, however it ends: one counter update per page, not a name
    // lookup per entry.
    let mut relayed = Counted::imported(metrics, name);
    // The single-entry frames of a batch split for an engine that did not ask for batches.
    let mut split = std::collections::VecDeque::new();
    loop {
        // Upstream first: while frames are ready, no waiter is registered on the other three.
        let frame = match split.pop_front() {
            Some(frame) => Ok(Some(frame)),
            None => tokio::select! {
                biased;
                f = upstream.message() => f,
                _ = tx.closed() => return Pump::EngineGone,
                _ = &mut deadline => return Pump::TimedOut(limit),
                _ = session.cancel.cancelled() => return Pump::SessionClosed,
            },
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
        if open_fragment
            && matches!(
                frame.frame,
                Some(RelayKind::Entry(_) | RelayKind::Results(_) | RelayKind::EntryBatch(_))
            )
        {
            let what = if matches!(frame.frame, Some(RelayKind::Results(_))) {
                "ended a page"
            } else {
                "sent an entry"
            };
            warn!(entries, "connector left an entry's fragments unfinished");
            return Pump::Failed(status::host_fault(
                FaultKind::ExtensibleExtensionException,
                name,
                CALL,
                format!(
                    "connector {name} {what} of {CALL} while entry {} was unfinished: its fragments \
                     never reached the one with last = true, so the entry would be lost",
                    entries + 1
                ),
            ));
        }
        let mut batch = 0;
        if let Some(RelayKind::EntryBatch(bytes)) = &frame.frame {
            match super::batches::open(bytes, engine_batches) {
                Ok(super::batches::Opened::Forward(n)) => batch = n,
                Ok(super::batches::Opened::Split(frames)) => {
                    split.extend(frames);
                    continue;
                }
                Err(reason) => {
                    warn!(entries, %reason, "connector sent a bad entry batch");
                    return Pump::Failed(status::host_fault(
                        FaultKind::ExtensibleExtensionException,
                        name,
                        CALL,
                        format!("connector {name} {reason} in {CALL} (after {entries} entries of the page)"),
                    ));
                }
            }
        }
        let last = match &frame.frame {
            Some(RelayKind::Entry(_)) => {
                entries += 1;
                false
            }
            Some(RelayKind::EntryBatch(_)) => {
                entries += batch;
                false
            }
            Some(RelayKind::EntryFragment(f)) => {
                open_fragment = !f.last;
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
        relayed.n += (entries - before) as u64;
        let len = frame.encoded_len();
        let send = async {
            let share = if len < SMALL_FRAME {
                None
            } else {
                let kib = (len / 1024).min(PAGE_BUFFER_KIB as usize) as u32;
                buffer.clone().acquire_many_owned(kib).await.ok()
            };
            tx.send((Ok(frame), share)).await
        };
        tokio::select! {
            sent = send => if sent.is_err() { return Pump::EngineGone },
            _ = &mut deadline => return Pump::TimedOut(limit),
        }
        if last {
            debug!(entries, "page forwarded");
            return Pump::Done;
        }
    }
}
