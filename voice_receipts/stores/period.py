"""A report's period aggregated in the database: the same GROUP BYs on SQLite, MySQL and PostgreSQL.

calls() folds each call of the period in SQL from its receipts' fold inputs (facts.FOLD_INPUTS),
exactly as facts.fold does, for every call with at most one status, one failure and one `sent`
receipt, a result VMS documents, and at most one key press (none beside a code's status). The
others ("odd": a handful) come back by callid and are folded in Python (facts.fold, Call.fold)
and added, so the answer is the same as folding every call one by one
(tests/functional/test_period_aggregates.py).

AGGREGATES then count them: by (UTC minute or hour, state), by shape (durations, failure
code, keys per call) and by key, a few thousand rows whatever the number of calls. SQLite keeps
the calls in a temporary table and reads it once per aggregate (two of them tallied in Python: see
TALLIES); a SQL store's reader may have SELECT only (docs/stores.md), so there in_one() makes
them one statement over the fold read once.

Only portable SQL: booleans are counted with CASE (PostgreSQL has no sum(boolean)), and a text
column kept as bytes (PostgreSQL's bytea has no max()) is picked with the dialect's `pick`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import voice_receipts.stores.reads as reads
from voice_receipts import kinds, states

TABLE = "receipts"


class Dialect(NamedTuple):
    p: str  # the driver's parameter marker
    pick: str  # an aggregate that is a column's value when one receipt of the call has one
    # extra oddness: rows stored before the fold-input columns existed (SQL stores' `db init`
    # adds the columns, it cannot fold old records): such a call is folded from its records
    unfilled: str = ""
    # the least of a text kept as bytes, as something the server can compare (hex for bytea)
    least: str = "min({})"
    rows: str = "SELECT max(rowid) FROM receipts"  # about how many rows the table has, at once
    # the receipts of the calls with a receipt in the window
    within: str = "WHERE callid IN (SELECT callid FROM receipts WHERE {window})"


def _has(condition: str) -> str:
    return f"count(CASE WHEN {condition} THEN 1 END)"


def _kind(kind: str) -> str:
    return _has(f"kind = '{kind}'")


_STATUSES = _has(f"kind IN ('{kinds.VOICECODE}', '{kinds.VOICEPROMPT}')")
SQLITE = Dialect("?", "max({})")
# a status receipt always has a result, a key press a keypress, our `sent` record a message
# (fields.py, send.py): a receipt without is a row stored before the columns
_UNFILLED = (
    f" OR {_STATUSES} > count(result) OR {_kind(kinds.VOICEKEY)} > count(keypress)"
    f" OR {_kind(kinds.SENT)} > count(message)"
)
# VARBINARY has max(); InnoDB's row count is an estimate its statistics keep
MYSQL = Dialect(
    "%s",
    "max({})",
    _UNFILLED,
    rows="SELECT table_rows FROM information_schema.tables"
    " WHERE table_schema = DATABASE() AND table_name = 'receipts'",
    # MariaDB runs `IN (subquery)` as a scan of the whole primary key; a derived table joined on
    # the key is a range of receipts_by_call_at (EXPLAINed: one day of 100k, 0.3 s against 0.6 s)
    within="JOIN (SELECT DISTINCT callid AS w FROM receipts WHERE {window}) AS windowed ON w = callid",
)
# bytea has no max(); string_agg of one value is that value (a call with two is odd anyway)
POSTGRESQL = Dialect(
    "%s",
    "string_agg({}, '')",
    _UNFILLED,
    "min(encode({}, 'hex'))",
    rows="SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('receipts')",
)

_STATE = (
    "CASE WHEN failures > 0 THEN 'failed' WHEN statuses > 0 THEN CASE result "
    + " ".join(f"WHEN '{r}' THEN '{state.value}'" for r, state in states.STATE_OF_RESULT.items())
    + " END WHEN heard > 0 THEN 'in_progress' ELSE 'sent' END"
)
_MESSAGES = " ".join(f"WHEN '{m}' THEN '{k}'" for m, k in kinds.SENT_MESSAGES.items())
_DOCUMENTED = ", ".join(f"'{r}'" for r in states.STATE_OF_RESULT)


def calls(d: Dialect, within: bool, until: bool) -> str:
    """One row per call placed in [since, until), and every odd call of the calls read (whose
    time the caller checks: theirs may not be this fold's): (callid, at, state, kind, fee, ring,
    talk, nkeys, keypress, code, reason, odd). Parameters: the window (since, until) when
    `within` (the calls with a receipt in it; else every call of the table is folded: cheaper
    when most of it is the period), then since (and until) on the call's own time. A result
    with the blanks VMS may pad it with (states.call_state strips them) is not one of
    _DOCUMENTED, and a call with several key presses has no one `keypress`: odd, both."""
    where = d.within.format(window=reads.window(d.p, until)) if within else ""
    key, code, prompt = _kind(kinds.VOICEKEY), _kind(kinds.VOICECODE), _kind(kinds.VOICEPROMPT)
    heard, failure = _has(f"kind <> '{kinds.SENT}'"), _kind(kinds.VOICE_FAILURE)
    sent_at = f"min(CASE WHEN kind = '{kinds.SENT}' THEN received_at END)"
    result, message, reason, keypress = (
        d.pick.format(c)
        for c in ("result", "message", "failure_reason", "keypress")  # pragma: no mutate
    )
    return f"""
SELECT callid, at, {_STATE} AS state, kind, fee, ring, talk, nkeys, keypress, code, reason,
  (odd OR (statuses > 0 AND failures = 0 AND result NOT IN ({_DOCUMENTED}))) AS odd FROM (
  SELECT callid, coalesce(max(started_at), {sent_at}, min(received_at)) AS at,
    {result} AS result, count(result) AS statuses, count(failure_code) AS failures, {heard} AS heard,
    coalesce(CASE {message} {_MESSAGES} END, CASE WHEN {code} > 0 THEN '{kinds.CODE}'
      WHEN {prompt} > 0 OR {key} > 0 THEN '{kinds.NOTIFICATION}' END) AS kind,
    max(fee_minutes) AS fee, max(ring_seconds) AS ring, max(talk_seconds) AS talk,
    {key} AS nkeys, {keypress} AS keypress, max(failure_code) AS code, {reason} AS reason,
    (count(result) > 1 OR count(failure_code) <> {failure} OR count(failure_code) > 1
     OR count(message) > 1 OR {key} > 1 OR ({key} > 0 AND {code} > 0){d.unfilled}) AS odd
  FROM {TABLE} {where} GROUP BY callid
) AS calls WHERE odd OR (at >= {d.p}{f" AND at < {d.p}" if until else ""})"""  # noqa: S608 - constants and markers only


_MOMENT = "substr(at, 1, {width})"
_TALK = "CASE WHEN state = 'answered' THEN talk END"
_FAILED = "CASE WHEN state = 'failed' THEN 1 END"
_CODE = "CASE WHEN state = 'failed' THEN code END"
_FAILURE_REASON = "CASE WHEN state = 'failed' THEN reason END"
_KEYS = f"CASE WHEN kind = '{kinds.NOTIFICATION}' THEN CASE WHEN nkeys > 3 THEN 3 ELSE nkeys END END"


class Aggregate(NamedTuple):
    """One count over the calls of calls() that are not odd (or, for "odd", that are): GROUP BY
    `group`, then `values`; the rows Aggregates.of_rows reads are group + values."""

    group: tuple[str, ...]
    values: tuple[str, ...]  # aggregates; {least}: the least failure reason, in the dialect's way
    where: str = ""  # which calls, beyond odd or not
    odd: bool = False  # the odd calls, not the others

    def calls(self) -> str:
        odd = "odd" if self.odd else "NOT odd"  # pragma: no mutate
        return odd + (f" AND {self.where}" if self.where else "")  # pragma: no mutate

    def select(self, d: Dialect, width: int) -> str:
        """The query over the temporary table `period_calls` (SQLite)."""
        where = f"WHERE {self.calls()}"
        text = f"SELECT {', '.join(self.group + self.values)} FROM period_calls {where} GROUP BY {', '.join(self.group)}"  # noqa: S608, E501
        return _filled(text, d, width)


def _filled(text: str, d: Dialect, width: int) -> str:
    return text.replace("{width}", str(width)).replace("{least}", d.least.format(_FAILURE_REASON))


# By name: {width} is 13 to count by UTC hour (a zone of whole hours), 16 by minute (any zone).
# Each is a few thousand groups at most, whatever the number of calls.
AGGREGATES = {
    "calls": Aggregate((_MOMENT, "state"), ("count(*)", "sum(coalesce(fee, 0))")),
    "shape": Aggregate(("ring", _TALK, _FAILED, _CODE, _KEYS), ("count(*)", "{least}")),
    "keys": Aggregate(("keypress",), ("count(*)",), f"kind = '{kinds.NOTIFICATION}' AND nkeys > 0"),
    "odd": Aggregate(("callid",), (), odd=True),
}


# SQLite sorts to GROUP BY (it has no hash aggregate): over a period's calls, two sorts of a
# million rows take longer than reading the rows once and counting them in a Counter (C code),
# which holds the same few thousand groups. These select each call's group and value; tallied()
# turns a Counter of them back into the GROUP BY's rows.
TALLIES = {
    "calls": f"SELECT {_MOMENT}, state, coalesce(fee, 0) FROM period_calls WHERE NOT odd",  # noqa: S608
    "shape": f"SELECT ring, {_TALK}, {_FAILED}, {_CODE}, {_KEYS}, {_FAILURE_REASON} FROM period_calls WHERE NOT odd",  # noqa: S608, E501
}


def tallied(name: str, counted: dict[tuple[Any, ...], int]) -> list[tuple[Any, ...]]:
    """TALLIES[name]'s rows counted (group and value -> calls) as that AGGREGATES query's rows."""
    if name == "calls":
        return [(moment, state, n, fee * n) for (moment, state, fee), n in counted.items()]
    return [(*shape, n, reason) for (*shape, reason), n in counted.items()]


def in_one(d: Dialect, within: bool, until: bool, width: int) -> str:
    """Every AGGREGATES query in one statement over calls() read once, for a SQL store (its reader
    may have SELECT only: no temporary table; MySQL 5.7 has no WITH, and MariaDB would fold again
    for each reference to one): each call is counted once per aggregate, by a join with their
    names, and grouped by that name and the aggregate's own groups. A row is the name, then each
    aggregate's columns in its own slot, NULL in the others' (split_rows takes them apart)."""
    columns, group, wheres = [], ["part"], []  # pragma: no mutate
    for name, a in AGGREGATES.items():
        mine = [f"CASE WHEN part = '{name}' THEN {g} END" for g in a.group]
        columns += mine + [f"CASE WHEN part = '{name}' THEN {v} END" for v in a.values]
        group += mine
        wheres.append(f"(part = '{name}' AND {a.calls()})")
    parts = " UNION ALL ".join(f"SELECT '{name}' AS part" for name in AGGREGATES)  # pragma: no mutate
    text = (
        f"SELECT part, {', '.join(columns)} FROM ({calls(d, within, until)}\n) AS period_calls"  # noqa: S608
        f" CROSS JOIN ({parts}) AS parts WHERE {' OR '.join(wheres)} GROUP BY {', '.join(group)}"
    )
    return _filled(text, d, width)


def split_rows(d: Dialect, rows: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    """in_one's rows back into each query's own rows, by name (a reason sent as hex, as bytes)."""
    found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in AGGREGATES}
    slots, start = {}, 1
    for name, a in AGGREGATES.items():
        slots[name] = (start, start + len(a.group) + len(a.values))
        start = slots[name][1]
    for row in rows:
        lo, hi = slots[row[0]]
        found[row[0]].append(tuple(row[lo:hi]))
    if d.least != SQLITE.least:  # hex: the least failure reason of a shape, its last column
        found["shape"] = [(*r[:-1], r[-1] and bytes.fromhex(r[-1])) for r in found["shape"]]
    return found
