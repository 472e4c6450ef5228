"""A call as one object: `Call.fold(receipts)`, what `show`, the library API and reports read.

Pure: no store, no terminal. Rendering for people lives in calls_view.py.

The fold does not depend on the order receipts arrived in: each kind of receipt fills its own
fields (FOLDS), and the only ordered field, `keys`, follows arrival order. A kind the fold does not
know is kept in `receipts` and otherwise ignored. The `sent` record of a send (send.py) comes
first whatever its time: a call is sent before anything can be heard of it, even when a receipt
was stored first or the sender's clock runs ahead of the function's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from voice_receipts import codes, kinds, states
from voice_receipts.durations import durations  # noqa: F401 - the one rule, part of this API
from voice_receipts.receipt import Receipt
from voice_receipts.states import STATES, CallState  # noqa: F401 - STATES is Call's API too

# The states by name, as the library API has always offered them (calls.ANSWERED, ...)
ANSWERED, NOT_ANSWERED, CALL_ERROR = CallState.ANSWERED, CallState.NOT_ANSWERED, CallState.CALL_ERROR
FAILED, UNDOCUMENTED = CallState.FAILED, CallState.UNDOCUMENTED
IN_PROGRESS, SENT = CallState.IN_PROGRESS, CallState.SENT


@dataclass(frozen=True)
class Call:
    """Everything the receipts of one call say. Times are ISO 8601 UTC; None = not known."""

    callid: str
    kind: str | None  # kinds.CODE / kinds.NOTIFICATION; None while no receipt says which
    phone: str | None  # E.164, "+<nationcode><mobile>"
    state: CallState  # a str too: "answered", ... (states.py)
    result: str | None  # the status receipt's `result` exactly as VMS sent it ("0", "1", "2", ...)
    status_text: dict[str, str] | None  # the spec's words {"zh", "en"}; None if none or undocumented
    started_at: str | None
    answered_at: str | None
    ended_at: str | None
    ring_seconds: int | None  # None when unknown, never negative (durations())
    talk_seconds: int | None
    fee_minutes: int | None
    keys: tuple[str, ...]  # in the order they arrived
    failure_code: int | None
    failure_reason: str | None  # as VMS sent it
    failure_text: dict[str, str] | None  # the spec's words {"zh", "en"}; None if undocumented
    first_received_at: str
    last_received_at: str
    receipts: tuple[Receipt, ...]  # every receipt, in the order they arrived
    # from the `sent` record of a send through this package (send.py); None when sent otherwise
    sent_at: str | None = None  # when VMS accepted the call
    context: str | None = None

    @property
    def final(self) -> bool:
        return self.state.ended

    @property
    def at(self) -> str:
        """When the call was placed: the start its status receipt reports, else when it was first
        heard of (its `sent` record, or its first receipt). Listings, --since and report days
        use this on every store (Receipt.call_at is each receipt's part of it)."""
        return self.started_at or self.first_received_at

    @classmethod
    def fold(cls, receipts: Iterable[Receipt]) -> Call | None:
        """The call of `receipts` (all sharing one callid); None for no receipts."""
        # the send first, then by arrival; stable: ties keep store order
        ordered = sorted(receipts, key=lambda r: (r.kind != kinds.SENT, r.received_at))
        if not ordered:
            return None
        acc: dict[str, Any] = {"keys": [], "kind": None, "status": None, "failure": None}
        for receipt in ordered:
            acc["kind"] = acc["kind"] or kinds.CALL_KIND.get(receipt.kind)
            fold = FOLDS.get(receipt.kind)
            if fold is not None:
                fold(acc, receipt)
        status: Receipt | None = acc.pop("status")
        failure: Receipt | None = acc.pop("failure")
        result = status.result if status else None
        ring, talk = durations(status)
        return cls(
            callid=ordered[0].callid,
            kind=acc.pop("kind"),
            phone=next((r.phone for r in ordered if r.phone), None),
            state=states.call_state(result, failure is not None, any(r.kind != kinds.SENT for r in ordered)),
            result=result,
            status_text=status_text(result),
            started_at=status.started_at if status else None,
            answered_at=status.accepted_at if status else None,
            ended_at=status.ended_at if status else None,
            ring_seconds=ring,
            talk_seconds=talk,
            fee_minutes=status.fee_minutes if status else None,
            keys=tuple(acc.pop("keys")),
            failure_code=failure.failure_code if failure else None,
            failure_reason=failure.failure_reason if failure else None,
            failure_text=failure_text(failure.failure_code) if failure else None,
            first_received_at=ordered[0].received_at,
            last_received_at=ordered[-1].received_at,
            receipts=tuple(ordered),
            **acc,  # what the folds of other kinds set (sent_at, context)
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; each receipt as Receipt.to_dict() (its `kind` is the receipt's)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["keys"] = list(self.keys)
        data["receipts"] = [r.to_dict() for r in self.receipts]
        return data

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=indent)


def status_text(result: str | None) -> dict[str, str] | None:
    found = codes.STATUS_TEXT.get(result.strip()) if result is not None else None
    return dict(found) if found else None


def failure_text(code: int | None) -> dict[str, str] | None:
    if code not in codes.FAILURE_CODES:
        return None
    return {"zh": codes.FAILURE_CODES[code], "en": codes.FAILURE_CODES_EN[code]}


# -- one function per kind of receipt: what it adds to the call ------------------------------


def _status(acc: dict[str, Any], receipt: Receipt) -> None:
    acc["status"] = receipt  # a second status receipt (VMS resending another version) wins


def _key(acc: dict[str, Any], receipt: Receipt) -> None:
    acc["keys"].append(receipt.keypress or "")


def _failure(acc: dict[str, Any], receipt: Receipt) -> None:
    acc["failure"] = receipt


def _sent(acc: dict[str, Any], receipt: Receipt) -> None:
    acc["sent_at"] = receipt.received_at  # the moment VMS accepted the call
    acc["context"] = receipt.context
    acc["kind"] = acc["kind"] or kinds.SENT_MESSAGES.get(receipt.message or "")


FOLDS: dict[str, Callable[[dict[str, Any], Receipt], None]] = {
    kinds.VOICECODE: _status,
    kinds.VOICEPROMPT: _status,
    kinds.VOICEKEY: _key,
    kinds.VOICE_FAILURE: _failure,
    kinds.SENT: _sent,
}
