from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FaultKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAULT_KIND_UNSPECIFIED: _ClassVar[FaultKind]
    FAULT_KIND_METADIRECTORY_SERVICES_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_PARAMETER_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_TOO_MANY_VALUES_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_CLASS_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_OBJECT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_INVALID_DN_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_EXTENSION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_TERMINATE_RUN_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_DECLINE_MAPPING_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_UNEXPECTED_DATA_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ACCESS_DENIED_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_SERVER_DOWN_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_FAILED_CONNECTION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_DROPPED_CONNECTION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_FAILED_SEARCH_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_END_CONNECTION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_CLOSE_PASSWORD_CONNECTION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_ENTRY_EXPORT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_FUNCTION_EVALUATION_EXCEPTION: _ClassVar[FaultKind]
    FAULT_KIND_PROVISIONING_BY_SYNC_RULE_EXCEPTION: _ClassVar[FaultKind]
FAULT_KIND_UNSPECIFIED: FaultKind
FAULT_KIND_METADIRECTORY_SERVICES_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_PARAMETER_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION: FaultKind
FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION: FaultKind
FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION: FaultKind
FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION: FaultKind
FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION: FaultKind
FAULT_KIND_TOO_MANY_VALUES_EXCEPTION: FaultKind
FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION: FaultKind
FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION: FaultKind
FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_CLASS_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_OBJECT_EXCEPTION: FaultKind
FAULT_KIND_INVALID_DN_EXCEPTION: FaultKind
FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION: FaultKind
FAULT_KIND_EXTENSION_EXCEPTION: FaultKind
FAULT_KIND_TERMINATE_RUN_EXCEPTION: FaultKind
FAULT_KIND_DECLINE_MAPPING_EXCEPTION: FaultKind
FAULT_KIND_UNEXPECTED_DATA_EXCEPTION: FaultKind
FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION: FaultKind
FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION: FaultKind
FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION: FaultKind
FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION: FaultKind
FAULT_KIND_ACCESS_DENIED_EXCEPTION: FaultKind
FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION: FaultKind
FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION: FaultKind
FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION: FaultKind
FAULT_KIND_SERVER_DOWN_EXCEPTION: FaultKind
FAULT_KIND_FAILED_CONNECTION_EXCEPTION: FaultKind
FAULT_KIND_DROPPED_CONNECTION_EXCEPTION: FaultKind
FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION: FaultKind
FAULT_KIND_FAILED_SEARCH_EXCEPTION: FaultKind
FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION: FaultKind
FAULT_KIND_END_CONNECTION_EXCEPTION: FaultKind
FAULT_KIND_CLOSE_PASSWORD_CONNECTION_EXCEPTION: FaultKind
FAULT_KIND_ENTRY_EXPORT_EXCEPTION: FaultKind
FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION: FaultKind
FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION: FaultKind
FAULT_KIND_FUNCTION_EVALUATION_EXCEPTION: FaultKind
FAULT_KIND_PROVISIONING_BY_SYNC_RULE_EXCEPTION: FaultKind

class Fault(_message.Message):
    __slots__ = ("kind", "message", "connector", "call", "from_host", "foreign_type_name", "attribute_name", "parameter_name", "ma_name", "dn", "object_classes", "object_type", "class_name", "inner", "session_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    CALL_FIELD_NUMBER: _ClassVar[int]
    FROM_HOST_FIELD_NUMBER: _ClassVar[int]
    FOREIGN_TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_NAME_FIELD_NUMBER: _ClassVar[int]
    MA_NAME_FIELD_NUMBER: _ClassVar[int]
    DN_FIELD_NUMBER: _ClassVar[int]
    OBJECT_CLASSES_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CLASS_NAME_FIELD_NUMBER: _ClassVar[int]
    INNER_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    kind: FaultKind
    message: str
    connector: str
    call: str
    from_host: bool
    foreign_type_name: str
    attribute_name: str
    parameter_name: str
    ma_name: str
    dn: str
    object_classes: _containers.RepeatedScalarFieldContainer[str]
    object_type: str
    class_name: str
    inner: Fault
    session_id: str
    def __init__(self, kind: _Optional[_Union[FaultKind, str]] = ..., message: _Optional[str] = ..., connector: _Optional[str] = ..., call: _Optional[str] = ..., from_host: _Optional[bool] = ..., foreign_type_name: _Optional[str] = ..., attribute_name: _Optional[str] = ..., parameter_name: _Optional[str] = ..., ma_name: _Optional[str] = ..., dn: _Optional[str] = ..., object_classes: _Optional[_Iterable[str]] = ..., object_type: _Optional[str] = ..., class_name: _Optional[str] = ..., inner: _Optional[_Union[Fault, _Mapping]] = ..., session_id: _Optional[str] = ...) -> None: ...
