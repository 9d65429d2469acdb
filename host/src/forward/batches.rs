//! Entry batches on the import path (the `entry-batches` feature, docs/protocol.md): the host
//! asks a connector for `entry_batch` frames when its handshake listed the feature
//! ([`crate::relay::RelayClient::entry_batches`]), and relays each batch to the engine as it came
//! when the engine's call asked for batches (`ecma2-features: entry-batches`), or as one `entry`
//! frame per entry otherwise. Either way the entries stay encoded: `super::wire` counts a
//! batch's entries against the page size and splits it as its bytes go by.

use ecma2_proto::meta;
use ecma2_proto::pb::HandshakeResponse;
use tonic::codegen::http::HeaderName;
use tonic::metadata::MetadataMap;

/// Whether the engine's call asked for entry batches.
pub(crate) fn engine_accepts(metadata: &MetadataMap) -> bool {
    const FEATURES: HeaderName = HeaderName::from_static(meta::FEATURES);
    metadata
        .as_ref()
        .get_all(FEATURES)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| meta::lists_feature(v, meta::ENTRY_BATCHES))
}

/// The host's answer to an engine's handshake: the connector's, with `entry-batches` listed
/// exactly when the engine listed it (the host serves batches whatever the connector does:
/// it relays the connector's batches, and a connector without them sends single entries).
pub(crate) fn answer(engine_features: &[String], mut response: HandshakeResponse) -> HandshakeResponse {
    response.features.retain(|f| f != meta::ENTRY_BATCHES);
    if engine_features.iter().any(|f| f == meta::ENTRY_BATCHES) {
        response.features.push(meta::ENTRY_BATCHES.to_owned());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_asks_per_call_and_the_answer_follows_its_handshake() {
        let mut metadata = MetadataMap::new();
        assert!(!engine_accepts(&metadata));
        metadata.insert(meta::FEATURES, "other, entry-batches".parse().unwrap());
        assert!(engine_accepts(&metadata));
        let connector = HandshakeResponse {
            features: vec![meta::ENTRY_BATCHES.into(), "x".into()],
            ..Default::default()
        };
        assert_eq!(answer(&[], connector.clone()).features, ["x"]);
        assert_eq!(
            answer(&[meta::ENTRY_BATCHES.into()], HandshakeResponse::default()).features,
            [meta::ENTRY_BATCHES]
        );
    }
}
