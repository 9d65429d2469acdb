"""Test a connector the way the host runs it: as a real process, over gRPC.

:class:`ConnectorProcess` launches a connector program with the runtime.md environment (a Unix
socket in a fresh temp dir, a random launch secret, this process as the host), waits for the
ready line with a deadline, and hands out a generated client stub. The helpers below drive
import and export runs, including entry fragments, so a connector's tests read like a run::

    with ConnectorProcess([sys.executable, "-m", "my_connector"]) as proc:
        run = full_import(proc, {"Database": "..."})
        assert all(e.object_modification_type is ObjectModificationType.ADD for e in run.entries)

No fixed sleeps: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ecma2._pb import (
    change_pb2,
    config_pb2,
    connector_pb2_grpc,
    export_pb2,
    fault_pb2,
    import_pb2,
)
from ecma2.change import CSEntryChange, CSEntryChangeResult
from ecma2.config import ConfigParameters
from ecma2.enums import CloseReason, OperationType, wire
from ecma2.errors import fault_from_rpc_error
from ecma2.framing import ENTRY_BATCHES, FEATURES_KEY, MAX_MESSAGE_BYTES, Reassembler, frame
from ecma2.secret import Secret

DEFAULT_TIMEOUT = 30.0

ConfigLike = Mapping[str, str | Secret] | ConfigParameters


def wait_until(
    predicate: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.02, what: str = ""
) -> Any:
    """Polls ``predicate`` until it returns something truthy; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def config_pb(config: ConfigLike | None) -> list[config_pb2.ConfigParameter]:
    """Configuration parameters for a request, from a mapping or a collection."""
    if config is None:
        return []
    params = config if isinstance(config, ConfigParameters) else ConfigParameters.of(config)
    return params.to_pb()


def fault_of(error: grpc.RpcError) -> fault_pb2.Fault:
    """The Fault a failed call carries; fails the test when it carries none."""
    fault = fault_from_rpc_error(error)
    if fault is None:
        raise AssertionError(f"call failed without a Fault: {error}")
    return fault


class ConnectorProcess:
    """A connector program launched as the host launches it."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        name: str = "test-connector",
        listen: str = "unix",
        launch_secret: str | None = "",
        env: Mapping[str, str] | None = None,
        host_pid: int | None = None,
        ready_timeout: float = DEFAULT_TIMEOUT,
        cwd: str | os.PathLike[str] | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        server_name: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.name = name
        self.workdir = Path(tempfile.mkdtemp(prefix="ecma2-"))
        self.socket_path = self.workdir / "c.sock"
        self.listen = f"unix:{self.socket_path}" if listen == "unix" else listen
        self.launch_secret = os.urandom(16).hex() if launch_secret == "" else launch_secret
        self.extra_env = dict(env or {})
        self.host_pid = os.getpid() if host_pid is None else host_pid
        self.ready_timeout = ready_timeout
        self.cwd = cwd
        # Remote mode: connect with TLS (a client certificate in ``credentials``), expecting
        # ``server_name`` in the connector's certificate (default: the host of the address).
        self.credentials = credentials
        self.server_name = server_name
        self.stderr_path = self.workdir / "stderr.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.ready: dict[str, Any] = {}
        self.channel: grpc.Channel | None = None
        self._stub: Any = None
        self._health: Any = None

    # -- lifecycle --------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The environment the connector is started with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECMA2_")}
        env.update(
            {
                "ECMA2_LISTEN": self.listen,
                "ECMA2_CONNECTOR_NAME": self.name,
                "ECMA2_HOST_PID": str(self.host_pid),
                "ECMA2_LOG_FORMAT": "json",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.launch_secret:
            env["ECMA2_LAUNCH_SECRET"] = self.launch_secret
        env.update(self.extra_env)
        return env

    def start(self) -> Self:
        """Launches the program and waits for its ready line; then connects."""
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=self.environment(),
                cwd=self.cwd,
            )
        self.ready = self._read_ready_line()
        address = str(self.ready["address"])
        target = address if address.startswith("unix:") else address.removeprefix("tcp:")
        options: list[tuple[str, Any]] = [
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ]
        if self.credentials is None:
            self.channel = grpc.insecure_channel(target, options=options)
        else:
            if self.server_name:
                options.append(("grpc.ssl_target_name_override", self.server_name))
            self.channel = grpc.secure_channel(target, self.credentials, options=options)
        grpc.channel_ready_future(self.channel).result(timeout=self.ready_timeout)
        self._stub = connector_pb2_grpc.ConnectorServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self._health = health_pb2_grpc.HealthStub(self.channel)
        return self

    def _read_ready_line(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        deadline = time.monotonic() + self.ready_timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    raise TimeoutError(
                        f"no ready line within {self.ready_timeout}s; stderr:\n{self.stderr_text()}"
                    )
                if not selector.select(timeout=min(remaining, 0.5)):
                    if self.process.poll() is not None:
                        break
                    continue
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
        line = buffer.split(b"\n", 1)[0]
        if not line:
            code = self.process.wait(timeout=5)
            raise RuntimeError(
                f"connector exited ({code}) before its ready line; stderr:\n{self.stderr_text()}"
            )
        ready: dict[str, Any] = json.loads(line)
        if ready.get("ecma2") != "ready":
            raise RuntimeError(f"first stdout line is not a ready line: {line!r}")
        return ready

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Sends ``sig`` and waits for the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Waits for the process to exit; returns its status."""
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Kills the process if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL) and removes its temp dir."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    self.terminate(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill()
            if self.process.stdout is not None:
                self.process.stdout.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- calling ----------------------------------------------------------------------------

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """Call metadata carrying the launch secret."""
        return (("ecma2-launch-secret", self.launch_secret),) if self.launch_secret else ()

    @property
    def stub(self) -> Any:
        """The generated ``ConnectorServiceStub`` (pass :attr:`metadata` on every call)."""
        return self._stub

    def call(self, method: str, request: Any, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
        """Calls a unary RPC with the launch secret."""
        return getattr(self._stub, method)(request, metadata=self.metadata, timeout=timeout)

    def health(self, service: str = "", timeout: float = 5.0) -> int:
        """The health status of ``service`` (no launch secret: health is exempt)."""
        response = self._health.Check(
            health_pb2.HealthCheckRequest(service=service), timeout=timeout
        )
        return int(response.status)

    # -- output -----------------------------------------------------------------------------

    def stderr_text(self) -> str:
        """Everything the connector wrote to stderr so far."""
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines on stderr (other lines are skipped)."""
        records = []
        for line in self.stderr_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records


# --- import and export runs -----------------------------------------------------------------


@dataclass
class Page:
    """One GetImportEntries page as received."""

    entries: list[CSEntryChange]
    custom_data: str
    more_to_import: bool
    fragments: int = 0
    batches: int = 0
    """``entry_batch`` frames received (only a call that asked for batches gets any)."""


@dataclass
class ImportRun:
    """A whole import run: every page, and the watermark committed at close."""

    session_id: str
    page_size: int
    pages: list[Page] = field(default_factory=list)
    watermark: str = ""

    @property
    def entries(self) -> list[CSEntryChange]:
        """Every entry of every page, in order."""
        return [e for page in self.pages for e in page.entries]


def open_import(
    proc: ConnectorProcess,
    config: ConfigLike | None = None,
    *,
    import_type: OperationType = OperationType.FULL,
    page_size: int = 0,
    custom_data: str = "",
) -> import_pb2.OpenImportConnectionResponse:
    """Opens an import session."""
    response: import_pb2.OpenImportConnectionResponse = proc.call(
        "OpenImportConnection",
        import_pb2.OpenImportConnectionRequest(
            config_parameters=config_pb(config),
            import_run_step=import_pb2.OpenImportConnectionRunStep(
                custom_data=custom_data, page_size=page_size, import_type=wire(import_type)
            ),
        ),
    )
    return response


def get_page(
    proc: ConnectorProcess,
    session_id: str,
    custom_data: str = "",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    batches: bool = False,
) -> Page:
    """Reads one page, reassembling fragmented entries and checking the framing rules.

    With ``batches`` the call asks for ``entry_batch`` frames (``ecma2-features:
    entry-batches``), as a host does of a connector that listed the feature in its handshake.
    """
    metadata = proc.metadata
    if batches:
        metadata = (*metadata, (FEATURES_KEY, ENTRY_BATCHES))
    stream = proc.stub.GetImportEntries(
        import_pb2.GetImportEntriesRequest(
            session_id=session_id,
            import_run_step=import_pb2.GetImportEntriesRunStep(custom_data=custom_data),
        ),
        metadata=metadata,
        timeout=timeout,
    )
    return read_page(stream, batches=batches)


def read_page(
    frames: Iterable[import_pb2.GetImportEntriesResponse], *, batches: bool = False
) -> Page:
    """Turns the frames of one page into a :class:`Page` (``entry_batch`` frames only when
    ``batches``)."""
    entries: list[CSEntryChange] = []
    reassembler = Reassembler()
    fragments = 0
    batch_frames = 0
    results: import_pb2.GetImportEntriesResults | None = None
    for response in frames:
        if results is not None:
            raise AssertionError("frame after the results frame")
        which = response.WhichOneof("frame")
        if which == "entry":
            reassembler.ensure_idle()
            entries.append(CSEntryChange.from_pb(response.entry))
        elif which == "entry_fragment":
            fragments += 1
            whole = reassembler.push(response.entry_fragment)
            if whole is not None:
                entries.append(CSEntryChange.from_pb(whole))
        elif which == "entry_batch":
            if not batches:
                raise AssertionError("an entry batch the call did not ask for")
            reassembler.ensure_idle()
            if not response.entry_batch.entries:
                raise AssertionError("an entry batch without entries")
            batch_frames += 1
            entries.extend(CSEntryChange.from_pb(e) for e in response.entry_batch.entries)
        elif which == "results":
            reassembler.ensure_idle()
            results = response.results
    if results is None:
        raise AssertionError("page ended without a results frame")
    return Page(entries, results.custom_data, results.more_to_import, fragments, batch_frames)


def close_import(
    proc: ConnectorProcess,
    session_id: str,
    reason: CloseReason = CloseReason.NORMAL,
    custom_data: str = "",
) -> import_pb2.CloseImportConnectionResponse:
    """Closes an import session."""
    response: import_pb2.CloseImportConnectionResponse = proc.call(
        "CloseImportConnection",
        import_pb2.CloseImportConnectionRequest(
            session_id=session_id,
            import_run_step=import_pb2.CloseImportConnectionRunStep(
                custom_data=custom_data, reason=wire(reason)
            ),
        ),
    )
    return response


def run_import(
    proc: ConnectorProcess,
    config: ConfigLike | None = None,
    *,
    import_type: OperationType = OperationType.FULL,
    page_size: int = 0,
    custom_data: str = "",
    max_pages: int = 100_000,
) -> ImportRun:
    """A whole import run as the engine drives it: open, pages until done, close."""
    opened = open_import(
        proc, config, import_type=import_type, page_size=page_size, custom_data=custom_data
    )
    run = ImportRun(opened.session_id, opened.page_size)
    watermark = opened.results.custom_data or custom_data
    for _ in range(max_pages):
        page = get_page(proc, run.session_id, watermark)
        run.pages.append(page)
        watermark = page.custom_data
        if not page.more_to_import:
            break
    else:
        raise AssertionError(f"import did not end within {max_pages} pages")
    closed = close_import(proc, run.session_id, CloseReason.NORMAL, watermark)
    run.watermark = closed.results.custom_data or watermark
    return run


def full_import(
    proc: ConnectorProcess, config: ConfigLike | None = None, *, page_size: int = 0
) -> ImportRun:
    """A full import run."""
    return run_import(proc, config, import_type=OperationType.FULL, page_size=page_size)


def delta_import(
    proc: ConnectorProcess, config: ConfigLike | None, watermark: str, *, page_size: int = 0
) -> ImportRun:
    """A delta import run from a watermark."""
    return run_import(
        proc, config, import_type=OperationType.DELTA, page_size=page_size, custom_data=watermark
    )


def open_export(
    proc: ConnectorProcess,
    config: ConfigLike | None = None,
    *,
    batch_size: int = 0,
    export_type: OperationType = OperationType.DELTA,
) -> export_pb2.OpenExportConnectionResponse:
    """Opens an export session."""
    response: export_pb2.OpenExportConnectionResponse = proc.call(
        "OpenExportConnection",
        export_pb2.OpenExportConnectionRequest(
            config_parameters=config_pb(config),
            export_run_step=export_pb2.OpenExportConnectionRunStep(
                export_type=wire(export_type), batch_size=batch_size
            ),
        ),
    )
    return response


def export_frames(
    session_id: str, entries: Iterable[CSEntryChange]
) -> Iterator[export_pb2.PutExportEntriesRequest]:
    """The frames of one export batch: the session first, then entries or fragments."""
    yield export_pb2.PutExportEntriesRequest(session_id=session_id)
    for entry in entries:
        framed = frame(entry.to_pb())
        if isinstance(framed, change_pb2.CSEntryChange):
            yield export_pb2.PutExportEntriesRequest(entry=framed)
        else:
            for fragment in framed:
                yield export_pb2.PutExportEntriesRequest(entry_fragment=fragment)


def put_export(
    proc: ConnectorProcess, session_id: str, entries: Sequence[CSEntryChange]
) -> list[CSEntryChangeResult]:
    """Sends one batch; returns the results."""
    response = proc.stub.PutExportEntries(
        export_frames(session_id, entries), metadata=proc.metadata, timeout=DEFAULT_TIMEOUT
    )
    return [CSEntryChangeResult.from_pb(r) for r in response.results.cs_entry_change_results]


def close_export(
    proc: ConnectorProcess, session_id: str, reason: CloseReason = CloseReason.NORMAL
) -> None:
    """Closes an export session."""
    proc.call(
        "CloseExportConnection",
        export_pb2.CloseExportConnectionRequest(
            session_id=session_id,
            export_run_step=export_pb2.CloseExportConnectionRunStep(reason=wire(reason)),
        ),
    )


def run_export(
    proc: ConnectorProcess,
    config: ConfigLike | None,
    entries: Sequence[CSEntryChange],
    *,
    batch_size: int = 0,
) -> list[CSEntryChangeResult]:
    """A whole export run: open, batches of the session's size, close."""
    opened = open_export(proc, config, batch_size=batch_size)
    results: list[CSEntryChangeResult] = []
    for start in range(0, len(entries), opened.batch_size):
        results += put_export(proc, opened.session_id, entries[start : start + opened.batch_size])
    close_export(proc, opened.session_id)
    return results
