"""The AWS stores over real HTTP: moto's ThreadedMotoServer on 127.0.0.1, found by the stores
through boto3's own AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS, as the offline stack does."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.aws import (
    OK,
    STATUS,
    all_items,
    app,
    assert_unavailable,
    aws_client,
    body_of,
    create_queue,
    create_table,
    drain,
    function_url_event,
    keypress,
)
from voice_receipts import logs, runtime
from voice_receipts.config import Settings
from voice_receipts.stores import open_store
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools import cli
from voice_receipts.tools.replay import replay

CALLBACKS = Path(__file__).resolve().parents[2] / "events" / "callbacks"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def env(request, endpoint, monkeypatch):
    request.getfixturevalue("aws_env")  # first: it clears every AWS_ variable
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", endpoint)
    return endpoint


@pytest.fixture
def table(env):
    """A fresh table per test: the server lives for the whole module."""
    name = f"receipts-{uuid.uuid4().hex[:8]}"
    client = aws_client("dynamodb", env)
    create_table(client, name)
    return name, client


@pytest.fixture
def sqs_client(env):
    return aws_client("sqs", env)


def test_dynamodb_over_http(table):
    name, client = table
    store = open_store(f"dynamodb://{name}", Settings(retention_days=1))
    assert isinstance(store, DynamoDBStore)
    handle = app(store)
    assert handle(STATUS) == OK
    assert handle(STATUS) == OK
    reply = handle(function_url_event(keypress("3")))
    assert (reply["statusCode"], json.loads(reply["body"])) == (200, OK)
    items = all_items(client, name)
    assert len(items) == 2 and all("expires_at" in i for i in items)
    assert [r.kind for r in store.receipts("c1")] == ["voicecode", "voicekey"]
    assert store.callids_for_phone("+8613800138000", 10) == ["c1"]
    assert store.callids() == ["c1"]


def test_show_reads_a_call_back_from_dynamodb(table, monkeypatch, capsys):
    name, _ = table
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", f"dynamodb://{name}")
    app(open_store(f"dynamodb://{name}"))(STATUS)
    # the CLI configures the package logger onto capsys's stream: undo that after the test
    for attribute in ("handlers", "level", "propagate"):
        monkeypatch.setattr(logs.log, attribute, copy.copy(getattr(logs.log, attribute)))
    try:
        assert cli.main(["show", "c1", "--json"]) == 0
    finally:
        runtime.reset()
    assert json.loads(capsys.readouterr().out)["callid"] == "c1"


def test_sqs_fifo_by_name_and_standard_by_url_over_http(sqs_client):
    fifo_url = create_queue(sqs_client, "http-receipts.fifo")
    standard_url = create_queue(sqs_client, "http-receipts")
    assert standard_url.startswith("http://127.0.0.1:")  # moto's own URL form is accepted
    fifo = open_store("sqs://http-receipts.fifo")
    standard = open_store(f"sqs://{standard_url}")
    for store in (fifo, standard):
        assert app(store)(STATUS) == OK
        assert app(store)(STATUS) == OK
    [message] = drain(sqs_client, fifo_url)
    assert message["Attributes"]["MessageDeduplicationId"] == body_of(message)["event_id"]
    assert len(drain(sqs_client, standard_url)) == 2


def test_a_missing_table_and_queue_are_503_over_http(env):
    assert_unavailable(
        app(open_store("dynamodb://no-such-table"))(STATUS),
        "dynamodb table 'no-such-table' does not exist",
        "(ResourceNotFoundException)",
    )
    assert_unavailable(
        app(open_store("sqs://no-such-queue.fifo"))(STATUS),
        "sqs queue 'no-such-queue.fifo' does not exist",
    )


def test_every_store_keeps_the_same_event_ids_and_a_second_replay_adds_nothing(table, sqs_client, tmp_path):
    name, client = table
    queue_url = create_queue(sqs_client, f"replay-{uuid.uuid4().hex[:8]}.fifo")
    stores = {
        "sqlite": SQLiteStore(tmp_path / "r.db"),
        "dynamodb": open_store(f"dynamodb://{name}"),
        "sqs": open_store(f"sqs://{queue_url}"),
    }
    for _ in range(2):
        for store in stores.values():
            results = list(replay(app(store), [CALLBACKS]))
            assert results and all(r.accepted for r in results)

    sqlite = {r.event_id for c in stores["sqlite"].callids() for r in stores["sqlite"].receipts(c)}
    dynamodb = {i["event_id"]["S"] for i in all_items(client, name)}
    messages = drain(sqs_client, queue_url)
    sqs = [body_of(m)["event_id"] for m in messages]
    assert sqlite == dynamodb == set(sqs)
    assert len(all_items(client, name)) == len(sqlite)  # the second replay added no item
    assert len(sqs) == len(sqlite)  # FIFO dedup dropped the second replay within its window
    stores["sqlite"].close()
