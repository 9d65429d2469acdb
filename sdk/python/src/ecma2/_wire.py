"""Protobuf wire encoding of the change model, written directly as bytes.

Building a ``change_pb2.CSEntryChange`` tree field by field costs far more than the entry's
whole encoding, so import pages encode :class:`~ecma2.change.CSEntryChange` here, in the
layout of ``proto/ecma2/v1/change.proto`` (field numbers below), and hand gRPC ready bytes.
The tests check random entries against protobuf's own encoder byte for byte.

This is the hot path of a Python connector's import, so it is written for the interpreter:
tags and enum fields are precomputed bytes, length prefixes below 16 KiB come from a table,
the header of an attribute change (name, type, multi-valued flag, modification type) is cached
per attribute name, sizes are computed rather than measured from intermediate objects, and an
entry is one ``bytes.join`` of its pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecma2.change import Reference
from ecma2.enums import (
    AttributeModificationType,
    AttributeType,
    Ecma2Enum,
    MAImportError,
    ObjectModificationType,
    ValueModificationType,
)

if TYPE_CHECKING:
    from ecma2.change import AnchorAttribute, AttributeChange, CSEntryChange, Value, ValueChange

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def _varint_bytes(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_NLEN = 1 << 14
# Varints of 0 .. 16383 (one or two bytes): every length prefix of a typical entry.
_LEN: tuple[bytes, ...] = tuple(_varint_bytes(n) for n in range(_NLEN))


def varint(value: int) -> bytes:
    """A non-negative integer (or a negative int64, as ten bytes) as a base-128 varint."""
    if 0 <= value < _NLEN:
        return _LEN[value]
    if value < 0:
        value += 1 << 64
    return _varint_bytes(value)


def _size(n: int) -> int:
    """How many bytes ``varint(n)`` takes, for a non-negative ``n``."""
    return 1 if n < 0x80 else 2 if n < _NLEN else len(_varint_bytes(n))


def _enum_fields(tag: bytes, kind: type[Ecma2Enum]) -> tuple[bytes, ...]:
    """The encoded field (tag and wire value; nothing for wire 0) of every member of an enum
    numbered 0, 1, 2, …, indexed by the member itself."""
    members = sorted(kind, key=int)
    if [int(m) for m in members] != list(range(len(members))):  # pragma: no cover
        raise AssertionError(f"{kind.__name__} is not numbered 0, 1, 2, …")
    wires = [m.to_wire() for m in members]
    return tuple(tag + _varint_bytes(w) if w else b"" for w in wires)


# Tags: (field number << 3) | wire type (0 varint, 2 length-delimited).
# AttributeValue: string_value 1, integer_value 2, reference_value 3, binary_value 4,
# boolean_value 5 (a oneof: the case is always written, even when its value is the default).
_VALUE_STRING = b"\x0a"
_VALUE_INTEGER = b"\x10"
_VALUE_REFERENCE = b"\x1a"
_VALUE_BINARY = b"\x22"
_TRUE = b"\x28\x01"
_FALSE = b"\x28\x00"

# ValueChange: value 1, modification_type 2.
_VC_VALUE = b"\x0a"
_VC_MOD = _enum_fields(b"\x10", ValueModificationType)
# AttributeChange: name 1, data_type 2, is_multi_valued 3, modification_type 4, value_changes 5.
_AC_NAME = b"\x0a"
_AC_TYPE = _enum_fields(b"\x10", AttributeType)
_AC_MULTI = b"\x18\x01"
_AC_MOD = _enum_fields(b"\x20", AttributeModificationType)
_AC_VALUE_CHANGE = b"\x2a"
# AnchorAttribute: name 1, data_type 2, value 3.
_AN_NAME = b"\x0a"
_AN_TYPE = _AC_TYPE
_AN_VALUE = b"\x1a"
# CSEntryChange: identifier 1, object_modification_type 2, object_type 3, dn 4,
# anchor_attributes 5, attribute_changes 6, error_code_import 7, error_name 8, error_detail 9.
_E_IDENTIFIER = b"\x0a"
_E_MOD = _enum_fields(b"\x10", ObjectModificationType)
_E_TYPE = b"\x1a"
_E_DN = b"\x22"
_E_ANCHOR = b"\x2a"
_E_CHANGE = b"\x32"
_E_ERROR = _enum_fields(b"\x38", MAImportError)
_E_ERROR_NAME = b"\x42"
_E_ERROR_DETAIL = b"\x4a"

# Caches of schema-shaped, repeating parts, keyed by name. Bounded: a connector that invents
# names without end still encodes correctly, it only stops caching.
_CACHE_LIMIT = 4096
_HEADS: dict[str, tuple[object, object, object, bytes]] = {}
_OBJECT_TYPES: dict[str, bytes] = {}
_ANCHOR_NAMES: dict[str, bytes] = {}


def _string(tag: bytes, text: str) -> bytes:
    """A proto3 string field (nothing when empty)."""
    if not text:
        return b""
    data = text.encode()
    n = len(data)
    return tag + (_LEN[n] if n < _NLEN else varint(n)) + data


def _name(cache: dict[str, bytes], tag: bytes, text: str) -> bytes:
    """A string field whose values repeat (object types, anchor names), cached."""
    cached = cache.get(text)
    if cached is None:
        cached = _string(tag, text)
        if len(cache) < _CACHE_LIMIT:
            cache[text] = cached
    return cached


def value(v: Value) -> bytes:
    """An ``AttributeValue`` message (its oneof case is always written)."""
    kind = type(v)
    if kind is str:
        data = v.encode()  # type: ignore[union-attr]
        n = len(data)
        return _VALUE_STRING + (_LEN[n] if n < _NLEN else varint(n)) + data
    if kind is Reference:
        data = str.encode(v)  # type: ignore[arg-type]
        n = len(data)
        return _VALUE_REFERENCE + (_LEN[n] if n < _NLEN else varint(n)) + data
    if kind is bool:
        return _TRUE if v else _FALSE
    if kind is int:
        if 0 <= v < _NLEN:  # type: ignore[operator]
            return _VALUE_INTEGER + _LEN[v]  # type: ignore[index]
    elif kind is bytes:
        n = len(v)  # type: ignore[arg-type]
        return _VALUE_BINARY + (_LEN[n] if n < _NLEN else varint(n)) + v  # type: ignore[operator]
    return _value_general(v)


def _value_general(v: Value) -> bytes:
    """:func:`value` for subclasses, other buffers and integers off the fast path."""
    if isinstance(v, bool):
        return _TRUE if v else _FALSE
    if isinstance(v, Reference):
        return _VALUE_REFERENCE + _length_prefixed(str.encode(v))
    if isinstance(v, str):
        return _VALUE_STRING + _length_prefixed(str.encode(v))
    if isinstance(v, int):
        if not _INT64_MIN <= v <= _INT64_MAX:
            raise ValueError(f"integer value {v} does not fit in 64 bits")
        return _VALUE_INTEGER + varint(int(v))
    if isinstance(v, bytes | bytearray | memoryview):
        return _VALUE_BINARY + _length_prefixed(bytes(v))
    raise TypeError(f"{type(v).__name__} is not an ECMA2 attribute value type")


def _length_prefixed(data: bytes) -> bytes:
    n = len(data)
    return (_LEN[n] if n < _NLEN else varint(n)) + data


def anchor(a: AnchorAttribute) -> bytes:
    """An ``AnchorAttribute`` message: name 1, data_type 2, value 3."""
    vb = value(a.value)
    n = len(vb)
    return (
        _name(_ANCHOR_NAMES, _AN_NAME, a.name)
        + _AN_TYPE[a.data_type]
        + _AN_VALUE
        + (_LEN[n] if n < _NLEN else varint(n))
        + vb
    )


def _head(c: AttributeChange) -> bytes:
    """The fields of an ``AttributeChange`` before its value changes, cached per name."""
    name, data_type, multi, modification = (
        c.name,
        c.data_type,
        c.is_multi_valued,
        c.modification_type,
    )
    cached = _HEADS.get(name)
    if (
        cached is not None
        and cached[0] is data_type
        and cached[1] is multi
        and cached[2] is modification
    ):
        return cached[3]
    head = (
        _string(_AC_NAME, name)
        + _AC_TYPE[data_type]
        + (_AC_MULTI if multi else b"")
        + _AC_MOD[modification]
    )
    if len(_HEADS) < _CACHE_LIMIT or name in _HEADS:
        _HEADS[name] = (data_type, multi, modification, head)
    return head


def attribute_change(c: AttributeChange) -> bytes:
    """An ``AttributeChange``: name 1, data_type 2, is_multi_valued 3, modification_type 4,
    value_changes 5 (each a ``ValueChange``: value 1, modification_type 2)."""
    parts: list[bytes] = []
    _attribute_changes(parts, [c])
    return b"".join(parts[2:])  # without the entry's field tag and length


def _attribute_changes(parts: list[bytes], changes: list[AttributeChange]) -> None:
    """Appends the ``attribute_changes`` fields (tag, length, message) of an entry's changes.

    The common change (one value change, a string value) is written inline as a flat run of
    pieces whose sizes are computed: no intermediate messages, no calls per change but the
    string's ``encode``.
    """
    heads = _HEADS
    for c in changes:
        cached = heads.get(c.name)
        if (
            cached is not None
            and cached[0] is c.data_type
            and cached[1] is c.is_multi_valued
            and cached[2] is c.modification_type
        ):
            head = cached[3]
        else:
            head = _head(c)
        value_changes = c.value_changes
        if len(value_changes) != 1:
            _many_value_changes(parts, head, value_changes)
            continue
        vc = value_changes[0]
        v = vc.value
        mod = _VC_MOD[vc.modification_type]
        if type(v) is str:
            data = v.encode()
            n = len(data)
            vn = 1 + (1 if n < 0x80 else 2 if n < _NLEN else _size(n)) + n  # AttributeValue
            body = 1 + (1 if vn < 0x80 else 2 if vn < _NLEN else _size(vn)) + vn + len(mod)
            total = len(head) + 1 + (1 if body < 0x80 else 2 if body < _NLEN else _size(body))
            total += body
            parts += (
                _E_CHANGE,
                _LEN[total] if total < _NLEN else varint(total),
                head,
                _AC_VALUE_CHANGE,
                _LEN[body] if body < _NLEN else varint(body),
                _VC_VALUE,
                _LEN[vn] if vn < _NLEN else varint(vn),
                _VALUE_STRING,
                _LEN[n] if n < _NLEN else varint(n),
                data,
                mod,
            )
            continue
        vb = value(v)
        n = len(vb)
        body = 1 + (1 if n < 0x80 else 2 if n < _NLEN else _size(n)) + n + len(mod)
        total = len(head) + 1 + (1 if body < 0x80 else 2 if body < _NLEN else _size(body)) + body
        parts += (
            _E_CHANGE,
            _LEN[total] if total < _NLEN else varint(total),
            head,
            _AC_VALUE_CHANGE,
            _LEN[body] if body < _NLEN else varint(body),
            _VC_VALUE,
            _LEN[n] if n < _NLEN else varint(n),
            vb,
            mod,
        )


def _many_value_changes(parts: list[bytes], head: bytes, changes: list[ValueChange]) -> None:
    """Appends an ``attribute_changes`` field with no or several value changes."""
    pieces = [head]
    for vc in changes:
        vb = value(vc.value)
        n = len(vb)
        mod = _VC_MOD[vc.modification_type]
        pieces += (_AC_VALUE_CHANGE, varint(1 + _size(n) + n + len(mod)), _VC_VALUE, varint(n), vb)
        pieces.append(mod)
    message = b"".join(pieces)
    parts += (_E_CHANGE, varint(len(message)), message)


def entry(e: CSEntryChange) -> bytes:
    """A ``CSEntryChange``: identifier 1, object_modification_type 2, object_type 3, dn 4,
    anchor_attributes 5, attribute_changes 6, error_code_import 7, error_name 8,
    error_detail 9."""
    parts = [
        _string(_E_IDENTIFIER, e.identifier),
        _E_MOD[e.object_modification_type],
        _name(_OBJECT_TYPES, _E_TYPE, e.object_type),
        _string(_E_DN, e.dn),
    ]
    for a in e.anchor_attributes:
        ab = anchor(a)
        n = len(ab)
        parts += (_E_ANCHOR, _LEN[n] if n < _NLEN else varint(n), ab)
    _attribute_changes(parts, e.attribute_changes)
    parts.append(_E_ERROR[e.error_code_import])
    if e.error_name:
        parts.append(_string(_E_ERROR_NAME, e.error_name))
    if e.error_detail:
        parts.append(_string(_E_ERROR_DETAIL, e.error_detail))
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
        n = len(data)
        if n > frame_size:
            if items:
                out.append(_batch(items, size))
                items, size = [], 0
            out.append(index)
            continue
        prefix = _LEN[n] if n < _NLEN else varint(n)
        item_size = 1 + len(prefix) + n
        if items and size + item_size > frame_size:
            out.append(_batch(items, size))
            items, size = [], 0
        items += (_BATCH_ENTRY, prefix, data)
        size += item_size
    if items:
        out.append(_batch(items, size))
    return out


def _batch(items: list[bytes], size: int) -> bytes:
    return _FRAME_BATCH + varint(size) + b"".join(items)
