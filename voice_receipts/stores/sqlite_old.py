"""SQLite files written before the phone, call_at and fold-input columns: a writer adds the columns
and fills them from each stored record the way put() derives them; a reader (read-only) sees them
through a temporary view that derives them, so an old file answers like a new one."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

import voice_receipts.stores.facts as facts
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt

DERIVED = ("phone", "call_at", *facts.EXTRA_COLUMNS)
INTEGERS = {"ring_seconds", "talk_seconds", "fee_minutes", "failure_code"}


def columns_of(receipt: Receipt) -> tuple[Any, ...]:
    """DERIVED of a receipt: what put() writes beside the record, and what old rows are given."""
    return (receipt.phone, receipt.call_at, *facts.fold_columns(receipt))


@functools.lru_cache(maxsize=16)  # a view asks for each column of one row in turn: parse it once
def derived(record: str) -> tuple[Any, ...]:
    """DERIVED of a stored record, as put() writes them."""
    return columns_of(Receipt.from_dict(json.loads(record)))


def _derived_column(record: str, i: int) -> Any:
    return derived(record)[i]


def add_columns(db: sqlite3.Connection, columns: set[str]) -> None:
    """In the caller's transaction: the missing columns, then one pass over the old rows (a
    million take about a minute)."""
    missing = [c for c in DERIVED if c not in columns]
    for name in missing:
        kind = "INTEGER" if name in INTEGERS else "TEXT"
        db.execute(f"ALTER TABLE receipts ADD COLUMN {name} {kind}")
    if missing:
        sets = ", ".join(f"{name} = ?" for name in DERIVED)
        rows = db.execute("SELECT rowid, record FROM receipts").fetchall()
        db.executemany(
            f"UPDATE receipts SET {sets} WHERE rowid = ?",  # noqa: S608 - constants
            (_update(rowid, record) for rowid, record in rows),
        )


def _update(rowid: int, record: str) -> tuple[Any, ...]:
    try:
        return (*derived(record), rowid)
    except (ValueError, TypeError, AttributeError, RecursionError):  # not JSON, an object, a receipt
        # the record's text is not shown: it holds a phone number
        raise StoreUnavailable(f"the record stored at rowid {rowid} is not a receipt") from None


def view(db: sqlite3.Connection) -> None:
    """A temporary view named `receipts` (temp objects come first) that derives the columns:
    slow and unindexed, but it changes nothing in the file; a writer's first open adds them."""
    db.create_function("vr_derived", 2, _derived_column, deterministic=True)
    computed = ", ".join(f"vr_derived(record, {i}) AS {name}" for i, name in enumerate(DERIVED))
    select = f"SELECT rowid, callid, event_id, kind, received_at, record, {computed} FROM main.receipts"  # noqa: S608
    db.execute(f"CREATE TEMP VIEW receipts AS {select}")
