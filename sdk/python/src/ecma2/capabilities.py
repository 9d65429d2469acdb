"""``MACapabilities``: how a connector wants the engine to shape data.

The dataclass defaults are the ECMA2 constructor's: nine booleans start ``True``
(``object_rename``, ``delta_import``, ``concurrent_operation``, ``delete_add_as_replace`` and
the five ``support_*``). On the wire every field is sent explicitly, and a field that arrives
unset reads as that same default, never as ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self

from ecma2._pb import capabilities_pb2
from ecma2.enums import (
    MADistinguishedNameStyle,
    MAExportType,
    MANormalizations,
    MAObjectConfirmation,
    wire,
)

_BOOLEANS = (
    "object_rename",
    "no_reference_values_in_first_export",
    "delta_import",
    "concurrent_operation",
    "delete_add_as_replace",
    "export_password_in_first_pass",
    "full_export",
    "is_dn_as_anchor",
    "support_import",
    "support_export",
    "support_partitions",
    "support_password",
    "support_hierarchy",
)


@dataclass
class MACapabilities:
    """ECMA2 ``MACapabilities``, with the ECMA2 constructor's defaults.

    As in ECMA2, setting ``distinguished_name_style`` to ``NONE`` also sets ``object_rename``
    to ``False``.
    """

    distinguished_name_style: MADistinguishedNameStyle = MADistinguishedNameStyle.GENERIC
    object_rename: bool = True
    no_reference_values_in_first_export: bool = False
    delta_import: bool = True
    concurrent_operation: bool = True
    delete_add_as_replace: bool = True
    export_password_in_first_pass: bool = False
    full_export: bool = False
    object_confirmation: MAObjectConfirmation = MAObjectConfirmation.NORMAL
    export_type: MAExportType = MAExportType.OBJECT_REPLACE
    normalizations: MANormalizations = MANormalizations.NONE
    is_dn_as_anchor: bool = False
    support_import: bool = True
    support_export: bool = True
    support_partitions: bool = True
    support_password: bool = True
    support_hierarchy: bool = True

    def __post_init__(self) -> None:
        if self.distinguished_name_style is MADistinguishedNameStyle.NONE:
            self.object_rename = False

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "distinguished_name_style" and value is MADistinguishedNameStyle.NONE:
            super().__setattr__("object_rename", False)

    def to_pb(self) -> capabilities_pb2.MACapabilities:
        """The wire message, with every field present."""
        return capabilities_pb2.MACapabilities(
            distinguished_name_style=wire(self.distinguished_name_style),
            object_confirmation=wire(self.object_confirmation),
            export_type=wire(self.export_type),
            normalizations=wire(self.normalizations),
            **{name: getattr(self, name) for name in _BOOLEANS},
        )

    @classmethod
    def from_pb(cls, message: capabilities_pb2.MACapabilities) -> Self:
        """From the wire message; unset fields take the ECMA2 defaults."""
        defaults: dict[str, Any] = {f.name: f.default for f in fields(cls)}
        booleans = {
            name: getattr(message, name) if message.HasField(name) else defaults[name]
            for name in _BOOLEANS
        }
        result = cls(
            distinguished_name_style=MADistinguishedNameStyle.from_wire(
                message.distinguished_name_style
            ),
            object_confirmation=MAObjectConfirmation.from_wire(message.object_confirmation),
            export_type=MAExportType.from_wire(message.export_type),
            normalizations=MANormalizations.from_wire(message.normalizations),
            **booleans,
        )
        if message.HasField("object_rename"):
            # An explicit value wins over the NONE side effect applied in __post_init__.
            result.object_rename = message.object_rename
        return result
