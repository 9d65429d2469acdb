//! Session lifecycle through the host: a cancelled call's session is closed (TerminatedByUser)
//! and the connector keeps working; a failed open carries an ECMA2 fault and is closed
//! (OpenConnectionFailure) as ECMA2 requires.

use std::time::Duration;

use ecma2_proto::pb::Fault;
use ecma2_proto::pb::*;

use crate::check::{Category, Check, Context, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    const IMPORT: &[Need] = &[Need::Interface(Ecma2Interface::CallImport)];
    vec![
        Check {
            id: "cancel-closes-session",
            category: Category::Protocol,
            rule: "a cancelled GetImportEntries leaves a session the host closes (TerminatedByUser); the connector keeps working",
            writes: None,
            needs: IMPORT,
            doc: "docs/runtime.md#cancellation",
            run: run_fn!(cancel),
        },
        Check {
            id: "failed-open-is-closed",
            category: Category::Protocol,
            rule: "a failed open carries an ECMA2 fault, and its session is then closed (OpenConnectionFailure)",
            writes: None,
            needs: IMPORT,
            doc: "docs/runtime.md#sessions",
            run: run_fn!(failed_open),
        },
    ]
}

async fn cancel(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let before = s.status().await?;
    if before.open_sessions != 0 {
        return Ok(Outcome::skip(format!(
            "{} other sessions are open",
            before.open_sessions
        )));
    }
    let mut client = s.client();
    // The engine walks away from a page as soon as the host has the call in hand (its response
    // headers are here). It reads over a connection that lets no response data in, so the page
    // is still under way however fast the connector: the host holds a page's headers until the
    // connector has answered, and the page could otherwise arrive whole with them. Should the
    // page end first all the same (a client that cannot stall its window), the session stays
    // open, is closed normally, and the walk-away is tried again. Only a host that never closes
    // a cancelled session fails every attempt.
    let mut stalled = s.engine.stalled_connectors().await.context("a stalled connection")?;
    const ATTEMPTS: usize = 5;
    let mut attempt = 0;
    let sent = "OpenImportConnection page_size=1, GetImportEntries cancelled once the call is under way";
    let session_id = loop {
        attempt += 1;
        let open = client
            .open_import_connection(s.request(OpenImportConnectionRequest {
                config_parameters: s.params.clone(),
                types: Some(s.schema.clone()),
                import_run_step: Some(OpenImportConnectionRunStep {
                    page_size: 1,
                    import_type: OperationType::Full as i32,
                    ..Default::default()
                }),
            }))
            .await
            .context("OpenImportConnection")?
            .into_inner();
        let call = stalled.get_import_entries(s.request(GetImportEntriesRequest {
            session_id: open.session_id.clone(),
            import_run_step: None,
        }));
        let _ = tokio::time::timeout(Duration::from_secs(10), call).await;
        let limit = Duration::from_secs(if attempt == ATTEMPTS { 20 } else { 3 });
        match s.wait_closed(before.restarts, &before.last_error, limit).await? {
            None => break open.session_id,
            Some(problem) if attempt == ATTEMPTS || !problem.contains("still open") => {
                return Ok(Outcome::fail(problem).sent(sent));
            }
            Some(_) => {
                let _ = client
                    .close_import_connection(s.request(CloseImportConnectionRequest {
                        session_id: open.session_id.clone(),
                        import_run_step: Some(CloseImportConnectionRunStep {
                            reason: CloseReason::Normal as i32,
                            custom_data: String::new(),
                        }),
                    }))
                    .await;
            }
        }
    };
    // The session is gone; the connector still works.
    let gone = client
        .get_import_entries(s.request(GetImportEntriesRequest {
            session_id: session_id.clone(),
            import_run_step: None,
        }))
        .await;
    let gone = match gone {
        Err(e) => e.code() == tonic::Code::NotFound,
        Ok(r) => matches!(r.into_inner().message().await, Err(e) if e.code() == tonic::Code::NotFound),
    };
    if !gone {
        return Ok(Outcome::fail("the cancelled session still answers").sent(sent));
    }
    s.import(false, "", 0, 200_000)
        .await
        .context("an import after the cancelled one")?;
    Ok(Outcome::pass(
        "the host closed the cancelled session (TerminatedByUser) and the connector kept working",
    ))
}

async fn failed_open(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let before = s.status().await?;
    let mut client = s.client();
    // Every parameter present but empty: open must fail.
    let empty: Vec<ConfigParameter> = s
        .params
        .iter()
        .map(|p| ConfigParameter {
            name: p.name.clone(),
            ..Default::default()
        })
        .collect();
    let sent = "OpenImportConnection with every parameter empty";
    let opened = client
        .open_import_connection(s.request(OpenImportConnectionRequest {
            config_parameters: empty,
            types: Some(s.schema.clone()),
            import_run_step: Some(OpenImportConnectionRunStep {
                import_type: OperationType::Full as i32,
                ..Default::default()
            }),
        }))
        .await;
    let status = match opened {
        Ok(open) => {
            let _ = client
                .close_import_connection(s.request(CloseImportConnectionRequest {
                    session_id: open.into_inner().session_id,
                    import_run_step: None,
                }))
                .await;
            return Ok(Outcome::skip(
                "open succeeded with empty parameters; cannot provoke a failed open",
            ));
        }
        Err(status) => status,
    };
    let Some(fault) = Fault::from_status(&status) else {
        return Ok(Outcome::fail("the failed open carries no ECMA2 fault")
            .sent(sent)
            .received(format!("{:?}: {}", status.code(), status.message())));
    };
    if let Some(problem) = s
        .wait_closed(before.restarts, &before.last_error, Duration::from_secs(20))
        .await?
    {
        return Ok(Outcome::fail(problem)
            .sent(sent)
            .received(format!("{:?}: {}", status.code(), status.message())));
    }
    Ok(Outcome::pass(format!(
        "open failed with {}; Close (OpenConnectionFailure) followed",
        ecma2_proto::fault::ecma2_name(fault.fault_kind())
    )))
}
