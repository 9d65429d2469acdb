"""Secrets that never print.

:class:`Secret` holds an ``EncryptedString`` parameter value or a password. Its ``repr`` and
``str`` are redacted, it refuses to be pickled, and the only way to the clear text is the
explicit :meth:`Secret.expose`, so a secret can be logged, put in an f-string or shown in a
traceback by accident without leaking.
"""

from __future__ import annotations

import hmac
from typing import NoReturn


class Secret:
    """A secret string whose ``repr`` and ``str`` are redacted."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret takes a str, not {type(value).__name__}")
        self._value = value

    def expose(self) -> str:
        """The clear text, for the one place that must use it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('<redacted>')" if self._value else "Secret('<empty>')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
