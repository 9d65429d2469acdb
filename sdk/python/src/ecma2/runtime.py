"""``ecma2.serve``: run a connector class as a connector process, as docs/runtime.md says.

It reads the launch environment (bad values exit with status 64 before anything is bound),
listens on the Unix socket or TCP address asked for, serves ``ecma2.v1.ConnectorService`` and
``grpc.health.v1.Health``, checks the launch secret on every other call, writes the one ready
line to stdout, and runs until SIGTERM, SIGINT, the ``Shutdown`` RPC or the host's
disappearance. Then it refuses new sessions, cancels calls in flight, closes every open session
with ``TERMINATED_SHUTTING_DOWN`` and returns (the process exits 0).

In remote mode (``ECMA2_TLS_*`` set, a container) it listens on TCP with mutual TLS instead:
only clients with a certificate from ``ECMA2_TLS_CLIENT_CA`` get through the handshake; there
is no launch secret and no host process to watch. ``ECMA2_HEALTH_LISTEN`` adds a plain-text
listener that serves ``grpc.health.v1`` alone, for probes that have no client certificate.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import signal
import stat
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent import futures
from types import FrameType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ecma2 import _logging
from ecma2._launch import LaunchConfig, LaunchError, ListenAddress
from ecma2._service import PROTOCOL_VERSIONS, SERVICE_NAME, ConnectorService
from ecma2.framing import MAX_MESSAGE_BYTES

EXIT_CONFIG = 64
"""Exit status for a launch environment the connector cannot use (EX_USAGE)."""
EXIT_UNAVAILABLE = 69
"""Exit status when the listen address cannot be bound (EX_UNAVAILABLE)."""

LAUNCH_SECRET_METADATA = "ecma2-launch-secret"
HOST_POLL_SECONDS = 0.25
MAX_WORKERS = 64

log = logging.getLogger("ecma2.sdk")


class LaunchSecretInterceptor(grpc.ServerInterceptor):
    """Refuses, with UNAUTHENTICATED, every call without the launch secret (health exempt)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler[Any, Any] | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        method: str = handler_call_details.method
        if method.startswith("/grpc.health.v1.Health/"):
            return continuation(handler_call_details)
        given = None
        for key, value in handler_call_details.invocation_metadata or ():
            if key == LAUNCH_SECRET_METADATA:
                given = value.encode() if isinstance(value, str) else value
        if given is not None and hmac.compare_digest(given, self._secret):
            return continuation(handler_call_details)
        log.warning(
            "call refused: launch secret missing or wrong",
            extra={"method": method, "secret_present": given is not None},
        )
        return _deny(continuation(handler_call_details))


def _deny(handler: grpc.RpcMethodHandler[Any, Any] | None) -> grpc.RpcMethodHandler[Any, Any]:
    def refuse(_request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong ecma2-launch-secret")

    # The refusing handler must have the shape of the real one, or gRPC would read the wrong
    # number of requests from the stream before refusing.
    if handler is not None and handler.request_streaming and handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(refuse)
    if handler is not None and handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(refuse)
    if handler is not None and handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(refuse)
    return grpc.unary_unary_rpc_method_handler(refuse)


def _host_gone(host_pid: int, parent_pid: int) -> str | None:
    try:
        os.kill(host_pid, 0)
    except ProcessLookupError:
        return "host process is gone"
    except PermissionError:
        pass  # it exists, owned by someone else
    if sys.platform.startswith("linux"):
        if os.getppid() != parent_pid:
            return "parent process changed"
        try:
            with open(f"/proc/{host_pid}/stat", "rb") as f:
                # The state follows the parenthesized command name; Z is a zombie.
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    return "host process is a zombie"
        except (OSError, IndexError):
            pass
    return None


def _remove_stale_socket(path: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISSOCK(mode):
        os.unlink(path)


def _health_only_server(
    servicer: health.HealthServicer, listen: ListenAddress
) -> tuple[grpc.Server, str] | None:
    """A server with ``grpc.health.v1`` only, without TLS, and the address it is bound to;
    ``None`` when it cannot bind."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="ecma2-health"),
        options=[("grpc.so_reuseport", 0)],
    )
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    if listen.scheme == "unix":
        _remove_stale_socket(listen.path)
    try:
        port = server.add_insecure_port(listen.grpc_target)
    except RuntimeError:
        return None
    # gRPC reports a failed TCP bind as port 0.
    if listen.scheme == "tcp" and port == 0:
        return None
    return server, listen.announced(port)


def serve(
    connector_class: type,
    *,
    name: str,
    version: str,
    env: Mapping[str, str] | None = None,
) -> None:
    """Runs ``connector_class`` as a connector process until it is told to stop.

    ``name`` and ``version`` identify the connector build in the handshake;
    ``ECMA2_CONNECTOR_NAME`` (the name the host knows it by) defaults to ``name``. Returns once
    every session is closed; a launch environment it cannot use exits with status 64.
    """
    try:
        launch = LaunchConfig.from_env(name, env)
    except LaunchError as error:
        print(f"{name}: {error}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None
    source = os.environ if env is None else env
    level_name = (source.get("ECMA2_LOG_LEVEL") or "INFO").upper()
    _logging.configure(launch.log_format, getattr(logging, level_name, logging.INFO))
    if launch.launch_secret:
        _logging.SECRETS.add(launch.launch_secret)

    stop = threading.Event()
    stop_reason: list[str] = []

    def request_stop(reason: str) -> None:
        if not stop.is_set():
            stop_reason.append(reason)
            stop.set()

    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    service = ConnectorService(
        connector_class,
        name=name,
        version=version,
        connector_name=launch.connector_name,
        on_shutdown_requested=lambda reason: request_stop(f"Shutdown RPC ({reason})"),
        on_stopping=health_servicer.enter_graceful_shutdown,
    )
    executor = futures.ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="ecma2")
    interceptors: list[grpc.ServerInterceptor] = (
        [LaunchSecretInterceptor(launch.launch_secret)] if launch.launch_secret else []
    )
    server = grpc.server(
        executor,
        interceptors=interceptors,
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_generic_rpc_handlers((service.handler(),))

    if launch.listen.scheme == "unix":
        _remove_stale_socket(launch.listen.path)
    try:
        if launch.tls is not None:
            credentials = grpc.ssl_server_credentials(
                [(launch.tls.key, launch.tls.cert)],
                root_certificates=launch.tls.client_ca,
                require_client_auth=True,
            )
            port = server.add_secure_port(launch.listen.grpc_target, credentials)
        else:
            port = server.add_insecure_port(launch.listen.grpc_target)
    except RuntimeError as error:
        log.error(
            "cannot listen", extra={"address": launch.listen.grpc_target, "error": str(error)}
        )
        raise SystemExit(EXIT_UNAVAILABLE) from None
    if launch.listen.scheme == "tcp" and port == 0:
        log.error("cannot listen", extra={"address": launch.listen.grpc_target})
        raise SystemExit(EXIT_UNAVAILABLE)
    health_server = None
    health_address = None
    if launch.health_listen is not None:
        bound = _health_only_server(health_servicer, launch.health_listen)
        if bound is None:
            log.error("cannot listen", extra={"address": launch.health_listen.grpc_target})
            raise SystemExit(EXIT_UNAVAILABLE)
        health_server, health_address = bound
    # Signals are ours before the first call can arrive: a SIGTERM right after the ready line
    # must close sessions too, not kill the process (found by the conformance kit).
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            request_stop(signal.Signals(signum).name)

        for wanted in (signal.SIGTERM, signal.SIGINT):
            previous[int(wanted)] = signal.signal(wanted, on_signal)

    server.start()
    if health_server is not None:
        health_server.start()
    for service_name in ("", SERVICE_NAME):
        health_servicer.set(service_name, health_pb2.HealthCheckResponse.SERVING)

    address = launch.listen.announced(port)
    ready = {"ecma2": "ready", "protocol": max(PROTOCOL_VERSIONS), "address": address}
    ready["pid"] = os.getpid()
    if health_address is not None:
        ready["health_address"] = health_address
    sys.stdout.write(json.dumps(ready, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    # Nothing else may reach stdout: a stray print() in connector code goes to stderr instead.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    log.info(
        "connector ready",
        extra={
            "address": address,
            "connector": launch.connector_name,
            "interfaces": [i.name for i in service.interfaces],
            "mutual_tls": launch.tls is not None,
            "health_address": health_address,
        },
    )

    parent_pid = os.getppid()
    try:
        while not stop.wait(HOST_POLL_SECONDS):
            if launch.host_pid is not None:
                gone = _host_gone(launch.host_pid, parent_pid)
                if gone:
                    request_stop(gone)
    finally:
        reason = stop_reason[0] if stop_reason else "stopped"
        closed = service.shutdown(reason)
        server.stop(grace=2).wait(5)
        if health_server is not None:
            health_server.stop(grace=0).wait(5)
        executor.shutdown(wait=False, cancel_futures=True)
        for listened in (launch.listen, launch.health_listen):
            if listened is not None and listened.scheme == "unix":
                with contextlib.suppress(OSError):
                    _remove_stale_socket(listened.path)
        for number, handler in previous.items():
            signal.signal(number, handler)
        log.info("connector stopped", extra={"reason": reason, "closed_sessions": closed})
        stuck = service.calls_in_flight
        for handler in logging.getLogger().handlers:
            handler.flush()
    if stuck:
        # Connector code ignored cancellation; its threads would keep the interpreter alive.
        log.warning("calls still running at exit", extra={"calls": stuck})
        sys.stderr.flush()
        os._exit(0)
