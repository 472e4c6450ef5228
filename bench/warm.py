"""Per-receipt CPU on the warm path, the store's network left out. Prints one JSON object.

    python bench/warm.py [--batch 400] [--batches 15]

Every variant answers the same HTTP API 2.0 event (a voicecode status receipt, a distinct callid
per call) after a warm-up, timed with time.process_time() over batches; the figure is the median
batch divided by its size. Two ways of leaving the network out, both reported:
- "memory": the project's App over an in-memory Store; the alternatives' DynamoDB clients (and the
  idempotency layer's) replaced by an object whose put_item/update_item return {} at once;
- "stubbed": real botocore DynamoDB clients with botocore.stub.Stubber, so botocore's parameter
  validation and serialisation run (signing and HTTP do not): what each variant really costs a
  Lambda in CPU besides DynamoDB's own latency.
The project logs its one JSON line per receipt, as in production, into /dev/null.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE / "alternatives")]
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "voice-receipts-bench",
    "BENCH_TABLE": "receipts",
    "BENCH_IDEMPOTENCY_TABLE": "idempotency",
    "VOICE_RECEIPTS_STORE": "dynamodb://receipts",
    "VOICE_RECEIPTS_TOKEN": "bench-token-0123456789",
}.items():
    os.environ.setdefault(name, value)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)

import cold_child  # noqa: E402 - the same event and context as the cold starts

VARIANTS = ("project", "floor", "powertools", "powertools_idempotent")


class NullClient:
    """A DynamoDB client that answers at once: the in-memory stand-in for the alternatives."""

    class exceptions:  # noqa: N801 - mirrors botocore's client.exceptions
        class ConditionalCheckFailedException(Exception):  # noqa: N818
            pass

    def put_item(self, **kwargs):
        return {}

    def update_item(self, **kwargs):
        return {}

    def get_item(self, **kwargs):
        return {}


def memory_store():
    from voice_receipts.stores.base import Store

    class MemoryStore(Store):
        name = "memory"

        def __init__(self) -> None:
            self.keys: set[tuple[str, str]] = set()

        def put(self, receipt) -> bool:
            key = (receipt.callid, receipt.event_id)
            if key in self.keys:
                return False
            self.keys.add(key)
            return True

    return MemoryStore()


class Variant:
    """A handler plus what must be queued before each batch (Stubber responses)."""

    def __init__(self, name: str, mode: str) -> None:
        self.name, self.mode = name, mode
        self.stubbers: list[tuple[object, tuple[str, ...]]] = []
        self.handler = self._build()

    def _stubbed(self, operations: tuple[str, ...]):
        import boto3
        from botocore.stub import Stubber

        client = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:9")
        stubber = Stubber(client)
        stubber.activate()
        self.stubbers.append((stubber, operations))
        return client

    def _build(self):
        stubbed = self.mode == "stubbed"
        if self.name == "project":
            from voice_receipts import logs
            from voice_receipts.app import App
            from voice_receipts.config import load_settings
            from voice_receipts.stores.dynamodb import DynamoDBStore

            logs.configure("INFO", stream=open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
            if stubbed:
                return App.configured(
                    load_settings(), DynamoDBStore("receipts", client=self._stubbed(("put_item",)))
                )
            return App.configured(load_settings(), memory_store())
        if self.name == "floor":
            import floor

            client = self._stubbed(("put_item",)) if stubbed else NullClient()

            def floor_handler(event, context):
                floor.dynamodb = client
                return floor.lambda_handler(event, context)

            return floor_handler
        import powertools_plain

        route_client = self._stubbed(("put_item",)) if stubbed else NullClient()
        if self.name == "powertools":

            def handler(event, context):
                powertools_plain.dynamodb = route_client
                return powertools_plain.lambda_handler(event, context)

            return handler
        import powertools_idempotent

        layer_client = self._stubbed(("put_item", "update_item")) if stubbed else NullClient()

        def idempotent_handler(event, context):
            powertools_plain.dynamodb = route_client
            powertools_idempotent.persistence.client = layer_client
            return powertools_idempotent.lambda_handler(event, context)

        return idempotent_handler

    def queue(self, n: int) -> None:
        for stubber, operations in self.stubbers:
            for _ in range(n):
                for operation in operations:
                    stubber.add_response(operation, {})


def events(prefix: str, n: int) -> list[tuple[dict, cold_child.Context]]:
    made = []
    for i in range(n):
        callid = f"{prefix}-{i}"
        made.append((copy.deepcopy(cold_child.event(callid)), cold_child.Context(callid)))
    return made


def check(reply) -> None:
    body = reply.get("body", "") if isinstance(reply, dict) else ""
    if reply.get("statusCode") != 200 or not body.replace(" ", "").startswith('{"result":0'):
        raise SystemExit(f"unexpected reply: {reply!r}")


def run(mode: str, batch: int, batches: int) -> dict[str, float]:
    variants = [Variant(name, mode) for name in VARIANTS]
    per_call: dict[str, list[float]] = {v.name: [] for v in variants}
    for v in variants:  # warm-up: first calls build caches, pydantic validators, botocore models
        v.queue(200)
        for event, context in events(f"warm-{mode}-{v.name}", 200):
            check(v.handler(event, context))
    for round_ in range(batches):
        shift = round_ % len(variants)
        for v in variants[shift:] + variants[:shift]:
            todo = events(f"{mode}-{v.name}-{round_}", batch)
            v.queue(batch)
            handler = v.handler
            started = time.process_time()
            for event, context in todo:
                handler(event, context)
            per_call[v.name].append((time.process_time() - started) / batch * 1e6)
    return {name: statistics.median(values) for name, values in per_call.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=400)
    parser.add_argument("--batches", type=int, default=15)
    args = parser.parse_args()
    result = {mode: run(mode, args.batch, args.batches) for mode in ("memory", "stubbed")}
    result["batch"], result["batches"] = args.batch, args.batches
    print(json.dumps(result))


if __name__ == "__main__":
    main()
