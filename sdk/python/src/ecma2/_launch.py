"""The launch environment of runtime.md, parsed and validated before any socket is bound.

Two modes: launched by a host (launch secret, host pid, usually a Unix socket), or remote mode
(a container: TCP with mutual TLS from ``ECMA2_TLS_CERT``, ``ECMA2_TLS_KEY`` and
``ECMA2_TLS_CLIENT_CA``; the client certificate is the identity, so there is no launch secret and
no host to watch).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


class LaunchError(ValueError):
    """A launch variable with a value the connector cannot use (exit status 64)."""


TLS_CERT = "ECMA2_TLS_CERT"
TLS_KEY = "ECMA2_TLS_KEY"
TLS_CLIENT_CA = "ECMA2_TLS_CLIENT_CA"
HEALTH_LISTEN = "ECMA2_HEALTH_LISTEN"
"""A second, plain-text listener that serves ``grpc.health.v1`` and nothing else: for container
and kubelet probes, which cannot present the host's client certificate."""


@dataclass(frozen=True)
class TlsFiles:
    """Remote mode's PEM files, read at start so a bad path fails before anything is bound."""

    cert_path: str
    key_path: str
    client_ca_path: str
    cert: bytes = field(repr=False, default=b"")
    key: bytes = field(repr=False, default=b"")
    client_ca: bytes = field(repr=False, default=b"")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TlsFiles | None:
        """Reads the three ``ECMA2_TLS_*`` variables; ``None`` when none is set."""
        cert, key, ca = (env.get(v) or "" for v in (TLS_CERT, TLS_KEY, TLS_CLIENT_CA))
        if not (cert or key or ca):
            return None
        if not cert or not key:
            missing = TLS_CERT if not cert else TLS_KEY
            raise LaunchError(f"{missing}: {TLS_CERT} and {TLS_KEY} are needed together")
        if not ca:
            raise LaunchError(
                f"{TLS_CLIENT_CA}: required with {TLS_CERT}; a remote connector accepts only "
                "clients with a certificate from this CA (there is no unauthenticated remote mode)"
            )
        return cls(
            cert_path=cert,
            key_path=key,
            client_ca_path=ca,
            cert=_read_pem(TLS_CERT, cert, "CERTIFICATE"),
            key=_read_pem(TLS_KEY, key, "PRIVATE KEY"),
            client_ca=_read_pem(TLS_CLIENT_CA, ca, "CERTIFICATE"),
        )


def _read_pem(variable: str, path: str, label: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise LaunchError(f"{variable}: cannot read {path}: {error.strerror}") from None
    # "PRIVATE KEY" also matches "EC PRIVATE KEY" and "RSA PRIVATE KEY".
    if b"-----BEGIN " not in data or f"{label}-----".encode() not in data:
        raise LaunchError(f"{variable}: {path} holds no PEM {label}")
    return data


@dataclass(frozen=True)
class ListenAddress:
    """Where to listen: a Unix socket path, or a TCP host and port (0 picks a free one)."""

    scheme: str
    path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, text: str) -> ListenAddress:
        """Parses ``unix:/abs/path.sock`` or ``tcp:HOST:PORT``."""
        if text.startswith("unix:"):
            path = text[len("unix:") :]
            if not path.startswith("/"):
                raise LaunchError(f"ECMA2_LISTEN: unix socket path must be absolute: {text!r}")
            return cls("unix", path=path)
        if text.startswith("tcp:"):
            host, sep, port = text[len("tcp:") :].rpartition(":")
            if not sep or not host or not port.isdigit() or int(port) > 65535:
                raise LaunchError(f"ECMA2_LISTEN: expected tcp:HOST:PORT, got {text!r}")
            return cls("tcp", host=host, port=int(port))
        raise LaunchError(f"ECMA2_LISTEN: expected unix:/path or tcp:HOST:PORT, got {text!r}")

    @property
    def grpc_target(self) -> str:
        """The address in gRPC's syntax."""
        return f"unix:{self.path}" if self.scheme == "unix" else f"{self.host}:{self.port}"

    def announced(self, bound_port: int) -> str:
        """The address for the ready line, with the real port."""
        if self.scheme == "unix":
            return f"unix:{self.path}"
        return f"tcp:{self.host}:{bound_port}"


@dataclass(frozen=True)
class LaunchConfig:
    """The connector's view of its launch environment."""

    listen: ListenAddress
    connector_name: str
    launch_secret: str | None = field(default=None, repr=False)
    host_pid: int | None = None
    log_format: str = "text"
    tls: TlsFiles | None = None
    health_listen: ListenAddress | None = None

    @classmethod
    def from_env(cls, default_name: str, env: Mapping[str, str] | None = None) -> LaunchConfig:
        """Reads ``ECMA2_*``; raises :class:`LaunchError` naming the variable at fault."""
        env = os.environ if env is None else env
        listen = ListenAddress.parse(env.get("ECMA2_LISTEN") or "tcp:127.0.0.1:0")
        tls = TlsFiles.from_env(env)
        if tls is not None and listen.scheme != "tcp":
            raise LaunchError("ECMA2_LISTEN: remote mode (TLS) needs tcp:HOST:PORT, not unix:")
        health_listen = None
        if env.get(HEALTH_LISTEN):
            try:
                health_listen = ListenAddress.parse(env[HEALTH_LISTEN])
            except LaunchError as error:
                raise LaunchError(str(error).replace("ECMA2_LISTEN", HEALTH_LISTEN, 1)) from None
        # In remote mode the client certificate is the identity and no host launched us.
        secret = None if tls else env.get("ECMA2_LAUNCH_SECRET") or None
        host_pid: int | None = None
        raw_pid = "" if tls else env.get("ECMA2_HOST_PID", "").strip()
        if raw_pid:
            if not raw_pid.isdigit() or int(raw_pid) <= 0:
                raise LaunchError(f"ECMA2_HOST_PID: expected a process id, got {raw_pid!r}")
            host_pid = int(raw_pid)
        log_format = (env.get("ECMA2_LOG_FORMAT") or ("json" if secret else "text")).lower()
        if log_format not in {"json", "text"}:
            raise LaunchError(f"ECMA2_LOG_FORMAT: expected json or text, got {log_format!r}")
        return cls(
            listen=listen,
            connector_name=env.get("ECMA2_CONNECTOR_NAME") or default_name,
            launch_secret=secret,
            host_pid=host_pid,
            log_format=log_format,
            tls=tls,
            health_listen=health_listen,
        )
