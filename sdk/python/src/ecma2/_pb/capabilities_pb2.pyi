from ecma2._pb import config_pb2 as _config_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MADistinguishedNameStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_DISTINGUISHED_NAME_STYLE_UNSPECIFIED: _ClassVar[MADistinguishedNameStyle]
    MA_DISTINGUISHED_NAME_STYLE_NONE: _ClassVar[MADistinguishedNameStyle]
    MA_DISTINGUISHED_NAME_STYLE_GENERIC: _ClassVar[MADistinguishedNameStyle]
    MA_DISTINGUISHED_NAME_STYLE_LDAP: _ClassVar[MADistinguishedNameStyle]

class MANormalization(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_NORMALIZATION_UNSPECIFIED: _ClassVar[MANormalization]
    MA_NORMALIZATION_UPPERCASE: _ClassVar[MANormalization]
    MA_NORMALIZATION_REMOVE_ACCENTS: _ClassVar[MANormalization]

class MAExportType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_EXPORT_TYPE_UNSPECIFIED: _ClassVar[MAExportType]
    MA_EXPORT_TYPE_ATTRIBUTE_UPDATE: _ClassVar[MAExportType]
    MA_EXPORT_TYPE_ATTRIBUTE_REPLACE: _ClassVar[MAExportType]
    MA_EXPORT_TYPE_OBJECT_REPLACE: _ClassVar[MAExportType]
    MA_EXPORT_TYPE_MULTIVALUED_REFERENCE_ATTRIBUTE_UPDATE: _ClassVar[MAExportType]

class MAObjectConfirmation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MA_OBJECT_CONFIRMATION_UNSPECIFIED: _ClassVar[MAObjectConfirmation]
    MA_OBJECT_CONFIRMATION_NORMAL: _ClassVar[MAObjectConfirmation]
    MA_OBJECT_CONFIRMATION_NO_DELETE_CONFIRMATION: _ClassVar[MAObjectConfirmation]
    MA_OBJECT_CONFIRMATION_NO_ADD_AND_DELETE_CONFIRMATION: _ClassVar[MAObjectConfirmation]
MA_DISTINGUISHED_NAME_STYLE_UNSPECIFIED: MADistinguishedNameStyle
MA_DISTINGUISHED_NAME_STYLE_NONE: MADistinguishedNameStyle
MA_DISTINGUISHED_NAME_STYLE_GENERIC: MADistinguishedNameStyle
MA_DISTINGUISHED_NAME_STYLE_LDAP: MADistinguishedNameStyle
MA_NORMALIZATION_UNSPECIFIED: MANormalization
MA_NORMALIZATION_UPPERCASE: MANormalization
MA_NORMALIZATION_REMOVE_ACCENTS: MANormalization
MA_EXPORT_TYPE_UNSPECIFIED: MAExportType
MA_EXPORT_TYPE_ATTRIBUTE_UPDATE: MAExportType
MA_EXPORT_TYPE_ATTRIBUTE_REPLACE: MAExportType
MA_EXPORT_TYPE_OBJECT_REPLACE: MAExportType
MA_EXPORT_TYPE_MULTIVALUED_REFERENCE_ATTRIBUTE_UPDATE: MAExportType
MA_OBJECT_CONFIRMATION_UNSPECIFIED: MAObjectConfirmation
MA_OBJECT_CONFIRMATION_NORMAL: MAObjectConfirmation
MA_OBJECT_CONFIRMATION_NO_DELETE_CONFIRMATION: MAObjectConfirmation
MA_OBJECT_CONFIRMATION_NO_ADD_AND_DELETE_CONFIRMATION: MAObjectConfirmation

class MACapabilities(_message.Message):
    __slots__ = ("distinguished_name_style", "object_rename", "no_reference_values_in_first_export", "delta_import", "concurrent_operation", "delete_add_as_replace", "export_password_in_first_pass", "full_export", "object_confirmation", "export_type", "normalizations", "is_dn_as_anchor", "support_import", "support_export", "support_partitions", "support_password", "support_hierarchy")
    DISTINGUISHED_NAME_STYLE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_RENAME_FIELD_NUMBER: _ClassVar[int]
    NO_REFERENCE_VALUES_IN_FIRST_EXPORT_FIELD_NUMBER: _ClassVar[int]
    DELTA_IMPORT_FIELD_NUMBER: _ClassVar[int]
    CONCURRENT_OPERATION_FIELD_NUMBER: _ClassVar[int]
    DELETE_ADD_AS_REPLACE_FIELD_NUMBER: _ClassVar[int]
    EXPORT_PASSWORD_IN_FIRST_PASS_FIELD_NUMBER: _ClassVar[int]
    FULL_EXPORT_FIELD_NUMBER: _ClassVar[int]
    OBJECT_CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    EXPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    NORMALIZATIONS_FIELD_NUMBER: _ClassVar[int]
    IS_DN_AS_ANCHOR_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_IMPORT_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_EXPORT_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_HIERARCHY_FIELD_NUMBER: _ClassVar[int]
    distinguished_name_style: MADistinguishedNameStyle
    object_rename: bool
    no_reference_values_in_first_export: bool
    delta_import: bool
    concurrent_operation: bool
    delete_add_as_replace: bool
    export_password_in_first_pass: bool
    full_export: bool
    object_confirmation: MAObjectConfirmation
    export_type: MAExportType
    normalizations: _containers.RepeatedScalarFieldContainer[MANormalization]
    is_dn_as_anchor: bool
    support_import: bool
    support_export: bool
    support_partitions: bool
    support_password: bool
    support_hierarchy: bool
    def __init__(self, distinguished_name_style: _Optional[_Union[MADistinguishedNameStyle, str]] = ..., object_rename: _Optional[bool] = ..., no_reference_values_in_first_export: _Optional[bool] = ..., delta_import: _Optional[bool] = ..., concurrent_operation: _Optional[bool] = ..., delete_add_as_replace: _Optional[bool] = ..., export_password_in_first_pass: _Optional[bool] = ..., full_export: _Optional[bool] = ..., object_confirmation: _Optional[_Union[MAObjectConfirmation, str]] = ..., export_type: _Optional[_Union[MAExportType, str]] = ..., normalizations: _Optional[_Iterable[_Union[MANormalization, str]]] = ..., is_dn_as_anchor: _Optional[bool] = ..., support_import: _Optional[bool] = ..., support_export: _Optional[bool] = ..., support_partitions: _Optional[bool] = ..., support_password: _Optional[bool] = ..., support_hierarchy: _Optional[bool] = ...) -> None: ...

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ("capabilities",)
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    capabilities: MACapabilities
    def __init__(self, capabilities: _Optional[_Union[MACapabilities, _Mapping]] = ...) -> None: ...

class GetCapabilitiesExRequest(_message.Message):
    __slots__ = ("config_parameters",)
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ...) -> None: ...

class GetCapabilitiesExResponse(_message.Message):
    __slots__ = ("capabilities",)
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    capabilities: MACapabilities
    def __init__(self, capabilities: _Optional[_Union[MACapabilities, _Mapping]] = ...) -> None: ...
