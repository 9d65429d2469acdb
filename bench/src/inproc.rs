//! The demo connector used as a library, in this process. Two in-process import paths are
//! timed: the connector's own `CallImport` code called directly (row 1a: what an in-process
//! ECMA2 connector costs, the baseline of b/a), and the SDK's `ConnectorServer` called as a Rust
//! trait without sockets or protobuf encoding (row 1a': adds the SDK's session bookkeeping,
//! per-call task and framing). Seeding also happens here, through the same code.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use ecma2_demo::Demo;
use ecma2_proto::pb::connector_service_server::ConnectorService;
use ecma2_proto::pb::*;
use ecma2_sdk::{CallExport, CallImport, Context, GetSchema, Params};
use prost::Message;
use tokio_stream::StreamExt;

use crate::engine::ImportRun;

/// The demo connector's schema.
pub async fn schema(params: &[ConfigParameter]) -> Result<Schema> {
    let mut demo = Demo::default();
    Ok(demo
        .get_schema(&Context::detached("GetSchema"), &Params(params.to_vec()))
        .await?)
}

fn open_step(page_size: i32) -> OpenImportConnectionRunStep {
    OpenImportConnectionRunStep {
        page_size,
        import_type: OperationType::Full as i32,
        ..Default::default()
    }
}

/// A full import through the connector's CallImport code; also returns the average encoded
/// size of an entry of the first page (for the table's header).
pub async fn import_connector_code(
    params: &[ConfigParameter],
    schema: &Schema,
    page_size: i32,
) -> Result<(ImportRun, u64)> {
    let params = Params(params.to_vec());
    let started = Instant::now();
    let mut demo = Demo::default();
    demo.open_import_connection(
        &Context::detached("OpenImportConnection"),
        &params,
        schema,
        &open_step(page_size),
    )
    .await?;
    let mut run = ImportRun::default();
    let mut average = 0;
    loop {
        let page = demo
            .get_import_entries(
                &Context::detached("GetImportEntries"),
                &GetImportEntriesRunStep::default(),
            )
            .await?;
        if run.pages == 0 && !page.entries.is_empty() {
            let bytes: usize = page.entries.iter().map(Message::encoded_len).sum();
            average = (bytes / page.entries.len()) as u64;
        }
        run.objects += page.entries.len() as u64;
        run.pages += 1;
        drop(page.entries);
        if !page.more_to_import {
            break;
        }
    }
    demo.close_import_connection(
        &Context::detached("CloseImportConnection"),
        &CloseImportConnectionRunStep {
            reason: CloseReason::Normal as i32,
            ..Default::default()
        },
    )
    .await?;
    run.elapsed = started.elapsed();
    Ok((run, average))
}

/// A full import through the SDK's ConnectorServer, called as a trait in this process.
pub async fn import_sdk_server(params: &[ConfigParameter], schema: &Schema, page_size: i32) -> Result<ImportRun> {
    let server = ecma2_demo::connector().server();
    let started = Instant::now();
    let opened = server
        .open_import_connection(tonic::Request::new(OpenImportConnectionRequest {
            config_parameters: params.to_vec(),
            types: Some(schema.clone()),
            import_run_step: Some(open_step(page_size)),
        }))
        .await?
        .into_inner();
    let mut run = ImportRun::default();
    loop {
        let mut stream = server
            .get_import_entries(tonic::Request::new(GetImportEntriesRequest {
                session_id: opened.session_id.clone(),
                import_run_step: Some(GetImportEntriesRunStep::default()),
            }))
            .await?
            .into_inner();
        let mut more = None;
        while let Some(frame) = stream.next().await {
            match frame?.frame {
                Some(get_import_entries_response::Frame::Entry(_)) => run.objects += 1,
                Some(get_import_entries_response::Frame::EntryFragment(f)) => run.objects += u64::from(f.last),
                Some(get_import_entries_response::Frame::Results(r)) => more = Some(r.more_to_import),
                Some(get_import_entries_response::Frame::EntryBatch(b)) => run.objects += b.entries.len() as u64,
                None => {}
            }
        }
        run.pages += 1;
        if !more.context("a page ended without its results frame")? {
            break;
        }
    }
    server
        .close_import_connection(tonic::Request::new(CloseImportConnectionRequest {
            session_id: opened.session_id,
            import_run_step: Some(CloseImportConnectionRunStep {
                reason: CloseReason::Normal as i32,
                ..Default::default()
            }),
        }))
        .await?;
    run.elapsed = started.elapsed();
    Ok(run)
}

/// Creates the database at `params`' `database` with the demo's fixed objects and its
/// `seed_users` generated users (about ten attributes, 500 bytes each).
pub async fn seed(params: &[ConfigParameter]) -> Result<()> {
    let params = Params(params.to_vec());
    let path = ecma2_demo::params::database(&params)?;
    let users = ecma2_demo::params::seed_users(&params)?;
    ecma2_demo::store::Store::open(path, users, || false).await?;
    Ok(())
}

/// Adds `batches` of entries (none larger than `batch_size`) through the connector's CallExport
/// code.
pub async fn export(
    params: &[ConfigParameter],
    batches: impl IntoIterator<Item = Vec<CsEntryChange>>,
    batch_size: usize,
) -> Result<()> {
    let params = Params(params.to_vec());
    let mut demo = Demo::default();
    demo.open_export_connection(
        &Context::detached("OpenExportConnection"),
        &params,
        &Schema::default(),
        &OpenExportConnectionRunStep {
            export_type: OperationType::Delta as i32,
            batch_size: batch_size as i32,
            ..Default::default()
        },
    )
    .await?;
    for batch in batches {
        let results = demo
            .put_export_entries(&Context::detached("PutExportEntries"), batch)
            .await?;
        let bad = results
            .cs_entry_change_results
            .iter()
            .find(|r| r.error_code() != MaExportError::Success);
        ensure!(bad.is_none(), "seeding by export failed: {bad:?}");
    }
    demo.close_export_connection(
        &Context::detached("CloseExportConnection"),
        &CloseExportConnectionRunStep {
            reason: CloseReason::Normal as i32,
        },
    )
    .await?;
    Ok(())
}

/// One-object pages through the SDK's ConnectorServer in this process, timed like the wire paths
/// of item 2 (request to end of stream): what the connector and the SDK take without any socket.
pub async fn one_object_pages(
    params: &[ConfigParameter],
    schema: &Schema,
    warmup: u32,
    calls: u32,
) -> Result<Vec<Duration>> {
    let server = ecma2_demo::connector().server();
    let mut session: Option<String> = None;
    let mut samples = Vec::with_capacity(calls as usize);
    for i in 0..warmup + calls {
        let id = match &session {
            Some(id) => id.clone(),
            None => {
                let opened = server
                    .open_import_connection(tonic::Request::new(OpenImportConnectionRequest {
                        config_parameters: params.to_vec(),
                        types: Some(schema.clone()),
                        import_run_step: Some(open_step(1)),
                    }))
                    .await?
                    .into_inner();
                session = Some(opened.session_id.clone());
                opened.session_id
            }
        };
        let started = Instant::now();
        let mut stream = server
            .get_import_entries(tonic::Request::new(GetImportEntriesRequest {
                session_id: id.clone(),
                import_run_step: Some(GetImportEntriesRunStep::default()),
            }))
            .await?
            .into_inner();
        let mut more = false;
        while let Some(frame) = stream.next().await {
            if let Some(get_import_entries_response::Frame::Results(r)) = frame?.frame {
                more = r.more_to_import;
            }
        }
        if i >= warmup {
            samples.push(started.elapsed());
        }
        if !more {
            server
                .close_import_connection(tonic::Request::new(CloseImportConnectionRequest {
                    session_id: id,
                    import_run_step: None,
                }))
                .await?;
            session = None;
        }
    }
    if let Some(id) = session {
        server
            .close_import_connection(tonic::Request::new(CloseImportConnectionRequest {
                session_id: id,
                import_run_step: None,
            }))
            .await?;
    }
    Ok(samples)
}
