"""Consumers of the queue stores: receipts out of SQS and CMQ messages, one failure at a time.

    # a Lambda function on the SQS queue (event source mapping with ReportBatchItemFailures)
    from voice_receipts.consume import sqs_handler

    def on_receipt(receipt):          # your code; raise to have this message delivered again
        ...

    lambda_handler = sqs_handler(on_receipt)

Delivery is at least once on both queues: `on_receipt` may see a receipt twice and should dedupe
by `receipt.event_id` (docs/consume.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from logging import INFO, WARNING
from typing import Any

from voice_receipts import logs
from voice_receipts.entry import PerProcess
from voice_receipts.errors import BadMessage
from voice_receipts.receipt import Receipt

OnReceipt = Callable[[Receipt], object]


def sqs_batch(event: dict[str, Any], on_receipt: OnReceipt) -> dict[str, list[dict[str, str]]]:
    """Hand each record of a Lambda SQS event to `on_receipt`; the partial batch response.

    A record whose body is not a receipt, or whose `on_receipt` raised, is reported in
    batchItemFailures: SQS delivers it again and, after the queue's maxReceiveCount, moves it to
    the dead-letter queue. The others are deleted. On a FIFO queue the records after a failure
    are reported too, so one call's receipts are never handled out of order.
    """
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        if failures and str(record.get("eventSourceARN", "")).endswith(".fifo"):
            failures.append({"itemIdentifier": message_id})  # not tried: keeps the group's order
            continue
        if not _handled(record.get("body", ""), on_receipt, message_id):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def sqs_handler(on_receipt: OnReceipt) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for an SQS event source mapping with FunctionResponseTypes:
    [ReportBatchItemFailures]. Without that setting Lambda ignores the response and retries or
    deletes the whole batch."""

    def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return sqs_batch(event, on_receipt)

    return handler


def cmq_messages(messages: Iterable[tuple[str, str]], on_receipt: OnReceipt) -> list[str]:
    """Hand each CMQ message (receipt handle, msgBody) to `on_receipt`; the handles to delete.

    The receive loop around it (CMQ's ReceiveMessage / BatchReceiveMessage and DeleteMessage /
    BatchDeleteMessage on the queue's data-flow endpoint; the tencentcloud-sdk-python-tdmq API
    3.0 client can send but has no receive call) is in docs/consume.md. A message not returned
    here stays in the queue: CMQ delivers it again after the visibility timeout, and its
    dead-letter policy takes it after the configured number of attempts.
    """
    done: list[str] = []
    for handle, body in messages:
        if _handled(body, on_receipt, handle):
            done.append(handle)
    return done


def _handled(body: str, on_receipt: OnReceipt, message_id: str) -> bool:
    try:
        receipt = Receipt.from_message(body)
    except BadMessage as exc:
        logs.emit(
            WARNING,
            "not a receipt: left for the dead-letter queue",
            {"message_id": message_id, "why": exc.message},
        )
        return False
    try:
        on_receipt(receipt)
    except Exception as exc:  # noqa: BLE001 - the consumer's own code: any failure means "again"
        fields = {"message_id": message_id, "callid": receipt.callid, "error": type(exc).__name__}
        logs.emit(WARNING, "on_receipt failed: the message will be delivered again", fields)
        return False
    return True


def log_receipt(receipt: Receipt) -> None:
    """The example consumer: one log line per receipt, the number masked."""
    from voice_receipts.display import mask_mobile

    fields = {"callid": receipt.callid, "kind": receipt.kind, "mobile": mask_mobile(receipt.mobile)}
    logs.emit(INFO, "receipt consumed", fields)


# a function of its own: JSON lines, as the receiver writes them (entry.py's one bootstrap)
CONSUMER: PerProcess[OnReceipt] = PerProcess(lambda: log_receipt)


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The example consumer as a Lambda function: `handler: voice_receipts.consume.lambda_handler`."""
    return sqs_batch(event, CONSUMER.get())
