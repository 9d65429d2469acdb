from ecma2._pb import capabilities_pb2 as _capabilities_pb2
from ecma2._pb import config_pb2 as _config_pb2
from ecma2._pb import export_pb2 as _export_pb2
from ecma2._pb import file_pb2 as _file_pb2
from ecma2._pb import handshake_pb2 as _handshake_pb2
from ecma2._pb import hierarchy_pb2 as _hierarchy_pb2
from ecma2._pb import import_pb2 as _import_pb2
from ecma2._pb import password_pb2 as _password_pb2
from ecma2._pb import schema_pb2 as _schema_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class ShutdownRequest(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class ShutdownResponse(_message.Message):
    __slots__ = ("closed_sessions",)
    CLOSED_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    closed_sessions: int
    def __init__(self, closed_sessions: _Optional[int] = ...) -> None: ...
