"""Every read the SQL stores make is an index range read, not a full scan: each query of sql.reads()
is EXPLAINed on a table of a few thousand receipts (ANALYZEd, so the planner knows its size)."""

from __future__ import annotations

import json

import pytest

from tests.sqlservers import admin_url, fresh_database
from voice_receipts.receipt import Receipt
from voice_receipts.stores import open_store, sql

CALLS, PER_CALL = 1500, 2  # 3,000 rows: enough that a scan is the costlier plan on both servers
SINCE, UNTIL = "2026-12-27T00:00:00Z", "2026-12-28T00:00:00Z"  # the last days of the year


def fill(server, database: str) -> None:
    rows = []
    for n in range(CALLS):
        day = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00.000000Z"
        for k in range(PER_CALL):
            kind = "sent" if k == 0 else "voicecode"
            rows.append(sql.row(Receipt(
                f"call-{n}", kind, f"{kind}-{n}", day, mobile=f"13{n % 500:09d}", nationcode="86",
                context=f"order-{n % 700}" if kind == "sent" else None,
            )))  # fmt: skip
    with server.admin(database) as db:
        cursor = db.cursor()
        cursor.executemany(sql.INSERT, rows)
        cursor.execute("ANALYZE TABLE receipts" if server.scheme == "mysql" else "ANALYZE receipts")
        if cursor.description:
            cursor.fetchall()


MYSQL_RANGE_READS = {"range", "ref", "eq_ref", "const", "ref_or_null"}  # not ALL, not `index` (all of it)


def plan(server, database: str, query: sql.Query, params: tuple) -> list[tuple[str, str | None, bool]]:
    """(access type, index, bounded) for each read of the receipts table in the query's plan;
    bounded: the read has a range or key condition on its index (not the whole table or index)."""
    with server.admin(database) as db:
        cursor = db.cursor()
        if server.scheme == "mysql":
            cursor.execute("EXPLAIN " + query.sql, params)
            names = [d[0] for d in cursor.description]
            found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            return [(r["type"], r["key"], r["type"] in MYSQL_RANGE_READS)
                    for r in found if r["table"] in ("receipts", "r", "e")]  # fmt: skip
        cursor.execute("EXPLAIN (FORMAT JSON) " + query.sql, params)
        [(document,)] = cursor.fetchall()
        document = json.loads(document) if isinstance(document, str) else document
        return [(node["Node Type"], node.get("Index Name"), "Index Cond" in node)
                for node in _nodes(document[0]["Plan"])
                if node["Node Type"] == "Seq Scan" or node.get("Index Name")]  # fmt: skip


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_every_read_uses_an_index(kind, sql_server):
    server = sql_server(kind)
    database = fresh_database(server)
    fill(server, database)
    key_index = open_store(admin_url(server, database)).SCHEMA.key_index
    reads = sql.reads(SINCE, UNTIL, phone="+8613000000007", context="order-7")
    assert set(reads) >= {
        "receipts",
        "callids",
        "callids_for_phone",
        "callids_for_context",
        "receipts_between",
    }
    for method, (query, params) in reads.items():
        steps = plan(server, database, query, params)
        assert steps, (method, steps)
        scans = [s for s in steps if not s[2]]
        assert scans == [], f"{method} reads a whole table or index: {steps}"
        expected = key_index if query.index_name == "primary key" else query.index_name
        assert expected in [index for _, index, _ in steps], f"{method}: {steps}"
