"""The reads every SQL-speaking store shares (SQLite here; MySQL and PostgreSQL through sql.py):
each one walks an index and stops at its limit, so an answer costs what the answer is.

`p` is the driver's parameter marker ("?" for sqlite3, "%s" for PyMySQL and psycopg). The
indexes they rely on (every store creates them):
- receipts_by_call_at (call_at, callid): listing and `--since`, newest first, keyset pages;
- receipts_by_phone (phone, call_at, callid): one number's calls, covering: never the table;
- receipts_failed (call_at, callid) WHERE kind = 'voice_failure': `--state failed` walks only
  failure receipts (a failed call has one);
- receipts_fold (callid, the fold inputs): a page's facts and a report's period, covering;
- the primary key (callid, event_id): a page of calls' receipts in one IN query.
"""

from __future__ import annotations

from typing import Any

from voice_receipts.stores.facts import EXTRA_COLUMNS, FOLD_INPUTS, Cursor

TABLE = "receipts"
FAILED_KIND = "voice_failure"
INDEXES = (
    ("receipts_by_call_at", "call_at, callid", ""),
    # every fold input beside the callid: a page's facts and a report's period read this index
    # alone (~150 B a receipt), never the table's rows with their records (~1 KB)
    ("receipts_fold", ", ".join(FOLD_INPUTS), ""),
    ("receipts_by_phone_call_at", "phone, call_at, callid", ""),
    ("receipts_failed", "call_at, callid", f"kind = '{FAILED_KIND}'"),
)


def walk(p: str, *, after: bool, since: bool, until: bool, phone: bool, failed: bool) -> str:
    """(call_at, callid) of receipts newest first, strictly before the keyset cursor when `after`
    (two parameters: call_at, callid), in [since, until), of one phone, or failure receipts only;
    the last parameter is the page size."""
    where = []
    if phone:
        where.append(f"phone = {p}")
    if failed:
        where.append(f"kind = '{FAILED_KIND}'")
    if after:  # a row value: an index range on (call_at, callid), not an OR the planner cannot use
        where.append(f"(call_at, callid) < ({p}, {p})")
    if since:
        where.append(f"call_at >= {p}")
    if until:
        where.append(f"call_at < {p}")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return (
        f"SELECT call_at, callid FROM {TABLE}{clause}"  # noqa: S608 - constants and markers only
        f" ORDER BY call_at DESC, callid DESC LIMIT {p}"
    )


def walk_query(
    p: str,
    cursor: Cursor | None,
    since: str | None,
    until: str | None,
    phone: str | bytes | None,
    failed: bool,
    page: int,
) -> tuple[str, tuple[Any, ...]]:
    """Store.walk's statement in placeholder style `p` and its parameters: what SQLite and the
    SQL stores run alike."""
    text = walk(
        p, after=cursor is not None, since=since is not None, until=until is not None,
        phone=phone is not None, failed=failed,
    )  # fmt: skip
    return text, walk_params(cursor, since, until, phone, page)


def walk_params(
    cursor: Cursor | None, since: str | None, until: str | None, phone: str | bytes | None, page: int
) -> tuple[Any, ...]:
    """The parameters of walk(...) in its order."""
    values: list[Any] = [phone] if phone is not None else []
    values += list(cursor) if cursor else []
    values += [v for v in (since, until) if v is not None]
    return (*values, page)


def in_list(p: str, n: int) -> str:
    return ", ".join([p] * n)


def fold_inputs_of(p: str, n: int) -> str:
    """Every receipt's fold inputs of n calls, grouped by call: one query for a page."""
    return (
        f"SELECT {', '.join(FOLD_INPUTS)} FROM {TABLE}"  # noqa: S608 - constants and markers only
        f" WHERE callid IN ({in_list(p, n)}) ORDER BY callid"
    )


def records_of(p: str, n: int) -> str:
    """Every receipt's record of n calls (to fold them whole): one query for a page."""
    return f"SELECT callid, record FROM {TABLE} WHERE callid IN ({in_list(p, n)})"  # noqa: S608


def window(p: str, until: bool) -> str:
    """call_at in [since, until): a range of receipts_by_call_at."""
    return f"call_at >= {p}" + (f" AND call_at < {p}" if until else "")


def in_window(p: str, until: bool) -> str:
    """How many receipts have a call_at in the window, counting no further than the last
    parameter: an index range on receipts_by_call_at of at most that many entries."""
    return f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {window(p, until)} LIMIT {p}) AS w"  # noqa: S608


# A period holding at least this share of the store is read as every receipt's fold inputs in
# callid order, from receipts_fold alone: one pass over that index beats probing it call by call
# (at 1M receipts, 0.3 s against 8 s), and it reads at most 1 / MOSTLY times the period's receipts.
MOSTLY = 0.25


def period(p: str, until: bool) -> str:
    """Every receipt's fold inputs of every call with a receipt whose call_at is in [since, until),
    in callid order: a report folds each call as it streams past (facts.grouped), holding one.
    A call's time is one of its receipts' call_at, so no call of the period is missed."""
    return (
        f"SELECT {', '.join(FOLD_INPUTS)} FROM {TABLE} WHERE callid IN"  # noqa: S608
        f" (SELECT callid FROM {TABLE} WHERE {window(p, until)}) ORDER BY callid"
    )


__all__ = ["EXTRA_COLUMNS", "FOLD_INPUTS", "INDEXES", "fold_inputs_of", "period", "records_of", "walk"]
