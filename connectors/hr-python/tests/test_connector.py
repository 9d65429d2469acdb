"""The connector's logic called in process: configuration, schema and per-object errors."""

import sqlite3

import pytest

import ecma2
from ecma2 import (
    CallContext,
    ConfigParameterPage,
    ConfigParameters,
    CSEntryChange,
    GetImportEntriesRunStep,
    MAExportError,
    MAImportError,
    OpenExportConnectionRunStep,
    OpenImportConnectionRunStep,
    OperationType,
    Reference,
    Schema,
)
from hr_connector import HrConnector, params

CONNECTIVITY = ConfigParameterPage.CONNECTIVITY


def ctx():
    return CallContext(connector="hr", call="test")


def validate(values):
    return HrConnector().validate_config_parameters(
        ctx(), ConfigParameters.of(values), CONNECTIVITY
    )


class TestConfiguration:
    def test_the_connectivity_page_has_path_create_and_seed(self):
        names = [
            d.name
            for d in HrConnector().get_config_parameters(ctx(), ConfigParameters(), CONNECTIVITY)
        ]
        assert [n for n in names if n] == [params.DATABASE, params.CREATE, params.SEED]
        assert (
            HrConnector().get_config_parameters(
                ctx(), ConfigParameters(), ConfigParameterPage.GLOBAL
            )
            == []
        )

    def test_validation(self, tmp_path):
        missing = str(tmp_path / "missing.db")
        result = validate({params.DATABASE: missing})
        assert not result.ok and result.error_parameter == params.DATABASE
        assert "Create if missing" in result.error_message
        assert validate({params.DATABASE: missing, params.CREATE: "1"}).ok
        assert not validate({}).ok
        assert not validate({params.DATABASE: "relative.db", params.CREATE: "1"}).ok
        assert not validate(
            {params.DATABASE: str(tmp_path / "no" / "dir.db"), params.CREATE: "1"}
        ).ok
        assert not validate({params.DATABASE: str(tmp_path)}).ok
        bad_seed = validate({params.DATABASE: missing, params.CREATE: "1", params.SEED: "lots"})
        assert not bad_seed.ok and bad_seed.error_parameter == params.SEED
        not_sqlite = tmp_path / "notes.txt"
        not_sqlite.write_text("hello " * 1000)
        assert "not a SQLite database" in validate({params.DATABASE: str(not_sqlite)}).error_message

    def test_schema_and_capabilities(self):
        schema = HrConnector().get_schema(ctx(), ConfigParameters())
        employee = schema.type("employee")
        assert [a.name for a in employee.anchor_attributes] == ["employeeId"]
        assert employee.attribute("manager").data_type is ecma2.AttributeType.REFERENCE
        assert employee.attribute("photo").data_type is ecma2.AttributeType.BINARY
        assert schema.type("department").anchor_attributes[0].name == "deptId"
        caps = HrConnector().capabilities(ctx())
        assert caps.distinguished_name_style is ecma2.MADistinguishedNameStyle.GENERIC
        assert caps.delta_import and not caps.support_partitions


def open_export(config):
    connector = HrConnector()
    connector.open_export_connection(
        ctx(), ConfigParameters.of(config), Schema(), OpenExportConnectionRunStep()
    )
    return connector


def export(config, *entries):
    connector = open_export(config)
    try:
        return connector.put_export_entries(ctx(), list(entries)).results
    finally:
        connector.close_export_connection(ctx(), ecma2.CloseExportConnectionRunStep())


def employee(dn, email, **attrs):
    entry = CSEntryChange.add("employee", dn=dn).attr("displayName", dn).attr("email", email)
    for name, value in attrs.items():
        entry.attr(name, value)
    return entry


class TestExportErrors:
    def test_add_returns_the_assigned_anchor(self, config):
        [result] = export(config, employee("CN=ada", "ada@example.com"))
        assert result.error_code is MAExportError.SUCCESS
        [anchor] = result.anchor_attributes
        assert anchor.name == "employeeId" and isinstance(anchor.value, int)

    def test_a_duplicate_email_is_a_constraint_violation_and_the_batch_goes_on(self, config):
        results = export(
            config,
            employee("CN=a", "same@example.com"),
            employee("CN=b", "same@example.com"),
            employee("CN=c", "other@example.com"),
        )
        codes = [r.error_code for r in results]
        assert codes == [
            MAExportError.SUCCESS,
            MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION,
            MAExportError.SUCCESS,
        ]
        assert results[1].error_name == "duplicate-email"

    def test_other_object_level_errors(self, config):
        results = export(
            config,
            employee("CN=x", "not-an-email"),
            CSEntryChange.update("employee").anchor("employeeId", 999999).attr("title", "x"),
            CSEntryChange.delete("employee", dn="CN=nobody"),
            CSEntryChange.add("printer", dn="CN=p"),
            employee("CN=y", "y@example.com", shoeSize="44"),
            employee("CN=z", "z@example.com", active="yes"),
        )
        assert [(r.error_code, r.error_name) for r in results] == [
            (MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "invalid-email"),
            (MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "missing-object"),
            (MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "missing-object"),
            (MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR, "unknown-object-type"),
            (MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "unknown-attribute"),
            (MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "invalid-value"),
        ]

    def test_an_existing_dn_is_refused(self, config):
        export(config, employee("CN=dup", "one@example.com"))
        [result] = export(config, employee("CN=dup", "two@example.com"))
        assert result.error_code is MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT

    def test_a_reference_to_an_object_not_yet_exported_is_retried(self, config):
        [result] = export(config, employee("CN=r", "r@example.com", manager=Reference("CN=later")))
        assert result.error_code is MAExportError.EXPORT_ACTION_RETRY_REFERENCE_ATTRIBUTE
        assert result.anchor_attributes[0].name == "employeeId"
        _boss, report = export(
            config,
            employee("CN=boss", "boss@example.com"),
            employee("CN=report", "report@example.com", manager=Reference("CN=boss")),
        )
        assert report.error_code is MAExportError.SUCCESS


def test_an_unparsable_stored_email_imports_as_an_object_level_error(config, db_path):
    connector = HrConnector()
    step = OpenImportConnectionRunStep(OperationType.FULL, page_size=1000)
    connector.open_import_connection(ctx(), ConfigParameters.of(config), Schema(), step)
    raw = sqlite3.connect(db_path)
    raw.execute("INSERT INTO employees (dn, display_name, email) VALUES ('CN=bad', 'Bad', 'nope')")
    raw.commit()
    raw.close()
    page = connector.get_import_entries(ctx(), GetImportEntriesRunStep())
    [bad] = [e for e in page.entries if e.dn == "CN=bad"]
    assert bad.error_code_import is MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN
    assert bad.error_name == "invalid-email"
    assert "nope" in bad.error_detail
    assert all(e.error_code_import is MAImportError.SUCCESS for e in page.entries if e is not bad)


def test_open_fails_with_server_down_when_the_database_is_missing(tmp_path):
    with pytest.raises(ecma2.ServerDownException, match="does not exist"):
        HrConnector().open_import_connection(
            ctx(),
            ConfigParameters.of({params.DATABASE: str(tmp_path / "gone.db")}),
            Schema(),
            OpenImportConnectionRunStep(OperationType.FULL, page_size=10),
        )
