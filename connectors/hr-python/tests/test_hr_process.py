"""The HR connector as the host runs it: a real process over gRPC."""

import signal
import sqlite3

import grpc
import pytest

from ecma2 import (
    CloseReason,
    CSEntryChange,
    MACapabilities,
    MAExportError,
    MAImportError,
    ObjectModificationType,
    Reference,
)
from ecma2._pb import capabilities_pb2, config_pb2, handshake_pb2, schema_pb2
from ecma2.enums import ConfigParameterPage, wire
from ecma2.errors import FaultKind
from ecma2.testing import (
    close_export,
    close_import,
    config_pb,
    delta_import,
    fault_of,
    full_import,
    get_page,
    open_export,
    open_import,
    put_export,
    run_export,
)

SEEDED_OBJECTS = 150 + 7  # employees + departments
PHOTO_BYTES = 5 * 1024 * 1024


def test_handshake_and_capabilities(hr):
    response = hr.call("Handshake", handshake_pb2.HandshakeRequest(protocol_versions=[1]))
    assert response.connector.name == "hr-python"
    assert sorted(response.interfaces) == sorted(
        [
            handshake_pb2.ECMA2_INTERFACE_CALL_IMPORT,
            handshake_pb2.ECMA2_INTERFACE_CALL_EXPORT,
            handshake_pb2.ECMA2_INTERFACE_GET_SCHEMA,
            handshake_pb2.ECMA2_INTERFACE_GET_CAPABILITIES,
            handshake_pb2.ECMA2_INTERFACE_GET_PARAMETERS,
        ]
    )
    assert response.import_page_sizes.default_page_size == 100
    assert response.import_page_sizes.max_page_size == 1000
    caps = hr.call("GetCapabilities", capabilities_pb2.GetCapabilitiesRequest()).capabilities
    assert MACapabilities.from_pb(caps).delta_import
    schema = hr.call("GetSchema", schema_pb2.GetSchemaRequest()).schema
    assert [t.name for t in schema.types] == ["employee", "department"]


def test_configuration_pages_validate(hr, tmp_path):
    page = wire(ConfigParameterPage.CONNECTIVITY)
    definitions = hr.call(
        "GetConfigParameters", config_pb2.GetConfigParametersRequest(page=page)
    ).definitions
    assert "Database path" in [d.name for d in definitions]
    missing = {"Database path": str(tmp_path / "nope.db")}
    result = hr.call(
        "ValidateConfigParameters",
        config_pb2.ValidateConfigParametersRequest(config_parameters=config_pb(missing), page=page),
    ).result
    assert result.code == config_pb2.PARAMETER_VALIDATION_RESULT_CODE_FAILURE
    assert result.error_parameter == "Database path"
    result = hr.call(
        "ValidateConfigParameters",
        config_pb2.ValidateConfigParametersRequest(
            config_parameters=config_pb({**missing, "Create if missing": "1"}), page=page
        ),
    ).result
    assert result.code == config_pb2.PARAMETER_VALIDATION_RESULT_CODE_SUCCESS


@pytest.mark.parametrize("page_size,in_force", [(1, 1), (0, 100), (1000, 1000)])
def test_full_import_returns_only_adds_and_ends(hr, config, page_size, in_force):
    run = full_import(hr, config, page_size=page_size)
    assert run.page_size == in_force
    assert len(run.entries) == SEEDED_OBJECTS
    assert {e.object_modification_type for e in run.entries} == {ObjectModificationType.ADD}
    assert all(len(p.entries) <= in_force for p in run.pages)
    assert [p.more_to_import for p in run.pages] == [True] * (len(run.pages) - 1) + [False]
    assert len({e.dn for e in run.entries}) == SEEDED_OBJECTS
    employees = [e for e in run.entries if e.object_type == "employee"]
    assert all(isinstance(e.anchor_value("employeeId"), int) for e in employees)
    managed = [e for e in employees if e.value("manager")]
    assert managed and isinstance(managed[0].value("manager"), Reference)
    assert int(run.watermark) > 0


def test_delta_after_no_change_returns_nothing(hr, config):
    watermark = full_import(hr, config).watermark
    run = delta_import(hr, config, watermark)
    assert run.entries == []
    assert run.watermark == watermark


def test_export_add_update_delete_then_delta_shows_them(hr, config):
    first = full_import(hr, config)
    employees = [e for e in first.entries if e.object_type == "employee"]
    to_update, to_delete = employees[10], employees[11]
    new = (
        CSEntryChange.add("employee", dn="CN=ada.lovelace")
        .attr("displayName", "Ada Lovelace")
        .attr("email", "ada@example.com")
        .attr("manager", Reference(to_update.dn))
        .attr("active", True)
    )
    update = (
        CSEntryChange.update("employee", dn=to_update.dn)
        .anchor("employeeId", to_update.anchor_value("employeeId"))
        .attr("title", "Chief Analytical Engine Officer")
    )
    delete = CSEntryChange.delete("employee", dn=to_delete.dn).anchor(
        "employeeId", to_delete.anchor_value("employeeId")
    )
    results = run_export(hr, config, [new, update, delete])
    assert [r.error_code for r in results] == [MAExportError.SUCCESS] * 3
    [assigned] = results[0].anchor_attributes
    assert assigned.name == "employeeId"

    delta = delta_import(hr, config, first.watermark)
    by_dn = {e.dn: e for e in delta.entries}
    exported = {"CN=ada.lovelace", to_update.dn, to_delete.dn}
    assert exported <= set(by_dn)
    # The reports of the deleted employee lost their manager (ON DELETE SET NULL): tracked too.
    reports = {e.dn for e in employees if e.value("manager") == to_delete.dn}
    assert set(by_dn) - exported == reports
    for dn in reports:
        assert by_dn[dn].object_modification_type is ObjectModificationType.REPLACE
        assert by_dn[dn].value("manager") is None
    added = by_dn["CN=ada.lovelace"]
    assert added.object_modification_type is ObjectModificationType.ADD
    assert added.anchor_value("employeeId") == assigned.value
    assert added.value("manager") == to_update.dn
    replaced = by_dn[to_update.dn]
    assert replaced.object_modification_type is ObjectModificationType.REPLACE
    assert replaced.value("title") == "Chief Analytical Engine Officer"
    deleted = by_dn[to_delete.dn]
    assert deleted.object_modification_type is ObjectModificationType.DELETE
    assert deleted.anchor_value("employeeId") == to_delete.anchor_value("employeeId")
    assert delta_import(hr, config, delta.watermark).entries == []


def test_a_duplicate_email_is_a_per_object_constraint_violation(hr, config):
    full_import(hr, config, page_size=1000)  # creates and seeds the database
    results = run_export(
        hr,
        config,
        [
            CSEntryChange.add("employee", dn="CN=a").attr("email", "twin@example.com"),
            CSEntryChange.add("employee", dn="CN=b").attr("email", "twin@example.com"),
        ],
    )
    assert results[0].error_code is MAExportError.SUCCESS
    assert results[1].error_code is MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION
    assert results[1].error_name == "duplicate-email"


def test_a_row_with_a_bad_email_imports_as_an_object_error(hr, config, db_path):
    full_import(hr, config)
    raw = sqlite3.connect(db_path)
    raw.execute("INSERT INTO employees (dn, display_name, email) VALUES ('CN=bad', 'B', 'b@@x')")
    raw.commit()
    raw.close()
    [bad] = [e for e in full_import(hr, config).entries if e.dn == "CN=bad"]
    assert bad.error_code_import is MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN
    assert bad.error_name == "invalid-email"


def test_a_5_mib_photo_crosses_as_fragments_both_ways(hr, config):
    photo = bytes(range(256)) * (PHOTO_BYTES // 256)
    watermark = full_import(hr, config, page_size=1000).watermark
    session = open_export(hr, config).session_id
    [result] = put_export(
        hr,
        session,
        [
            CSEntryChange.add("employee", dn="CN=photo")
            .attr("email", "p@example.com")
            .attr("photo", photo)
        ],
    )
    close_export(hr, session)
    assert result.error_code is MAExportError.SUCCESS
    opened = open_import(hr, config, import_type=wire_delta(), custom_data=watermark)
    page = get_page(hr, opened.session_id, watermark)
    close_import(hr, opened.session_id)
    [entry] = page.entries
    assert page.fragments == 6
    assert entry.value("photo") == photo


def wire_delta():
    from ecma2 import OperationType

    return OperationType.DELTA


def test_a_missing_database_fails_open_and_the_session_closes_after(hr, tmp_path):
    with pytest.raises(grpc.RpcError) as caught:
        open_import(hr, {"Database path": str(tmp_path / "gone.db")})
    fault = fault_of(caught.value)
    assert fault.kind == FaultKind.SERVER_DOWN_EXCEPTION
    assert fault.session_id and fault.connector == "hr"
    close_import(hr, fault.session_id, CloseReason.OPEN_CONNECTION_FAILURE)


def test_sigterm_closes_an_open_run_and_exits_0(hr, config):
    open_import(hr, config)
    assert hr.terminate(signal.SIGTERM) == 0
    closing = [r for r in hr.log_records() if r["message"] == "import closed"]
    assert closing and closing[0]["reason"] == "TERMINATED_SHUTTING_DOWN"
