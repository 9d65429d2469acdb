//! Import pages and export batches between an engine and a connector: frame by frame over
//! bounded channels (the host never holds a page), entries left encoded, every frame counted
//! against the page or batch size, and the session closed with TerminatedByUser when the engine
//! walks away or the connector outlives its deadline.

use std::sync::Arc;
use std::time::Duration;

use ecma2_proto::pb::*;
use futures_util::{Stream, StreamExt};
use prost::Message;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use tracing::{Instrument, debug, info, info_span, warn};

use super::{EngineService, engine_of};
use crate::metrics::Metrics;
use crate::relay::{RelayExportFrame, RelayExportKind, RelayFrame, RelayKind, RelayStream};
use crate::sessions::{Kind, Session};
use crate::status;

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

impl EngineService {
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
                let outcome = pump_page(&session, inner, &tx, &buffer, &service.metrics).await;
                let fault = match &outcome {
                    Pump::Failed(status) => Fault::from_status(status).map(|f| f.fault_kind()),
                    _ => None,
                };
                service
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
        let metrics = self.metrics.clone();
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
