"""Protobuf wire encoding of the change model, written directly as bytes.

Building a ``change_pb2.CSEntryChange`` tree field by field costs far more than the entry's
whole encoding, so import pages encode :class:`~ecma2.change.CSEntryChange` here, in the
layout of ``proto/ecma2/v1/change.proto`` (field numbers below), and hand gRPC ready bytes.
The tests check every case against protobuf's own encoder byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecma2.change import AnchorAttribute, AttributeChange, CSEntryChange, Value

from ecma2.change import Reference

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

_SMALL = [bytes([n]) for n in range(128)]


def varint(value: int) -> bytes:
    """A non-negative integer (or a negative int64, as ten bytes) as a base-128 varint."""
    if 0 <= value < 128:
        return _SMALL[value]
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _len(tag: bytes, payload: bytes) -> bytes:
    return tag + varint(len(payload)) + payload


def _string(tag: bytes, text: str) -> bytes:
    """A proto3 string field (nothing when empty)."""
    if not text:
        return b""
    data = text.encode()
    return tag + varint(len(data)) + data


# Tags: (field number << 3) | wire type (0 varint, 2 length-delimited).
_VALUE_STRING = b"\x0a"
_VALUE_INTEGER = b"\x10"
_VALUE_REFERENCE = b"\x1a"
_VALUE_BINARY = b"\x22"
_VALUE_BOOLEAN = b"\x28"


def value(v: Value) -> bytes:
    """An ``AttributeValue`` message (its oneof case is always written)."""
    if isinstance(v, bool):
        return b"\x28\x01" if v else b"\x28\x00"
    if isinstance(v, Reference):
        data = str.encode(v)
        return _VALUE_REFERENCE + varint(len(data)) + data
    if isinstance(v, str):
        data = v.encode()
        return _VALUE_STRING + varint(len(data)) + data
    if isinstance(v, int):
        if not _INT64_MIN <= v <= _INT64_MAX:
            raise ValueError(f"integer value {v} does not fit in 64 bits")
        return _VALUE_INTEGER + varint(v)
    if isinstance(v, bytes | bytearray | memoryview):
        data = bytes(v)
        return _VALUE_BINARY + varint(len(data)) + data
    raise TypeError(f"{type(v).__name__} is not an ECMA2 attribute value type")


def _enum(tag: bytes, wire_value: int) -> bytes:
    return tag + varint(wire_value) if wire_value else b""


def anchor(a: AnchorAttribute) -> bytes:
    """An ``AnchorAttribute`` message: name 1, data_type 2, value 3."""
    return (
        _string(b"\x0a", a.name)
        + _enum(b"\x10", a.data_type.to_wire())
        + _len(b"\x1a", value(a.value))
    )


def attribute_change(c: AttributeChange) -> bytes:
    """An ``AttributeChange``: name 1, data_type 2, is_multi_valued 3, modification_type 4,
    value_changes 5 (each a ``ValueChange``: value 1, modification_type 2)."""
    parts = [
        _string(b"\x0a", c.name),
        _enum(b"\x10", c.data_type.to_wire()),
        b"\x18\x01" if c.is_multi_valued else b"",
        _enum(b"\x20", c.modification_type.to_wire()),
    ]
    for change in c.value_changes:
        body = _len(b"\x0a", value(change.value)) + _enum(
            b"\x10", change.modification_type.to_wire()
        )
        parts.append(_len(b"\x2a", body))
    return b"".join(parts)


def entry(e: CSEntryChange) -> bytes:
    """A ``CSEntryChange``: identifier 1, object_modification_type 2, object_type 3, dn 4,
    anchor_attributes 5, attribute_changes 6, error_code_import 7, error_name 8,
    error_detail 9."""
    parts = [
        _string(b"\x0a", e.identifier),
        _enum(b"\x10", e.object_modification_type.to_wire()),
        _string(b"\x1a", e.object_type),
        _string(b"\x22", e.dn),
    ]
    parts.extend(_len(b"\x2a", anchor(a)) for a in e.anchor_attributes)
    parts.extend(_len(b"\x32", attribute_change(c)) for c in e.attribute_changes)
    parts.append(_enum(b"\x38", e.error_code_import.to_wire()))
    parts.append(_string(b"\x42", e.error_name))
    parts.append(_string(b"\x4a", e.error_detail))
    return b"".join(parts)


# GetImportEntriesResponse: entry 1, entry_fragment 2, results 3, entry_batch 4.
_FRAME_ENTRY = b"\x0a"
_FRAME_BATCH = b"\x22"
# EntryBatch: entries 1.
_BATCH_ENTRY = b"\x0a"


def entry_frame(encoded: bytes) -> bytes:
    """A ``GetImportEntriesResponse`` holding one encoded entry."""
    return _FRAME_ENTRY + varint(len(encoded)) + encoded


def batch_frames(encoded: list[bytes], frame_size: int) -> list[bytes | int]:
    """``GetImportEntriesResponse`` frames with ``entry_batch`` holding consecutive encoded
    entries of at most ``frame_size`` bytes together. An entry larger than ``frame_size``
    is not batched: its index in ``encoded`` stands in the list, for the caller to fragment."""
    out: list[bytes | int] = []
    items: list[bytes] = []
    size = 0
    for index, data in enumerate(encoded):
        if len(data) > frame_size:
            if items:
                out.append(_batch(items))
                items, size = [], 0
            out.append(index)
            continue
        item = _BATCH_ENTRY + varint(len(data)) + data
        if items and size + len(item) > frame_size:
            out.append(_batch(items))
            items, size = [], 0
        items.append(item)
        size += len(item)
    if items:
        out.append(_batch(items))
    return out


def _batch(items: list[bytes]) -> bytes:
    body = b"".join(items)
    return _FRAME_BATCH + varint(len(body)) + body
