from ecma2._pb import schema_pb2 as _schema_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ObjectModificationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OBJECT_MODIFICATION_TYPE_UNSPECIFIED: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_UNCONFIGURED: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_NONE: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_ADD: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_REPLACE: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_UPDATE: _ClassVar[ObjectModificationType]
    OBJECT_MODIFICATION_TYPE_DELETE: _ClassVar[ObjectModificationType]

class AttributeModificationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_MODIFICATION_TYPE_UNSPECIFIED: _ClassVar[AttributeModificationType]
    ATTRIBUTE_MODIFICATION_TYPE_UNCONFIGURED: _ClassVar[AttributeModificationType]
    ATTRIBUTE_MODIFICATION_TYPE_ADD: _ClassVar[AttributeModificationType]
    ATTRIBUTE_MODIFICATION_TYPE_REPLACE: _ClassVar[AttributeModificationType]
    ATTRIBUTE_MODIFICATION_TYPE_UPDATE: _ClassVar[AttributeModificationType]
    ATTRIBUTE_MODIFICATION_TYPE_DELETE: _ClassVar[AttributeModificationType]

class ValueModificationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VALUE_MODIFICATION_TYPE_UNSPECIFIED: _ClassVar[ValueModificationType]
    VALUE_MODIFICATION_TYPE_UNCONFIGURED: _ClassVar[ValueModificationType]
    VALUE_MODIFICATION_TYPE_ADD: _ClassVar[ValueModificationType]
    VALUE_MODIFICATION_TYPE_DELETE: _ClassVar[ValueModificationType]

class ModificationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODIFICATION_TYPE_UNSPECIFIED: _ClassVar[ModificationType]
    MODIFICATION_TYPE_ADD: _ClassVar[ModificationType]
    MODIFICATION_TYPE_REPLACE: _ClassVar[ModificationType]
    MODIFICATION_TYPE_DELETE: _ClassVar[ModificationType]

class MAImportError(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_IMPORT_ERROR_UNSPECIFIED: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_SUCCESS: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_DOMAIN_NAME: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_DOMAIN_NAME_NOT_LDAP_CONFORMANT: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_DOMAIN_NAME: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_CHANGE_TYPE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_CHANGE_TYPE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_MULTI_VALUED_CHANGE_TYPE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_OBJECT_CLASS: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_OBJECT_TYPE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_PARSE_ERROR: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_READ_ERROR: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_ATTRIBUTE_VALUE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_BASE64_VALUE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_NUMERIC_VALUE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_BOOLEAN_VALUE: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_CUSTOM_STOP_RUN: _ClassVar[MAImportError]
    MA_IMPORT_ERROR_IMPORT_ERROR_CUSTOM_CONTINUE_RUN: _ClassVar[MAImportError]

class MAExportError(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_EXPORT_ERROR_UNSPECIFIED: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_SUCCESS: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ACTION_CONVERT_UPDATE_TO_ADD: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ACTION_RETRY_REFERENCE_ATTRIBUTE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ACTION_PROVISIONING_PARENT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_NON_EXISTING_PARENT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_DUPLICATE_ANCHOR: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_AMBIGUOUS_UPDATE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_PASSWORD_POLICY_VIOLATION: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_KERBEROS_TIME_SKEW: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_KERBEROS_NO_LOG_ON_SERVER: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CHANGE_NAMING_ATTRIBUTE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_PROVISIONING_ATTRIBUTE_VALUE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_ANCHOR_COMPONENT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_MULTI_VALUED_ANCHOR_COMPONENT: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_ANCHOR_TOO_LONG: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_STOP_RUN: _ClassVar[MAExportError]
    MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN: _ClassVar[MAExportError]
OBJECT_MODIFICATION_TYPE_UNSPECIFIED: ObjectModificationType
OBJECT_MODIFICATION_TYPE_UNCONFIGURED: ObjectModificationType
OBJECT_MODIFICATION_TYPE_NONE: ObjectModificationType
OBJECT_MODIFICATION_TYPE_ADD: ObjectModificationType
OBJECT_MODIFICATION_TYPE_REPLACE: ObjectModificationType
OBJECT_MODIFICATION_TYPE_UPDATE: ObjectModificationType
OBJECT_MODIFICATION_TYPE_DELETE: ObjectModificationType
ATTRIBUTE_MODIFICATION_TYPE_UNSPECIFIED: AttributeModificationType
ATTRIBUTE_MODIFICATION_TYPE_UNCONFIGURED: AttributeModificationType
ATTRIBUTE_MODIFICATION_TYPE_ADD: AttributeModificationType
ATTRIBUTE_MODIFICATION_TYPE_REPLACE: AttributeModificationType
ATTRIBUTE_MODIFICATION_TYPE_UPDATE: AttributeModificationType
ATTRIBUTE_MODIFICATION_TYPE_DELETE: AttributeModificationType
VALUE_MODIFICATION_TYPE_UNSPECIFIED: ValueModificationType
VALUE_MODIFICATION_TYPE_UNCONFIGURED: ValueModificationType
VALUE_MODIFICATION_TYPE_ADD: ValueModificationType
VALUE_MODIFICATION_TYPE_DELETE: ValueModificationType
MODIFICATION_TYPE_UNSPECIFIED: ModificationType
MODIFICATION_TYPE_ADD: ModificationType
MODIFICATION_TYPE_REPLACE: ModificationType
MODIFICATION_TYPE_DELETE: ModificationType
MA_IMPORT_ERROR_UNSPECIFIED: MAImportError
MA_IMPORT_ERROR_SUCCESS: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_DOMAIN_NAME: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_DOMAIN_NAME_NOT_LDAP_CONFORMANT: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_DOMAIN_NAME: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_CHANGE_TYPE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_CHANGE_TYPE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_MULTI_VALUED_CHANGE_TYPE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_OBJECT_CLASS: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_MISSING_OBJECT_TYPE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_PARSE_ERROR: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_READ_ERROR: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_ATTRIBUTE_VALUE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_BASE64_VALUE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_NUMERIC_VALUE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_BOOLEAN_VALUE: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_CUSTOM_STOP_RUN: MAImportError
MA_IMPORT_ERROR_IMPORT_ERROR_CUSTOM_CONTINUE_RUN: MAImportError
MA_EXPORT_ERROR_UNSPECIFIED: MAExportError
MA_EXPORT_ERROR_SUCCESS: MAExportError
MA_EXPORT_ERROR_EXPORT_ACTION_CONVERT_UPDATE_TO_ADD: MAExportError
MA_EXPORT_ERROR_EXPORT_ACTION_RETRY_REFERENCE_ATTRIBUTE: MAExportError
MA_EXPORT_ERROR_EXPORT_ACTION_PROVISIONING_PARENT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_NON_EXISTING_PARENT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_DUPLICATE_ANCHOR: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_AMBIGUOUS_UPDATE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_PASSWORD_POLICY_VIOLATION: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_KERBEROS_TIME_SKEW: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_KERBEROS_NO_LOG_ON_SERVER: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CHANGE_NAMING_ATTRIBUTE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_PROVISIONING_ATTRIBUTE_VALUE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_ANCHOR_COMPONENT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_MULTI_VALUED_ANCHOR_COMPONENT: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_ANCHOR_TOO_LONG: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_STOP_RUN: MAExportError
MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN: MAExportError

class CSEntryChange(_message.Message):
    __slots__ = ("identifier", "object_modification_type", "object_type", "dn", "anchor_attributes", "attribute_changes", "error_code_import", "error_name", "error_detail")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    OBJECT_MODIFICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DN_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_CHANGES_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_IMPORT_FIELD_NUMBER: _ClassVar[int]
    ERROR_NAME_FIELD_NUMBER: _ClassVar[int]
    ERROR_DETAIL_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    object_modification_type: ObjectModificationType
    object_type: str
    dn: str
    anchor_attributes: _containers.RepeatedCompositeFieldContainer[AnchorAttribute]
    attribute_changes: _containers.RepeatedCompositeFieldContainer[AttributeChange]
    error_code_import: MAImportError
    error_name: str
    error_detail: str
    def __init__(self, identifier: _Optional[str] = ..., object_modification_type: _Optional[_Union[ObjectModificationType, str]] = ..., object_type: _Optional[str] = ..., dn: _Optional[str] = ..., anchor_attributes: _Optional[_Iterable[_Union[AnchorAttribute, _Mapping]]] = ..., attribute_changes: _Optional[_Iterable[_Union[AttributeChange, _Mapping]]] = ..., error_code_import: _Optional[_Union[MAImportError, str]] = ..., error_name: _Optional[str] = ..., error_detail: _Optional[str] = ...) -> None: ...

class AnchorAttribute(_message.Message):
    __slots__ = ("name", "data_type", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_type: _schema_pb2.AttributeType
    value: AttributeValue
    def __init__(self, name: _Optional[str] = ..., data_type: _Optional[_Union[_schema_pb2.AttributeType, str]] = ..., value: _Optional[_Union[AttributeValue, _Mapping]] = ...) -> None: ...

class AttributeChange(_message.Message):
    __slots__ = ("name", "data_type", "is_multi_valued", "modification_type", "value_changes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_MULTI_VALUED_FIELD_NUMBER: _ClassVar[int]
    MODIFICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_CHANGES_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_type: _schema_pb2.AttributeType
    is_multi_valued: bool
    modification_type: AttributeModificationType
    value_changes: _containers.RepeatedCompositeFieldContainer[ValueChange]
    def __init__(self, name: _Optional[str] = ..., data_type: _Optional[_Union[_schema_pb2.AttributeType, str]] = ..., is_multi_valued: _Optional[bool] = ..., modification_type: _Optional[_Union[AttributeModificationType, str]] = ..., value_changes: _Optional[_Iterable[_Union[ValueChange, _Mapping]]] = ...) -> None: ...

class ValueChange(_message.Message):
    __slots__ = ("value", "modification_type")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MODIFICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    value: AttributeValue
    modification_type: ValueModificationType
    def __init__(self, value: _Optional[_Union[AttributeValue, _Mapping]] = ..., modification_type: _Optional[_Union[ValueModificationType, str]] = ...) -> None: ...

class AttributeValue(_message.Message):
    __slots__ = ("string_value", "integer_value", "reference_value", "binary_value", "boolean_value")
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    INTEGER_VALUE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_VALUE_FIELD_NUMBER: _ClassVar[int]
    BINARY_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOLEAN_VALUE_FIELD_NUMBER: _ClassVar[int]
    string_value: str
    integer_value: int
    reference_value: str
    binary_value: bytes
    boolean_value: bool
    def __init__(self, string_value: _Optional[str] = ..., integer_value: _Optional[int] = ..., reference_value: _Optional[str] = ..., binary_value: _Optional[bytes] = ..., boolean_value: _Optional[bool] = ...) -> None: ...

class CSEntryChangeResult(_message.Message):
    __slots__ = ("identifier", "anchor_attributes", "error_code", "error_name", "error_detail")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_NAME_FIELD_NUMBER: _ClassVar[int]
    ERROR_DETAIL_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    anchor_attributes: _containers.RepeatedCompositeFieldContainer[AttributeChange]
    error_code: MAExportError
    error_name: str
    error_detail: str
    def __init__(self, identifier: _Optional[str] = ..., anchor_attributes: _Optional[_Iterable[_Union[AttributeChange, _Mapping]]] = ..., error_code: _Optional[_Union[MAExportError, str]] = ..., error_name: _Optional[str] = ..., error_detail: _Optional[str] = ...) -> None: ...

class PutExportEntriesResults(_message.Message):
    __slots__ = ("cs_entry_change_results",)
    CS_ENTRY_CHANGE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    cs_entry_change_results: _containers.RepeatedCompositeFieldContainer[CSEntryChangeResult]
    def __init__(self, cs_entry_change_results: _Optional[_Iterable[_Union[CSEntryChangeResult, _Mapping]]] = ...) -> None: ...

class EntryFragment(_message.Message):
    __slots__ = ("data", "last")
    DATA_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    last: bool
    def __init__(self, data: _Optional[bytes] = ..., last: _Optional[bool] = ...) -> None: ...

class EntryBatch(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[CSEntryChange]
    def __init__(self, entries: _Optional[_Iterable[_Union[CSEntryChange, _Mapping]]] = ...) -> None: ...
