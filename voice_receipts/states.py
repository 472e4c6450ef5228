"""How a call ended, named once: the CallState type, the one table from VMS's `result` to it,
and the words people read. Calls, metrics, `show`, the report and the events all use these.

The states are a partition: every call is in exactly one, so the report's cards and tables add
up to its calls. A call with a failure receipt is FAILED whatever its status receipt said (the
failure receipt says why); CALL_ERROR is result 2 with no failure receipt.

What VMS sent and what it means live in separate places: a receipt keeps `result` exactly as it
came, and its `status` is the meaning, derived here (so an undocumented result that happens to
spell "answered" can never pass for one).
"""

from __future__ import annotations

from enum import Enum


class CallState(str, Enum):
    """A str, so a state compares equal to its wire word ("answered") and serialises as one."""

    ANSWERED = "answered"
    NOT_ANSWERED = "not_answered"
    CALL_ERROR = "call_error"  # result 2 and no failure receipt
    FAILED = "failed"  # a failure receipt, whatever the status receipt said
    UNDOCUMENTED = "undocumented"  # a status receipt whose `result` the spec does not list
    IN_PROGRESS = "in_progress"  # heard of (a receipt), but no status or failure receipt yet
    SENT = "sent"  # sent through this package (a `sent` record), nothing heard of it yet

    def __str__(self) -> str:
        return self.value

    @property
    def ended(self) -> bool:
        """Whether the call is over: what an answer rate divides by."""
        return self not in (CallState.IN_PROGRESS, CallState.SENT)

    @property
    def words(self) -> str:
        """How `show` and the report print it."""
        return WORDS[self]


STATES: tuple[CallState, ...] = tuple(CallState)
ENDED: tuple[CallState, ...] = tuple(s for s in CallState if s.ended)

# The spec: a status receipt's `result` -> how the call ended
STATE_OF_RESULT = {"0": CallState.ANSWERED, "1": CallState.NOT_ANSWERED, "2": CallState.CALL_ERROR}

WORDS = {
    CallState.ANSWERED: "answered",
    CallState.NOT_ANSWERED: "not answered",
    CallState.CALL_ERROR: "call error",
    CallState.FAILED: "failed",
    CallState.UNDOCUMENTED: "undocumented result",
    CallState.IN_PROGRESS: "in progress",
    CallState.SENT: "sent",
}

# What each state includes, for `show --help`, docs/calls.md and the report's legend
MEANING = {
    CallState.ANSWERED: "result 0, the callee answered, and no failure receipt",
    CallState.NOT_ANSWERED: "result 1, nobody answered, and no failure receipt",
    CallState.CALL_ERROR: "result 2, a call error, and no failure receipt",
    CallState.FAILED: "a failure receipt (its code says why), whatever the status receipt said",
    CallState.UNDOCUMENTED: "a status receipt whose result the spec does not list",
    CallState.IN_PROGRESS: "receipts, but no status or failure receipt yet",
    CallState.SENT: "a send through this package, nothing heard of it yet",
}

# Receipt.status, as stored items and events have always spelled it (docs/events.md)
_STATUS_WORD = {CallState.NOT_ANSWERED: "unanswered"}


def state_of_result(result: str | None) -> CallState:
    """A status receipt's `result` as VMS sent it -> its state; UNDOCUMENTED for anything else."""
    if result is None:  # a status receipt without its result
        return CallState.UNDOCUMENTED
    return STATE_OF_RESULT.get(result.strip(), CallState.UNDOCUMENTED)


def status_of_result(result: str | None) -> str:
    """Receipt.status: answered / unanswered / call_error / undocumented. Derived in this one
    place so the stored word never depends on anything but the result."""
    state = state_of_result(result)
    return _STATUS_WORD.get(state, state.value)


def result_of_status(status: str | None) -> str | None:
    """For records stored before `result` was kept apart: the documented word back to its
    result; anything else was the raw undocumented value itself."""
    for result in STATE_OF_RESULT:
        if status == status_of_result(result):
            return result
    return status


def call_state(result: str | None, failed: bool, heard: bool) -> CallState:
    """The partition: a failure receipt, else the status receipt's result, else whether anything
    was heard at all. `result` is None when there is no status receipt."""
    if failed:
        return CallState.FAILED
    if result is not None:
        return state_of_result(result)
    return CallState.IN_PROGRESS if heard else CallState.SENT


def parse_state(text: str) -> CallState:
    """A state as a person types it (`--state not_answered`, `not-answered`, `Not Answered`)."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return CallState(key)
    except ValueError:
        names = ", ".join(s.value for s in CallState)
        raise ValueError(f"unknown state {text[:40]!r}; one of {names}") from None
