from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConfigParameterType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIG_PARAMETER_TYPE_UNSPECIFIED: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_STRING: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_ENCRYPTED_STRING: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_LABEL: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_TEXT: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_DROP_DOWN: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_CHECK_BOX: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_DIVIDER: _ClassVar[ConfigParameterType]
    CONFIG_PARAMETER_TYPE_FILE: _ClassVar[ConfigParameterType]

class ConfigParameterPage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIG_PARAMETER_PAGE_UNSPECIFIED: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_CONNECTIVITY: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_GLOBAL: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_RUN_STEP: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_PARTITION: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_CAPABILITIES: _ClassVar[ConfigParameterPage]
    CONFIG_PARAMETER_PAGE_SCHEMA: _ClassVar[ConfigParameterPage]

class ParameterValidationResultCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARAMETER_VALIDATION_RESULT_CODE_UNSPECIFIED: _ClassVar[ParameterValidationResultCode]
    PARAMETER_VALIDATION_RESULT_CODE_SUCCESS: _ClassVar[ParameterValidationResultCode]
    PARAMETER_VALIDATION_RESULT_CODE_FAILURE: _ClassVar[ParameterValidationResultCode]
CONFIG_PARAMETER_TYPE_UNSPECIFIED: ConfigParameterType
CONFIG_PARAMETER_TYPE_STRING: ConfigParameterType
CONFIG_PARAMETER_TYPE_ENCRYPTED_STRING: ConfigParameterType
CONFIG_PARAMETER_TYPE_LABEL: ConfigParameterType
CONFIG_PARAMETER_TYPE_TEXT: ConfigParameterType
CONFIG_PARAMETER_TYPE_DROP_DOWN: ConfigParameterType
CONFIG_PARAMETER_TYPE_CHECK_BOX: ConfigParameterType
CONFIG_PARAMETER_TYPE_DIVIDER: ConfigParameterType
CONFIG_PARAMETER_TYPE_FILE: ConfigParameterType
CONFIG_PARAMETER_PAGE_UNSPECIFIED: ConfigParameterPage
CONFIG_PARAMETER_PAGE_CONNECTIVITY: ConfigParameterPage
CONFIG_PARAMETER_PAGE_GLOBAL: ConfigParameterPage
CONFIG_PARAMETER_PAGE_RUN_STEP: ConfigParameterPage
CONFIG_PARAMETER_PAGE_PARTITION: ConfigParameterPage
CONFIG_PARAMETER_PAGE_CAPABILITIES: ConfigParameterPage
CONFIG_PARAMETER_PAGE_SCHEMA: ConfigParameterPage
PARAMETER_VALIDATION_RESULT_CODE_UNSPECIFIED: ParameterValidationResultCode
PARAMETER_VALIDATION_RESULT_CODE_SUCCESS: ParameterValidationResultCode
PARAMETER_VALIDATION_RESULT_CODE_FAILURE: ParameterValidationResultCode

class Secret(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class ConfigParameter(_message.Message):
    __slots__ = ("name", "value", "secure_value", "is_encrypted")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SECURE_VALUE_FIELD_NUMBER: _ClassVar[int]
    IS_ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    secure_value: Secret
    is_encrypted: bool
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., secure_value: _Optional[_Union[Secret, _Mapping]] = ..., is_encrypted: _Optional[bool] = ...) -> None: ...

class ConfigParameterDefinition(_message.Message):
    __slots__ = ("name", "type", "text", "validation", "default_value", "drop_down_extensible")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DROP_DOWN_EXTENSIBLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: ConfigParameterType
    text: str
    validation: str
    default_value: str
    drop_down_extensible: bool
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[ConfigParameterType, str]] = ..., text: _Optional[str] = ..., validation: _Optional[str] = ..., default_value: _Optional[str] = ..., drop_down_extensible: _Optional[bool] = ...) -> None: ...

class ParameterValidationResult(_message.Message):
    __slots__ = ("code", "error_message", "error_parameter")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_PARAMETER_FIELD_NUMBER: _ClassVar[int]
    code: ParameterValidationResultCode
    error_message: str
    error_parameter: str
    def __init__(self, code: _Optional[_Union[ParameterValidationResultCode, str]] = ..., error_message: _Optional[str] = ..., error_parameter: _Optional[str] = ...) -> None: ...

class GetConfigParametersRequest(_message.Message):
    __slots__ = ("config_parameters", "page")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[ConfigParameter]
    page: ConfigParameterPage
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[ConfigParameter, _Mapping]]] = ..., page: _Optional[_Union[ConfigParameterPage, str]] = ...) -> None: ...

class GetConfigParametersResponse(_message.Message):
    __slots__ = ("definitions",)
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    definitions: _containers.RepeatedCompositeFieldContainer[ConfigParameterDefinition]
    def __init__(self, definitions: _Optional[_Iterable[_Union[ConfigParameterDefinition, _Mapping]]] = ...) -> None: ...

class ValidateConfigParametersRequest(_message.Message):
    __slots__ = ("config_parameters", "page")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[ConfigParameter]
    page: ConfigParameterPage
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[ConfigParameter, _Mapping]]] = ..., page: _Optional[_Union[ConfigParameterPage, str]] = ...) -> None: ...

class ValidateConfigParametersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ParameterValidationResult
    def __init__(self, result: _Optional[_Union[ParameterValidationResult, _Mapping]] = ...) -> None: ...

class GetConfigParametersExRequest(_message.Message):
    __slots__ = ("config_parameters", "page", "page_number")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[ConfigParameter]
    page: ConfigParameterPage
    page_number: int
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[ConfigParameter, _Mapping]]] = ..., page: _Optional[_Union[ConfigParameterPage, str]] = ..., page_number: _Optional[int] = ...) -> None: ...

class GetConfigParametersExResponse(_message.Message):
    __slots__ = ("definitions",)
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    definitions: _containers.RepeatedCompositeFieldContainer[ConfigParameterDefinition]
    def __init__(self, definitions: _Optional[_Iterable[_Union[ConfigParameterDefinition, _Mapping]]] = ...) -> None: ...

class ValidateConfigParametersExRequest(_message.Message):
    __slots__ = ("config_parameters", "page", "page_number")
    CONFIG_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    config_parameters: _containers.RepeatedCompositeFieldContainer[ConfigParameter]
    page: ConfigParameterPage
    page_number: int
    def __init__(self, config_parameters: _Optional[_Iterable[_Union[ConfigParameter, _Mapping]]] = ..., page: _Optional[_Union[ConfigParameterPage, str]] = ..., page_number: _Optional[int] = ...) -> None: ...

class ValidateConfigParametersExResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ParameterValidationResult
    def __init__(self, result: _Optional[_Union[ParameterValidationResult, _Mapping]] = ...) -> None: ...
