"""Entries above 1 MiB cross as fragments and come back byte for byte."""

import pytest

from ecma2 import CSEntryChange
from ecma2.framing import FRAGMENT_SIZE, FrameError, Reassembler, frame


def entry_with_binary(size):
    return CSEntryChange.add("user", dn="CN=1").attr("photo", b"\xa5" * size).to_pb()


def test_small_entries_travel_whole():
    entry = entry_with_binary(10)
    assert frame(entry) is entry


def test_large_entries_split_and_reassemble_exactly():
    entry = entry_with_binary(5 * 1024 * 1024 + 17)
    fragments = frame(entry)
    assert isinstance(fragments, list)
    assert len(fragments) == 6
    assert all(len(f.data) <= FRAGMENT_SIZE for f in fragments)
    assert [f.last for f in fragments] == [False] * 5 + [True]
    reassembler = Reassembler()
    out = None
    for fragment in fragments:
        assert out is None
        out = reassembler.push(fragment)
    assert out == entry
    reassembler.ensure_idle()


def test_oversized_and_unfinished_entries_are_refused():
    fragments = frame(entry_with_binary(4000), fragment_size=1000)
    small = Reassembler(limit=2500)
    with pytest.raises(FrameError, match="larger than the limit"):
        for fragment in fragments:
            small.push(fragment)
    reassembler = Reassembler()
    reassembler.push(fragments[0])
    assert reassembler.pending
    with pytest.raises(FrameError, match="without a last fragment"):
        reassembler.ensure_idle()


def test_garbage_fragments_do_not_decode():
    from ecma2._pb import change_pb2

    with pytest.raises(FrameError, match="do not decode"):
        Reassembler().push(change_pb2.EntryFragment(data=b"\xff\xff\xff", last=True))
