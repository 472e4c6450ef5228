"""The one bootstrap of every Lambda/SCF entry point (handler.py, publish.py, consume.py): JSON
log lines set up once, then what the function needs built once per process, thread-safe, and
reused by every invocation.

Each entry point names what it builds; nothing else differs between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from voice_receipts import logs

T = TypeVar("T")


class PerProcess(Generic[T]):
    """`build()` on first use, kept for the process. A build that raises keeps nothing, so a
    half-started function is never reused (the runtime starts a fresh one)."""

    def __init__(self, build: Callable[[], T], on_reset: Callable[[T], None] | None = None) -> None:
        self._build, self._on_reset = build, on_reset
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    if not logs.log.handlers:  # the receiver's own App sets its level itself
                        logs.configure("INFO")
                    self._value = self._build()
        return self._value

    def peek(self) -> T | None:
        """What was built, or None: without building it."""
        return self._value

    def reset(self) -> None:
        """Forget it (tests), after `on_reset` (the receiver closes its store)."""
        with self._lock:
            if self._value is not None and self._on_reset is not None:
                self._on_reset(self._value)
            self._value = None
