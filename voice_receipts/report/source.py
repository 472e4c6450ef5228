"""Where the report's receipts come from: a SQLite file, or a DynamoDB table by parallel Scan.

DynamoDB: the report runs under the operator's own credentials (the function's role has no
Scan, on purpose). A Scan reads EVERY item of the table, whatever the filter: the filter on
received_at only trims what comes back, not what is read and billed. Cost, eventually
consistent: half a read unit per 4 KB read, so about (table size / 4 KB) / 2 units per report;
a receipt item is about 1 KB, so a million receipts cost ~130,000 read units, a few cents
on demand. The consumed capacity is printed at the end, so the operator sees the real figure.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voice_receipts.config import Settings, StoreURL
from voice_receipts.errors import ConfigError, StoreUnavailable, UnsupportedOperation
from voice_receipts.receipt import Receipt

SEGMENTS = 4  # parallel Scan segments: each a thread with its own pages; DynamoDB serves them at once


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def read(store: StoreURL, settings: Settings, since: datetime, until: datetime) -> list[Receipt]:
    """Every receipt received in [since, until), oldest first."""
    if store.scheme == "sqlite":
        return from_sqlite(Path(store.target), since, until)
    if store.scheme == "dynamodb":
        from voice_receipts.stores.aws import make_client

        client = make_client("dynamodb", region=settings.aws_region)
        try:
            return from_dynamodb(client, store.target, since, until, Progress())
        finally:
            client.close()
    raise UnsupportedOperation(
        f"a {store.scheme} queue cannot be read back: report from the store your consumer writes"
    )


def from_sqlite(path: Path, since: datetime, until: datetime) -> list[Receipt]:
    if not path.exists():
        raise ConfigError(f"no SQLite store at {str(path)!r}")
    try:  # read-only: a report never creates or changes a store
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT record FROM receipts WHERE received_at >= ? AND received_at < ?"
                " ORDER BY received_at, rowid",
                (_iso(since), _iso(until)),
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"sqlite store {str(path)!r} cannot be read: {exc}") from None
    return [Receipt.from_dict(json.loads(record)) for (record,) in rows]


class Progress:
    """Items scanned out of the table's approximate count, on stderr, only on a terminal."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total = max(total, 1)

    def step(self, scanned: int) -> None:
        self.done += scanned
        if self.on:
            width = 30
            filled = min(width, width * self.done // self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done} items scanned")
            self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\n")


def from_dynamodb(
    client: Any, table: str, since: datetime, until: datetime, progress: Progress, segments: int = SEGMENTS
) -> list[Receipt]:
    from voice_receipts.stores.aws import AWS_ERRORS, error_code, unavailable
    from voice_receipts.stores.dynamodb import from_item

    try:  # ItemCount is refreshed about every six hours: good enough for a progress bar
        progress.start(client.describe_table(TableName=table)["Table"].get("ItemCount", 0))
        with ThreadPoolExecutor(segments) as pool:
            scans = [
                pool.submit(_segment, client, table, n, segments, since, until, progress.step)
                for n in range(segments)
            ]
            results = [s.result() for s in scans]
    except AWS_ERRORS as exc:
        if "AccessDenied" in error_code(exc):
            raise UnsupportedOperation(
                f"the report needs dynamodb:Scan and DescribeTable on {table!r}: run it with your own "
                "credentials (the function's role has neither, on purpose)"
            ) from exc
        raise unavailable(f"dynamodb table {table!r}", exc) from exc
    finally:
        progress.close()
    items = [item for found, _, _ in results for item in found]
    scanned = sum(n for _, n, _ in results)
    units = sum(u for _, _, u in results)
    print(
        f"scanned {scanned} items of {table} in {segments} segments for {len(items)} receipts;"
        f" consumed {units:g} read capacity units (a Scan reads every item, whatever the filter)",
        file=sys.stderr,
    )
    receipts = [from_item(i) for i in items]
    return sorted(receipts, key=lambda r: (r.received_at, r.event_id))


def _segment(
    client: Any,
    table: str,
    segment: int,
    total: int,
    since: datetime,
    until: datetime,
    step: Callable[[int], None],
) -> tuple[list[dict], int, float]:
    request: dict[str, Any] = {
        "TableName": table,
        "Segment": segment,
        "TotalSegments": total,
        "FilterExpression": "received_at >= :since AND received_at < :until",
        "ExpressionAttributeValues": {":since": {"S": _iso(since)}, ":until": {"S": _iso(until)}},
        "ReturnConsumedCapacity": "TOTAL",
    }
    found: list[dict] = []
    scanned, units = 0, 0.0
    while True:
        page = client.scan(**request)
        found += page.get("Items", [])
        scanned += page.get("ScannedCount", 0)
        units += page.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0)
        step(page.get("ScannedCount", 0))
        if "LastEvaluatedKey" not in page:
            return found, scanned, units
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
