//! Reading import pages. A page is one `GetImportEntries` call read to its end: the entries
//! (fragments reassembled) and the results frame. A full import reads pages ahead of the
//! connector space ([`ReadAhead`]), so the connector, the host and the engine's SQLite work
//! overlap; the next request of a full import needs only the page's watermark. A delta import
//! does not read ahead: its next request may carry FullObjectEntries, which come from applying
//! the page.

use ecma2_proto::frames::Reassembler;
use ecma2_proto::pb::*;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::connection::Engine;
use crate::error::{Error, Result, explain};

/// One page as it crossed.
pub struct Page {
    /// The entries, in order.
    pub entries: Vec<CsEntryChange>,
    /// The page's results frame.
    pub results: GetImportEntriesResults,
}

/// Builds the call for one page.
pub fn request(
    engine: &Engine,
    connector: &str,
    session: &str,
    custom_data: String,
    full_object_entries: Vec<CsEntryChange>,
) -> tonic::Request<GetImportEntriesRequest> {
    // Entry batches when the connector has them (docs/protocol.md#entry-batches).
    engine.batched_request(
        connector,
        GetImportEntriesRequest {
            session_id: session.to_owned(),
            import_run_step: Some(GetImportEntriesRunStep {
                custom_data,
                full_object_entries,
            }),
        },
    )
}

/// Reads one page to its end (so the call's status is checked).
pub async fn read(
    mut client: crate::connection::ConnectorClient,
    request: tonic::Request<GetImportEntriesRequest>,
    cancel: CancellationToken,
) -> Result<Page> {
    let call = async {
        let mut stream = client.get_import_entries(request).await.map_err(explain)?.into_inner();
        let mut reassembler = Reassembler::default();
        let mut entries = std::collections::VecDeque::new();
        let mut results = None;
        while let Some(frame) = stream.message().await.map_err(explain)? {
            crate::connection::frame_entries(frame, &mut reassembler, &mut results, &mut entries)?;
        }
        reassembler.ensure_idle()?;
        Ok(Page {
            entries: entries.into(),
            results: results.ok_or(Error::MissingResults)?,
        })
    };
    tokio::select! {
        page = call => page,
        _ = cancel.cancelled() => Err(Error::Interrupted { profile: "import" }),
    }
}

/// How many pages a full import reads ahead of the page the connector space is applying.
pub const READ_AHEAD: usize = 4;

/// The pages of a full import read in the background, up to [`READ_AHEAD`] ahead: each page's
/// request goes out as soon as the page before it has its results, so the connector and the
/// host keep working while the connector space commits (a commit or a checkpoint can take longer
/// than a page takes to cross). Dropping it abandons the call in flight.
pub struct ReadAhead {
    pages: tokio::sync::mpsc::Receiver<Result<Page>>,
    task: JoinHandle<()>,
}

impl ReadAhead {
    /// Starts reading the pages after the one whose results carried `custom_data`, until one
    /// says there is nothing more to import.
    pub fn start(
        engine: &Engine,
        connector: &str,
        session: &str,
        custom_data: String,
        cancel: CancellationToken,
    ) -> Self {
        let (send, pages) = tokio::sync::mpsc::channel(READ_AHEAD);
        let client = engine.connectors();
        let first = request(engine, connector, session, custom_data, Vec::new());
        // Later requests carry the same metadata (token, connector, entry batches).
        let metadata = first.metadata().clone();
        let session = session.to_owned();
        let task = tokio::spawn(async move {
            let mut next = Some(first);
            while let Some(call) = next.take() {
                let page = read(client.clone(), call, cancel.clone()).await;
                if let Ok(page) = &page
                    && page.results.more_to_import
                {
                    let mut call = tonic::Request::new(GetImportEntriesRequest {
                        session_id: session.clone(),
                        import_run_step: Some(GetImportEntriesRunStep {
                            custom_data: page.results.custom_data.clone(),
                            full_object_entries: Vec::new(),
                        }),
                    });
                    *call.metadata_mut() = metadata.clone();
                    next = Some(call);
                }
                if send.send(page).await.is_err() {
                    return;
                }
            }
        });
        Self { pages, task }
    }

    /// The next page.
    pub async fn page(&mut self, connector: &str) -> Result<Page> {
        self.pages.recv().await.unwrap_or_else(|| {
            Err(Error::Protocol {
                connector: connector.to_owned(),
                reason: "reading the next page stopped".into(),
            })
        })
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.task.abort();
    }
}
