//! One import page from a connector to an engine, driven by the engine's response body: each
//! time the engine's side asks for more, [`Page`] reads what the connector's stream has, checks
//! it as bytes ([`super::wire`]: its kinds, the fragments, the page size) and hands the bytes
//! on, entries left encoded and frames never gathered whole. No task and no channel between the
//! two streams (a pump task and its queue cost a task switch and a channel hand-off per frame,
//! issue #18). What the host holds of a page is bounded: what the connector's HTTP/2 windows let
//! in, and at most [`SEND_WINDOW`] bytes handed to the engine's connection and not yet written
//! (with ten connectors and ten sessions each, frames gathered whole held 339 MiB, issue #18).
//! The connector's stream is read to its end (its trailers), not only to the results frame: a
//! stream let go of earlier is reset, and when its trailers were already on their way h2 answers
//! them with a reset of its own; past 1,024 of those it ends the connection to the connector
//! (GOAWAY too_many_internal_resets, seen after about 20,000 one-object pages over TCP). A
//! connector whose stream ends with an error after its results fails the page with it, as it
//! would fail the call of an engine connected to it directly.
//! The session is closed with TerminatedByUser when the engine walks away before the page's end
//! or the connector outlives its deadline. The deadline has no timer per page: the page marks its
//! call in flight until then (`Session::begin_until`), the session reaper closes a session whose
//! call is past it (`Sessions::reap_idle`, every half second, whether or not the engine reads),
//! and the page, seeing its session closed past its deadline, ends with DEADLINE_EXCEEDED (a
//! timer per page cost its registration, its polls and its removal on every one-object page,
//! issue #18).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use ecma2_proto::pb::*;
use futures_util::task::AtomicWaker;
use hyper::body::{Body, Frame};
use tokio::time::Instant;
use tokio_util::sync::WaitForCancellationFutureOwned;
use tonic::codegen::http::{self, HeaderMap, HeaderValue};
use tonic::{Request, Status};
use tracing::{debug, info, warn};

use super::pages::session_closed;
use super::wire::{Problem, Reader};
use super::{EngineService, batches, engine_of};
use crate::sessions::{InFlight, Kind, Session};
use crate::status;

const CALL: &str = "GetImportEntries";

/// The trailer a page ends with.
const GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");

/// Bytes of a page handed to the engine's connection and not written to it yet, at most. hyper
/// would buffer up to 400 KiB per stream; a page needs no more than a few HTTP/2 frames queued
/// to keep the engine's connection busy.
pub(crate) const SEND_WINDOW: usize = 64 * 1024;

/// Pieces smaller than this are copied together into one chunk of up to [`CHUNK`] bytes (a
/// message header held back across the connector's data frames, the entries of a split batch,
/// small data frames).
const SMALL: usize = 4 * 1024;
const CHUNK: usize = 16 * 1024;

type Opening = Pin<Box<dyn Future<Output = Result<http::Response<tonic::body::Body>, Status>> + Send>>;

impl EngineService {
    /// Forwards one import page as bytes, with the entries left encoded (the caller holds the
    /// response until [`Page::poll_opened`]). `framed` is the request as the engine framed it,
    /// passed on as it is when given (else the request is encoded again).
    pub(crate) fn relay_import_entries(
        &self,
        request: Request<GetImportEntriesRequest>,
        framed: Option<Bytes>,
    ) -> Result<Page, Status> {
        let engine = engine_of(&request);
        let named = self.connector(&request)?;
        let engine_batches = batches::engine_accepts(request.metadata());
        let inner = request.into_inner();
        let started = Instant::now();
        let session = self.session(&named, &inner.session_id, Kind::Import, CALL)?;
        let limit = session.connector.config.limits.call_deadline;
        let in_flight = session.begin_until(engine, started + limit);
        let message = framed.unwrap_or_else(|| crate::relay::framed(&inner));
        let opening: Opening = Box::pin(session.client.relay.open_import_entries(message));
        Ok(Page {
            upstream: Upstream::Opening(opening),
            head: None,
            due: started + limit,
            closed: Box::pin(session.cancel.clone().cancelled_owned()),
            reader: Reader::new(session.page_size.max(1) as usize, engine_batches),
            out: VecDeque::new(),
            window: Arc::new(SendWindow::default()),
            trailers: None,
            fault: None,
            done: false,
            started,
            in_flight: Some(in_flight),
            service: self.clone(),
            session,
        })
    }
}

/// Where the connector's side of the page is.
enum Upstream {
    /// The call is on its way to the connector.
    Opening(Opening),
    /// The connector's response body.
    Body(tonic::body::Body),
    /// The page has ended (its results or an error went to the engine's side).
    Ended,
}

/// The bytes of a page handed to the engine's connection and not written yet.
#[derive(Default)]
struct SendWindow {
    pending: AtomicUsize,
    waker: AtomicWaker,
}

impl SendWindow {
    /// Whether more may be handed on; if not, the task is woken when some has been written.
    fn has_room(&self, cx: &mut Context<'_>) -> bool {
        if self.pending.load(Ordering::Acquire) < SEND_WINDOW {
            return true;
        }
        self.waker.register(cx.waker());
        self.pending.load(Ordering::Acquire) < SEND_WINDOW
    }
}

/// A chunk handed to the engine's connection; dropped once written, which makes room.
struct Counted {
    bytes: Bytes,
    window: Arc<SendWindow>,
}

impl AsRef<[u8]> for Counted {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.window.pending.fetch_sub(self.bytes.len(), Ordering::AcqRel);
        self.window.waker.wake();
    }
}

/// An import page on its way to the engine: the body of the engine's response.
pub(crate) struct Page {
    upstream: Upstream,
    /// The connector's response headers, once it has answered: their room holds the engine's
    /// (a map of their own was two allocations per page, issue #18).
    head: Option<HeaderMap>,
    /// The connector's deadline for the whole page (enforced by the session reaper).
    due: Instant,
    /// Completes when the session is closed under the page.
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    reader: Reader,
    /// Checked bytes not handed on yet.
    out: VecDeque<Bytes>,
    window: Arc<SendWindow>,
    /// How the page ends, once `out` has gone.
    trailers: Option<HeaderMap>,
    /// The fault the page ended with, counted when the trailers go.
    fault: Option<FaultKind>,
    /// The trailers went.
    done: bool,
    started: Instant,
    /// Until the page ends: the call is in flight on its session. Dropped with the page, or at its
    /// end, whichever comes first; while it is here, dropping the page closes the session (the
    /// engine walked away before the end).
    in_flight: Option<InFlight>,
    service: EngineService,
    session: Arc<Session>,
}

impl Page {
    /// The page has ended with `outcome` (the results went by, or the error the engine gets):
    /// the call is over and counted, the session no longer closed when the page is dropped, and
    /// the connector's stream is let go.
    fn end(&mut self, outcome: Result<(), Status>) {
        self.end_reusing(outcome, HeaderMap::new());
    }

    /// [`Page::end`], the trailers written into `room` (the connector's, cleared: a map of their
    /// own was two allocations per page, issue #18).
    fn end_reusing(&mut self, outcome: Result<(), Status>, mut room: HeaderMap) {
        self.upstream = Upstream::Ended;
        let fault = match &outcome {
            Err(status) => Fault::from_status(status).map(|f| f.fault_kind()),
            Ok(()) => None,
        };
        room.clear();
        let mut trailers = room;
        match outcome {
            Ok(()) => {
                trailers.insert(GRPC_STATUS, HeaderValue::from_static("0"));
            }
            Err(status) => {
                // What has not gone out of a page that failed never does.
                self.out.clear();
                if status.add_header(&mut trailers).is_err() {
                    trailers.clear();
                    let _ = Status::internal(format!("connector {} failed {CALL}", self.session.connector.name))
                        .add_header(&mut trailers);
                }
            }
        }
        self.trailers = Some(trailers);
        // The call stays in flight until the engine's side takes the trailers: an engine that
        // walks away before then never saw the page's end (its results may have come from the
        // connector long before), and its session is closed.
        self.fault = fault;
    }

    /// Counts the call and its entries, and ends its time in flight.
    fn finish(&mut self, fault: Option<FaultKind>) {
        if self.in_flight.take().is_none() {
            return;
        }
        let relayed = self.reader.entries() as u64;
        self.service
            .metrics
            .record_page(&self.session.connector.name, self.started.elapsed(), fault, relayed);
    }

    fn deadline_exceeded(&self) -> Status {
        let limit = self.session.connector.config.limits.call_deadline;
        let name = &self.session.connector.name;
        Status::deadline_exceeded(format!(
            "connector {name} did not finish {CALL} within its deadline of {limit:?}"
        ))
    }

    /// The connector's fault in the page's bytes, as the engine sees it.
    fn problem(&self, problem: Problem) -> Status {
        let name = &self.session.connector.name;
        let entries = self.reader.entries();
        let message = match problem {
            Problem::TooMany => {
                let page_size = self.session.page_size.max(1);
                warn!(connector = %name, session_id = %self.session.id, entries, page_size, "connector returned more entries than the page size");
                format!("connector {name} returned more than {page_size} entries for a page of {page_size}")
            }
            Problem::Unfinished { .. } => {
                warn!(connector = %name, session_id = %self.session.id, entries, "connector left an entry's fragments unfinished");
                format!("connector {name} {problem} (in {CALL})")
            }
            other => {
                warn!(connector = %name, session_id = %self.session.id, entries, reason = %other, "connector sent a bad page");
                format!("connector {name} {other} in {CALL} (after {entries} entries of the page)")
            }
        };
        status::host_fault(FaultKind::ExtensibleExtensionException, name, CALL, message)
    }

    /// Ready once the connector has answered the call (its response headers, or its error), or
    /// the page has ended without an answer (the session closed, the deadline passed): the
    /// engine's response headers then leave with what follows them. While it waits, the page
    /// watches its session and its deadline as it does once answered.
    pub(crate) fn poll_opened(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if !matches!(self.upstream, Upstream::Opening(_)) {
                return Poll::Ready(());
            }
            if self.ended_by_watch() || self.poll_opening(cx).is_ready() || self.watch_ready(cx) {
                continue;
            }
            return Poll::Pending;
        }
    }

    /// The engine's response headers (`content-type: application/grpc` alone), written into the
    /// room of the connector's when it has answered.
    pub(crate) fn response_headers(&mut self) -> HeaderMap {
        let mut headers = self.head.take().unwrap_or_default();
        headers.clear();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers
    }

    /// Sends the call on its way to the connector (polls it once), so that it leaves before
    /// response headers sent at once do.
    pub(crate) fn send(&mut self, cx: &mut Context<'_>) {
        let _ = self.poll_opening(cx);
    }

    /// Polls the call on its way to the connector; Ready once it has an answer (the page then
    /// has its body, or has ended with the error).
    fn poll_opening(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Upstream::Opening(opening) = &mut self.upstream else {
            return Poll::Ready(());
        };
        match opening.as_mut().poll(cx) {
            Poll::Ready(Ok(response)) => {
                let (head, body) = response.into_parts();
                self.head = Some(head.headers);
                self.upstream = Upstream::Body(body);
            }
            Poll::Ready(Err(s)) => {
                let name = self.session.connector.name.clone();
                self.end(Err(status::upstream(&name, CALL, s)));
            }
            Poll::Pending => return Poll::Pending,
        }
        Poll::Ready(())
    }

    /// Ends the page when its session was closed meanwhile (by the engine, the host, or past the
    /// deadline while the engine was not reading), with why; whether it did.
    fn ended_by_watch(&mut self) -> bool {
        if !self.session.cancel.is_cancelled() {
            return false;
        }
        let status = if Instant::now() >= self.due {
            self.deadline_exceeded()
        } else {
            session_closed(&self.session, CALL)
        };
        self.end(Err(status));
        true
    }

    /// Polls the page's watch of its session's close (by the engine, the host, or the reaper
    /// past the deadline); true when it fired (the page then ends at the next
    /// [`Page::ended_by_watch`], with why).
    fn watch_ready(&mut self, cx: &mut Context<'_>) -> bool {
        self.closed.as_mut().poll(cx).is_ready()
    }

    /// Reads what the connector has sent into `out`; Ready once there is something to hand on
    /// or the page has ended.
    fn poll_upstream(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let session = self.session.clone();
        let name = &session.connector.name;
        loop {
            match &mut self.upstream {
                Upstream::Opening(_) => {
                    if self.poll_opening(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                Upstream::Body(body) => {
                    let frame = match Pin::new(body).poll_frame(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(frame) => frame,
                    };
                    let ended = match frame {
                        Some(Ok(frame)) => match frame.into_data() {
                            // Bytes after the results are never handed on.
                            Ok(_) if self.reader.ended() => continue,
                            Ok(data) => match self.reader.feed(data, &mut self.out) {
                                Ok(()) => {
                                    if self.reader.ended() {
                                        debug!(connector = %name, session_id = %self.session.id, entries = self.reader.entries(), "page forwarded");
                                    }
                                    if self.out.is_empty() {
                                        continue;
                                    }
                                    return Poll::Ready(());
                                }
                                Err(problem) => Err(self.problem(problem)),
                            },
                            Err(frame) => match frame.into_trailers() {
                                // The usual end, told without parsing a Status (parsing one
                                // cost about 1,800 instructions per page, issue #18).
                                Ok(trailers)
                                    if self.reader.ended()
                                        && trailers.get(GRPC_STATUS).is_some_and(|code| code == "0") =>
                                {
                                    self.end_reusing(Ok(()), trailers);
                                    return Poll::Ready(());
                                }
                                trailers => match trailers.ok().and_then(|t| Status::from_header_map(&t)) {
                                    Some(s) if s.code() != tonic::Code::Ok => Err(status::upstream(name, CALL, s)),
                                    _ if self.reader.ended() => Ok(()),
                                    _ => Err(self.without_results()),
                                },
                            },
                        },
                        Some(Err(s)) => Err(status::upstream(name, CALL, s)),
                        // A stream that ends without its status after the results loses nothing.
                        None if self.reader.ended() => Ok(()),
                        None => Err(status::upstream(
                            name,
                            CALL,
                            Status::internal("its response ended without a status"),
                        )),
                    };
                    self.end(ended);
                    return Poll::Ready(());
                }
                Upstream::Ended => return Poll::Ready(()),
            }
        }
    }

    fn without_results(&self) -> Status {
        let name = &self.session.connector.name;
        status::host_fault(
            FaultKind::ExtensibleExtensionException,
            name,
            CALL,
            format!("connector {name} ended a page without its results frame"),
        )
    }

    /// The next chunk for the engine's connection: one large piece as it is, or small pieces
    /// copied together.
    fn next_chunk(&mut self) -> Bytes {
        let first = self.out.pop_front().expect("a piece to hand on");
        let chunk = if first.len() >= SMALL || self.out.front().is_none_or(|next| next.len() >= SMALL) {
            first
        } else {
            // Sized for what is joined (a one-object page is a few hundred bytes).
            let mut size = first.len();
            for next in &self.out {
                if next.len() >= SMALL || size + next.len() > CHUNK {
                    break;
                }
                size += next.len();
            }
            let mut joined = BytesMut::with_capacity(size);
            joined.extend_from_slice(&first);
            while let Some(next) = self.out.front()
                && next.len() < SMALL
                && joined.len() + next.len() <= CHUNK
            {
                joined.extend_from_slice(next);
                self.out.pop_front();
            }
            joined.freeze()
        };
        self.window.pending.fetch_add(chunk.len(), Ordering::AcqRel);
        Bytes::from_owner(Counted {
            bytes: chunk,
            window: self.window.clone(),
        })
    }
}

impl Body for Page {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        loop {
            if !this.out.is_empty() {
                if this.window.has_room(cx) {
                    return Poll::Ready(Some(Ok(Frame::data(this.next_chunk()))));
                }
            } else if let Some(trailers) = this.trailers.take() {
                this.done = true;
                this.finish(this.fault);
                return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
            } else if this.done {
                return Poll::Ready(None);
            }
            if matches!(this.upstream, Upstream::Ended) {
                // Ended with bytes still to hand on: the window makes room.
                return Poll::Pending;
            }
            // Closed meanwhile: the page ends with why, before anything still on its way.
            if this.ended_by_watch() {
                continue;
            }
            // The connector first, while the engine's side has room: nothing else is polled.
            if this.out.is_empty() && this.poll_upstream(cx).is_ready() {
                continue;
            }
            if this.watch_ready(cx) {
                continue;
            }
            return Poll::Pending;
        }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if self.in_flight.is_some() {
            // The engine dropped the page before its end (the trailers, after the results frame
            // or with the error): it cancelled the call or went away. The connector may have
            // sent the whole page already; the session is closed all the same, since the engine
            // never saw its end.
            info!(connector = %self.session.connector.name, session_id = %self.session.id, "engine cancelled the page before its end; closing the session");
            self.finish(None);
            self.service
                .close_later(self.session.id.clone(), CloseReason::TerminatedByUser);
        }
    }
}
