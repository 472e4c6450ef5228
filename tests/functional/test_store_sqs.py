"""sqs://QUEUE through the whole pipeline, on moto in-process, and every way it can fail."""

from __future__ import annotations

import hashlib
import json
import time

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.aws import (
    FAILURE,
    OK,
    STATUS,
    app,
    assert_unavailable,
    aws_client,
    body_of,
    closed_port,
    create_queue,
    drain,
    function_url_event,
    keypress,
    silent_server,
)
from voice_receipts import aws
from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError, StoreUnavailable, UnsupportedOperation
from voice_receipts.stores import open_store, sqs
from voice_receipts.stores.sqs import SQSStore, group_id

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture
def client():
    with mock_aws():
        yield aws_client("sqs")


def test_fifo_message_carries_group_dedup_id_attributes_and_the_receipt(client):
    url = create_queue(client, "receipts.fifo")
    store = SQSStore("receipts.fifo", client=client)  # a name: resolved with GetQueueUrl
    assert app(store)(STATUS) == OK
    assert store.queue_url == url
    [message] = drain(client, url)
    receipt = body_of(message)
    assert receipt["callid"] == "c1" and receipt["kind"] == "voicecode"
    assert receipt["status"] == "answered" and receipt["fee_minutes"] == 1
    assert receipt["raw"] == STATUS["voicecode_callback"]
    assert message["Attributes"]["MessageGroupId"] == "c1"
    assert message["Attributes"]["MessageDeduplicationId"] == receipt["event_id"]
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {"callid": "c1", "kind": "voicecode", "event_id": receipt["event_id"]}
    assert {v["DataType"] for v in message["MessageAttributes"].values()} == {"String"}


def test_a_fifo_queue_drops_a_redelivery_within_its_window(client):
    url = create_queue(client, "receipts.fifo")
    handle = app(SQSStore(url, client=client))
    assert handle(STATUS) == OK
    assert handle(STATUS) == OK  # put cannot know: it answers as for a first delivery
    assert handle(keypress("1")) == OK
    assert handle(keypress("2")) == OK
    kinds = [body_of(m)["kind"] + (body_of(m)["keypress"] or "") for m in drain(client, url)]
    assert kinds == ["voicecode", "voicekey1", "voicekey2"]  # one group: in order, no duplicate


def test_standard_queue_messages_have_attributes_and_no_fifo_ids(client):
    url = create_queue(client, "receipts")
    store = SQSStore(url, client=client)
    assert app(store)(FAILURE) == OK
    assert app(store)(FAILURE) == OK
    messages = drain(client, url)
    assert len(messages) == 2  # a standard queue cannot tell a duplicate: consumers dedupe
    [event_id] = {body_of(m)["event_id"] for m in messages}
    for message in messages:
        assert "MessageGroupId" not in message["Attributes"]
        attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
        assert attributes == {"callid": "c2", "kind": "voice_failure", "event_id": event_id}
        assert body_of(message)["failure_reason"] == "空号"


def test_a_name_is_resolved_once_per_process(client):
    create_queue(client, "receipts")
    store = SQSStore("receipts", client=client)
    with Stubber(client) as stub:
        stub.add_response("get_queue_url", {"QueueUrl": "https://sqs.x/1/receipts"})
        stub.add_response("send_message", {"MessageId": "m1", "MD5OfMessageBody": "x"})
        stub.add_response("send_message", {"MessageId": "m2", "MD5OfMessageBody": "x"})
        assert store.put(receipt_of(STATUS)) is True
        assert store.put(receipt_of(FAILURE)) is True
        stub.assert_no_pending_responses()


def test_a_slow_name_lookup_answers_503_and_the_next_delivery_goes_through(client, monkeypatch):
    url = create_queue(client, "receipts")
    monkeypatch.setattr(sqs, "RESOLVE_BUDGET_S", -1.0)  # every lookup counts as slow
    handle = app(SQSStore("receipts", client=client))
    assert_unavailable(handle(STATUS), "sqs queue 'receipts'", "slow")
    assert handle(STATUS) == OK  # the URL was cached: one call, inside the budget
    assert len(drain(client, url)) == 1


def test_a_missing_queue_is_a_503(client):
    reply = app(SQSStore("nowhere", client=client))(STATUS)
    assert_unavailable(reply, "sqs queue 'nowhere' does not exist")


def test_receipts_cannot_be_read_back_from_a_queue(client):
    store = SQSStore("receipts", client=client)
    with pytest.raises(UnsupportedOperation):
        store.receipts("c1")
    with pytest.raises(UnsupportedOperation):
        store.callids()


def test_group_id_is_the_callid_or_a_stable_digest():
    assert group_id("c1") == "c1"
    assert group_id("a b") == group_id("a b") != "a b"  # a space is not allowed in a group id
    assert group_id("x" * 129).startswith("sha256-")
    assert len(group_id("通话")) == len("sha256-") + 64
    # a lone surrogate (a callid that was not UTF-8) is hashed as its bytes would be, not refused
    assert group_id("c\udc80") == "sha256-" + hashlib.sha256(b"c\xed\xb2\x80").hexdigest()


# -- from_url ---------------------------------------------------------------------------------


def test_from_url_takes_a_name():
    store = open_store("sqs://receipts.fifo", Settings())
    assert isinstance(store, SQSStore)
    assert (store.queue_name, store.queue_url, store.fifo) == ("receipts.fifo", None, True)
    assert store.client.meta.config.retries == {"total_max_attempts": 2, "mode": "standard"}


def test_from_url_takes_an_aws_queue_url_and_its_region(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/receipts"
    store = open_store(f"sqs://{url}")
    assert (store.queue_name, store.queue_url, store.fifo) == ("receipts", url, False)
    assert store.client.meta.region_name == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # Lambda sets it to the function's region
    assert open_store(f"sqs://{url}").client.meta.region_name == "eu-west-1"


def test_from_url_takes_any_http_queue_url():
    store = open_store("sqs://http://127.0.0.1:5000/123456789012/r.fifo")
    assert (store.queue_name, store.fifo) == ("r.fifo", True)
    assert store.client.meta.region_name == "us-east-1"  # boto3's usual resolution


def test_the_endpoint_comes_from_boto3s_own_environment_variable(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:4566")
    assert open_store("sqs://q").client.meta.endpoint_url == "http://127.0.0.1:4566"


@pytest.mark.parametrize("url", ["sqs://", "sqs://a b", "sqs://" + "q" * 81, "sqs://x.fifo.fifo"])
def test_a_bad_url_is_a_config_error(url):
    with pytest.raises(ConfigError):
        open_store(url)


# -- faults -----------------------------------------------------------------------------------

FAULTS = [
    ("ThrottlingException", 400, "is throttling"),
    ("RequestThrottled", 403, "is throttling"),
    ("InternalError", 500, "failing on AWS's side"),
    ("ServiceUnavailable", 503, "failing on AWS's side"),
    ("QueueDoesNotExist", 400, "does not exist"),
    ("AWS.SimpleQueueService.NonExistentQueue", 400, "does not exist"),
    ("InvalidClientTokenId", 403, "rejected the AWS credentials"),
    ("AccessDenied", 403, "denied access"),
    ("KMS.ThrottlingException", 400, "is throttling"),
]


@pytest.mark.parametrize(("code", "status", "words"), FAULTS)
def test_a_service_error_is_a_503_and_nothing_is_sent(client, code, status, words):
    url = create_queue(client, "receipts.fifo")
    with Stubber(client) as stub:
        message = "Access to the resource https://sqs.us-east-1.amazonaws.com/123456789012/x"
        stub.add_client_error("send_message", code, message, http_status_code=status)
        reply = app(SQSStore(url, client=client))(STATUS)
        stub.assert_no_pending_responses()
    assert_unavailable(reply, "sqs queue 'receipts.fifo'", words, code)
    assert drain(client, url) == []


def test_a_failing_name_lookup_is_a_503_and_is_tried_again(client):
    store = SQSStore("receipts", client=client)
    with Stubber(client) as stub:
        stub.add_client_error("get_queue_url", "ThrottlingException", http_status_code=400)
        assert_unavailable(app(store)(STATUS), "sqs queue 'receipts' is throttling")
    url = create_queue(client, "receipts")
    assert app(store)(STATUS) == OK
    assert store.queue_url == url


def test_the_http_status_is_503(client):
    reply = app(SQSStore("nowhere.fifo", client=client))(function_url_event(STATUS))
    assert reply["statusCode"] == 503
    assert_unavailable(json.loads(reply["body"]), "does not exist")


def test_connection_refused_is_a_quick_503():
    client = aws.make_client("sqs", endpoint_url=f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    reply = app(SQSStore("receipts", client=client))(STATUS)
    assert_unavailable(reply, "sqs queue 'receipts' cannot be reached (EndpointConnectionError)")
    # refused at once: two attempts that each waited out the 1 s connect timeout would take 2 s
    assert time.monotonic() - started < 1.5


def test_a_silent_endpoint_times_out_with_short_bounds():
    from botocore.config import Config

    with silent_server() as port:
        client = boto3.session.Session().client(
            "sqs",
            endpoint_url=f"http://127.0.0.1:{port}",
            config=aws.CONFIG.merge(Config(read_timeout=0.2, connect_timeout=0.2)),
        )
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"timed out \(ReadTimeoutError\)"):
            SQSStore("http://127.0.0.1/1/receipts", client=client).put(receipt_of(STATUS))
        # two attempts of 0.2 s each; the bound only has to tell them from the production
        # timeouts (aws.WORST_CASE_S, 6 s), with room for a loaded CI machine (1.29 s was seen)
        assert time.monotonic() - started < aws.WORST_CASE_S / 2


def receipt_of(body):
    from voice_receipts.callbacks import parse_callback
    from voice_receipts.receipt import build_receipt

    return build_receipt(parse_callback(body))
