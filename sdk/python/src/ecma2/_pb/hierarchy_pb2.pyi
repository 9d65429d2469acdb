from ecma2._pb import config_pb2 as _config_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Partition(_message.Message):
    __slots__ = ("identifier", "dn", "name", "hidden_by_default")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    DN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_BY_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    dn: str
    name: str
    hidden_by_default: bool
    def __init__(self, identifier: _Optional[str] = ..., dn: _Optional[str] = ..., name: _Optional[str] = ..., hidden_by_default: _Optional[bool] = ...) -> None: ...

class HierarchyNode(_message.Message):
    __slots__ = ("dn", "display_name")
    DN_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    dn: str
    display_name: str
    def __init__(self, dn: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class GetPartitionsRequest(_message.Message):
    __slots__ = ("config_parameters",)
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ...) -> None: ...

class GetPartitionsResponse(_message.Message):
    __slots__ = ("partitions",)
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    partitions: _containers.RepeatedCompositeFieldContainer[Partition]
    def __init__(self, partitions: _Optional[_Iterable[_Union[Partition, _Mapping]]] = ...) -> None: ...

class GetHierarchyRequest(_message.Message):
    __slots__ = ("config_parameters", "parent")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    parent: HierarchyNode
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., parent: _Optional[_Union[HierarchyNode, _Mapping]] = ...) -> None: ...

class GetHierarchyResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[HierarchyNode]
    def __init__(self, nodes: _Optional[_Iterable[_Union[HierarchyNode, _Mapping]]] = ...) -> None: ...
