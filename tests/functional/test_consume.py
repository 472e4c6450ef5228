"""Queue consumers: Receipt.from_message, the SQS Lambda consumer with partial batch responses
(driven by a poller that does what Lambda's SQS event source mapping does, on moto), CMQ."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from tests.aws import aws_client, create_queue
from tests.samples import body
from voice_receipts import consume, logs
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import BadMessage
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.sqs import SQSStore

pytestmark = pytest.mark.usefixtures("aws_env")
REGION = "us-east-1"


def receipt(kind: str, **changes) -> Receipt:
    return build_receipt(parse_callback(body(kind, **changes)))


def test_from_message_is_the_inverse_of_to_json():
    for kind in ("voicecode_callback", "voiceprompt_callback", "voicekey_callback", "voice_failure_callback"):
        r = receipt(kind)
        assert Receipt.from_message(r.to_json()) == r
        assert Receipt.from_message(r.to_json().encode()) == r
    newer = json.loads(r.to_json()) | {"a_field_added_later": 1}
    assert Receipt.from_message(json.dumps(newer)) == r


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ("not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"callid": "c"}', "no 'kind'"),
        ('{"callid": "c", "kind": "voicekey", "event_id": "e", "received_at": 5}', "no 'received_at'"),
        ('{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "raw": []}', "'raw'"),
    ],
)
def test_from_message_refuses_what_is_not_a_receipt(message, why):
    with pytest.raises(BadMessage, match=why):
        Receipt.from_message(message)


def lambda_event(messages: list[dict], arn: str) -> dict:
    """The event Lambda's SQS event source mapping hands a function, built from received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    k: {"stringValue": v["StringValue"], "dataType": v["DataType"]}
                    for k, v in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def poll_once(client, url: str, arn: str, handler) -> dict:
    """One round of the event source mapping: receive, invoke, delete what did not fail, and
    make the failures visible again at once (instead of waiting out the visibility timeout)."""
    got = client.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"],
    ).get("Messages", [])
    if not got:
        return {"batchItemFailures": []}
    answer = handler(lambda_event(got, arn), None)
    failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
    for m in got:
        if m["MessageId"] in failed:
            client.change_message_visibility(
                QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return answer


@pytest.fixture
def queues():
    with mock_aws():
        client = aws_client("sqs")
        dlq = create_queue(client, "receipts-dlq")
        dlq_arn = client.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        url = client.create_queue(
            QueueName="receipts",
            Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
            },
        )["QueueUrl"]
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        yield client, url, arn, dlq


def test_the_sqs_consumer_takes_what_the_store_sent_and_leaves_poison_to_the_dead_letter_queue(queues):
    client, url, arn, dlq = queues
    store = SQSStore(url, client=client)
    sent = [receipt("voiceprompt_callback"), receipt("voicekey_callback"), receipt("voice_failure_callback")]
    for r in sent:
        store.put(r)
    client.send_message(QueueUrl=url, MessageBody="a message someone else put here")
    seen: list[Receipt] = []
    handler = consume.sqs_handler(seen.append)

    first = poll_once(client, url, arn, handler)
    assert len(first["batchItemFailures"]) == 1  # the poison message, and only it
    assert sorted(r.event_id for r in seen) == sorted(r.event_id for r in sent)
    assert seen[0] == next(r for r in sent if r.event_id == seen[0].event_id)  # the same Receipt
    poll_once(client, url, arn, handler)  # its second failure
    assert poll_once(client, url, arn, handler) == {"batchItemFailures": []}  # moved on
    [dead] = client.receive_message(QueueUrl=dlq).get("Messages", [])
    assert dead["Body"] == "a message someone else put here"
    assert len(seen) == 3


def test_a_failing_on_receipt_is_delivered_again_and_succeeds_later(queues):
    client, url, arn, _ = queues
    SQSStore(url, client=client).put(receipt("voicekey_callback"))
    attempts: list[str] = []

    def flaky(r: Receipt) -> None:
        attempts.append(r.event_id)
        if len(attempts) == 1:
            raise ConnectionError("the business's database is down")

    handler = consume.sqs_handler(flaky)
    assert len(poll_once(client, url, arn, handler)["batchItemFailures"]) == 1
    assert poll_once(client, url, arn, handler) == {"batchItemFailures": []}
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert client.receive_message(QueueUrl=url).get("Messages", []) == []


def test_on_a_fifo_queue_the_records_after_a_failure_are_not_tried():
    good = receipt("voicekey_callback").to_json()
    records = [
        {"messageId": "m1", "body": good, "eventSourceARN": "arn:aws:sqs:us-east-1:1:r.fifo"},
        {"messageId": "m2", "body": "poison", "eventSourceARN": "arn:aws:sqs:us-east-1:1:r.fifo"},
        {"messageId": "m3", "body": good, "eventSourceARN": "arn:aws:sqs:us-east-1:1:r.fifo"},
    ]
    seen: list[Receipt] = []
    answer = consume.sqs_batch({"Records": records}, seen.append)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    assert len(seen) == 1
    standard = [dict(r, eventSourceARN="arn:aws:sqs:us-east-1:1:r") for r in records]
    assert consume.sqs_batch({"Records": standard}, seen.append) == {
        "batchItemFailures": [{"itemIdentifier": "m2"}]
    }


def test_the_example_consumer_logs_one_masked_line_per_receipt(queues, monkeypatch, capsys):
    # the example configures the package logger: put it back afterwards
    monkeypatch.setattr(logs.log, "level", logs.log.level)
    monkeypatch.setattr(logs.log, "propagate", logs.log.propagate)
    monkeypatch.setattr(logs.log, "handlers", [])
    client, url, arn, _ = queues
    SQSStore(url, client=client).put(receipt("voicekey_callback"))
    assert poll_once(client, url, arn, consume.lambda_handler) == {"batchItemFailures": []}
    [line] = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert line["message"] == "receipt consumed" and line["mobile"] == "138******01"
    assert "13800138001" not in json.dumps(line)


def test_cmq_messages_returns_the_handles_to_delete():
    ok, poison = receipt("voicekey_callback"), "{}"
    failing = receipt("voicecode_callback")

    def on_receipt(r: Receipt) -> None:
        if r.event_id == failing.event_id:
            raise RuntimeError("later")

    messages = [("h1", ok.to_json()), ("h2", poison), ("h3", failing.to_json())]
    assert consume.cmq_messages(messages, on_receipt) == ["h1"]
