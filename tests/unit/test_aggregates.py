"""What a report counts does not depend on the order a store counted the calls in: the failure
table ties by code, and a code's reason is the least VMS sent with it (each store's GROUP BY
returns its groups in its own order; stores/period.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from voice_receipts.stores.facts import Aggregates
from voice_receipts.tools.report.data import summarise

SINCE, UNTIL = datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 2, tzinfo=timezone.utc)


def counted(rows: list[tuple]) -> Aggregates:
    shape = [(None, None, 1, code, None, n, reason) for code, n, reason in rows]
    calls = [("2026-12-01T08", "failed", sum(n for _, n, _ in rows), 0)]
    return Aggregates.of_rows({"calls": calls, "shape": shape, "keys": []}, 13)


def test_the_failure_table_and_its_reasons_are_the_same_in_any_order():
    rows = [(9, 1, "b"), (None, 2, None), (5, 1, "x"), (9, 1, "a"), (8, 2, "z"), (5, 1, None)]
    tables = [
        summarise(counted(order), SINCE, UNTIL, timezone.utc, "UTC")["failures"]
        for order in (rows, rows[::-1])
    ]
    assert tables[0] == tables[1]
    assert [(r["code"], r["calls"]) for r in tables[0]] == [(5, 2), (8, 2), (9, 2), (None, 2)]
    assert counted(rows).reasons == counted(rows[::-1]).reasons == {9: "a", None: None, 5: "x", 8: "z"}
