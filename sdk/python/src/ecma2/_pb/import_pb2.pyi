from ecma2._pb import change_pb2 as _change_pb2
from ecma2._pb import config_pb2 as _config_pb2
from ecma2._pb import hierarchy_pb2 as _hierarchy_pb2
from ecma2._pb import schema_pb2 as _schema_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OperationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPERATION_TYPE_UNSPECIFIED: _ClassVar[OperationType]
    OPERATION_TYPE_FULL: _ClassVar[OperationType]
    OPERATION_TYPE_FULL_OBJECT: _ClassVar[OperationType]
    OPERATION_TYPE_DELTA: _ClassVar[OperationType]

class CloseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOSE_REASON_UNSPECIFIED: _ClassVar[CloseReason]
    CLOSE_REASON_NORMAL: _ClassVar[CloseReason]
    CLOSE_REASON_TERMINATED_BY_USER: _ClassVar[CloseReason]
    CLOSE_REASON_TERMINATED_SHUTTING_DOWN: _ClassVar[CloseReason]
    CLOSE_REASON_OPEN_CONNECTION_FAILURE: _ClassVar[CloseReason]
    CLOSE_REASON_UNKNOWN: _ClassVar[CloseReason]
OPERATION_TYPE_UNSPECIFIED: OperationType
OPERATION_TYPE_FULL: OperationType
OPERATION_TYPE_FULL_OBJECT: OperationType
OPERATION_TYPE_DELTA: OperationType
CLOSE_REASON_UNSPECIFIED: CloseReason
CLOSE_REASON_NORMAL: CloseReason
CLOSE_REASON_TERMINATED_BY_USER: CloseReason
CLOSE_REASON_TERMINATED_SHUTTING_DOWN: CloseReason
CLOSE_REASON_OPEN_CONNECTION_FAILURE: CloseReason
CLOSE_REASON_UNKNOWN: CloseReason

class OpenImportConnectionRunStep(_message.Message):
    __slots__ = ("custom_data", "page_size", "import_type", "step_partition", "inclusion_hierarchy_nodes", "exclusion_hierarchy_nodes")
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    IMPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_PARTITION_FIELD_NUMBER: _ClassVar[int]
    INCLUSION_HIERARCHY_NODES_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_HIERARCHY_NODES_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    page_size: int
    import_type: OperationType
    step_partition: _hierarchy_pb2.Partition
    inclusion_hierarchy_nodes: _containers.RepeatedCompositeFieldContainer[_hierarchy_pb2.HierarchyNode]
    exclusion_hierarchy_nodes: _containers.RepeatedCompositeFieldContainer[_hierarchy_pb2.HierarchyNode]
    def __init__(self, custom_data: _Optional[str] = ..., page_size: _Optional[int] = ..., import_type: _Optional[_Union[OperationType, str]] = ..., step_partition: _Optional[_Union[_hierarchy_pb2.Partition, _Mapping]] = ..., inclusion_hierarchy_nodes: _Optional[_Iterable[_Union[_hierarchy_pb2.HierarchyNode, _Mapping]]] = ..., exclusion_hierarchy_nodes: _Optional[_Iterable[_Union[_hierarchy_pb2.HierarchyNode, _Mapping]]] = ...) -> None: ...

class OpenImportConnectionResults(_message.Message):
    __slots__ = ("custom_data",)
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    def __init__(self, custom_data: _Optional[str] = ...) -> None: ...

class GetImportEntriesRunStep(_message.Message):
    __slots__ = ("custom_data", "full_object_entries")
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    FULL_OBJECT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    full_object_entries: _containers.RepeatedCompositeFieldContainer[_change_pb2.CSEntryChange]
    def __init__(self, custom_data: _Optional[str] = ..., full_object_entries: _Optional[_Iterable[_Union[_change_pb2.CSEntryChange, _Mapping]]] = ...) -> None: ...

class GetImportEntriesResults(_message.Message):
    __slots__ = ("custom_data", "more_to_import")
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    MORE_TO_IMPORT_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    more_to_import: bool
    def __init__(self, custom_data: _Optional[str] = ..., more_to_import: _Optional[bool] = ...) -> None: ...

class CloseImportConnectionRunStep(_message.Message):
    __slots__ = ("custom_data", "reason")
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    reason: CloseReason
    def __init__(self, custom_data: _Optional[str] = ..., reason: _Optional[_Union[CloseReason, str]] = ...) -> None: ...

class CloseImportConnectionResults(_message.Message):
    __slots__ = ("custom_data",)
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    def __init__(self, custom_data: _Optional[str] = ...) -> None: ...

class OpenImportConnectionRequest(_message.Message):
    __slots__ = ("config_parameters", "types", "import_run_step")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    IMPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    types: _schema_pb2.Schema
    import_run_step: OpenImportConnectionRunStep
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., types: _Optional[_Union[_schema_pb2.Schema, _Mapping]] = ..., import_run_step: _Optional[_Union[OpenImportConnectionRunStep, _Mapping]] = ...) -> None: ...

class OpenImportConnectionResponse(_message.Message):
    __slots__ = ("session_id", "results", "page_size")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    results: OpenImportConnectionResults
    page_size: int
    def __init__(self, session_id: _Optional[str] = ..., results: _Optional[_Union[OpenImportConnectionResults, _Mapping]] = ..., page_size: _Optional[int] = ...) -> None: ...

class GetImportEntriesRequest(_message.Message):
    __slots__ = ("session_id", "import_run_step")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    import_run_step: GetImportEntriesRunStep
    def __init__(self, session_id: _Optional[str] = ..., import_run_step: _Optional[_Union[GetImportEntriesRunStep, _Mapping]] = ...) -> None: ...

class GetImportEntriesResponse(_message.Message):
    __slots__ = ("entry", "entry_fragment", "results", "entry_batch")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FRAGMENT_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_BATCH_FIELD_NUMBER: _ClassVar[int]
    entry: _change_pb2.CSEntryChange
    entry_fragment: _change_pb2.EntryFragment
    results: GetImportEntriesResults
    entry_batch: _change_pb2.EntryBatch
    def __init__(self, entry: _Optional[_Union[_change_pb2.CSEntryChange, _Mapping]] = ..., entry_fragment: _Optional[_Union[_change_pb2.EntryFragment, _Mapping]] = ..., results: _Optional[_Union[GetImportEntriesResults, _Mapping]] = ..., entry_batch: _Optional[_Union[_change_pb2.EntryBatch, _Mapping]] = ...) -> None: ...

class CloseImportConnectionRequest(_message.Message):
    __slots__ = ("session_id", "import_run_step")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    import_run_step: CloseImportConnectionRunStep
    def __init__(self, session_id: _Optional[str] = ..., import_run_step: _Optional[_Union[CloseImportConnectionRunStep, _Mapping]] = ...) -> None: ...

class CloseImportConnectionResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: CloseImportConnectionResults
    def __init__(self, results: _Optional[_Union[CloseImportConnectionResults, _Mapping]] = ...) -> None: ...
