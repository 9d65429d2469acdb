"""The change model: ``CSEntryChange`` and its parts, as dataclasses with readable builders.

Attribute values are plain Python values: ``str``, ``int``, ``bytes``, ``bool``, and
:class:`Reference` (a ``str`` subclass) for references, so that a reference never travels as a
plain string. A change reads like what it says::

    CSEntryChange.add("person", dn="CN=42").anchor("employeeId", 42).attr("name", "Ada")
    CSEntryChange.update("person", dn="CN=42").anchor("employeeId", 42).attr_delete("title")
    CSEntryChange.delete("person", dn="CN=42").anchor("employeeId", 42)

Builders enforce ECMA2's rules (``DetachedUtils``): an Add or Replace object takes only Add
attribute changes, a Delete object none, and names are unique within a change (ECMA2 keys them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self, TypeAlias

from ecma2._pb import change_pb2
from ecma2.enums import (
    AttributeModificationType,
    AttributeType,
    MAExportError,
    MAImportError,
    ObjectModificationType,
    ValueModificationType,
    WireValueError,
    wire,
)

DN_ATTRIBUTE = "DN"
"""The attribute name ECMA2 uses for a rename (``DetachedUtils.DNAttributeName``)."""

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class Reference(str):
    """A reference attribute value: the DN (or, with DN style None, the anchor) of an object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Reference({str.__repr__(self)})"


Value: TypeAlias = str | int | bytes | bool
"""An attribute value: ``str``, ``int`` (64-bit), ``bytes``, ``bool`` or :class:`Reference`."""


def new_identifier() -> str:
    """A fresh change identifier: a random (version 4) GUID in canonical text form."""
    try:
        return _IDENTIFIERS.pop()
    except IndexError:
        _IDENTIFIERS.extend(_identifiers())
        return _IDENTIFIERS.pop()


def _identifiers() -> list[str]:
    """A batch of random version 4 GUIDs: what ``str(uuid.uuid4())`` makes, from one read of
    the OS's random source and one big-integer mask for the whole batch."""
    number = int.from_bytes(os.urandom(16 * _BATCH)) & _KEEP | _SET
    h = number.to_bytes(16 * _BATCH).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-"
        f"{h[i + 20 : i + 32]}"
        for i in range(0, 32 * _BATCH, 32)
    ]


_BATCH = 256
# Per 128-bit GUID: version nibble (bits 76-79, counted from its low end) 0100, variant bits
# (62-63) 10; _KEEP clears them in every GUID of a batch, _SET sets them.
_KEEP = ~sum(((0xF << 76) | (0x3 << 62)) << (128 * n) for n in range(_BATCH))
_SET = sum(((0x4 << 76) | (0x2 << 62)) << (128 * n) for n in range(_BATCH))
_IDENTIFIERS: list[str] = []
# A forked child must not hand out its parent's remaining identifiers again.
os.register_at_fork(after_in_child=_IDENTIFIERS.clear)


def type_of(value: Value) -> AttributeType:
    """The ECMA2 attribute type a Python value stands for."""
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, Reference):
        return AttributeType.REFERENCE
    if isinstance(value, str):
        return AttributeType.STRING
    if isinstance(value, int):
        return AttributeType.INTEGER
    if isinstance(value, bytes):
        return AttributeType.BINARY
    raise TypeError(f"{type(value).__name__} is not an ECMA2 attribute value type")


def value_to_pb(value: Value) -> change_pb2.AttributeValue:
    """One value as its typed wire case."""
    if isinstance(value, bool):
        return change_pb2.AttributeValue(boolean_value=value)
    if isinstance(value, Reference):
        return change_pb2.AttributeValue(reference_value=str(value))
    if isinstance(value, str):
        return change_pb2.AttributeValue(string_value=value)
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise ValueError(f"integer value {value} does not fit in 64 bits")
        return change_pb2.AttributeValue(integer_value=value)
    if isinstance(value, bytes | bytearray | memoryview):
        return change_pb2.AttributeValue(binary_value=bytes(value))
    raise TypeError(f"{type(value).__name__} is not an ECMA2 attribute value type")


def value_from_pb(message: change_pb2.AttributeValue) -> Value:
    """The Python value of a wire value."""
    kind = message.WhichOneof("kind")
    if kind == "string_value":
        return message.string_value
    if kind == "integer_value":
        return message.integer_value
    if kind == "reference_value":
        return Reference(message.reference_value)
    if kind == "binary_value":
        return message.binary_value
    if kind == "boolean_value":
        return message.boolean_value
    raise WireValueError("attribute value has no value set")


def _data_type(values: Sequence[Value], given: AttributeType | None) -> AttributeType:
    if given is not None:
        return given
    kinds = {type_of(v) for v in values}
    return kinds.pop() if len(kinds) == 1 else AttributeType.UNDEFINED


@dataclass
class ValueChange:
    """ECMA2 ``ValueChange``: one value added or removed."""

    value: Value
    modification_type: ValueModificationType = ValueModificationType.ADD

    @classmethod
    def add(cls, value: Value) -> Self:
        """``ValueChange.CreateValueAdd``."""
        return cls(value, ValueModificationType.ADD)

    @classmethod
    def delete(cls, value: Value) -> Self:
        """``ValueChange.CreateValueDelete``."""
        return cls(value, ValueModificationType.DELETE)

    def to_pb(self) -> change_pb2.ValueChange:
        """The wire message."""
        return change_pb2.ValueChange(
            value=value_to_pb(self.value), modification_type=wire(self.modification_type)
        )

    @classmethod
    def from_pb(cls, message: change_pb2.ValueChange) -> Self:
        """From the wire message."""
        return cls(
            value_from_pb(message.value),
            ValueModificationType.from_wire(message.modification_type),
        )


@dataclass
class AttributeChange:
    """ECMA2 ``AttributeChange``: a change to one attribute.

    ``data_type`` is inferred from the values when not given; ``is_multi_valued`` is what the
    sender knows (receivers go by the schema, as the engine does).
    """

    name: str
    modification_type: AttributeModificationType
    value_changes: list[ValueChange] = field(default_factory=list)
    data_type: AttributeType = AttributeType.UNDEFINED
    is_multi_valued: bool = False

    @classmethod
    def _with_values(
        cls,
        name: str,
        modification_type: AttributeModificationType,
        values: Sequence[Value],
        data_type: AttributeType | None,
        multi: bool | None,
    ) -> Self:
        if len(values) == 1:  # the common case, without the general path's sets and lists
            only = values[0]
            if only is None:
                raise ValueError(f"attribute {name!r}: a value cannot be None")
            return cls(
                name,
                modification_type,
                [ValueChange(only, ValueModificationType.ADD)],
                type_of(only) if data_type is None else data_type,
                False if multi is None else multi,
            )
        if any(v is None for v in values):
            raise ValueError(f"attribute {name!r}: a value cannot be None")
        return cls(
            name,
            modification_type,
            [ValueChange.add(v) for v in values],
            _data_type(values, data_type),
            len(values) > 1 if multi is None else multi,
        )

    @classmethod
    def add(
        cls,
        name: str,
        *values: Value,
        data_type: AttributeType | None = None,
        multi: bool | None = None,
    ) -> Self:
        """``CreateAttributeAdd``: the attribute gains these values."""
        return cls._with_values(name, AttributeModificationType.ADD, values, data_type, multi)

    @classmethod
    def replace(
        cls,
        name: str,
        *values: Value,
        data_type: AttributeType | None = None,
        multi: bool | None = None,
    ) -> Self:
        """``CreateAttributeReplace``: the attribute's values become these."""
        return cls._with_values(name, AttributeModificationType.REPLACE, values, data_type, multi)

    @classmethod
    def delete(cls, name: str, *, data_type: AttributeType = AttributeType.UNDEFINED) -> Self:
        """``CreateAttributeDelete``: the attribute is removed."""
        return cls(name, AttributeModificationType.DELETE, [], data_type)

    @classmethod
    def update(
        cls,
        name: str,
        value_changes: Iterable[ValueChange],
        *,
        data_type: AttributeType | None = None,
        multi: bool = True,
    ) -> Self:
        """``CreateAttributeUpdate``: per-value adds and deletes."""
        changes = list(value_changes)
        return cls(
            name,
            AttributeModificationType.UPDATE,
            changes,
            _data_type([c.value for c in changes], data_type),
            multi,
        )

    @classmethod
    def new_dn(cls, dn: str) -> Self:
        """``CreateNewDN``: a rename, as ECMA2 shapes it (name ``DN``, type Unconfigured)."""
        if not dn:
            raise ValueError("DN attribute must have a value")
        return cls(
            DN_ATTRIBUTE,
            AttributeModificationType.UNCONFIGURED,
            [ValueChange.add(dn)],
            AttributeType.STRING,
        )

    @property
    def values(self) -> list[Value]:
        """The values this change adds (what an Add or Replace sets)."""
        return [
            c.value for c in self.value_changes if c.modification_type is ValueModificationType.ADD
        ]

    @property
    def removed_values(self) -> list[Value]:
        """The values this change deletes (Update only)."""
        return [
            c.value
            for c in self.value_changes
            if c.modification_type is ValueModificationType.DELETE
        ]

    @property
    def value(self) -> Value | None:
        """The single value added, or ``None`` (for a Delete, or when none is added)."""
        added = self.values
        return added[-1] if added else None

    def to_pb(self) -> change_pb2.AttributeChange:
        """The wire message."""
        return change_pb2.AttributeChange(
            name=self.name,
            data_type=wire(self.data_type),
            is_multi_valued=self.is_multi_valued,
            modification_type=wire(self.modification_type),
            value_changes=[c.to_pb() for c in self.value_changes],
        )

    @classmethod
    def from_pb(cls, message: change_pb2.AttributeChange) -> Self:
        """From the wire message."""
        return cls(
            name=message.name,
            modification_type=AttributeModificationType.from_wire(message.modification_type),
            value_changes=[ValueChange.from_pb(c) for c in message.value_changes],
            data_type=AttributeType.from_wire(message.data_type),
            is_multi_valued=message.is_multi_valued,
        )


@dataclass
class AnchorAttribute:
    """ECMA2 ``AnchorAttribute``: one component of an object's anchor."""

    name: str
    value: Value
    data_type: AttributeType = AttributeType.UNDEFINED

    @classmethod
    def create(cls, name: str, value: Value, data_type: AttributeType | None = None) -> Self:
        """``AnchorAttribute.Create``, with the type inferred from the value when not given."""
        return cls(name, value, type_of(value) if data_type is None else data_type)

    def to_pb(self) -> change_pb2.AnchorAttribute:
        """The wire message."""
        return change_pb2.AnchorAttribute(
            name=self.name, data_type=wire(self.data_type), value=value_to_pb(self.value)
        )

    @classmethod
    def from_pb(cls, message: change_pb2.AnchorAttribute) -> Self:
        """From the wire message."""
        return cls(
            message.name,
            value_from_pb(message.value),
            AttributeType.from_wire(message.data_type),
        )


# The builders' fast paths: members bound once, and the type each exact value class stands for
# (subclasses other than Reference go through type_of).
_ADD = ObjectModificationType.ADD
_REPLACE = ObjectModificationType.REPLACE
_UPDATE = ObjectModificationType.UPDATE
_ATTRIBUTE_ADD = AttributeModificationType.ADD
_ATTRIBUTE_REPLACE = AttributeModificationType.REPLACE
_VALUE_ADD = ValueModificationType.ADD
_TYPES: dict[type, AttributeType] = {
    str: AttributeType.STRING,
    Reference: AttributeType.REFERENCE,
    int: AttributeType.INTEGER,
    bool: AttributeType.BOOLEAN,
    bytes: AttributeType.BINARY,
}

# DetachedUtils' table: which attribute changes an object change may hold.
_ALLOWED: dict[ObjectModificationType, frozenset[AttributeModificationType]] = {
    ObjectModificationType.ADD: frozenset({AttributeModificationType.ADD}),
    ObjectModificationType.REPLACE: frozenset({AttributeModificationType.ADD}),
    ObjectModificationType.UPDATE: frozenset(
        {
            AttributeModificationType.ADD,
            AttributeModificationType.DELETE,
            AttributeModificationType.REPLACE,
            AttributeModificationType.UPDATE,
        }
    ),
    ObjectModificationType.DELETE: frozenset(),
}


@dataclass
class CSEntryChange:
    """ECMA2 ``CSEntryChange``: one object as imported or as handed to export."""

    object_type: str = ""
    object_modification_type: ObjectModificationType = ObjectModificationType.UNCONFIGURED
    dn: str = ""
    anchor_attributes: list[AnchorAttribute] = field(default_factory=list)
    attribute_changes: list[AttributeChange] = field(default_factory=list)
    identifier: str = field(default_factory=new_identifier)
    error_code_import: MAImportError = MAImportError.SUCCESS
    error_name: str = ""
    error_detail: str = ""

    # -- builders ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls, object_type: str, modification_type: ObjectModificationType, *, dn: str = ""
    ) -> Self:
        """A new change of any modification type, with a fresh identifier."""
        return cls(object_type, modification_type, dn)

    @classmethod
    def add(cls, object_type: str, *, dn: str = "") -> Self:
        """A new object (the only type a full import returns)."""
        return cls(object_type, _ADD, dn)

    @classmethod
    def replace(cls, object_type: str, *, dn: str = "") -> Self:
        """The whole object, replacing what the receiver has."""
        return cls.create(object_type, ObjectModificationType.REPLACE, dn=dn)

    @classmethod
    def update(cls, object_type: str, *, dn: str = "") -> Self:
        """Some attributes of an existing object changed."""
        return cls.create(object_type, ObjectModificationType.UPDATE, dn=dn)

    @classmethod
    def delete(cls, object_type: str, *, dn: str = "") -> Self:
        """The object is gone."""
        return cls.create(object_type, ObjectModificationType.DELETE, dn=dn)

    def anchor(self, name: str, value: Value, data_type: AttributeType | None = None) -> Self:
        """Adds an anchor component (type inferred from the value unless given)."""
        for existing in self.anchor_attributes:
            if existing.name == name:
                raise ValueError(f"anchor attribute {name!r} is already present")
        if data_type is None:
            data_type = _TYPES.get(type(value)) or type_of(value)
        self.anchor_attributes.append(AnchorAttribute(name, value, data_type))
        return self

    def attr(
        self,
        name: str,
        *values: Value | None,
        data_type: AttributeType | None = None,
        multi: bool | None = None,
    ) -> Self:
        """Sets an attribute to these values, in the way the object's type allows.

        ``None`` values are dropped, so nullable columns can be passed as they are. On an Add
        or Replace object this is an attribute Add (and nothing when no value is left); on an
        Update object it is a Replace, or a Delete when no value is left.
        """
        if len(values) == 1 and data_type is None and multi is None:
            # The common case (one column, one attribute) without the general path's layers;
            # the same change, checks and errors as attr_add / attr_replace / attr_delete.
            only = values[0]
            kind = self.object_modification_type
            if only is None:
                return self.attr_delete(name) if kind is _UPDATE else self
            inferred = _TYPES.get(type(only))
            if inferred is not None and (kind is _ADD or kind is _REPLACE or kind is _UPDATE):
                for existing in self.attribute_changes:
                    if existing.name == name:
                        raise ValueError(f"attribute {name!r} already has a change in this entry")
                self.attribute_changes.append(
                    AttributeChange(
                        name,
                        _ATTRIBUTE_REPLACE if kind is _UPDATE else _ATTRIBUTE_ADD,
                        [ValueChange(only, _VALUE_ADD)],
                        inferred,
                        False,
                    )
                )
                return self
        present = [v for v in values if v is not None]
        if self.object_modification_type is ObjectModificationType.UPDATE:
            if not present:
                return self.attr_delete(name)
            return self.attr_replace(name, *present, data_type=data_type, multi=multi)
        if not present:
            return self
        return self.attr_add(name, *present, data_type=data_type, multi=multi)

    def attr_add(
        self,
        name: str,
        *values: Value,
        data_type: AttributeType | None = None,
        multi: bool | None = None,
    ) -> Self:
        """Adds an attribute Add change."""
        return self.change(AttributeChange.add(name, *values, data_type=data_type, multi=multi))

    def attr_replace(
        self,
        name: str,
        *values: Value,
        data_type: AttributeType | None = None,
        multi: bool | None = None,
    ) -> Self:
        """Adds an attribute Replace change (Update objects only)."""
        return self.change(AttributeChange.replace(name, *values, data_type=data_type, multi=multi))

    def attr_update(
        self,
        name: str,
        *,
        add: Iterable[Value] = (),
        remove: Iterable[Value] = (),
        data_type: AttributeType | None = None,
    ) -> Self:
        """Adds per-value adds and deletes of a multi-valued attribute (Update objects only)."""
        changes = [ValueChange.add(v) for v in add] + [ValueChange.delete(v) for v in remove]
        return self.change(AttributeChange.update(name, changes, data_type=data_type))

    def attr_delete(self, name: str) -> Self:
        """Removes the attribute (Update objects only)."""
        return self.change(AttributeChange.delete(name))

    def rename(self, new_dn: str) -> Self:
        """Adds ECMA2's rename change (an attribute named ``DN``)."""
        return self.change(AttributeChange.new_dn(new_dn))

    def change(self, attribute_change: AttributeChange) -> Self:
        """Adds one attribute change, checked against ECMA2's rules."""
        name = attribute_change.name
        for existing in self.attribute_changes:
            if existing.name == name:
                raise ValueError(f"attribute {name!r} already has a change in this entry")
        if name.upper() != DN_ATTRIBUTE:
            allowed = _ALLOWED.get(self.object_modification_type)
            if allowed is None:
                raise ValueError(
                    f"a {self.object_modification_type.name} object cannot hold attribute "
                    "changes; set object_modification_type first"
                )
            if attribute_change.modification_type not in allowed:
                raise ValueError(
                    f"a {self.object_modification_type.name} object cannot hold a "
                    f"{attribute_change.modification_type.name} change of {name!r}"
                )
        elif attribute_change.value is None:
            raise ValueError("DN attribute must have a value")
        self.attribute_changes.append(attribute_change)
        return self

    def error(self, code: MAImportError, name: str = "", detail: str = "") -> Self:
        """Marks an object-level import error (the run goes on for CUSTOM_CONTINUE_RUN)."""
        self.error_code_import = code
        self.error_name = name
        self.error_detail = detail
        return self

    # -- reading ----------------------------------------------------------------------------

    @property
    def changed_attribute_names(self) -> list[str]:
        """ECMA2 ``ChangedAttributeNames``."""
        return [c.name for c in self.attribute_changes]

    @property
    def rdn(self) -> str:
        """ECMA2 ``RDN``: the first unescaped component of the DN."""
        escaped = False
        for i, char in enumerate(self.dn):
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == ",":
                return self.dn[:i]
        return self.dn

    def get(self, name: str) -> AttributeChange | None:
        """The change of one attribute, if any."""
        return next((c for c in self.attribute_changes if c.name == name), None)

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.attribute_changes)

    def value(self, name: str) -> Value | None:
        """The single value an attribute is set to, or ``None``."""
        change = self.get(name)
        return None if change is None else change.value

    def values(self, name: str) -> list[Value]:
        """The values an attribute is set to (empty when absent)."""
        change = self.get(name)
        return [] if change is None else change.values

    def anchor_value(self, name: str) -> Value | None:
        """The value of one anchor component, or ``None``."""
        return next((a.value for a in self.anchor_attributes if a.name == name), None)

    # -- wire -------------------------------------------------------------------------------

    def to_pb(self) -> change_pb2.CSEntryChange:
        """The wire message (parsed from :meth:`encode`, which is much faster than building
        the message field by field)."""
        return change_pb2.CSEntryChange.FromString(self.encode())

    def encode(self) -> bytes:
        """The protobuf encoding of the wire message, written directly."""
        from ecma2 import _wire  # noqa: PLC0415 (_wire imports this module)

        return _wire.entry(self)

    @classmethod
    def from_pb(cls, message: change_pb2.CSEntryChange) -> Self:
        """From the wire message."""
        return cls(
            object_type=message.object_type,
            object_modification_type=ObjectModificationType.from_wire(
                message.object_modification_type
            ),
            dn=message.dn,
            anchor_attributes=[AnchorAttribute.from_pb(a) for a in message.anchor_attributes],
            attribute_changes=[AttributeChange.from_pb(c) for c in message.attribute_changes],
            identifier=message.identifier,
            error_code_import=MAImportError.from_wire(message.error_code_import),
            error_name=message.error_name,
            error_detail=message.error_detail,
        )


@dataclass
class CSEntryChangeResult:
    """ECMA2 ``CSEntryChangeResult``: the outcome of exporting one change."""

    identifier: str
    anchor_attributes: list[AttributeChange] = field(default_factory=list)
    error_code: MAExportError = MAExportError.SUCCESS
    error_name: str = ""
    error_detail: str = ""

    @classmethod
    def success(
        cls, entry: CSEntryChange | str, anchors: Mapping[str, Value] | None = None
    ) -> Self:
        """Exported; ``anchors`` are the anchor values the target assigned (on an add)."""
        return cls(
            _identifier(entry),
            [AttributeChange.add(name, value) for name, value in (anchors or {}).items()],
        )

    @classmethod
    def error(
        cls, entry: CSEntryChange | str, code: MAExportError, name: str = "", detail: str = ""
    ) -> Self:
        """An object-level export error or special action."""
        return cls(_identifier(entry), [], code, name, detail)

    def to_pb(self) -> change_pb2.CSEntryChangeResult:
        """The wire message."""
        return change_pb2.CSEntryChangeResult(
            identifier=self.identifier,
            anchor_attributes=[a.to_pb() for a in self.anchor_attributes],
            error_code=wire(self.error_code),
            error_name=self.error_name,
            error_detail=self.error_detail,
        )

    @classmethod
    def from_pb(cls, message: change_pb2.CSEntryChangeResult) -> Self:
        """From the wire message."""
        return cls(
            identifier=message.identifier,
            anchor_attributes=[AttributeChange.from_pb(a) for a in message.anchor_attributes],
            error_code=MAExportError.from_wire(message.error_code),
            error_name=message.error_name,
            error_detail=message.error_detail,
        )


def _identifier(entry: CSEntryChange | str) -> str:
    return entry if isinstance(entry, str) else entry.identifier
