"""A report's period aggregated in the database (stores/period.py) is the calls counted one by one,
on SQLite, MariaDB and PostgreSQL: the bench's kind of calls and the samples' odd ones (an
undocumented result, a failure beside a status, key presses), by minute and by hour; a SQL store
answers in one statement a reader with SELECT only may run, and rows stored before the
fold-input columns existed are folded from their records."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests import samples, sqlservers
from tests.functional.test_reads_at_scale import END, calls, iso
from voice_receipts.app import App
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import Settings
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store
from voice_receipts.stores.facts import Aggregates
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools.replay import items, replay_one

# six hours of the bench-like calls; everything from 2025 on, with no end (the samples too)
PERIODS = ((iso(END - timedelta(hours=6)), iso(END)), ("2025-01-01T00:00:00Z", None))


def odd_calls():
    """Calls the SQL fold leaves to Python (odd): a result padded with blanks (answered) and one
    VMS does not document, two status receipts, a key press beside a code, two failure receipts."""
    t = int((END - timedelta(hours=2)).timestamp())

    def receipt(kind, callid, at, **fields):
        body = samples.body(f"{kind}_callback", callid=callid, mobile="13900139000", **fields)
        return build_receipt(parse_callback(body), received_at=iso(END - timedelta(seconds=at)))

    status = {"start_calltime": str(t), "accept_time": str(t + 5), "end_calltime": str(t + 65), "fee": "1"}
    yield receipt("voiceprompt", "odd-padded", 100, result=" 0 ", **status)
    yield receipt("voiceprompt", "odd-undocumented", 100, result="7", **status)
    # the last status decides the call's time: out of the six hours though the other is in, and in
    # though the other is after their end
    for callid, first, last in (("odd-twice-out", t, t - 6 * 3600), ("odd-twice-in", t + 3 * 3600, t - 3600)):
        yield receipt("voicecode", callid, 100, result="1", **status | {"start_calltime": str(first)})
        yield receipt("voicecode", callid, 90, result="0", **status | {"start_calltime": str(last)})
    yield receipt("voicecode", "odd-key", 100, result="0", **status)
    yield receipt("voicekey", "odd-key", 90, keypress="5")
    yield receipt("voiceprompt", "odd-failures", 100, result="0", **status)
    yield receipt("voice_failure", "odd-failures", 90, failure_code="8")
    yield receipt("voice_failure", "odd-failures", 80, failure_code="9")


def fill(store):
    for r in [*calls(120, days=4), *odd_calls()]:
        store.put(r)
    app = App(Settings(), store)
    for item in items([samples.EVENTS]):
        replay_one(app, item)
    if not isinstance(store, SQLiteStore):  # the row count a SQL store's report plans with
        analyze = "ANALYZE TABLE receipts" if store.name == "mysql" else "ANALYZE receipts"
        store.run(lambda db: db.cursor().execute(analyze), "analyze")
    return store


@pytest.fixture(params=["sqlite", "mysql", "postgresql"])
def store(request, tmp_path, sql_store):
    if request.param == "sqlite":
        opened = SQLiteStore(tmp_path / "r.db")
        yield fill(opened)
        opened.close()
    else:
        yield fill(sql_store(request.param))


def one_by_one(store, since, until, hourly):
    counted = Aggregates(13 if hourly else 16)
    for f in store.period_facts(since, until):
        counted.add(f)
    return counted


@pytest.mark.parametrize("hourly", [False, True])
@pytest.mark.parametrize("period", PERIODS)
def test_the_aggregates_are_the_calls_counted_one_by_one(store, period, hourly):
    aggregated = store.period_aggregates(*period, hourly=hourly)
    assert vars(aggregated) == vars(one_by_one(store, *period, hourly))
    assert sum(aggregated.calls.values()) == len(store.calls(since=period[0], until=period[1], limit=None))
    assert aggregated.keys and aggregated.failures and aggregated.talk
    assert aggregated.calls[(iso(END - timedelta(hours=2))[: aggregated.width], "undocumented")] == 1


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_a_sql_store_aggregates_in_one_statement_that_a_reader_may_run(sql_store, kind):
    owner = fill(sql_store(kind))
    user, password = f"reader_{uuid.uuid4().hex[:8]}", "reader-pw-1"
    sqlservers.create_user(owner.server, owner.database, user, password, grants="SELECT")
    reader = open_store(owner.server.url(user, owner.database, password))
    statements: list[str] = []
    rows = reader._rows
    reader._rows = lambda query, params: statements.append(query.sql) or rows(query, params)
    try:
        for since, until in PERIODS:
            statements.clear()
            aggregated = reader.period_aggregates(since, until)
            assert vars(aggregated) == vars(one_by_one(owner, since, until, False))
            # the table's size and the period's (to plan), the counts in one GROUP BY
            # statement, then the odd calls' records, a page at a time
            assert len(statements) == 4 and "record" not in " ".join(statements[:3])
            assert "GROUP BY" in statements[2] and "record" in statements[3]
            # six hours of four days: the period's calls found first; everything: one pass
            assert ("SELECT DISTINCT callid" in statements[2] or "IN (SELECT callid" in statements[2]) == (
                until is not None
            )
    finally:
        reader.close()


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_rows_stored_before_the_fold_input_columns_are_folded_from_their_records(sql_store, kind):
    store = fill(sql_store(kind))
    want = vars(one_by_one(store, "2025-01-01T00:00:00Z", None, False))
    # what `db init` leaves on a table that had receipts before it added the columns
    columns = ("started_at", "result", "ring_seconds", "talk_seconds", "fee_minutes", "keypress",
               "failure_code", "failure_reason", "message")  # fmt: skip
    store.run(
        lambda db: db.cursor().execute(f"UPDATE receipts SET {', '.join(f'{c} = NULL' for c in columns)}"),
        "forget the fold inputs",
    )
    assert vars(store.period_aggregates("2025-01-01T00:00:00Z", None)) == want
