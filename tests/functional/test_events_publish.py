"""A receipt stored in DynamoDB arrives on EventBridge as the documented event (docs/events.md):
moto's table stream records, through events.lambda_handler, to a rule that targets an SQS queue."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.samples import body
from voice_receipts import publish as events
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")

# The example rule of docs/events.md: the callee pressed 1 during a notification
KEY_1_PRESSED = {
    "source": ["voice-receipts"],
    "detail-type": ["Voice receipt: voicekey"],
    "detail": {"keypress": ["1"]},
}


def receipt(kind: str, **changes):
    return build_receipt(parse_callback(body(kind, **changes)))


def stream_records(ddb, streams) -> list[dict]:
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]


@pytest.fixture
def aws(monkeypatch):
    with mock_aws():
        ddb = aws_client("dynamodb")
        create_table(ddb)
        ddb.update_table(
            TableName=TABLE, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        )
        sqs, bus = aws_client("sqs"), aws_client("events")
        url = sqs.create_queue(QueueName="key-1-pressed")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        bus.put_rule(Name="key-1", EventPattern=json.dumps(KEY_1_PRESSED))
        bus.put_targets(Rule="key-1", Targets=[{"Id": "q", "Arn": queue_arn}])
        events.PUBLISHER.reset()
        # botocore 1.44 sends stream calls to the account's endpoint (ACCOUNT.streams-ddb...),
        # which moto 5.2.5 does not route; the regional endpoint it does
        streams = aws_client(
            "dynamodbstreams", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com"
        )
        yield ddb, streams, sqs, url


def test_a_stored_key_press_arrives_as_the_documented_event(aws, monkeypatch):
    ddb, streams, sqs, url = aws
    monkeypatch.setenv("VOICE_RECEIPTS_EVENT_BUS", "default")
    store = DynamoDBStore(TABLE, client=ddb, retention_days=30)
    pressed = receipt("voicekey_callback", keypress="1")
    for r in (receipt("voiceprompt_callback"), pressed, receipt("voicekey_callback", keypress="2")):
        assert store.put(r)
    assert not store.put(pressed)  # a redelivery is no new item, so no second event

    records = stream_records(ddb, streams)
    assert [r["eventName"] for r in records] == ["INSERT"] * 3
    assert events.lambda_handler({"Records": records}, None) == {"published": 3}

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    [event] = [json.loads(m["Body"]) for m in messages]  # only the rule's match: key 1
    assert event["source"] == "voice-receipts"
    assert event["detail-type"] == "Voice receipt: voicekey"
    assert event["detail"] == {**pressed.to_dict(), "phone": "+8613800138001"}  # plain JSON, untyped
    assert event["detail"]["raw"] == {
        "voicekey_callback": body("voicekey_callback", keypress="1")["voicekey_callback"]
    } or isinstance(event["detail"]["raw"], dict)


def test_only_inserts_become_events():
    image = {
        "callid": {"S": "c"},
        "kind": {"S": "voicekey"},
        "event_id": {"S": "e"},
        "received_at": {"S": "2026-11-28T00:00:00Z"},
        "raw": {"S": "{}"},
    }
    records = [
        {"eventName": name, "dynamodb": {"NewImage": image}} for name in ("INSERT", "MODIFY", "REMOVE")
    ]
    [entry] = events.entries(records, "bus")
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        "voice-receipts",
        "Voice receipt: voicekey",
        "bus",
    )
    assert json.loads(entry["Detail"])["raw"] == {}


def test_a_refused_entry_fails_the_batch_so_the_mapping_retries_it(aws):
    ddb, streams, _, _ = aws
    DynamoDBStore(TABLE, client=ddb).put(receipt("voicekey_callback"))
    publisher = events.Publisher("default", client=aws_client("events"))
    with Stubber(publisher.client) as stub:
        stub.add_response(
            "put_events",
            {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]},
        )
        with pytest.raises(events.EventsNotPublished, match="refused 1 of 1 events \\(InternalFailure\\)"):
            publisher.publish(stream_records(ddb, streams))
        stub.add_client_error("put_events", "AccessDeniedException", http_status_code=400)
        with pytest.raises(StoreUnavailable, match="eventbridge bus 'default' denied access"):
            publisher.publish(stream_records(ddb, streams))


def test_more_than_ten_receipts_go_in_calls_of_ten(aws):
    ddb, streams, _, _ = aws
    store = DynamoDBStore(TABLE, client=ddb)
    for k in range(23):
        store.put(receipt("voicekey_callback", keypress=str(k)))
    publisher = events.Publisher("default", client=aws_client("events"))
    sizes: list[int] = []
    publisher.client.meta.events.register(
        "provide-client-params.events.PutEvents", lambda params, **_: sizes.append(len(params["Entries"]))
    )
    assert publisher.publish(stream_records(ddb, streams)) == 23
    assert sizes == [10, 10, 3]


def test_the_bus_is_read_through_config_with_its_default():
    from voice_receipts.config import EVENT_BUS, load_event_bus

    assert load_event_bus({}) == "default"
    assert load_event_bus({EVENT_BUS: "orders"}) == "orders"
    # the publisher's function has neither a store nor a token set: its one setting must not need them
    assert load_event_bus({"AWS_LAMBDA_FUNCTION_NAME": "publish", EVENT_BUS: "b"}) == "b"
