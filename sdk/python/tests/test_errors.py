"""ECMA2 exceptions map to Faults and status codes in exactly one table."""

import grpc
import pytest

import ecma2
from ecma2 import errors
from ecma2._pb import fault_pb2
from ecma2.errors import (
    FaultKind,
    code_for,
    fault_from_details,
    from_fault,
    status_details,
    to_fault,
)

S = grpc.StatusCode
# The contract's table (proto/rust/src/fault.rs, code_for), written out independently.
EXPECTED_CODES = {
    "ServerDownException": S.UNAVAILABLE,
    "FailedConnectionException": S.UNAVAILABLE,
    "DroppedConnectionException": S.UNAVAILABLE,
    "EntryPointNotImplementedException": S.UNIMPLEMENTED,
    "AccessDeniedException": S.PERMISSION_DENIED,
    "NoSuchAttributeException": S.NOT_FOUND,
    "NoSuchParameterException": S.NOT_FOUND,
    "NoSuchAttributeInObjectTypeException": S.NOT_FOUND,
    "AttributeDoesNotExistOnObjectException": S.NOT_FOUND,
    "AttributeNotInInclusionListException": S.NOT_FOUND,
    "AttributeNotPresentException": S.NOT_FOUND,
    "AttributeNotDefinedAsSourceException": S.NOT_FOUND,
    "NoSuchClassException": S.NOT_FOUND,
    "NoSuchObjectTypeException": S.NOT_FOUND,
    "NoSuchObjectException": S.NOT_FOUND,
    "NoSuchManagementAgentException": S.NOT_FOUND,
    "ObjectNotFoundException": S.NOT_FOUND,
    "ObjectAlreadyExistsException": S.ALREADY_EXISTS,
    "TooManyValuesException": S.INVALID_ARGUMENT,
    "InvalidDNException": S.INVALID_ARGUMENT,
    "ObjectTypeNotSupportedException": S.INVALID_ARGUMENT,
    "PasswordIllFormedException": S.INVALID_ARGUMENT,
    "OldPasswordIncorrectException": S.INVALID_ARGUMENT,
    "BadServerCredentialsException": S.FAILED_PRECONDITION,
    "NoCompatiblePartitionFoundException": S.FAILED_PRECONDITION,
    "MissingParentObjectException": S.FAILED_PRECONDITION,
    "DeclineMappingException": S.FAILED_PRECONDITION,
    "UnexpectedDataException": S.FAILED_PRECONDITION,
    "PasswordPolicyViolationException": S.FAILED_PRECONDITION,
    "WarningNoWatermarkException": S.FAILED_PRECONDITION,
    "TerminateRunException": S.ABORTED,
    "FatalEntryExportException": S.ABORTED,
}


@pytest.mark.parametrize("kind", list(FaultKind), ids=lambda k: k.ecma2_name)
def test_every_kind_has_a_class_a_code_and_round_trips(kind):
    cls = errors.exception_class(kind)
    assert cls.__name__ == kind.ecma2_name
    assert getattr(ecma2, cls.__name__) is cls
    assert code_for(kind) == EXPECTED_CODES.get(kind.ecma2_name, S.INTERNAL)
    error = cls("it broke")
    error.dn = "CN=x"
    fault = to_fault(error, connector="demo", call="GetImportEntries")
    assert fault.kind == int(kind)
    back = fault_from_details(status_details(fault))
    assert back == fault
    again = from_fault(back)
    assert type(again) is cls
    assert (again.message, again.dn, again.connector, again.call) == (
        "it broke",
        "CN=x",
        "demo",
        "GetImportEntries",
    )


def test_names_match_ecma2_spelling():
    assert FaultKind.INVALID_DN_EXCEPTION.ecma2_name == "InvalidDNException"
    assert FaultKind.of_wire(0) is FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION
    assert FaultKind.of_wire(999) is FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION


def test_extra_fields_travel():
    error = ecma2.NoCompatiblePartitionFoundException(
        "none fits", ma_name="HR", dn="CN=1", object_classes=["person", "top"], object_type="person"
    )
    fault = to_fault(error)
    assert (fault.ma_name, fault.dn, list(fault.object_classes), fault.object_type) == (
        "HR",
        "CN=1",
        ["person", "top"],
        "person",
    )
    assert (
        to_fault(ecma2.NoSuchAttributeException(attribute_name="badge")).attribute_name == "badge"
    )
    assert to_fault(ecma2.NoSuchParameterException(parameter_name="Db")).parameter_name == "Db"
    assert to_fault(ecma2.NoSuchClassException(class_name="c")).class_name == "c"
    assert to_fault(ecma2.NoSuchManagementAgentException(ma_name="m")).ma_name == "m"


def test_a_foreign_exception_becomes_extensible_with_its_type_and_cause():
    try:
        try:
            {}["missing"]
        except KeyError as cause:
            raise ecma2.ServerDownException("offline") from cause
    except ecma2.ServerDownException as error:
        fault = to_fault(error, connector="hr", call="OpenImportConnection")
    assert fault.kind == FaultKind.SERVER_DOWN_EXCEPTION
    assert fault.inner.kind == FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION
    assert fault.inner.foreign_type_name == "KeyError"
    import sqlite3

    fault = to_fault(sqlite3.OperationalError("locked"))
    assert fault.foreign_type_name == "sqlite3.OperationalError"
    assert isinstance(from_fault(fault), ecma2.ExtensibleExtensionException)


def test_secrets_are_scrubbed_from_fault_messages():
    fault = to_fault(RuntimeError("login as admin/Pa55w0rd! failed"), secrets=["Pa55w0rd!"])
    assert "Pa55w0rd!" not in fault.message
    assert "<redacted>" in fault.message


def test_describe_names_type_connector_and_call():
    fault = fault_pb2.Fault(kind=32, message="down", connector="hr", call="GetSchema")
    assert errors.describe(fault) == "ServerDownException from hr.GetSchema: down"


def test_malformed_details_hold_no_fault():
    assert fault_from_details(b"\xff\xff") is None
    assert fault_from_details(b"") is None
