"""ECMA2's 42 exceptions as Python exceptions, and the one place that maps them to gRPC.

Raise these from connector code exactly as a C# connector throws them::

    raise ServerDownException("hr database is offline")
    raise NoSuchAttributeException("no such column", attribute_name="badge")

The SDK turns them into a gRPC status with the code fixed for the kind (:func:`code_for`, the
same table as ``ecma2_proto::fault::code_for`` in Rust), whose details hold a
``google.rpc.Status`` with one ``google.protobuf.Any`` packing an ``ecma2.v1.Fault``. Any other
exception becomes ``ExtensibleExtensionException`` with ``foreign_type_name`` naming the Python
type. Clients (tests, tools) read a fault back with :func:`fault_from_rpc_error` and
:func:`from_fault`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import ClassVar, NoReturn

import grpc
from google.rpc import status_pb2
from grpc_status import rpc_status

from ecma2._pb import fault_pb2
from ecma2.enums import wire

__all__ = [
    "FAULT_TYPE_URL",
    "AccessDeniedException",
    "AttributeDoesNotExistOnObjectException",
    "AttributeNotDefinedAsSourceException",
    "AttributeNotInInclusionListException",
    "AttributeNotPresentException",
    "BadServerCredentialsException",
    "CallCancelled",
    "ClosePasswordConnectionException",
    "DeclineMappingException",
    "DroppedConnectionException",
    "Ecma2Exception",
    "EndConnectionException",
    "EntryExportException",
    "EntryPointNotImplementedException",
    "ExtensibleExtensionException",
    "ExtensionException",
    "FailedConnectionException",
    "FailedSearchException",
    "FatalEntryExportException",
    "FaultKind",
    "FunctionEvaluationException",
    "InvalidDNException",
    "MetadirectoryServicesException",
    "MissingParentObjectException",
    "NoCompatiblePartitionFoundException",
    "NoSuchAttributeException",
    "NoSuchAttributeInObjectTypeException",
    "NoSuchClassException",
    "NoSuchManagementAgentException",
    "NoSuchObjectException",
    "NoSuchObjectTypeException",
    "NoSuchParameterException",
    "ObjectAlreadyExistsException",
    "ObjectNotFoundException",
    "ObjectTypeNotSupportedException",
    "OldPasswordIncorrectException",
    "PasswordExtensionException",
    "PasswordIllFormedException",
    "PasswordPolicyViolationException",
    "ProvisioningBySyncRuleException",
    "RpcError",
    "ServerDownException",
    "TerminateRunException",
    "TooManyValuesException",
    "UnexpectedDataException",
    "WarningNoWatermarkException",
    "code_for",
    "describe",
    "exception_class",
    "fault_from_details",
    "fault_from_rpc_error",
    "foreign_type_name",
    "from_fault",
    "status_details",
    "to_fault",
]

FAULT_TYPE_URL = "type.googleapis.com/ecma2.v1.Fault"
"""The ``Any.type_url`` of a packed Fault."""

STATUS_DETAILS_KEY = "grpc-status-details-bin"
"""The trailing metadata key gRPC uses for a status's details."""

_MAX_INNER_DEPTH = 8


class FaultKind(enum.IntEnum):
    """``ecma2.v1.FaultKind``: the exception types of the ECMA2 assembly (wire values)."""

    METADIRECTORY_SERVICES_EXCEPTION = 1
    NO_SUCH_ATTRIBUTE_EXCEPTION = 2
    NO_SUCH_PARAMETER_EXCEPTION = 3
    NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION = 4
    ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION = 5
    ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION = 6
    ATTRIBUTE_NOT_PRESENT_EXCEPTION = 7
    ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION = 8
    TOO_MANY_VALUES_EXCEPTION = 9
    NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION = 10
    MISSING_PARENT_OBJECT_EXCEPTION = 11
    OBJECT_ALREADY_EXISTS_EXCEPTION = 12
    NO_SUCH_CLASS_EXCEPTION = 13
    NO_SUCH_OBJECT_TYPE_EXCEPTION = 14
    NO_SUCH_OBJECT_EXCEPTION = 15
    INVALID_DN_EXCEPTION = 16
    NO_SUCH_MANAGEMENT_AGENT_EXCEPTION = 17
    EXTENSION_EXCEPTION = 20
    TERMINATE_RUN_EXCEPTION = 21
    DECLINE_MAPPING_EXCEPTION = 22
    UNEXPECTED_DATA_EXCEPTION = 23
    ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION = 24
    OLD_PASSWORD_INCORRECT_EXCEPTION = 25
    OBJECT_NOT_FOUND_EXCEPTION = 26
    OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION = 27
    ACCESS_DENIED_EXCEPTION = 28
    PASSWORD_ILL_FORMED_EXCEPTION = 29
    PASSWORD_POLICY_VIOLATION_EXCEPTION = 30
    BAD_SERVER_CREDENTIALS_EXCEPTION = 31
    SERVER_DOWN_EXCEPTION = 32
    FAILED_CONNECTION_EXCEPTION = 33
    DROPPED_CONNECTION_EXCEPTION = 34
    WARNING_NO_WATERMARK_EXCEPTION = 35
    FAILED_SEARCH_EXCEPTION = 36
    PASSWORD_EXTENSION_EXCEPTION = 37
    END_CONNECTION_EXCEPTION = 38
    CLOSE_PASSWORD_CONNECTION_EXCEPTION = 39
    ENTRY_EXPORT_EXCEPTION = 40
    FATAL_ENTRY_EXPORT_EXCEPTION = 41
    EXTENSIBLE_EXTENSION_EXCEPTION = 42
    FUNCTION_EVALUATION_EXCEPTION = 43
    PROVISIONING_BY_SYNC_RULE_EXCEPTION = 44

    @classmethod
    def of_wire(cls, value: int) -> FaultKind:
        """The kind of a wire value; UNSPECIFIED and unknown values read as Extensible."""
        try:
            return cls(value)
        except ValueError:
            return cls.EXTENSIBLE_EXTENSION_EXCEPTION

    @property
    def ecma2_name(self) -> str:
        """The ECMA2 class name, such as ``ServerDownException`` or ``InvalidDNException``."""
        return "".join("DN" if word == "DN" else word.capitalize() for word in self.name.split("_"))


_S = grpc.StatusCode
_CODES: dict[FaultKind, grpc.StatusCode] = {
    **dict.fromkeys(
        (
            FaultKind.SERVER_DOWN_EXCEPTION,
            FaultKind.FAILED_CONNECTION_EXCEPTION,
            FaultKind.DROPPED_CONNECTION_EXCEPTION,
        ),
        _S.UNAVAILABLE,
    ),
    FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION: _S.UNIMPLEMENTED,
    FaultKind.ACCESS_DENIED_EXCEPTION: _S.PERMISSION_DENIED,
    **dict.fromkeys(
        (
            FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION,
            FaultKind.NO_SUCH_PARAMETER_EXCEPTION,
            FaultKind.NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION,
            FaultKind.ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION,
            FaultKind.ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION,
            FaultKind.ATTRIBUTE_NOT_PRESENT_EXCEPTION,
            FaultKind.ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION,
            FaultKind.NO_SUCH_CLASS_EXCEPTION,
            FaultKind.NO_SUCH_OBJECT_TYPE_EXCEPTION,
            FaultKind.NO_SUCH_OBJECT_EXCEPTION,
            FaultKind.NO_SUCH_MANAGEMENT_AGENT_EXCEPTION,
            FaultKind.OBJECT_NOT_FOUND_EXCEPTION,
        ),
        _S.NOT_FOUND,
    ),
    FaultKind.OBJECT_ALREADY_EXISTS_EXCEPTION: _S.ALREADY_EXISTS,
    **dict.fromkeys(
        (
            FaultKind.TOO_MANY_VALUES_EXCEPTION,
            FaultKind.INVALID_DN_EXCEPTION,
            FaultKind.OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION,
            FaultKind.PASSWORD_ILL_FORMED_EXCEPTION,
            FaultKind.OLD_PASSWORD_INCORRECT_EXCEPTION,
        ),
        _S.INVALID_ARGUMENT,
    ),
    **dict.fromkeys(
        (
            FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION,
            FaultKind.NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION,
            FaultKind.MISSING_PARENT_OBJECT_EXCEPTION,
            FaultKind.DECLINE_MAPPING_EXCEPTION,
            FaultKind.UNEXPECTED_DATA_EXCEPTION,
            FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION,
            FaultKind.WARNING_NO_WATERMARK_EXCEPTION,
        ),
        _S.FAILED_PRECONDITION,
    ),
    FaultKind.TERMINATE_RUN_EXCEPTION: _S.ABORTED,
    FaultKind.FATAL_ENTRY_EXPORT_EXCEPTION: _S.ABORTED,
}


def code_for(kind: FaultKind) -> grpc.StatusCode:
    """The gRPC status code a fault of this kind travels with (the contract's table)."""
    return _CODES.get(kind, grpc.StatusCode.INTERNAL)


# --- the exception classes ------------------------------------------------------------------


class Ecma2Exception(Exception):
    """Base of every ECMA2 exception. ``message`` is ECMA2's description.

    Every instance has every extra field of the contract's Fault (empty unless its ECMA2 type
    declares it), plus where a fault came from when it was read back from the wire.
    """

    kind: ClassVar[FaultKind] = FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.attribute_name = ""
        self.parameter_name = ""
        self.ma_name = ""
        self.dn = ""
        self.object_classes: list[str] = []
        self.object_type = ""
        self.class_name = ""
        # Filled when read back from a fault (client side).
        self.connector = ""
        self.call = ""
        self.from_host = False
        self.foreign_type_name = ""
        self.session_id = ""

    def __str__(self) -> str:
        return self.message


class MetadirectoryServicesException(Ecma2Exception):
    """Root of ECMA2's object-model exception tree."""

    kind = FaultKind.METADIRECTORY_SERVICES_EXCEPTION


class ExtensionException(Ecma2Exception):
    """Root of the exception tree thrown by extensions and connectors."""

    kind = FaultKind.EXTENSION_EXCEPTION


class _AttributeNamed(MetadirectoryServicesException):
    def __init__(self, message: str = "", *, attribute_name: str = "") -> None:
        super().__init__(message or attribute_name)
        self.attribute_name = attribute_name


class _MANamedDN(MetadirectoryServicesException):
    def __init__(self, message: str = "", *, ma_name: str = "", dn: str = "") -> None:
        super().__init__(message)
        self.ma_name = ma_name
        self.dn = dn


class NoSuchAttributeException(_AttributeNamed):
    """ECMA2 ``NoSuchAttributeException`` (``attribute_name``)."""

    kind = FaultKind.NO_SUCH_ATTRIBUTE_EXCEPTION


class NoSuchParameterException(MetadirectoryServicesException):
    """ECMA2 ``NoSuchParameterException`` (``parameter_name``)."""

    kind = FaultKind.NO_SUCH_PARAMETER_EXCEPTION

    def __init__(self, message: str = "", *, parameter_name: str = "") -> None:
        super().__init__(message or parameter_name)
        self.parameter_name = parameter_name


class NoSuchAttributeInObjectTypeException(_AttributeNamed):
    """ECMA2 ``NoSuchAttributeInObjectTypeException`` (``attribute_name``)."""

    kind = FaultKind.NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION


class AttributeDoesNotExistOnObjectException(_AttributeNamed):
    """ECMA2 ``AttributeDoesNotExistOnObjectException`` (``attribute_name``)."""

    kind = FaultKind.ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION


class AttributeNotInInclusionListException(_AttributeNamed):
    """ECMA2 ``AttributeNotInInclusionListException`` (``attribute_name``)."""

    kind = FaultKind.ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION


class AttributeNotPresentException(_AttributeNamed):
    """ECMA2 ``AttributeNotPresentException`` (``attribute_name``)."""

    kind = FaultKind.ATTRIBUTE_NOT_PRESENT_EXCEPTION


class AttributeNotDefinedAsSourceException(_AttributeNamed):
    """ECMA2 ``AttributeNotDefinedAsSourceException`` (``attribute_name``)."""

    kind = FaultKind.ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION


class TooManyValuesException(_AttributeNamed):
    """ECMA2 ``TooManyValuesException`` (``attribute_name``)."""

    kind = FaultKind.TOO_MANY_VALUES_EXCEPTION


class NoCompatiblePartitionFoundException(MetadirectoryServicesException):
    """ECMA2 ``NoCompatiblePartitionFoundException`` (MA name, DN, object classes, type)."""

    kind = FaultKind.NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION

    def __init__(
        self,
        message: str = "",
        *,
        ma_name: str = "",
        dn: str = "",
        object_classes: Sequence[str] = (),
        object_type: str = "",
    ) -> None:
        super().__init__(message)
        self.ma_name = ma_name
        self.dn = dn
        self.object_classes = list(object_classes)
        self.object_type = object_type


class MissingParentObjectException(_MANamedDN):
    """ECMA2 ``MissingParentObjectException`` (``ma_name``, ``dn``)."""

    kind = FaultKind.MISSING_PARENT_OBJECT_EXCEPTION


class ObjectAlreadyExistsException(_MANamedDN):
    """ECMA2 ``ObjectAlreadyExistsException`` (``ma_name``, ``dn``)."""

    kind = FaultKind.OBJECT_ALREADY_EXISTS_EXCEPTION


class NoSuchClassException(MetadirectoryServicesException):
    """ECMA2 ``NoSuchClassException`` (``class_name``)."""

    kind = FaultKind.NO_SUCH_CLASS_EXCEPTION

    def __init__(self, message: str = "", *, class_name: str = "") -> None:
        super().__init__(message or class_name)
        self.class_name = class_name


class NoSuchObjectTypeException(MetadirectoryServicesException):
    """ECMA2 ``NoSuchObjectTypeException`` (``object_type``)."""

    kind = FaultKind.NO_SUCH_OBJECT_TYPE_EXCEPTION

    def __init__(self, message: str = "", *, object_type: str = "") -> None:
        super().__init__(message or object_type)
        self.object_type = object_type


class NoSuchObjectException(_MANamedDN):
    """ECMA2 ``NoSuchObjectException`` (``ma_name``, ``dn``)."""

    kind = FaultKind.NO_SUCH_OBJECT_EXCEPTION


class InvalidDNException(_MANamedDN):
    """ECMA2 ``InvalidDNException`` (``ma_name``, ``dn``)."""

    kind = FaultKind.INVALID_DN_EXCEPTION


class NoSuchManagementAgentException(MetadirectoryServicesException):
    """ECMA2 ``NoSuchManagementAgentException`` (``ma_name``)."""

    kind = FaultKind.NO_SUCH_MANAGEMENT_AGENT_EXCEPTION

    def __init__(self, message: str = "", *, ma_name: str = "") -> None:
        super().__init__(message or ma_name)
        self.ma_name = ma_name


class TerminateRunException(ExtensionException):
    """ECMA2 ``TerminateRunException``: stop the run."""

    kind = FaultKind.TERMINATE_RUN_EXCEPTION


class DeclineMappingException(ExtensionException):
    """ECMA2 ``DeclineMappingException``."""

    kind = FaultKind.DECLINE_MAPPING_EXCEPTION


class UnexpectedDataException(ExtensionException):
    """ECMA2 ``UnexpectedDataException``: data the connector cannot handle."""

    kind = FaultKind.UNEXPECTED_DATA_EXCEPTION


class EntryPointNotImplementedException(ExtensionException):
    """ECMA2 ``EntryPointNotImplementedException``: the call is not implemented."""

    kind = FaultKind.ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION


class OldPasswordIncorrectException(ExtensionException):
    """ECMA2 ``OldPasswordIncorrectException`` (ChangePassword)."""

    kind = FaultKind.OLD_PASSWORD_INCORRECT_EXCEPTION


class ObjectNotFoundException(ExtensionException):
    """ECMA2 ``ObjectNotFoundException``."""

    kind = FaultKind.OBJECT_NOT_FOUND_EXCEPTION


class ObjectTypeNotSupportedException(ExtensionException):
    """ECMA2 ``ObjectTypeNotSupportedException``."""

    kind = FaultKind.OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION


class AccessDeniedException(ExtensionException):
    """ECMA2 ``AccessDeniedException``."""

    kind = FaultKind.ACCESS_DENIED_EXCEPTION


class PasswordIllFormedException(ExtensionException):
    """ECMA2 ``PasswordIllFormedException``."""

    kind = FaultKind.PASSWORD_ILL_FORMED_EXCEPTION


class PasswordPolicyViolationException(ExtensionException):
    """ECMA2 ``PasswordPolicyViolationException``."""

    kind = FaultKind.PASSWORD_POLICY_VIOLATION_EXCEPTION


class BadServerCredentialsException(ExtensionException):
    """ECMA2 ``BadServerCredentialsException``: the credentials do not work."""

    kind = FaultKind.BAD_SERVER_CREDENTIALS_EXCEPTION


class ServerDownException(ExtensionException):
    """ECMA2 ``ServerDownException``: the server cannot be reached at all."""

    kind = FaultKind.SERVER_DOWN_EXCEPTION


class FailedConnectionException(ExtensionException):
    """ECMA2 ``FailedConnectionException``: reachable, credentials fine, still failed."""

    kind = FaultKind.FAILED_CONNECTION_EXCEPTION


class DroppedConnectionException(ExtensionException):
    """ECMA2 ``DroppedConnectionException``: the connection was lost mid-run."""

    kind = FaultKind.DROPPED_CONNECTION_EXCEPTION


class WarningNoWatermarkException(ExtensionException):
    """ECMA2 ``WarningNoWatermarkException``."""

    kind = FaultKind.WARNING_NO_WATERMARK_EXCEPTION


class FailedSearchException(ExtensionException):
    """ECMA2 ``FailedSearchException``."""

    kind = FaultKind.FAILED_SEARCH_EXCEPTION


class PasswordExtensionException(ExtensionException):
    """ECMA2 ``PasswordExtensionException``: a password operation failed otherwise."""

    kind = FaultKind.PASSWORD_EXTENSION_EXCEPTION


class EndConnectionException(ExtensionException):
    """ECMA2 ``EndConnectionException``."""

    kind = FaultKind.END_CONNECTION_EXCEPTION


class ClosePasswordConnectionException(ExtensionException):
    """ECMA2 ``ClosePasswordConnectionException``."""

    kind = FaultKind.CLOSE_PASSWORD_CONNECTION_EXCEPTION


class EntryExportException(ExtensionException):
    """ECMA2 ``EntryExportException``."""

    kind = FaultKind.ENTRY_EXPORT_EXCEPTION


class FatalEntryExportException(ExtensionException):
    """ECMA2 ``FatalEntryExportException``."""

    kind = FaultKind.FATAL_ENTRY_EXPORT_EXCEPTION


class ExtensibleExtensionException(ExtensionException):
    """ECMA2 ``ExtensibleExtensionException``: any other connector failure."""

    kind = FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION


class FunctionEvaluationException(ExtensionException):
    """ECMA2 ``FunctionEvaluationException``."""

    kind = FaultKind.FUNCTION_EVALUATION_EXCEPTION


class ProvisioningBySyncRuleException(ExtensionException):
    """ECMA2 ``ProvisioningBySyncRuleException``."""

    kind = FaultKind.PROVISIONING_BY_SYNC_RULE_EXCEPTION


def _all_subclasses(cls: type[Ecma2Exception]) -> Iterable[type[Ecma2Exception]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


_CLASSES: dict[FaultKind, type[Ecma2Exception]] = {
    cls.kind: cls for cls in _all_subclasses(Ecma2Exception) if not cls.__name__.startswith("_")
}


def exception_class(kind: FaultKind) -> type[Ecma2Exception]:
    """The Python class of a fault kind."""
    return _CLASSES[kind]


# --- SDK-level conditions that are not ECMA2 exceptions -------------------------------------


class CallCancelled(Exception):
    """Raised by :meth:`ecma2.CallContext.raise_if_cancelled` once the caller cancelled."""


class RpcError(Exception):
    """A plain gRPC status without a Fault: a protocol error (bad session, bad page size)."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- exception <-> Fault <-> status ---------------------------------------------------------


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if len(secret) >= 3:
            text = text.replace(secret, "<redacted>")
    return text


def foreign_type_name(error: BaseException) -> str:
    """The Python type of an exception as a fault names it, such as ``sqlite3.Error``."""
    cls = type(error)
    module = cls.__module__
    if module in {"builtins", "__main__"}:
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def to_fault(
    error: BaseException,
    *,
    connector: str = "",
    call: str = "",
    session_id: str = "",
    secrets: Sequence[str] = (),
    _depth: int = 0,
) -> fault_pb2.Fault:
    """The Fault for an exception raised by connector code; secrets are scrubbed out."""
    if isinstance(error, Ecma2Exception):
        fault = fault_pb2.Fault(
            kind=wire(error.kind),
            message=_scrub(error.message, secrets),
            attribute_name=error.attribute_name,
            parameter_name=error.parameter_name,
            ma_name=error.ma_name,
            dn=error.dn,
            object_classes=error.object_classes,
            object_type=error.object_type,
            class_name=error.class_name,
            foreign_type_name=error.foreign_type_name,
        )
    else:
        fault = fault_pb2.Fault(
            kind=wire(FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION),
            message=_scrub(str(error), secrets),
            foreign_type_name=foreign_type_name(error),
        )
    fault.connector = connector
    fault.call = call
    fault.session_id = session_id
    cause = error.__cause__
    if cause is not None and _depth < _MAX_INNER_DEPTH:
        fault.inner.CopyFrom(
            to_fault(cause, connector=connector, call=call, secrets=secrets, _depth=_depth + 1)
        )
    return fault


def from_fault(fault: fault_pb2.Fault) -> Ecma2Exception:
    """The exception a fault stands for (an engine bridge re-raises exactly this type)."""
    error = exception_class(FaultKind.of_wire(fault.kind))(fault.message)
    error.attribute_name = fault.attribute_name
    error.parameter_name = fault.parameter_name
    error.ma_name = fault.ma_name
    error.dn = fault.dn
    error.object_classes = list(fault.object_classes)
    error.object_type = fault.object_type
    error.class_name = fault.class_name
    error.connector = fault.connector
    error.call = fault.call
    error.from_host = fault.from_host
    error.foreign_type_name = fault.foreign_type_name
    error.session_id = fault.session_id
    if fault.HasField("inner"):
        error.__cause__ = from_fault(fault.inner)
    return error


def describe(fault: fault_pb2.Fault) -> str:
    """One line naming the exception type, the connector and the call, as the Rust side does."""
    text = FaultKind.of_wire(fault.kind).ecma2_name
    if fault.connector or fault.call:
        text += " from " + (fault.connector or "?")
        if fault.call:
            text += "." + fault.call
    if fault.message:
        text += ": " + fault.message
    return text


def rich_status(fault: fault_pb2.Fault) -> status_pb2.Status:
    """The ``google.rpc.Status`` for a fault: its code, its one-line description, and the
    Fault packed in ``details``."""
    kind = FaultKind.of_wire(fault.kind)
    status = status_pb2.Status(code=code_for(kind).value[0], message=describe(fault))
    detail = status.details.add()
    detail.type_url = FAULT_TYPE_URL
    detail.value = fault.SerializeToString()
    return status


def status_details(fault: fault_pb2.Fault) -> bytes:
    """The ``grpc-status-details-bin`` payload for a fault."""
    payload: bytes = rich_status(fault).SerializeToString()
    return payload


def fault_from_details(details: bytes) -> fault_pb2.Fault | None:
    """The Fault in a ``grpc-status-details-bin`` payload, if it holds one."""
    try:
        status = status_pb2.Status.FromString(details)
    except Exception:  # a malformed payload simply holds no fault
        return None
    for detail in status.details:
        if detail.type_url == FAULT_TYPE_URL:
            return fault_pb2.Fault.FromString(detail.value)
    return None


def fault_from_rpc_error(error: grpc.RpcError) -> fault_pb2.Fault | None:
    """The Fault a failed call carries, if any (clients: tests, tools, bridges)."""
    if not isinstance(error, grpc.Call):
        return None
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            return fault_from_details(value)
    return None


def abort_with_fault(context: grpc.ServicerContext, fault: fault_pb2.Fault) -> NoReturn:
    """Ends the call with the fault's status (server side), through grpcio-status."""
    context.abort_with_status(rpc_status.to_status(rich_status(fault)))
    raise AssertionError("abort_with_status returned")  # pragma: no cover


def abort_with_error(context: grpc.ServicerContext, error: RpcError) -> NoReturn:
    """Ends the call with a plain status (server side)."""
    context.abort(error.code, error.message)
    raise AssertionError("abort returned")  # pragma: no cover
