"""The twelve ECMA2 interfaces as abstract base classes.

A connector is a class that inherits the interfaces it implements, exactly as a C# connector
implements ``IMAExtensible2*``; the SDK announces those, and only those, in the handshake::

    class HrConnector(GetCapabilities, GetSchema, CallImport, CallExport):
        ...

The class is the factory: the SDK creates a **new instance** for every session (import,
export and password runs) and for every configuration call, so instance attributes are
per-run state. It must be constructible without arguments.

Every method receives a :class:`~ecma2.context.CallContext` first: cancellation, the session id
and a logger carrying the call's fields.
"""

from __future__ import annotations

import abc
from typing import ClassVar

from ecma2.capabilities import MACapabilities
from ecma2.change import CSEntryChange
from ecma2.config import ConfigParameterDefinition, ConfigParameters, ParameterValidationResult
from ecma2.context import CallContext
from ecma2.enums import (
    ConfigParameterPage,
    ConnectionSecurityLevel,
    Ecma2Interface,
    PasswordOptions,
)
from ecma2.partitions import HierarchyNode, Partition
from ecma2.password import CSEntry
from ecma2.runsteps import (
    CloseExportConnectionRunStep,
    CloseImportConnectionResults,
    CloseImportConnectionRunStep,
    GetImportEntriesResults,
    GetImportEntriesRunStep,
    OpenExportConnectionRunStep,
    OpenImportConnectionResults,
    OpenImportConnectionRunStep,
    PutExportEntriesResults,
    ReadExportFileRunStep,
    WriteImportFileResults,
    WriteImportFileRunStep,
)
from ecma2.schema import Schema
from ecma2.secret import Secret


class Ecma2Connector(abc.ABC):  # noqa: B024 (a marker base: the interfaces hold the methods)
    """Base of every interface; ``interface`` names the one a subclass stands for."""

    interface: ClassVar[Ecma2Interface | None] = None


def implemented_interfaces(connector_class: type) -> list[Ecma2Interface]:
    """The ECMA2 interfaces a connector class implements, in wire order."""
    found = {
        base.__dict__["interface"]
        for base in connector_class.__mro__
        if isinstance(base.__dict__.get("interface"), Ecma2Interface)
    }
    return sorted(found)


class GetCapabilities(Ecma2Connector):
    """``IMAExtensible2GetCapabilities``."""

    interface = Ecma2Interface.GET_CAPABILITIES

    @abc.abstractmethod
    def capabilities(self, ctx: CallContext) -> MACapabilities:
        """The ``Capabilities`` property."""


class GetCapabilitiesEx(Ecma2Connector):
    """``IMAExtensible2GetCapabilitiesEx``: capabilities that depend on configuration."""

    interface = Ecma2Interface.GET_CAPABILITIES_EX

    @abc.abstractmethod
    def get_capabilities_ex(self, ctx: CallContext, config: ConfigParameters) -> MACapabilities:
        """``GetCapabilitiesEx``."""


class GetParameters(Ecma2Connector):
    """``IMAExtensible2GetParameters``: the configuration pages."""

    interface = Ecma2Interface.GET_PARAMETERS

    @abc.abstractmethod
    def get_config_parameters(
        self, ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage
    ) -> list[ConfigParameterDefinition]:
        """``GetConfigParameters``: the elements of one page, in drawing order."""

    @abc.abstractmethod
    def validate_config_parameters(
        self, ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage
    ) -> ParameterValidationResult:
        """``ValidateConfigParameters``."""


class GetParametersEx(Ecma2Connector):
    """``IMAExtensible2GetParametersEx``: multi-page configuration (Schema pages)."""

    interface = Ecma2Interface.GET_PARAMETERS_EX

    @abc.abstractmethod
    def get_config_parameters_ex(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        page: ConfigParameterPage,
        page_number: int,
    ) -> list[ConfigParameterDefinition]:
        """``GetConfigParametersEx``; an empty list means there are no more pages."""

    @abc.abstractmethod
    def validate_config_parameters_ex(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        page: ConfigParameterPage,
        page_number: int,
    ) -> ParameterValidationResult:
        """``ValidateConfigParametersEx``."""


class GetSchema(Ecma2Connector):
    """``IMAExtensible2GetSchema``."""

    interface = Ecma2Interface.GET_SCHEMA

    @abc.abstractmethod
    def get_schema(self, ctx: CallContext, config: ConfigParameters) -> Schema:
        """``GetSchema``."""


class GetPartitions(Ecma2Connector):
    """``IMAExtensible2GetPartitions`` (LDAP DN style)."""

    interface = Ecma2Interface.GET_PARTITIONS

    @abc.abstractmethod
    def get_partitions(self, ctx: CallContext, config: ConfigParameters) -> list[Partition]:
        """``GetPartitions``."""


class GetHierarchy(Ecma2Connector):
    """``IMAExtensible2GetHierarchy`` (LDAP DN style)."""

    interface = Ecma2Interface.GET_HIERARCHY

    @abc.abstractmethod
    def get_hierarchy(
        self, ctx: CallContext, config: ConfigParameters, parent: HierarchyNode
    ) -> list[HierarchyNode]:
        """``GetHierarchy``: the direct children of ``parent``."""


class CallImport(Ecma2Connector):
    """``IMAExtensible2CallImport``: call-based import, one session per run.

    ``import_default_page_size`` and ``import_max_page_size`` are ECMA2's
    ``ImportDefaultPageSize`` and ``ImportMaxPageSize``. A page returned by
    :meth:`get_import_entries` may hold at most the session's page size
    (``OpenImportConnectionRunStep.page_size``).
    """

    interface = Ecma2Interface.CALL_IMPORT
    import_default_page_size: ClassVar[int] = 100
    import_max_page_size: ClassVar[int] = 1000

    @abc.abstractmethod
    def open_import_connection(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: OpenImportConnectionRunStep,
    ) -> OpenImportConnectionResults:
        """``OpenImportConnection``. If it raises, the engine still calls close, with
        ``CloseReason.OPEN_CONNECTION_FAILURE``."""

    @abc.abstractmethod
    def get_import_entries(
        self, ctx: CallContext, run_step: GetImportEntriesRunStep
    ) -> GetImportEntriesResults:
        """``GetImportEntries``: one page."""

    @abc.abstractmethod
    def close_import_connection(
        self, ctx: CallContext, run_step: CloseImportConnectionRunStep
    ) -> CloseImportConnectionResults:
        """``CloseImportConnection``."""


class CallExport(Ecma2Connector):
    """``IMAExtensible2CallExport``: call-based export, one session per run."""

    interface = Ecma2Interface.CALL_EXPORT
    export_default_page_size: ClassVar[int] = 100
    export_max_page_size: ClassVar[int] = 1000

    @abc.abstractmethod
    def open_export_connection(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: OpenExportConnectionRunStep,
    ) -> None:
        """``OpenExportConnection``."""

    @abc.abstractmethod
    def put_export_entries(
        self, ctx: CallContext, entries: list[CSEntryChange]
    ) -> PutExportEntriesResults:
        """``PutExportEntries``: one batch; object-level errors go in the results."""

    @abc.abstractmethod
    def close_export_connection(
        self, ctx: CallContext, run_step: CloseExportConnectionRunStep
    ) -> None:
        """``CloseExportConnection``."""


class FileImport(Ecma2Connector):
    """``IMAExtensible2FileImport`` (kept for ECMA1 ports)."""

    interface = Ecma2Interface.FILE_IMPORT

    @abc.abstractmethod
    def write_import_file(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: WriteImportFileRunStep,
    ) -> WriteImportFileResults:
        """``WriteImportFile``."""


class FileExport(Ecma2Connector):
    """``IMAExtensible2FileExport`` (kept for ECMA1 ports)."""

    interface = Ecma2Interface.FILE_EXPORT

    @abc.abstractmethod
    def read_export_file(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: ReadExportFileRunStep,
    ) -> None:
        """``ReadExportFile``."""


class Password(Ecma2Connector):
    """``IMAExtensible2Password``: password management, one session per connection."""

    interface = Ecma2Interface.PASSWORD

    @abc.abstractmethod
    def open_password_connection(
        self, ctx: CallContext, config: ConfigParameters, partition: Partition | None
    ) -> None:
        """``OpenPasswordConnection``."""

    @abc.abstractmethod
    def close_password_connection(self, ctx: CallContext) -> None:
        """``ClosePasswordConnection``."""

    @abc.abstractmethod
    def get_connection_security_level(self, ctx: CallContext) -> ConnectionSecurityLevel:
        """``GetConnectionSecurityLevel``."""

    @abc.abstractmethod
    def set_password(
        self, ctx: CallContext, csentry: CSEntry, new_password: Secret, options: PasswordOptions
    ) -> None:
        """``SetPassword``."""

    @abc.abstractmethod
    def change_password(
        self, ctx: CallContext, csentry: CSEntry, old_password: Secret, new_password: Secret
    ) -> None:
        """``ChangePassword``."""
