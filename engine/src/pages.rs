//! Reading import pages. A page is one `GetImportEntries` call read to its end: the entries
//! (fragments reassembled) and the results frame. A full import asks for the next page while the
//! connector space applies the current one ([`Prefetch`]), so the connector, the host and the
//! engine's SQLite work overlap; the next request of a full import needs only the page's
//! watermark. A delta import does not prefetch: its next request may carry FullObjectEntries,
//! which come from applying the page.

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

/// A page being read in the background; dropping it abandons the call.
pub struct Prefetch(JoinHandle<Result<Page>>);

impl Prefetch {
    /// Starts reading a page.
    pub fn start(
        client: crate::connection::ConnectorClient,
        request: tonic::Request<GetImportEntriesRequest>,
        cancel: CancellationToken,
    ) -> Self {
        Self(tokio::spawn(read(client, request, cancel)))
    }

    /// The page.
    pub async fn page(mut self, connector: &str) -> Result<Page> {
        match (&mut self.0).await {
            Ok(page) => page,
            Err(e) => Err(Error::Protocol {
                connector: connector.to_owned(),
                reason: format!("reading the next page stopped: {e}"),
            }),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}
