"""Order of arrival, where it decides what a call says: a second status receipt for one call (VMS
resending another version) wins over the first, and receipts stored in the same microsecond come
back in the order they arrived (SQLite's rowid), so a call's key presses keep their order."""

from __future__ import annotations

import pytest

from tests import samples
from voice_receipts.callbacks import parse_callback
from voice_receipts.calls import Call
from voice_receipts.receipt import Receipt, build_receipt

SAME = "2026-12-01T08:00:00.123456Z"


def receipt(name: str, at: str, **fields) -> Receipt:
    return build_receipt(parse_callback(samples.body(name, callid="c1", **fields)), received_at=at)


UNANSWERED = {"result": "1", "accept_time": "", "end_calltime": "1470197221"}
ANSWERED = {"result": "0", "accept_time": "1470197206", "end_calltime": "1470197236", "fee": "1"}


@pytest.mark.parametrize(
    ("first", "second", "state"),
    [(UNANSWERED, ANSWERED, "answered"), (ANSWERED, UNANSWERED, "not_answered")],
    ids=["then-answered", "then-unanswered"],
)
def test_a_later_status_receipt_for_the_same_call_wins(store, first, second, state):
    early = receipt("voiceprompt_callback", "2026-12-01T08:00:01.000000Z", **first)
    late = receipt("voiceprompt_callback", "2026-12-01T08:00:02.000000Z", **second)
    for order in ([early, late], [late, early]):  # whatever order the store hands them back
        call = Call.fold(order)
        assert call.state == state and call.result == second["result"]
        assert call.ended_at == late.ended_at and call.fee_minutes == late.fee_minutes
        assert len(call.receipts) == 2
    # and through a store: both kept, the later one read as the call's status
    store.put(late)
    store.put(early)
    assert store.call("c1").state == state


def test_receipts_stored_in_the_same_microsecond_come_back_in_arrival_order(store):
    presses = [receipt("voicekey_callback", SAME, keypress=key) for key in "3172"]
    for r in presses:
        assert store.put(r)
    assert [r.keypress for r in store.receipts("c1")] == list("3172")
    assert [r.keypress for r in store.receipts_between("2026-12-01T00:00:00Z")] == list("3172")
    assert store.call("c1").keys == tuple("3172")


def test_the_fold_keeps_the_order_it_is_given_for_receipts_of_the_same_microsecond():
    presses = [receipt("voicekey_callback", SAME, keypress=key) for key in "9081"]
    assert Call.fold(presses).keys == tuple("9081")
    assert Call.fold(list(reversed(presses))).keys == tuple("1809")
