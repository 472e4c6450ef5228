"""Reading a whole DynamoDB table by Scan: the calls it holds, and a period's receipts (the report).

For tools run under the operator's own credentials: the function's role has no dynamodb:Scan, on
purpose, and the function never imports this module. A Scan reads EVERY item, whatever the filter
on received_at, and is billed for it: eventually consistent, half a read unit per 4 KB read, so
about (table size / 4 KB) / 2 units; a receipt item is about 1 KB, so a million receipts cost
~130,000 read units, a few cents on demand. A period's read tells what it consumed, so the
operator sees the real figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from voice_receipts.aws import AWS_ERRORS, error_code, unavailable
from voice_receipts.errors import UnsupportedOperation

if TYPE_CHECKING:
    from voice_receipts.progress import Progress

SEGMENTS = 4  # parallel Scan segments: each a thread with its own pages; DynamoDB serves them at once


def callids(client: Any, table: str, since: str | None = None) -> list[str]:
    """Calls first seen at or after `since`, newest first (DynamoDBStore.callids)."""
    first_seen: dict[str, str] = {}
    try:
        for page in _scan(client, table, ProjectionExpression="callid, received_at"):
            for item in page.get("Items", []):
                callid, at = item["callid"]["S"], item["received_at"]["S"]
                first_seen[callid] = min(at, first_seen.get(callid, at))
    except AWS_ERRORS as exc:
        denied = f"listing calls needs dynamodb:Scan on {table!r}, which this role lacks;"
        raise _failed(table, exc, denied + " give a callid or --phone") from exc
    recent = [c for c, at in first_seen.items() if since is None or at >= since]
    return sorted(recent, key=lambda c: (first_seen[c], c), reverse=True)


def items_between(
    client: Any,
    table: str,
    since: str,
    until: str | None = None,
    progress: Progress | None = None,
    segments: int = SEGMENTS,
) -> list[dict[str, Any]]:
    """The items of every receipt received in [since, until), by a parallel Scan with a filter.
    `progress` hears the table's approximate item count, each page's items read, and the cost."""
    values = {":since": {"S": since}} | ({":until": {"S": until}} if until else {})
    request: dict[str, Any] = {
        "FilterExpression": "received_at >= :since" + (" AND received_at < :until" if until else ""),
        "ExpressionAttributeValues": values,
        "TotalSegments": segments,
        "ReturnConsumedCapacity": "TOTAL",
    }
    step = progress.add if progress else _ignore
    try:  # ItemCount is refreshed about every six hours: good enough for a progress bar
        total = client.describe_table(TableName=table)["Table"].get("ItemCount", 0)
        if progress:
            progress.start(total)
        with ThreadPoolExecutor(segments) as pool:
            parts = list(
                pool.map(lambda n: _segment(client, table, step, Segment=n, **request), range(segments))
            )
    except AWS_ERRORS as exc:
        denied = f"the report needs dynamodb:Scan and DescribeTable on {table!r}: run it with your own"
        raise _failed(
            table, exc, denied + " credentials (the function's role has neither, on purpose)"
        ) from exc
    found = [item for items, _, _ in parts for item in items]
    if progress:
        scanned, units = sum(n for _, n, _ in parts), sum(u for _, _, u in parts)
        progress.note(
            f"scanned {scanned} items of {table} in {segments} segments for {len(found)} receipts;"
            f" consumed {units:g} read capacity units (a Scan reads every item, whatever the filter)"
        )
    return found


def _segment(
    client: Any, table: str, step: Callable[[int], None], **request: Any
) -> tuple[list[dict[str, Any]], int, float]:
    """One segment's matching items, the items it read and the read units it consumed."""
    found: list[dict[str, Any]] = []
    scanned, units = 0, 0.0
    for page in _scan(client, table, **request):
        found += page.get("Items", [])
        scanned += page.get("ScannedCount", 0)
        units += page.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0)
        step(page.get("ScannedCount", 0))
    return found, scanned, units


def _scan(client: Any, table: str, **request: Any) -> Iterator[dict[str, Any]]:
    """Every page of one Scan (1 MB each); the caller translates errors."""
    request["TableName"] = table
    while True:
        page = client.scan(**request)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _failed(table: str, exc: Exception, denied: str) -> Exception:
    """Denied: UnsupportedOperation saying whose credentials to use; else StoreUnavailable."""
    if "AccessDenied" in error_code(exc):
        return UnsupportedOperation(denied)
    return unavailable(f"dynamodb table {table!r}", exc)


def _ignore(_: int) -> None:
    pass
