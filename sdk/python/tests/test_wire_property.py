"""Property test: the SDK's direct encoding (``ecma2._wire``) writes exactly the bytes protobuf's
own encoder writes, for random entries of every shape the model can hold.

Entries are drawn from a seeded generator (no extra dependency): every object, attribute and
value modification type, every attribute type, every import error code, unicode (astral planes
included) in names and values, values around every varint size boundary and far beyond the
2-byte length table (strings and binaries over 16 KiB, a 1 MiB+ binary), the int64 extremes,
negative integers, empty strings and binaries, references, multi-valued and empty attribute
changes, several anchors, ``str``/``bytes`` subclasses and other buffers. Names come partly from
a small pool, so the encoder's per-name caches see the same name with different types and
modification types. A failure names its seed and index so it can be replayed.
"""

import random

import pytest

from ecma2 import (
    AnchorAttribute,
    AttributeChange,
    AttributeModificationType,
    AttributeType,
    CSEntryChange,
    MAImportError,
    ObjectModificationType,
    Reference,
    ValueChange,
    ValueModificationType,
    _wire,
)
from ecma2._pb import change_pb2, import_pb2
from ecma2.change import value_to_pb

NAMES = ["displayName", "mail", "DN", "manager", "ü", "名前", "x" * 200]
ALPHABET = "abcXYZ09 ,=\\\"'\n\t\x00äöüßéñ€名前😀𝄞\U0010fffd"


class Str(str):
    """A ``str`` subclass that is not a Reference (encodes as a string)."""


def text(rng: random.Random, big: bool = False) -> str:
    size = rng.choice([0, 1, 2, 5, 40, 127, 128, 300])
    if big and rng.random() < 0.1:
        size = rng.choice([16383, 16384, 70_000])
    return "".join(rng.choices(ALPHABET, k=size))


def blob(rng: random.Random) -> bytes:
    size = rng.choice([0, 1, 127, 128, 255, 16383, 16384, 100_000])
    if rng.random() < 0.02:
        size = 1024 * 1024 + 17  # more than one frame: batch_frames hands it back by index
    return rng.randbytes(size)


def integer(rng: random.Random) -> int:
    return rng.choice(
        [
            0,
            1,
            127,
            128,
            16383,
            16384,
            2**31,
            2**63 - 1,
            -1,
            -128,
            -(2**63),
            rng.randrange(-(2**63), 2**63),
            rng.randrange(0, 1 << 20),
        ]
    )


def value(rng: random.Random, buffers: bool = True):
    kind = rng.randrange(9 if buffers else 6)
    if kind == 0:
        return text(rng, big=True)
    if kind == 1:
        return Reference(text(rng))
    if kind == 2:
        return integer(rng)
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return blob(rng)
    if kind == 5:
        return Str(text(rng))
    if kind == 6:
        return bytearray(rng.randbytes(rng.choice([0, 3, 200])))
    if kind == 7:
        return memoryview(rng.randbytes(rng.choice([0, 9])))
    return rng.choice([True, False, 0, "", b""])


def name(rng: random.Random) -> str:
    return rng.choice(NAMES) if rng.random() < 0.7 else text(rng)


def attribute_change(rng: random.Random) -> AttributeChange:
    count = rng.choice([0, 1, 1, 1, 2, 5])
    return AttributeChange(
        name=name(rng),
        modification_type=rng.choice(list(AttributeModificationType)),
        value_changes=[
            ValueChange(value(rng), rng.choice(list(ValueModificationType))) for _ in range(count)
        ],
        data_type=rng.choice(list(AttributeType)),
        is_multi_valued=rng.random() < 0.3,
    )


def random_entry(rng: random.Random) -> CSEntryChange:
    return CSEntryChange(
        object_type=rng.choice(["user", "group", "", "Ü-type"]),
        object_modification_type=rng.choice(list(ObjectModificationType)),
        dn=text(rng, big=True),
        anchor_attributes=[
            AnchorAttribute(name(rng), value(rng), rng.choice(list(AttributeType)))
            for _ in range(rng.choice([0, 1, 1, 2, 3]))
        ],
        attribute_changes=[attribute_change(rng) for _ in range(rng.choice([0, 1, 3, 8, 20]))],
        identifier=rng.choice([str(rng.getrandbits(128)), "", text(rng)]),
        error_code_import=rng.choice(list(MAImportError)),
        error_name=rng.choice(["", text(rng)]),
        error_detail=rng.choice(["", text(rng, big=True)]),
    )


def built_entry(rng: random.Random) -> CSEntryChange:
    """An entry made with the builders, as connectors make them."""
    kind = rng.choice(["add", "replace", "update", "delete"])
    entry = getattr(CSEntryChange, kind)("user", dn=text(rng))
    entry.anchor("id", integer(rng))
    if kind == "delete":
        return entry
    for attribute in rng.sample(["a", "b", "c", "d", "e", "f", "DN"], k=rng.randrange(7)):
        # The builders infer types, so they take the model's types only (no other buffers).
        values = [value(rng, buffers=False) for _ in range(rng.choice([1, 1, 2]))]
        if attribute == "DN":
            entry.rename(text(rng) or "CN=x")
        elif kind == "update" and rng.random() < 0.3:
            entry.attr_update(attribute, add=values, remove=[value(rng, buffers=False)])
        elif kind == "update" and rng.random() < 0.3:
            entry.attr_delete(attribute)
        else:
            entry.attr(attribute, *values)
    if rng.random() < 0.2:
        entry.error(rng.choice(list(MAImportError)), text(rng), text(rng))
    return entry


def by_protobuf(entry: CSEntryChange) -> change_pb2.CSEntryChange:
    """The reference: the entry built field by field with protobuf's own message classes."""
    return change_pb2.CSEntryChange(
        identifier=entry.identifier,
        object_modification_type=entry.object_modification_type.to_wire(),
        object_type=entry.object_type,
        dn=entry.dn,
        anchor_attributes=[
            change_pb2.AnchorAttribute(
                name=a.name, data_type=a.data_type.to_wire(), value=value_to_pb(a.value)
            )
            for a in entry.anchor_attributes
        ],
        attribute_changes=[
            change_pb2.AttributeChange(
                name=c.name,
                data_type=c.data_type.to_wire(),
                is_multi_valued=c.is_multi_valued,
                modification_type=c.modification_type.to_wire(),
                value_changes=[
                    change_pb2.ValueChange(
                        value=value_to_pb(v.value), modification_type=v.modification_type.to_wire()
                    )
                    for v in c.value_changes
                ],
            )
            for c in entry.attribute_changes
        ],
        error_code_import=entry.error_code_import.to_wire(),
        error_name=entry.error_name,
        error_detail=entry.error_detail,
    )


@pytest.mark.parametrize("seed", range(8))
def test_random_entries_encode_as_protobuf_does(seed):
    rng = random.Random(seed)
    entries = [random_entry(rng) if i % 3 else built_entry(rng) for i in range(150)]
    encoded = []
    for index, entry in enumerate(entries):
        reference = by_protobuf(entry)
        data = entry.encode()
        assert data == reference.SerializeToString(), f"seed {seed}, entry {index}"
        assert change_pb2.CSEntryChange.FromString(data) == reference
        encoded.append(data)

    # Batch frames: each is a GetImportEntriesResponse with an EntryBatch, byte for byte.
    frame_size = rng.choice([1024, 64 * 1024, 1024 * 1024])
    frames = _wire.batch_frames(encoded, frame_size)
    seen = []
    for frame in frames:
        if isinstance(frame, int):
            assert len(encoded[frame]) > frame_size
            seen.append(frame)
            continue
        message = import_pb2.GetImportEntriesResponse.FromString(frame)
        assert frame == message.SerializeToString()
        assert len(frame) <= frame_size + 8  # the batch's own tag and length
        batch = [e.SerializeToString() for e in message.entry_batch.entries]
        seen.extend(encoded.index(b, len(seen)) for b in batch)
    assert seen == list(range(len(encoded)))
    for data in encoded[:20]:
        framed = import_pb2.GetImportEntriesResponse(
            entry=change_pb2.CSEntryChange.FromString(data)
        )
        assert _wire.entry_frame(data) == framed.SerializeToString()


def test_the_header_cache_follows_a_name_whose_type_or_modification_changes():
    changes = [
        AttributeChange("n", AttributeModificationType.ADD, [ValueChange("a")]),
        AttributeChange("n", AttributeModificationType.REPLACE, [ValueChange("a")]),
        AttributeChange(
            "n", AttributeModificationType.ADD, [ValueChange(1)], AttributeType.INTEGER
        ),
        AttributeChange(
            "n", AttributeModificationType.ADD, [ValueChange("a")], is_multi_valued=True
        ),
        AttributeChange("n", AttributeModificationType.ADD, [ValueChange("a")]),
    ]
    for change in changes:
        entry = CSEntryChange(attribute_changes=[change])
        assert entry.encode() == by_protobuf(entry).SerializeToString()


def test_values_outside_the_model_are_refused_as_protobufs_conversion_refuses_them():
    for bad, error in [(2**63, ValueError), (-(2**63) - 1, ValueError), (1.5, TypeError)]:
        entry = CSEntryChange(
            attribute_changes=[
                AttributeChange("x", AttributeModificationType.ADD, [ValueChange(bad)])
            ]
        )
        with pytest.raises(error):
            entry.encode()
        with pytest.raises(error):
            value_to_pb(bad)
