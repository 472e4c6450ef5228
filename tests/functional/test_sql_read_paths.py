"""Every query a SQL store sends while it answers real reads reads the index it names: each
statement recorded at SQLStore._rows, with its parameters, on a filled and ANALYZEd table is
EXPLAINed and must read that index (the key index for "primary key") and nothing whole but an
index walked in order that stops at its LIMIT. sql.Query.index_name is never sent: this test
and test_store_sql_plans.py (sql.reads()'s sample queries) are what read it.

A report's first statement is named "statistics": how many rows the table has, from the
server's own statistics (InnoDB's estimate, pg_class.reltuples), read at once without touching
the receipts table; the report reads the whole table in key order when its period holds at
least a quarter of that (test_period_reads.py)."""

from __future__ import annotations

import contextlib
import json

import pytest

from tests.functional.test_store_sql_plans import CALLS, PER_CALL, fill, plan

SINCE, UNTIL = "2026-06-02T05:00:00.000000Z", "2026-06-02T06:00:00.000000Z"  # 9 calls of 1,500
CURSOR = ("2026-06-15T00:00:00.000000Z", "call-1")


class Recorded:
    """Every (query, params) the store sends through _rows."""

    def __init__(self, store) -> None:
        self.sent: list[tuple] = []
        rows = store._rows
        store._rows = lambda query, params: self.sent.append((query, params)) or rows(query, params)


def read_everything(store) -> None:
    """Each read path of the store, each walk filter among them."""
    store.calls(limit=5)
    store.calls(since=SINCE, limit=5)
    store.calls(until=SINCE, limit=5)
    assert len(store.calls(since=SINCE, until=UNTIL, limit=None)) == 9
    store.calls(state="failed", since=SINCE, until=UNTIL, limit=5)
    store.calls_for_phone("+8613000000007", limit=3)
    store.walk(CURSOR, page=10)
    store.walk(CURSOR, since=SINCE, page=10)
    store.walk(CURSOR, phone="+8613000000007", page=10)
    store.calls_for_context("order-7", limit=3)
    store.callids_for_phone("+8613000000007", 3)
    store.callids("2026-12-28T00:00:00.000000Z")
    list(store.receipts_between(SINCE, UNTIL))
    store.receipts("call-7")
    list(store.period_facts(SINCE, UNTIL))
    store.period_aggregates(SINCE, UNTIL)
    store.period_aggregates("2026-12-29T00:00:00.000000Z", None, hourly=True)


class Connected:
    """The store's own connection as test_store_sql_plans.plan()'s server: one connection for
    every EXPLAIN (a new one each is most of this test's time on MariaDB)."""

    def __init__(self, store, db) -> None:
        self.scheme, self.db = store.server.scheme, db

    @contextlib.contextmanager
    def admin(self, database):
        yield self.db


def relations(db, query, params) -> list[str]:
    """The tables a PostgreSQL plan reads."""
    cursor = db.cursor()
    cursor.execute("EXPLAIN (FORMAT JSON) " + query.sql, params)
    [(document,)] = cursor.fetchall()
    document = json.loads(document) if isinstance(document, str) else document
    found, todo = [], [document[0]["Plan"]]
    while todo:
        node = todo.pop()
        found += [node["Relation Name"]] if "Relation Name" in node else []
        todo += node.get("Plans", [])
    return found


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_every_query_a_read_sends_reads_the_index_it_names(kind, sql_store):
    store = sql_store(kind)
    fill(store.server, store.database)
    recorded = Recorded(store)
    read_everything(store)
    named = {query.index_name for query, _ in recorded.sent}
    assert named == {"primary key", "statistics", "receipts_by_call_at", "receipts_by_phone",
                     "receipts_by_context", "receipts_by_received_at"}  # fmt: skip
    check(kind, store, store.run(lambda db: db, "connect"), recorded.sent)


def check(kind, store, db, sent) -> None:
    for query, params in sent:
        steps = plan(Connected(store, db), store.database, query, params)
        if query.index_name == "statistics":  # the server's statistics: no receipt is read
            assert not [s for s in steps if (s[1] or "").startswith("receipts")], (steps, query.sql)
            assert kind == "mysql" or "receipts" not in relations(db, query, params)
            [(rows,)] = _fetch(db, query)
            assert CALLS * PER_CALL / 2 <= int(rows) <= CALLS * PER_CALL * 2  # ANALYZEd: about right
            continue
        expected = store.SCHEMA.key_index if query.index_name == "primary key" else query.index_name
        assert expected in [index for _, index, _ in steps], (query.index_name, steps, query.sql)
        # nothing whole, but an index read in order up to the LIMIT: the walk's own index
        whole = [s for s in steps if not s[2]]
        assert all(s[1] == expected and s[0] != "ALL" for s in whole), (steps, query.sql)
        assert not whole or query.sql.endswith("LIMIT %s"), (steps, query.sql)


def _fetch(db, query) -> list:
    cursor = db.cursor()
    cursor.execute(query.sql)
    return list(cursor.fetchall())
