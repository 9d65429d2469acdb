"""Configuration parameters: values, page definitions and validation results.

:class:`ConfigParameters` is ECMA2's ``KeyedCollection<string, ConfigParameter>``: ordered,
keyed by name (case-sensitive). Encrypted values are :class:`~ecma2.secret.Secret`, so a
parameter collection can be printed or logged without leaking them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Self, overload

from ecma2._pb import config_pb2
from ecma2.enums import ConfigParameterType, ParameterValidationResultCode, wire
from ecma2.secret import Secret


@dataclass(frozen=True)
class ConfigParameter:
    """ECMA2 ``ConfigParameter``: one configured value, clear or secret."""

    name: str
    value: str = ""
    secure_value: Secret | None = None
    is_encrypted: bool = False

    @classmethod
    def secure(cls, name: str, value: str | Secret) -> Self:
        """An ``EncryptedString`` parameter."""
        secret = value if isinstance(value, Secret) else Secret(value)
        return cls(name, "", secret, True)

    def to_pb(self) -> config_pb2.ConfigParameter:
        """The wire message."""
        message = config_pb2.ConfigParameter(
            name=self.name, value=self.value, is_encrypted=self.is_encrypted
        )
        if self.secure_value is not None:
            message.secure_value.value = self.secure_value.expose()
        return message

    @classmethod
    def from_pb(cls, message: config_pb2.ConfigParameter) -> Self:
        """From the wire message."""
        secure = Secret(message.secure_value.value) if message.HasField("secure_value") else None
        return cls(message.name, message.value, secure, message.is_encrypted)


class ConfigParameters(Mapping[str, ConfigParameter]):
    """ECMA2's ``ConfigParameterKeyedCollection``: parameters in order, keyed by name."""

    __slots__ = ("_items",)

    def __init__(self, parameters: Iterable[ConfigParameter] = ()) -> None:
        self._items: dict[str, ConfigParameter] = {}
        for parameter in parameters:
            if parameter.name in self._items:
                raise ValueError(f"configuration parameter {parameter.name!r} appears twice")
            self._items[parameter.name] = parameter

    @classmethod
    def of(cls, values: Mapping[str, str | Secret]) -> Self:
        """From a plain mapping; :class:`Secret` values become encrypted parameters."""
        return cls(
            ConfigParameter.secure(k, v) if isinstance(v, Secret) else ConfigParameter(k, v)
            for k, v in values.items()
        )

    def __getitem__(self, name: str) -> ConfigParameter:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ConfigParameters({list(self._items.values())!r})"

    @overload
    def value(self, name: str) -> str | None: ...
    @overload
    def value(self, name: str, default: str) -> str: ...
    def value(self, name: str, default: str | None = None) -> str | None:
        """A parameter's clear value, or ``default`` when absent or empty."""
        parameter = self._items.get(name)
        if parameter is None or parameter.is_encrypted or parameter.value == "":
            return default
        return parameter.value

    def secret(self, name: str) -> Secret | None:
        """A parameter's secure value, or ``None``."""
        parameter = self._items.get(name)
        return None if parameter is None else parameter.secure_value

    def flag(self, name: str, default: bool = False) -> bool:
        """A check box value (``"1"`` is on)."""
        value = self.value(name)
        return default if value is None else value == "1"

    def secrets(self) -> list[str]:
        """Every secret's clear text, for redaction."""
        return [p.secure_value.expose() for p in self._items.values() if p.secure_value is not None]

    def to_pb(self) -> list[config_pb2.ConfigParameter]:
        """The repeated wire field."""
        return [p.to_pb() for p in self._items.values()]

    @classmethod
    def from_pb(cls, messages: Iterable[config_pb2.ConfigParameter]) -> Self:
        """From the repeated wire field."""
        return cls(ConfigParameter.from_pb(m) for m in messages)


@dataclass(frozen=True)
class ConfigParameterDefinition:
    """ECMA2 ``ConfigParameterDefinition``: one element of a configuration page.

    Build one with the factories, named as ECMA2's ``Create*Parameter``.
    """

    name: str
    type: ConfigParameterType
    text: str = ""
    validation: str = ""
    default_value: str = ""
    drop_down_extensible: bool = False

    @classmethod
    def string(cls, name: str, validation: str = "", default: str = "") -> Self:
        """A one-line text box, optionally checked against a regular expression."""
        return cls(name, ConfigParameterType.STRING, "", validation, default)

    @classmethod
    def encrypted_string(cls, name: str, validation: str = "", default: str = "") -> Self:
        """A masked text box whose value travels as a :class:`~ecma2.secret.Secret`."""
        return cls(name, ConfigParameterType.ENCRYPTED_STRING, "", validation, default)

    @classmethod
    def label(cls, text: str) -> Self:
        """Static text."""
        return cls("", ConfigParameterType.LABEL, text)

    @classmethod
    def multiline_text(cls, name: str, default: str = "") -> Self:
        """A multi-line text box (ECMA2 ``CreateTextParameter``)."""
        return cls(name, ConfigParameterType.TEXT, "", "", default)

    @classmethod
    def drop_down(
        cls, name: str, values: Sequence[str] | str, extensible: bool = False, default: str = ""
    ) -> Self:
        """A list of values. A sequence is encoded as ECMA2 does: ``,`` escaped, comma-joined."""
        if isinstance(values, str):
            encoded = values
        else:
            encoded = "".join(v.replace(",", "\\,") + "," for v in values)
        return cls(name, ConfigParameterType.DROP_DOWN, "", encoded, default, extensible)

    @classmethod
    def check_box(cls, name: str, default: bool = False) -> Self:
        """A boolean stored as ``"1"`` or ``"0"``."""
        return cls(name, ConfigParameterType.CHECK_BOX, "", "", "1" if default else "0")

    @classmethod
    def divider(cls) -> Self:
        """A horizontal rule."""
        return cls("", ConfigParameterType.DIVIDER)

    @classmethod
    def file(cls, name: str, default: str = "") -> Self:
        """A file whose content is stored in the configuration."""
        return cls(name, ConfigParameterType.FILE, "", "", default)

    @property
    def check_box_default(self) -> bool:
        """ECMA2 ``CheckBoxDefault``."""
        return self.default_value == "1"

    @property
    def drop_down_values(self) -> list[str]:
        """The drop-down values decoded from ``validation``."""
        values, current, escaped = [], "", False
        for char in self.validation:
            if escaped:
                current += char
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == ",":
                values.append(current)
                current = ""
            else:
                current += char
        if current:
            values.append(current)
        return values

    def to_pb(self) -> config_pb2.ConfigParameterDefinition:
        """The wire message."""
        return config_pb2.ConfigParameterDefinition(
            name=self.name,
            type=wire(self.type),
            text=self.text,
            validation=self.validation,
            default_value=self.default_value,
            drop_down_extensible=self.drop_down_extensible,
        )

    @classmethod
    def from_pb(cls, message: config_pb2.ConfigParameterDefinition) -> Self:
        """From the wire message."""
        return cls(
            message.name,
            ConfigParameterType.from_wire(message.type),
            message.text,
            message.validation,
            message.default_value,
            message.drop_down_extensible,
        )


@dataclass(frozen=True)
class ParameterValidationResult:
    """ECMA2 ``ParameterValidationResult``."""

    code: ParameterValidationResultCode = ParameterValidationResultCode.SUCCESS
    error_message: str = ""
    error_parameter: str = ""

    @classmethod
    def success(cls) -> Self:
        """The page is valid."""
        return cls()

    @classmethod
    def failure(cls, message: str, parameter: str = "") -> Self:
        """The page is invalid; ``parameter`` names the parameter at fault."""
        return cls(ParameterValidationResultCode.FAILURE, message, parameter)

    @property
    def ok(self) -> bool:
        """Whether validation succeeded."""
        return self.code is ParameterValidationResultCode.SUCCESS

    def to_pb(self) -> config_pb2.ParameterValidationResult:
        """The wire message."""
        return config_pb2.ParameterValidationResult(
            code=wire(self.code),
            error_message=self.error_message,
            error_parameter=self.error_parameter,
        )

    @classmethod
    def from_pb(cls, message: config_pb2.ParameterValidationResult) -> Self:
        """From the wire message."""
        return cls(
            ParameterValidationResultCode.from_wire(message.code),
            message.error_message,
            message.error_parameter,
        )
