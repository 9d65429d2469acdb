//! The connector's capabilities as the engine reads them: from GetCapabilitiesEx (with the
//! administrator's parameters) when the connector has it, else GetCapabilities, else ECMA2's
//! defaults.

use ecma2_proto::pb::*;

use crate::connection::Engine;
use crate::error::{Result, explain};

/// Resolved capabilities of the connector.
pub async fn capabilities(engine: &Engine, connector: &str, params: &[ConfigParameter]) -> Result<MaCapabilities> {
    let mut client = engine.connectors();
    let handshake = client
        .handshake(engine.request(
            connector,
            HandshakeRequest {
                protocol_versions: ecma2_proto::PROTOCOL_VERSIONS.to_vec(),
                ..Default::default()
            },
        ))
        .await
        .map_err(explain)?
        .into_inner();
    let caps = if handshake
        .interfaces
        .contains(&(Ecma2Interface::GetCapabilitiesEx as i32))
    {
        client
            .get_capabilities_ex(engine.request(
                connector,
                GetCapabilitiesExRequest {
                    config_parameters: params.to_vec(),
                },
            ))
            .await
            .map_err(explain)?
            .into_inner()
            .capabilities
    } else if handshake.interfaces.contains(&(Ecma2Interface::GetCapabilities as i32)) {
        client
            .get_capabilities(engine.request(connector, GetCapabilitiesRequest {}))
            .await
            .map_err(explain)?
            .into_inner()
            .capabilities
    } else {
        None
    };
    Ok(caps.unwrap_or_default())
}
