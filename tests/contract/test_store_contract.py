"""The promises every store keeps (voice_receipts/stores/base.py), tested on every store.

Each test runs once per backend of tests/contract/backends.py: SQLite, DynamoDB (moto), SQS
(moto), CMQ (the TDMQ stub), and the SQL stores once they join the registry.
"""

from __future__ import annotations

import json

import pytest

from tests import samples
from tests.contract.backends import as_json
from voice_receipts.app import App
from voice_receipts.callbacks import load_json, parse_callback
from voice_receipts.errors import InvalidLookup, StoreUnavailable, UnsupportedOperation
from voice_receipts.receipt import Receipt, build_receipt


def receipt(
    key: str = "voicekey_callback", received_at: str = "2026-12-01T00:00:00.000000Z", **fields
) -> Receipt:
    raw = samples.body(key, **fields)
    return build_receipt(parse_callback(load_json(json.dumps(raw).encode())), received_at=received_at)


def test_put_is_insert_if_absent(backend):
    first = receipt(callid="contract-1")
    assert backend.store.put(first) is True
    again = backend.store.put(first)
    if backend.dedupes and backend.readable:
        assert again is False  # a table knows the duplicate and says so
    held = [r for r in backend.read_back() if r.callid == "contract-1"]
    assert [as_json(r) for r in held] == [as_json(first)] * (1 if backend.dedupes else 2)


def test_callids_that_differ_only_in_case_or_trailing_space_are_different_calls(backend):
    callids = ["abc", "ABC", "abc ", " abc"]
    for callid in callids:
        assert backend.store.put(receipt(callid=callid)) is True
    assert sorted(r.callid for r in backend.read_back()) == sorted(callids)


@pytest.mark.parametrize(
    "text",
    ["😀 emoji, 4 bytes in UTF-8", "NUL \u0000 inside", "U+FFFF \uffff and U+2028 \u2028", "中文 失败原因"],
)
def test_every_accepted_receipt_is_held_exactly_as_it_came(backend, text):
    sent = receipt("voice_failure_callback", callid="held-1", failure_reason=text, extra_field=text)
    assert backend.store.put(sent) is True
    [held] = [r for r in backend.read_back() if r.callid == "held-1"]
    assert as_json(held) == as_json(sent)
    assert held.raw["extra_field"] == text


def test_a_service_that_fails_is_a_503_and_the_redelivery_is_stored_once(backend):
    app = App.configured(backend.settings, backend.store)
    body = samples.body("voicekey_callback", callid="retry-1")
    backend.fail(True)
    refused = app.handle(body).reply
    assert (refused.status, refused.result) == (503, 5030)
    backend.fail(False)
    assert app.handle(body).reply.status == 200
    if backend.dedupes:
        assert app.handle(body).reply.status == 200  # VMS's own redelivery
    held = [r for r in backend.read_back() if r.callid == "retry-1"]
    assert len(held) == 1


def test_a_queue_refuses_to_be_read_as_a_table(queue):
    with pytest.raises(UnsupportedOperation, match="consume the queue"):
        queue.store.call("c1")


# -- the calls API: every store that can read answers it the same way -----------------------


def test_a_calls_receipts_come_back_oldest_first(table):
    later = receipt("voicekey_callback", "2026-12-01T00:00:02.000000Z", callid="c1", keypress="2")
    earlier = receipt("voicekey_callback", "2026-12-01T00:00:01.000000Z", callid="c1", keypress="1")
    for r in (later, earlier):
        table.store.put(r)
    assert [r.keypress for r in table.store.receipts("c1")] == ["1", "2"]
    assert table.store.call("c1").keys == ("1", "2")
    assert table.store.call("no-such-call") is None


def test_calls_for_phone_finds_a_number_however_it_is_typed(table):
    table.store.put(receipt("voicecode_callback", callid="p1", mobile="13800138000", nationcode="86"))
    table.store.put(receipt("voicecode_callback", callid="p2", mobile="13900139000", nationcode="86"))
    for typed in ("13800138000", "+8613800138000", "+86 138 0013 8000", "0086-138-0013-8000"):
        assert [c.callid for c in table.store.calls_for_phone(typed)] == ["p1"], typed
    for empty in ("", "  "):
        with pytest.raises(InvalidLookup):
            table.store.calls_for_phone(empty)
    with pytest.raises(InvalidLookup):
        table.store.calls_for_context("")


def test_a_failure_receipt_makes_a_call_failed_on_every_store(table):
    table.store.put(receipt("voiceprompt_callback", callid="f1", result="2"))
    table.store.put(receipt("voice_failure_callback", callid="f1", failure_code=8))
    table.store.put(receipt("voiceprompt_callback", callid="e1", result="2"))
    assert [c.callid for c in table.store.calls(state="failed")] == ["f1"]
    assert [c.callid for c in table.store.calls(state="call_error")] == ["e1"]
    call = table.store.call("f1")
    assert (call.state, call.result, call.failure_code) == ("failed", "2", 8)


def test_reading_a_store_that_fails_is_unavailable_not_a_crash(table):
    table.fail(True)
    with pytest.raises(StoreUnavailable):
        table.store.call("c1")
