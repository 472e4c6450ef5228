"""facts.fold (what the stores' indexes and the report fold from a call's columns) answers as
calls.Call.fold does from the receipts themselves, for the calls the usual tests never build:
only a `sent` record, a key press without a key, receipts that arrived out of order."""

from __future__ import annotations

import pytest

from voice_receipts import kinds
from voice_receipts.calls import Call
from voice_receipts.receipt import Receipt
from voice_receipts.stores import facts

T0, T1, T2, T3 = (f"2026-12-01T08:00:0{n}.000000Z" for n in range(4))
MOBILE = {"mobile": "13800138000", "nationcode": "86"}


def sent(message: str, at: str = T0) -> Receipt:
    return Receipt("c1", kinds.SENT, f"sent-{message}", at, message=message, **MOBILE)


def key(press: str | None, at: str) -> Receipt:
    return Receipt("c1", "voicekey", f"k-{at}", at, keypress=press, **MOBILE)


def status(at: str, started: str | None = None, result: str = "0") -> Receipt:
    return Receipt("c1", "voiceprompt", f"s-{at}", at, result=result, started_at=started, **MOBILE)


CALLS = {
    "only a code sent": [sent("code")],
    "only a notification sent": [sent("tts")],
    "sent, then a key without a key": [sent("tts"), key(None, T1)],
    "a key, arrived before its sent record": [key("1", T1), sent("tts", T2)],
    "a status without a start, after a key": [key("2", T1), status(T2)],
    "a status with its start": [status(T3, started="2026-12-01T07:59:00Z"), key("3", T1)],
    # the later status receipt wins, though it reports the earlier start
    "two status receipts": [status(T1, "2026-12-01T07:59:30Z", "1"), status(T2, "2026-12-01T07:59:00Z")],
}


@pytest.mark.parametrize("name", list(CALLS))
def test_the_columns_fold_to_the_calls_own_facts(name):
    receipts = CALLS[name]
    call = Call.fold(sorted(receipts, key=lambda r: r.received_at))
    got = facts.fold([facts.inputs(r) for r in receipts])
    assert (got.callid, got.at, got.state, got.kind, got.phone, got.keys, got.result) == (
        call.callid, call.at, call.state, call.kind, call.phone, call.keys, call.result,
    )  # fmt: skip
