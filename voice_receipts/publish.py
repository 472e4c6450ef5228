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

from voice_receipts.aws import AWS_ERRORS, make_client, unavailable
from voice_receipts.config import load_event_bus
from voice_receipts.entry import PerProcess
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.dynamodb import from_item
from voice_receipts.times import parse_iso

SOURCE = "voice-receipts"
DETAIL_TYPE = "Voice receipt: {kind}"  # "Voice receipt: voicekey"
MAX_ENTRIES = 10  # PutEvents takes at most 10 entries per call
# "The total entry size must be less than 256KB" (EventBridge user guide, "Calculating PutEvents
# event entry size"): 256,000 bytes, the smaller reading of KB, so either reading holds.
MAX_REQUEST_BYTES = 256_000
TIME_BYTES = 14  # the guide counts a Time parameter as 14 bytes, whatever its value
# PutEvents refuses a JSON integer outside a signed 64-bit one (its API reference)
INT_RANGE = range(-(2**63), 2**63)


def entry_size(entry: Mapping[str, Any]) -> int:
    """An entry's size as EventBridge counts it: Time 14 bytes, then the UTF-8 bytes of Source,
    DetailType, Detail and each of Resources. EventBusName is not counted."""
    size = TIME_BYTES if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(entry.get(name, "").encode("utf-8"))
    return size + sum(len(r.encode("utf-8")) for r in entry.get("Resources", ()))


def detail(receipt: Receipt) -> dict[str, Any]:
    """The event's detail: the receipt as Receipt.to_dict() gives it, plus its E.164 `phone`."""
    return {**receipt.to_dict(), "phone": receipt.phone}


def _entry(receipt: Receipt, bus: str) -> dict[str, Any]:
    """One PutEvents entry. Every stored receipt must be publishable, so an event that could not
    carry the callback as VMS sent it (over the size limit alone, or an integer PutEvents refuses)
    carries the normalised fields without `raw`, and says so: `"raw_omitted": true`. The full
    receipt is still in the table (docs/events.md)."""
    body = detail(receipt)
    entry = {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE.format(kind=receipt.kind),
        "Detail": _json(body),
        "EventBusName": bus,
        "Time": parse_iso(receipt.received_at),
    }
    if entry_size(entry) > MAX_REQUEST_BYTES or _has_wide_integer(receipt.raw):
        del body["raw"]
        entry["Detail"] = _json({**body, "raw_omitted": True})
    return entry


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _has_wide_integer(value: Any) -> bool:
    pending = [value]  # a loop, not recursion: `raw` nests as deep as the receiver's parser allows
    while pending:
        item = pending.pop()
        if isinstance(item, int) and not isinstance(item, bool) and item not in INT_RANGE:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def requests(batch: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The entries in order, in PutEvents requests of at most 10 entries and MAX_REQUEST_BYTES."""
    chunks: list[list[dict[str, Any]]] = []
    size = 0
    for entry in batch:
        this = entry_size(entry)
        if not chunks or len(chunks[-1]) == MAX_ENTRIES or size + this > MAX_REQUEST_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += this
    return chunks


def entries(records: Iterable[Mapping[str, Any]], bus: str) -> list[dict[str, Any]]:
    """PutEvents entries for the INSERT records of a stream batch. MODIFY never happens (a
    receipt is written once) and REMOVE is a TTL expiry: neither is a new receipt."""
    found = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        found.append(_entry(from_item(record["dynamodb"]["NewImage"]), bus))
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
        for chunk in requests(batch):
            try:
                answer = self.client.put_events(Entries=chunk)
            except AWS_ERRORS as exc:
                raise unavailable(self._what, exc) from exc
            if answer.get("FailedEntryCount"):
                failed = answer["FailedEntryCount"]
                codes = ", ".join(sorted({e["ErrorCode"] for e in answer["Entries"] if "ErrorCode" in e}))
                raise EventsNotPublished(f"{self._what} refused {failed} of {len(chunk)} events ({codes})")
        return len(batch)


# once per process: the client is the cold start's cost
PUBLISHER: PerProcess[Publisher] = PerProcess(lambda: Publisher(load_event_bus()))


def lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, int]:
    """The stream's Lambda function: `handler: voice_receipts.publish.lambda_handler`."""
    return {"published": PUBLISHER.get().publish(event.get("Records", []))}
