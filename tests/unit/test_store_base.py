"""What Store gives a backend that implements only put, receipts and receipts_between: calls
folded one by one, and a report's period read from the receipts that arrived in it."""

from __future__ import annotations

from datetime import datetime, timezone

from tests import samples
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.base import Store

NUMBER = {"mobile": "13800138000", "nationcode": "86"}


def at(minute: int) -> str:
    return f"2026-11-28T00:{minute:02d}:00.000000Z"


class ListStore(Store):
    """The least a backend that reads can be: a list, no index."""

    name = "list"

    def __init__(self) -> None:
        self.kept: list[Receipt] = []

    def put(self, receipt: Receipt) -> bool:
        self.kept.append(receipt)
        return True

    def receipts(self, callid: str) -> list[Receipt]:
        return [r for r in self.kept if r.callid == callid]

    def receipts_between(self, since, until=None, progress=None):
        return iter(
            [r for r in self.kept if r.received_at >= since and (until is None or r.received_at < until)]
        )


def status(store: Store, callid: str, placed: int, received: int | None = None) -> None:
    started = int(datetime(2026, 11, 28, 0, placed, tzinfo=timezone.utc).timestamp())
    body = samples.body(
        "voicecode_callback", callid=callid, result="0", start_calltime=str(started), **NUMBER
    )
    store.put(build_receipt(parse_callback(body), received_at=at(placed if received is None else received)))


def test_calls_are_folded_one_by_one_in_the_order_asked_and_unknown_ones_left_out():
    store = ListStore()
    status(store, "a", 1)
    status(store, "b", 2)
    assert [c.callid for c in store.calls_of(["b", "nobody", "a"])] == ["b", "a"]
    assert [f.callid for f in store.facts_of(["a", "b"])] == ["a", "b"]


def test_a_period_is_the_calls_placed_in_it_not_every_call_heard_of_in_it():
    store = ListStore()
    status(store, "early", 1, received=5)  # reported inside the period, placed before it
    status(store, "inside", 4)
    status(store, "on-the-end", 8)
    status(store, "late", 9)
    assert [f.callid for f in store.period_facts(at(3), at(8))] == ["inside"]
    assert [f.callid for f in store.period_facts(at(3))] == ["inside", "on-the-end", "late"]
    assert [f.callid for f in store.period_facts(at(5), at(6))] == []  # early's receipt, not its call
    assert store.period_aggregates(at(3)).calls == {
        ("2026-11-28T00:04", "answered"): 1,
        ("2026-11-28T00:08", "answered"): 1,
        ("2026-11-28T00:09", "answered"): 1,
    }
    assert store.period_aggregates(at(3), at(8), hourly=True).calls == {("2026-11-28T00", "answered"): 1}


def test_a_period_reads_only_the_receipts_that_arrived_in_it():
    """The end is the read's too: a receipt that arrived after until is not read (docs/testing.md
    called dropping it equivalent: the same calls, but everything since `since` read and folded)."""
    store, asked = ListStore(), []
    status(store, "inside", 4)
    status(store, "after", 20)
    between = store.receipts_between
    store.receipts_between = lambda *args, **kwargs: asked.append(args) or between(*args, **kwargs)
    assert [f.callid for f in store.period_facts(at(3), at(10))] == ["inside"]
    assert asked == [(at(3), at(10))]


def test_a_status_that_says_it_started_after_until_is_not_in_the_period_though_it_arrived_before():
    """VMS's clock is not ours: a status received before until may say the call started after
    it (Call.at). The period is the calls placed in it, so the end applies to Call.at as well."""
    store = ListStore()
    status(store, "skewed", 11, received=9)
    status(store, "inside", 4)
    assert [f.callid for f in store.period_facts(at(3), at(10))] == ["inside"]
