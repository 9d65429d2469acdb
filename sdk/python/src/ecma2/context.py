"""The per-call context handed to every connector method.

It carries who is calling what (connector, call, session) and, above all, cancellation: when
the caller cancels (the engine stopped the run, the host gave up on a deadline, or the
connector is shutting down), :attr:`CallContext.cancelled` turns true and
:meth:`CallContext.wait` returns early, so long-running connector code can stop::

    def get_import_entries(self, ctx, run_step):
        for row in self.rows:
            if ctx.cancelled:
                raise CallCancelled()
            ...
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from ecma2.errors import CallCancelled


class _FieldsAdapter(logging.LoggerAdapter[logging.Logger]):
    """Adds the call's fields to every record, merged with the record's own ``extra``."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return msg, kwargs


class CallContext:
    """What connector code knows about the call it serves."""

    def __init__(
        self,
        *,
        connector: str,
        call: str,
        session_id: str = "",
        logger: logging.Logger | None = None,
        deadline: float | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.connector = connector
        self.call = call
        self.session_id = session_id
        self._event = threading.Event()
        self._deadline = deadline
        self._secrets = list(secrets)
        fields: dict[str, object] = {"connector": connector, "call": call}
        if session_id:
            fields["session_id"] = session_id
        self.log: logging.LoggerAdapter[logging.Logger] = _FieldsAdapter(
            logger or logging.getLogger("ecma2.connector"), fields
        )
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._finished = False

    @property
    def cancelled(self) -> bool:
        """Whether the caller has cancelled this call (or the connector is shutting down)."""
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleeps up to ``timeout`` seconds, waking early on cancellation; returns
        :attr:`cancelled`. Use it instead of ``time.sleep`` in connector code."""
        return self._event.wait(timeout)

    def raise_if_cancelled(self) -> None:
        """Raises :class:`~ecma2.errors.CallCancelled` once the call is cancelled."""
        if self._event.is_set():
            raise CallCancelled(f"{self.call} was cancelled")

    def time_remaining(self) -> float | None:
        """Seconds until the caller's deadline, if it set one."""
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Runs ``callback`` (once, on another thread) when the call is cancelled."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def cancel(self) -> None:
        """Marks the call cancelled (the SDK calls this; tests may too)."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                self.log.exception("cancel callback failed")

    def _rpc_ended(self) -> None:
        # The RPC is over; unless the handler already finished, the caller went away.
        if not self._finished:
            self.cancel()

    def _finish(self) -> None:
        self._finished = True

    def _bind_session(self, session_id: str) -> None:
        self.session_id = session_id
        self.log.extra = {**(self.log.extra or {}), "session_id": session_id}

    def add_secret(self, secret: str) -> None:
        """Registers a value that must never appear in this call's fault messages."""
        self._secrets.append(secret)

    @property
    def secrets(self) -> Sequence[str]:
        """Values scrubbed from fault messages (clear texts of this call's secrets)."""
        return tuple(self._secrets)
