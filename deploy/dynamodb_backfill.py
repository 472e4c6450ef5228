"""Give the items of a deployed table the attributes its by-day and by-number indexes key on.

    AWS_REGION=... python deploy/dynamodb_backfill.py TABLE [--dry-run]

Items written before this version have no `call_at` or `call_day` (nor the durations the report
reads), so the new indexes do not hold them. This reads the table once (a Scan, under your own
credentials: the function's role has no Scan) and sets those attributes on each item that lacks
them, exactly as the store writes them now (DynamoDBStore.item). Safe to run again and while the
function writes: an item that has them is skipped, and the update is conditional on the item
still existing. Cost: the table's size in read units once (half a unit per 4 KB), plus one write
unit per old item. docs/stores.md gives the order of the steps around it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voice_receipts.stores.dynamodb import DynamoDBStore, from_item  # noqa: E402

ADDED = ("call_at", "call_day", "ring_seconds", "talk_seconds")


def backfill(client: Any, table: str, dry_run: bool = False) -> tuple[int, int]:
    """(items read, items updated)."""
    store = DynamoDBStore(table, client=client)
    read = updated = 0
    request: dict[str, Any] = {"TableName": table, "FilterExpression": "attribute_not_exists(call_at)"}
    while True:
        page = client.scan(**request)
        read += page.get("ScannedCount", 0)
        for item in page.get("Items", []):
            wanted = store.item(from_item(item))
            values = {f":{name}": wanted[name] for name in ADDED if name in wanted}
            if not dry_run:
                client.update_item(
                    TableName=table,
                    Key={"callid": item["callid"], "event_id": item["event_id"]},
                    UpdateExpression="SET " + ", ".join(f"{k[1:]} = {k}" for k in values),
                    ConditionExpression="attribute_exists(callid)",
                    ExpressionAttributeValues=values,
                )
            updated += 1
        if "LastEvaluatedKey" not in page:
            return read, updated
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("table")
    p.add_argument("--dry-run", action="store_true", help="count the items that need it, change nothing")
    args = p.parse_args()
    import boto3

    read, updated = backfill(boto3.client("dynamodb"), args.table, args.dry_run)
    print(f"{args.table}: read {read} items, {'would update' if args.dry_run else 'updated'} {updated}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
