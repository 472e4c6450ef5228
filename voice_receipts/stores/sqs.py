"""sqs://QUEUE: every receipt becomes one message; QUEUE is a queue name or a queue URL.

Body: Receipt.to_json(). Message attributes (String) callid, kind and event_id on every queue, so
a consumer can route without parsing the body. On a FIFO queue (name ends in .fifo)
MessageGroupId keeps one call's receipts in order and MessageDeduplicationId = event_id makes SQS
drop a redelivery within its 5-minute window. Beyond that window, and on standard queues, a queue
cannot tell a duplicate: put always answers True and consumers dedupe by event_id.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from voice_receipts.aws import AWS_ERRORS, make_client, rehearse, unavailable
from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}(\.fifo)?$|^[A-Za-z0-9_-]{1,80}$")
# MessageGroupId: up to 128 of a-z, A-Z, 0-9 and ASCII punctuation.
_GROUP_ID = re.compile(r"^[!-~]{1,128}$")
_REGION_IN_HOST = re.compile(r"^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
# Resolving a queue name costs a GetQueueUrl before the first SendMessage. Both calls bounded
# (aws.WORST_CASE_S each) could add up past a 10 s function timeout, so when resolving was slow
# the request stops with a 503 and the next delivery finds the URL cached: one call again.
RESOLVE_BUDGET_S = 1.0


class SQSStore(Store):
    name = "sqs"

    def __init__(self, queue: str, client: Any = None, region: str | None = None) -> None:
        """`queue` is a name ("receipts.fifo") or a queue URL (any http(s) URL, moto's too)."""
        if queue.startswith(("https://", "http://")):
            self.queue_url: str | None = queue
            self.queue_name = urlsplit(queue).path.rstrip("/").rsplit("/", 1)[-1]
        else:
            self.queue_url = None  # resolved on first put (see _url)
            self.queue_name = queue
        if not _QUEUE_NAME.match(self.queue_name):
            raise ConfigError(
                f"sqs queue name {self.queue_name!r} is not valid: up to 80 letters, digits,"
                " '-' or '_', FIFO names ending in .fifo"
            )
        self.fifo = self.queue_name.endswith(".fifo")
        self.client = client if client is not None else make_client("sqs", region=region)
        # the name, never the URL, goes into errmsg: a queue URL carries the account id
        self._what = f"sqs queue {self.queue_name!r}"
        self._lock = threading.Lock()  # `serve` is threaded: resolve the name once

    @classmethod
    def open(cls, queue: str, settings: Settings) -> SQSStore:
        # sqs://https://sqs.eu-west-1.amazonaws.com/123456789012/x names its region, and it wins
        # over the function's region: requests go to the region's endpoint, not to the URL's
        # host, so a queue in another region than the function is reachable only this way
        found = _REGION_IN_HOST.match(urlsplit(queue).hostname or "")
        return cls(queue, region=found.group(1) if found else settings.aws_region)

    def put(self, receipt: Receipt) -> bool:
        """Send one message. Always True: a queue cannot tell that a receipt is a redelivery."""
        try:
            self.client.send_message(**self._message(receipt, self._url()))
        except AWS_ERRORS as exc:
            raise unavailable(self._what, exc) from exc
        return True

    def warm(self, receipt: Receipt) -> None:
        """The first SendMessage's one-off botocore work at init, sent nowhere. The queue's URL
        is still looked up on the first put: that is a real request, kept out of init."""
        placeholder = self.queue_url or f"https://sqs.invalid/000000000000/{self.queue_name}"
        rehearse(self.client, "send_message", self._message(receipt, placeholder))

    def _message(self, receipt: Receipt, queue_url: str) -> dict[str, Any]:
        request: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MessageBody": receipt.to_json(),
            "MessageAttributes": {
                name: {"DataType": "String", "StringValue": value}
                for name, value in (
                    ("callid", receipt.callid),
                    ("kind", receipt.kind),
                    ("event_id", receipt.event_id),
                )
            },
        }
        if self.fifo:
            request["MessageGroupId"] = group_id(receipt.callid)
            request["MessageDeduplicationId"] = receipt.event_id  # "<kind>-<32 hex>": valid
        return request

    def _url(self) -> str:
        """The queue URL, from GetQueueUrl once per process when the store was given a name.

        Lazily, not at start-up: a missing queue or an outage then ends as a 503 the sender
        retries, like every other store fault, instead of a function that cannot start.
        """
        if self.queue_url is not None:
            return self.queue_url
        with self._lock:
            if self.queue_url is None:
                started = time.monotonic()
                try:
                    answer = self.client.get_queue_url(QueueName=self.queue_name)
                except AWS_ERRORS as exc:
                    raise unavailable(self._what, exc) from exc
                self.queue_url = answer["QueueUrl"]
                if time.monotonic() - started > RESOLVE_BUDGET_S:
                    raise StoreUnavailable(f"{self._what}: looking up its URL was slow")
        return self.queue_url

    def disconnect(self) -> None:
        self.client.close()  # botocore empties its pool; the client opens new sockets when next used

    def close(self) -> None:
        self.client.close()


def group_id(callid: str) -> str:
    """callid itself when SQS accepts it as a MessageGroupId, else a stable digest of it."""
    if _GROUP_ID.match(callid):
        return callid
    return "sha256-" + hashlib.sha256(callid.encode(errors="surrogatepass")).hexdigest()
