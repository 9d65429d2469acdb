"""Every enum carries ECMA2's numbers and converts to the contract's wire values."""

import pytest

from ecma2 import enums
from ecma2._pb import (
    capabilities_pb2,
    change_pb2,
    config_pb2,
    handshake_pb2,
    import_pb2,
    password_pb2,
    schema_pb2,
)
from ecma2.enums import ECMA2_ENUMS, ECMA2_FLAGS, WireValueError
from ecma2.errors import FaultKind

# Each model enum and the generated proto enum with its value prefix.
PROTO = {
    enums.ObjectModificationType: (change_pb2.ObjectModificationType, "OBJECT_MODIFICATION_TYPE_"),
    enums.AttributeModificationType: (
        change_pb2.AttributeModificationType,
        "ATTRIBUTE_MODIFICATION_TYPE_",
    ),
    enums.ValueModificationType: (change_pb2.ValueModificationType, "VALUE_MODIFICATION_TYPE_"),
    enums.ModificationType: (change_pb2.ModificationType, "MODIFICATION_TYPE_"),
    enums.MAImportError: (change_pb2.MAImportError, "MA_IMPORT_ERROR_"),
    enums.MAExportError: (change_pb2.MAExportError, "MA_EXPORT_ERROR_"),
    enums.AttributeType: (schema_pb2.AttributeType, "ATTRIBUTE_TYPE_"),
    enums.AttributeOperation: (schema_pb2.AttributeOperation, "ATTRIBUTE_OPERATION_"),
    enums.ConfigParameterType: (config_pb2.ConfigParameterType, "CONFIG_PARAMETER_TYPE_"),
    enums.ConfigParameterPage: (config_pb2.ConfigParameterPage, "CONFIG_PARAMETER_PAGE_"),
    enums.ParameterValidationResultCode: (
        config_pb2.ParameterValidationResultCode,
        "PARAMETER_VALIDATION_RESULT_CODE_",
    ),
    enums.MADistinguishedNameStyle: (
        capabilities_pb2.MADistinguishedNameStyle,
        "MA_DISTINGUISHED_NAME_STYLE_",
    ),
    enums.MAExportType: (capabilities_pb2.MAExportType, "MA_EXPORT_TYPE_"),
    enums.MAObjectConfirmation: (capabilities_pb2.MAObjectConfirmation, "MA_OBJECT_CONFIRMATION_"),
    enums.OperationType: (import_pb2.OperationType, "OPERATION_TYPE_"),
    enums.CloseReason: (import_pb2.CloseReason, "CLOSE_REASON_"),
    enums.ConnectionSecurityLevel: (
        password_pb2.ConnectionSecurityLevel,
        "CONNECTION_SECURITY_LEVEL_",
    ),
    enums.ConnectionState: (password_pb2.ConnectionState, "CONNECTION_STATE_"),
    enums.RuleType: (password_pb2.RuleType, "RULE_TYPE_"),
    enums.DeprovisionAction: (password_pb2.DeprovisionAction, "DEPROVISION_ACTION_"),
    enums.MANormalizations: (capabilities_pb2.MANormalization, "MA_NORMALIZATION_"),
    enums.PasswordOptions: (password_pb2.PasswordOption, "PASSWORD_OPTION_"),
    enums.AttribFlags: (password_pb2.AttribFlag, "ATTRIB_FLAG_"),
    enums.Ecma2Interface: (handshake_pb2.Ecma2Interface, "ECMA2_INTERFACE_"),
}


def proto_members(proto_enum, prefix):
    return {
        name.removeprefix(prefix): value
        for name, value in proto_enum.items()
        if name != prefix + "UNSPECIFIED"
    }


def test_every_enum_is_covered():
    assert set(ECMA2_ENUMS) | set(ECMA2_FLAGS) | {enums.Ecma2Interface} == set(PROTO)


@pytest.mark.parametrize("enum_class", ECMA2_ENUMS, ids=lambda e: e.__name__)
def test_members_round_trip_between_ecma2_and_wire_values(enum_class):
    proto_enum, prefix = PROTO[enum_class]
    wire_values = proto_members(proto_enum, prefix)
    assert set(wire_values) == {m.name for m in enum_class}, "names differ from the proto"
    for member in enum_class:
        assert member.to_wire() == wire_values[member.name], member
        assert enum_class.from_wire(member.to_wire()) is member
        assert enum_class(int(member)) is member


@pytest.mark.parametrize("flags", ECMA2_FLAGS, ids=lambda e: e.__name__)
def test_flags_travel_as_the_list_of_set_flags(flags):
    proto_enum, prefix = PROTO[flags]
    wire_values = proto_members(proto_enum, prefix)
    singles = [f for f in flags if f.value]
    assert {f.name for f in singles} == set(wire_values)
    for flag in singles:
        assert flag.to_wire() == [wire_values[flag.name]]
    everything = flags(0)
    for flag in singles:
        everything |= flag
    assert flags.from_wire(everything.to_wire()) == everything
    assert flags(0).to_wire() == []
    assert flags.from_wire([]) == flags(0)
    with pytest.raises(WireValueError):
        flags.from_wire([3])


def test_ecma2_numbers_match_the_assembly():
    assert enums.ObjectModificationType.ADD == 2
    assert enums.ObjectModificationType.ADD.to_wire() == 3
    assert enums.CloseReason.OPEN_CONNECTION_FAILURE == 3
    assert enums.MAObjectConfirmation.NO_ADD_AND_DELETE_CONFIRMATION == 3
    assert enums.MAObjectConfirmation.NO_ADD_AND_DELETE_CONFIRMATION.to_wire() == 4
    assert enums.MAExportType.MULTIVALUED_REFERENCE_ATTRIBUTE_UPDATE == 5
    assert enums.MAExportType.MULTIVALUED_REFERENCE_ATTRIBUTE_UPDATE.to_wire() == 5
    assert enums.MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION == 15
    assert enums.MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN == 16
    assert enums.AttributeType.UNDEFINED == 5
    assert enums.PasswordOptions.VALIDATE_PASSWORD == 4
    assert len(enums.MAImportError) == 17
    assert len(enums.MAExportError) == 27


def test_unspecified_reads_as_the_documented_default_or_is_refused():
    assert enums.MADistinguishedNameStyle.from_wire(0) is enums.MADistinguishedNameStyle.GENERIC
    assert enums.MAExportType.from_wire(0) is enums.MAExportType.OBJECT_REPLACE
    assert enums.MAObjectConfirmation.from_wire(0) is enums.MAObjectConfirmation.NORMAL
    assert enums.CloseReason.from_wire(0) is enums.CloseReason.UNKNOWN
    assert enums.MAExportError.from_wire(0) is enums.MAExportError.SUCCESS
    assert enums.MAImportError.from_wire(0) is enums.MAImportError.SUCCESS
    assert (
        enums.ParameterValidationResultCode.from_wire(0)
        is enums.ParameterValidationResultCode.FAILURE
    )
    assert enums.ConnectionSecurityLevel.from_wire(0) is enums.ConnectionSecurityLevel.NOT_SECURE
    assert enums.AttributeOperation.from_wire(0) is enums.AttributeOperation.IMPORT_EXPORT
    for invalid in (enums.OperationType, enums.ConfigParameterPage, enums.ConfigParameterType):
        with pytest.raises(WireValueError):
            invalid.from_wire(0)
    with pytest.raises(WireValueError):
        enums.ObjectModificationType.from_wire(99)
    with pytest.raises(WireValueError):
        enums.MAExportType.from_wire(4)  # ECMA2 has no 4


def test_fault_kinds_match_the_proto():
    from ecma2._pb import fault_pb2

    wire_values = proto_members(fault_pb2.FaultKind, "FAULT_KIND_")
    assert {k.name: int(k) for k in FaultKind} == wire_values
    assert len(FaultKind) == 42


def test_interface_names_are_ecma2s():
    assert enums.Ecma2Interface.CALL_IMPORT.ecma2_name == "IMAExtensible2CallImport"
    assert enums.Ecma2Interface.GET_CAPABILITIES_EX.ecma2_name == "IMAExtensible2GetCapabilitiesEx"
