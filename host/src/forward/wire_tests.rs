//! Tests of [`Reader`]: pages cut into chunks at every size come out as the same bytes (or, for
//! an engine without batches, as the batch's entries one message each), the checks fire, and
//! nothing of a large frame waits in the reader.

use super::*;
use ecma2_proto::pb::{
    CsEntryChange, EntryBatch, EntryFragment, GetImportEntriesResponse, GetImportEntriesResults,
    get_import_entries_response::Frame,
};
use prost::Message;

fn entry(i: usize, blob: usize) -> CsEntryChange {
    CsEntryChange {
        object_type: "user".into(),
        dn: format!("CN={i}{}", "x".repeat(blob)),
        ..Default::default()
    }
}

/// `frames` as a gRPC body: each message with its 5-byte header.
fn body(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        let message = GetImportEntriesResponse {
            frame: Some(frame.clone()),
        }
        .encode_to_vec();
        out.push(0);
        out.extend_from_slice(&(message.len() as u32).to_be_bytes());
        out.extend_from_slice(&message);
    }
    out
}

fn results() -> Frame {
    Frame::Results(GetImportEntriesResults::default())
}

/// Feeds `wire` in chunks of `size`; what went out, or the first problem.
fn run(wire: &[u8], size: usize, page_size: usize, batches: bool) -> Result<(Vec<u8>, Reader), Problem> {
    let mut reader = Reader::new(page_size, batches);
    let mut out = VecDeque::new();
    for chunk in wire.chunks(size) {
        reader.feed(Bytes::copy_from_slice(chunk), &mut out)?;
    }
    Ok((out.iter().flat_map(|b| b.iter().copied()).collect(), reader))
}

/// The messages of a gRPC body.
fn messages(wire: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        assert_eq!(wire[at], 0);
        let len = u32::from_be_bytes(wire[at + 1..at + 5].try_into().unwrap()) as usize;
        let message = GetImportEntriesResponse::decode(&wire[at + 5..at + 5 + len]).unwrap();
        frames.push(message.frame.expect("a frame"));
        at += 5 + len;
    }
    frames
}

fn page() -> Vec<Frame> {
    vec![
        Frame::Entry(entry(0, 0)),
        Frame::EntryBatch(EntryBatch {
            entries: (1..4).map(|i| entry(i, 300)).collect(),
        }),
        Frame::EntryFragment(EntryFragment {
            data: Bytes::from_static(b"\x0a\x04user"),
            last: false,
        }),
        Frame::EntryFragment(EntryFragment {
            data: Bytes::from_static(b"\x12\x02dn"),
            last: true,
        }),
        Frame::Results(GetImportEntriesResults {
            custom_data: "w:7".into(),
            more_to_import: true,
        }),
    ]
}

#[test]
fn a_page_goes_out_as_it_came_in_any_chunk_size() {
    let wire = body(&page());
    for size in [1, 2, 3, 5, 7, 64, 1000, wire.len()] {
        let (out, reader) = run(&wire, size, 5, true).unwrap();
        assert_eq!(out, wire, "chunks of {size}");
        assert_eq!(reader.entries(), 5, "chunks of {size}");
        assert!(reader.ended(), "chunks of {size}");
    }
}

#[test]
fn a_batch_reaches_an_engine_without_batches_as_single_entries() {
    let wire = body(&page());
    for size in [1, 3, 7, 100, wire.len()] {
        let (out, reader) = run(&wire, size, 5, false).unwrap();
        let frames = messages(&out);
        let mut expected = page();
        let Frame::EntryBatch(batch) = expected.remove(1) else {
            unreachable!()
        };
        for (i, e) in batch.entries.into_iter().enumerate() {
            expected.insert(1 + i, Frame::Entry(e));
        }
        assert_eq!(frames, expected, "chunks of {size}");
        assert_eq!(reader.entries(), 5);
    }
}

#[test]
fn empty_results_end_the_page_at_a_chunk_boundary() {
    let wire = body(&[Frame::Entry(entry(0, 0)), results()]);
    assert!(wire.ends_with(&[0, 0, 0, 0, 2, 0x1a, 0]), "{wire:?}");
    let first = wire.len() - 7;
    let mut reader = Reader::new(1, true);
    let mut out = VecDeque::new();
    reader
        .feed(Bytes::copy_from_slice(&wire[..wire.len() - 1]), &mut out)
        .unwrap();
    assert_eq!(
        out.iter().map(Bytes::len).sum::<usize>(),
        first,
        "the results' start is held"
    );
    assert!(!reader.ended());
    reader
        .feed(Bytes::copy_from_slice(&wire[wire.len() - 1..]), &mut out)
        .unwrap();
    assert!(reader.ended());
    let sent: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
    assert_eq!(sent, wire);
    // Nothing after the results is read.
    let mut more = wire.clone();
    more.extend_from_slice(&body(&[Frame::Entry(entry(1, 0))]));
    let (out, _) = run(&more, 4, 1, true).unwrap();
    assert_eq!(out, wire);
}

#[test]
fn more_entries_than_the_page_size_is_a_problem() {
    let wire = body(&page());
    for batches in [true, false] {
        for size in [1, 9, wire.len()] {
            assert_eq!(run(&wire, size, 3, batches).err(), Some(Problem::TooMany));
        }
    }
    // Split, the entries within the page size went out whole before the problem.
    let mut reader = Reader::new(2, false);
    let mut out = VecDeque::new();
    assert_eq!(reader.feed(Bytes::from(wire), &mut out), Err(Problem::TooMany));
    let sent: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
    assert_eq!(messages(&sent).len(), 2);
}

#[test]
fn an_entry_after_an_unfinished_fragment_is_a_problem_before_it_goes_out() {
    let open = Frame::EntryFragment(EntryFragment {
        data: Bytes::from_static(b"\x0a\x04user"),
        last: false,
    });
    let wire = body(&[open.clone(), Frame::Entry(entry(1, 0))]);
    let mut reader = Reader::new(10, true);
    let mut out = VecDeque::new();
    let first = body(std::slice::from_ref(&open)).len();
    assert_eq!(
        reader.feed(Bytes::from(wire), &mut out),
        Err(Problem::Unfinished {
            ended_page: false,
            entry: 1
        })
    );
    assert_eq!(
        out.iter().map(Bytes::len).sum::<usize>(),
        first,
        "only the fragment went out"
    );
    let wire = body(&[open, results()]);
    assert_eq!(
        run(&wire, 3, 10, true).err(),
        Some(Problem::Unfinished {
            ended_page: true,
            entry: 1
        })
    );
}

#[test]
fn bad_framing_is_named() {
    let empty = body(&[Frame::EntryBatch(EntryBatch::default())]);
    assert_eq!(run(&empty, 2, 10, true).err(), Some(Problem::EmptyBatch));
    let mut compressed = body(&[results()]);
    compressed[0] = 1;
    assert_eq!(run(&compressed, 10, 10, true).err(), Some(Problem::Compressed));
    let huge = [0, 0xff, 0, 0, 0];
    assert!(matches!(run(&huge, 5, 10, true).err(), Some(Problem::TooLarge(_))));
    // A batch (field 4) whose entry claims more bytes than the batch has.
    let wire = [0, 0, 0, 0, 5, 0x22, 3, 0x0a, 9, b'a'];
    let err = run(&wire, 1, 10, false).err().unwrap();
    assert!(err.to_string().contains("entry 1 runs past the frame's end"), "{err}");
    // A field longer than its message.
    let wire = [0, 0, 0, 0, 2, 0x0a, 9];
    assert!(matches!(run(&wire, 10, 10, true).err(), Some(Problem::Malformed(_))));
    // Something other than entries in a batch.
    let wire = [0, 0, 0, 0, 4, 0x22, 2, 0x10, 1];
    assert!(matches!(run(&wire, 10, 10, true).err(), Some(Problem::BadBatch(_))));
}

/// The body of a page of one batch of `entries` entries with `blob` bytes of data each.
fn one_batch(entries: usize, blob: usize) -> Vec<u8> {
    body(&[
        Frame::EntryBatch(EntryBatch {
            entries: (0..entries).map(|i| entry(i, blob)).collect(),
        }),
        results(),
    ])
}

/// Issue #18: a 1 MiB batch arriving in HTTP/2-sized chunks goes out chunk by chunk, so the
/// reader never holds a frame (the message-at-a-time relay held each whole batch, twice over,
/// per stream).
#[test]
fn a_large_batch_is_handed_on_as_it_arrives() {
    let wire = one_batch(1400, 700);
    assert!(wire.len() > 1_000_000, "{}", wire.len());
    for batches in [true, false] {
        let mut reader = Reader::new(5000, batches);
        let mut out = VecDeque::new();
        let (mut fed, mut sent) = (0usize, 0usize);
        for chunk in wire.chunks(16 * 1024) {
            fed += chunk.len();
            reader.feed(Bytes::copy_from_slice(chunk), &mut out).unwrap();
            sent += out.drain(..).map(|b| b.len()).sum::<usize>();
            // Split, each entry message has a header the batch did not; passed through, at
            // most the framing of the next field waits.
            if batches {
                assert!(fed - sent <= 16, "fed {fed}, sent {sent}");
            } else {
                assert!(sent + 16 >= fed - 1024, "fed {fed}, sent {sent}");
            }
        }
        assert!(reader.ended());
        assert_eq!(reader.entries(), 1400);
    }
}

/// Issue #18: bytes that pass unchanged go out as slices of the chunks they came in, not cut
/// per entry (a slice and a copy per entry cost the host a fifth of its CPU relaying).
#[test]
fn passed_through_bytes_go_out_in_the_slices_they_came_in() {
    let wire = one_batch(400, 100);
    let mut reader = Reader::new(5000, true);
    let mut sent = Vec::new();
    for chunk in wire.chunks(16 * 1024) {
        let chunk = Bytes::copy_from_slice(chunk);
        let mut out = VecDeque::new();
        reader.feed(chunk.clone(), &mut out).unwrap();
        assert!(out.len() <= 2, "{} pieces from one chunk", out.len());
        let range = chunk.as_ptr_range();
        for piece in &out {
            if piece.len() > 64 {
                assert!(
                    range.contains(&piece.as_ptr()),
                    "a piece of {} bytes was copied",
                    piece.len()
                );
            }
            sent.extend_from_slice(piece);
        }
    }
    assert_eq!(sent, wire);
    assert_eq!(reader.entries(), 400);
}
