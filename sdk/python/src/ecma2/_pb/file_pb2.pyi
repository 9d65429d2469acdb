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

class WriteImportFileRunStep(_message.Message):
    __slots__ = ("custom_data", "file_path", "import_type", "step_partition")
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    IMPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_PARTITION_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    file_path: str
    import_type: _import_pb2.OperationType
    step_partition: _hierarchy_pb2.Partition
    def __init__(self, custom_data: _Optional[str] = ..., file_path: _Optional[str] = ..., import_type: _Optional[_Union[_import_pb2.OperationType, str]] = ..., step_partition: _Optional[_Union[_hierarchy_pb2.Partition, _Mapping]] = ...) -> None: ...

class WriteImportFileResults(_message.Message):
    __slots__ = ("custom_data",)
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    custom_data: str
    def __init__(self, custom_data: _Optional[str] = ...) -> None: ...

class ReadExportFileRunStep(_message.Message):
    __slots__ = ("export_type", "file_path", "step_partition")
    EXPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_PATH_FIELD_NUMBER: _ClassVar[int]
    STEP_PARTITION_FIELD_NUMBER: _ClassVar[int]
    export_type: _import_pb2.OperationType
    file_path: str
    step_partition: _hierarchy_pb2.Partition
    def __init__(self, export_type: _Optional[_Union[_import_pb2.OperationType, str]] = ..., file_path: _Optional[str] = ..., step_partition: _Optional[_Union[_hierarchy_pb2.Partition, _Mapping]] = ...) -> None: ...

class WriteImportFileRequest(_message.Message):
    __slots__ = ("config_parameters", "types", "import_run_step")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    IMPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    types: _schema_pb2.Schema
    import_run_step: WriteImportFileRunStep
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., types: _Optional[_Union[_schema_pb2.Schema, _Mapping]] = ..., import_run_step: _Optional[_Union[WriteImportFileRunStep, _Mapping]] = ...) -> None: ...

class WriteImportFileResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: WriteImportFileResults
    def __init__(self, results: _Optional[_Union[WriteImportFileResults, _Mapping]] = ...) -> None: ...

class ReadExportFileRequest(_message.Message):
    __slots__ = ("config_parameters", "types", "export_run_step")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    EXPORT_RUN_STEP_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    types: _schema_pb2.Schema
    export_run_step: ReadExportFileRunStep
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., types: _Optional[_Union[_schema_pb2.Schema, _Mapping]] = ..., export_run_step: _Optional[_Union[ReadExportFileRunStep, _Mapping]] = ...) -> None: ...

class ReadExportFileResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
