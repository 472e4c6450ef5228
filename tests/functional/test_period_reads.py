"""How a SQL store reads a report's period (stores/sql_period.py): the table's size from the
server's statistics decides between finding the period's calls first and one pass over the whole
table (when the period holds at least reads.MOSTLY of it); either way the odd calls are folded
in Python and counted only when placed in [since, until), and a store without its table says
so as a StoreUnavailable, whatever the statistics had."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import samples
from tests.functional.test_read_costs import START, call, iso
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.facts import Aggregates

SINCE, UNTIL = START, START + timedelta(hours=1)


def odd(callid: str, start) -> list:
    """A call with two status receipts: odd, folded in Python (stores/period.py)."""
    t, found = int(start.timestamp()), []
    for result, late in (("1", 70), ("0", 80)):
        body = samples.body("voicecode_callback", callid=callid, mobile="13800138000", result=result,
                            start_calltime=str(t), accept_time=str(t + 5), end_calltime=str(t + 65), fee="1")  # fmt: skip
        found.append(build_receipt(parse_callback(body), received_at=iso(start + timedelta(seconds=late))))
    return found


def filled(store, receipts):
    for r in receipts:
        assert store.put(r)
    analyze = "ANALYZE TABLE receipts" if store.name == "mysql" else "ANALYZE receipts"
    store.run(lambda db: db.cursor().execute(analyze), "analyze")
    return store


def counted(store, since, until):
    found = Aggregates()
    for f in store.period_facts(since, until):
        found.add(f)
    return vars(found)


def statements(store) -> list[str]:
    seen: list[str] = []
    rows = store._rows
    store._rows = lambda query, params: seen.append(query.sql) or rows(query, params)
    return seen


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_odd_calls_after_until_are_not_counted_by_the_whole_table_pass(kind, sql_store):
    inside = [r for n in range(3) for r in call(f"in-{n}", SINCE + timedelta(minutes=10 * n))]
    store = filled(sql_store(kind), [*inside, *odd("odd-in", SINCE + timedelta(minutes=40)),
                                     *odd("odd-after", UNTIL + timedelta(minutes=5))])  # fmt: skip
    seen = statements(store)
    aggregated = store.period_aggregates(iso(SINCE), iso(UNTIL))
    assert "IN (SELECT callid" not in seen[2] and "DISTINCT callid" not in seen[2]  # the whole table
    assert sum(aggregated.calls.values()) == 4  # three calls and odd-in; odd-after is after until
    assert vars(aggregated) == counted(store, iso(SINCE), iso(UNTIL))


def test_a_period_of_at_least_mostly_the_table_is_read_whole_and_less_by_its_calls(sql_store):
    """PostgreSQL's statistics after ANALYZE are the exact row count of a small table: 12 rows
    make MOSTLY (a quarter) 3 receipts; a window of 3 is read whole, one of 2 by its calls."""
    receipts = [r for n in range(12) for r in call(f"c-{n}", SINCE + timedelta(minutes=5 * n))]
    store = filled(sql_store("postgresql"), receipts)
    for minutes, whole in ((15, True), (10, False)):  # 3 calls of 1 receipt each, then 2
        seen = statements(store)
        until = iso(SINCE + timedelta(minutes=minutes))
        aggregated = store.period_aggregates(iso(SINCE), until)
        assert ("IN (SELECT callid" not in seen[2]) == whole, seen[2][-300:]
        assert vars(aggregated) == counted(store, iso(SINCE), until)
        assert sum(aggregated.calls.values()) == minutes // 5


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_a_store_without_its_table_is_unavailable_not_an_error(kind, sql_store):
    store = sql_store(kind)
    store.run(lambda db: db.cursor().execute("DROP TABLE receipts"), "drop the table")
    with pytest.raises(StoreUnavailable):
        store.period_aggregates(iso(SINCE), iso(UNTIL))
