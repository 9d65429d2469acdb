//! An import page read as the bytes of its HTTP/2 body, as they arrive: [`Reader`] follows the
//! gRPC message framing and the protobuf fields of each `GetImportEntriesResponse` far enough to
//! check the page (the frame kinds, fragments finished, entries within the page size, batches
//! holding entries) and hands the bytes on as slices of what arrived, without waiting for a
//! whole message. A 1 MiB entry batch therefore never sits whole in the host: what the host
//! holds of a page is what the connector's HTTP/2 windows let in and what the engine's side has
//! not sent yet (issue #18: ten connectors with ten sessions each held 339 MiB when each stream
//! kept whole batches in tonic's encode buffer).
//!
//! What passes unchanged goes out as the slices it arrived in, whole HTTP/2 data frames as a
//! rule: the reader tracks how far into the stream it may hand on, and cuts nothing per entry
//! (one slice and one copy per entry cost the host a fifth of its CPU relaying, issue #18).
//!
//! For an engine that did not ask for entry batches, a batch is split on the way: each of its
//! entries goes out as a message of its own (an `entry` frame), its bytes still slices of the
//! batch's.
//!
//! A check that fails inside a message (the batch's entry past the page size) comes after the
//! message's first bytes went out; the page then ends with the error in its trailers, and the
//! engine's decoder drops the unfinished message. A message's first field is checked before any
//! of it goes out.

use std::collections::VecDeque;

use bytes::{BufMut, Bytes, BytesMut};
use ecma2_proto::frames::MAX_MESSAGE_BYTES;

/// The gRPC message header: a compression flag and a 4-byte big-endian length.
const HEADER: usize = 5;

/// What a connector's page did wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// An entry, a batch or the results came while entry `entry` was still in fragments.
    Unfinished {
        /// The results came (else an entry or a batch).
        ended_page: bool,
        /// The unfinished entry, counted from 1.
        entry: usize,
    },
    /// More entries than the page size.
    TooMany,
    /// A batch without entries.
    EmptyBatch,
    /// A batch holding something other than entries, or running past its frame.
    BadBatch(String),
    /// Not the wire form of a `GetImportEntriesResponse`.
    Malformed(String),
    /// A compressed message (the host never asks for compression).
    Compressed,
    /// A message larger than the contract's limit.
    TooLarge(usize),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unfinished { ended_page, entry } => write!(
                f,
                "{} while entry {entry} was unfinished: its fragments never reached the one with \
                 last = true, so the entry would be lost",
                if *ended_page { "ended a page" } else { "sent an entry" }
            ),
            Problem::TooMany => write!(f, "returned more entries than the page size"),
            Problem::EmptyBatch => write!(f, "sent an entry batch without entries"),
            Problem::BadBatch(why) => write!(f, "sent a malformed entry batch: {why}"),
            Problem::Malformed(why) => write!(f, "sent a frame that is not a GetImportEntriesResponse: {why}"),
            Problem::Compressed => write!(f, "sent a compressed frame, which the host did not ask for"),
            Problem::TooLarge(len) => write!(
                f,
                "sent a frame of {len} bytes, over the limit of {MAX_MESSAGE_BYTES} bytes"
            ),
        }
    }
}

/// Where the reader is in the page's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A message's 5-byte header.
    Header,
    /// A field key of `GetImportEntriesResponse` (or the message's end).
    Key,
    /// The length of top-level field `field`.
    Len { field: u64 },
    /// A top-level varint value.
    Varint,
    /// `left` bytes of a top-level field passed on as they are (an entry, the results, a field
    /// this host does not know).
    Body { left: usize },
    /// A key inside a fragment or a batch (or its end).
    InnerKey,
    /// The length of inner field `field`.
    InnerLen { field: u64 },
    /// An inner varint value of field `field`.
    InnerVarint { field: u64 },
    /// `left` bytes of an inner field; `entry` when it is an entry of a batch.
    InnerBody { left: usize, entry: bool },
    /// The page's results went by: nothing more is read.
    Done,
}

/// Which top-level field holds the bytes being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outer {
    Fragment,
    Batch,
}

/// Reads one page's body; see the module documentation.
pub(crate) struct Reader {
    page_size: usize,
    engine_batches: bool,
    /// Whole entries so far.
    entries: usize,
    /// The last fragment had `last = false`.
    open_fragment: bool,
    state: State,
    header: [u8; HEADER],
    header_len: usize,
    varint: u64,
    varint_len: u32,
    /// Bytes of the current message not read yet.
    message_left: usize,
    /// Bytes of the current fragment or batch not read yet.
    outer_left: usize,
    outer: Outer,
    /// Entries of the current batch.
    batch_entries: usize,
    /// The current fragment's `last`.
    last: bool,
    /// Fields of the current message so far.
    fields: usize,
    /// The current message is a batch split into entry messages.
    split: bool,
    /// The current message's results frame went by.
    results: bool,
    /// The current message's bytes are held until its first field is checked.
    held: bool,
    /// Framing bytes of a split batch's entry messages not handed on yet.
    head: BytesMut,
    /// The chunk being read, and its offset in the page's bytes.
    chunk: Bytes,
    base: u64,
    /// Offset of the next byte to read.
    pos: u64,
    /// Offset up to which the page's bytes went out (or were dropped, those of a split batch).
    emitted: u64,
    /// Offset of the current message's header.
    message_from: u64,
    /// Bytes from earlier chunks held back: those from `emitted` on.
    carry: BytesMut,
}

impl Reader {
    /// A reader for a page of at most `page_size` entries, relayed to an engine that asked for
    /// entry batches or not.
    pub(crate) fn new(page_size: usize, engine_batches: bool) -> Self {
        Self {
            page_size,
            engine_batches,
            entries: 0,
            open_fragment: false,
            state: State::Header,
            header: [0; HEADER],
            header_len: 0,
            varint: 0,
            varint_len: 0,
            message_left: 0,
            outer_left: 0,
            outer: Outer::Batch,
            batch_entries: 0,
            last: false,
            fields: 0,
            split: false,
            results: false,
            held: false,
            head: BytesMut::new(),
            chunk: Bytes::new(),
            base: 0,
            pos: 0,
            emitted: 0,
            message_from: 0,
            carry: BytesMut::new(),
        }
    }

    /// Whole entries read so far.
    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    /// The page's results frame has been read (and handed on).
    pub(crate) fn ended(&self) -> bool {
        self.state == State::Done
    }

    /// Reads `chunk`, appending what goes to the engine to `out`. After an error the reader must
    /// not be fed again; what went out then ends before the message the problem is in.
    pub(crate) fn feed(&mut self, chunk: Bytes, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        self.base = self.pos;
        self.chunk = chunk;
        let read = self.read(out);
        // Where reading stopped: the chunk's end, or the page's (bytes after its results are
        // never handed on).
        let end = self.pos;
        if let Err(problem) = read {
            if !self.split {
                self.flush(self.message_from.min(end), out);
            }
            return Err(problem);
        }
        if self.split {
            // A split batch's bytes went out as entry messages of their own.
            self.skip_to(end);
            if !self.head.is_empty() {
                out.push_back(self.head.split().freeze());
            }
        } else {
            // A message goes out once its first field is checked; a header still arriving waits.
            let limit = if self.held {
                self.message_from
            } else {
                end - self.header_len as u64
            };
            self.flush(limit, out);
        }
        // What is held back waits for the next chunk.
        if self.emitted < end {
            let from = (self.emitted.max(self.base) - self.base) as usize;
            self.carry
                .extend_from_slice(&self.chunk[from..(end - self.base) as usize]);
        }
        self.chunk = Bytes::new();
        Ok(())
    }

    /// Reads the current chunk; see [`Reader::feed`].
    fn read(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        let mut at = 0;
        let chunk = self.chunk.clone();
        let data = chunk.as_ref();
        while at < data.len() {
            self.pos = self.base + at as u64;
            if matches!(self.state, State::Key | State::InnerKey) && self.at_end_of_container(out)? {
                continue;
            }
            match self.state {
                State::Done => return Ok(()),
                State::Header => {
                    self.header[self.header_len] = data[at];
                    self.header_len += 1;
                    at += 1;
                    if self.header_len == HEADER {
                        self.pos = self.base + at as u64;
                        self.start_message(out)?;
                    }
                }
                State::Key | State::Len { .. } | State::Varint => {
                    at += 1;
                    let Some(value) = self.varint_byte(data[at - 1], false)? else {
                        continue;
                    };
                    self.pos = self.base + at as u64;
                    self.top_varint(value, out)?;
                }
                State::InnerKey | State::InnerLen { .. } | State::InnerVarint { .. } => {
                    at += 1;
                    let Some(value) = self.varint_byte(data[at - 1], true)? else {
                        continue;
                    };
                    self.pos = self.base + at as u64;
                    self.inner_varint(value, out)?;
                }
                State::Body { left } => {
                    let n = left.min(data.len() - at);
                    at += n;
                    self.message_left -= n;
                    self.state = if left == n {
                        State::Key
                    } else {
                        State::Body { left: left - n }
                    };
                }
                State::InnerBody { left, entry } => {
                    let n = left.min(data.len() - at);
                    if self.split && entry {
                        self.pass(chunk.slice(at..at + n), out);
                    }
                    at += n;
                    self.message_left -= n;
                    self.outer_left -= n;
                    self.state = if left == n {
                        State::InnerKey
                    } else {
                        State::InnerBody { left: left - n, entry }
                    };
                }
            }
        }
        // A chunk may end exactly at the end of a field, a batch or a message.
        self.pos = self.base + data.len() as u64;
        self.settle(out)
    }

    /// Hands on the page's bytes up to offset `limit`: those held back from earlier chunks, then
    /// a slice of the current one.
    fn flush(&mut self, limit: u64, out: &mut VecDeque<Bytes>) {
        if limit <= self.emitted {
            return;
        }
        if !self.carry.is_empty() {
            let n = self.carry.len().min((limit - self.emitted) as usize);
            out.push_back(self.carry.split_to(n).freeze());
            self.emitted += n as u64;
        }
        if limit > self.emitted {
            let (from, to) = ((self.emitted - self.base) as usize, (limit - self.base) as usize);
            out.push_back(self.chunk.slice(from..to));
            self.emitted = limit;
        }
    }

    /// Drops the page's bytes up to offset `to` without handing them on (a split batch's).
    fn skip_to(&mut self, to: u64) {
        if to <= self.emitted {
            return;
        }
        let n = (to - self.emitted) as usize;
        if n >= self.carry.len() {
            self.carry.clear();
        } else {
            let _ = self.carry.split_to(n);
        }
        self.emitted = to;
    }

    /// Finishes what ends without another byte: an empty field, a batch, fragment or message
    /// whose last byte was read.
    fn settle(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        loop {
            match self.state {
                State::Body { left: 0 } => self.state = State::Key,
                State::InnerBody { left: 0, .. } => self.state = State::InnerKey,
                State::Key | State::InnerKey => {
                    if !self.at_end_of_container(out)? {
                        return Ok(());
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// A message's header is complete: checks it and starts reading its fields.
    fn start_message(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        self.header_len = 0;
        self.message_from = self.pos - HEADER as u64;
        if self.header[0] != 0 {
            return Err(Problem::Compressed);
        }
        let len = u32::from_be_bytes([self.header[1], self.header[2], self.header[3], self.header[4]]) as usize;
        if len > MAX_MESSAGE_BYTES {
            return Err(Problem::TooLarge(len));
        }
        self.message_left = len;
        self.fields = 0;
        self.split = false;
        self.results = false;
        self.held = true;
        self.state = State::Key;
        self.at_end_of_container(out)?;
        Ok(())
    }

    /// In `Key` or `InnerKey` with nothing left of the message (or of the fragment or batch):
    /// finishes it. Returns whether it did.
    fn at_end_of_container(&mut self, out: &mut VecDeque<Bytes>) -> Result<bool, Problem> {
        match self.state {
            State::InnerKey if self.outer_left == 0 => {
                self.end_outer()?;
                self.state = State::Key;
                // The message may end here too.
                self.at_end_of_container(out)?;
                Ok(true)
            }
            State::Key if self.message_left == 0 => {
                self.held = false;
                if self.split {
                    if !self.head.is_empty() {
                        out.push_back(self.head.split().freeze());
                    }
                    self.skip_to(self.pos);
                    self.split = false;
                }
                self.state = if self.results { State::Done } else { State::Header };
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Adds one byte to the varint being read; its value once it is complete. The byte counts
    /// against the message (and the fragment or batch when `inner`).
    fn varint_byte(&mut self, byte: u8, inner: bool) -> Result<Option<u64>, Problem> {
        if self.message_left == 0 || (inner && self.outer_left == 0) {
            return Err(Problem::Malformed("a field runs past the end of its frame".into()));
        }
        self.message_left -= 1;
        if inner {
            self.outer_left -= 1;
        }
        if self.varint_len >= 10 {
            return Err(Problem::Malformed("a varint longer than 10 bytes".into()));
        }
        self.varint |= u64::from(byte & 0x7f) << (7 * self.varint_len);
        self.varint_len += 1;
        if byte & 0x80 != 0 {
            return Ok(None);
        }
        let value = self.varint;
        self.varint = 0;
        self.varint_len = 0;
        Ok(Some(value))
    }

    /// A complete top-level varint: a key, a length or a value.
    fn top_varint(&mut self, value: u64, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        match self.state {
            State::Key => {
                if self.split {
                    return Err(Problem::Malformed(
                        "a field after an entry batch in the same frame".into(),
                    ));
                }
                let (field, wire) = (value >> 3, value & 7);
                self.fields += 1;
                self.state = match wire {
                    0 => State::Varint,
                    1 => State::Body { left: 8 },
                    5 => State::Body { left: 4 },
                    2 => State::Len { field },
                    _ => return Err(Problem::Malformed(format!("field {field} has wire type {wire}"))),
                };
                if wire != 2 {
                    self.held = false;
                }
                self.check_body_fits()?;
            }
            State::Varint => self.state = State::Key,
            State::Len { field } => {
                let left = self.length(value, self.message_left)?;
                self.state = match field {
                    1 => {
                        self.before_kind(false)?;
                        self.count(1)?;
                        State::Body { left }
                    }
                    2 => {
                        self.outer = Outer::Fragment;
                        self.outer_left = left;
                        self.last = false;
                        State::InnerKey
                    }
                    3 => {
                        self.before_kind(true)?;
                        self.results = true;
                        State::Body { left }
                    }
                    4 => {
                        self.before_kind(false)?;
                        if !self.engine_batches {
                            if self.fields != 1 {
                                return Err(Problem::Malformed(
                                    "an entry batch after other fields of a frame".into(),
                                ));
                            }
                            // Its entries go out as messages of their own; nothing of this one does.
                            self.flush(self.message_from, out);
                            self.skip_to(self.pos);
                            self.split = true;
                        }
                        self.outer = Outer::Batch;
                        self.outer_left = left;
                        self.batch_entries = 0;
                        State::InnerKey
                    }
                    _ => State::Body { left },
                };
                self.held = false;
            }
            _ => unreachable!("top_varint in {:?}", self.state),
        }
        Ok(())
    }

    /// A complete varint inside a fragment or a batch.
    fn inner_varint(&mut self, value: u64, out: &mut VecDeque<Bytes>) -> Result<(), Problem> {
        match self.state {
            State::InnerKey => {
                let (field, wire) = (value >> 3, value & 7);
                if self.outer == Outer::Batch && (field, wire) != (1, 2) {
                    return Err(Problem::BadBatch(format!(
                        "unexpected field {field} (wire type {wire}): an EntryBatch holds only entries"
                    )));
                }
                self.state = match wire {
                    0 => State::InnerVarint { field },
                    1 => State::InnerBody { left: 8, entry: false },
                    5 => State::InnerBody { left: 4, entry: false },
                    2 => State::InnerLen { field },
                    _ => return Err(Problem::Malformed(format!("field {field} has wire type {wire}"))),
                };
                if let State::InnerBody { left, .. } = self.state
                    && left > self.outer_left
                {
                    return Err(Problem::Malformed("a field runs past the end of its frame".into()));
                }
            }
            State::InnerVarint { field } => {
                if self.outer == Outer::Fragment && field == 2 {
                    self.last = value != 0;
                }
                self.state = State::InnerKey;
            }
            State::InnerLen { field } => {
                let left = if self.outer == Outer::Batch {
                    usize::try_from(value)
                        .ok()
                        .filter(|len| *len <= self.outer_left)
                        .ok_or_else(|| {
                            Problem::BadBatch(format!("entry {} runs past the frame's end", self.batch_entries + 1))
                        })?
                } else {
                    self.length(value, self.outer_left)?
                };
                let entry = self.outer == Outer::Batch && field == 1;
                if entry {
                    self.batch_entries += 1;
                    self.count(1)?;
                    if self.split {
                        // An entry frame of its own: field 1 of GetImportEntriesResponse, the
                        // same key as the batch's.
                        let mut len = [0u8; 10];
                        let n = put_varint(&mut len, value);
                        let message = 1 + n + left;
                        self.head.put_u8(0);
                        self.head.put_u32(message as u32);
                        self.head.put_u8(0x0a);
                        self.head.extend_from_slice(&len[..n]);
                        if left == 0 {
                            out.push_back(self.head.split().freeze());
                        }
                    }
                }
                self.state = State::InnerBody { left, entry };
            }
            _ => unreachable!("inner_varint in {:?}", self.state),
        }
        Ok(())
    }

    /// A length that must fit in the `room` bytes left around it.
    fn length(&self, value: u64, room: usize) -> Result<usize, Problem> {
        usize::try_from(value)
            .ok()
            .filter(|len| *len <= room)
            .ok_or_else(|| Problem::Malformed("a field runs past the end of its frame".into()))
    }

    /// A fixed-size top-level field must fit in its message.
    fn check_body_fits(&self) -> Result<(), Problem> {
        match self.state {
            State::Body { left } if left > self.message_left => {
                Err(Problem::Malformed("a field runs past the end of its frame".into()))
            }
            _ => Ok(()),
        }
    }

    /// The end of a fragment's or a batch's bytes.
    fn end_outer(&mut self) -> Result<(), Problem> {
        match self.outer {
            Outer::Batch if self.batch_entries == 0 => Err(Problem::EmptyBatch),
            Outer::Batch => Ok(()),
            Outer::Fragment => {
                self.open_fragment = !self.last;
                if self.last { self.count(1) } else { Ok(()) }
            }
        }
    }

    /// An entry, a batch or the results may not come while an entry's fragments are unfinished.
    fn before_kind(&self, results: bool) -> Result<(), Problem> {
        if self.open_fragment {
            return Err(Problem::Unfinished {
                ended_page: results,
                entry: self.entries + 1,
            });
        }
        Ok(())
    }

    fn count(&mut self, added: usize) -> Result<(), Problem> {
        self.entries += added;
        if self.entries > self.page_size {
            return Err(Problem::TooMany);
        }
        Ok(())
    }

    /// Hands on `bytes` of the page, after the framing bytes before them.
    fn pass(&mut self, bytes: Bytes, out: &mut VecDeque<Bytes>) {
        if !self.head.is_empty() {
            out.push_back(self.head.split().freeze());
        }
        if !bytes.is_empty() {
            out.push_back(bytes);
        }
    }
}

/// Writes `value` as a varint into `buf`; the bytes written.
fn put_varint(buf: &mut [u8; 10], mut value: u64) -> usize {
    let mut n = 0;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            buf[n] = byte;
            return n + 1;
        }
        buf[n] = byte | 0x80;
        n += 1;
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
