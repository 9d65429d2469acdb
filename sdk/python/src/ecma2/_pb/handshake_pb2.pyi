from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Ecma2Interface(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ECMA2_INTERFACE_UNSPECIFIED: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_CALL_IMPORT: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_CALL_EXPORT: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_FILE_IMPORT: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_FILE_EXPORT: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_SCHEMA: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_PARTITIONS: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_HIERARCHY: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_CAPABILITIES: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_CAPABILITIES_EX: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_PARAMETERS: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_GET_PARAMETERS_EX: _ClassVar[Ecma2Interface]
    ECMA2_INTERFACE_PASSWORD: _ClassVar[Ecma2Interface]
ECMA2_INTERFACE_UNSPECIFIED: Ecma2Interface
ECMA2_INTERFACE_CALL_IMPORT: Ecma2Interface
ECMA2_INTERFACE_CALL_EXPORT: Ecma2Interface
ECMA2_INTERFACE_FILE_IMPORT: Ecma2Interface
ECMA2_INTERFACE_FILE_EXPORT: Ecma2Interface
ECMA2_INTERFACE_GET_SCHEMA: Ecma2Interface
ECMA2_INTERFACE_GET_PARTITIONS: Ecma2Interface
ECMA2_INTERFACE_GET_HIERARCHY: Ecma2Interface
ECMA2_INTERFACE_GET_CAPABILITIES: Ecma2Interface
ECMA2_INTERFACE_GET_CAPABILITIES_EX: Ecma2Interface
ECMA2_INTERFACE_GET_PARAMETERS: Ecma2Interface
ECMA2_INTERFACE_GET_PARAMETERS_EX: Ecma2Interface
ECMA2_INTERFACE_PASSWORD: Ecma2Interface

class HandshakeRequest(_message.Message):
    __slots__ = ("protocol_versions", "caller_name", "caller_version", "features")
    PROTOCOL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CALLER_NAME_FIELD_NUMBER: _ClassVar[int]
    CALLER_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    protocol_versions: _containers.RepeatedScalarFieldContainer[int]
    caller_name: str
    caller_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, protocol_versions: _Optional[_Iterable[int]] = ..., caller_name: _Optional[str] = ..., caller_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class HandshakeResponse(_message.Message):
    __slots__ = ("protocol_version", "connector", "interfaces", "features", "import_page_sizes", "export_page_sizes")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONNECTOR_FIELD_NUMBER: _ClassVar[int]
    INTERFACES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    IMPORT_PAGE_SIZES_FIELD_NUMBER: _ClassVar[int]
    EXPORT_PAGE_SIZES_FIELD_NUMBER: _ClassVar[int]
    protocol_version: int
    connector: ConnectorInfo
    interfaces: _containers.RepeatedScalarFieldContainer[Ecma2Interface]
    features: _containers.RepeatedScalarFieldContainer[str]
    import_page_sizes: PageSizes
    export_page_sizes: PageSizes
    def __init__(self, protocol_version: _Optional[int] = ..., connector: _Optional[_Union[ConnectorInfo, _Mapping]] = ..., interfaces: _Optional[_Iterable[_Union[Ecma2Interface, str]]] = ..., features: _Optional[_Iterable[str]] = ..., import_page_sizes: _Optional[_Union[PageSizes, _Mapping]] = ..., export_page_sizes: _Optional[_Union[PageSizes, _Mapping]] = ...) -> None: ...

class PageSizes(_message.Message):
    __slots__ = ("default_page_size", "max_page_size")
    DEFAULT_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    default_page_size: int
    max_page_size: int
    def __init__(self, default_page_size: _Optional[int] = ..., max_page_size: _Optional[int] = ...) -> None: ...

class ConnectorInfo(_message.Message):
    __slots__ = ("name", "version", "sdk_name", "sdk_version", "language")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SDK_NAME_FIELD_NUMBER: _ClassVar[int]
    SDK_VERSION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    sdk_name: str
    sdk_version: str
    language: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., sdk_name: _Optional[str] = ..., sdk_version: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...
