//! Entry framing: how a page of import entries or a batch of export entries crosses a stream
//! without a message-size limit. An entry whose encoding fits in [`FRAGMENT_SIZE`] travels as
//! one frame; a larger one (a 50 MiB photo) is split into [`EntryFragment`]s that the receiver
//! concatenates and decodes. Nobody ever holds more than one entry.

use bytes::{Bytes, BytesMut};
use prost::Message;

use crate::pb::{CsEntryChange, EntryFragment};

/// The largest encoded entry sent whole, and the size of each fragment of a larger one.
pub const FRAGMENT_SIZE: usize = 1024 * 1024;

/// The default ceiling on one reassembled entry; a peer that sends more is faulty.
pub const DEFAULT_MAX_ENTRY_BYTES: usize = 512 * 1024 * 1024;

/// The gRPC message size limit both sides configure: a fragment plus framing overhead, with
/// room to spare for a large non-entry message such as a schema.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// One entry, framed for a stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Framed {
    /// Small enough to send as is.
    Whole(CsEntryChange),
    /// Split into fragments, in order; the last has `last = true`.
    Fragments(Vec<EntryFragment>),
}

/// Frames one entry.
pub fn frame(entry: CsEntryChange) -> Framed {
    frame_with(entry, FRAGMENT_SIZE)
}

/// Frames one entry with a given fragment size (tests use small ones).
pub fn frame_with(entry: CsEntryChange, fragment_size: usize) -> Framed {
    let len = entry.encoded_len();
    if len <= fragment_size {
        return Framed::Whole(entry);
    }
    let encoded = Bytes::from(entry.encode_to_vec());
    drop(entry);
    let mut fragments = Vec::with_capacity(len.div_ceil(fragment_size));
    let mut offset = 0;
    while offset < len {
        let end = (offset + fragment_size).min(len);
        fragments.push(EntryFragment {
            data: encoded.slice(offset..end),
            last: end == len,
        });
        offset = end;
    }
    Framed::Fragments(fragments)
}

/// Why a run of fragments could not be turned back into an entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    /// The fragments add up to more than the receiver accepts.
    #[error("entry is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A whole entry or the end of the stream arrived while fragments were pending.
    #[error("entry fragments ended without a last fragment ({pending} bytes pending)")]
    Unfinished {
        /// Bytes received for the unfinished entry.
        pending: usize,
    },
    /// The concatenated fragments are not a valid CSEntryChange.
    #[error("entry fragments do not decode as a CSEntryChange: {0}")]
    Decode(String),
}

/// Rebuilds entries from fragments, one at a time.
#[derive(Debug)]
pub struct Reassembler {
    buf: BytesMut,
    limit: usize,
}

impl Default for Reassembler {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_ENTRY_BYTES)
    }
}

impl Reassembler {
    /// A reassembler that refuses entries above `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            limit,
        }
    }

    /// Adds one fragment; returns the entry when this was its last fragment.
    pub fn push(&mut self, fragment: EntryFragment) -> Result<Option<CsEntryChange>, FrameError> {
        if self.buf.len() + fragment.data.len() > self.limit {
            self.buf.clear();
            return Err(FrameError::TooLarge { limit: self.limit });
        }
        self.buf.extend_from_slice(&fragment.data);
        if !fragment.last {
            return Ok(None);
        }
        let encoded = std::mem::take(&mut self.buf).freeze();
        CsEntryChange::decode(encoded)
            .map(Some)
            .map_err(|e| FrameError::Decode(e.to_string()))
    }

    /// Checks that no entry is half received (before a whole entry, or at the end of a stream).
    pub fn ensure_idle(&self) -> Result<(), FrameError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(FrameError::Unfinished {
                pending: self.buf.len(),
            })
        }
    }

    /// Whether fragments of an entry are pending.
    pub fn is_pending(&self) -> bool {
        !self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::{AttributeChange, AttributeValue, ValueChange, attribute_value::Kind};

    fn entry_with_binary(size: usize) -> CsEntryChange {
        CsEntryChange {
            identifier: "7d8f4f0e-3c1a-4f39-9b8e-1f6a1b2c3d4e".into(),
            object_type: "user".into(),
            attribute_changes: vec![AttributeChange {
                name: "photo".into(),
                value_changes: vec![ValueChange {
                    value: Some(AttributeValue {
                        kind: Some(Kind::BinaryValue(Bytes::from(vec![0xA5; size]))),
                    }),
                    modification_type: 2,
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn small_entries_travel_whole() {
        let entry = entry_with_binary(10);
        assert_eq!(frame(entry.clone()), Framed::Whole(entry));
    }

    #[test]
    fn large_entries_split_and_reassemble_exactly() {
        let entry = entry_with_binary(5 * 1024 * 1024 + 17);
        let Framed::Fragments(fragments) = frame(entry.clone()) else {
            panic!("a 5 MiB entry must be fragmented");
        };
        assert_eq!(fragments.len(), 6);
        assert!(fragments.iter().all(|f| f.data.len() <= FRAGMENT_SIZE));
        assert_eq!(fragments.iter().filter(|f| f.last).count(), 1);
        let mut reassembler = Reassembler::default();
        let mut out = None;
        for fragment in fragments {
            assert!(out.is_none(), "entry returned before its last fragment");
            out = reassembler.push(fragment).unwrap();
        }
        assert_eq!(out, Some(entry));
        reassembler.ensure_idle().unwrap();
    }

    #[test]
    fn oversized_and_unfinished_entries_are_refused() {
        let Framed::Fragments(fragments) = frame_with(entry_with_binary(4000), 1000) else {
            panic!("expected fragments");
        };
        let mut small = Reassembler::new(2500);
        let mut result = Ok(None);
        for fragment in fragments.clone() {
            result = small.push(fragment);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(FrameError::TooLarge { limit: 2500 }));

        let mut reassembler = Reassembler::default();
        reassembler.push(fragments[0].clone()).unwrap();
        assert!(matches!(
            reassembler.ensure_idle(),
            Err(FrameError::Unfinished { pending: 1000 })
        ));
    }
}
