"""`sent` records in every store: they round-trip with their send fields, and calls are found by context."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from tests.aws import STATUS, TABLE, all_items, aws_client, create_table, keypress
from tests.stubs import TdmqStub
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import load_settings
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores import open_store
from voice_receipts.stores.dynamodb import DynamoDBStore, from_item
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.stores.sqs import SQSStore
from voice_receipts.tools.send import sent_event_id, sent_record

pytestmark = pytest.mark.usefixtures("aws_env")  # fake credentials, no real AWS, for every test


def sent(callid: str, context: str | None = "order-1", at: str = "2026-01-02T03:04:05.000000Z") -> Receipt:
    answer = {"SendStatus": {"CallId": callid, "SessionContext": context or ""}, "RequestId": f"req-{callid}"}
    return sent_record(
        answer,
        message="tts",
        phone=("86", "13711112222"),
        template_id="1234",
        play_times=3,
        context=context,
        at=at,
    )


def callback(callid: str, at: str) -> Receipt:
    body = {"voicecode_callback": {**STATUS["voicecode_callback"], "callid": callid}}
    return build_receipt(parse_callback(body), received_at=at)


def test_a_sent_record_round_trips_through_json_with_every_send_field():
    record = sent("c1")
    again = Receipt.from_dict(json.loads(record.to_json()))
    assert again == record
    assert (again.kind, again.event_id, again.phone) == ("sent", sent_event_id("c1"), "+8613711112222")
    assert (again.message, again.template_id, again.play_times) == ("tts", "1234", 3)
    assert (again.context, again.request_id) == ("order-1", "req-c1")


def test_a_callback_receipt_has_no_send_fields():
    record = callback("c1", "2026-01-02T03:04:06.000000Z")
    assert (record.message, record.template_id, record.play_times, record.context, record.request_id) == (
        None,
        None,
        None,
        None,
        None,
    )


# -- SQLite ------------------------------------------------------------------------------------


def test_sqlite_keeps_one_sent_record_per_call_and_finds_calls_by_context(tmp_path):
    with SQLiteStore(tmp_path / "r.db") as store:
        assert store.put(sent("c1", at="2026-01-01T00:00:00.000000Z")) is True
        assert store.put(sent("c1", at="2026-01-01T00:00:00.000000Z")) is False  # stable event_id
        store.put(sent("c2", at="2026-01-02T00:00:00.000000Z"))
        store.put(sent("c3", context="order-2", at="2026-01-03T00:00:00.000000Z"))
        store.put(sent("c4", context=None, at="2026-01-04T00:00:00.000000Z"))
        store.put(callback("c1", "2026-01-01T00:00:30.000000Z"))
        assert store.receipts("c1")[0] == sent("c1", at="2026-01-01T00:00:00.000000Z")
        assert store.callids_for_context("order-1", 50) == ["c2", "c1"]  # newest first
        assert store.callids_for_context("order-1", limit=1) == ["c2"]
        assert store.callids_for_context("order-2", 50) == ["c3"]
        assert store.callids_for_context("nothing", 50) == []
        plan = store._query(
            "EXPLAIN QUERY PLAN SELECT callid FROM receipts WHERE kind = 'sent'"
            " AND json_extract(record, '$.context') = ? ORDER BY received_at DESC LIMIT ?",
            ("order-1", 5),
        )
        assert "receipts_by_context" in " ".join(str(row) for row in plan)


def test_an_sqlite_file_from_before_sending_gains_the_context_index(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE receipts (callid TEXT NOT NULL, event_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " received_at TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (callid, event_id))"
    )
    old.commit()
    old.close()
    with SQLiteStore(path) as store:
        store.put(sent("c1"))
        assert store.callids_for_context("order-1", 50) == ["c1"]
    indexes = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    assert ("receipts_by_context",) in indexes


# -- DynamoDB (moto) -----------------------------------------------------------------------------


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        yield DynamoDBStore(TABLE, client=client)


def test_dynamodb_item_round_trip_and_the_context_attribute(dynamodb):
    record = sent("c1")
    item = dynamodb.item(record)
    assert item["context"] == {"S": "order-1"} and item["play_times"] == {"N": "3"}
    assert item["phone"] == {"S": "+8613711112222"} and from_item(item) == record
    assert "context" not in dynamodb.item(callback("c1", "2026-01-02T03:04:06.000000Z"))
    assert "context" not in dynamodb.item(sent("c2", context=None))  # a GSI key is never ""


def test_dynamodb_finds_calls_by_context_on_the_index(dynamodb):
    dynamodb.put(sent("c1", at="2026-01-01T00:00:00.000000Z"))
    assert dynamodb.put(sent("c1", at="2026-01-01T00:00:00.000000Z")) is False
    dynamodb.put(sent("c2", at="2026-01-02T00:00:00.000000Z"))
    dynamodb.put(sent("c3", context="order-2", at="2026-01-03T00:00:00.000000Z"))
    dynamodb.put(callback("c1", "2026-01-01T00:00:30.000000Z"))
    dynamodb.put(
        build_receipt(parse_callback(keypress("1", "c2")), received_at="2026-01-02T00:00:09.000000Z")
    )
    assert dynamodb.callids_for_context("order-1", 50) == ["c2", "c1"]
    assert dynamodb.callids_for_context("order-1", limit=1) == ["c2"]
    assert (
        dynamodb.callids_for_context("order-2", 50) == ["c3"] and dynamodb.callids_for_context("x", 50) == []
    )
    assert [r.kind for r in dynamodb.receipts("c1")] == ["sent", "voicecode"]
    assert sum(1 for i in all_items(dynamodb.client) if "context" in i) == 3  # only the sends


# -- the queues carry it whole -------------------------------------------------------------------


def test_an_sqs_message_carries_the_sent_record_whole():
    with mock_aws():
        client = aws_client("sqs")
        url = client.create_queue(QueueName="receipts")["QueueUrl"]
        SQSStore(url, client=client).put(sent("c1"))
        [message] = client.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert Receipt.from_dict(json.loads(message["Body"])) == sent("c1")
    assert message["MessageAttributes"]["kind"]["StringValue"] == "sent"


def test_a_cmq_message_carries_the_sent_record_whole(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with TdmqStub(queues=["receipts"]) as stub:
        settings = load_settings(
            {
                "VOICE_RECEIPTS_STORE": "cmq://receipts",
                "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
                "VOICE_RECEIPTS_TENCENT_ENDPOINT": stub.url,
                "TENCENTCLOUD_SECRET_ID": stub.secret_id,
                "TENCENTCLOUD_SECRET_KEY": stub.secret_key,
            }
        )
        open_store(settings.store, settings).put(sent("c1"))
        [message] = stub.messages
    assert Receipt.from_dict(json.loads(message.body)) == sent("c1")


def test_dynamodb_a_send_and_its_receipts_are_one_call_found_by_context(dynamodb, monkeypatch, tmp_path):
    """The whole loop on moto: send (VMS stub), receipts through the handler, calls by context."""
    from tests.stubs import VmsStub
    from voice_receipts import calls
    from voice_receipts.app import App
    from voice_receipts.tools.send import send_code

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with VmsStub(appids=["1400006666"]) as stub:
        env = {
            "VOICE_RECEIPTS_STORE": "dynamodb://unused",
            "VOICE_RECEIPTS_VMS_APPID": "1400006666",
            "VOICE_RECEIPTS_VMS_ENDPOINT": stub.url,
            "TENCENTCLOUD_SECRET_ID": stub.secret_id,
            "TENCENTCLOUD_SECRET_KEY": stub.secret_key,
        }
        settings = load_settings(env)
        first = send_code("+8613711112222", "1", context="login-7", settings=settings, store=dynamodb)
        # the receipt of the first call is stored before the second send is even made
        app = App.configured(settings, dynamodb)
        done = {**STATUS["voicecode_callback"], "callid": first.call_id, "mobile": "13711112222"}
        assert app({"voicecode_callback": done})["result"] == 0
        second = send_code("+8613711112222", "2", context="login-7", settings=settings, store=dynamodb)

    found = dynamodb.calls_for_context("login-7")
    assert [c.callid for c in found] == [second.call_id, first.call_id]
    answered, pending = found[1], found[0]
    assert (answered.state, answered.context, answered.phone) == (calls.ANSWERED, "login-7", "+8613711112222")
    assert [r.kind for r in answered.receipts] == ["sent", "voicecode"] and answered.sent_at
    assert (pending.state, pending.kind) == (calls.SENT, "code")
    assert dynamodb.calls_for_context("login-8") == []
