"""Pausing Python's cyclic garbage collector while an import page is built and encoded.

A page of entries is thousands of small container objects (changes, their lists and values)
made at once and kept until the page is encoded. Each 700 allocations start a young-generation
collection that walks them, and the survivors soon trigger collections of the older
generations, which walk the whole process heap: about a fifth of a connector's CPU time on a
full import. The entries hold no reference cycles (reference counting frees them), so the SDK
switches the collector off while connector code builds a page and the SDK encodes it, and back
on afterwards. Cyclic garbage made meanwhile waits for the next collection, so it is bounded by
what one page makes. Concurrent pages share one pause; a process that had the collector off
keeps it off.
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType


class GcPause:
    """A reentrant, thread-shared ``with`` block during which the cyclic collector is off."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._resume:
                gc.enable()


PAGE = GcPause()
"""The pause every import page of the process shares."""
