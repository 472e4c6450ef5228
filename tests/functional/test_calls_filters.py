"""The calls API's filters come before its limit (a newer call that does not match must not take
a matching older one's place), and its default limit is 50: on SQLite, the store every user has."""

from __future__ import annotations

from datetime import datetime, timezone

from tests import samples
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt

PHONE = "+8613800138000"
NUMBER = {"mobile": "13800138000", "nationcode": "86"}


def at(minute: int) -> str:
    return f"2026-11-28T{minute // 60:02d}:{minute % 60:02d}:00.000000Z"


def status(store, callid: str, minute: int, result: str) -> None:
    """A call placed at `minute` (its start_calltime: the call's time), reported at once."""
    started = int(datetime(2026, 11, 28, minute // 60, minute % 60, tzinfo=timezone.utc).timestamp())
    body = samples.body(
        "voicecode_callback", callid=callid, result=result, start_calltime=str(started), **NUMBER
    )
    store.put(build_receipt(parse_callback(body), received_at=at(minute)))


def key(store, callid: str, minute: int) -> None:
    body = samples.body("voicekey_callback", callid=callid, keypress="1", **NUMBER)
    store.put(build_receipt(parse_callback(body), received_at=at(minute)))


def sent(store, callid: str, minute: int, context: str = "order-1") -> None:
    store.put(
        Receipt(
            callid=callid, kind="sent", event_id=f"sent-{callid}", received_at=at(minute), context=context
        )
    )


def test_a_state_filter_comes_before_the_limit(store):
    for n in range(3):
        status(store, f"answered-{n}", n, "0")
        sent(store, f"answered-{n}", n)
    for n in range(3, 6):  # newer, and not answered
        status(store, f"missed-{n}", n, "1")
        sent(store, f"missed-{n}", n)
    want = ["answered-2", "answered-1"]
    assert [c.callid for c in store.calls_for_phone(PHONE, limit=2, state="answered")] == want
    assert [c.callid for c in store.calls_for_context("order-1", limit=2, state="answered")] == want
    assert [c.callid for c in store.calls(limit=2, state="answered")] == want
    assert [c.callid for c in store.calls_for_phone(PHONE, limit=2)] == ["missed-5", "missed-4"]


def test_newer_calls_of_another_state_never_end_the_walk_early(store):
    """Far more newer calls than a first page holds, none of the state asked for: they are not
    counted towards the limit, so the walk goes on to the older call that matches."""
    status(store, "answered", 0, "0")
    sent(store, "answered", 0)
    for n in range(1, 41):
        status(store, f"missed-{n}", n, "1")
        sent(store, f"missed-{n}", n)
    assert [c.callid for c in store.calls(limit=1, state="answered")] == ["answered"]
    assert [c.callid for c in store.calls_for_phone(PHONE, limit=1, state="answered")] == ["answered"]


def test_a_since_filter_comes_before_the_limit(store):
    # "old" was placed before `since` but heard of again last of all (a key press): it is the
    # newest by its latest receipt, and must neither be listed nor take a newer call's place
    status(store, "old", 1, "0")
    status(store, "b", 5, "0")
    status(store, "c", 6, "0")
    key(store, "old", 10)
    found = store.calls_for_phone(PHONE, limit=2, since=at(3))
    assert [c.callid for c in found] == ["c", "b"]
    assert [c.callid for c in store.calls(since=at(3))] == ["c", "b"]


def test_since_and_state_together_both_apply(store):
    status(store, "early", 1, "0")
    status(store, "late-missed", 7, "1")
    status(store, "late", 8, "0")
    assert [c.callid for c in store.calls_for_phone(PHONE, since=at(5), state="answered")] == ["late"]
    assert [c.callid for c in store.calls(since=at(5), state="answered")] == ["late"]


def test_since_is_inclusive(store):
    status(store, "on-the-dot", 5, "0")
    assert [c.callid for c in store.calls_for_phone(PHONE, since=at(5))] == ["on-the-dot"]


def test_the_default_limit_is_50(store):
    for n in range(52):
        status(store, f"c{n:02d}", n, "0")
        sent(store, f"c{n:02d}", n)
    assert len(store.calls_for_phone(PHONE)) == 50
    assert len(store.calls_for_context("order-1")) == 50
    assert len(store.calls()) == 50
    assert len(store.calls(limit=None)) == 52
    assert len(list(store.callids())) == 52  # every call: a listing of callids has no limit
    assert store.calls_for_phone(PHONE)[0].callid == "c51"


def test_a_context_lookups_filters_come_before_its_limit(store):
    # 55 calls sent for one context: the three oldest answered, the newer 52 not; reading only the
    # newest 50 before filtering would find none of the answered ones
    for n in range(55):
        status(store, f"c{n:02d}", n, "0" if n < 3 else "1")
        sent(store, f"c{n:02d}", n)
    found = store.calls_for_context("order-1", state="answered")
    assert [c.callid for c in found] == ["c02", "c01", "c00"]
    # since inclusive, until exclusive, both on the call's time
    found = store.calls_for_context("order-1", since=at(1), until=at(2), state="answered")
    assert [c.callid for c in found] == ["c01"]


def test_an_unfiltered_context_lookup_reads_only_the_calls_it_shows(store, monkeypatch):
    for n in range(5):
        status(store, f"c{n}", n, "0")
        sent(store, f"c{n}", n)
    asked = []
    read = store.callids_for_context
    monkeypatch.setattr(store, "callids_for_context", lambda c, limit: asked.append(limit) or read(c, limit))
    assert [c.callid for c in store.calls_for_context("order-1", limit=2)] == ["c4", "c3"]
    assert asked == [2]


def test_a_period_is_the_calls_placed_in_it_with_or_without_an_end(store):
    status(store, "early", 1, "0")
    key(store, "early", 5)  # heard of inside the period, placed before it
    status(store, "inside", 4, "0")
    sent(store, "straddle", 6)  # sent inside the period, the call placed after its end
    status(store, "straddle", 9, "0")
    status(store, "late", 12, "0")
    assert sorted(f.callid for f in store.period_facts(at(3), at(8))) == ["inside"]
    assert sorted(f.callid for f in store.period_facts(at(3))) == ["inside", "late", "straddle"]


def test_a_call_sent_before_until_but_placed_after_it_is_not_listed(store):
    # the `sent` record is walked (its time is before `until`), the call's time is its start
    status(store, "inside", 4, "0")
    sent(store, "straddle", 6)
    status(store, "straddle", 9, "0")
    assert [c.callid for c in store.calls(until=at(8))] == ["inside"]
    assert [c.callid for c in store.calls_for_phone(PHONE, until=at(8))] == ["inside"]
    assert [c.callid for c in store.calls(until=at(10))] == ["straddle", "inside"]
