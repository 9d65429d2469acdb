"""The runtime protocol (docs/runtime.md) against a real connector process."""

import contextlib
import os
import signal
import subprocess
import sys
import threading

import grpc
import pytest
from support.harness import recorder_process
from support.recorder import BIG_PHOTO_BYTES

from ecma2 import CloseReason, CSEntryChange, OperationType
from ecma2._pb import (
    connector_pb2,
    handshake_pb2,
    hierarchy_pb2,
    import_pb2,
    password_pb2,
    schema_pb2,
)
from ecma2.errors import FaultKind
from ecma2.testing import (
    close_export,
    close_import,
    fault_of,
    full_import,
    get_page,
    open_export,
    open_import,
    put_export,
    wait_until,
)

SERVING, NOT_SERVING = 1, 2


def drain(stream):
    """Reads a stream to its end; a cancelled one ends with an RpcError."""
    with contextlib.suppress(grpc.RpcError):
        list(stream)


def cfg(records, **extra):
    return {"record": str(records.path), **extra}


class TestLaunch:
    def test_ready_line_names_the_socket_and_pid(self, recorder):
        assert recorder.ready["ecma2"] == "ready"
        assert recorder.ready["protocol"] == 1
        assert recorder.ready["address"] == f"unix:{recorder.socket_path}"
        assert recorder.ready["pid"] == recorder.process.pid

    def test_tcp_port_zero_announces_the_real_port(self):
        with recorder_process(listen="tcp:127.0.0.1:0") as proc:
            host, port = proc.ready["address"].removeprefix("tcp:").rsplit(":", 1)
            assert host == "127.0.0.1" and int(port) > 0
            assert proc.health() == SERVING

    def test_a_bad_launch_environment_exits_64(self):
        env = {**os.environ, "ECMA2_LISTEN": "pipe:nowhere"}
        result = subprocess.run(
            [sys.executable, "tests/support/recorder.py"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=os.path.dirname(os.path.dirname(__file__)),
        )
        assert result.returncode == 64
        assert "ECMA2_LISTEN" in result.stderr
        assert result.stdout == ""

    def test_health_needs_no_secret_and_reports_serving(self, recorder):
        assert recorder.health("") == SERVING
        assert recorder.health("ecma2.v1.ConnectorService") == SERVING

    @pytest.mark.parametrize("metadata", [(), (("ecma2-launch-secret", "wrong"),)])
    def test_calls_without_the_right_secret_are_unauthenticated(self, recorder, metadata):
        request = handshake_pb2.HandshakeRequest(protocol_versions=[1])
        with pytest.raises(grpc.RpcError) as caught:
            recorder.stub.Handshake(request, metadata=metadata, timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        stream = recorder.stub.GetImportEntries(
            import_pb2.GetImportEntriesRequest(session_id="x"), metadata=metadata, timeout=10
        )
        with pytest.raises(grpc.RpcError) as caught:
            list(stream)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


class TestHandshake:
    def test_handshake_lists_exactly_the_implemented_interfaces(self, recorder):
        response = recorder.call(
            "Handshake", handshake_pb2.HandshakeRequest(protocol_versions=[3, 1, 2])
        )
        assert response.protocol_version == 1
        assert list(response.interfaces) == [
            handshake_pb2.ECMA2_INTERFACE_CALL_IMPORT,
            handshake_pb2.ECMA2_INTERFACE_CALL_EXPORT,
            handshake_pb2.ECMA2_INTERFACE_GET_SCHEMA,
            handshake_pb2.ECMA2_INTERFACE_GET_CAPABILITIES,
            handshake_pb2.ECMA2_INTERFACE_PASSWORD,
        ]
        assert response.connector.name == "recorder"
        assert response.connector.version == "1.2.3"
        assert response.connector.language == "python"
        assert (
            response.import_page_sizes.default_page_size,
            response.import_page_sizes.max_page_size,
        ) == (10, 50)
        assert (
            response.export_page_sizes.default_page_size,
            response.export_page_sizes.max_page_size,
        ) == (5, 20)

    def test_no_common_version_is_a_failed_precondition(self, recorder):
        with pytest.raises(grpc.RpcError) as caught:
            recorder.call("Handshake", handshake_pb2.HandshakeRequest(protocol_versions=[7, 9]))
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "[7, 9]" in caught.value.details() and "[1]" in caught.value.details()

    def test_an_interface_not_implemented_is_unimplemented_with_a_fault(self, recorder):
        with pytest.raises(grpc.RpcError) as caught:
            recorder.call("GetPartitions", hierarchy_pb2.GetPartitionsRequest())
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        fault = fault_of(caught.value)
        assert fault.kind == FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION
        assert "IMAExtensible2GetPartitions" in fault.message
        assert (fault.connector, fault.call) == ("rec", "GetPartitions")

    def test_schema_and_capabilities(self, recorder):
        schema = recorder.call("GetSchema", schema_pb2.GetSchemaRequest()).schema
        assert [t.name for t in schema.types] == ["thing"]
        from ecma2 import MACapabilities
        from ecma2._pb import capabilities_pb2

        caps = recorder.call("GetCapabilities", capabilities_pb2.GetCapabilitiesRequest())
        model = MACapabilities.from_pb(caps.capabilities)
        assert model.delta_import and not model.support_partitions


class TestSessionsAndPaging:
    @pytest.mark.parametrize("page_size,expected", [(1, 1), (0, 10), (50, 50)])
    def test_full_import_pages(self, recorder, records, page_size, expected):
        run = full_import(recorder, cfg(records, objects="23"), page_size=page_size)
        assert run.page_size == expected
        assert [e.anchor_value("id") for e in run.entries] == list(range(23))
        assert all(len(p.entries) <= expected for p in run.pages)
        assert [p.more_to_import for p in run.pages][-1] is False
        assert run.watermark == "23"
        assert records.events("open-import")[0]["page_size"] == expected
        assert records.events("close-import")[0]["reason"] == "NORMAL"

    def test_a_page_size_above_the_maximum_is_refused_naming_both(self, recorder):
        with pytest.raises(grpc.RpcError) as caught:
            open_import(recorder, page_size=51)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "51" in caught.value.details() and "50" in caught.value.details()
        with pytest.raises(grpc.RpcError) as caught:
            open_export(recorder, batch_size=21)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "21" in caught.value.details() and "20" in caught.value.details()

    def test_more_entries_than_the_page_size_is_refused(self, recorder, records):
        opened = open_import(recorder, cfg(records, mode="too-many"), page_size=3)
        with pytest.raises(grpc.RpcError) as caught:
            get_page(recorder, opened.session_id)
        fault = fault_of(caught.value)
        assert fault.kind == FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION
        assert "4 entries" in fault.message and "3" in fault.message
        close_import(recorder, opened.session_id)

    def test_unknown_sessions_are_not_found_and_close_is_idempotent(self, recorder, records):
        with pytest.raises(grpc.RpcError) as caught:
            get_page(recorder, "no-such-session")
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert caught.value.details() == "session no-such-session not found"
        close_import(recorder, "no-such-session")
        opened = open_import(recorder, cfg(records))
        close_import(recorder, opened.session_id)
        close_import(recorder, opened.session_id)
        assert len(records.events("close-import")) == 1
        with pytest.raises(grpc.RpcError) as caught:
            get_page(recorder, opened.session_id)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    def test_failed_open_keeps_the_session_until_closed_with_open_connection_failure(
        self, recorder, records
    ):
        with pytest.raises(grpc.RpcError) as caught:
            open_import(recorder, cfg(records, mode="fail-open"))
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        fault = fault_of(caught.value)
        assert fault.kind == FaultKind.SERVER_DOWN_EXCEPTION
        assert fault.message == "directory offline"
        assert fault.session_id
        assert (fault.connector, fault.call) == ("rec", "OpenImportConnection")
        [opened] = records.events("open-import")
        assert opened["session"] == fault.session_id
        close_import(recorder, fault.session_id, CloseReason.OPEN_CONNECTION_FAILURE)
        [closed] = records.events("close-import")
        assert closed == {
            **closed,
            "session": fault.session_id,
            "reason": "OPEN_CONNECTION_FAILURE",
        }

    def test_each_session_gets_a_new_instance(self, recorder, records):
        first = open_import(recorder, cfg(records, objects="3"))
        second = open_import(recorder, cfg(records, objects="3"))
        assert first.session_id != second.session_id
        a = get_page(recorder, first.session_id)
        b = get_page(recorder, second.session_id)
        assert [e.anchor_value("id") for e in a.entries] == [0, 1, 2]
        assert [e.anchor_value("id") for e in b.entries] == [0, 1, 2]
        close_import(recorder, first.session_id)
        close_import(recorder, second.session_id)


class TestFailures:
    def test_cancelling_a_blocked_page_reaches_connector_code(self, recorder, records):
        opened = open_import(recorder, cfg(records, mode="block"))
        stream = recorder.stub.GetImportEntries(
            import_pb2.GetImportEntriesRequest(session_id=opened.session_id),
            metadata=recorder.metadata,
            timeout=60,
        )
        consumer = threading.Thread(target=drain, args=(stream,))
        consumer.start()
        wait_until(lambda: records.events("blocked"), what="connector to block")
        stream.cancel()
        consumer.join(timeout=10)
        [woke] = wait_until(lambda: records.events("woke"), what="connector to see the cancel")
        assert woke["cancelled"] is True
        assert woke["session"] == opened.session_id
        close_import(recorder, opened.session_id, CloseReason.TERMINATED_BY_USER)
        [closed] = records.events("close-import")
        assert closed["reason"] == "TERMINATED_BY_USER"

    def test_an_unexpected_exception_fails_one_call_and_the_process_keeps_serving(
        self, recorder, records
    ):
        crashing = open_import(recorder, cfg(records, mode="crash"))
        healthy = open_import(recorder, cfg(records, objects="4"))
        with pytest.raises(grpc.RpcError) as caught:
            get_page(recorder, crashing.session_id)
        assert caught.value.code() == grpc.StatusCode.INTERNAL
        fault = fault_of(caught.value)
        assert fault.kind == FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION
        assert fault.foreign_type_name == "ZeroDivisionError"
        assert (fault.connector, fault.call) == ("rec", "GetImportEntries")
        page = get_page(recorder, healthy.session_id)
        assert len(page.entries) == 4
        assert recorder.process.poll() is None
        close_import(recorder, crashing.session_id, CloseReason.TERMINATED_BY_USER)
        close_import(recorder, healthy.session_id)
        errors = [r for r in recorder.log_records() if r["level"] == "ERROR"]
        assert errors and errors[0]["error_type"] == "ZeroDivisionError"


class TestFragments:
    def test_a_5_mib_entry_crosses_as_fragments_both_ways(self, recorder, records):
        opened = open_import(recorder, cfg(records, mode="big"))
        page = get_page(recorder, opened.session_id)
        assert page.fragments == 6
        [entry] = page.entries
        assert len(entry.value("blob")) >= BIG_PHOTO_BYTES
        close_import(recorder, opened.session_id)

        session = open_export(recorder, cfg(records)).session_id
        big = CSEntryChange.add("thing").anchor("id", 1).attr("blob", b"\x01" * BIG_PHOTO_BYTES)
        small = CSEntryChange.add("thing").anchor("id", 2).attr("blob", b"\x02")
        results = put_export(recorder, session, [big, small])
        assert [r.identifier for r in results] == [big.identifier, small.identifier]
        [put] = records.events("put-export")
        assert put["blob_sizes"] == [BIG_PHOTO_BYTES, 1]
        close_export(recorder, session)

    def test_a_batch_above_the_batch_size_is_refused(self, recorder, records):
        session = open_export(recorder, cfg(records), batch_size=2).session_id
        entries = [CSEntryChange.add("thing").anchor("id", i) for i in range(3)]
        with pytest.raises(grpc.RpcError) as caught:
            put_export(recorder, session, entries)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        close_export(recorder, session)


class TestPasswordsAndSecrets:
    def test_passwords_and_secrets_never_reach_the_logs(self, recorder, records):
        config = cfg(records)
        request = password_pb2.OpenPasswordConnectionRequest()
        from ecma2 import ConfigParameters, Secret

        params = ConfigParameters.of({**config, "AdminPassword": Secret("Adm1nSecret!")})
        request.config_parameters.extend(params.to_pb())
        session = recorder.call("OpenPasswordConnection", request).session_id
        level = recorder.call(
            "GetConnectionSecurityLevel",
            password_pb2.GetConnectionSecurityLevelRequest(session_id=session),
        )
        assert level.level == password_pb2.CONNECTION_SECURITY_LEVEL_SECURE
        set_request = password_pb2.SetPasswordRequest(
            session_id=session,
            csentry=password_pb2.CSEntry(dn="CN=1"),
            options=[1, 2],
        )
        set_request.new_password.value = "N3wPassw0rd!"
        recorder.call("SetPassword", set_request)
        set_request.new_password.value = "reject-me"
        with pytest.raises(grpc.RpcError) as caught:
            recorder.call("SetPassword", set_request)
        fault = fault_of(caught.value)
        assert fault.kind == FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION
        assert "reject-me" not in fault.message and "reject-me" not in caught.value.details()
        recorder.call(
            "ClosePasswordConnection",
            password_pb2.ClosePasswordConnectionRequest(session_id=session),
        )
        [set_event, _] = records.events("set-password")
        assert set_event["options"] == 3
        stderr = recorder.stderr_text()
        for secret in ("N3wPassw0rd!", "reject-me", "Adm1nSecret!", recorder.launch_secret):
            assert secret not in stderr
        assert "<redacted>" in stderr

    def test_every_stderr_line_is_a_json_log_record(self, recorder, records):
        full_import(recorder, cfg(records, objects="2"))
        lines = recorder.stderr_text().splitlines()
        assert lines and len(recorder.log_records()) == len(lines)
        for record in recorder.log_records():
            assert {"timestamp", "level", "target", "message"} <= set(record)
            assert record["level"] in {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}

    def test_stray_prints_never_reach_stdout(self, recorder, records):
        opened = open_import(recorder, cfg(records, mode="print"))
        close_import(recorder, opened.session_id)
        wait_until(lambda: "stray output" in recorder.stderr_text(), what="print on stderr")


class TestShutdown:
    def open_everything(self, proc, records):
        imp = open_import(proc, cfg(records)).session_id
        exp = open_export(proc, cfg(records)).session_id
        request = password_pb2.OpenPasswordConnectionRequest()
        from ecma2.testing import config_pb

        request.config_parameters.extend(config_pb(cfg(records)))
        pwd = proc.call("OpenPasswordConnection", request).session_id
        return imp, exp, pwd

    def test_sigterm_closes_every_session_with_terminated_shutting_down(self, records):
        with recorder_process() as proc:
            imp, exp, _ = self.open_everything(proc, records)
            failed = None
            with pytest.raises(grpc.RpcError) as caught:
                open_import(proc, cfg(records, mode="fail-open"))
            failed = fault_of(caught.value).session_id
            assert proc.terminate(signal.SIGTERM) == 0
        closes = {
            r["session"]: r.get("reason") for r in records.all() if r["event"].startswith("close")
        }
        assert closes[imp] == "TERMINATED_SHUTTING_DOWN"
        assert closes[exp] == "TERMINATED_SHUTTING_DOWN"
        assert closes[failed] == "TERMINATED_SHUTTING_DOWN"
        assert len(records.events("close-password")) == 1

    def test_sigterm_cancels_a_call_in_flight(self, records):
        with recorder_process() as proc:
            opened = open_import(proc, cfg(records, mode="block"))
            stream = proc.stub.GetImportEntries(
                import_pb2.GetImportEntriesRequest(session_id=opened.session_id),
                metadata=proc.metadata,
                timeout=60,
            )
            consumer = threading.Thread(target=drain, args=(stream,))
            consumer.start()
            wait_until(lambda: records.events("blocked"), what="connector to block")
            assert proc.terminate(signal.SIGINT) == 0
            consumer.join(timeout=10)
        [woke] = records.events("woke")
        assert woke["cancelled"] is True
        [closed] = records.events("close-import")
        assert closed["reason"] == "TERMINATED_SHUTTING_DOWN"

    def test_shutdown_rpc_reports_closed_sessions_then_exits(self, records):
        with recorder_process() as proc:
            self.open_everything(proc, records)
            response = proc.call("Shutdown", connector_pb2.ShutdownRequest(reason="test"))
            assert response.closed_sessions == 3
            assert proc.wait(timeout=30) == 0
        assert {r["reason"] for r in records.events("close-import")} == {"TERMINATED_SHUTTING_DOWN"}

    def test_the_connector_exits_when_its_host_dies(self, records):
        host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        try:
            with recorder_process(host_pid=host.pid) as proc:
                opened = open_import(proc, cfg(records))
                host.kill()
                host.wait(timeout=10)
                assert proc.wait(timeout=30) == 0
        finally:
            host.kill()
        [closed] = records.events("close-import", session=opened.session_id)
        assert closed["reason"] == "TERMINATED_SHUTTING_DOWN"

    def test_health_is_not_serving_while_sessions_close(self, records, tmp_path):
        release = tmp_path / "release"
        with recorder_process() as proc:
            open_import(proc, cfg(records, release=str(release)))
            proc.process.send_signal(signal.SIGTERM)
            wait_until(lambda: records.events("closing"), what="close to start")
            assert proc.health() == NOT_SERVING
            assert proc.health("ecma2.v1.ConnectorService") == NOT_SERVING
            with pytest.raises(grpc.RpcError) as caught:
                open_import(proc, cfg(records))
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
            release.touch()
            assert proc.wait(timeout=30) == 0
        [closed] = records.events("close-import")
        assert closed["reason"] == "TERMINATED_SHUTTING_DOWN"


def test_import_type_delta_is_passed_through(recorder, records):
    opened = open_import(recorder, cfg(records), import_type=OperationType.DELTA, custom_data="5")
    close_import(recorder, opened.session_id)
    assert opened.page_size == 10
