"""``ecma2.v1.ConnectorService`` over a connector class: sessions, paging, frames, faults.

This is the gRPC adapter of runtime.md. Connector code sits behind the ABCs of
:mod:`ecma2.interfaces`; every RPC here converts the request into the model, runs the connector
method under a :class:`~ecma2.context.CallContext` and a per-session lock, and converts the
answer (or the exception, through :mod:`ecma2.errors`) back. Nothing here exits the process:
an exception in one session never disturbs another.
"""

from __future__ import annotations

import enum
import importlib.metadata
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import grpc

from ecma2 import _gcpause, _logging, _wire
from ecma2._pb import (
    capabilities_pb2,
    config_pb2,
    connector_pb2,
    export_pb2,
    file_pb2,
    handshake_pb2,
    hierarchy_pb2,
    import_pb2,
    password_pb2,
    schema_pb2,
)
from ecma2.change import CSEntryChange
from ecma2.config import ConfigParameters
from ecma2.context import CallContext
from ecma2.enums import (
    CloseReason,
    ConfigParameterPage,
    Ecma2Interface,
    PasswordOptions,
    WireValueError,
    wire,
)
from ecma2.errors import (
    CallCancelled,
    Ecma2Exception,
    EntryPointNotImplementedException,
    ExtensibleExtensionException,
    RpcError,
    abort_with_error,
    abort_with_fault,
    describe,
    to_fault,
)
from ecma2.framing import (
    ENTRY_BATCHES,
    FEATURES_KEY,
    FRAGMENT_SIZE,
    FrameError,
    Reassembler,
    fragments,
    lists_feature,
)
from ecma2.interfaces import (
    CallExport,
    CallImport,
    FileExport,
    FileImport,
    GetCapabilities,
    GetCapabilitiesEx,
    GetHierarchy,
    GetParameters,
    GetParametersEx,
    GetPartitions,
    GetSchema,
    implemented_interfaces,
)
from ecma2.partitions import HierarchyNode, Partition
from ecma2.password import CSEntry
from ecma2.runsteps import (
    CloseExportConnectionRunStep,
    CloseImportConnectionRunStep,
    GetImportEntriesResults,
    GetImportEntriesRunStep,
    OpenExportConnectionRunStep,
    OpenImportConnectionRunStep,
    ReadExportFileRunStep,
    WriteImportFileRunStep,
)
from ecma2.schema import Schema
from ecma2.secret import Secret

SERVICE_NAME = "ecma2.v1.ConnectorService"
PROTOCOL_VERSIONS = (1,)
SDK_NAME = "ecma2-sdk-python"

# How long Close and shutdown wait for a session's call in flight to notice cancellation.
CLOSE_WAIT_SECONDS = 5.0
# How long a call waits for the previous call of its session (the engine never overlaps them).
BUSY_WAIT_SECONDS = 30.0

ENCODE_CHUNK = 256
"""Entries of a page encoded (and sent, as one batch when batches are asked for) at a time."""

T = TypeVar("T")
log = logging.getLogger("ecma2.sdk")


def sdk_version() -> str:
    """The installed version of this SDK."""
    try:
        return importlib.metadata.version("ecma2-sdk")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover (source checkout)
        return "0.0.0"


class _Kind(enum.Enum):
    IMPORT = "import"
    EXPORT = "export"
    PASSWORD = "password"


@dataclass(eq=False)
class _Session:
    id: str
    kind: _Kind
    instance: Any
    size: int = 0
    custom_data: str = ""
    open_failed: bool = False
    closing: bool = False
    secrets: list[str] = field(default_factory=list)
    busy: threading.Lock = field(default_factory=threading.Lock)


def _page_size(requested: int, default: int, maximum: int, what: str, limit_name: str) -> int:
    if requested < 0:
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"{what} {requested} is negative")
    if requested == 0:
        return default
    if requested > maximum:
        raise RpcError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{what} {requested} exceeds the connector's {limit_name} of {maximum}",
        )
    return requested


class ConnectorService:
    """Serves one connector class as ``ecma2.v1.ConnectorService``."""

    def __init__(
        self,
        connector_class: type,
        *,
        name: str,
        version: str,
        connector_name: str,
        on_shutdown_requested: Callable[[str], None] | None = None,
        on_stopping: Callable[[], None] | None = None,
    ) -> None:
        self.connector_class = connector_class
        self.interfaces = implemented_interfaces(connector_class)
        if not self.interfaces:
            raise TypeError(
                f"{connector_class.__qualname__} implements no ECMA2 interface; inherit from "
                "ecma2.CallImport, ecma2.GetSchema, ..."
            )
        for interface_class, prefix in ((CallImport, "import"), (CallExport, "export")):
            if issubclass(connector_class, interface_class):
                default = getattr(connector_class, f"{prefix}_default_page_size")
                maximum = getattr(connector_class, f"{prefix}_max_page_size")
                if not 1 <= default <= maximum:
                    raise TypeError(
                        f"{connector_class.__qualname__}: need 1 <= {prefix}_default_page_size "
                        f"({default}) <= {prefix}_max_page_size ({maximum})"
                    )
        self.name = name
        self.version = version
        self.connector_name = connector_name
        self._on_shutdown_requested = on_shutdown_requested
        self._on_stopping = on_stopping
        self._sessions: dict[str, _Session] = {}
        self._calls: set[CallContext] = set()
        self._lock = threading.Lock()
        self._shutdown_lock = threading.Lock()
        self._accepting = True
        self._closed_at_shutdown: int | None = None
        self._connector_log = logging.getLogger(connector_class.__module__)

    # -- plumbing ---------------------------------------------------------------------------

    def _require(self, interface: Ecma2Interface) -> None:
        if interface not in self.interfaces:
            raise EntryPointNotImplementedException(
                f"{interface.ecma2_name} is not implemented by {self.connector_name}"
            )

    def _new_instance(self) -> Any:
        return self.connector_class()

    def _context(
        self,
        call: str,
        context: grpc.ServicerContext,
        session: _Session | None = None,
        secrets: Iterable[str] = (),
    ) -> CallContext:
        remaining = context.time_remaining()
        all_secrets = list(secrets) + (session.secrets if session else [])
        for secret in all_secrets:
            _logging.SECRETS.add(secret)
        ctx = CallContext(
            connector=self.connector_name,
            call=call,
            session_id=session.id if session else "",
            logger=self._connector_log,
            deadline=None if remaining is None else time.monotonic() + remaining,
            secrets=all_secrets,
        )
        # gRPC runs the callback when the RPC ends for any reason; before the handler is done,
        # that can only be a cancellation (or a deadline) by the caller.
        if not context.add_callback(ctx._rpc_ended):
            ctx.cancel()
        with self._lock:
            self._calls.add(ctx)
            if not self._accepting:
                ctx.cancel()
        return ctx

    def _done(self, ctx: CallContext) -> None:
        ctx._finish()
        with self._lock:
            self._calls.discard(ctx)

    def _guard(
        self,
        context: grpc.ServicerContext,
        ctx: CallContext,
        body: Callable[[], T],
        *,
        session_id: str = "",
    ) -> T:
        """Runs ``body``; any failure ends the call with the right status (runtime.md)."""
        try:
            return body()
        except RpcError as error:
            log.info(
                "call refused", extra={"call": ctx.call, "code": error.code.name, "reason": error}
            )
            abort_with_error(context, error)
        except CallCancelled:
            log.info("call cancelled", extra={"call": ctx.call, "session_id": ctx.session_id})
            abort_with_error(context, RpcError(grpc.StatusCode.CANCELLED, f"{ctx.call} cancelled"))
        except (WireValueError, FrameError) as error:
            log.warning("bad request", extra={"call": ctx.call, "reason": str(error)})
            abort_with_error(context, RpcError(grpc.StatusCode.INVALID_ARGUMENT, str(error)))
        except Ecma2Exception as error:
            fault = to_fault(
                error,
                connector=self.connector_name,
                call=ctx.call,
                session_id=session_id,
                secrets=ctx.secrets,
            )
            log.warning(
                "call failed",
                extra={"call": ctx.call, "session_id": ctx.session_id, "fault": describe(fault)},
            )
            abort_with_fault(context, fault)
        except Exception as error:
            fault = to_fault(
                error,
                connector=self.connector_name,
                call=ctx.call,
                session_id=session_id,
                secrets=ctx.secrets,
            )
            log.error(
                "unexpected exception in connector code",
                extra={"call": ctx.call, "session_id": ctx.session_id, "fault": describe(fault)},
                exc_info=not ctx.cancelled,
            )
            abort_with_fault(context, fault)

    def _run(
        self,
        call: str,
        context: grpc.ServicerContext,
        body: Callable[[CallContext], T],
        *,
        secrets: Iterable[str] = (),
    ) -> T:
        """A call outside any session (handshake, configuration, schema)."""
        ctx = self._context(call, context, secrets=secrets)
        try:
            return self._guard(context, ctx, lambda: body(ctx))
        finally:
            self._done(ctx)

    def _find(self, session_id: str, kind: _Kind) -> _Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None or session.kind is not kind or session.closing:
            raise RpcError(grpc.StatusCode.NOT_FOUND, f"session {session_id} not found")
        if session.open_failed:
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"session {session_id} failed to open; close it with OpenConnectionFailure",
            )
        return session

    def _in_session(
        self,
        call: str,
        context: grpc.ServicerContext,
        session_id: str,
        kind: _Kind,
        body: Callable[[CallContext, _Session], T],
        *,
        secrets: Iterable[str] = (),
    ) -> T:
        """A call of a live session, serialized with the session's other calls."""
        ctx = self._context(call, context, secrets=secrets)
        try:
            return self._guard(context, ctx, lambda: self._locked(ctx, session_id, kind, body))
        finally:
            self._done(ctx)

    def _locked(
        self,
        ctx: CallContext,
        session_id: str,
        kind: _Kind,
        body: Callable[[CallContext, _Session], T],
    ) -> T:
        """Runs ``body`` holding the session (one call of a session at a time)."""
        session = self._find(session_id, kind)
        ctx._bind_session(session.id)
        for secret in session.secrets:
            ctx.add_secret(secret)
        if not session.busy.acquire(timeout=BUSY_WAIT_SECONDS):
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"session {session_id} is busy with another call",
            )
        try:
            return body(ctx, session)
        finally:
            session.busy.release()

    def _open(
        self,
        call: str,
        context: grpc.ServicerContext,
        kind: _Kind,
        secrets: list[str],
        size: int,
        custom_data: str,
        opener: Callable[[CallContext, Any], T],
    ) -> tuple[_Session, T]:
        """Creates a session with a fresh instance and calls its open method.

        When open fails, the session stays registered and the fault names it, so the caller
        can (and must) close it with OpenConnectionFailure, as in ECMA2.
        """
        ctx = self._context(call, context, secrets=secrets)
        try:
            if not self._accepting:
                abort_with_error(
                    context, RpcError(grpc.StatusCode.UNAVAILABLE, "connector is shutting down")
                )
            instance = self._guard(context, ctx, self._new_instance)
            session = _Session(
                id=str(uuid.uuid4()),
                kind=kind,
                instance=instance,
                size=size,
                custom_data=custom_data,
                secrets=secrets,
            )
            ctx._bind_session(session.id)
            with self._lock:
                self._sessions[session.id] = session

            def opening() -> T:
                with session.busy:
                    try:
                        return opener(ctx, instance)
                    except BaseException:
                        session.open_failed = True
                        log.info(
                            "session failed to open",
                            extra={"session_id": session.id, "kind": kind.value},
                        )
                        raise

            result = self._guard(context, ctx, opening, session_id=session.id)
            log.info(
                "session opened",
                extra={"session_id": session.id, "kind": kind.value, "size": size},
            )
            return session, result
        finally:
            self._done(ctx)

    def _close(
        self,
        call: str,
        context: grpc.ServicerContext,
        session_id: str,
        kind: _Kind,
        closer: Callable[[CallContext, _Session], T],
        reason: CloseReason | None,
    ) -> T | None:
        """Closes a session; unknown or already closed sessions close silently."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.kind is not kind or session.closing:
                return None
            session.closing = True
        ctx = self._context(call, context, session, secrets=session.secrets)
        try:
            return self._guard(context, ctx, lambda: self._close_session(ctx, session, closer))
        finally:
            log.info(
                "session closed",
                extra={
                    "session_id": session.id,
                    "kind": kind.value,
                    "reason": reason.name if reason is not None else "",
                },
            )
            self._done(ctx)

    def _close_session(
        self, ctx: CallContext, session: _Session, closer: Callable[[CallContext, _Session], T]
    ) -> T:
        acquired = session.busy.acquire(timeout=CLOSE_WAIT_SECONDS)
        if not acquired:
            log.warning(
                "closing a session whose call is still running",
                extra={"session_id": session.id},
            )
        try:
            return closer(ctx, session)
        finally:
            with self._lock:
                self._sessions.pop(session.id, None)
            if acquired:
                session.busy.release()

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def open_sessions(self) -> int:
        """How many sessions are registered."""
        with self._lock:
            return len(self._sessions)

    @property
    def calls_in_flight(self) -> int:
        """How many calls are running connector code."""
        with self._lock:
            return len(self._calls)

    def shutdown(self, reason: str) -> int:
        """Stops new sessions, cancels calls in flight and closes every session with
        TerminatedShuttingDown. Returns how many sessions it closed; idempotent."""
        with self._shutdown_lock:
            if self._closed_at_shutdown is not None:
                return self._closed_at_shutdown
            if self._on_stopping is not None:
                self._on_stopping()  # health turns NOT_SERVING before anything closes
            with self._lock:
                self._accepting = False
                calls = list(self._calls)
                sessions = [s for s in self._sessions.values() if not s.closing]
                for session in sessions:
                    session.closing = True
            log.info(
                "shutting down",
                extra={"reason": reason, "sessions": len(sessions), "calls": len(calls)},
            )
            for ctx in calls:
                ctx.cancel()
            deadline = time.monotonic() + CLOSE_WAIT_SECONDS
            for session in sessions:
                self._close_at_shutdown(session, deadline)
            self._closed_at_shutdown = len(sessions)
            return len(sessions)

    def _close_at_shutdown(self, session: _Session, deadline: float) -> None:
        ctx = CallContext(
            connector=self.connector_name,
            call="Shutdown",
            session_id=session.id,
            logger=self._connector_log,
            secrets=session.secrets,
        )
        acquired = session.busy.acquire(timeout=max(0.0, deadline - time.monotonic()))
        try:
            instance = session.instance
            reason = CloseReason.TERMINATED_SHUTTING_DOWN
            if session.kind is _Kind.IMPORT:
                instance.close_import_connection(
                    ctx, CloseImportConnectionRunStep(reason, session.custom_data)
                )
            elif session.kind is _Kind.EXPORT:
                instance.close_export_connection(ctx, CloseExportConnectionRunStep(reason))
            else:
                instance.close_password_connection(ctx)
            log.info(
                "session closed",
                extra={"session_id": session.id, "kind": session.kind.value, "reason": reason.name},
            )
        except Exception:
            log.exception("closing a session at shutdown failed", extra={"session_id": session.id})
        finally:
            with self._lock:
                self._sessions.pop(session.id, None)
            if acquired:
                session.busy.release()

    # -- handshake and configuration --------------------------------------------------------

    def Handshake(  # noqa: N802 (gRPC method names)
        self, request: handshake_pb2.HandshakeRequest, context: grpc.ServicerContext
    ) -> handshake_pb2.HandshakeResponse:
        def body(ctx: CallContext) -> handshake_pb2.HandshakeResponse:
            common = set(request.protocol_versions) & set(PROTOCOL_VERSIONS)
            if not common:
                raise RpcError(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"no common protocol version: caller speaks "
                    f"{sorted(request.protocol_versions)}, connector speaks "
                    f"{list(PROTOCOL_VERSIONS)}",
                )
            response = handshake_pb2.HandshakeResponse(
                protocol_version=max(common),
                connector=handshake_pb2.ConnectorInfo(
                    name=self.name,
                    version=self.version,
                    sdk_name=SDK_NAME,
                    sdk_version=sdk_version(),
                    language="python",
                ),
                interfaces=[wire(i) for i in self.interfaces],
                features=[f for f in request.features if f == ENTRY_BATCHES],
            )
            cls = self.connector_class
            if issubclass(cls, CallImport):
                response.import_page_sizes.default_page_size = cls.import_default_page_size
                response.import_page_sizes.max_page_size = cls.import_max_page_size
            if issubclass(cls, CallExport):
                response.export_page_sizes.default_page_size = cls.export_default_page_size
                response.export_page_sizes.max_page_size = cls.export_max_page_size
            log.info(
                "handshake",
                extra={"caller": request.caller_name, "caller_version": request.caller_version},
            )
            return response

        return self._run("Handshake", context, body)

    def GetCapabilities(  # noqa: N802
        self, request: capabilities_pb2.GetCapabilitiesRequest, context: grpc.ServicerContext
    ) -> capabilities_pb2.GetCapabilitiesResponse:
        def body(ctx: CallContext) -> capabilities_pb2.GetCapabilitiesResponse:
            self._require(Ecma2Interface.GET_CAPABILITIES)
            instance: GetCapabilities = self._new_instance()
            return capabilities_pb2.GetCapabilitiesResponse(
                capabilities=instance.capabilities(ctx).to_pb()
            )

        return self._run("GetCapabilities", context, body)

    def GetCapabilitiesEx(  # noqa: N802
        self, request: capabilities_pb2.GetCapabilitiesExRequest, context: grpc.ServicerContext
    ) -> capabilities_pb2.GetCapabilitiesExResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> capabilities_pb2.GetCapabilitiesExResponse:
            self._require(Ecma2Interface.GET_CAPABILITIES_EX)
            instance: GetCapabilitiesEx = self._new_instance()
            return capabilities_pb2.GetCapabilitiesExResponse(
                capabilities=instance.get_capabilities_ex(ctx, config).to_pb()
            )

        return self._run("GetCapabilitiesEx", context, body, secrets=config.secrets())

    def GetConfigParameters(  # noqa: N802
        self, request: config_pb2.GetConfigParametersRequest, context: grpc.ServicerContext
    ) -> config_pb2.GetConfigParametersResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> config_pb2.GetConfigParametersResponse:
            self._require(Ecma2Interface.GET_PARAMETERS)
            instance: GetParameters = self._new_instance()
            page = ConfigParameterPage.from_wire(request.page)
            definitions = instance.get_config_parameters(ctx, config, page)
            return config_pb2.GetConfigParametersResponse(
                definitions=[d.to_pb() for d in definitions]
            )

        return self._run("GetConfigParameters", context, body, secrets=config.secrets())

    def ValidateConfigParameters(  # noqa: N802
        self, request: config_pb2.ValidateConfigParametersRequest, context: grpc.ServicerContext
    ) -> config_pb2.ValidateConfigParametersResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> config_pb2.ValidateConfigParametersResponse:
            self._require(Ecma2Interface.GET_PARAMETERS)
            instance: GetParameters = self._new_instance()
            page = ConfigParameterPage.from_wire(request.page)
            result = instance.validate_config_parameters(ctx, config, page)
            return config_pb2.ValidateConfigParametersResponse(result=result.to_pb())

        return self._run("ValidateConfigParameters", context, body, secrets=config.secrets())

    def GetConfigParametersEx(  # noqa: N802
        self, request: config_pb2.GetConfigParametersExRequest, context: grpc.ServicerContext
    ) -> config_pb2.GetConfigParametersExResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> config_pb2.GetConfigParametersExResponse:
            self._require(Ecma2Interface.GET_PARAMETERS_EX)
            instance: GetParametersEx = self._new_instance()
            page = ConfigParameterPage.from_wire(request.page)
            definitions = instance.get_config_parameters_ex(ctx, config, page, request.page_number)
            return config_pb2.GetConfigParametersExResponse(
                definitions=[d.to_pb() for d in definitions]
            )

        return self._run("GetConfigParametersEx", context, body, secrets=config.secrets())

    def ValidateConfigParametersEx(  # noqa: N802
        self,
        request: config_pb2.ValidateConfigParametersExRequest,
        context: grpc.ServicerContext,
    ) -> config_pb2.ValidateConfigParametersExResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> config_pb2.ValidateConfigParametersExResponse:
            self._require(Ecma2Interface.GET_PARAMETERS_EX)
            instance: GetParametersEx = self._new_instance()
            page = ConfigParameterPage.from_wire(request.page)
            result = instance.validate_config_parameters_ex(ctx, config, page, request.page_number)
            return config_pb2.ValidateConfigParametersExResponse(result=result.to_pb())

        return self._run("ValidateConfigParametersEx", context, body, secrets=config.secrets())

    def GetSchema(  # noqa: N802
        self, request: schema_pb2.GetSchemaRequest, context: grpc.ServicerContext
    ) -> schema_pb2.GetSchemaResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> schema_pb2.GetSchemaResponse:
            self._require(Ecma2Interface.GET_SCHEMA)
            instance: GetSchema = self._new_instance()
            return schema_pb2.GetSchemaResponse(schema=instance.get_schema(ctx, config).to_pb())

        return self._run("GetSchema", context, body, secrets=config.secrets())

    def GetPartitions(  # noqa: N802
        self, request: hierarchy_pb2.GetPartitionsRequest, context: grpc.ServicerContext
    ) -> hierarchy_pb2.GetPartitionsResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> hierarchy_pb2.GetPartitionsResponse:
            self._require(Ecma2Interface.GET_PARTITIONS)
            instance: GetPartitions = self._new_instance()
            partitions = instance.get_partitions(ctx, config)
            return hierarchy_pb2.GetPartitionsResponse(partitions=[p.to_pb() for p in partitions])

        return self._run("GetPartitions", context, body, secrets=config.secrets())

    def GetHierarchy(  # noqa: N802
        self, request: hierarchy_pb2.GetHierarchyRequest, context: grpc.ServicerContext
    ) -> hierarchy_pb2.GetHierarchyResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> hierarchy_pb2.GetHierarchyResponse:
            self._require(Ecma2Interface.GET_HIERARCHY)
            instance: GetHierarchy = self._new_instance()
            nodes = instance.get_hierarchy(ctx, config, HierarchyNode.from_pb(request.parent))
            return hierarchy_pb2.GetHierarchyResponse(nodes=[n.to_pb() for n in nodes])

        return self._run("GetHierarchy", context, body, secrets=config.secrets())

    # -- call-based import ------------------------------------------------------------------

    def OpenImportConnection(  # noqa: N802
        self, request: import_pb2.OpenImportConnectionRequest, context: grpc.ServicerContext
    ) -> import_pb2.OpenImportConnectionResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def prepare(ctx: CallContext) -> tuple[int, Schema, OpenImportConnectionRunStep]:
            self._require(Ecma2Interface.CALL_IMPORT)
            cls: type[CallImport] = self.connector_class
            step = OpenImportConnectionRunStep.from_pb(request.import_run_step)
            size = _page_size(
                step.page_size,
                cls.import_default_page_size,
                cls.import_max_page_size,
                "page size",
                "ImportMaxPageSize",
            )
            return size, Schema.from_pb(request.types), replace(step, page_size=size)

        size, schema, step = self._run(
            "OpenImportConnection", context, prepare, secrets=config.secrets()
        )
        session, results = self._open(
            "OpenImportConnection",
            context,
            _Kind.IMPORT,
            config.secrets(),
            size,
            step.custom_data,
            lambda ctx, instance: instance.open_import_connection(ctx, config, schema, step),
        )
        if results.custom_data:
            session.custom_data = results.custom_data
        return import_pb2.OpenImportConnectionResponse(
            session_id=session.id, results=results.to_pb(), page_size=size
        )

    def GetImportEntries(  # noqa: N802
        self, request: import_pb2.GetImportEntriesRequest, context: grpc.ServicerContext
    ) -> Iterator[import_pb2.GetImportEntriesResponse | bytes]:
        batched = any(
            key == FEATURES_KEY and isinstance(value, str) and lists_feature(value, ENTRY_BATCHES)
            for key, value in context.invocation_metadata() or ()
        )

        def body(ctx: CallContext, session: _Session) -> GetImportEntriesResults:
            step = GetImportEntriesRunStep.from_pb(request.import_run_step)
            results = session.instance.get_import_entries(ctx, step)
            if not isinstance(results, GetImportEntriesResults):
                raise TypeError(
                    f"get_import_entries returned {type(results).__name__}, "
                    "not GetImportEntriesResults"
                )
            count = len(results.entries)
            if count > session.size:
                raise ExtensibleExtensionException(
                    f"connector returned {count} entries for a page of at most {session.size}"
                )
            session.custom_data = results.custom_data
            return results

        # The collector is off while the page is built, encoded and sent: see ecma2._gcpause.
        with _gcpause.PAGE:
            ctx = self._context("GetImportEntries", context)
            try:
                results = self._guard(
                    context,
                    ctx,
                    lambda: self._locked(ctx, request.session_id, _Kind.IMPORT, body),
                )
            finally:
                self._done(ctx)
            # Entries are encoded and sent a chunk at a time, so the host and engine read one
            # chunk while the next is encoded. A value the encoding refuses fails the call as
            # connector code failing would; the caller then discards what the page sent.
            entries = list(results.entries)
            encoded: list[bytes] = []
            fragmented = 0
            for start in range(0, len(entries), ENCODE_CHUNK):
                encoded = self._guard(
                    context, ctx, partial(_encode, entries[start : start + ENCODE_CHUNK])
                )
                # Frames go out as ready bytes (the handler's serializer passes bytes through).
                if batched:
                    for item in _wire.batch_frames(encoded, FRAGMENT_SIZE):
                        if isinstance(item, int):
                            parts = fragments(encoded[item])
                            fragmented += len(parts)
                            for part in parts:
                                yield import_pb2.GetImportEntriesResponse(entry_fragment=part)
                        else:
                            yield item
                    continue
                for data in encoded:
                    if len(data) <= FRAGMENT_SIZE:
                        yield _wire.entry_frame(data)
                        continue
                    parts = fragments(data)
                    fragmented += len(parts)
                    for part in parts:
                        yield import_pb2.GetImportEntriesResponse(entry_fragment=part)
            closing = import_pb2.GetImportEntriesResponse(results=results.results_pb())
            count, more = len(entries), results.more_to_import
            # Drop the page before the collector resumes, so that it never walks it.
            del entries, encoded, results
        yield closing
        log.debug(
            "page sent",
            extra={
                "session_id": request.session_id,
                "entries": count,
                "fragments": fragmented,
                "batched": batched,
                "more_to_import": more,
            },
        )

    def CloseImportConnection(  # noqa: N802
        self, request: import_pb2.CloseImportConnectionRequest, context: grpc.ServicerContext
    ) -> import_pb2.CloseImportConnectionResponse:
        step = CloseImportConnectionRunStep.from_pb(request.import_run_step)

        def closer(ctx: CallContext, session: _Session) -> import_pb2.CloseImportConnectionResponse:
            results = session.instance.close_import_connection(ctx, step)
            return import_pb2.CloseImportConnectionResponse(results=results.to_pb())

        response = self._close(
            "CloseImportConnection",
            context,
            request.session_id,
            _Kind.IMPORT,
            closer,
            step.reason,
        )
        return response or import_pb2.CloseImportConnectionResponse()

    # -- call-based export ------------------------------------------------------------------

    def OpenExportConnection(  # noqa: N802
        self, request: export_pb2.OpenExportConnectionRequest, context: grpc.ServicerContext
    ) -> export_pb2.OpenExportConnectionResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def prepare(ctx: CallContext) -> tuple[int, Schema, OpenExportConnectionRunStep]:
            self._require(Ecma2Interface.CALL_EXPORT)
            cls: type[CallExport] = self.connector_class
            step = OpenExportConnectionRunStep.from_pb(request.export_run_step)
            size = _page_size(
                step.batch_size,
                cls.export_default_page_size,
                cls.export_max_page_size,
                "batch size",
                "ExportMaxPageSize",
            )
            return size, Schema.from_pb(request.types), replace(step, batch_size=size)

        size, schema, step = self._run(
            "OpenExportConnection", context, prepare, secrets=config.secrets()
        )
        session, _ = self._open(
            "OpenExportConnection",
            context,
            _Kind.EXPORT,
            config.secrets(),
            size,
            "",
            lambda ctx, instance: instance.open_export_connection(ctx, config, schema, step),
        )
        return export_pb2.OpenExportConnectionResponse(session_id=session.id, batch_size=size)

    def PutExportEntries(  # noqa: N802
        self,
        request_iterator: Iterator[export_pb2.PutExportEntriesRequest],
        context: grpc.ServicerContext,
    ) -> export_pb2.PutExportEntriesResponse:
        first = next(request_iterator, None)
        if first is None:
            abort_with_error(
                context, RpcError(grpc.StatusCode.INVALID_ARGUMENT, "empty PutExportEntries stream")
            )

        def body(ctx: CallContext, session: _Session) -> export_pb2.PutExportEntriesResponse:
            entries: list[CSEntryChange] = []
            reassembler = Reassembler()
            frames = [first] if first is not None else []
            for request in _chain(frames, request_iterator):
                which = request.WhichOneof("frame")
                if which == "entry":
                    reassembler.ensure_idle()
                    entries.append(CSEntryChange.from_pb(request.entry))
                elif which == "entry_fragment":
                    whole = reassembler.push(request.entry_fragment)
                    if whole is not None:
                        entries.append(CSEntryChange.from_pb(whole))
                if len(entries) > session.size:
                    raise RpcError(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"batch holds more than the batch size of {session.size} entries",
                    )
            reassembler.ensure_idle()
            results = session.instance.put_export_entries(ctx, entries)
            log.debug(
                "batch exported",
                extra={"session_id": session.id, "entries": len(entries)},
            )
            return results.to_pb()  # type: ignore[no-any-return]

        return self._in_session(
            "PutExportEntries",
            context,
            first.session_id if first is not None else "",
            _Kind.EXPORT,
            body,
        )

    def CloseExportConnection(  # noqa: N802
        self, request: export_pb2.CloseExportConnectionRequest, context: grpc.ServicerContext
    ) -> export_pb2.CloseExportConnectionResponse:
        step = CloseExportConnectionRunStep.from_pb(request.export_run_step)

        def closer(ctx: CallContext, session: _Session) -> None:
            session.instance.close_export_connection(ctx, step)

        self._close(
            "CloseExportConnection", context, request.session_id, _Kind.EXPORT, closer, step.reason
        )
        return export_pb2.CloseExportConnectionResponse()

    # -- file-based -------------------------------------------------------------------------

    def WriteImportFile(  # noqa: N802
        self, request: file_pb2.WriteImportFileRequest, context: grpc.ServicerContext
    ) -> file_pb2.WriteImportFileResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> file_pb2.WriteImportFileResponse:
            self._require(Ecma2Interface.FILE_IMPORT)
            instance: FileImport = self._new_instance()
            results = instance.write_import_file(
                ctx,
                config,
                Schema.from_pb(request.types),
                WriteImportFileRunStep.from_pb(request.import_run_step),
            )
            return file_pb2.WriteImportFileResponse(results=results.to_pb())

        return self._run("WriteImportFile", context, body, secrets=config.secrets())

    def ReadExportFile(  # noqa: N802
        self, request: file_pb2.ReadExportFileRequest, context: grpc.ServicerContext
    ) -> file_pb2.ReadExportFileResponse:
        config = ConfigParameters.from_pb(request.config_parameters)

        def body(ctx: CallContext) -> file_pb2.ReadExportFileResponse:
            self._require(Ecma2Interface.FILE_EXPORT)
            instance: FileExport = self._new_instance()
            instance.read_export_file(
                ctx,
                config,
                Schema.from_pb(request.types),
                ReadExportFileRunStep.from_pb(request.export_run_step),
            )
            return file_pb2.ReadExportFileResponse()

        return self._run("ReadExportFile", context, body, secrets=config.secrets())

    # -- passwords --------------------------------------------------------------------------

    def OpenPasswordConnection(  # noqa: N802
        self, request: password_pb2.OpenPasswordConnectionRequest, context: grpc.ServicerContext
    ) -> password_pb2.OpenPasswordConnectionResponse:
        config = ConfigParameters.from_pb(request.config_parameters)
        partition = Partition.from_pb(request.partition) if request.HasField("partition") else None
        self._run(
            "OpenPasswordConnection",
            context,
            lambda ctx: self._require(Ecma2Interface.PASSWORD),
        )
        session, _ = self._open(
            "OpenPasswordConnection",
            context,
            _Kind.PASSWORD,
            config.secrets(),
            0,
            "",
            lambda ctx, instance: instance.open_password_connection(ctx, config, partition),
        )
        return password_pb2.OpenPasswordConnectionResponse(session_id=session.id)

    def GetConnectionSecurityLevel(  # noqa: N802
        self,
        request: password_pb2.GetConnectionSecurityLevelRequest,
        context: grpc.ServicerContext,
    ) -> password_pb2.GetConnectionSecurityLevelResponse:
        def body(
            ctx: CallContext, session: _Session
        ) -> password_pb2.GetConnectionSecurityLevelResponse:
            level = session.instance.get_connection_security_level(ctx)
            return password_pb2.GetConnectionSecurityLevelResponse(level=wire(level))

        return self._in_session(
            "GetConnectionSecurityLevel", context, request.session_id, _Kind.PASSWORD, body
        )

    def SetPassword(  # noqa: N802
        self, request: password_pb2.SetPasswordRequest, context: grpc.ServicerContext
    ) -> password_pb2.SetPasswordResponse:
        new_password = Secret(request.new_password.value)

        def body(ctx: CallContext, session: _Session) -> password_pb2.SetPasswordResponse:
            session.instance.set_password(
                ctx,
                CSEntry.from_pb(request.csentry),
                new_password,
                PasswordOptions.from_wire(request.options),
            )
            return password_pb2.SetPasswordResponse()

        return self._in_session(
            "SetPassword",
            context,
            request.session_id,
            _Kind.PASSWORD,
            body,
            secrets=[new_password.expose()],
        )

    def ChangePassword(  # noqa: N802
        self, request: password_pb2.ChangePasswordRequest, context: grpc.ServicerContext
    ) -> password_pb2.ChangePasswordResponse:
        old_password = Secret(request.old_password.value)
        new_password = Secret(request.new_password.value)

        def body(ctx: CallContext, session: _Session) -> password_pb2.ChangePasswordResponse:
            session.instance.change_password(
                ctx, CSEntry.from_pb(request.csentry), old_password, new_password
            )
            return password_pb2.ChangePasswordResponse()

        return self._in_session(
            "ChangePassword",
            context,
            request.session_id,
            _Kind.PASSWORD,
            body,
            secrets=[old_password.expose(), new_password.expose()],
        )

    def ClosePasswordConnection(  # noqa: N802
        self, request: password_pb2.ClosePasswordConnectionRequest, context: grpc.ServicerContext
    ) -> password_pb2.ClosePasswordConnectionResponse:
        def closer(ctx: CallContext, session: _Session) -> None:
            session.instance.close_password_connection(ctx)

        self._close(
            "ClosePasswordConnection", context, request.session_id, _Kind.PASSWORD, closer, None
        )
        return password_pb2.ClosePasswordConnectionResponse()

    # -- process ----------------------------------------------------------------------------

    def Shutdown(  # noqa: N802
        self, request: connector_pb2.ShutdownRequest, context: grpc.ServicerContext
    ) -> connector_pb2.ShutdownResponse:
        reason = request.reason or "shutdown requested"
        closed = self.shutdown(f"Shutdown RPC: {reason}")
        if self._on_shutdown_requested is not None:
            self._on_shutdown_requested(reason)
        return connector_pb2.ShutdownResponse(closed_sessions=closed)

    # -- registration -----------------------------------------------------------------------

    def handler(self) -> grpc.GenericRpcHandler:
        """The generic handler that routes ``ecma2.v1.ConnectorService`` to this object."""

        def unary(fn: Any, request: Any, response: Any) -> grpc.RpcMethodHandler[Any, Any]:
            return grpc.unary_unary_rpc_method_handler(
                fn,
                request_deserializer=request.FromString,
                response_serializer=response.SerializeToString,
            )

        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
            "Handshake": unary(
                self.Handshake, handshake_pb2.HandshakeRequest, handshake_pb2.HandshakeResponse
            ),
            "GetCapabilities": unary(
                self.GetCapabilities,
                capabilities_pb2.GetCapabilitiesRequest,
                capabilities_pb2.GetCapabilitiesResponse,
            ),
            "GetCapabilitiesEx": unary(
                self.GetCapabilitiesEx,
                capabilities_pb2.GetCapabilitiesExRequest,
                capabilities_pb2.GetCapabilitiesExResponse,
            ),
            "GetConfigParameters": unary(
                self.GetConfigParameters,
                config_pb2.GetConfigParametersRequest,
                config_pb2.GetConfigParametersResponse,
            ),
            "ValidateConfigParameters": unary(
                self.ValidateConfigParameters,
                config_pb2.ValidateConfigParametersRequest,
                config_pb2.ValidateConfigParametersResponse,
            ),
            "GetConfigParametersEx": unary(
                self.GetConfigParametersEx,
                config_pb2.GetConfigParametersExRequest,
                config_pb2.GetConfigParametersExResponse,
            ),
            "ValidateConfigParametersEx": unary(
                self.ValidateConfigParametersEx,
                config_pb2.ValidateConfigParametersExRequest,
                config_pb2.ValidateConfigParametersExResponse,
            ),
            "GetSchema": unary(
                self.GetSchema, schema_pb2.GetSchemaRequest, schema_pb2.GetSchemaResponse
            ),
            "GetPartitions": unary(
                self.GetPartitions,
                hierarchy_pb2.GetPartitionsRequest,
                hierarchy_pb2.GetPartitionsResponse,
            ),
            "GetHierarchy": unary(
                self.GetHierarchy,
                hierarchy_pb2.GetHierarchyRequest,
                hierarchy_pb2.GetHierarchyResponse,
            ),
            "OpenImportConnection": unary(
                self.OpenImportConnection,
                import_pb2.OpenImportConnectionRequest,
                import_pb2.OpenImportConnectionResponse,
            ),
            "GetImportEntries": grpc.unary_stream_rpc_method_handler(
                self.GetImportEntries,
                request_deserializer=import_pb2.GetImportEntriesRequest.FromString,
                response_serializer=_serialize_frame,
            ),
            "CloseImportConnection": unary(
                self.CloseImportConnection,
                import_pb2.CloseImportConnectionRequest,
                import_pb2.CloseImportConnectionResponse,
            ),
            "OpenExportConnection": unary(
                self.OpenExportConnection,
                export_pb2.OpenExportConnectionRequest,
                export_pb2.OpenExportConnectionResponse,
            ),
            "PutExportEntries": grpc.stream_unary_rpc_method_handler(
                self.PutExportEntries,
                request_deserializer=export_pb2.PutExportEntriesRequest.FromString,
                response_serializer=export_pb2.PutExportEntriesResponse.SerializeToString,
            ),
            "CloseExportConnection": unary(
                self.CloseExportConnection,
                export_pb2.CloseExportConnectionRequest,
                export_pb2.CloseExportConnectionResponse,
            ),
            "WriteImportFile": unary(
                self.WriteImportFile,
                file_pb2.WriteImportFileRequest,
                file_pb2.WriteImportFileResponse,
            ),
            "ReadExportFile": unary(
                self.ReadExportFile, file_pb2.ReadExportFileRequest, file_pb2.ReadExportFileResponse
            ),
            "OpenPasswordConnection": unary(
                self.OpenPasswordConnection,
                password_pb2.OpenPasswordConnectionRequest,
                password_pb2.OpenPasswordConnectionResponse,
            ),
            "GetConnectionSecurityLevel": unary(
                self.GetConnectionSecurityLevel,
                password_pb2.GetConnectionSecurityLevelRequest,
                password_pb2.GetConnectionSecurityLevelResponse,
            ),
            "SetPassword": unary(
                self.SetPassword, password_pb2.SetPasswordRequest, password_pb2.SetPasswordResponse
            ),
            "ChangePassword": unary(
                self.ChangePassword,
                password_pb2.ChangePasswordRequest,
                password_pb2.ChangePasswordResponse,
            ),
            "ClosePasswordConnection": unary(
                self.ClosePasswordConnection,
                password_pb2.ClosePasswordConnectionRequest,
                password_pb2.ClosePasswordConnectionResponse,
            ),
            "Shutdown": unary(
                self.Shutdown, connector_pb2.ShutdownRequest, connector_pb2.ShutdownResponse
            ),
        }
        return grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)


def _chain(
    head: list[export_pb2.PutExportEntriesRequest],
    tail: Iterator[export_pb2.PutExportEntriesRequest],
) -> Iterator[export_pb2.PutExportEntriesRequest]:
    yield from head
    yield from tail


def _encode(entries: Sequence[CSEntryChange]) -> list[bytes]:
    return [_wire.entry(entry) for entry in entries]


def _serialize_frame(frame: import_pb2.GetImportEntriesResponse | bytes) -> bytes:
    """An import frame on the wire: entries arrive already encoded (:mod:`ecma2._wire`)."""
    return frame if isinstance(frame, bytes) else frame.SerializeToString()
