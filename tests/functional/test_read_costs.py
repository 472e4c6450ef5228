"""What a listing reads, counted: base.Store._listing's promises about cost, not only its answers.

A listing walks the call_at index a page at a time: a first page about the answer's size
(2 x limit + 10 rows; limit + 10 for failed calls, one failure receipt each), doubling to at most
8 x PAGE, each page's new calls folded once, and no page after `limit` calls are certain. The
answer would be the same if it read more (it filters and de-duplicates again), so each promise
is checked here by recording every walk and every fold on a SQLite store. A SQL store's
period_facts reads only the period's calls, a page at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests import samples
from tests.functional.test_reads_at_scale import calls
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.times import later

START = datetime(2026, 11, 2, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def call(callid: str, start: datetime, keys: int = 0, mobile: str = "13800138000") -> list[Receipt]:
    """A call's status receipt (call_at: its start) and `keys` key presses 10 s apart after it."""
    t, common = int(start.timestamp()), {"callid": callid, "mobile": mobile}
    status = samples.body("voiceprompt_callback", **common, result="0", start_calltime=str(t),
                          accept_time=str(t + 5), end_calltime=str(t + 65), fee="1")  # fmt: skip
    found = [build_receipt(parse_callback(status), received_at=iso(start + timedelta(seconds=70)))]
    for k in range(keys):
        key = samples.body("voicekey_callback", **common, keypress=str(k))
        found.append(
            build_receipt(parse_callback(key), received_at=iso(start + timedelta(seconds=10 * k + 10)))
        )
    return found


class Reads:
    """Every walk (its cursor, arguments and rows) and every fold (its callids) a store makes."""

    def __init__(self, store) -> None:
        self.walks: list[tuple[object, dict, list]] = []
        self.folded: list[list[str]] = []
        walk, facts_of = store.walk, store.facts_of

        def walked(cursor, **arguments):
            rows = [tuple(row) for row in walk(cursor, **arguments)]
            self.walks.append((cursor, arguments, rows))
            return rows

        def folded(callids):
            self.folded.append(list(callids))
            return facts_of(callids)

        store.walk, store.facts_of = walked, folded

    def pages(self) -> list[int]:
        return [arguments["page"] for _, arguments, _ in self.walks]

    def assert_each_page_goes_on_from_the_last(self) -> None:
        """Each walk's cursor is the last row of the one before; each fold is its page's new calls."""
        assert [cursor for cursor, _, _ in self.walks] == [None] + [
            rows[-1] for _, _, rows in self.walks[:-1]
        ]
        seen: set[str] = set()
        for (_, _, rows), folded in zip(self.walks, self.folded, strict=True):
            new = [c for c in dict.fromkeys(c for _, c in rows) if c not in seen]
            assert folded == new
            seen.update(new)


def filled(receipts) -> SQLiteStore:
    store = SQLiteStore(":memory:")
    for r in receipts:
        store.put(r)
    return store


@pytest.fixture(scope="module")
def hundred():
    """100 calls over a day: status each, a key press every third, a failure every fifth."""
    return list(calls(100))


def test_a_listing_reads_one_page_of_twice_the_limit_and_ten_and_folds_only_its_calls(hundred):
    store = filled(hundred)
    reads = Reads(store)
    found = store.calls(limit=5)
    [(cursor, arguments, rows)] = reads.walks
    assert cursor is None and len(rows) == 20
    assert arguments == {"since": None, "until": None, "phone": None, "failed": False, "page": 2 * 5 + 10}
    assert reads.folded == [list(dict.fromkeys(c for _, c in rows))]  # the page's calls, each once
    assert [c.callid for c in found] == [f"c{i:05d}" for i in range(99, 94, -1)]


def test_a_failed_listing_walks_failure_receipts_a_first_page_of_the_limit_and_ten(hundred):
    store = filled(hundred)
    reads = Reads(store)
    assert len(store.calls(state="failed", limit=5)) == 5
    [(_, arguments, rows)] = reads.walks
    assert arguments["failed"] is True and arguments["page"] == 5 + 10 == len(rows)


def test_a_whole_listing_doubles_its_page_up_to_eight_pages(hundred, monkeypatch):
    monkeypatch.setattr("voice_receipts.stores.base.PAGE", 5)
    store = filled(hundred)
    reads = Reads(store)
    assert len(store.calls(limit=None)) == 100
    assert reads.pages() == [5, 10, 20, 40, 40, 40]  # 154 receipts; at most 8 x PAGE a walk
    assert [len(rows) for _, _, rows in reads.walks] == [5, 10, 20, 40, 40, 39]
    reads.assert_each_page_goes_on_from_the_last()
    assert sorted(c for page in reads.folded for c in page) == sorted({r.callid for r in hundred})


@pytest.mark.parametrize(
    ("keys", "limit", "pages"),
    [
        (2, 7, [24]),  # 24 rows: 8 calls of 3; the walk is below 7 of them: certain, no page more
        (3, 5, [20, 40]),  # 20 rows: 5 calls of 4, the walk not below the 5th's time: a page more
    ],
)
def test_a_listing_stops_once_limit_calls_are_certain(keys, limit, pages):
    store = filled(r for i in range(30) for r in call(f"k{i:02d}", START + timedelta(minutes=i), keys))
    reads = Reads(store)
    found = store.calls(limit=limit)
    assert reads.pages() == pages
    reads.assert_each_page_goes_on_from_the_last()
    assert [c.callid for c in found] == [f"k{i:02d}" for i in range(29, 29 - limit, -1)]


def test_the_filters_are_the_walks_own(hundred):
    """since, until, a number and failed are asked of the walk, not only applied to its rows."""
    other = [
        r for i in range(10) for r in call(f"o{i}", START + timedelta(days=27, minutes=i), 1, "13900139000")
    ]
    store = filled([*hundred, *other])
    at = sorted({r.call_at for r in hundred})
    since, until = at[20], at[-20]
    every = {"since": None, "until": None, "phone": None, "failed": False}
    asked = [
        (lambda: store.calls(since=since, until=until, limit=3), {"since": since, "until": until}),
        (lambda: store.calls(until=until, state="failed", limit=3), {"until": later(until, 3600), "failed": True}),
        (lambda: store.calls_for_phone("13900139000", until=other[-1].call_at, limit=3),
         {"until": other[-1].call_at, "phone": "+8613900139000"}),
    ]  # fmt: skip
    for listing, arguments in asked:
        reads = Reads(store)
        assert len(listing()) == 3
        assert [{k: v for k, v in a.items() if k != "page"} for _, a, _ in reads.walks] == [
            {**every, **arguments}
        ]


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_a_sql_period_reads_the_calls_with_a_receipt_in_it_a_page_at_a_time(kind, sql_store, monkeypatch):
    """The calls placed in [since, until): found by their receipts in the window (a call placed
    before since with a key press after it is read, and dropped; one whose key press came before
    until but which started after it too), folded PAGE calls at a time."""
    monkeypatch.setattr("voice_receipts.stores.sql_period.PAGE", 2)
    since, until = START + timedelta(hours=1), START + timedelta(hours=2)
    placed = {
        "before": (since - timedelta(seconds=15), 3),  # its key presses at since - 5 s, + 5 s, + 15 s
        "at-since": (since, 0),
        "inside": (since + timedelta(minutes=30), 1),
        "late": (until - timedelta(seconds=5), 0),
        "at-until": (until, 0),
        "after": (until + timedelta(minutes=30), 0),
    }
    store = sql_store(kind)
    receipts = [r for callid, (start, keys) in placed.items() for r in call(callid, start, keys)]
    early = call("early-key", until - timedelta(seconds=30), 1)  # its status says: started at until + 1 h
    receipts += [early[1], *call("early-key", until + timedelta(hours=1))]
    for r in receipts:
        assert store.put(r)
    for window, want, read in (
        ((iso(since), iso(until)), {"at-since", "inside", "late"}, {"before", "at-since", "inside", "late", "early-key"}),
        ((iso(since), None), {*placed, "early-key"} - {"before"}, {*placed, "early-key"}),
    ):  # fmt: skip
        reads = Reads(store)
        assert {f.callid for f in store.period_facts(*window)} == want
        assert set(sum(reads.folded, [])) == read  # every call with a receipt in the window, once
        assert [len(p) for p in reads.folded] == [min(2, len(read) - i) for i in range(0, len(read), 2)]
