"""ECMA2's enumerations with ECMA2's own numbers, and their conversion to and from the wire.

Every member carries the value it has in ``Microsoft.MetadirectoryServicesEx.dll``, so code
ported from C# compares and stores the same numbers. The protos cannot always use those numbers
(proto3 enums need an ``*_UNSPECIFIED = 0``), so each enum converts explicitly:

* most enums start at 0 in ECMA2, and their wire value is the ECMA2 value + 1
  (:meth:`Ecma2Enum.to_wire` / :meth:`Ecma2Enum.from_wire`);
* ``MAExportType`` and ``DeprovisionAction`` have no zero member, so wire equals ECMA2;
* the ``[Flags]`` enums (``MANormalizations``, ``PasswordOptions``, ``AttribFlags``) are
  :class:`enum.IntFlag` and travel as the list of flags that are on (ECMA2 ``None`` is empty).

A wire ``0`` (UNSPECIFIED) reads as the default the proto documents for that enum, or is
refused with :class:`WireValueError` where the proto calls it invalid.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Self


class WireValueError(ValueError):
    """A wire value that has no meaning for its enum (unknown, or UNSPECIFIED where invalid)."""


class Ecma2Enum(enum.IntEnum):
    """Base of the ECMA2 enums whose wire value is the ECMA2 value + 1."""

    @classmethod
    def _wire_offset(cls) -> int:
        return 1

    @classmethod
    def _unspecified(cls) -> Self | None:
        """What a wire 0 reads as; ``None`` means it is invalid for this enum."""
        return None

    def to_wire(self) -> int:
        """The value of this member in the ``ecma2.v1`` protos."""
        return int(self) + self._wire_offset()

    @classmethod
    def from_wire(cls, value: int) -> Self:
        """The member for a wire value; raises :class:`WireValueError` for a meaningless one."""
        if value == 0:
            default = cls._unspecified()
            if default is None:
                raise WireValueError(f"{cls.__name__} is unspecified on the wire")
            return default
        try:
            return cls(value - cls._wire_offset())
        except ValueError:
            raise WireValueError(f"{value} is not a wire value of {cls.__name__}") from None


class Ecma2FlatEnum(Ecma2Enum):
    """Base of the ECMA2 enums without a zero member, whose wire value equals the ECMA2 value."""

    @classmethod
    def _wire_offset(cls) -> int:
        return 0


class Ecma2Flags(enum.IntFlag):
    """Base of ECMA2's ``[Flags]`` enums: on the wire, the list of single flags that are on."""

    def to_wire(self) -> list[int]:
        """The repeated wire field: each flag that is on, lowest bit first."""
        return [int(flag) for flag in type(self) if flag.value and flag in self]

    @classmethod
    def from_wire(cls, values: Iterable[int]) -> Self:
        """The combined flags of a repeated wire field (unknown bits are refused)."""
        known = 0
        for flag in cls:
            known |= int(flag)
        result = cls(0)
        for value in values:
            if value == 0:
                continue  # UNSPECIFIED is never sent; tolerate it rather than fail a call
            if value < 0 or value & ~known or value & (value - 1):
                raise WireValueError(f"{value} is not a flag of {cls.__name__}")
            result |= cls(value)
        return result


def wire(value: Ecma2Enum | Ecma2Flags | enum.IntEnum) -> Any:
    """A member as the generated message constructors take it.

    The generated ``.pyi`` files type enum fields as protobuf's wrapper classes; the runtime
    takes plain ints. This is the one place that bridges the two.
    """
    if isinstance(value, Ecma2Enum | Ecma2Flags):
        return value.to_wire()
    return int(value)


# --- change model ---------------------------------------------------------------------------


class ObjectModificationType(Ecma2Enum):
    """ECMA2 ``ObjectModificationType``: what happened to an object."""

    UNCONFIGURED = 0
    NONE = 1
    ADD = 2
    REPLACE = 3
    UPDATE = 4
    DELETE = 5

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.UNCONFIGURED


class AttributeModificationType(Ecma2Enum):
    """ECMA2 ``AttributeModificationType``: how an attribute change applies."""

    UNCONFIGURED = 0
    ADD = 1
    REPLACE = 2
    UPDATE = 3
    DELETE = 4

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.UNCONFIGURED


class ValueModificationType(Ecma2Enum):
    """ECMA2 ``ValueModificationType``: add or delete of one value."""

    UNCONFIGURED = 0
    ADD = 1
    DELETE = 2

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.UNCONFIGURED


class ModificationType(Ecma2Enum):
    """ECMA1 ``ModificationType``; not used by any ECMA2 call, kept for completeness."""

    ADD = 0
    REPLACE = 1
    DELETE = 2


class MAImportError(Ecma2Enum):
    """ECMA2 ``MAImportError``: an object-level import (discovery) error."""

    SUCCESS = 0
    IMPORT_ERROR_MISSING_DOMAIN_NAME = 1
    IMPORT_ERROR_DOMAIN_NAME_NOT_LDAP_CONFORMANT = 2
    IMPORT_ERROR_INVALID_DOMAIN_NAME = 3
    IMPORT_ERROR_MISSING_CHANGE_TYPE = 4
    IMPORT_ERROR_INVALID_CHANGE_TYPE = 5
    IMPORT_ERROR_MULTI_VALUED_CHANGE_TYPE = 6
    IMPORT_ERROR_MISSING_OBJECT_CLASS = 7
    IMPORT_ERROR_MISSING_OBJECT_TYPE = 8
    IMPORT_ERROR_PARSE_ERROR = 9
    IMPORT_ERROR_READ_ERROR = 10
    IMPORT_ERROR_INVALID_ATTRIBUTE_VALUE = 11
    IMPORT_ERROR_INVALID_BASE64_VALUE = 12
    IMPORT_ERROR_INVALID_NUMERIC_VALUE = 13
    IMPORT_ERROR_INVALID_BOOLEAN_VALUE = 14
    IMPORT_ERROR_CUSTOM_STOP_RUN = 15
    IMPORT_ERROR_CUSTOM_CONTINUE_RUN = 16

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.SUCCESS


class MAExportError(Ecma2Enum):
    """ECMA2 ``MAExportError``: an export result (success, special action or error)."""

    SUCCESS = 0
    EXPORT_ACTION_CONVERT_UPDATE_TO_ADD = 1
    EXPORT_ACTION_RETRY_REFERENCE_ATTRIBUTE = 2
    EXPORT_ACTION_PROVISIONING_PARENT = 3
    EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR = 4
    EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT = 5
    EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT = 6
    EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE = 7
    EXPORT_ERROR_NON_EXISTING_PARENT = 8
    EXPORT_ERROR_DUPLICATE_ANCHOR = 9
    EXPORT_ERROR_AMBIGUOUS_UPDATE = 10
    EXPORT_ERROR_PASSWORD_POLICY_VIOLATION = 11
    EXPORT_ERROR_KERBEROS_TIME_SKEW = 12
    EXPORT_ERROR_KERBEROS_NO_LOG_ON_SERVER = 13
    EXPORT_ERROR_INVALID_DN = 14
    EXPORT_ERROR_CONSTRAINT_VIOLATION = 15
    EXPORT_ERROR_SYNTAX_VIOLATION = 16
    EXPORT_ERROR_CHANGE_NAMING_ATTRIBUTE = 17
    EXPORT_ERROR_PERMISSION_ISSUE = 18
    EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE = 19
    EXPORT_ERROR_INVALID_PROVISIONING_ATTRIBUTE_VALUE = 20
    EXPORT_ERROR_MISSING_ANCHOR_COMPONENT = 21
    EXPORT_ERROR_MULTI_VALUED_ANCHOR_COMPONENT = 22
    EXPORT_ERROR_ANCHOR_TOO_LONG = 23
    EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE = 24
    EXPORT_ERROR_CUSTOM_STOP_RUN = 25
    EXPORT_ERROR_CUSTOM_CONTINUE_RUN = 26

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.SUCCESS


# --- schema ---------------------------------------------------------------------------------


class AttributeType(Ecma2Enum):
    """ECMA2 ``AttributeType``. ``UNDEFINED`` marks a change built without a schema."""

    STRING = 0
    INTEGER = 1
    REFERENCE = 2
    BINARY = 3
    BOOLEAN = 4
    UNDEFINED = 5

    @classmethod
    def _unspecified(cls) -> Self | None:
        # Not set on the wire: the receiver has to consult the schema, as for UNDEFINED.
        return cls.UNDEFINED


class AttributeOperation(Ecma2Enum):
    """ECMA2 ``AttributeOperation``: which directions an attribute flows."""

    IMPORT_EXPORT = 0
    EXPORT_ONLY = 1
    IMPORT_ONLY = 2

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.IMPORT_EXPORT


# --- configuration --------------------------------------------------------------------------


class ConfigParameterType(Ecma2Enum):
    """ECMA2 ``ConfigParameterType``: the kind of element drawn on a configuration page."""

    STRING = 0
    ENCRYPTED_STRING = 1
    LABEL = 2
    TEXT = 3
    DROP_DOWN = 4
    CHECK_BOX = 5
    DIVIDER = 6
    FILE = 7


class ConfigParameterPage(Ecma2Enum):
    """ECMA2 ``ConfigParameterPage``: which configuration page is drawn or validated."""

    CONNECTIVITY = 0
    GLOBAL = 1
    RUN_STEP = 2
    PARTITION = 3
    CAPABILITIES = 4
    SCHEMA = 5


class ParameterValidationResultCode(Ecma2Enum):
    """ECMA2 ``ParameterValidationResultCode``."""

    SUCCESS = 0
    FAILURE = 1

    @classmethod
    def _unspecified(cls) -> Self | None:
        # A missing code never passes validation.
        return cls.FAILURE


# --- capabilities ---------------------------------------------------------------------------


class MADistinguishedNameStyle(Ecma2Enum):
    """ECMA2 ``MADistinguishedNameStyle``."""

    NONE = 0
    GENERIC = 1
    LDAP = 2

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.GENERIC


class MAExportType(Ecma2FlatEnum):
    """ECMA2 ``MAExportType`` (no zero member and no 4; wire values equal ECMA2 values)."""

    ATTRIBUTE_UPDATE = 1
    ATTRIBUTE_REPLACE = 2
    OBJECT_REPLACE = 3
    MULTIVALUED_REFERENCE_ATTRIBUTE_UPDATE = 5

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.OBJECT_REPLACE


class MAObjectConfirmation(Ecma2Enum):
    """ECMA2 ``MAObjectConfirmation`` (0, 1 and 3; wire values are + 1)."""

    NORMAL = 0
    NO_DELETE_CONFIRMATION = 1
    NO_ADD_AND_DELETE_CONFIRMATION = 3

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.NORMAL


class MANormalizations(Ecma2Flags):
    """ECMA2 ``[Flags] MANormalizations``."""

    NONE = 0
    UPPERCASE = 1
    REMOVE_ACCENTS = 2


# --- runs -----------------------------------------------------------------------------------


class OperationType(Ecma2Enum):
    """ECMA2 ``OperationType``: full, full-object or delta."""

    FULL = 0
    FULL_OBJECT = 1
    DELTA = 2


class CloseReason(Ecma2Enum):
    """ECMA2 ``CloseReason``, including ``OPEN_CONNECTION_FAILURE`` (3) that the docs omit."""

    NORMAL = 0
    TERMINATED_BY_USER = 1
    TERMINATED_SHUTTING_DOWN = 2
    OPEN_CONNECTION_FAILURE = 3
    UNKNOWN = 4

    @classmethod
    def _unspecified(cls) -> Self | None:
        return cls.UNKNOWN


# --- passwords ------------------------------------------------------------------------------


class PasswordOptions(Ecma2Flags):
    """ECMA2 ``[Flags] PasswordOptions``."""

    NONE = 0
    FORCE_CHANGE_AT_LOG_ON = 1
    UNLOCK_ACCOUNT = 2
    VALIDATE_PASSWORD = 4


class ConnectionSecurityLevel(Ecma2Enum):
    """ECMA2 ``ConnectionSecurityLevel``."""

    NOT_SECURE = 0
    SECURE = 1

    @classmethod
    def _unspecified(cls) -> Self | None:
        # A missing answer never unlocks password traffic.
        return cls.NOT_SECURE


class ConnectionState(Ecma2Enum):
    """ECMA2 ``ConnectionState`` of a ``CSEntry``."""

    CONNECTED = 0
    EXPLICITLY_CONNECTED = 1
    DISCONNECTED = 2
    EXPLICITLY_DISCONNECTED = 3
    DISCONNECTED_BY_FILTER = 4
    PLACEHOLDER = 5


class RuleType(Ecma2Enum):
    """ECMA2 ``RuleType``: how a ``CSEntry`` was connected."""

    PROVISIONING = 0
    PROJECTION = 1
    JOIN = 2
    ACCOUNT_JOINER = 3
    CONNECTOR_FILTER = 4
    MV_DELETION = 5
    IMPORT_ATTRIBUTE_FLOW = 6
    EXPORT_ATTRIBUTE_FLOW = 7
    CS_DEPROVISIONING = 8
    UNKNOWN = 9


class AttribFlags(Ecma2Flags):
    """Rules-extension ``[Flags] AttribFlags``; not used by any ECMA2 call."""

    NONE = 0
    MULTI_VALUED = 1
    ENCRYPTED = 2
    EXPORT_ONLY = 4


class DeprovisionAction(Ecma2FlatEnum):
    """Rules-extension ``DeprovisionAction`` (no zero member); not used by any ECMA2 call."""

    DISCONNECT = 1
    EXPLICIT_DISCONNECT = 2
    DELETE = 3


# --- not ECMA2: the contract's own ----------------------------------------------------------


class Ecma2Interface(enum.IntEnum):
    """The twelve ECMA2 interfaces, with their wire values (there are no ECMA2 numbers)."""

    CALL_IMPORT = 1
    CALL_EXPORT = 2
    FILE_IMPORT = 3
    FILE_EXPORT = 4
    GET_SCHEMA = 5
    GET_PARTITIONS = 6
    GET_HIERARCHY = 7
    GET_CAPABILITIES = 8
    GET_CAPABILITIES_EX = 9
    GET_PARAMETERS = 10
    GET_PARAMETERS_EX = 11
    PASSWORD = 12

    @property
    def ecma2_name(self) -> str:
        """The ECMA2 interface name, such as ``IMAExtensible2CallImport``."""
        return "IMAExtensible2" + "".join(
            "Ex" if word == "EX" else word.capitalize() for word in self.name.split("_")
        )


#: Every enum that carries ECMA2 numbers, for tests and tools that walk them.
ECMA2_ENUMS: tuple[type[Ecma2Enum], ...] = (
    ObjectModificationType,
    AttributeModificationType,
    ValueModificationType,
    ModificationType,
    MAImportError,
    MAExportError,
    AttributeType,
    AttributeOperation,
    ConfigParameterType,
    ConfigParameterPage,
    ParameterValidationResultCode,
    MADistinguishedNameStyle,
    MAExportType,
    MAObjectConfirmation,
    OperationType,
    CloseReason,
    ConnectionSecurityLevel,
    ConnectionState,
    RuleType,
    DeprovisionAction,
)

#: Every ``[Flags]`` enum.
ECMA2_FLAGS: tuple[type[Ecma2Flags], ...] = (MANormalizations, PasswordOptions, AttribFlags)
