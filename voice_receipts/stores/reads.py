"""The reads every SQL-speaking store shares (SQLite here; MySQL and PostgreSQL through sql.py):
each one walks an index and stops at its limit, so an answer costs what the answer is.

`p` is the driver's parameter marker ("?" for sqlite3, "%s" for PyMySQL and psycopg). The
indexes they rely on (every store creates them):
- receipts_by_call_at (call_at, callid): listing and `--since`, newest first, keyset pages;
- receipts_by_phone (phone, call_at, callid): one number's calls, covering: never the table;
- receipts_failed (call_at, callid) WHERE kind = 'voice_failure': `--state failed` walks only
  failure receipts (a failed call has one);
- the primary key (callid, event_id): a page of calls' receipts in one IN query.
"""

from __future__ import annotations

from voice_receipts.stores.facts import EXTRA_COLUMNS, FOLD_INPUTS

TABLE = "receipts"
FAILED_KIND = "voice_failure"
INDEXES = (
    ("receipts_by_call_at", "call_at, callid", ""),
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


def walk_params(cursor, since, until, phone, page) -> tuple:
    """The parameters of walk(...) in its order."""
    values: list = [phone] if phone is not None else []
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


def period(p: str, until: bool) -> str:
    """Every receipt's fold inputs of every call with a receipt whose call_at is in [since, until),
    in callid order: a report folds each call as it streams past (facts.grouped), holding one.
    A call's time is one of its receipts' call_at, so no call of the period is missed."""
    window = f"call_at >= {p}" + (f" AND call_at < {p}" if until else "")
    return (
        f"SELECT {', '.join(FOLD_INPUTS)} FROM {TABLE} WHERE callid IN"  # noqa: S608
        f" (SELECT callid FROM {TABLE} WHERE {window}) ORDER BY callid"
    )


__all__ = ["EXTRA_COLUMNS", "FOLD_INPUTS", "INDEXES", "fold_inputs_of", "period", "records_of", "walk"]
