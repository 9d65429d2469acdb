from ecma2._pb import config_pb2 as _config_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AttributeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_TYPE_UNSPECIFIED: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_STRING: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_INTEGER: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_REFERENCE: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_BINARY: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_BOOLEAN: _ClassVar[AttributeType]
    ATTRIBUTE_TYPE_UNDEFINED: _ClassVar[AttributeType]

class AttributeOperation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIBUTE_OPERATION_UNSPECIFIED: _ClassVar[AttributeOperation]
    ATTRIBUTE_OPERATION_IMPORT_EXPORT: _ClassVar[AttributeOperation]
    ATTRIBUTE_OPERATION_EXPORT_ONLY: _ClassVar[AttributeOperation]
    ATTRIBUTE_OPERATION_IMPORT_ONLY: _ClassVar[AttributeOperation]
ATTRIBUTE_TYPE_UNSPECIFIED: AttributeType
ATTRIBUTE_TYPE_STRING: AttributeType
ATTRIBUTE_TYPE_INTEGER: AttributeType
ATTRIBUTE_TYPE_REFERENCE: AttributeType
ATTRIBUTE_TYPE_BINARY: AttributeType
ATTRIBUTE_TYPE_BOOLEAN: AttributeType
ATTRIBUTE_TYPE_UNDEFINED: AttributeType
ATTRIBUTE_OPERATION_UNSPECIFIED: AttributeOperation
ATTRIBUTE_OPERATION_IMPORT_EXPORT: AttributeOperation
ATTRIBUTE_OPERATION_EXPORT_ONLY: AttributeOperation
ATTRIBUTE_OPERATION_IMPORT_ONLY: AttributeOperation

class Schema(_message.Message):
    __slots__ = ("types", "change_type", "object_type_attribute_name")
    TYPES_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TYPE_ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    types: _containers.RepeatedCompositeFieldContainer[SchemaType]
    change_type: ChangeTypeDescription
    object_type_attribute_name: str
    def __init__(self, types: _Optional[_Iterable[_Union[SchemaType, _Mapping]]] = ..., change_type: _Optional[_Union[ChangeTypeDescription, _Mapping]] = ..., object_type_attribute_name: _Optional[str] = ...) -> None: ...

class SchemaType(_message.Message):
    __slots__ = ("name", "locked", "attributes", "possible_dn_components_for_provisioning")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    POSSIBLE_DN_COMPONENTS_FOR_PROVISIONING_FIELD_NUMBER: _ClassVar[int]
    name: str
    locked: bool
    attributes: _containers.RepeatedCompositeFieldContainer[SchemaAttribute]
    possible_dn_components_for_provisioning: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., locked: _Optional[bool] = ..., attributes: _Optional[_Iterable[_Union[SchemaAttribute, _Mapping]]] = ..., possible_dn_components_for_provisioning: _Optional[_Iterable[str]] = ...) -> None: ...

class SchemaAttribute(_message.Message):
    __slots__ = ("name", "is_multi_valued", "is_anchor", "data_type", "allowed_attribute_operation", "hidden_by_default")
    NAME_FIELD_NUMBER: _ClassVar[int]
    IS_MULTI_VALUED_FIELD_NUMBER: _ClassVar[int]
    IS_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_ATTRIBUTE_OPERATION_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_BY_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    is_multi_valued: bool
    is_anchor: bool
    data_type: AttributeType
    allowed_attribute_operation: AttributeOperation
    hidden_by_default: bool
    def __init__(self, name: _Optional[str] = ..., is_multi_valued: _Optional[bool] = ..., is_anchor: _Optional[bool] = ..., data_type: _Optional[_Union[AttributeType, str]] = ..., allowed_attribute_operation: _Optional[_Union[AttributeOperation, str]] = ..., hidden_by_default: _Optional[bool] = ...) -> None: ...

class ChangeTypeDescription(_message.Message):
    __slots__ = ("attribute_name", "add", "modify", "delete")
    ATTRIBUTE_NAME_FIELD_NUMBER: _ClassVar[int]
    ADD_FIELD_NUMBER: _ClassVar[int]
    MODIFY_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    attribute_name: str
    add: str
    modify: str
    delete: str
    def __init__(self, attribute_name: _Optional[str] = ..., add: _Optional[str] = ..., modify: _Optional[str] = ..., delete: _Optional[str] = ...) -> None: ...

class GetSchemaRequest(_message.Message):
    __slots__ = ("config_parameters",)
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ...) -> None: ...

class GetSchemaResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: Schema
    def __init__(self, schema: _Optional[_Union[Schema, _Mapping]] = ...) -> None: ...
