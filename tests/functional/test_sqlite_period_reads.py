"""How SQLite reads a report's period (SQLiteStore.period_aggregates), what
test_period_reads.py checks of the SQL stores: max(rowid), the table's size at once, decides
between folding the calls with a receipt in the window (`IN (SELECT callid ...)`) and one pass
over the whole table (the window holds at least reads.MOSTLY of it); an empty file answers
nothing, not an error; odd calls are counted only when placed in [since, until); the counts by
time and by shape are tallied in Python, not sorted by GROUP BY (stores/period.py, TALLIES);
and the counts are by UTC minute unless asked by hour. Which path was taken is seen in the
statements the store's connection ran (sqlite3's trace callback)."""

from __future__ import annotations

from datetime import timedelta

from tests.functional.test_period_reads import SINCE, UNTIL, odd
from tests.functional.test_read_costs import call, iso
from tests.functional.test_reads_at_scale import calls
from voice_receipts.stores import period
from voice_receipts.stores.facts import Aggregates
from voice_receipts.stores.sqlite import SQLiteStore


def filled(receipts) -> SQLiteStore:
    store = SQLiteStore(":memory:")
    for r in receipts:
        assert store.put(r)
    return store


def one_by_one(store, since, until) -> dict:
    found = Aggregates()
    for f in store.period_facts(since, until):
        found.add(f)
    return vars(found)


def traced(store) -> list[str]:
    """Every statement the store's connection runs from now on, parameters bound."""
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    return seen


def folded_whole(seen: list[str]) -> bool:
    """Whether the period's calls were folded from the whole table, not found by the window."""
    [made] = [s for s in seen if "CREATE TEMP TABLE period_calls" in s]
    return "IN (SELECT callid" not in made


def test_an_empty_store_aggregates_nothing_and_says_so_without_an_error():
    store = SQLiteStore(":memory:")  # max(rowid) of no rows is NULL: a size of nothing, not 0 rows
    for until in (iso(UNTIL), None):
        assert vars(store.period_aggregates(iso(SINCE), until)) == vars(Aggregates())


def test_a_period_of_at_least_mostly_the_table_is_read_whole_and_less_by_its_calls():
    """12 receipts (rowids 1 to 12) make MOSTLY (a quarter) 3 receipts: a window of 3 is read
    whole, one of 2 by its calls."""
    store = filled(r for n in range(12) for r in call(f"c-{n}", SINCE + timedelta(minutes=5 * n)))
    for minutes, whole in ((15, True), (10, False)):  # 3 calls of 1 receipt each, then 2
        until = iso(SINCE + timedelta(minutes=minutes))
        seen = traced(store)
        aggregated = store.period_aggregates(iso(SINCE), until)
        assert folded_whole(seen) == whole, minutes
        assert vars(aggregated) == one_by_one(store, iso(SINCE), until)
        assert sum(aggregated.calls.values()) == minutes // 5


def test_odd_calls_after_until_are_not_counted_by_the_whole_table_pass():
    inside = [r for n in range(3) for r in call(f"in-{n}", SINCE + timedelta(minutes=10 * n))]
    store = filled([*inside, *odd("odd-in", SINCE + timedelta(minutes=40)),
                    *odd("odd-after", UNTIL + timedelta(minutes=5))])  # fmt: skip
    seen = traced(store)
    aggregated = store.period_aggregates(iso(SINCE), iso(UNTIL))
    assert folded_whole(seen)  # 5 of 7 receipts in the window: odd-after is read too
    assert sum(aggregated.calls.values()) == 4  # three calls and odd-in; odd-after is after until
    assert vars(aggregated) == one_by_one(store, iso(SINCE), iso(UNTIL))


def test_the_counts_by_time_and_by_shape_are_tallied_not_grouped_by():
    """SQLite sorts to GROUP BY; the two aggregates of one row a call are read once and counted
    in Python instead (TALLIES), the others (a few rows: keys, odd calls) grouped by SQLite."""
    store = filled(calls(40))  # key presses and failures: every shape of count has some
    since = "2025-01-01T00:00:00.000000Z"
    seen = traced(store)
    aggregated = store.period_aggregates(since)
    grouped = [s for s in seen if "FROM period_calls" in s and "GROUP BY" in s]
    assert len(grouped) == len(period.AGGREGATES) - len(period.TALLIES) == 2
    assert all(tally.format(width=16) in seen for tally in period.TALLIES.values())
    assert vars(aggregated) == one_by_one(store, since, None)
    assert aggregated.failures and aggregated.keys and aggregated.talk


def test_the_counts_are_by_utc_minute_unless_asked_by_hour():
    store = filled(call("c", SINCE + timedelta(minutes=7)))
    by_minute = store.period_aggregates(iso(SINCE), iso(UNTIL))
    assert by_minute.width == 16 and dict(by_minute.calls) == {(iso(SINCE)[:14] + "07", "answered"): 1}
    by_hour = store.period_aggregates(iso(SINCE), iso(UNTIL), hourly=True)
    assert by_hour.width == 13 and dict(by_hour.calls) == {(iso(SINCE)[:13], "answered"): 1}
