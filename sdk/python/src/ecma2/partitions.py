"""Partitions and the container hierarchy (``IMAExtensible2GetPartitions`` / ``GetHierarchy``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from ecma2._pb import hierarchy_pb2


@dataclass(frozen=True)
class Partition:
    """ECMA2 ``Partition``: a top-level scope. ``identifier`` is a GUID in canonical text."""

    identifier: str
    dn: str
    name: str = ""
    hidden_by_default: bool = False

    def to_pb(self) -> hierarchy_pb2.Partition:
        """The wire message."""
        return hierarchy_pb2.Partition(
            identifier=self.identifier,
            dn=self.dn,
            name=self.name,
            hidden_by_default=self.hidden_by_default,
        )

    @classmethod
    def from_pb(cls, message: hierarchy_pb2.Partition) -> Self:
        """From the wire message."""
        return cls(message.identifier, message.dn, message.name, message.hidden_by_default)


@dataclass(frozen=True)
class HierarchyNode:
    """ECMA2 ``HierarchyNode``: one container below a partition."""

    dn: str
    display_name: str = ""

    def to_pb(self) -> hierarchy_pb2.HierarchyNode:
        """The wire message."""
        return hierarchy_pb2.HierarchyNode(dn=self.dn, display_name=self.display_name)

    @classmethod
    def from_pb(cls, message: hierarchy_pb2.HierarchyNode) -> Self:
        """From the wire message."""
        return cls(message.dn, message.display_name)
