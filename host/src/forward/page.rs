//! One import page from a connector to an engine, driven by the engine's response body: each
//! time the engine's side asks for the next frame, [`Page`] reads it from the connector's stream,
//! checks it (its kind, the fragments, the page size) and hands it on, entries left encoded. No
//! task and no channel between the two streams (a pump task and its queue cost a task switch
//! and a channel hand-off per frame, issue #18), and nothing buffered in the host beyond what
//! the two HTTP/2 connections hold. The session is closed with TerminatedByUser when the engine
//! walks away before the page's end or the connector outlives its deadline (an engine that stops
//! reading also stops the page's own watch of its deadline; the session reaper closes the session
//! then, see `Sessions::reap_idle`).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ecma2_proto::pb::*;
use futures_util::Stream;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::WaitForCancellationFutureOwned;
use tonic::{Request, Response, Status, Streaming};
use tracing::{debug, info, warn};

use super::batches::{self, Opened};
use super::pages::session_closed;
use super::{EngineService, engine_of};
use crate::relay::{RelayFrame, RelayKind, RelayStream};
use crate::sessions::{InFlight, Kind, Session};
use crate::status;

const CALL: &str = "GetImportEntries";

type Opening = Pin<Box<dyn Future<Output = Result<Streaming<RelayFrame>, Status>> + Send>>;

impl EngineService {
    /// Forwards one import page, frame by frame, with the entries left encoded. The response
    /// goes back at once, before the connector's first frame: an engine that walks away from a
    /// page it has the headers of must find its session closed, and headers held back until the
    /// first frame (one write fewer per call) left a fast page fully sent before the engine
    /// could cancel it (docs/benchmarks.md, issue #18).
    pub(crate) async fn relay_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
    ) -> Result<Response<RelayStream>, Status> {
        let engine = engine_of(&request);
        let named = self.connector(&request)?;
        let engine_batches = batches::engine_accepts(request.metadata());
        let inner = request.into_inner();
        let started = Instant::now();
        let session = self.session(&named, &inner.session_id, Kind::Import, CALL)?;
        let limit = session.connector.config.limits.call_deadline;
        let in_flight = session.begin_until(engine, started + limit);
        let mut client = session.client.relay.clone();
        let opening: Opening = Box::pin(async move { client.get_import_entries(inner).await });
        Ok(Response::new(Box::pin(Page {
            upstream: Upstream::Opening(opening),
            deadline: Box::pin(tokio::time::sleep_until(started + limit)),
            closed: Box::pin(session.cancel.clone().cancelled_owned()),
            split: VecDeque::new(),
            entries: 0,
            open_fragment: false,
            page_size: session.page_size.max(1) as usize,
            engine_batches,
            relayed: 0,
            started,
            in_flight: Some(in_flight),
            service: self.clone(),
            session,
        })))
    }
}

/// Where the connector's side of the page is.
// The page is boxed once as a whole; boxing the stream as well would cost an allocation per call.
#[allow(clippy::large_enum_variant)]
enum Upstream {
    /// The call is on its way to the connector.
    Opening(Opening),
    /// The connector's frames.
    Frames(Streaming<RelayFrame>),
    /// The page has ended (its results frame or an error went to the engine).
    Ended,
}

/// An import page on its way to the engine.
struct Page {
    upstream: Upstream,
    /// The connector's deadline for the whole page.
    deadline: Pin<Box<Sleep>>,
    /// Completes when the session is closed under the page.
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    /// The single-entry frames of a batch split for an engine that did not ask for batches.
    split: VecDeque<RelayFrame>,
    /// Whole entries so far.
    entries: usize,
    /// The last frame was a fragment without `last`.
    open_fragment: bool,
    page_size: usize,
    engine_batches: bool,
    /// Entries handed to the engine, counted once when the page ends.
    relayed: u64,
    started: Instant,
    /// Until the page ends: the call is in flight on its session. Dropped with the page, or at its
    /// end, whichever comes first; while it is here, dropping the page closes the session (the
    /// engine walked away before the end).
    in_flight: Option<InFlight>,
    service: EngineService,
    session: Arc<Session>,
}

/// What the page does after a frame from the connector.
enum Next {
    /// Hand this frame on.
    Send(RelayFrame),
    /// Hand this frame on; it ends the page.
    Last(RelayFrame),
    /// Read the next frame (a batch was split into `split`).
    Again,
}

impl Page {
    /// Ends the page with `item` (its results frame, or the error the engine gets): the call is
    /// over, counted, and the session no longer closed when the page is dropped.
    fn end(&mut self, item: Result<RelayFrame, Status>) -> Poll<Option<Result<RelayFrame, Status>>> {
        self.upstream = Upstream::Ended;
        self.split.clear();
        let fault = match &item {
            Err(status) => Fault::from_status(status).map(|f| f.fault_kind()),
            Ok(_) => None,
        };
        self.finish(fault);
        Poll::Ready(Some(item))
    }

    /// Counts the call and its entries, and ends its time in flight.
    fn finish(&mut self, fault: Option<FaultKind>) {
        if self.in_flight.take().is_none() {
            return;
        }
        let metrics = &self.service.metrics;
        let name = &self.session.connector.name;
        metrics.record_call(name, CALL, self.started.elapsed(), fault);
        if self.relayed > 0 {
            metrics.imported(name, std::mem::take(&mut self.relayed));
        }
    }

    fn deadline_exceeded(&self) -> Status {
        let limit = self.session.connector.config.limits.call_deadline;
        let name = &self.session.connector.name;
        Status::deadline_exceeded(format!(
            "connector {name} did not finish {CALL} within its deadline of {limit:?}"
        ))
    }

    fn fail(&mut self, status: Status) -> Poll<Option<Result<RelayFrame, Status>>> {
        self.end(Err(status))
    }

    /// Checks one frame from the connector against the page: fragments finished before the next
    /// entry or the end, batches opened, no more entries than the page size.
    fn check(&mut self, frame: RelayFrame) -> Result<Next, Status> {
        let name = &self.session.connector.name;
        let entries = self.entries;
        let fault = |message: String| status::host_fault(FaultKind::ExtensibleExtensionException, name, CALL, message);
        if self.open_fragment
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
            warn!(connector = %name, session_id = %self.session.id, entries, "connector left an entry's fragments unfinished");
            return Err(fault(format!(
                "connector {name} {what} of {CALL} while entry {} was unfinished: its fragments never \
                 reached the one with last = true, so the entry would be lost",
                entries + 1
            )));
        }
        let added = match &frame.frame {
            Some(RelayKind::Entry(_)) => 1,
            Some(RelayKind::EntryBatch(bytes)) => match batches::open(bytes, self.engine_batches) {
                Ok(Opened::Forward(n)) => n,
                Ok(Opened::Split(frames)) => {
                    self.split.extend(frames);
                    return Ok(Next::Again);
                }
                Err(reason) => {
                    warn!(connector = %name, session_id = %self.session.id, entries, %reason, "connector sent a bad entry batch");
                    return Err(fault(format!(
                        "connector {name} {reason} in {CALL} (after {entries} entries of the page)"
                    )));
                }
            },
            Some(RelayKind::EntryFragment(f)) => {
                self.open_fragment = !f.last;
                usize::from(f.last)
            }
            Some(RelayKind::Results(_)) => {
                debug!(connector = %name, session_id = %self.session.id, entries, "page forwarded");
                return Ok(Next::Last(frame));
            }
            None => 0,
        };
        self.entries += added;
        if self.entries > self.page_size {
            let page_size = self.page_size;
            warn!(connector = %name, session_id = %self.session.id, entries = self.entries, page_size, "connector returned more entries than the page size");
            return Err(fault(format!(
                "connector {name} returned more than {page_size} entries for a page of {page_size}"
            )));
        }
        self.relayed += added as u64;
        Ok(Next::Send(frame))
    }

    /// The connector's next frame, or why there is none.
    fn poll_upstream(&mut self, cx: &mut Context<'_>) -> Poll<Result<RelayFrame, Status>> {
        if let Some(frame) = self.split.pop_front() {
            return Poll::Ready(Ok(frame));
        }
        let name = &self.session.connector.name;
        loop {
            match &mut self.upstream {
                Upstream::Opening(opening) => match opening.as_mut().poll(cx) {
                    Poll::Ready(Ok(frames)) => self.upstream = Upstream::Frames(frames),
                    Poll::Ready(Err(s)) => return Poll::Ready(Err(status::upstream(name, CALL, s))),
                    Poll::Pending => return Poll::Pending,
                },
                Upstream::Frames(frames) => {
                    return match Pin::new(frames).poll_next(cx) {
                        Poll::Ready(Some(Ok(frame))) => Poll::Ready(Ok(frame)),
                        Poll::Ready(Some(Err(s))) => Poll::Ready(Err(status::upstream(name, CALL, s))),
                        Poll::Ready(None) => Poll::Ready(Err(status::host_fault(
                            FaultKind::ExtensibleExtensionException,
                            name,
                            CALL,
                            format!("connector {name} ended a page without its results frame"),
                        ))),
                        Poll::Pending => Poll::Pending,
                    };
                }
                Upstream::Ended => unreachable!("polled after the end"),
            }
        }
    }
}

impl Stream for Page {
    type Item = Result<RelayFrame, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if matches!(this.upstream, Upstream::Ended) {
                return Poll::Ready(None);
            }
            // Closed meanwhile (by the engine, the host, or past the deadline while the engine
            // was not reading): the page ends with why, before any frame still on its way.
            if this.session.cancel.is_cancelled() {
                let status = if Instant::now() >= this.deadline.deadline() {
                    this.deadline_exceeded()
                } else {
                    session_closed(&this.session, CALL)
                };
                return this.fail(status);
            }
            // The connector first: while its frames are ready, nothing else is polled.
            match this.poll_upstream(cx) {
                Poll::Ready(Ok(frame)) => match this.check(frame) {
                    Ok(Next::Send(frame)) => return Poll::Ready(Some(Ok(frame))),
                    Ok(Next::Last(frame)) => return this.end(Ok(frame)),
                    Ok(Next::Again) => continue,
                    Err(status) => return this.fail(status),
                },
                Poll::Ready(Err(status)) => return this.fail(status),
                Poll::Pending => {}
            }
            if this.closed.as_mut().poll(cx).is_ready() {
                continue; // ended above, with why
            }
            if this.deadline.as_mut().poll(cx).is_ready() {
                this.service
                    .close_later(this.session.id.clone(), CloseReason::TerminatedByUser);
                let status = this.deadline_exceeded();
                return this.fail(status);
            }
            return Poll::Pending;
        }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if self.in_flight.is_some() {
            // The engine dropped the page before its results frame (or its error): it cancelled
            // the call or went away. The connector may have sent the whole page already; the
            // session is closed all the same, since the engine never saw its end.
            info!(connector = %self.session.connector.name, session_id = %self.session.id, "engine cancelled the page before its end; closing the session");
            self.finish(None);
            self.service
                .close_later(self.session.id.clone(), CloseReason::TerminatedByUser);
        }
    }
}
