//! Entry framing: how a page of import entries or a batch of export entries crosses a stream
//! without a message-size limit. An entry whose encoding fits in [`FRAGMENT_SIZE`] travels as
//! one frame; a larger one (a 50 MiB photo) is split into [`EntryFragment`]s that the receiver
//! concatenates and decodes. Nobody ever holds more than one entry.

use bytes::{Bytes, BytesMut};
use prost::Message;

use crate::pb::{CsEntryChange, EntryBatch, EntryFragment};

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

/// One step of a page framed with entry batches ([`batch`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Batched {
    /// Whole entries whose encodings add up to at most [`FRAGMENT_SIZE`] (or one entry).
    Batch(EntryBatch),
    /// The fragments of one entry larger than [`FRAGMENT_SIZE`], in order.
    Fragments(Vec<EntryFragment>),
}

/// Frames a page's entries for a caller that accepts entry batches: consecutive entries that fit
/// a frame share one [`EntryBatch`] of at most [`FRAGMENT_SIZE`] bytes; a larger entry is
/// fragmented as [`frame`] does. Order is kept.
pub fn batch(entries: impl IntoIterator<Item = CsEntryChange>) -> Vec<Batched> {
    batch_with(entries, FRAGMENT_SIZE)
}

/// [`batch`] with a given frame size (tests use small ones).
pub fn batch_with(entries: impl IntoIterator<Item = CsEntryChange>, frame_size: usize) -> Vec<Batched> {
    let mut out = Vec::new();
    let mut open = EntryBatch::default();
    let mut bytes = 0usize;
    for entry in entries {
        let len = entry.encoded_len();
        if len > frame_size {
            if !open.entries.is_empty() {
                out.push(Batched::Batch(std::mem::take(&mut open)));
                bytes = 0;
            }
            if let Framed::Fragments(parts) = frame_with(entry, frame_size) {
                out.push(Batched::Fragments(parts));
            }
            continue;
        }
        // Each entry costs its bytes plus a tag and a length prefix of at most 5 bytes.
        let cost = len + 6;
        if !open.entries.is_empty() && bytes + cost > frame_size {
            out.push(Batched::Batch(std::mem::take(&mut open)));
            bytes = 0;
        }
        bytes += cost;
        open.entries.push(entry);
    }
    if !open.entries.is_empty() {
        out.push(Batched::Batch(open));
    }
    out
}

/// The encoded entries of an encoded [`EntryBatch`], as slices of `batch` (nothing is decoded
/// or copied): what a relay needs to count a batch's entries or split it into single frames.
pub fn batch_entries(batch: &Bytes) -> Result<Vec<Bytes>, FrameError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let data = batch.as_ref();
    while at < data.len() {
        let (key, used) =
            varint(&data[at..]).ok_or_else(|| FrameError::Batch(format!("bad field key at byte {at}")))?;
        at += used;
        match (key >> 3, key & 7) {
            (1, 2) => {
                let (len, used) =
                    varint(&data[at..]).ok_or_else(|| FrameError::Batch(format!("bad entry length at byte {at}")))?;
                at += used;
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|len| at.checked_add(len))
                    .filter(|end| *end <= data.len())
                    .ok_or_else(|| FrameError::Batch(format!("entry {} runs past the frame's end", out.len() + 1)))?;
                out.push(batch.slice(at..end));
                at = end;
            }
            (field, wire) => {
                return Err(FrameError::Batch(format!(
                    "unexpected field {field} (wire type {wire}) at byte {at}: an EntryBatch holds only entries"
                )));
            }
        }
    }
    Ok(out)
}

/// A base-128 varint at the start of `data`: (value, bytes read).
fn varint(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in data.iter().take(10).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
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
    /// An entry batch frame is not a sequence of entries.
    #[error("entry batch frame is malformed: {0}")]
    Batch(String),
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
    fn batches_keep_order_stay_within_a_frame_and_fragment_large_entries() {
        let mut entries: Vec<CsEntryChange> = (0..10).map(|i| entry_with_binary(100 + i)).collect();
        entries.insert(4, entry_with_binary(5000));
        let framed = batch_with(entries.clone(), 1000);
        let mut back = Vec::new();
        let mut batches = 0;
        for step in framed {
            match step {
                Batched::Batch(b) => {
                    batches += 1;
                    let wire = Bytes::from(b.encode_to_vec());
                    assert!(wire.len() <= 1000, "a batch of {} bytes", wire.len());
                    let slices = batch_entries(&wire).unwrap();
                    assert_eq!(slices.len(), b.entries.len());
                    for slice in slices {
                        back.push(CsEntryChange::decode(slice).unwrap());
                    }
                }
                Batched::Fragments(parts) => {
                    let mut r = Reassembler::default();
                    let mut out = None;
                    for p in parts {
                        out = r.push(p).unwrap();
                    }
                    back.push(out.unwrap());
                }
            }
        }
        assert_eq!(back, entries);
        assert!(batches >= 3, "{batches} batches");
    }

    #[test]
    fn a_malformed_batch_is_named() {
        let err = batch_entries(&Bytes::from_static(b"\x0a\x05ab")).unwrap_err();
        assert!(err.to_string().contains("entry 1 runs past the frame's end"), "{err}");
        let err = batch_entries(&Bytes::from_static(b"\x10\x01")).unwrap_err();
        assert!(err.to_string().contains("unexpected field 2"), "{err}");
        assert_eq!(batch_entries(&Bytes::new()).unwrap(), Vec::<Bytes>::new());
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
