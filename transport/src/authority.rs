//! gRPC clients over a Unix socket send an `:authority` that HTTP/2 servers built on `h2` refuse:
//! grpc-core (Python's grpcio, C#'s Grpc.Core) sends the socket path percent-encoded
//! (`tmp%2Fengine.sock`), grpc-java the bare path. `h2` resets such a stream with
//! PROTOCOL_ERROR before any service sees it, so the client gets `INTERNAL: Stream removed` and
//! the server logs nothing. On a Unix socket the authority means nothing (there is one peer: the
//! socket), so [`UnixHttp2`] makes it valid on the way in: in each HTTP/2 header block, a
//! literal `:authority` value that is not a valid authority has every byte outside RFC 3986's
//! unreserved and sub-delimiter characters replaced by `_`, in place (same length, so the HPACK
//! dynamic table stays in step). Streams the server still resets with PROTOCOL_ERROR (a
//! malformed request) are logged. Connections that do not start with the HTTP/2 preface (gRPC-Web
//! over HTTP/1.1) pass through untouched. Once a request's `:authority` is a literal left as it
//! was (a valid one, or a Huffman-coded one, which is never examined: h2 codes every string), what
//! the client sends passes unexamined for the rest of the connection: a gRPC channel keeps one
//! authority, and one encoder codes it the same way every time (examining every header block cost
//! about 800 instructions per one-object page, issue #18). Resets are still logged.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tracing::{debug, warn};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const CONTINUATION: u8 = 0x9;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;
const PROTOCOL_ERROR: u32 = 0x1;
/// A header block bigger than this is passed on unexamined (h2 refuses it anyway).
const MAX_BLOCK: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Reading the connection preface.
    Preface,
    /// HTTP/2 frames.
    Frames,
    /// HTTP/2 from a client whose authority was left as it was (valid, or Huffman-coded): what it
    /// sends passes as it is, what the server writes is still followed for resets.
    Checked,
    /// Not HTTP/2, or given up: everything passes as it is.
    Through,
}

/// A Unix socket connection whose HTTP/2 `:authority` values are made valid (see the module).
#[derive(Debug)]
pub(crate) struct UnixHttp2<IO> {
    io: IO,
    mode: Mode,
    /// Bytes read from `io`; the first `released` may be handed to the reader.
    buf: BytesMut,
    released: usize,
    /// Payload bytes of the current (non-header) frame still to release unexamined.
    passing: usize,
    written: FrameScan,
}

impl<IO> UnixHttp2<IO> {
    pub(crate) fn new(io: IO) -> Self {
        Self {
            io,
            mode: Mode::Preface,
            buf: BytesMut::new(),
            released: 0,
            passing: 0,
            written: FrameScan::default(),
        }
    }

    /// Releases what can be released of `buf`; whether anything was.
    fn process(&mut self) -> bool {
        let mut buf = std::mem::take(&mut self.buf);
        let n = self.release(&mut buf[self.released..]);
        self.buf = buf;
        self.released += n;
        n > 0
    }

    /// How many bytes at the start of `pending` (the next bytes of the connection) may go to the
    /// reader, with every complete header block among them made valid in place. The rest (a
    /// partial frame header, an incomplete header block, a partial preface) is held until more
    /// arrives.
    fn release(&mut self, pending: &mut [u8]) -> usize {
        let mut done = 0;
        loop {
            let rest = &pending[done..];
            match self.mode {
                Mode::Through | Mode::Checked => done = pending.len(),
                Mode::Preface => {
                    let n = rest.len().min(PREFACE.len());
                    if rest[..n] != PREFACE[..n] {
                        self.mode = Mode::Through;
                        continue;
                    }
                    if n == PREFACE.len() {
                        done += n;
                        self.mode = Mode::Frames;
                        continue;
                    }
                }
                Mode::Frames if self.passing > 0 => {
                    let n = self.passing.min(rest.len());
                    done += n;
                    self.passing -= n;
                    if self.passing == 0 && n > 0 {
                        continue;
                    }
                }
                Mode::Frames => {
                    if rest.len() < 9 {
                        break;
                    }
                    if rest[3] != HEADERS {
                        self.passing = frame_len(rest);
                        done += 9;
                        continue;
                    }
                    match header_block(rest) {
                        Block::Complete { first, more, end } => {
                            if fix_block(&mut pending[done..], first, &more) == Seen::Kept {
                                self.mode = Mode::Checked;
                            }
                            done += end;
                            continue;
                        }
                        Block::Incomplete if rest.len() > MAX_BLOCK => self.mode = Mode::Through,
                        Block::Incomplete => {}
                        Block::Invalid => self.mode = Mode::Through,
                    }
                    if self.mode == Mode::Through {
                        continue;
                    }
                }
            }
            break;
        }
        done
    }
}

fn frame_len(header: &[u8]) -> usize {
    (usize::from(header[0]) << 16) | (usize::from(header[1]) << 8) | usize::from(header[2])
}

enum Block {
    /// The header block's fragments (ranges in the examined bytes: the HEADERS frame's, then its
    /// CONTINUATION frames', if any) and where its last frame ends.
    Complete {
        first: std::ops::Range<usize>,
        more: Vec<std::ops::Range<usize>>,
        end: usize,
    },
    Incomplete,
    Invalid,
}

/// The header block starting with the HEADERS frame at the start of `bytes`.
fn header_block(bytes: &[u8]) -> Block {
    let mut at = 0;
    // Nearly every block is one frame: no vector unless CONTINUATION frames follow.
    let mut first = 0..0;
    let mut more = Vec::new();
    loop {
        if bytes.len() < at + 9 {
            return Block::Incomplete;
        }
        let (len, kind, flags) = (frame_len(&bytes[at..]), bytes[at + 3], bytes[at + 4]);
        let start = at + 9;
        let end = start + len;
        if bytes.len() < end {
            return Block::Incomplete;
        }
        let mut from = start;
        let mut last = end;
        if kind == HEADERS && at == 0 {
            if flags & PADDED != 0 {
                let Some(&pad) = bytes.get(from) else {
                    return Block::Invalid;
                };
                from += 1;
                last = last.saturating_sub(usize::from(pad));
            }
            if flags & PRIORITY != 0 {
                from += 5;
            }
            if from > last {
                return Block::Invalid;
            }
            first = from..last;
        } else if kind == CONTINUATION {
            more.push(from..last);
        } else {
            return Block::Invalid;
        }
        if flags & END_HEADERS != 0 {
            return Block::Complete { first, more, end };
        }
        at = end;
    }
}

/// Makes the `:authority` values of the header block spread over `first` and `more` of `bytes`
/// valid: in place when it is one fragment, else in a copy of the whole block written back.
fn fix_block(bytes: &mut [u8], first: std::ops::Range<usize>, more: &[std::ops::Range<usize>]) -> Seen {
    if more.is_empty() {
        return fix_authority(&mut bytes[first]);
    }
    let fragments: Vec<_> = std::iter::once(first).chain(more.iter().cloned()).collect();
    let mut block: Vec<u8> = fragments
        .iter()
        .flat_map(|r| bytes[r.clone()].iter().copied())
        .collect();
    let seen = fix_authority(&mut block);
    if seen != Seen::Fixed {
        return seen;
    }
    let mut from = block.as_slice();
    for range in &fragments {
        let (part, rest) = from.split_at(range.len());
        bytes[range.clone()].copy_from_slice(part);
        from = rest;
    }
    seen
}

/// An HPACK integer with an `n`-bit prefix at `*at`.
fn integer(block: &[u8], at: &mut usize, n: u32) -> Option<usize> {
    let mask = (1usize << n) - 1;
    let mut value = usize::from(*block.get(*at)?) & mask;
    *at += 1;
    if value < mask {
        return Some(value);
    }
    let mut shift = 0;
    loop {
        let byte = *block.get(*at)?;
        *at += 1;
        value = value.checked_add(usize::from(byte & 0x7f).checked_shl(shift)?)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

/// An HPACK string at `*at`: (Huffman-coded, its bytes' range).
fn string(block: &[u8], at: &mut usize) -> Option<(bool, std::ops::Range<usize>)> {
    let huffman = block.get(*at)? & 0x80 != 0;
    let len = integer(block, at, 7)?;
    let range = *at..at.checked_add(len)?;
    if range.end > block.len() {
        return None;
    }
    *at = range.end;
    Some((huffman, range))
}

/// Whether `value` is what `http` accepts as an authority: a host (and port) of URI characters.
fn valid_authority(value: &[u8]) -> bool {
    http::uri::Authority::try_from(value).is_ok()
}

fn allowed(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&byte)
}

/// What [`fix_authority`] saw of a header block's `:authority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// No literal value (none, or a reference to the table), or a block it could not read.
    Nothing,
    /// Literal values left as they were: valid authorities, or Huffman-coded (never examined; a
    /// client that codes its authority so codes it on every request).
    Kept,
    /// A literal value that was not a valid authority, now rewritten.
    Fixed,
}

/// Rewrites the literal, not Huffman-coded `:authority` values of an HPACK block that are not
/// valid authorities, and says what it saw. Stops at anything it cannot read.
fn fix_authority(block: &mut [u8]) -> Seen {
    let mut at = 0;
    let mut kept = false;
    let mut fixed = false;
    let mut unreadable = false;
    while at < block.len() {
        let first = block[at];
        let prefix = if first & 0x80 != 0 {
            // Indexed field: no literal.
            if integer(block, &mut at, 7).is_none() {
                unreadable = true;
                break;
            }
            continue;
        } else if first & 0xc0 == 0x40 {
            6
        } else if first & 0xe0 == 0x20 {
            // Dynamic table size update.
            if integer(block, &mut at, 5).is_none() {
                unreadable = true;
                break;
            }
            continue;
        } else {
            4
        };
        let Some(index) = integer(block, &mut at, prefix) else {
            unreadable = true;
            break;
        };
        let authority = if index == 0 {
            let Some((huffman, name)) = string(block, &mut at) else {
                unreadable = true;
                break;
            };
            !huffman && &block[name] == b":authority"
        } else {
            // Static table entry 1 is `:authority`.
            index == 1
        };
        let Some((huffman, value)) = string(block, &mut at) else {
            unreadable = true;
            break;
        };
        if !authority {
            continue;
        }
        if huffman || valid_authority(&block[value.clone()]) {
            kept = true;
            continue;
        }
        debug!(
            authority = %String::from_utf8_lossy(&block[value.clone()]),
            "replacing the :authority of a Unix socket client (not a host name)"
        );
        for byte in &mut block[value] {
            if !allowed(*byte) {
                *byte = b'_';
            }
        }
        fixed = true;
    }
    match (fixed, kept && !unreadable) {
        (true, _) => Seen::Fixed,
        (false, true) => Seen::Kept,
        (false, false) => Seen::Nothing,
    }
}

/// Follows the frames the server writes, to log the streams it resets with PROTOCOL_ERROR.
#[derive(Debug, Default)]
struct FrameScan {
    header: Vec<u8>,
    /// Payload bytes of the current frame still to skip (or collect, for RST_STREAM).
    left: usize,
    rst: Option<Vec<u8>>,
}

impl FrameScan {
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.left == 0 && self.rst.is_none() {
                let n = (9 - self.header.len()).min(bytes.len());
                self.header.extend_from_slice(&bytes[..n]);
                bytes = &bytes[n..];
                if self.header.len() == 9 {
                    self.left = frame_len(&self.header);
                    if self.header[3] == RST_STREAM && self.left == 4 {
                        self.rst = Some(Vec::with_capacity(4));
                    }
                    self.header.clear();
                    self.finish_rst();
                }
                continue;
            }
            let n = self.left.min(bytes.len());
            if let Some(rst) = &mut self.rst {
                rst.extend_from_slice(&bytes[..n]);
            }
            self.left -= n;
            bytes = &bytes[n..];
            self.finish_rst();
        }
    }

    fn finish_rst(&mut self) {
        if self.left > 0 {
            return;
        }
        if let Some(rst) = self.rst.take()
            && rst.len() == 4
            && u32::from_be_bytes([rst[0], rst[1], rst[2], rst[3]]) == PROTOCOL_ERROR
        {
            warn!(
                "refused a request on the Unix socket: its HTTP/2 headers are malformed (stream reset with PROTOCOL_ERROR)"
            );
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for UnixHttp2<IO> {
    /// Reads straight into the caller's buffer and fixes header blocks there, in place; only bytes
    /// that cannot go yet (an incomplete frame header or header block) are copied aside. Nothing
    /// is zeroed or copied per read on the path of the data frames (issue #18: a zeroed 16 KiB
    /// buffer per read was a third of the host's instructions per call).
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.released > 0 {
                let n = this.released.min(out.remaining());
                out.put_slice(&this.buf[..n]);
                this.buf.advance(n);
                this.released -= n;
                return Poll::Ready(Ok(()));
            }
            if !this.buf.is_empty() {
                // Bytes held back: more must arrive behind them.
                if this.process() {
                    continue;
                }
                let start = out.filled().len();
                std::task::ready!(Pin::new(&mut this.io).poll_read(cx, out))?;
                let read = &out.filled()[start..];
                if read.is_empty() {
                    // End of stream: whatever is held goes out as it is, then EOF.
                    this.mode = Mode::Through;
                }
                this.buf.extend_from_slice(read);
                out.set_filled(start);
                continue;
            }
            let start = out.filled().len();
            std::task::ready!(Pin::new(&mut this.io).poll_read(cx, out))?;
            let read = &mut out.filled_mut()[start..];
            if read.is_empty() {
                this.mode = Mode::Through;
                return Poll::Ready(Ok(()));
            }
            let n = this.release(read);
            if n < read.len() {
                this.buf.extend_from_slice(&read[n..]);
                out.set_filled(start + n);
                if n == 0 {
                    continue;
                }
            }
            return Poll::Ready(Ok(()));
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for UnixHttp2<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let n = std::task::ready!(Pin::new(&mut this.io).poll_write(cx, data))?;
        if matches!(this.mode, Mode::Frames | Mode::Checked) {
            this.written.feed(&data[..n]);
        }
        Poll::Ready(Ok(n))
    }

    /// h2 writes a response's frames (headers, data, trailers) in one call when the socket
    /// takes vectors; without it each frame's bytes went out in a write of their own.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let n = std::task::ready!(Pin::new(&mut this.io).poll_write_vectored(cx, bufs))?;
        if matches!(this.mode, Mode::Frames | Mode::Checked) {
            let mut left = n;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let take = left.min(buf.len());
                this.written.feed(&buf[..take]);
                left -= take;
            }
        }
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A literal `:authority` with incremental indexing and a literal name, as grpc-core sends it.
    fn grpc_core_block(value: &[u8]) -> Vec<u8> {
        let mut block = vec![0x82]; // :method GET (indexed), to be skipped
        block.push(0x40);
        block.push(10);
        block.extend_from_slice(b":authority");
        block.push(value.len() as u8);
        block.extend_from_slice(value);
        block.push(0x41); // :authority by static index, literal value
        block.push(value.len() as u8);
        block.extend_from_slice(value);
        block
    }

    #[test]
    fn percent_encoded_and_bare_paths_become_valid_authorities() {
        for value in [&b"tmp%2Fhost%2Fengine.sock"[..], b"/run/ecma2/engine.sock"] {
            let mut block = grpc_core_block(value);
            assert_eq!(fix_authority(&mut block), Seen::Fixed);
            let fixed = grpc_core_block(
                &value
                    .iter()
                    .map(|b| if allowed(*b) { *b } else { b'_' })
                    .collect::<Vec<_>>(),
            );
            assert_eq!(block, fixed);
            assert!(valid_authority(&fixed[fixed.len() - value.len()..]));
        }
        let mut fine = grpc_core_block(b"localhost");
        assert_eq!(fix_authority(&mut fine), Seen::Kept, "a valid authority is left alone");
        let mut indexed = vec![0x82, 0xbe];
        assert_eq!(fix_authority(&mut indexed), Seen::Nothing);
    }

    #[test]
    fn a_block_split_over_frames_is_fixed_across_the_split() {
        let block = grpc_core_block(b"tmp%2Fa.sock");
        let (one, two) = block.split_at(9);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&[0, 0, one.len() as u8, HEADERS, 0, 0, 0, 0, 1]);
        bytes.extend_from_slice(one);
        bytes.extend_from_slice(&[0, 0, two.len() as u8, CONTINUATION, END_HEADERS, 0, 0, 0, 1]);
        bytes.extend_from_slice(two);
        let Block::Complete { first, more, end } = header_block(&bytes) else {
            panic!()
        };
        assert_eq!((end, more.len()), (bytes.len(), 1));
        fix_block(&mut bytes, first, &more);
        assert!(!bytes.windows(3).any(|w| w == b"%2F"));
        assert!(matches!(header_block(&bytes[..bytes.len() - 1]), Block::Incomplete));
    }

    #[test]
    fn a_block_in_one_frame_is_fixed_in_place() {
        let block = grpc_core_block(b"tmp%2Fa.sock");
        let mut bytes = vec![0, 0, block.len() as u8, HEADERS, END_HEADERS, 0, 0, 0, 1];
        bytes.extend_from_slice(&block);
        let Block::Complete { first, more, end } = header_block(&bytes) else {
            panic!()
        };
        assert_eq!((first.clone(), more.len(), end), (9..bytes.len(), 0, bytes.len()));
        fix_block(&mut bytes, first, &more);
        assert!(!bytes.windows(3).any(|w| w == b"%2F"));
        assert!(bytes.windows(12).any(|w| w == b"tmp_2Fa.sock"));
    }

    /// Hands out `bytes` in reads of at most `chunk` bytes.
    struct Chunked {
        bytes: Vec<u8>,
        at: usize,
        chunk: usize,
    }

    impl AsyncRead for Chunked {
        fn poll_read(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
            let n = self.chunk.min(out.remaining()).min(self.bytes.len() - self.at);
            let at = self.at;
            out.put_slice(&self.bytes[at..at + n]);
            self.at += n;
            Poll::Ready(Ok(()))
        }
    }

    fn frame(kind: u8, flags: u8, stream: u8, payload: &[u8]) -> Vec<u8> {
        let len = payload.len();
        let mut bytes = vec![
            (len >> 16) as u8,
            (len >> 8) as u8,
            len as u8,
            kind,
            flags,
            0,
            0,
            0,
            stream,
        ];
        bytes.extend_from_slice(payload);
        bytes
    }

    #[tokio::test]
    async fn a_connection_read_in_any_pieces_comes_out_whole_with_its_authorities_fixed() {
        use tokio::io::AsyncReadExt;
        let bad = b"tmp%2Fhost%2Fengine.sock";
        let good: Vec<u8> = bad.iter().map(|b| if allowed(*b) { *b } else { b'_' }).collect();
        let block = grpc_core_block(bad);
        let (one, two) = block.split_at(7);
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let stream = |block_one: &[u8], block_two: &[u8], whole: &[u8]| {
            let mut bytes = PREFACE.to_vec();
            bytes.extend(frame(0x4, 0, 0, &[0, 3, 0, 0, 0, 100])); // SETTINGS
            bytes.extend(frame(HEADERS, END_HEADERS, 1, whole));
            bytes.extend(frame(0x0, 0, 1, &data[..16_384]));
            bytes.extend(frame(HEADERS, 0, 3, block_one));
            bytes.extend(frame(CONTINUATION, END_HEADERS, 3, block_two));
            bytes.extend(frame(0x0, 0x1, 3, &data[16_384..]));
            bytes
        };
        let sent = stream(one, two, &block);
        let fixed = grpc_core_block(&good);
        let expected = stream(&fixed[..7], &fixed[7..], &fixed);
        for chunk in [1, 5, 9, 13, 100, 4096, 1 << 20] {
            for read_size in [1, 7, 8192] {
                let mut io = UnixHttp2::new(Chunked {
                    bytes: sent.clone(),
                    at: 0,
                    chunk,
                });
                let mut got = Vec::new();
                let mut buf = vec![0u8; read_size];
                loop {
                    let n = io.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                assert!(got == expected, "reads of {chunk} into {read_size} bytes");
            }
        }
    }

    /// Reads everything `sent` holds through a [`UnixHttp2`], in reads of 100 bytes.
    async fn through(sent: Vec<u8>) -> Vec<u8> {
        use tokio::io::AsyncReadExt;
        let mut io = UnixHttp2::new(Chunked {
            bytes: sent,
            at: 0,
            chunk: 100,
        });
        let mut got = Vec::new();
        io.read_to_end(&mut got).await.unwrap();
        got
    }

    #[tokio::test]
    async fn a_client_that_names_a_valid_authority_is_not_examined_afterwards() {
        let bad = b"tmp%2Fa.sock";
        let connection = |first: &[u8]| {
            let mut bytes = PREFACE.to_vec();
            bytes.extend(frame(HEADERS, END_HEADERS, 1, &grpc_core_block(first)));
            bytes.extend(frame(HEADERS, END_HEADERS, 3, &grpc_core_block(bad)));
            bytes
        };
        // A valid first authority: the connection passes unexamined from then on.
        let valid = connection(b"localhost");
        assert_eq!(through(valid.clone()).await, valid);
        // A Huffman-coded one (never examined, as h2 codes every string) likewise.
        let mut huffman_block = vec![0x41, 0x80 | 3, 0xa0, 0xe4, 0x1d];
        let mut coded = PREFACE.to_vec();
        coded.extend(frame(HEADERS, END_HEADERS, 1, &huffman_block));
        coded.extend(frame(HEADERS, END_HEADERS, 3, &grpc_core_block(bad)));
        assert_eq!(fix_authority(&mut huffman_block), Seen::Kept);
        assert_eq!(through(coded.clone()).await, coded);
        // A client whose authority needed fixing has every request fixed.
        let fixed = through(connection(bad)).await;
        assert!(!fixed.windows(3).any(|w| w == b"%2F"), "{fixed:?}");
        assert_eq!(fixed.windows(12).filter(|w| *w == b"tmp_2Fa.sock").count(), 4);
    }
}
