//! The engine's side of every measurement: a ConnectorService client that adds the right
//! metadata (the launch secret when it talks to a connector directly, the bearer token and the
//! connector name when it talks to a host), and the runs the benchmark times with it: a full
//! import, one-object pages, an export, and a cancelled page. Both targets go through exactly the
//! same code, so the only difference between "direct" and "through the host" is the host.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use ecma2_proto::frames::{self, Framed, MAX_MESSAGE_BYTES, Reassembler};
use ecma2_proto::meta;
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::*;
use ecma2_transport::Address;
use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// Adds fixed metadata to every call.
#[derive(Clone)]
pub struct Meta(Vec<(&'static str, AsciiMetadataValue)>);

impl Interceptor for Meta {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        for (key, value) in &self.0 {
            request.metadata_mut().insert(*key, value.clone());
        }
        Ok(request)
    }
}

/// A ConnectorService client, direct or through a host.
pub type Client = ConnectorServiceClient<InterceptedService<Channel, Meta>>;

/// A client of `address` sending `metadata` on every call.
pub async fn client(address: &Address, metadata: &[(&'static str, &str)]) -> Result<Client> {
    let channel = ecma2_transport::connect(address).await?;
    let meta = metadata
        .iter()
        .map(|(k, v)| Ok((*k, v.parse().with_context(|| format!("metadata {k} is not ASCII"))?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(ConnectorServiceClient::with_interceptor(channel, Meta(meta))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

/// A client of a connector process, authenticated with its launch secret.
pub async fn direct(address: &Address, secret: &str) -> Result<Client> {
    client(address, &[(meta::LAUNCH_SECRET, secret)]).await
}

/// A client of connector `connector` behind the host at `address`.
pub async fn via_host(address: &Address, token: &str, connector: &str) -> Result<Client> {
    let bearer = format!("Bearer {token}");
    client(address, &[(meta::AUTHORIZATION, &bearer), (meta::CONNECTOR, connector)]).await
}

/// A configuration parameter.
pub fn param(name: &str, value: impl Into<String>) -> ConfigParameter {
    ConfigParameter {
        name: name.to_owned(),
        value: value.into(),
        ..Default::default()
    }
}

/// What one timed import returned.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportRun {
    /// Entries received.
    pub objects: u64,
    /// Pages read.
    pub pages: u64,
    /// From the open to the end of the close.
    pub elapsed: Duration,
}

impl ImportRun {
    /// Objects per second.
    pub fn rate(&self) -> f64 {
        self.objects as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The connector's schema (the engine keeps it from configuration time; not timed).
pub async fn schema(client: &mut Client, params: &[ConfigParameter]) -> Result<Schema> {
    Ok(client
        .get_schema(GetSchemaRequest {
            config_parameters: params.to_vec(),
        })
        .await
        .context("GetSchema")?
        .into_inner()
        .schema
        .unwrap_or_default())
}

/// Opens a full import; returns the session id.
pub async fn open_import(
    client: &mut Client,
    params: &[ConfigParameter],
    schema: &Schema,
    page_size: i32,
) -> Result<String> {
    let opened = client
        .open_import_connection(OpenImportConnectionRequest {
            config_parameters: params.to_vec(),
            types: Some(schema.clone()),
            import_run_step: Some(OpenImportConnectionRunStep {
                page_size,
                import_type: OperationType::Full as i32,
                ..Default::default()
            }),
        })
        .await
        .context("OpenImportConnection")?
        .into_inner();
    ensure!(
        opened.page_size == page_size,
        "asked for pages of {page_size}, got {}",
        opened.page_size
    );
    Ok(opened.session_id)
}

/// Closes an import session.
pub async fn close_import(client: &mut Client, session_id: &str, reason: CloseReason) -> Result<()> {
    client
        .close_import_connection(CloseImportConnectionRequest {
            session_id: session_id.to_owned(),
            import_run_step: Some(CloseImportConnectionRunStep {
                reason: reason as i32,
                ..Default::default()
            }),
        })
        .await
        .context("CloseImportConnection")?;
    Ok(())
}

/// Reads one page to the end of its stream (so the call's status is checked), reassembling
/// fragmented entries as an engine must; returns (entries, more_to_import). Asks for entry
/// batches, as the engine crate does.
pub async fn read_page(client: &mut Client, session_id: &str) -> Result<(u64, bool)> {
    read_page_with(client, session_id, true).await
}

/// [`read_page`], asking for entry batches (`ecma2-features: entry-batches`) or not.
pub async fn read_page_with(client: &mut Client, session_id: &str, batches: bool) -> Result<(u64, bool)> {
    let mut request = tonic::Request::new(GetImportEntriesRequest {
        session_id: session_id.to_owned(),
        import_run_step: Some(GetImportEntriesRunStep::default()),
    });
    if batches {
        request
            .metadata_mut()
            .insert(meta::FEATURES, AsciiMetadataValue::from_static(meta::ENTRY_BATCHES));
    }
    let mut stream = client
        .get_import_entries(request)
        .await
        .context("GetImportEntries")?
        .into_inner();
    let mut entries = 0u64;
    let mut more = None;
    let mut reassembler = Reassembler::default();
    while let Some(frame) = stream.message().await.context("GetImportEntries stream")? {
        match frame.frame {
            Some(get_import_entries_response::Frame::Entry(entry)) => {
                reassembler.ensure_idle()?;
                drop(entry);
                entries += 1;
            }
            Some(get_import_entries_response::Frame::EntryFragment(fragment)) => {
                entries += u64::from(reassembler.push(fragment)?.is_some());
            }
            Some(get_import_entries_response::Frame::Results(results)) => more = Some(results.more_to_import),
            Some(get_import_entries_response::Frame::EntryBatch(batch)) => {
                ensure!(batches, "an entry batch the call did not ask for");
                reassembler.ensure_idle()?;
                entries += batch.entries.len() as u64;
            }
            None => {}
        }
    }
    match more {
        Some(more) => Ok((entries, more)),
        None => bail!("a page ended without its results frame"),
    }
}

/// A whole full import: open, every page, close; timed from the open to the end of the close.
pub async fn import_all(
    client: &mut Client,
    params: &[ConfigParameter],
    schema: &Schema,
    page_size: i32,
) -> Result<ImportRun> {
    import_all_with(client, params, schema, page_size, true).await
}

/// [`import_all`], asking for entry batches or not.
pub async fn import_all_with(
    client: &mut Client,
    params: &[ConfigParameter],
    schema: &Schema,
    page_size: i32,
    batches: bool,
) -> Result<ImportRun> {
    let started = Instant::now();
    let session = open_import(client, params, schema, page_size).await?;
    let mut run = ImportRun::default();
    loop {
        let (entries, more) = read_page_with(client, &session, batches).await?;
        run.objects += entries;
        run.pages += 1;
        if !more {
            break;
        }
    }
    close_import(client, &session, CloseReason::Normal).await?;
    run.elapsed = started.elapsed();
    Ok(run)
}

/// One target of the one-object-page latency measurement: a session with page size 1 that is
/// reopened (untimed) when it runs out of objects.
pub struct LatencyTarget {
    client: Client,
    params: Vec<ConfigParameter>,
    schema: Schema,
    session: Option<String>,
    pids: Vec<u32>,
    /// The timed calls so far.
    pub samples: Vec<Duration>,
    /// Wake-ups of each of the path's processes during the timed calls.
    pub wakeups: Vec<u64>,
}

impl LatencyTarget {
    /// A target calling through `client`; `pids` are the processes on its path, whose wake-ups
    /// are counted.
    pub async fn new(mut client: Client, params: Vec<ConfigParameter>, pids: Vec<u32>) -> Result<Self> {
        let schema = schema(&mut client, &params).await?;
        Ok(Self {
            client,
            params,
            schema,
            session: None,
            wakeups: vec![0; pids.len()],
            pids,
            samples: Vec::new(),
        })
    }

    fn read_wakeups(&self) -> Result<Vec<u64>> {
        self.pids.iter().map(|p| crate::machine::wakeups(*p)).collect()
    }

    /// One GetImportEntries of a one-object page; timed from the request to the end of the stream.
    pub async fn call(&mut self, keep: bool) -> Result<()> {
        let session = match &self.session {
            Some(s) => s.clone(),
            None => {
                let s = open_import(&mut self.client, &self.params, &self.schema, 1).await?;
                self.session = Some(s.clone());
                s
            }
        };
        let started = Instant::now();
        let (entries, more) = read_page(&mut self.client, &session).await?;
        let took = started.elapsed();
        ensure!(entries <= 1, "a one-object page returned {entries} entries");
        if keep {
            self.samples.push(took);
        }
        if !more {
            close_import(&mut self.client, &session, CloseReason::Normal).await?;
            self.session = None;
        }
        Ok(())
    }

    /// Closes the open session, if any.
    pub async fn finish(&mut self) -> Result<()> {
        if let Some(session) = self.session.take() {
            close_import(&mut self.client, &session, CloseReason::Normal).await?;
        }
        Ok(())
    }
}

/// Runs `calls` timed one-object pages on every target, interleaved in chunks so that a change
/// of machine load hits every target alike; `warmup` untimed calls each come first.
pub async fn interleaved_latency(targets: &mut [LatencyTarget], warmup: u32, calls: u32) -> Result<()> {
    const CHUNK: u32 = 50;
    for target in targets.iter_mut() {
        for _ in 0..warmup {
            target.call(false).await?;
        }
    }
    let mut done = 0;
    while done < calls {
        let chunk = CHUNK.min(calls - done);
        for target in targets.iter_mut() {
            let before = target.read_wakeups()?;
            for _ in 0..chunk {
                target.call(true).await?;
            }
            let after = target.read_wakeups()?;
            for (total, (a, b)) in target.wakeups.iter_mut().zip(after.iter().zip(&before)) {
                *total += a.saturating_sub(*b);
            }
        }
        done += chunk;
    }
    for target in targets.iter_mut() {
        target.finish().await?;
    }
    Ok(())
}

/// What one timed export did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportRun {
    /// Entries sent (each confirmed with Success).
    pub objects: u64,
    /// From the open to the end of the close.
    pub elapsed: Duration,
}

impl ExportRun {
    /// Objects per second.
    pub fn rate(&self) -> f64 {
        self.objects as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Frames one batch for PutExportEntries; the first frame names the session.
fn export_frames(session_id: &str, batch: Vec<CsEntryChange>) -> Vec<PutExportEntriesRequest> {
    let mut out = Vec::with_capacity(batch.len());
    for entry in batch {
        match frames::frame(entry) {
            Framed::Whole(e) => out.push(PutExportEntriesRequest {
                session_id: String::new(),
                frame: Some(put_export_entries_request::Frame::Entry(e)),
            }),
            Framed::Fragments(parts) => out.extend(parts.into_iter().map(|p| PutExportEntriesRequest {
                session_id: String::new(),
                frame: Some(put_export_entries_request::Frame::EntryFragment(p)),
            })),
        }
    }
    match out.first_mut() {
        Some(first) => first.session_id = session_id.to_owned(),
        None => out.push(PutExportEntriesRequest {
            session_id: session_id.to_owned(),
            frame: None,
        }),
    }
    out
}

/// A whole export: open, every batch, close; timed from the open to the end of the close.
/// Every entry must come back as Success, or the run is not a measurement of exporting.
pub async fn export_all(
    client: &mut Client,
    params: &[ConfigParameter],
    batches: Vec<Vec<CsEntryChange>>,
    batch_size: i32,
) -> Result<ExportRun> {
    let started = Instant::now();
    let opened = client
        .open_export_connection(OpenExportConnectionRequest {
            config_parameters: params.to_vec(),
            types: None,
            export_run_step: Some(OpenExportConnectionRunStep {
                export_type: OperationType::Delta as i32,
                batch_size,
                ..Default::default()
            }),
        })
        .await
        .context("OpenExportConnection")?
        .into_inner();
    let session = opened.session_id;
    let mut run = ExportRun::default();
    for batch in batches {
        let count = batch.len() as u64;
        let frames = export_frames(&session, batch);
        let results = client
            .put_export_entries(tokio_stream::iter(frames))
            .await
            .context("PutExportEntries")?
            .into_inner()
            .results
            .unwrap_or_default()
            .cs_entry_change_results;
        if let Some(bad) = results.iter().find(|r| r.error_code() != MaExportError::Success) {
            bail!("an export entry did not succeed: {bad:?}");
        }
        run.objects += count;
    }
    client
        .close_export_connection(CloseExportConnectionRequest {
            session_id: session,
            export_run_step: Some(CloseExportConnectionRunStep {
                reason: CloseReason::Normal as i32,
            }),
        })
        .await
        .context("CloseExportConnection")?;
    run.elapsed = started.elapsed();
    Ok(run)
}
