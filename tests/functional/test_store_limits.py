"""No receipt may fail forever: the largest body each store's limit admits, in its worst case, is
stored by the real store (SQLite), moto (DynamoDB, SQS) or the TDMQ stub holding CMQ's default
65,536-byte queue limit; one byte more is a 413 at the door, before any store is asked."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from tests import samples
from tests.aws import TABLE, all_items, aws_client, create_table, drain
from tests.stubs import TdmqStub
from tests.worst_case import in_sqs_character_set, sqs_message_bytes, worst_case_body
from voice_receipts.app import App
from voice_receipts.config import STORE_MAX_BODY_BYTES, load_settings
from voice_receipts.stores.cmq import CMQStore, build_client, credential_from
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.stores.sqs import SQSStore

QUEUE_DEFAULT = 262_144  # SQS MaximumMessageSize default (moto's own default is 1 MiB)
CMQ_DEFAULT = 65_536  # CreateCmqQueue MaxMsgSize default (tencentcloud SDK, models.py)


def settings_for(store_url: str, **env: str):
    bound = STORE_MAX_BODY_BYTES[store_url.split(":")[0]]
    return load_settings(
        {"VOICE_RECEIPTS_STORE": store_url, "VOICE_RECEIPTS_MAX_BODY_BYTES": str(bound), **env}
    )


def deliver(app: App, body: bytes):
    return samples.reply_of(app(samples.aws_http(body.decode())))


def largest_then_one_more(app: App) -> None:
    bound = app.gate.max_body_bytes
    status, reply = deliver(app, worst_case_body(bound, callid_tail="fits"))
    assert (status, reply) == (200, {"result": 0, "errmsg": "OK"}), reply
    status, reply = deliver(app, worst_case_body(bound + 1, callid_tail="over"))
    assert (status, reply["result"]) == (413, 4130)
    assert f"over the limit of {bound} bytes" in reply["errmsg"]


def test_sqlite_stores_the_largest_worst_case_body(tmp_path):
    store = SQLiteStore(tmp_path / "limits.db")
    app = App.configured(settings_for("sqlite:///x"), store)
    largest_then_one_more(app)
    [(callid,)] = store._query("SELECT callid FROM receipts")
    [receipt] = store.receipts(callid)
    assert receipt.callid.endswith("fits")
    assert (
        receipt.raw == json.loads(worst_case_body(app.gate.max_body_bytes, "fits"))["voice_failure_callback"]
    )


@pytest.mark.usefixtures("aws_env")
def test_dynamodb_stores_the_largest_worst_case_body():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        app = App.configured(settings_for(f"dynamodb://{TABLE}"), DynamoDBStore(TABLE, client=client))
        largest_then_one_more(app)
        [item] = all_items(client)
        assert item["callid"]["S"].endswith("fits")
        body = worst_case_body(app.gate.max_body_bytes, "fits")
        assert json.loads(item["raw"]["S"]) == json.loads(body)["voice_failure_callback"]


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize("queue", ["receipts.fifo", "receipts"])
def test_sqs_stores_the_largest_worst_case_body_in_a_default_size_queue(queue):
    with mock_aws():
        client = aws_client("sqs")
        attributes = {"MaximumMessageSize": str(QUEUE_DEFAULT)}
        if queue.endswith(".fifo"):
            attributes["FifoQueue"] = "true"
        url = client.create_queue(QueueName=queue, Attributes=attributes)["QueueUrl"]
        app = App.configured(settings_for(f"sqs://{queue}"), SQSStore(url, client=client))
        largest_then_one_more(app)
        [message] = drain(client, url)
        # moto counts characters of the body only; SQS counts bytes of the body and attributes
        assert sqs_message_bytes(message["Body"], message["MessageAttributes"]) <= QUEUE_DEFAULT
        assert in_sqs_character_set(message["Body"])
        body = worst_case_body(app.gate.max_body_bytes, "fits")
        assert json.loads(message["Body"])["raw"] == json.loads(body)["voice_failure_callback"]


@pytest.fixture
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_proxy")
def test_cmq_stores_the_largest_worst_case_body_in_a_default_size_queue():
    with TdmqStub(queues=["receipts"], max_msg_size=CMQ_DEFAULT) as stub:
        credential = credential_from(
            {"TENCENTCLOUD_SECRET_ID": stub.secret_id, "TENCENTCLOUD_SECRET_KEY": stub.secret_key}
        )
        store = CMQStore("receipts", build_client("ap-guangzhou", credential, stub.url))
        app = App.configured(settings_for("cmq://receipts"), store)
        largest_then_one_more(app)
        [message] = stub.messages
        assert len(message.body.encode("utf-8")) <= CMQ_DEFAULT
        body = worst_case_body(app.gate.max_body_bytes, "fits")
        assert json.loads(message.body)["raw"] == json.loads(body)["voice_failure_callback"]
        assert len(stub.received) == 1  # the 413 never reached TDMQ


@pytest.mark.usefixtures("no_proxy")
def test_the_tdmq_stub_refuses_a_message_over_the_queue_limit_as_tdmq_does():
    import urllib.request

    from tests.stubs import tc3_headers

    with TdmqStub(queues=["receipts"], max_msg_size=1024) as stub:
        for size, error in ((1024, None), (1025, "FailedOperation.MaxMessageSizeError")):
            payload = json.dumps(
                {
                    "QueueName": "receipts",
                    "MsgContent": "\u00e9" * (size // 2) + "x" * (size % 2),
                    "DelaySeconds": 0,
                }
            ).encode()
            headers = tc3_headers(stub.secret_id, stub.secret_key, host=stub.endpoint, body=payload)
            request = urllib.request.Request(stub.url, data=payload, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback stub
                response = json.loads(answer.read())["Response"]
            assert response.get("Error", {}).get("Code") == error
        assert len(stub.messages) == 1


@pytest.mark.usefixtures("aws_env")
def test_a_mobile_the_by_phone_index_cannot_key_is_400_not_503_forever():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        app = App.configured(settings_for(f"dynamodb://{TABLE}"), DynamoDBStore(TABLE, client=client))
        too_long = samples.body("voicecode_callback", callid="long-mobile", mobile="1" * 2100)
        for _ in range(2):  # every redelivery gets the same permanent answer
            status, reply = samples.reply_of(app(samples.aws_http(too_long)))
            assert (status, reply["result"]) == (400, 4002), reply
            assert reply["errmsg"] == "voicecode_callback.mobile: must be at most 32 characters"
        assert all_items(client) == []


@pytest.mark.usefixtures("aws_env")
def test_sqs_never_gets_a_character_it_refuses():
    with mock_aws():
        client = aws_client("sqs")
        url = client.create_queue(QueueName="receipts")["QueueUrl"]
        app = App.configured(settings_for("sqs://receipts"), SQSStore(url, client=client))
        # in a callid (a message attribute): refused at validation, before SQS is asked
        bad_callid = samples.body("voicekey_callback", callid="c\uffff1")
        status, reply = samples.reply_of(app(samples.aws_http(bad_callid)))
        assert (status, reply["result"]) == (400, 4002)
        # anywhere in the body: stored, escaped in JSON, read back exactly
        odd = "\uffff\ufffe\x01\x1b]52;c;aGk=\x07\U0001f600\ud7ff\ue000"
        document = samples.body("voice_failure_callback", callid="odd", failure_reason=odd, extra={"k": odd})
        status, reply = samples.reply_of(app(samples.aws_http(document)))
        assert status == 200, reply
        [message] = drain(client, url)
        assert in_sqs_character_set(message["Body"])
        for value in message["MessageAttributes"].values():
            assert in_sqs_character_set(value["StringValue"])
        assert json.loads(message["Body"])["raw"] == document["voice_failure_callback"]


@pytest.mark.usefixtures("aws_env")
def test_dynamodb_takes_the_largest_numbers_validation_lets_through():
    """Normalised numbers become N (38 digits at most): whole numbers stop at 18 digits. `raw` is
    JSON text, so an undocumented 4,300-digit integer is kept exactly."""
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        app = App.configured(settings_for(f"dynamodb://{TABLE}"), store)
        most, huge = "9" * 18, int("9" * 4300)
        status_body = samples.body("voicecode_callback", callid="n1", fee=most, start_calltime=most, x=huge)
        failure_body = samples.body("voice_failure_callback", callid="n1", failure_code="-" + most, y=-huge)
        for document in (status_body, failure_body):
            status, reply = samples.reply_of(app(samples.aws_http(document)))
            assert status == 200, reply
        status_receipt, failure_receipt = sorted(store.receipts("n1"), key=lambda r: r.kind)[::-1]
        assert status_receipt.fee_minutes == int(most) and status_receipt.raw["x"] == huge
        assert status_receipt.started_at is None  # past year 9999: no date, the raw value is kept
        assert failure_receipt.failure_code == -int(most) and failure_receipt.raw["y"] == -huge
