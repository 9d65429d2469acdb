//! Export batches from an engine to a connector: frame by frame over a bounded channel (the host
//! never holds a batch), entries left encoded, every frame counted against the batch size, and
//! the session closed with TerminatedByUser when the engine walks away or the connector outlives
//! its deadline. Import pages are in `page`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ecma2_proto::pb::*;
use futures_util::{Stream, StreamExt};
use prost::Message;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::{info, warn};

use super::{EngineService, engine_of};
use crate::metrics::Metrics;
use crate::relay::{RelayExportFrame, RelayExportKind};
use crate::sessions::{Kind, Session};
use crate::status;

/// How many frames may wait between the engine and a connector on one export stream: enough to
/// fill a 32 KiB write (with 4, the relay task and tonic's encoder took turns every few
/// entries)...
const FRAME_BUFFER: usize = 64;

/// ...but never more than 4 MiB of large frames, so that 1 MiB fragments do not multiply host
/// memory.
const BATCH_BUFFER_KIB: u32 = 4 * 1024;

/// Frames below this size take no share of the batch buffer: [`FRAME_BUFFER`] of them hold at
/// most 4 MiB anyway, and an ordinary entry then costs no semaphore round trip.
const SMALL_FRAME: usize = 64 * 1024;

impl EngineService {
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
        let budget = Arc::new(Semaphore::new(BATCH_BUFFER_KIB as usize));
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
                            let kib = (len / 1024).min(BATCH_BUFFER_KIB as usize) as u32;
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
pub(super) fn session_closed(session: &Session, call: &str) -> Status {
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

/// Entries relayed by one batch, added to the connector's counter on drop (however the call
/// ends): one counter update per call instead of a name lookup per entry.
struct Counted<'a> {
    n: u64,
    metrics: &'a Metrics,
    connector: &'a str,
}

impl<'a> Counted<'a> {
    fn exported(metrics: &'a Metrics, connector: &'a str) -> Self {
        Self {
            n: 0,
            metrics,
            connector,
        }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        if self.n > 0 {
            self.metrics.exported(self.connector, self.n);
        }
    }
}
