"""The Pythonic model: defaults, builders, wire mapping, secrets."""

import dataclasses
import pickle

import pytest

import ecma2
from ecma2 import (
    AttributeChange,
    AttributeModificationType,
    AttributeType,
    ConfigParameter,
    ConfigParameterDefinition,
    ConfigParameters,
    CSEntryChange,
    CSEntryChangeResult,
    MACapabilities,
    MADistinguishedNameStyle,
    MAExportError,
    MAImportError,
    MANormalizations,
    ObjectModificationType,
    Reference,
    Secret,
    ValueModificationType,
)
from ecma2._pb import capabilities_pb2, change_pb2
from ecma2.change import value_from_pb, value_to_pb

NINE_TRUE = {
    "object_rename",
    "delta_import",
    "concurrent_operation",
    "delete_add_as_replace",
    "support_import",
    "support_export",
    "support_partitions",
    "support_password",
    "support_hierarchy",
}


def booleans(capabilities):
    return {
        f.name: getattr(capabilities, f.name)
        for f in dataclasses.fields(capabilities)
        if isinstance(getattr(capabilities, f.name), bool)
    }


class TestCapabilities:
    def test_defaults_are_the_ecma2_constructors(self):
        caps = MACapabilities()
        assert {name for name, on in booleans(caps).items() if on} == NINE_TRUE
        assert caps.distinguished_name_style is MADistinguishedNameStyle.GENERIC
        assert caps.export_type is ecma2.MAExportType.OBJECT_REPLACE
        assert caps.object_confirmation is ecma2.MAObjectConfirmation.NORMAL
        assert caps.normalizations == MANormalizations.NONE

    def test_an_empty_wire_message_reads_as_the_defaults_not_false(self):
        assert MACapabilities.from_pb(capabilities_pb2.MACapabilities()) == MACapabilities()

    def test_every_field_is_sent_explicitly_and_round_trips(self):
        caps = MACapabilities(
            delta_import=False,
            support_password=False,
            full_export=True,
            export_type=ecma2.MAExportType.ATTRIBUTE_UPDATE,
            normalizations=MANormalizations.UPPERCASE | MANormalizations.REMOVE_ACCENTS,
        )
        message = caps.to_pb()
        assert message.HasField("delta_import") and not message.delta_import
        assert message.HasField("object_rename") and message.object_rename
        assert list(message.normalizations) == [1, 2]
        assert MACapabilities.from_pb(message) == caps

    def test_dn_style_none_turns_object_rename_off_as_in_ecma2(self):
        assert not MACapabilities(
            distinguished_name_style=MADistinguishedNameStyle.NONE
        ).object_rename
        caps = MACapabilities()
        caps.distinguished_name_style = MADistinguishedNameStyle.NONE
        assert caps.object_rename is False


class TestChangeBuilders:
    def test_an_add_reads_well_and_maps_to_the_wire(self):
        entry = (
            CSEntryChange.add("person", dn="CN=42")
            .anchor("employeeId", 42)
            .attr("name", "Ada")
            .attr("manager", Reference("CN=7"))
            .attr("title", None)
            .attr("active", True)
            .attr("photo", b"\x00\x01")
            .attr("mail", "a@x", "b@x")
        )
        assert entry.object_modification_type is ObjectModificationType.ADD
        assert entry.anchor_value("employeeId") == 42
        assert entry.changed_attribute_names == ["name", "manager", "active", "photo", "mail"]
        assert entry.get("mail").is_multi_valued
        assert entry.get("manager").data_type is AttributeType.REFERENCE
        assert entry.get("active").data_type is AttributeType.BOOLEAN
        message = entry.to_pb()
        assert message.object_modification_type == change_pb2.OBJECT_MODIFICATION_TYPE_ADD
        assert message.attribute_changes[1].value_changes[0].value.reference_value == "CN=7"
        back = CSEntryChange.from_pb(message)
        assert back == entry
        assert isinstance(back.value("manager"), Reference)
        assert back.value("active") is True

    def test_update_replaces_and_deletes(self):
        entry = (
            CSEntryChange.update("person", dn="CN=42")
            .anchor("employeeId", 42)
            .attr("title", "Engineer")
            .attr("manager", None)
            .attr_update("groups", add=["a"], remove=["b"])
            .rename("CN=43")
        )
        kinds = {c.name: c.modification_type for c in entry.attribute_changes}
        assert kinds == {
            "title": AttributeModificationType.REPLACE,
            "manager": AttributeModificationType.DELETE,
            "groups": AttributeModificationType.UPDATE,
            "DN": AttributeModificationType.UNCONFIGURED,
        }
        assert entry.get("groups").removed_values == ["b"]
        assert CSEntryChange.from_pb(entry.to_pb()) == entry

    def test_ecma2_rules_are_enforced(self):
        with pytest.raises(ValueError, match="cannot hold a REPLACE"):
            CSEntryChange.add("person").attr_replace("name", "x")
        with pytest.raises(ValueError, match="cannot hold"):
            CSEntryChange.delete("person").attr_add("name", "x")
        with pytest.raises(ValueError, match="set object_modification_type"):
            CSEntryChange(object_type="person").attr_add("name", "x")
        with pytest.raises(ValueError, match="already has a change"):
            CSEntryChange.add("person").attr("name", "x").attr("name", "y")
        with pytest.raises(ValueError, match="DN attribute must have a value"):
            AttributeChange.new_dn("")
        # A rename is allowed on any object type, as DetachedUtils lets "DN" through.
        CSEntryChange.add("person").rename("CN=1")

    def test_identifiers_rdn_and_errors(self):
        a, b = CSEntryChange.add("x"), CSEntryChange.add("x")
        assert a.identifier != b.identifier and len(a.identifier) == 36
        assert CSEntryChange.add("x", dn=r"CN=Smith\, John,OU=People").rdn == r"CN=Smith\, John"
        entry = CSEntryChange.add("x").error(
            MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN, "bad-email", "no @"
        )
        message = entry.to_pb()
        assert (
            message.error_code_import == change_pb2.MA_IMPORT_ERROR_IMPORT_ERROR_CUSTOM_CONTINUE_RUN
        )
        assert message.error_name == "bad-email"

    def test_results(self):
        entry = CSEntryChange.add("x")
        ok = CSEntryChangeResult.success(entry, {"employeeId": 7})
        assert ok.identifier == entry.identifier
        assert ok.anchor_attributes[0].values == [7]
        bad = CSEntryChangeResult.error(
            entry, MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION, "duplicate-email"
        )
        assert (
            bad.to_pb().error_code == change_pb2.MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION
        )
        assert CSEntryChangeResult.from_pb(ok.to_pb()) == ok


class TestValues:
    @pytest.mark.parametrize(
        "value", ["text", Reference("CN=1"), 0, -(2**63), 2**63 - 1, b"\xff", True, False]
    )
    def test_values_keep_their_type_across_the_wire(self, value):
        back = value_from_pb(value_to_pb(value))
        assert back == value and type(back) is type(value)

    def test_out_of_range_and_foreign_values_are_refused(self):
        with pytest.raises(ValueError):
            value_to_pb(2**63)
        with pytest.raises(TypeError):
            value_to_pb(1.5)

    def test_value_changes(self):
        change = ecma2.ValueChange.delete("x")
        assert change.modification_type is ValueModificationType.DELETE
        assert ecma2.ValueChange.from_pb(change.to_pb()) == change


class TestSecrets:
    def test_secret_repr_and_str_are_redacted(self):
        secret = Secret("hunter2-very-secret")
        for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret):  # noqa: UP031
            assert "hunter2" not in shown
        assert secret.expose() == "hunter2-very-secret"
        assert secret == Secret("hunter2-very-secret")
        with pytest.raises(TypeError):
            pickle.dumps(secret)

    def test_parameters_never_show_secure_values(self):
        params = ConfigParameters.of({"Server": "db1", "Password": Secret("Pa55w0rd!")})
        shown = repr(params) + str(params["Password"]) + repr(list(params.values()))
        assert "Pa55w0rd!" not in shown
        assert params.secret("Password").expose() == "Pa55w0rd!"
        assert params.value("Password") is None
        assert params.value("Server") == "db1"
        message = params["Password"].to_pb()
        assert message.is_encrypted and message.secure_value.value == "Pa55w0rd!"
        assert ConfigParameters.from_pb(params.to_pb()) == params

    def test_parameters_are_keyed_and_unique(self):
        with pytest.raises(ValueError):
            ConfigParameters([ConfigParameter("a", "1"), ConfigParameter("a", "2")])


class TestConfigAndSchema:
    def test_drop_down_is_encoded_as_ecma2_does(self):
        definition = ConfigParameterDefinition.drop_down("Mode", ["a,b", "c"], default="c")
        assert definition.validation == "a\\,b,c,"
        assert definition.drop_down_values == ["a,b", "c"]
        assert ConfigParameterDefinition.check_box("On", default=True).check_box_default
        assert ConfigParameterDefinition.from_pb(definition.to_pb()) == definition

    def test_schema_round_trips(self):
        schema = ecma2.Schema.of(
            ecma2.SchemaType.create(
                "person",
                ecma2.SchemaAttribute.anchor("id", AttributeType.INTEGER),
                ecma2.SchemaAttribute.multi_valued("mail", AttributeType.STRING),
            )
        )
        assert schema.type("person").anchor_attributes[0].name == "id"
        assert ecma2.Schema.from_pb(schema.to_pb()) == schema

    def test_validation_results(self):
        failure = ecma2.ParameterValidationResult.failure("no such file", "Database")
        assert not failure.ok
        assert ecma2.ParameterValidationResult.from_pb(failure.to_pb()) == failure
        assert ecma2.ParameterValidationResult.from_pb(
            ecma2.ParameterValidationResult.success().to_pb()
        ).ok

    def test_password_csentry_round_trips(self):
        import datetime

        entry = ecma2.CSEntry(
            dn="CN=1",
            object_type="person",
            attributes=[ecma2.Attrib("mail", AttributeType.STRING, ["a@x"])],
            connection_state=ecma2.ConnectionState.CONNECTED,
            connection_change_time=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
        )
        assert ecma2.CSEntry.from_pb(entry.to_pb()) == entry
        assert entry["mail"].value == "a@x"
