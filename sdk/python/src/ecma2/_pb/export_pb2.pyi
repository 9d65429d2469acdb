from ecma2._pb import change_pb2 as _change_pb2
from ecma2._pb import config_pb2 as _config_pb2
from ecma2._pb import hierarchy_pb2 as _hierarchy_pb2
from ecma2._pb import import_pb2 as _import_pb2
from ecma2._pb import schema_pb2 as _schema_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OpenExportConnectionRunStep(_message.Message):
    __slots__ = ("export_type", "batch_size", "step_partition", "inclusion_hierarchy_nodes", "exclusion_hierarchy_nodes")
    EXPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    STEP_PARTITION_FIELD_NUMBER: _ClassVar[int]
    INCLUSION_HIERARCHY_NODES_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_HIERARCHY_NODES_FIELD_NUMBER: _ClassVar[int]
    export_type: _import_pb2.OperationType
    batch_size: int
    step_partition: _hierarchy_pb2.Partition
    inclusion_hierarchy_nodes: _containers.RepeatedCompositeFieldContainer[_hierarchy_pb2.HierarchyNode]
    exclusion_hierarchy_nodes: _containers.RepeatedCompositeFieldContainer[_hierarchy_pb2.HierarchyNode]
    def __init__(self, export_type: _Optional[_Union[_import_pb2.OperationType, str]] = ..., batch_size: _Optional[int] = ..., step_partition: _Optional[_Union[_hierarchy_pb2.Partition, _Mapping]] = ..., inclusion_hierarchy_nodes: _Optional[_Iterable[_Union[_hierarchy_pb2.HierarchyNode, _Mapping]]] = ..., exclusion_hierarchy_nodes: _Optional[_Iterable[_Union[_hierarchy_pb2.HierarchyNode, _Mapping]]] = ...) -> None: ...

class CloseExportConnectionRunStep(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: _import_pb2.CloseReason
    def __init__(self, reason: _Optional[_Union[_import_pb2.CloseReason, str]] = ...) -> None: ...

class OpenExportConnectionRequest(_message.Message):
    __slots__ = ("config_parameters", "types", "export_run_step")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    EXPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    types: _schema_pb2.Schema
    export_run_step: OpenExportConnectionRunStep
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., types: _Optional[_Union[_schema_pb2.Schema, _Mapping]] = ..., export_run_step: _Optional[_Union[OpenExportConnectionRunStep, _Mapping]] = ...) -> None: ...

class OpenExportConnectionResponse(_message.Message):
    __slots__ = ("session_id", "batch_size")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    batch_size: int
    def __init__(self, session_id: _Optional[str] = ..., batch_size: _Optional[int] = ...) -> None: ...

class PutExportEntriesRequest(_message.Message):
    __slots__ = ("session_id", "entry", "entry_fragment")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FRAGMENT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    entry: _change_pb2.CSEntryChange
    entry_fragment: _change_pb2.EntryFragment
    def __init__(self, session_id: _Optional[str] = ..., entry: _Optional[_Union[_change_pb2.CSEntryChange, _Mapping]] = ..., entry_fragment: _Optional[_Union[_change_pb2.EntryFragment, _Mapping]] = ...) -> None: ...

class PutExportEntriesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _change_pb2.PutExportEntriesResults
    def __init__(self, results: _Optional[_Union[_change_pb2.PutExportEntriesResults, _Mapping]] = ...) -> None: ...

class CloseExportConnectionRequest(_message.Message):
    __slots__ = ("session_id", "export_run_step")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    export_run_step: CloseExportConnectionRunStep
    def __init__(self, session_id: _Optional[str] = ..., export_run_step: _Optional[_Union[CloseExportConnectionRunStep, _Mapping]] = ...) -> None: ...

class CloseExportConnectionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
