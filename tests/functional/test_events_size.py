"""Every receipt the DynamoDB store accepts reaches EventBridge (issue 21, class 2): PutEvents
requests are split by the service's size rule as well as by count, and an event that could not
carry `raw` carries the normalised fields with `"raw_omitted": true` (docs/events.md).

moto's EventBridge takes requests of any size, so the client here first refuses what AWS refuses,
by the rule in the EventBridge user guide ("Calculating PutEvents event entry size"), written out
again here rather than imported: Time counts 14 bytes, Source, DetailType, Detail and each of
Resources their UTF-8 bytes; the request's total must be under 256 KB (read as 256,000, the
stricter of its two readings), and a JSON integer must fit a signed 64-bit one."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.functional.test_events_publish import stream_records
from tests.samples import body
from tests.worst_case import worst_case_body
from voice_receipts import publish
from voice_receipts.callbacks import load_json, parse_callback
from voice_receipts.config import load_settings
from voice_receipts.limits import STORE_MAX_BODY_BYTES
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")
AWS_LIMIT = 256_000


def size_as_aws_counts(entry: dict) -> int:
    size = 14 if entry.get("Time") is not None else 0
    size += sum(len(entry.get(k, "").encode("utf-8")) for k in ("Source", "DetailType", "Detail"))
    return size + sum(len(r.encode("utf-8")) for r in entry.get("Resources", []))


def wide_integers(text: str) -> bool:
    found = []

    def check(number: str) -> int:
        found.append(not -(2**63) <= int(number) < 2**63)
        return int(number)

    json.loads(text, parse_int=check)
    return any(found)


def as_aws(client, requests: list[list[dict]]):
    """The moto client, refusing a request as PutEvents does; each request it takes is recorded."""

    def refuse(params, **_):
        entries = params["Entries"]
        if len(entries) > 10 or sum(size_as_aws_counts(e) for e in entries) >= AWS_LIMIT:
            error = {"Code": "ValidationException", "Message": "Total size of the entries is over the limit"}
            raise ClientError({"Error": error}, "PutEvents")
        if any(wide_integers(e["Detail"]) for e in entries):
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "number"}}, "PutEvents")
        requests.append(entries)

    client.meta.events.register("provide-client-params.events.PutEvents", refuse)
    return client


@pytest.fixture
def aws():
    with mock_aws():
        ddb = aws_client("dynamodb")
        create_table(ddb)
        ddb.update_table(
            TableName=TABLE, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        )
        sqs, bus = aws_client("sqs"), aws_client("events")
        url = sqs.create_queue(QueueName="all-receipts")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bus.put_rule(Name="all", EventPattern=json.dumps({"source": ["voice-receipts"]}))
        bus.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
        streams = aws_client(
            "dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com"
        )
        yield ddb, streams, sqs, url


def arrived(sqs, url: str) -> list[dict]:
    events = []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in got:
            events.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return events


def stored(ddb, bodies: list[bytes]) -> list:
    store = DynamoDBStore(TABLE, client=ddb)
    receipts = [build_receipt(parse_callback(load_json(b))) for b in bodies]
    for r in receipts:
        assert store.put(r)
    return receipts


def test_the_largest_receipts_the_dynamodb_store_takes_are_all_published(aws):
    ddb, streams, sqs, url = aws
    # the largest body VOICE_RECEIPTS_MAX_BODY_BYTES may allow on DynamoDB (101,376 bytes), and
    # its default (65,536): the first is over the limit alone with raw, the second fits alone
    # with raw but not two together; small ones share a request
    settings = load_settings({"VOICE_RECEIPTS_STORE": f"dynamodb://{TABLE}"})
    largest = STORE_MAX_BODY_BYTES["dynamodb"]
    assert largest > settings.max_body_bytes
    bodies = [worst_case_body(largest, f"big{n}") for n in range(11)]
    bodies += [worst_case_body(settings.max_body_bytes, f"mid{n}") for n in range(3)]
    bodies += [json.dumps(body("voicekey_callback", callid=f"small{n}")).encode() for n in range(12)]
    receipts = stored(ddb, bodies)
    requests: list[list[dict]] = []
    publisher = publish.Publisher("default", client=as_aws(aws_client("events"), requests))

    assert publisher.publish(stream_records(ddb, streams)) == len(bodies)

    assert sum(len(r) for r in requests) == len(bodies)
    assert all(len(r) <= 10 and sum(size_as_aws_counts(e) for e in r) < AWS_LIMIT for r in requests)
    events = {e["detail"]["callid"]: e["detail"] for e in arrived(sqs, url)}
    assert len(events) == len(bodies)
    for r in receipts:
        got = events[r.callid]
        full = {**r.to_dict(), "phone": r.phone}
        if "big" in r.callid:
            assert got == {k: v for k, v in full.items() if k != "raw"} | {"raw_omitted": True}
        else:
            assert got == full  # raw kept, no raw_omitted


def test_an_integer_eventbridge_refuses_is_published_without_raw(aws):
    ddb, streams, sqs, url = aws
    [r] = stored(ddb, [json.dumps(body("voicekey_callback", extra={"n": 2**70})).encode()])
    publisher = publish.Publisher("default", client=as_aws(aws_client("events"), []))
    assert publisher.publish(stream_records(ddb, streams)) == 1
    [event] = arrived(sqs, url)
    assert "raw" not in event["detail"] and event["detail"]["raw_omitted"] is True
    assert event["detail"]["callid"] == r.callid and event["detail"]["keypress"] == r.keypress
