//! The engine's side of the wire: a connection to a host (running, or started in-process from a
//! config file for the duration of a command) and request helpers that add the bearer token and
//! the `ecma2-connector` metadata key.

use std::path::Path;
use std::time::Duration;

use ecma2_host::config::HostConfig;
use ecma2_host::{Host, RunningHost};
use ecma2_proto::meta;
use ecma2_proto::pb::ListConnectorsRequest;
use ecma2_proto::pb::connector_service_client::ConnectorServiceClient;
use ecma2_proto::pb::host_service_client::HostServiceClient;
use ecma2_transport::Address;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use crate::error::{Error, Result, explain};

/// The entries one `GetImportEntries` frame completes, in order: a whole entry, the last
/// fragment of one, or every entry of an `entry_batch` frame. A results frame is handed back
/// through `results`.
pub(crate) fn frame_entries(
    frame: ecma2_proto::pb::GetImportEntriesResponse,
    reassembler: &mut ecma2_proto::frames::Reassembler,
    results: &mut Option<ecma2_proto::pb::GetImportEntriesResults>,
    out: &mut std::collections::VecDeque<ecma2_proto::pb::CsEntryChange>,
) -> std::result::Result<(), ecma2_proto::frames::FrameError> {
    use ecma2_proto::pb::get_import_entries_response::Frame;
    match frame.frame {
        Some(Frame::Entry(e)) => {
            reassembler.ensure_idle()?;
            out.push_back(e);
        }
        Some(Frame::EntryFragment(f)) => out.extend(reassembler.push(f)?),
        Some(Frame::EntryBatch(b)) => {
            reassembler.ensure_idle()?;
            out.extend(b.entries);
        }
        Some(Frame::Results(r)) => *results = Some(r),
        None => {}
    }
    Ok(())
}

/// How long [`Engine::start`] waits for the connectors of an in-process host to settle.
const SETTLE: Duration = Duration::from_secs(60);

/// The ConnectorService client of an [`Engine`].
pub type ConnectorClient = ConnectorServiceClient<Channel>;

/// A connection to a host.
pub struct Engine {
    channel: Channel,
    /// Where a plain (not TLS) connection was made, for [`Engine::stalled_connectors`].
    address: Option<Address>,
    token: MetadataValue<tonic::metadata::Ascii>,
    /// The in-process host, when the command started one.
    pub owned: Option<RunningHost>,
}

impl Engine {
    /// Connects to a running host.
    pub async fn connect(address: &Address, token: &str) -> Result<Self> {
        let channel = ecma2_transport::connect(address).await?;
        let token = format!("Bearer {token}").parse().map_err(|_| Error::TokenFile {
            path: "(token)".into(),
            reason: "the token is not printable ASCII".into(),
        })?;
        Ok(Self {
            channel,
            address: Some(address.clone()),
            token,
            owned: None,
        })
    }

    /// Connects over mutual TLS (a host serving `[engine.tls]`), presenting `tls`'s client
    /// certificate, then the token as usual.
    pub async fn connect_tls(address: &Address, token_file: &Path, tls: &ecma2_transport::ClientTls) -> Result<Self> {
        let token_error = |reason: String| Error::TokenFile {
            path: token_file.to_owned(),
            reason,
        };
        let token = std::fs::read_to_string(token_file).map_err(|e| token_error(e.to_string()))?;
        let token = format!("Bearer {}", token.trim())
            .parse()
            .map_err(|_| token_error("the token is not printable ASCII".into()))?;
        let connection = ecma2_transport::dial(address, Some(tls)).await?;
        Ok(Self {
            channel: connection.channel,
            address: None,
            token,
            owned: None,
        })
    }

    /// Connects using a token file.
    pub async fn connect_with_file(address: &Address, token_file: &Path) -> Result<Self> {
        let token = std::fs::read_to_string(token_file).map_err(|e| Error::TokenFile {
            path: token_file.to_owned(),
            reason: e.to_string(),
        })?;
        Self::connect(address, token.trim()).await.map_err(|e| match e {
            Error::TokenFile { reason, .. } => Error::TokenFile {
                path: token_file.to_owned(),
                reason,
            },
            other => other,
        })
    }

    /// Starts a host from `config` in this process and connects to it.
    pub async fn start(config: HostConfig) -> Result<Self> {
        let host = Host::start(config).await?;
        if !host.wait_settled(SETTLE).await {
            return Err(Error::HostNotReady {
                seconds: SETTLE.as_secs(),
            });
        }
        let mut engine = Self::connect(&host.address, &host.token).await?;
        engine.owned = Some(host);
        Ok(engine)
    }

    /// A request with the token and the target connector.
    pub fn request<T>(&self, connector: &str, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(meta::AUTHORIZATION, self.token.clone());
        if let Ok(value) = connector.parse() {
            request.metadata_mut().insert(meta::CONNECTOR, value);
        }
        request
    }

    /// [`Engine::request`] for a `GetImportEntries` call that reads entry batches: the
    /// `ecma2-features: entry-batches` metadata asks the connector (through the host) for
    /// `entry_batch` frames; a host or connector that does not know it sends one entry per frame.
    pub fn batched_request<T>(&self, connector: &str, message: T) -> tonic::Request<T> {
        let mut request = self.request(connector, message);
        request.metadata_mut().insert(
            meta::FEATURES,
            tonic::metadata::MetadataValue::from_static(meta::ENTRY_BATCHES),
        );
        request
    }

    /// A ConnectorService client over a connection of its own that lets no response data in (an
    /// HTTP/2 stream window of 0): a call's response headers arrive, its body never does. For a
    /// check that walks away from a page under way however fast the connector (the host sends a
    /// page's headers once the connector has answered, and a fast page could otherwise arrive
    /// whole with them). Over TLS it is the usual client.
    pub async fn stalled_connectors(&self) -> Result<ConnectorServiceClient<Channel>> {
        let Some(address) = &self.address else {
            return Ok(self.connectors());
        };
        let stalled = ecma2_transport::Windows {
            stream: Some(0),
            connection: None,
        };
        let channel = ecma2_transport::connect_with(address, stalled).await?;
        Ok(ConnectorServiceClient::new(channel)
            .max_decoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES))
    }

    /// The ConnectorService client.
    pub fn connectors(&self) -> ConnectorServiceClient<Channel> {
        ConnectorServiceClient::new(self.channel.clone())
            .max_decoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(ecma2_proto::frames::MAX_MESSAGE_BYTES)
    }

    /// The connector's schema for `params` (GetSchema); None when the connector sends none.
    pub async fn schema(
        &self,
        connector: &str,
        params: &[ecma2_proto::pb::ConfigParameter],
    ) -> Result<Option<ecma2_proto::pb::Schema>> {
        let request = ecma2_proto::pb::GetSchemaRequest {
            config_parameters: params.to_vec(),
        };
        let response = self
            .connectors()
            .get_schema(self.request(connector, request))
            .await
            .map_err(explain)?;
        Ok(response.into_inner().schema)
    }

    /// The HostService client.
    pub fn host(&self) -> HostServiceClient<Channel> {
        HostServiceClient::new(self.channel.clone())
    }

    /// Lists connector names.
    pub async fn connector_names(&self) -> Result<Vec<String>> {
        let response = self
            .host()
            .list_connectors(self.request("", ListConnectorsRequest {}))
            .await
            .map_err(explain)?;
        Ok(response.into_inner().connectors.into_iter().map(|c| c.name).collect())
    }

    /// Stops the in-process host, if any.
    pub async fn finish(self) {
        if let Some(host) = self.owned {
            host.shutdown().await;
        }
    }
}
