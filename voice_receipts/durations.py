"""The one duration rule, light enough for the receive path (a store writes a status receipt's
seconds beside it): calls.py re-exports it for readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voice_receipts import states
from voice_receipts.times import parse_iso

if TYPE_CHECKING:
    from voice_receipts.receipt import Receipt


def durations(status: Receipt | None) -> tuple[int | None, int | None]:
    """Ringing (start to answer, or to the end of an unanswered call) and talking (answer to end)
    seconds of a status receipt. The one duration rule: unknown (None), never negative: VMS's
    clocks can disagree, and a negative second is a wrong answer, not a measurement."""
    if status is None:
        return None, None
    unanswered = states.state_of_result(status.result) == states.CallState.NOT_ANSWERED
    ring_end = status.ended_at if unanswered else status.accepted_at  # an unanswered call rang to its end
    talk = _seconds_between(status.accepted_at, status.ended_at)
    return _seconds_between(status.started_at, ring_end), talk


def _seconds_between(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    seconds = int((parse_iso(end) - parse_iso(start)).total_seconds())
    return seconds if seconds >= 0 else None
