"""Entry framing: how an entry larger than one frame crosses a stream.

An entry whose encoding fits in :data:`FRAGMENT_SIZE` travels as one ``entry`` frame; a larger
one (a 50 MiB photo) is its protobuf encoding cut into ``EntryFragment`` pieces of at most
1 MiB, the last with ``last = True``. The receiver concatenates and decodes. Same rules as
``ecma2_proto::frames`` in Rust.
"""

from __future__ import annotations

from ecma2._pb import change_pb2

FRAGMENT_SIZE = 1024 * 1024
"""The largest encoded entry sent whole, and the size of each fragment of a larger one."""

DEFAULT_MAX_ENTRY_BYTES = 512 * 1024 * 1024
"""The default ceiling on one reassembled entry; a peer that sends more is faulty."""

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
"""The gRPC message size limit both sides configure."""

FEATURES_KEY = "ecma2-features"
"""Request metadata listing (comma-separated) the optional features a call accepts."""

ENTRY_BATCHES = "entry-batches"
"""The handshake feature, and ``ecma2-features`` value, for ``entry_batch`` import frames."""


def lists_feature(value: str, feature: str) -> bool:
    """Whether an ``ecma2-features`` metadata value lists ``feature``."""
    return any(part.strip() == feature for part in value.split(","))


Framed = change_pb2.CSEntryChange | list[change_pb2.EntryFragment]
"""One entry, framed: the entry itself, or its fragments in order."""


class FrameError(ValueError):
    """A run of fragments that cannot be turned back into an entry."""


def frame(entry: change_pb2.CSEntryChange, fragment_size: int = FRAGMENT_SIZE) -> Framed:
    """Frames one entry: itself when small enough, else its fragments."""
    size = entry.ByteSize()
    if size <= fragment_size:
        return entry
    encoded = entry.SerializeToString()
    view = memoryview(encoded)
    return [
        change_pb2.EntryFragment(
            data=bytes(view[offset : offset + fragment_size]),
            last=offset + fragment_size >= size,
        )
        for offset in range(0, size, fragment_size)
    ]


def fragments(encoded: bytes, fragment_size: int = FRAGMENT_SIZE) -> list[change_pb2.EntryFragment]:
    """The fragments of an encoded entry larger than one frame."""
    size = len(encoded)
    view = memoryview(encoded)
    return [
        change_pb2.EntryFragment(
            data=bytes(view[offset : offset + fragment_size]),
            last=offset + fragment_size >= size,
        )
        for offset in range(0, size, fragment_size)
    ]


class Reassembler:
    """Rebuilds entries from fragments, one entry at a time."""

    def __init__(self, limit: int = DEFAULT_MAX_ENTRY_BYTES) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._limit = limit

    def push(self, fragment: change_pb2.EntryFragment) -> change_pb2.CSEntryChange | None:
        """Adds one fragment; returns the entry when this was its last fragment."""
        if self._size + len(fragment.data) > self._limit:
            self._parts, self._size = [], 0
            raise FrameError(f"entry is larger than the limit of {self._limit} bytes")
        self._parts.append(fragment.data)
        self._size += len(fragment.data)
        if not fragment.last:
            return None
        encoded = b"".join(self._parts)
        self._parts, self._size = [], 0
        try:
            return change_pb2.CSEntryChange.FromString(encoded)
        except Exception as error:  # protobuf's DecodeError has no stable import path
            raise FrameError(f"entry fragments do not decode as a CSEntryChange: {error}") from None

    def ensure_idle(self) -> None:
        """Checks that no entry is half received (before a whole entry, or at stream end)."""
        if self._size or self._parts:
            raise FrameError(
                f"entry fragments ended without a last fragment ({self._size} bytes pending)"
            )

    @property
    def pending(self) -> bool:
        """Whether fragments of an entry are pending."""
        return bool(self._parts)
