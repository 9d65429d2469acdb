"""Connector logs on stderr: one JSON object per line (runtime.md), or plain text.

Records go through the standard :mod:`logging` module. ``extra={...}`` fields become
structured fields of the JSON object; ``level`` uses the host's names (``WARN``, not
``WARNING``). A filter scrubs every secret the SDK has seen out of messages and fields, so a
password can't leak even through ``log.info("%s", params)``.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
import threading
from typing import Any, TextIO

_STANDARD_FIELDS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)

_LEVELS = ((logging.ERROR, "ERROR"), (logging.WARNING, "WARN"), (logging.INFO, "INFO"))


def level_name(levelno: int) -> str:
    """The runtime.md level of a :mod:`logging` level number."""
    for threshold, name in _LEVELS:
        if levelno >= threshold:
            return name
    return "DEBUG" if levelno >= logging.DEBUG else "TRACE"


def _timestamp(created: float) -> str:
    moment = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD_FIELDS and not key.startswith("_")
    }


def _flatten_exception(record: logging.LogRecord) -> None:
    """Moves ``exc_info`` into plain fields (``error``, ``error_type``, ``exc_text``)."""
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        record.error = str(error)
        record.error_type = type(error).__qualname__
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, target, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": _timestamp(record.created),
            "level": level_name(record.levelno),
            "target": record.name,
            "message": record.getMessage(),
        }
        _flatten_exception(record)
        for key, value in _fields(record).items():
            line.setdefault(key, value)
        if record.exc_text:
            line.setdefault("traceback", record.exc_text)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``timestamp LEVEL target: message key=value ...`` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        text = (
            f"{_timestamp(record.created)} {level_name(record.levelno):5} "
            f"{record.name}: {record.getMessage()}"
        )
        _flatten_exception(record)
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        if fields:
            text += " " + fields
        if record.exc_text:
            text += "\n" + record.exc_text
        return text


class SecretFilter(logging.Filter):
    """Replaces every registered secret in a record's message, arguments and fields."""

    _MAX = 4096

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        """Registers one clear text (short ones would wreck messages, and are not kept)."""
        if len(secret) < 3:
            return
        with self._lock:
            if len(self._secrets) >= self._MAX:
                self._secrets.pop()
            self._secrets.add(secret)

    def _scrub(self, value: Any, secrets: list[str]) -> Any:
        if isinstance(value, bool | int | float) or value is None:
            return value
        if isinstance(value, list | tuple):
            return [self._scrub(v, secrets) for v in value]
        if isinstance(value, dict):
            return {k: self._scrub(v, secrets) for k, v in value.items()}
        text = value if isinstance(value, str) else str(value)
        for secret in secrets:
            text = text.replace(secret, "<redacted>")
        return text

    def _snapshot(self) -> list[str]:
        with self._lock:
            return sorted(self._secrets, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._snapshot()
        if not secrets:
            return True
        _flatten_exception(record)
        record.msg = self._scrub(record.getMessage(), secrets)
        record.args = None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text, secrets)
        for key, value in _fields(record).items():
            setattr(record, key, self._scrub(value, secrets))
        return True


SECRETS = SecretFilter()
"""The process-wide secret filter the SDK registers secrets with."""


def configure(fmt: str, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Sends every log record to stderr in ``fmt`` (``json`` or ``text``)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(SECRETS)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
