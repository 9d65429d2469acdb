"""The schema: object types and their attributes (``IMAExtensible2GetSchema``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from ecma2._pb import schema_pb2
from ecma2.enums import AttributeOperation, AttributeType, wire


@dataclass(frozen=True)
class SchemaAttribute:
    """ECMA2 ``SchemaAttribute``. Build one with the factories, as in ECMA2."""

    name: str
    data_type: AttributeType
    is_multi_valued: bool = False
    is_anchor: bool = False
    allowed_attribute_operation: AttributeOperation = AttributeOperation.IMPORT_EXPORT
    hidden_by_default: bool = False

    @classmethod
    def single_valued(
        cls,
        name: str,
        data_type: AttributeType,
        operation: AttributeOperation = AttributeOperation.IMPORT_EXPORT,
    ) -> Self:
        """``CreateSingleValuedAttribute``."""
        return cls(name, data_type, False, False, operation)

    @classmethod
    def multi_valued(
        cls,
        name: str,
        data_type: AttributeType,
        operation: AttributeOperation = AttributeOperation.IMPORT_EXPORT,
    ) -> Self:
        """``CreateMultiValuedAttribute``."""
        return cls(name, data_type, True, False, operation)

    @classmethod
    def anchor(
        cls,
        name: str,
        data_type: AttributeType,
        operation: AttributeOperation = AttributeOperation.IMPORT_EXPORT,
    ) -> Self:
        """``CreateAnchorAttribute`` (anchors are never multi-valued)."""
        return cls(name, data_type, False, True, operation)

    def to_pb(self) -> schema_pb2.SchemaAttribute:
        """The wire message."""
        return schema_pb2.SchemaAttribute(
            name=self.name,
            is_multi_valued=self.is_multi_valued,
            is_anchor=self.is_anchor,
            data_type=wire(self.data_type),
            allowed_attribute_operation=wire(self.allowed_attribute_operation),
            hidden_by_default=self.hidden_by_default,
        )

    @classmethod
    def from_pb(cls, message: schema_pb2.SchemaAttribute) -> Self:
        """From the wire message."""
        return cls(
            message.name,
            AttributeType.from_wire(message.data_type),
            message.is_multi_valued,
            message.is_anchor,
            AttributeOperation.from_wire(message.allowed_attribute_operation),
            message.hidden_by_default,
        )


@dataclass
class SchemaType:
    """ECMA2 ``SchemaType``: one object type and its attributes, in order."""

    name: str
    attributes: list[SchemaAttribute] = field(default_factory=list)
    locked: bool = False
    possible_dn_components_for_provisioning: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, name: str, *attributes: SchemaAttribute, locked: bool = False) -> Self:
        """``SchemaType.Create`` plus the attributes."""
        names = [a.name for a in attributes]
        if len(set(names)) != len(names):
            raise ValueError(f"schema type {name!r} lists an attribute twice")
        return cls(name, list(attributes), locked)

    @property
    def anchor_attributes(self) -> list[SchemaAttribute]:
        """ECMA2 ``AnchorAttributes``: the attributes that form the anchor."""
        return [a for a in self.attributes if a.is_anchor]

    def attribute(self, name: str) -> SchemaAttribute | None:
        """One attribute by name."""
        return next((a for a in self.attributes if a.name == name), None)

    def to_pb(self) -> schema_pb2.SchemaType:
        """The wire message."""
        return schema_pb2.SchemaType(
            name=self.name,
            locked=self.locked,
            attributes=[a.to_pb() for a in self.attributes],
            possible_dn_components_for_provisioning=self.possible_dn_components_for_provisioning,
        )

    @classmethod
    def from_pb(cls, message: schema_pb2.SchemaType) -> Self:
        """From the wire message."""
        return cls(
            message.name,
            [SchemaAttribute.from_pb(a) for a in message.attributes],
            message.locked,
            list(message.possible_dn_components_for_provisioning),
        )


@dataclass(frozen=True)
class ChangeTypeDescription:
    """ECMA2 ``ChangeTypeDescription`` (file-based formats only)."""

    attribute_name: str = ""
    add: str = ""
    modify: str = ""
    delete: str = ""


@dataclass
class Schema:
    """ECMA2 ``Schema``: the object types, in order, keyed by name."""

    types: list[SchemaType] = field(default_factory=list)
    change_type: ChangeTypeDescription | None = None
    object_type_attribute_name: str = ""

    @classmethod
    def of(cls, *types: SchemaType) -> Self:
        """A schema of these types."""
        return cls(list(types))

    def type(self, name: str) -> SchemaType | None:
        """One type by name."""
        return next((t for t in self.types if t.name == name), None)

    @property
    def type_names(self) -> list[str]:
        """The names of the types, in order."""
        return [t.name for t in self.types]

    def to_pb(self) -> schema_pb2.Schema:
        """The wire message."""
        message = schema_pb2.Schema(
            types=[t.to_pb() for t in self.types],
            object_type_attribute_name=self.object_type_attribute_name,
        )
        if self.change_type is not None:
            message.change_type.CopyFrom(
                schema_pb2.ChangeTypeDescription(
                    attribute_name=self.change_type.attribute_name,
                    add=self.change_type.add,
                    modify=self.change_type.modify,
                    delete=self.change_type.delete,
                )
            )
        return message

    @classmethod
    def from_pb(cls, message: schema_pb2.Schema) -> Self:
        """From the wire message."""
        change_type = None
        if message.HasField("change_type"):
            c = message.change_type
            change_type = ChangeTypeDescription(c.attribute_name, c.add, c.modify, c.delete)
        return cls(
            [SchemaType.from_pb(t) for t in message.types],
            change_type,
            message.object_type_attribute_name,
        )
