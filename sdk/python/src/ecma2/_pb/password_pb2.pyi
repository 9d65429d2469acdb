import datetime

from ecma2._pb import change_pb2 as _change_pb2
from ecma2._pb import config_pb2 as _config_pb2
from ecma2._pb import hierarchy_pb2 as _hierarchy_pb2
from ecma2._pb import schema_pb2 as _schema_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PasswordOption(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PASSWORD_OPTION_UNSPECIFIED: _ClassVar[PasswordOption]
    PASSWORD_OPTION_FORCE_CHANGE_AT_LOG_ON: _ClassVar[PasswordOption]
    PASSWORD_OPTION_UNLOCK_ACCOUNT: _ClassVar[PasswordOption]
    PASSWORD_OPTION_VALIDATE_PASSWORD: _ClassVar[PasswordOption]

class ConnectionSecurityLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTION_SECURITY_LEVEL_UNSPECIFIED: _ClassVar[ConnectionSecurityLevel]
    CONNECTION_SECURITY_LEVEL_NOT_SECURE: _ClassVar[ConnectionSecurityLevel]
    CONNECTION_SECURITY_LEVEL_SECURE: _ClassVar[ConnectionSecurityLevel]

class ConnectionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONNECTION_STATE_UNSPECIFIED: _ClassVar[ConnectionState]
    CONNECTION_STATE_CONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_EXPLICITLY_CONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_DISCONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_EXPLICITLY_DISCONNECTED: _ClassVar[ConnectionState]
    CONNECTION_STATE_DISCONNECTED_BY_FILTER: _ClassVar[ConnectionState]
    CONNECTION_STATE_PLACEHOLDER: _ClassVar[ConnectionState]

class RuleType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_TYPE_UNSPECIFIED: _ClassVar[RuleType]
    RULE_TYPE_PROVISIONING: _ClassVar[RuleType]
    RULE_TYPE_PROJECTION: _ClassVar[RuleType]
    RULE_TYPE_JOIN: _ClassVar[RuleType]
    RULE_TYPE_ACCOUNT_JOINER: _ClassVar[RuleType]
    RULE_TYPE_CONNECTOR_FILTER: _ClassVar[RuleType]
    RULE_TYPE_MV_DELETION: _ClassVar[RuleType]
    RULE_TYPE_IMPORT_ATTRIBUTE_FLOW: _ClassVar[RuleType]
    RULE_TYPE_EXPORT_ATTRIBUTE_FLOW: _ClassVar[RuleType]
    RULE_TYPE_CS_DEPROVISIONING: _ClassVar[RuleType]
    RULE_TYPE_UNKNOWN: _ClassVar[RuleType]

class AttribFlag(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTRIB_FLAG_UNSPECIFIED: _ClassVar[AttribFlag]
    ATTRIB_FLAG_MULTI_VALUED: _ClassVar[AttribFlag]
    ATTRIB_FLAG_ENCRYPTED: _ClassVar[AttribFlag]
    ATTRIB_FLAG_EXPORT_ONLY: _ClassVar[AttribFlag]

class DeprovisionAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPROVISION_ACTION_UNSPECIFIED: _ClassVar[DeprovisionAction]
    DEPROVISION_ACTION_DISCONNECT: _ClassVar[DeprovisionAction]
    DEPROVISION_ACTION_EXPLICIT_DISCONNECT: _ClassVar[DeprovisionAction]
    DEPROVISION_ACTION_DELETE: _ClassVar[DeprovisionAction]
PASSWORD_OPTION_UNSPECIFIED: PasswordOption
PASSWORD_OPTION_FORCE_CHANGE_AT_LOG_ON: PasswordOption
PASSWORD_OPTION_UNLOCK_ACCOUNT: PasswordOption
PASSWORD_OPTION_VALIDATE_PASSWORD: PasswordOption
CONNECTION_SECURITY_LEVEL_UNSPECIFIED: ConnectionSecurityLevel
CONNECTION_SECURITY_LEVEL_NOT_SECURE: ConnectionSecurityLevel
CONNECTION_SECURITY_LEVEL_SECURE: ConnectionSecurityLevel
CONNECTION_STATE_UNSPECIFIED: ConnectionState
CONNECTION_STATE_CONNECTED: ConnectionState
CONNECTION_STATE_EXPLICITLY_CONNECTED: ConnectionState
CONNECTION_STATE_DISCONNECTED: ConnectionState
CONNECTION_STATE_EXPLICITLY_DISCONNECTED: ConnectionState
CONNECTION_STATE_DISCONNECTED_BY_FILTER: ConnectionState
CONNECTION_STATE_PLACEHOLDER: ConnectionState
RULE_TYPE_UNSPECIFIED: RuleType
RULE_TYPE_PROVISIONING: RuleType
RULE_TYPE_PROJECTION: RuleType
RULE_TYPE_JOIN: RuleType
RULE_TYPE_ACCOUNT_JOINER: RuleType
RULE_TYPE_CONNECTOR_FILTER: RuleType
RULE_TYPE_MV_DELETION: RuleType
RULE_TYPE_IMPORT_ATTRIBUTE_FLOW: RuleType
RULE_TYPE_EXPORT_ATTRIBUTE_FLOW: RuleType
RULE_TYPE_CS_DEPROVISIONING: RuleType
RULE_TYPE_UNKNOWN: RuleType
ATTRIB_FLAG_UNSPECIFIED: AttribFlag
ATTRIB_FLAG_MULTI_VALUED: AttribFlag
ATTRIB_FLAG_ENCRYPTED: AttribFlag
ATTRIB_FLAG_EXPORT_ONLY: AttribFlag
DEPROVISION_ACTION_UNSPECIFIED: DeprovisionAction
DEPROVISION_ACTION_DISCONNECT: DeprovisionAction
DEPROVISION_ACTION_EXPLICIT_DISCONNECT: DeprovisionAction
DEPROVISION_ACTION_DELETE: DeprovisionAction

class CSEntry(_message.Message):
    __slots__ = ("dn", "rdn", "object_class", "object_type", "attributes", "connection_state", "ma", "connection_rule", "connection_change_time")
    DN_FIELD_NUMBER: _ClassVar[int]
    RDN_FIELD_NUMBER: _ClassVar[int]
    OBJECT_CLASS_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_STATE_FIELD_NUMBER: _ClassVar[int]
    MA_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_RULE_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    dn: str
    rdn: str
    object_class: _containers.RepeatedScalarFieldContainer[str]
    object_type: str
    attributes: _containers.RepeatedCompositeFieldContainer[Attrib]
    connection_state: ConnectionState
    ma: ManagementAgent
    connection_rule: RuleType
    connection_change_time: _timestamp_pb2.Timestamp
    def __init__(self, dn: _Optional[str] = ..., rdn: _Optional[str] = ..., object_class: _Optional[_Iterable[str]] = ..., object_type: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[Attrib, _Mapping]]] = ..., connection_state: _Optional[_Union[ConnectionState, str]] = ..., ma: _Optional[_Union[ManagementAgent, _Mapping]] = ..., connection_rule: _Optional[_Union[RuleType, str]] = ..., connection_change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Attrib(_message.Message):
    __slots__ = ("name", "data_type", "is_present", "is_multivalued", "values", "last_contribution_time", "last_contributing_ma")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_PRESENT_FIELD_NUMBER: _ClassVar[int]
    IS_MULTIVALUED_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    LAST_CONTRIBUTION_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_CONTRIBUTING_MA_FIELD_NUMBER: _ClassVar[int]
    name: str
    data_type: _schema_pb2.AttributeType
    is_present: bool
    is_multivalued: bool
    values: _containers.RepeatedCompositeFieldContainer[_change_pb2.AttributeValue]
    last_contribution_time: _timestamp_pb2.Timestamp
    last_contributing_ma: str
    def __init__(self, name: _Optional[str] = ..., data_type: _Optional[_Union[_schema_pb2.AttributeType, str]] = ..., is_present: _Optional[bool] = ..., is_multivalued: _Optional[bool] = ..., values: _Optional[_Iterable[_Union[_change_pb2.AttributeValue, _Mapping]]] = ..., last_contribution_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_contributing_ma: _Optional[str] = ...) -> None: ...

class ManagementAgent(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class OpenPasswordConnectionRequest(_message.Message):
    __slots__ = ("config_parameters", "partition")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[_config_pb2.ConfigParameter]
    partition: _hierarchy_pb2.Partition
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[_config_pb2.ConfigParameter, _Mapping]]] = ..., partition: _Optional[_Union[_hierarchy_pb2.Partition, _Mapping]] = ...) -> None: ...

class OpenPasswordConnectionResponse(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ClosePasswordConnectionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ClosePasswordConnectionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetConnectionSecurityLevelRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetConnectionSecurityLevelResponse(_message.Message):
    __slots__ = ("level",)
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    level: ConnectionSecurityLevel
    def __init__(self, level: _Optional[_Union[ConnectionSecurityLevel, str]] = ...) -> None: ...

class SetPasswordRequest(_message.Message):
    __slots__ = ("session_id", "csentry", "new_password", "options")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CSENTRY_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    csentry: CSEntry
    new_password: _config_pb2.Secret
    options: _containers.RepeatedScalarFieldContainer[PasswordOption]
    def __init__(self, session_id: _Optional[str] = ..., csentry: _Optional[_Union[CSEntry, _Mapping]] = ..., new_password: _Optional[_Union[_config_pb2.Secret, _Mapping]] = ..., options: _Optional[_Iterable[_Union[PasswordOption, str]]] = ...) -> None: ...

class SetPasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangePasswordRequest(_message.Message):
    __slots__ = ("session_id", "csentry", "old_password", "new_password")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CSENTRY_FIELD_NUMBER: _ClassVar[int]
    OLD_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    csentry: CSEntry
    old_password: _config_pb2.Secret
    new_password: _config_pb2.Secret
    def __init__(self, session_id: _Optional[str] = ..., csentry: _Optional[_Union[CSEntry, _Mapping]] = ..., old_password: _Optional[_Union[_config_pb2.Secret, _Mapping]] = ..., new_password: _Optional[_Union[_config_pb2.Secret, _Mapping]] = ...) -> None: ...

class ChangePasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
