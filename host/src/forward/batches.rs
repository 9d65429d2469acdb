//! Entry batches on the import path (the `entry-batches` feature, docs/protocol.md): the host
//! asks a connector for `entry_batch` frames when its handshake listed the feature
//! ([`crate::relay::RelayClient::entry_batches`]), and relays each batch to the engine as it came
//! when the engine's call asked for batches (`ecma2-features: entry-batches`), or as one `entry`
//! frame per entry otherwise. Either way the entries stay encoded: a batch is split by slicing
//! its bytes, and its entries are counted against the page size without decoding them.

use bytes::Bytes;
use ecma2_proto::frames::batch_entries;
use ecma2_proto::meta;
use ecma2_proto::pb::HandshakeResponse;
use tonic::metadata::MetadataMap;

use crate::relay::{RelayFrame, RelayKind};

/// Whether the engine's call asked for entry batches.
pub(crate) fn engine_accepts(metadata: &MetadataMap) -> bool {
    metadata
        .get_all(meta::FEATURES)
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

/// What to do with one batch frame from a connector.
#[derive(Debug)]
pub(crate) enum Opened {
    /// Relay it as it is: it holds this many entries.
    Forward(usize),
    /// Relay these single-entry frames instead.
    Split(Vec<RelayFrame>),
}

/// Reads the entries of an encoded `EntryBatch` (slices of `batch`, nothing decoded) and decides
/// how it travels on: whole when the engine asked for batches, else one frame per entry. An
/// empty or malformed batch is the connector's fault; the error says why.
pub(crate) fn open(batch: &Bytes, engine_accepts: bool) -> Result<Opened, String> {
    let entries = batch_entries(batch).map_err(|e| e.to_string())?;
    if entries.is_empty() {
        return Err("sent an entry batch without entries".to_owned());
    }
    if engine_accepts {
        return Ok(Opened::Forward(entries.len()));
    }
    Ok(Opened::Split(
        entries
            .into_iter()
            .map(|entry| RelayFrame {
                frame: Some(RelayKind::Entry(entry)),
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecma2_proto::pb::{CsEntryChange, EntryBatch, GetImportEntriesResponse, get_import_entries_response};
    use prost::Message;

    fn batch(n: usize) -> Bytes {
        let entries = (0..n)
            .map(|i| CsEntryChange {
                dn: format!("CN={i}"),
                object_type: "user".into(),
                ..Default::default()
            })
            .collect();
        Bytes::from(EntryBatch { entries }.encode_to_vec())
    }

    #[test]
    fn a_split_batch_is_the_same_bytes_as_single_entry_frames() {
        let Opened::Split(frames) = open(&batch(3), false).unwrap() else {
            panic!("split expected");
        };
        let dns: Vec<String> = frames
            .into_iter()
            .map(|f| {
                let wire = f.encode_to_vec();
                match GetImportEntriesResponse::decode(wire.as_slice()).unwrap().frame {
                    Some(get_import_entries_response::Frame::Entry(e)) => e.dn,
                    other => panic!("an entry frame, got {other:?}"),
                }
            })
            .collect();
        assert_eq!(dns, ["CN=0", "CN=1", "CN=2"]);
    }

    #[test]
    fn a_forwarded_batch_is_counted() {
        assert!(matches!(open(&batch(5), true).unwrap(), Opened::Forward(5)));
    }

    #[test]
    fn empty_and_malformed_batches_are_refused() {
        assert!(open(&Bytes::new(), true).unwrap_err().contains("without entries"));
        let err = open(&Bytes::from_static(b"\x0a\x09ab"), false).unwrap_err();
        assert!(err.contains("runs past the frame's end"), "{err}");
    }

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
