"""DynamoDB stream -> EventBridge: each newly stored receipt becomes one event (docs/events.md).

A Lambda function of its own (`--param events=true`), on the table's stream through an event
source mapping that owns every retry: a batch that fails is bisected and retried, and what still
fails goes to the on-failure destination. So this module has no retry loop: it raises when any
entry was not accepted, and the mapping retries the batch (entries already accepted are sent
again: consumers dedupe by `detail.event_id`, as they must anyway with EventBridge).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from voice_receipts.config import load_event_bus
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.aws import AWS_ERRORS, make_client, unavailable
from voice_receipts.stores.dynamodb import from_item
from voice_receipts.times import parse_iso

SOURCE = "voice-receipts"
DETAIL_TYPE = "Voice receipt: {kind}"  # "Voice receipt: voicekey"
MAX_ENTRIES = 10  # PutEvents takes at most 10 entries per call


def detail(receipt: Receipt) -> dict[str, Any]:
    """The event's detail: the receipt as Receipt.to_dict() gives it, plus its E.164 `phone`."""
    return {**receipt.to_dict(), "phone": receipt.phone}


def entries(records: Iterable[Mapping[str, Any]], bus: str) -> list[dict[str, Any]]:
    """PutEvents entries for the INSERT records of a stream batch. MODIFY never happens (a
    receipt is written once) and REMOVE is a TTL expiry: neither is a new receipt."""
    found = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        receipt = from_item(record["dynamodb"]["NewImage"])
        found.append(
            {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE.format(kind=receipt.kind),
                "Detail": json.dumps(detail(receipt), ensure_ascii=False, separators=(",", ":")),
                "EventBusName": bus,
                "Time": parse_iso(receipt.received_at),
            }
        )
    return found


class EventsNotPublished(StoreUnavailable):
    """EventBridge refused some entries: the batch fails, and the event source mapping retries."""


class Publisher:
    def __init__(self, bus: str, client: Any = None) -> None:
        self.bus = bus
        self.client = client if client is not None else make_client("events")
        self._what = f"eventbridge bus {bus!r}"

    def publish(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Put one event per INSERT record; the number put. Raises if any entry failed."""
        batch = entries(records, self.bus)
        for start in range(0, len(batch), MAX_ENTRIES):
            chunk = batch[start : start + MAX_ENTRIES]
            try:
                answer = self.client.put_events(Entries=chunk)
            except AWS_ERRORS as exc:
                raise unavailable(self._what, exc) from exc
            if answer.get("FailedEntryCount"):
                failed = answer["FailedEntryCount"]
                codes = ", ".join(sorted({e["ErrorCode"] for e in answer["Entries"] if "ErrorCode" in e}))
                raise EventsNotPublished(f"{self._what} refused {failed} of {len(chunk)} events ({codes})")
        return len(batch)


_publisher: Publisher | None = None


def lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, int]:
    """The stream's Lambda function: `handler: voice_receipts.publish.lambda_handler`."""
    global _publisher
    if _publisher is None:  # once per process: the client is the cold start's cost
        _publisher = Publisher(load_event_bus())
    return {"published": _publisher.publish(event.get("Records", []))}
