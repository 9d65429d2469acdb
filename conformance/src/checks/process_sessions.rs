//! Process checks that need sessions, talking to a launched connector directly: NOT_FOUND for
//! an unknown session, Close idempotent, a page size above the maximum refused, entries over
//! 1 MiB fragmented on import (and reassembled on export), and a failure in one session leaving
//! the others working.

use ecma2_proto::frames::{FRAGMENT_SIZE, Reassembler};
use ecma2_proto::pb::*;
use prost::Message;

use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::checks::export::{clean_up_result, fixture};
use crate::checks::process::launch;
use crate::launch::{LaunchOptions, Running};
use crate::run_fn;
use crate::subject::{Subject, tag};

/// The page size the fragment check asks for: a large entry then shares its page with others,
/// so a fragment run must end before the next entry or the results frame.
pub const FRAGMENT_PAGE_SIZE: i32 = 2;

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    const IMPORT: &[Need] = &[Need::Launch, Need::Interface(Ecma2Interface::CallImport)];
    let check = |id, rule, needs, doc, run| Check {
        id,
        category: Category::Process,
        rule,
        writes: None,
        needs,
        doc,
        run,
    };
    vec![
        check(
            "unknown-session",
            "a call naming an unknown session gets NOT_FOUND",
            IMPORT,
            "docs/runtime.md#sessions",
            run_fn!(unknown_session),
        ),
        check(
            "close-idempotent",
            "closing a session twice, or an unknown one, succeeds",
            IMPORT,
            "docs/runtime.md#sessions",
            run_fn!(close_idempotent),
        ),
        check(
            "page-size-above-max",
            "a page size above the connector's maximum is refused with INVALID_ARGUMENT",
            IMPORT,
            "docs/runtime.md#paging",
            run_fn!(page_size_above_max),
        ),
        check(
            "fragments-import",
            "an imported entry over 1 MiB comes as fragments of at most 1 MiB, the last with last=true, before the next frame",
            IMPORT,
            "docs/runtime.md#paging",
            run_fn!(fragments_import),
        ),
        Check {
            id: "fragments-export",
            category: Category::Process,
            rule: "an exported entry over 1 MiB, sent as fragments, is reassembled and answered by its identifier",
            writes: Some("adds one object named ecma2-conformance-<tag> with a 1.5 MiB string value, then deletes it"),
            needs: &[
                Need::Interface(Ecma2Interface::CallExport),
                Need::Interface(Ecma2Interface::CallImport),
            ],
            doc: "docs/runtime.md#paging",
            run: run_fn!(fragments_export),
        },
        check(
            "failure-isolated",
            "a call that fails in connector code (exception or panic) leaves the process and its other sessions working",
            IMPORT,
            "docs/runtime.md#faults",
            run_fn!(failure_isolated),
        ),
    ]
}

fn open_request(s: &Subject<'_>, page_size: i32, delta: bool, watermark: &str) -> OpenImportConnectionRequest {
    OpenImportConnectionRequest {
        config_parameters: s.params.clone(),
        types: Some(s.schema.clone()),
        import_run_step: Some(OpenImportConnectionRunStep {
            page_size,
            custom_data: watermark.to_owned(),
            import_type: if delta {
                OperationType::Delta
            } else {
                OperationType::Full
            } as i32,
            ..Default::default()
        }),
    }
}

fn close_request(session_id: &str) -> CloseImportConnectionRequest {
    CloseImportConnectionRequest {
        session_id: session_id.to_owned(),
        import_run_step: Some(CloseImportConnectionRunStep {
            reason: CloseReason::Normal as i32,
            custom_data: String::new(),
        }),
    }
}

fn page_request(session_id: &str, watermark: &str) -> GetImportEntriesRequest {
    GetImportEntriesRequest {
        session_id: session_id.to_owned(),
        import_run_step: Some(GetImportEntriesRunStep {
            custom_data: watermark.to_owned(),
            ..Default::default()
        }),
    }
}

async fn unknown_session(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let answer = match r.client().get_import_entries(r.request(page_request(&id, ""))).await {
        Err(e) => Err(e),
        Ok(stream) => match stream.into_inner().message().await {
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        },
    };
    r.stop().await;
    let sent = format!("GetImportEntries session_id={id} (never opened)");
    match answer {
        Err(e) if e.code() == tonic::Code::NotFound => Ok(Outcome::pass(format!("NOT_FOUND: {}", e.message()))),
        Err(e) => Ok(Outcome::fail("an unknown session did not get NOT_FOUND")
            .sent(sent)
            .received(format!("{:?}: {}", e.code(), e.message()))),
        Ok(()) => Ok(Outcome::fail("a call on an unknown session was answered")
            .sent(sent)
            .received("a page")),
    }
}

async fn close_idempotent(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let mut client = r.client();
    let result = async {
        let id = client
            .open_import_connection(r.request(open_request(s, 0, false, "")))
            .await
            .map_err(|e| Failure::from(e).sent("OpenImportConnection"))?
            .into_inner()
            .session_id;
        let unknown = uuid::Uuid::new_v4().to_string();
        for (what, session) in [
            ("first Close", &id),
            ("second Close", &id),
            ("Close of an unknown session", &unknown),
        ] {
            if let Err(e) = client.close_import_connection(r.request(close_request(session))).await {
                return Ok(Outcome::fail(format!("the {what} failed"))
                    .sent(format!("CloseImportConnection session_id={session} ({what})"))
                    .received(format!("{:?}: {}", e.code(), e.message())));
            }
        }
        Ok(Outcome::pass(
            "Close twice and Close of an unknown session both succeeded",
        ))
    }
    .await;
    r.stop().await;
    result
}

async fn page_size_above_max(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let max = s.handshake.import_page_sizes.unwrap_or_default().max_page_size;
    let r = launch(s, LaunchOptions::default()).await?;
    let mut client = r.client();
    let asked = max.saturating_add(1);
    let answer = client
        .open_import_connection(r.request(open_request(s, asked, false, "")))
        .await;
    let sent = format!("OpenImportConnection page_size={asked} (maximum {max})");
    let outcome = match answer {
        Err(e) if e.code() == tonic::Code::InvalidArgument => Outcome::pass(format!("refused: {}", e.message())),
        Err(e) => Outcome::fail("refused, but not with INVALID_ARGUMENT")
            .sent(sent)
            .received(format!("{:?}: {}", e.code(), e.message())),
        Ok(open) => {
            let open = open.into_inner();
            let _ = client
                .close_import_connection(r.request(close_request(&open.session_id)))
                .await;
            Outcome::fail("a page size above the maximum was accepted")
                .sent(sent)
                .received(format!("session {} with page_size={}", open.session_id, open.page_size))
        }
    };
    r.stop().await;
    Ok(outcome)
}

/// What a direct full import saw of the framing.
#[derive(Default)]
struct Framing {
    entries: usize,
    fragmented: usize,
    largest_fragment: usize,
    largest_whole: usize,
}

async fn read_framing(s: &Subject<'_>, r: &Running) -> Result<Framing, Failure> {
    let mut client = r.client();
    let open = client
        .open_import_connection(r.request(open_request(s, FRAGMENT_PAGE_SIZE, false, "")))
        .await?
        .into_inner();
    let mut seen = Framing::default();
    let mut watermark = String::new();
    let result = async {
        for page in 0.. {
            if page >= 100_000 {
                crate::bail!("the import did not end (MoreToImport stayed true)");
            }
            let mut stream = client
                .get_import_entries(r.request(page_request(&open.session_id, &watermark)))
                .await?
                .into_inner();
            let mut reassembler = Reassembler::default();
            let mut pending = false;
            let mut end = None;
            while let Some(frame) = stream.message().await? {
                if end.is_some() {
                    crate::bail!("a frame came after the page's results frame");
                }
                match frame.frame {
                    Some(get_import_entries_response::Frame::Entry(e)) => {
                        if pending {
                            crate::bail!("a whole entry came while an entry's fragments were unfinished (no fragment with last=true)");
                        }
                        seen.entries += 1;
                        seen.largest_whole = seen.largest_whole.max(e.encoded_len());
                    }
                    Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                        seen.largest_fragment = seen.largest_fragment.max(f.data.len());
                        pending = !f.last;
                        if reassembler.push(f)?.is_some() {
                            seen.entries += 1;
                            seen.fragmented += 1;
                        }
                    }
                    Some(get_import_entries_response::Frame::Results(res)) => {
                        if pending {
                            crate::bail!("the page ended while an entry's fragments were unfinished (no fragment with last=true)");
                        }
                        end = Some(res);
                    }
                    Some(get_import_entries_response::Frame::EntryBatch(_)) => {
                        crate::bail!("the connector sent an entry batch, which this call did not ask for (docs/protocol.md#entry-batches)")
                    }
                    None => {}
                }
            }
            let end = end.ok_or_else(|| Failure::new("a page ended without its results frame"))?;
            watermark = end.custom_data;
            if !end.more_to_import {
                break;
            }
        }
        Ok(())
    }
    .await;
    let _ = client
        .close_import_connection(r.request(close_request(&open.session_id)))
        .await;
    result.map(|_| seen)
}

async fn fragments_import(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let r = launch(s, LaunchOptions::default()).await?;
    let seen = read_framing(s, &r).await;
    r.stop().await;
    let sent = format!("a full import with page size {FRAGMENT_PAGE_SIZE}, directly");
    let seen = match seen {
        Ok(seen) => seen,
        Err(f) => return Ok(Outcome::from(f.sent(sent))),
    };
    if seen.largest_whole > FRAGMENT_SIZE {
        return Ok(Outcome::fail("an entry over 1 MiB came whole, not as fragments")
            .sent(sent)
            .received(format!("an entry frame of {} bytes", seen.largest_whole)));
    }
    if seen.largest_fragment > FRAGMENT_SIZE {
        return Ok(Outcome::fail("a fragment is larger than 1 MiB")
            .sent(sent)
            .received(format!("a fragment of {} bytes", seen.largest_fragment)));
    }
    if seen.fragmented == 0 {
        return Ok(Outcome::skip(format!(
            "no imported entry is over 1 MiB ({} entries); nothing was fragmented",
            seen.entries
        )));
    }
    Ok(Outcome::pass(format!(
        "{} of {} entries came as fragments and reassembled",
        seen.fragmented, seen.entries
    )))
}

async fn fragments_export(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let full = s.import(false, "", 0, 200_000).await?;
    let Some(t) = s
        .schema
        .types
        .iter()
        .max_by_key(|t| full.entries.iter().filter(|e| e.object_type == t.name).count())
    else {
        return Ok(Outcome::skip("the schema has no object type"));
    };
    let sibling = full.entries.iter().find(|e| e.object_type == t.name);
    let mut add = fixture(t, sibling, &tag());
    // 1.5 MiB in the first string value that is not the naming one.
    let Some(big) = add.attribute_changes.iter_mut().rev().find(|a| {
        a.data_type() == AttributeType::String
            && !a.name.eq_ignore_ascii_case("cn")
            && !a.name.to_ascii_lowercase().contains("mail")
    }) else {
        return Ok(Outcome::skip("no exportable string attribute to make large"));
    };
    let name = big.name.clone();
    big.value_changes[0].value = crate::subject::string_value("x".repeat(FRAGMENT_SIZE * 3 / 2));
    let sent = format!(
        "PutExportEntries: Add {} with {name} of 1.5 MiB, as fragments ({} bytes)",
        add.dn,
        add.encoded_len()
    );
    let results = s.export(vec![add.clone()]).await.map_err(|f| f.sent(&sent))?;
    let Some(result) = results.iter().find(|r| r.identifier == add.identifier) else {
        return Ok(Outcome::fail("no result for the fragmented entry's identifier")
            .sent(sent)
            .received(format!("{} results", results.len())));
    };
    let left = clean_up_result(s, &add, result).await;
    Ok(Outcome::pass(format!(
        "reassembled and answered: {:?} {}",
        result.error_code(),
        result.error_name
    ))
    .left(left))
}

async fn failure_isolated(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let mut r = launch(s, LaunchOptions::default()).await?;
    let mut client = r.client();
    let sent =
        "session B open (page size 1); session A: a delta import from a watermark that is not one; then B's pages";
    let result = async {
        let b = client
            .open_import_connection(r.request(open_request(s, 1, false, "")))
            .await?
            .into_inner()
            .session_id;
        // The bad session: a watermark the connector never gave out.
        let garbage = format!("{}not-a-watermark-\u{1}{{[", crate::PREFIX);
        let mut provoked = None;
        match client
            .open_import_connection(r.request(open_request(s, 0, true, &garbage)))
            .await
        {
            Err(e) => provoked = Some(format!("{:?}: {}", e.code(), e.message())),
            Ok(a) => {
                let a = a.into_inner().session_id;
                let page = client.get_import_entries(r.request(page_request(&a, &garbage))).await;
                let failed = match page {
                    Err(e) => Some(e),
                    Ok(stream) => {
                        let mut stream = stream.into_inner();
                        loop {
                            match stream.message().await {
                                Ok(Some(_)) => continue,
                                Ok(None) => break None,
                                Err(e) => break Some(e),
                            }
                        }
                    }
                };
                if let Some(e) = failed {
                    provoked = Some(format!("{:?}: {}", e.code(), e.message()));
                }
                let _ = client.close_import_connection(r.request(close_request(&a))).await;
            }
        }
        // Else: an open with no configuration at all, which connector code usually refuses.
        if provoked.is_none() {
            let mut bare = open_request(s, 0, false, "");
            bare.config_parameters.clear();
            match client.open_import_connection(r.request(bare)).await {
                Err(e) => {
                    provoked = Some(format!("{:?}: {}", e.code(), e.message()));
                    // A failed open stays registered until closed (docs/runtime.md#sessions).
                    if let Some(id) = ecma2_proto::pb::Fault::from_status(&e).map(|f| f.session_id) {
                        let _ = client.close_import_connection(r.request(close_request(&id))).await;
                    }
                }
                Ok(a) => {
                    let a = a.into_inner().session_id;
                    let _ = client.close_import_connection(r.request(close_request(&a))).await;
                }
            }
        }
        // B goes on, to its end.
        let mut watermark = String::new();
        for _ in 0..100_000 {
            let mut stream = client
                .get_import_entries(r.request(page_request(&b, &watermark)))
                .await?
                .into_inner();
            let mut more = false;
            while let Some(frame) = stream.message().await? {
                if let Some(get_import_entries_response::Frame::Results(res)) = frame.frame {
                    watermark = res.custom_data;
                    more = res.more_to_import;
                }
            }
            if !more {
                break;
            }
        }
        client.close_import_connection(r.request(close_request(&b))).await?;
        Ok::<_, Failure>(provoked)
    }
    .await;
    let alive = r.alive();
    let stderr = crate::launch::tail(&r.stderr.all());
    r.stop().await;
    let provoked = match result {
        Ok(p) => p,
        Err(f) if !alive => {
            return Ok(
                Outcome::fail("the connector process died after a failure in one session")
                    .sent(sent)
                    .received(format!("{}; stderr: {stderr}", f.message)),
            );
        }
        Err(f) => return Ok(Outcome::from(f.sent(sent))),
    };
    if !alive {
        return Ok(Outcome::fail("the connector process died").sent(sent).received(stderr));
    }
    match provoked {
        Some(what) => Ok(Outcome::pass(format!(
            "session A failed ({what}); session B finished and the process lives"
        ))),
        None => Ok(Outcome::skip(
            "the connector accepted a bad watermark and an empty configuration; no failure could be provoked",
        )),
    }
}
