"""Entry batches (the ``entry-batches`` feature) and the direct wire encoding of entries."""

import uuid

import pytest
from support.recorder import BIG_PHOTO_BYTES
from test_lifecycle import cfg

from ecma2 import (
    AttributeChange,
    AttributeModificationType,
    CSEntryChange,
    MAImportError,
    Reference,
    ValueChange,
)
from ecma2._pb import change_pb2, handshake_pb2, import_pb2
from ecma2.change import new_identifier
from ecma2.testing import close_import, get_page, open_import


def entry_via_messages(entry: CSEntryChange) -> change_pb2.CSEntryChange:
    """The entry built field by field with protobuf's own classes (the reference encoding)."""
    return change_pb2.CSEntryChange(
        identifier=entry.identifier,
        object_modification_type=entry.object_modification_type.to_wire(),
        object_type=entry.object_type,
        dn=entry.dn,
        anchor_attributes=[a.to_pb() for a in entry.anchor_attributes],
        attribute_changes=[c.to_pb() for c in entry.attribute_changes],
        error_code_import=entry.error_code_import.to_wire(),
        error_name=entry.error_name,
        error_detail=entry.error_detail,
    )


ENTRIES = [
    CSEntryChange(),
    CSEntryChange.add("user", dn="CN=Ada,OU=People")
    .anchor("id", 42)
    .anchor("key", b"")
    .attr("name", "Ada Lovelace")
    .attr("empty", "")
    .attr("manager", Reference("CN=Bo"))
    .attr("active", False)
    .attr("big", 2**63 - 1)
    .attr("small", -(2**63))
    .attr("zero", 0)
    .attr("photo", b"\x00\xff" * 300)
    .attr("tags", "a", "b", "ü€😀"),
    CSEntryChange.update("user", dn="CN=Ada")
    .anchor("id", -1)
    .attr_delete("title")
    .attr_update("tags", add=["x"], remove=["y"])
    .attr_replace("mail", "ada@example.org")
    .rename("CN=Ada2"),
    CSEntryChange.delete("user", dn="CN=Gone").anchor("id", "7"),
    CSEntryChange.add("user", dn="CN=Bad")
    .anchor("id", 1)
    .change(
        AttributeChange(
            "x", AttributeModificationType.ADD, [ValueChange(True)], is_multi_valued=True
        )
    )
    .error(MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN, "bad-mail", "not an address"),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=range(len(ENTRIES)))
def test_direct_encoding_is_protobufs_byte_for_byte(entry):
    reference = entry_via_messages(entry)
    assert entry.encode() == reference.SerializeToString()
    assert entry.to_pb() == reference
    assert CSEntryChange.from_pb(entry.to_pb()) == entry


def test_identifiers_are_version_4_guids():
    seen = {new_identifier() for _ in range(2000)}
    assert len(seen) == 2000
    for text in list(seen)[:200]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_handshake_lists_entry_batches_only_when_the_caller_does(recorder):
    asked = recorder.call(
        "Handshake",
        handshake_pb2.HandshakeRequest(protocol_versions=[1], features=["x", "entry-batches"]),
    )
    assert list(asked.features) == ["entry-batches"]
    plain = recorder.call("Handshake", handshake_pb2.HandshakeRequest(protocol_versions=[1]))
    assert list(plain.features) == []


@pytest.mark.parametrize("batches", [False, True])
def test_pages_carry_the_same_entries_with_and_without_batches(recorder, records, batches):
    opened = open_import(recorder, cfg(records, objects="23"), page_size=10)
    pages = []
    while True:
        page = get_page(recorder, opened.session_id, batches=batches)
        pages.append(page)
        if not page.more_to_import:
            break
    close_import(recorder, opened.session_id)
    assert [len(p.entries) for p in pages] == [10, 10, 3]
    anchors = [e.anchor_value("id") for p in pages for e in p.entries]
    assert anchors == list(range(23))
    # One batch frame per page when asked for, none otherwise.
    assert [p.batches for p in pages] == ([1, 1, 1] if batches else [0, 0, 0])


def test_a_large_entry_in_a_batched_page_still_travels_as_fragments(recorder, records):
    opened = open_import(recorder, cfg(records, mode="big-mixed"))
    page = get_page(recorder, opened.session_id, batches=True)
    close_import(recorder, opened.session_id)
    assert [e.anchor_value("id") for e in page.entries] == [0, 1, 2]
    assert page.fragments == 6 and page.batches == 2
    assert len(page.entries[1].value("blob")) >= BIG_PHOTO_BYTES


def test_a_forked_child_never_repeats_its_parents_identifiers():
    import os

    new_identifier()  # the parent now holds a batch of identifiers not yet handed out
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.write(write, new_identifier().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert uuid.UUID(child).version == 4
    assert child != new_identifier()


def test_the_cyclic_collector_is_off_while_a_page_is_built_and_on_again_after(recorder, records):
    opened = open_import(recorder, cfg(records, mode="gc", objects="23"), page_size=10)
    for _ in range(3):
        get_page(recorder, opened.session_id, batches=True)
    close_import(recorder, opened.session_id)
    seen = [(r["where"], r["enabled"]) for r in records.events("gc")]
    assert seen == [("page", False)] * 3 + [("close", True)]


def test_the_collector_pause_is_shared_and_keeps_a_collector_that_was_off_off():
    import gc
    import threading

    from ecma2._gcpause import GcPause

    pause = GcPause()
    assert gc.isenabled()
    inside = threading.Event()
    leave = threading.Event()

    def other_page():
        with pause:
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_page)
    with pause:
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other page still runs
    leave.set()
    thread.join(10)
    assert gc.isenabled()

    gc.disable()
    try:
        with pause:
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("batches", [False, True])
def test_pages_are_encoded_and_sent_a_chunk_at_a_time(recorder, records, batches):
    config = cfg(records, objects="23", encode_chunk="4")
    opened = open_import(recorder, config, page_size=10)
    pages = []
    while True:
        page = get_page(recorder, opened.session_id, batches=batches)
        pages.append(page)
        if not page.more_to_import:
            break
    close_import(recorder, opened.session_id)
    assert [e.anchor_value("id") for p in pages for e in p.entries] == list(range(23))
    # Chunks of 4: batches of 4, 4 and 2 entries per full page.
    assert [p.batches for p in pages] == ([3, 3, 1] if batches else [0, 0, 0])


def test_a_value_refused_in_a_later_chunk_fails_the_call_with_a_fault(recorder, records):
    import grpc

    from ecma2.errors import FaultKind
    from ecma2.testing import fault_of

    opened = open_import(recorder, cfg(records, mode="bad-late", encode_chunk="4"), page_size=10)
    with pytest.raises(grpc.RpcError) as caught:
        get_page(recorder, opened.session_id, batches=True)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    fault = fault_of(caught.value)
    assert fault.kind == FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION
    assert fault.foreign_type_name == "ValueError" and "64 bits" in fault.message
    close_import(recorder, opened.session_id)
    assert recorder.process.poll() is None


def test_a_page_cancelled_between_chunks_does_not_leave_the_collector_off(recorder, records):
    import time

    config = cfg(records, mode="gc", objects="40", encode_chunk="2")
    opened = open_import(recorder, config, page_size=40)
    stream = recorder.stub.GetImportEntries(
        import_pb2.GetImportEntriesRequest(session_id=opened.session_id),
        metadata=(*recorder.metadata, ("ecma2-features", "entry-batches")),
        timeout=30,
    )
    first = next(stream)
    assert first.WhichOneof("frame") == "entry_batch"
    stream.cancel()
    close_import(recorder, opened.session_id)
    # The abandoned page's generator is closed, and with it the pause: a new session's open
    # (connector code outside any page) soon sees the collector on.
    deadline = time.monotonic() + 10
    while True:
        again = open_import(recorder, config, page_size=10)
        close_import(recorder, again.session_id)
        if records.events("open-import")[-1]["gc"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert records.events("open-import")[-1]["gc"] is True


@pytest.mark.parametrize("batches", [False, True])
def test_an_empty_page_is_only_its_results_frame(recorder, records, batches):
    opened = open_import(recorder, cfg(records, objects="0"), page_size=10)
    page = get_page(recorder, opened.session_id, batches=batches)
    close_import(recorder, opened.session_id)
    assert page.entries == [] and not page.more_to_import and page.batches == 0
