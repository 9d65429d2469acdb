from ecma2._pb import handshake_pb2 as _handshake_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConnectorState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTOR_STATE_UNSPECIFIED: _ClassVar[ConnectorState]
    CONNECTOR_STATE_STARTING: _ClassVar[ConnectorState]
    CONNECTOR_STATE_READY: _ClassVar[ConnectorState]
    CONNECTOR_STATE_RESTARTING: _ClassVar[ConnectorState]
    CONNECTOR_STATE_UNAVAILABLE: _ClassVar[ConnectorState]
    CONNECTOR_STATE_FAILED: _ClassVar[ConnectorState]
    CONNECTOR_STATE_STOPPED: _ClassVar[ConnectorState]

class ConnectorTransport(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTOR_TRANSPORT_UNSPECIFIED: _ClassVar[ConnectorTransport]
    CONNECTOR_TRANSPORT_UNIX: _ClassVar[ConnectorTransport]
    CONNECTOR_TRANSPORT_TCP: _ClassVar[ConnectorTransport]
    CONNECTOR_TRANSPORT_REMOTE_TLS: _ClassVar[ConnectorTransport]
CONNECTOR_STATE_UNSPECIFIED: ConnectorState
CONNECTOR_STATE_STARTING: ConnectorState
CONNECTOR_STATE_READY: ConnectorState
CONNECTOR_STATE_RESTARTING: ConnectorState
CONNECTOR_STATE_UNAVAILABLE: ConnectorState
CONNECTOR_STATE_FAILED: ConnectorState
CONNECTOR_STATE_STOPPED: ConnectorState
CONNECTOR_TRANSPORT_UNSPECIFIED: ConnectorTransport
CONNECTOR_TRANSPORT_UNIX: ConnectorTransport
CONNECTOR_TRANSPORT_TCP: ConnectorTransport
CONNECTOR_TRANSPORT_REMOTE_TLS: ConnectorTransport

class GetHostInfoRequest(_message.Message):
    __slots__ = ("protocol_versions", "engine_name")
    PROTOCOL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_NAME_FIELD_NUMBER: _ClassVar[int]
    protocol_versions: _containers.RepeatedScalarFieldContainer[int]
    engine_name: str
    def __init__(self, protocol_versions: _Optional[_Iterable[int]] = ..., engine_name: _Optional[str] = ...) -> None: ...

class GetHostInfoResponse(_message.Message):
    __slots__ = ("protocol_version", "host_version", "features")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    HOST_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    protocol_version: int
    host_version: str
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, protocol_version: _Optional[int] = ..., host_version: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class ListConnectorsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListConnectorsResponse(_message.Message):
    __slots__ = ("connectors",)
    CONNECTORS_FIELD_NUMBER: _ClassVar[int]
    connectors: _containers.RepeatedCompositeFieldContainer[ConnectorStatus]
    def __init__(self, connectors: _Optional[_Iterable[_Union[ConnectorStatus, _Mapping]]] = ...) -> None: ...

class GetConnectorStatusRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetConnectorStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ConnectorStatus
    def __init__(self, status: _Optional[_Union[ConnectorStatus, _Mapping]] = ...) -> None: ...

class ConnectorStatus(_message.Message):
    __slots__ = ("name", "state", "transport", "handshake", "pid", "restarts", "open_sessions", "last_error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    OPEN_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: ConnectorState
    transport: ConnectorTransport
    handshake: _handshake_pb2.HandshakeResponse
    pid: int
    restarts: int
    open_sessions: int
    last_error: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[ConnectorState, str]] = ..., transport: _Optional[_Union[ConnectorTransport, str]] = ..., handshake: _Optional[_Union[_handshake_pb2.HandshakeResponse, _Mapping]] = ..., pid: _Optional[int] = ..., restarts: _Optional[int] = ..., open_sessions: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...
