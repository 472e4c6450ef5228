"""dynamodb://TABLE: one item per distinct receipt, keyed (callid, event_id).

Item: the Receipt's normalised fields as top-level attributes (strings as S, whole numbers as N,
None left out), `raw` = the callback exactly as it came as JSON text, `phone` for the `by-phone`
index, `context` (only `sent` records have one) for the `by-context` index, and `expires_at`
(epoch seconds) when VOICE_RECEIPTS_RETENTION_DAYS is set.

Reading by Scan (listing calls, a report's period) is dynamodb_scan.py's, imported only then.

`raw` is a JSON string, not a map, on purpose: whatever the sender put in the callback stores.
As a map, an undocumented number beyond DynamoDB's 38 digits or nesting beyond 32 levels would
fail validation on every redelivery, and the receipt could never be acknowledged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import voice_receipts.stores.facts as facts
from voice_receipts.aws import AWS_ERRORS, error_code, make_client, rehearse, unavailable
from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError, UnsupportedOperation
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store
from voice_receipts.times import parse_iso

if TYPE_CHECKING:
    from voice_receipts.calls import Call
    from voice_receipts.progress import Progress
    from voice_receipts.stores.facts import Cursor, Facts

CONTEXT_INDEX = "by-context"  # `sent` records only: the one kind with a context
# A condition on the partition key of the full key being put: true exactly when no item with
# this (callid, event_id) exists, so a redelivery is refused by DynamoDB itself in one round trip.
INSERT_IF_ABSENT = "attribute_not_exists(callid)"
# DynamoDB table names: 3-255 of these characters.
_TABLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


class DynamoDBStore(Store):
    name = "dynamodb"

    def __init__(
        self,
        table_name: str,
        client: Any = None,
        retention_days: int | None = None,
        region: str | None = None,
    ) -> None:
        self.table_name = table_name
        self.retention_days = retention_days
        self.client = client if client is not None else make_client("dynamodb", region=region)
        self._what = f"dynamodb table {table_name!r}"
        self._read: dict[str, list[Receipt]] = {}  # a listing's calls, read once (dynamodb_index.py)

    @classmethod
    def open(cls, table: str, settings: Settings) -> DynamoDBStore:
        if not (3 <= len(table) <= 255 and set(table) <= _TABLE_CHARS):
            raise ConfigError(
                f"dynamodb store URL must look like dynamodb://TABLE, TABLE being 3-255 letters, "
                f"digits, '_', '.' or '-'; got {table!r}"
            )
        return cls(table, retention_days=settings.retention_days, region=settings.aws_region)

    # -- writing -----------------------------------------------------------------------------

    def put(self, receipt: Receipt) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=self.item(receipt),
                ConditionExpression=INSERT_IF_ABSENT,
            )
        except AWS_ERRORS as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False  # the same event_id is already stored: a redelivery
            raise unavailable(self._what, exc) from exc
        return True

    def item(self, receipt: Receipt) -> dict[str, dict[str, str]]:
        """The item in DynamoDB's wire format (no TypeSerializer: only S and N are used)."""
        item: dict[str, dict[str, str]] = {}
        for key, value in receipt.to_dict().items():
            if key == "raw":
                item["raw"] = {"S": json.dumps(value, separators=(",", ":"), ensure_ascii=False)}
            elif isinstance(value, bool) or value is None:
                continue  # Receipt has no bools; None means "not in this kind of receipt"
            elif isinstance(value, int):
                item[key] = {"N": str(value)}
            else:
                item[key] = {"S": str(value)}
        if receipt.phone:  # a GSI key must be a non-empty string; items without it stay out
            item["phone"] = {"S": receipt.phone}
        # the by-day index's keys, and the durations the report counts (stores/facts.py)
        item["call_at"] = {"S": receipt.call_at}
        item["call_day"] = {"S": receipt.call_at[:10]}
        ring, talk = facts.status_durations(receipt)
        for name, seconds in (("ring_seconds", ring), ("talk_seconds", talk)):
            if seconds is not None:
                item[name] = {"N": str(seconds)}
        if self.retention_days:
            item["expires_at"] = {"N": str(expires_at(receipt.received_at, self.retention_days))}
        return item

    # -- reading -----------------------------------------------------------------------------

    def receipts(self, callid: str) -> list[Receipt]:
        """Every receipt of one call, oldest first: one Query (paginated past 1 MB)."""
        items = self._query(
            KeyConditionExpression="callid = :c",
            ExpressionAttributeValues={":c": {"S": callid}},
            ConsistentRead=True,  # `show` right after a delivery sees it
        )
        found = [from_item(i) for i in items]
        return sorted(found, key=lambda r: (r.received_at, r.event_id))

    def callids_for_context(self, context: str, limit: int) -> list[str]:
        """Up to `limit` calls sent for one business id, newest first: one Query on by-context
        (eventually consistent: a send recorded a moment ago may be missing)."""
        callids: dict[str, None] = {}  # insertion-ordered set
        for item in self._query(
            IndexName=CONTEXT_INDEX,
            KeyConditionExpression="#c = :c",  # a placeholder: safe from DynamoDB's reserved words
            ExpressionAttributeNames={"#c": "context"},
            ExpressionAttributeValues={":c": {"S": context}},
            ScanIndexForward=False,
            Limit=limit,
        ):
            callids.setdefault(item["callid"]["S"])
            if len(callids) >= limit:
                break
        return list(callids)

    def callids(self, since: str | None = None) -> list[str]:
        """Every call (first seen at or after `since`), by a Scan of the whole table: for local
        use and tests. Listings (`show`, `--since`) and reports use the indexes instead; the
        deployed IAM policy grants no dynamodb:Scan, so there this raises UnsupportedOperation."""
        from voice_receipts.stores.dynamodb_scan import callids

        return callids(self.client, self.table_name, since)

    def _listing(
        self,
        since: str | None,
        until: str | None,
        state: str | None,
        limit: int | None,
        phone: str | None = None,
    ) -> list[Call]:
        """By the indexes; a listing with no --since reads LOOKBACK_DAYS of by-day, and only
        when those hold fewer calls than asked (a small or quiet table: an archive replayed
        into a test table) the rest by Scan, where the credentials allow one."""
        found = super()._listing(since, until, state, limit, phone)
        if phone is not None or since is not None or (limit is not None and len(found) >= limit):
            return found
        try:
            every = self.callids()
        except UnsupportedOperation:
            return found
        return super()._chosen(self.facts_of(every), until, state, limit)

    def walk(
        self,
        cursor: Cursor | None,
        *,
        since: str | None = None,
        until: str | None = None,
        phone: str | None = None,
        failed: bool = False,
        page: int = 200,
    ) -> list[Cursor]:
        from voice_receipts.stores.dynamodb_index import walk

        return walk(self, cursor, since, until, phone, failed, page)

    def facts_of(self, callids: list[str]) -> list[Facts]:
        from voice_receipts.stores.dynamodb_index import facts_of

        return facts_of(self, callids)

    def calls_of(self, callids: list[str]) -> list[Call]:
        from voice_receipts.stores.dynamodb_index import calls_of

        return calls_of(self, callids)

    def period_facts(self, since: str, until: str | None = None) -> Iterator[Facts]:
        from voice_receipts.stores.dynamodb_index import period_facts

        return period_facts(self, since, until)

    def receipts_between(
        self, since: str, until: str | None = None, progress: Progress | None = None
    ) -> Iterator[Receipt]:
        """A parallel Scan filtered on received_at, for the report: dynamodb_scan.py says what it
        costs. Needs dynamodb:Scan and DescribeTable, which the function's role lacks on purpose."""
        from voice_receipts.stores.dynamodb_scan import items_between

        items = items_between(self.client, self.table_name, since, until, progress)
        found = [from_item(i) for i in items]
        return iter(sorted(found, key=lambda r: (r.received_at, r.event_id)))

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        request["TableName"] = self.table_name
        try:
            while True:
                page = self.client.query(**request)
                yield from page["Items"]  # every Query answer has Items (none asks Select=COUNT)
                if "LastEvaluatedKey" not in page:
                    return
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except AWS_ERRORS as exc:
            raise unavailable(self._what, exc) from exc

    def warm(self, receipt: Receipt) -> None:
        """The first PutItem's one-off work (botocore loads and compiles the operation's model,
        resolves the endpoint, builds the signer) done at init, without sending anything."""
        request = {"TableName": self.table_name, "Item": self.item(receipt)}
        rehearse(self.client, "put_item", {**request, "ConditionExpression": INSERT_IF_ABSENT})

    def disconnect(self) -> None:
        self.client.close()  # botocore empties its pool; the client opens new sockets when next used

    def close(self) -> None:
        self.client.close()


def expires_at(received_at: str, days: int) -> int:
    """Epoch seconds `days` after received_at: what DynamoDB TTL reads (a Number, in seconds)."""
    moment = parse_iso(received_at)
    return int((moment + timedelta(days=days)).timestamp())


def from_item(item: dict[str, dict[str, Any]]) -> Receipt:
    data: dict[str, Any] = {}
    for key, value in item.items():
        if "N" in value:
            data[key] = int(value["N"])
        elif "S" in value:
            data[key] = value["S"]
    data["raw"] = json.loads(data.get("raw") or "{}")
    return Receipt.from_dict(data)  # drops phone and expires_at: they are derived
