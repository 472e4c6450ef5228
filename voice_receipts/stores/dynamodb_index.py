"""DynamoDB's reads by time and by number: Queries on the by-day and by-number indexes, never a Scan.

What each costs (docs/stores.md): a Query is billed for the bytes it reads, half a read unit per
4 KB (eventually consistent). A by-day entry holds only the fold inputs (~200 B), so a report of
a period reads that period's entries once, a quarter hour before it and an hour after, about 20
entries per read unit; a listing page reads a page of index entries plus one projected Query per
new call (its fold inputs), then the calls it shows.

The by-day partition is the UTC day of call_at: a period is the days it spans, each one
partition, walked newest first for a listing, an hour at a time for a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import voice_receipts.stores.facts as facts
from voice_receipts import kinds
from voice_receipts.stores.base import FAILURE_LATE
from voice_receipts.times import parse_iso, to_iso

if TYPE_CHECKING:
    from voice_receipts.calls import Call

# `store` below is the DynamoDBStore calling (not imported: it imports this module)
DynamoDBStore = Any
PHONE_INDEX = "by-number"  # (phone, call_at), keys only
DAY_INDEX = "by-day"  # (call_day, call_at), the fold inputs
# A listing with no --since looks back this far (one empty Query a day costs half a read unit)
LOOKBACK_DAYS = 92
# After every call_at a receipt can hold (times.LATEST_SECONDS is 9999-12-30): "9999" was not
LAST = "9999-12-31T23:59:59.999999Z"
# A report reads each by-day entry of its period once, an hour at a time, from BEFORE the period
# (a call's `sent` record comes just before it starts) to LATE after it; a call is counted once
# the read is LATE past its time: a key press or a failure receipt (whose call_at is its arrival)
# up to LATE after its call is folded into it. Memory: the calls of the last LATE and hour.
BEFORE = timedelta(minutes=15)
LATE = timedelta(seconds=FAILURE_LATE)
CHUNK = timedelta(hours=1)
_THREADS = 8


def _value(attr: dict[str, Any] | None) -> Any:
    if not attr:
        return None
    return int(attr["N"]) if "N" in attr else attr.get("S")


def _row(item: dict[str, Any]) -> facts.Row:
    return tuple(_value(item.get(name)) for name in facts.FOLD_INPUTS)


def _days_down(top: str, bottom: str) -> Iterator[str]:
    day = parse_iso(top[:10] + "T00:00:00Z")
    while day.strftime("%Y-%m-%d") >= bottom[:10]:
        yield day.strftime("%Y-%m-%d")
        day -= timedelta(days=1)


def walk(
    store: DynamoDBStore,
    cursor: facts.Cursor | None,
    since: str | None,
    until: str | None,
    phone: str | None,
    failed: bool,
    page: int,
) -> list[tuple[str, str]]:
    """Store.walk: by-number for one number, else by-day, a day at a time newest first."""
    now = datetime.now(timezone.utc)
    if phone:  # one number is one partition: its whole history, newest first
        top = min(x for x in (cursor[0] if cursor else None, until, LAST) if x)
        bottom = since or "0000"
    else:  # days are partitions: from the top day down to `since`, or LOOKBACK_DAYS back
        top = min(x for x in (cursor[0] if cursor else None, until, to_iso(now + timedelta(days=1))) if x)
        bottom = since or to_iso(now - timedelta(days=store.retention_days or LOOKBACK_DAYS))
    found: list[tuple[str, str]] = []
    partitions = [("phone", phone)] if phone else [("call_day", d) for d in _days_down(top, bottom)]
    for key, value in partitions:
        request: dict[str, Any] = {
            "IndexName": PHONE_INDEX if phone else DAY_INDEX,
            "KeyConditionExpression": f"{key} = :k AND call_at BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":k": {"S": value}, ":lo": {"S": bottom}, ":hi": {"S": top}},
            "ScanIndexForward": False,
            "Limit": page,
        }
        if failed and phone:  # by-number holds keys only, no `kind`: a failure's event_id says it
            request["FilterExpression"] = "begins_with(event_id, :f)"  # receipt.event_id: "kind-digest"
            request["ExpressionAttributeValues"][":f"] = {"S": f"{kinds.VOICE_FAILURE}-"}
        elif failed:
            request["FilterExpression"] = "kind = :f"
            request["ExpressionAttributeValues"][":f"] = {"S": kinds.VOICE_FAILURE}
        for item in store._query(**request):
            row = (item["call_at"]["S"], item["callid"]["S"])
            if (cursor is None or row < tuple(cursor)) and (until is None or row[0] < until):
                found.append(row)
                if len(found) >= page:
                    return found
    return found


def facts_of(store: DynamoDBStore, callids: list[str]) -> list[facts.Facts]:
    """Each call's facts from its receipts: one Query a call, in parallel; the receipts are kept
    for calls_of, so the calls a listing then shows are not read twice."""
    with ThreadPoolExecutor(_THREADS) as pool:  # pragma: no mutate
        found = dict(zip(callids, pool.map(store.receipts, callids), strict=True))  # pragma: no mutate
    store._read.update(found)
    return [facts.fold([facts.inputs(r) for r in rs]) for rs in found.values() if rs]


def calls_of(store: DynamoDBStore, callids: list[str]) -> list[Call]:
    from voice_receipts.calls import Call

    missing = [c for c in callids if c not in store._read]  # pragma: no mutate
    if missing:
        facts_of(store, missing)
    calls = [Call.fold(store._read.pop(c, [])) for c in callids]
    store._read.clear()  # a listing's cache lives until its calls are shown
    return [c for c in calls if c is not None]


def period_facts(store: DynamoDBStore, since: str, until: str | None) -> Iterator[facts.Facts]:
    """Every call placed in [since, until): by-day's entries of [since - BEFORE, until + LATE),
    each read once, an hour at a time."""
    start, end = parse_iso(since), parse_iso(until) if until else datetime.now(timezone.utc)
    first, last, done = to_iso(start), to_iso(end), end + LATE
    rows: dict[str, list[facts.Row]] = {}
    read = start - BEFORE
    while read < done:
        upto = min(read + CHUNK, done)
        lo, hi = to_iso(read), to_iso(upto)
        for day in sorted(set(_days_down(hi, lo))):
            for item in store._query(
                IndexName=DAY_INDEX,
                KeyConditionExpression="call_day = :d AND call_at BETWEEN :lo AND :hi",
                ExpressionAttributeValues={":d": {"S": day}, ":lo": {"S": lo}, ":hi": {"S": hi}},
            ):
                if item["call_at"]["S"] < hi:  # BETWEEN includes hi: the next hour's
                    rows.setdefault(item["callid"]["S"], []).append(_row(item))
        read = upto
        settled = to_iso(upto - LATE)  # a call placed before this has all its receipts read
        for callid, group in list(rows.items()):
            found = facts.fold(group)
            if found.at < settled or read >= done:
                del rows[callid]
                if first <= found.at < last:
                    yield found
