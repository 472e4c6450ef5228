"""A one-line progress bar on stderr, for what a person waits on: a replay, a report's Scan.

Drawn only on a terminal, so piped output and logs stay clean, and only for work large enough
to wait on. Thread-safe: a report's Scan segments each add what they read.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

PROGRESS_FROM = 200  # items; below this a progress bar is only noise
WIDTH = 30


class Progress:
    """`Progress(total)` then `step(done)` with the count done so far (replay); or `start(total)`
    with an approximate total, then `add(n)` as work is done (a Scan). `close()` ends the line."""

    def __init__(
        self,
        total: int = 0,
        *,
        minimum: int = PROGRESS_FROM,
        every: int = 50,
        label: str = "{done}/{total}",
        stream: TextIO | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.total, self.minimum, self.every, self.label = total, minimum, every, label
        self.done = 0
        self._terminal = self.stream.isatty()
        self._drawn = 0  # `done` when the bar was last drawn
        self._open = False  # a bar is on the line, not yet ended
        self._lock = threading.Lock()

    @property
    def terminal(self) -> bool:
        return self._terminal

    @property
    def on(self) -> bool:
        return self._terminal and self.total >= self.minimum

    def start(self, total: int) -> None:
        self.total = total

    def add(self, n: int) -> None:
        with self._lock:
            self.step(self.done + n)

    def step(self, done: int) -> None:
        self.done = done
        if self.on and (done - self._drawn >= self.every or done >= self.total):
            filled = min(WIDTH, WIDTH * done // max(self.total, 1))
            text = self.label.format(done=done, total=self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {text}")
            self.stream.flush()
            self._drawn, self._open = done, True

    def note(self, text: str) -> None:
        """A line said once the work is done (what it cost), on a terminal or not."""
        self.close()
        self.stream.write(text + "\n")

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self._open = False
