"""dynamodb://TABLE through the whole pipeline, on moto in-process, and every way it can fail."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.aws import (
    FAILURE,
    OK,
    STATUS,
    TABLE,
    all_items,
    app,
    assert_unavailable,
    aws_client,
    closed_port,
    create_table,
    function_url_event,
    keypress,
    silent_server,
)
from voice_receipts import aws, open_store
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError, UnsupportedOperation
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore, expires_at, from_item

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture
def client():
    with mock_aws():
        c = aws_client("dynamodb")
        create_table(c)
        yield c


@pytest.fixture
def store(client):
    return DynamoDBStore(TABLE, client=client)


def receipt_of(body, received_at="2026-01-02T03:04:05.000Z"):
    return build_receipt(parse_callback(body), received_at=received_at)


def test_a_status_receipt_is_stored_as_one_item(client, store):
    assert app(store)(STATUS) == OK
    [item] = all_items(client)
    raw = STATUS["voicecode_callback"]
    assert item["callid"] == {"S": "c1"}
    assert item["event_id"]["S"].startswith("voicecode-") and len(item["event_id"]["S"]) == 42
    assert item["kind"] == {"S": "voicecode"}
    assert item["status"] == {"S": "answered"}
    assert item["fee_minutes"] == {"N": "1"}  # whole numbers stay numbers
    assert item["started_at"] == {"S": "2016-08-03T04:00:21Z"}
    assert item["phone"] == {"S": "+8613800138000"}
    assert json.loads(item["raw"]["S"]) == raw  # the callback exactly as it came
    assert "keypress" not in item and "failure_code" not in item  # None is left out
    assert "expires_at" not in item  # no retention configured: keep forever


def test_a_redelivery_leaves_one_item(client, store):
    assert app(store)(STATUS) == OK
    assert app(store)(STATUS) == OK  # a duplicate is answered like a first delivery
    assert len(all_items(client)) == 1
    assert store.put(receipt_of(STATUS)) is False


def test_distinct_key_presses_are_distinct_items_read_back_in_order(client, store):
    first = receipt_of(STATUS, "2026-01-02T03:04:05.000Z")
    key1 = receipt_of(keypress("1"), "2026-01-02T03:04:06.000Z")
    key2 = receipt_of(keypress("2"), "2026-01-02T03:04:07.000Z")
    for r in (key2, first, key1):
        assert store.put(r) is True
    assert store.receipts("c1") == [first, key1, key2]  # every field survives the round trip
    assert store.receipts("no-such-call") == []


def test_a_failure_receipt_keeps_its_code_as_a_number_and_chinese_text(client, store):
    assert app(store)(FAILURE) == OK
    [item] = all_items(client)
    assert item["failure_code"] == {"N": "8"}
    assert item["failure_reason"] == {"S": "空号"}
    assert store.receipts("c2")[0].failure_text == "空号"
    # the callback as it came, compact and in UTF-8: an item's size is its UTF-8 bytes (400 KB at
    # most), and "空号" escaped as \u7a7a\u53f7 or ", " between fields would cost more of them
    raw = item["raw"]["S"]
    assert "空号" in raw and ", " not in raw and ": " not in raw
    assert json.loads(raw) == FAILURE["voice_failure_callback"]


def test_any_raw_callback_stores_even_what_a_map_attribute_would_refuse(store):
    # an undocumented field beyond DynamoDB's 38-digit numbers, nested past its 32 levels
    deep: dict = {"x": 1}
    for _ in range(40):
        deep = {"d": deep}
    body = {"voicekey_callback": {**keypress("9")["voicekey_callback"], "big": 10**40, "deep": deep}}
    r = receipt_of(body)
    assert store.put(r) is True
    assert store.receipts("c1")[0].raw == body["voicekey_callback"]


def test_retention_days_set_a_ttl_in_epoch_seconds(client):
    store = open_store(f"dynamodb://{TABLE}", Settings(retention_days=30))
    store.client = client  # from_url's own client is bound to moto too; reuse the fixture's
    r = receipt_of(STATUS, "2026-01-02T03:04:05.678Z")
    store.put(r)
    [item] = all_items(client)
    stored = datetime.fromisoformat("2026-01-02T03:04:05.678Z").timestamp()
    assert int(item["expires_at"]["N"]) == int(stored) + 30 * 86400
    assert expires_at("2026-01-02T00:00:00Z", 1) == 1767398400  # 2026-01-03T00:00:00Z


def test_the_by_phone_index_answers_newest_first(store):
    older = receipt_of(STATUS, "2026-01-01T00:00:00.000Z")
    middle = receipt_of(keypress("1"), "2026-01-02T00:00:00.000Z")
    newest = receipt_of(FAILURE, "2026-01-03T00:00:00.000Z")
    other = receipt_of({"voicekey_callback": {**keypress("1")["voicekey_callback"], "mobile": "13900000000"}})
    for r in (middle, other, newest, older):
        store.put(r)
    newest_first = list(dict.fromkeys(r.callid for r in (newest, middle, older)))
    assert len(newest_first) >= 2  # distinct calls, or the order would prove nothing
    assert store.callids_for_phone("+8613800138000", 10) == newest_first
    assert store.callids_for_phone("+8613800138000", 1) == newest_first[:1]
    assert store.callids_for_phone("+10000000000", 10) == []


def test_a_receipt_without_a_mobile_stays_out_of_the_index(client, store):
    body = {"voice_failure_callback": {**FAILURE["voice_failure_callback"], "mobile": ""}}
    assert app(store)(body) == OK
    [item] = all_items(client)
    assert "phone" not in item  # an empty string cannot be an index key


def test_callids_scans_for_local_use(store):
    store.put(receipt_of(FAILURE, "2026-01-02T00:00:00.000Z"))
    store.put(receipt_of(STATUS, "2026-01-01T00:00:00.000Z"))
    store.put(receipt_of(keypress("1"), "2026-01-03T00:00:00.000Z"))
    assert store.callids() == ["c2", "c1"]  # newest first: c1 was first seen on 01-01
    assert store.callids(since="2026-01-01T12:00:00.000Z") == ["c2"]


def test_callids_without_scan_permission_is_unsupported(store):
    with Stubber(store.client) as stub:
        stub.add_client_error("scan", "AccessDeniedException", http_status_code=400)
        with pytest.raises(UnsupportedOperation, match="dynamodb:Scan"):
            store.callids()


def test_from_url_builds_a_bounded_client_in_the_configured_region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    store = open_store("dynamodb://my.table-1", Settings(retention_days=7))
    assert isinstance(store, DynamoDBStore)
    assert (store.table_name, store.retention_days) == ("my.table-1", 7)
    config = store.client.meta.config
    assert store.client.meta.region_name == "eu-west-1"
    assert (config.connect_timeout, config.read_timeout) == (1.0, 2.0)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}


def test_the_endpoint_comes_from_boto3s_own_environment_variable(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4566")
    assert open_store("dynamodb://t12").client.meta.endpoint_url == ("http://127.0.0.1:4566")


@pytest.mark.parametrize("url", ["dynamodb://", "dynamodb://ab", "dynamodb://a/b", "dynamodb:x"])
def test_a_bad_url_is_a_config_error(url):
    with pytest.raises(ConfigError, match="dynamodb://TABLE"):
        open_store(url)


def test_no_region_is_a_config_error(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigError, match="AWS_REGION or AWS_DEFAULT_REGION"):
        open_store("dynamodb://table")


# -- faults: each one is a 503 with a clean errmsg, and nothing is stored --------------------

FAULTS = [
    ("ProvisionedThroughputExceededException", 400, "is throttling"),
    ("ThrottlingException", 400, "is throttling"),
    ("RequestLimitExceeded", 400, "is throttling"),
    ("InternalServerError", 500, "failing on AWS's side"),
    ("ServiceUnavailable", 503, "failing on AWS's side"),
    ("ResourceNotFoundException", 400, "does not exist"),
    ("UnrecognizedClientException", 400, "rejected the AWS credentials"),
    ("AccessDeniedException", 400, "denied access"),
    ("ValidationException", 400, "refused the request"),
]


@pytest.mark.parametrize(("code", "status", "words"), FAULTS)
def test_a_service_error_is_a_503_and_nothing_is_stored(client, store, code, status, words):
    with Stubber(client) as stub:
        message = "User: arn:aws:sts::123456789012:assumed-role/x is not authorized"
        stub.add_client_error("put_item", code, message, http_status_code=status)
        reply = app(store)(STATUS)
        stub.assert_no_pending_responses()
    assert_unavailable(reply, f"dynamodb table '{TABLE}'", words, code)
    assert all_items(client) == []


def test_the_http_status_is_503(client, store):
    with Stubber(client) as stub:
        stub.add_client_error("put_item", "ThrottlingException", http_status_code=400)
        reply = app(store)(function_url_event(STATUS))
    assert reply["statusCode"] == 503
    assert_unavailable(json.loads(reply["body"]), "is throttling (ThrottlingException)")


def test_connection_refused_is_a_quick_503():
    client = aws.make_client("dynamodb", endpoint_url=f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    reply = app(DynamoDBStore(TABLE, client=client))(STATUS)
    assert_unavailable(reply, "cannot be reached (EndpointConnectionError)")
    # refused at once: two attempts that each waited out the 1 s connect timeout would take 2 s
    assert time.monotonic() - started < 1.5


def test_missing_credentials_are_a_503(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    client = aws.make_client("dynamodb", endpoint_url=f"http://127.0.0.1:{closed_port()}")
    reply = app(DynamoDBStore(TABLE, client=client))(STATUS)
    assert_unavailable(reply, "no usable AWS credentials (NoCredentialsError)")


def test_a_warm_up_without_credentials_says_which_service_cannot_sign(monkeypatch):
    # credentials a container endpoint hands out a moment later: runtime.py logs this, a put 503s
    from voice_receipts.errors import StoreUnavailable

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    client = aws.make_client("dynamodb", endpoint_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(StoreUnavailable) as caught:
        aws.rehearse(client, "describe_table", {"TableName": TABLE})
    assert caught.value.message == "dynamodb cannot be used: no usable AWS credentials (NoCredentialsError)"


def test_a_silent_endpoint_ends_within_the_documented_worst_case():
    """The production bounds, measured: two attempts that each wait out the read timeout."""
    with silent_server() as port:
        client = aws.make_client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}")
        started = time.monotonic()
        reply = app(DynamoDBStore(TABLE, client=client))(STATUS)
        elapsed = time.monotonic() - started
    assert_unavailable(reply, "timed out (ReadTimeoutError)")
    assert 2 * aws.READ_TIMEOUT_S <= elapsed < aws.WORST_CASE_S
    print(f"silent dynamodb endpoint answered 503 after {elapsed:.2f} s")


def test_item_and_from_item_round_trip_every_kind(store):
    for body in (STATUS, keypress("5"), FAILURE):
        r = receipt_of(body)
        assert from_item(store.item(r)) == r


def test_the_aws_stores_load_no_tencent_sdk_nor_the_scan_code():
    """Cold start: a function on DynamoDB or SQS never imports another cloud's SDK, nor the Scan
    code (listing calls, a report's period: tools only) or the progress bar, even once warmed."""
    import subprocess
    import sys

    code = (
        "import sys; from tests.samples import body; from voice_receipts.callbacks import parse_callback;"
        "from voice_receipts.receipt import build_receipt; from voice_receipts.stores import open_store;"
        "store = open_store('dynamodb://receipts'); open_store('sqs://receipts.fifo');"
        "store.warm(build_receipt(parse_callback(body('voicecode_callback'))));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tencentcloud'"
        " or m.endswith(('dynamodb_scan', 'progress'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert done.stdout.strip() == "[]"


def test_aws_region_alone_is_enough(monkeypatch):
    # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what users and most AWS tools set
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    from voice_receipts.config import load_settings
    from voice_receipts.stores import open_store

    settings = load_settings({"VOICE_RECEIPTS_STORE": "dynamodb://table", "AWS_REGION": "eu-west-1"})
    assert open_store(settings.store, settings).client.meta.region_name == "eu-west-1"
