"""One JSON log line per request; mobile numbers masked (display.py), payloads and the token never logged."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any, TextIO

from voice_receipts.display import printable_json

LOGGER_NAME = "voice_receipts"
log = logging.getLogger(LOGGER_NAME)


def emit(level: int, message: str, fields: dict[str, Any], exc: BaseException | None = None) -> None:
    """One line, without Logger.log's caller lookup (a stack walk that was a fifth of the warm
    path); the fields are built by the caller only when the level is on (see `enabled`).
    `exc` adds the exception's class and where it was raised (never its message)."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    log.handle(log.makeRecord(LOGGER_NAME, level, "", 0, message, (), exc_info, extra={"fields": fields}))


def enabled(level: int) -> bool:
    return log.isEnabledFor(level)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname, "message": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            # the exception's class and where it was raised; not its message, which may hold input
            line["error"] = record.exc_info[0].__name__
            line["where"] = _where(record.exc_info[2])
        # a log line reaches terminals too (serve, replay -v): controls escaped, as JSON still
        return printable_json(line, default=str)


def _where(tb: TracebackType | None) -> str:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time: tests and tools swap it after configure()."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Own handler on our logger only: Lambda's and SCF's root handlers would double every line."""
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(JsonLines())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
