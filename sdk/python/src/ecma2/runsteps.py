"""Run steps and results of import and export, call-based and file-based.

These are what ECMA2 hands to ``Open*``/``Get*``/``Put*``/``Close*`` and what they return. Each
run step has ``from_pb`` (the SDK builds them from requests); each result has ``to_pb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, Self

from ecma2._pb import export_pb2, file_pb2, hierarchy_pb2, import_pb2
from ecma2.change import CSEntryChange, CSEntryChangeResult
from ecma2.enums import CloseReason, OperationType, wire
from ecma2.partitions import HierarchyNode, Partition


class _WithPartition(Protocol):
    @property
    def step_partition(self) -> hierarchy_pb2.Partition: ...

    def HasField(self, field_name: str) -> bool: ...  # noqa: N802 (protobuf's name)


def _partition(message: _WithPartition) -> Partition | None:
    return Partition.from_pb(message.step_partition) if message.HasField("step_partition") else None


# --- call-based import ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenImportConnectionRunStep:
    """ECMA2 ``OpenImportConnectionRunStep``. ``page_size`` is the size in force (never 0)."""

    import_type: OperationType = OperationType.FULL
    page_size: int = 0
    custom_data: str = ""
    step_partition: Partition | None = None
    inclusion_hierarchy_nodes: list[HierarchyNode] = field(default_factory=list)
    exclusion_hierarchy_nodes: list[HierarchyNode] = field(default_factory=list)

    @classmethod
    def from_pb(cls, message: import_pb2.OpenImportConnectionRunStep) -> Self:
        """From the wire message."""
        return cls(
            OperationType.from_wire(message.import_type),
            message.page_size,
            message.custom_data,
            _partition(message),
            [HierarchyNode.from_pb(n) for n in message.inclusion_hierarchy_nodes],
            [HierarchyNode.from_pb(n) for n in message.exclusion_hierarchy_nodes],
        )

    def to_pb(self) -> import_pb2.OpenImportConnectionRunStep:
        """The wire message."""
        message = import_pb2.OpenImportConnectionRunStep(
            custom_data=self.custom_data,
            page_size=self.page_size,
            import_type=wire(self.import_type),
            inclusion_hierarchy_nodes=[n.to_pb() for n in self.inclusion_hierarchy_nodes],
            exclusion_hierarchy_nodes=[n.to_pb() for n in self.exclusion_hierarchy_nodes],
        )
        if self.step_partition is not None:
            message.step_partition.CopyFrom(self.step_partition.to_pb())
        return message


@dataclass(frozen=True)
class OpenImportConnectionResults:
    """ECMA2 ``OpenImportConnectionResults``."""

    custom_data: str = ""

    def to_pb(self) -> import_pb2.OpenImportConnectionResults:
        """The wire message."""
        return import_pb2.OpenImportConnectionResults(custom_data=self.custom_data)


@dataclass(frozen=True)
class GetImportEntriesRunStep:
    """ECMA2 ``GetImportEntriesRunStep``."""

    custom_data: str = ""
    full_object_entries: list[CSEntryChange] = field(default_factory=list)

    @classmethod
    def from_pb(cls, message: import_pb2.GetImportEntriesRunStep) -> Self:
        """From the wire message."""
        return cls(
            message.custom_data,
            [CSEntryChange.from_pb(e) for e in message.full_object_entries],
        )


@dataclass
class GetImportEntriesResults:
    """ECMA2 ``GetImportEntriesResults``: one page. It never holds more than the page size."""

    entries: Sequence[CSEntryChange] = field(default_factory=list)
    custom_data: str = ""
    more_to_import: bool = False

    def results_pb(self) -> import_pb2.GetImportEntriesResults:
        """The closing ``results`` frame of the page (entries travel as frames before it)."""
        return import_pb2.GetImportEntriesResults(
            custom_data=self.custom_data, more_to_import=self.more_to_import
        )


@dataclass(frozen=True)
class CloseImportConnectionRunStep:
    """ECMA2 ``CloseImportConnectionRunStep``."""

    reason: CloseReason = CloseReason.NORMAL
    custom_data: str = ""

    @classmethod
    def from_pb(cls, message: import_pb2.CloseImportConnectionRunStep) -> Self:
        """From the wire message."""
        return cls(CloseReason.from_wire(message.reason), message.custom_data)


@dataclass(frozen=True)
class CloseImportConnectionResults:
    """ECMA2 ``CloseImportConnectionResults``: the final watermark to commit."""

    custom_data: str = ""

    def to_pb(self) -> import_pb2.CloseImportConnectionResults:
        """The wire message."""
        return import_pb2.CloseImportConnectionResults(custom_data=self.custom_data)


# --- call-based export ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenExportConnectionRunStep:
    """ECMA2 ``OpenExportConnectionRunStep``. ``batch_size`` is the size in force (never 0)."""

    export_type: OperationType = OperationType.DELTA
    batch_size: int = 0
    step_partition: Partition | None = None
    inclusion_hierarchy_nodes: list[HierarchyNode] = field(default_factory=list)
    exclusion_hierarchy_nodes: list[HierarchyNode] = field(default_factory=list)

    @classmethod
    def from_pb(cls, message: export_pb2.OpenExportConnectionRunStep) -> Self:
        """From the wire message."""
        return cls(
            OperationType.from_wire(message.export_type),
            message.batch_size,
            _partition(message),
            [HierarchyNode.from_pb(n) for n in message.inclusion_hierarchy_nodes],
            [HierarchyNode.from_pb(n) for n in message.exclusion_hierarchy_nodes],
        )

    def to_pb(self) -> export_pb2.OpenExportConnectionRunStep:
        """The wire message."""
        message = export_pb2.OpenExportConnectionRunStep(
            export_type=wire(self.export_type),
            batch_size=self.batch_size,
            inclusion_hierarchy_nodes=[n.to_pb() for n in self.inclusion_hierarchy_nodes],
            exclusion_hierarchy_nodes=[n.to_pb() for n in self.exclusion_hierarchy_nodes],
        )
        if self.step_partition is not None:
            message.step_partition.CopyFrom(self.step_partition.to_pb())
        return message


@dataclass
class PutExportEntriesResults:
    """ECMA2 ``PutExportEntriesResults``. An entry without a result counts as exported."""

    results: list[CSEntryChangeResult] = field(default_factory=list)

    def to_pb(self) -> export_pb2.PutExportEntriesResponse:
        """The wire response."""
        response = export_pb2.PutExportEntriesResponse()
        response.results.cs_entry_change_results.extend(r.to_pb() for r in self.results)
        return response

    @classmethod
    def from_pb(cls, message: export_pb2.PutExportEntriesResponse) -> Self:
        """From the wire response."""
        return cls(
            [CSEntryChangeResult.from_pb(r) for r in message.results.cs_entry_change_results]
        )


@dataclass(frozen=True)
class CloseExportConnectionRunStep:
    """ECMA2 ``CloseExportConnectionRunStep`` (no custom data, as in ECMA2)."""

    reason: CloseReason = CloseReason.NORMAL

    @classmethod
    def from_pb(cls, message: export_pb2.CloseExportConnectionRunStep) -> Self:
        """From the wire message."""
        return cls(CloseReason.from_wire(message.reason))


# --- file-based -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteImportFileRunStep:
    """ECMA2 ``WriteImportFileRunStep``."""

    file_path: str
    import_type: OperationType = OperationType.FULL
    custom_data: str = ""
    step_partition: Partition | None = None

    @classmethod
    def from_pb(cls, message: file_pb2.WriteImportFileRunStep) -> Self:
        """From the wire message."""
        return cls(
            message.file_path,
            OperationType.from_wire(message.import_type),
            message.custom_data,
            _partition(message),
        )


@dataclass(frozen=True)
class WriteImportFileResults:
    """ECMA2 ``WriteImportFileResults``: the new watermark."""

    custom_data: str = ""

    def to_pb(self) -> file_pb2.WriteImportFileResults:
        """The wire message."""
        return file_pb2.WriteImportFileResults(custom_data=self.custom_data)


@dataclass(frozen=True)
class ReadExportFileRunStep:
    """ECMA2 ``ReadExportFileRunStep``."""

    file_path: str
    export_type: OperationType = OperationType.DELTA
    step_partition: Partition | None = None

    @classmethod
    def from_pb(cls, message: file_pb2.ReadExportFileRunStep) -> Self:
        """From the wire message."""
        return cls(
            message.file_path, OperationType.from_wire(message.export_type), _partition(message)
        )
