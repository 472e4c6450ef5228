"""The four stores, fed the same receipts: the same event_ids, nothing added by a second replay,
and a replay broken off by store faults and run again leaves every receipt stored."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from tests import samples
from tests.aws import create_queue, create_table, drain
from tests.stubs import TdmqStub
from voice_receipts.app import App
from voice_receipts.config import Settings, load_settings
from voice_receipts.stores import open_store
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.stores.sqs import SQSStore
from voice_receipts.tools.replay import items, replay, replay_one

pytestmark = pytest.mark.usefixtures("aws_env")
ITEMS = list(items([samples.EVENTS]))
TABLE, QUEUE = "receipts", "receipts.fifo"


class Faulty:
    """A boto3 client that refuses connections while `failing` is set, like an endpoint gone away."""

    def __init__(self, client):
        self.client, self.failing = client, False

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, **kwargs):
            if self.failing:
                raise EndpointConnectionError(endpoint_url="https://dynamodb.example.invalid")
            return method(*args, **kwargs)

        return call


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """name -> (App, read_event_ids(), fault switch) for all four backends."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws(), TdmqStub(queues=["receipts"]) as tdmq:
        ddb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
        create_table(ddb, TABLE)
        queue_url = create_queue(sqs, QUEUE)
        ddb_client, sqs_client = Faulty(ddb), Faulty(sqs)
        settings = Settings()
        cmq_env = {
            "VOICE_RECEIPTS_STORE": "cmq://receipts",
            "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
            "VOICE_RECEIPTS_TENCENT_ENDPOINT": tdmq.url,
            "TENCENTCLOUD_SECRET_ID": tdmq.secret_id,
            "TENCENTCLOUD_SECRET_KEY": tdmq.secret_key,
        }
        cmq_settings = load_settings(cmq_env)
        sqs_messages: list[dict] = []

        def sqs_ids():
            sqs_messages.extend(json.loads(m["Body"]) for m in drain(sqs, queue_url))
            return [m["event_id"] for m in sqs_messages]

        def table_ids(store):
            return [r.event_id for c in store.callids() for r in store.receipts(c)]

        sqlite = SQLiteStore(tmp_path / "agree.db")
        dynamo = DynamoDBStore(TABLE, client=ddb_client)
        yield {
            "sqlite": (App.configured(settings, sqlite), lambda: table_ids(sqlite), None),
            "dynamodb": (App.configured(settings, dynamo), lambda: table_ids(dynamo), ddb_client),
            "sqs": (App.configured(settings, SQSStore(queue_url, client=sqs_client)), sqs_ids, sqs_client),
            "cmq": (
                App.configured(cmq_settings, open_store(cmq_settings.store, cmq_settings)),
                lambda: [json.loads(m.body)["event_id"] for m in tdmq.messages],
                tdmq,
            ),
        }
        sqlite.close()


def accepted_ids() -> set[str]:
    """What every store must end up holding: the event_ids of the samples the handler accepts."""
    app = App.configured(Settings(), SQLiteStore(":memory:"))
    return {r.receipt.event_id for i in ITEMS if (r := app.handle(i.event)).reply.status == 200}


def test_the_same_receipts_give_the_same_event_ids_in_every_store(stores):
    want = accepted_ids()
    assert len(want) == 19  # 20 accepted samples, one of them a redelivery
    for name, (app, event_ids, _) in stores.items():
        first = [r.status for r in replay(app, [samples.EVENTS])]
        # (SQS is read once, at the end: reading deletes, and moto forgets a deleted message's
        # deduplication id, where SQS keeps it for its 5-minute window)
        if name != "sqs":
            assert set(event_ids()) == want, name
        second = [r.status for r in replay(app, [samples.EVENTS])]
        assert second == first, name
        ids = event_ids()
        assert set(ids) == want, name  # a second replay adds no receipt
        if name != "cmq":  # tables refuse the duplicate; SQS FIFO drops it by MessageDeduplicationId
            assert len(ids) == len(want), name
        else:  # CMQ has no deduplication: each message arrives again, consumers dedupe by event_id
            assert len(ids) == 2 * len(want) + 2  # + the redelivered sample, sent twice as well


def test_a_replay_broken_off_by_faults_and_run_again_stores_every_receipt(stores):
    want = accepted_ids()
    for name, (app, event_ids, fault) in stores.items():
        if fault is None:
            continue  # SQLite's faults are covered in test_pipeline
        half = len(ITEMS) // 2
        statuses = [replay_one(app, i).status for i in ITEMS[:half]]
        if isinstance(fault, TdmqStub):
            fault.fail_next("InternalError", times=None)
        else:
            fault.failing = True
        broken = [replay_one(app, i) for i in ITEMS[half:]]
        assert {r.status for r in broken if r.status not in (400, 405, 413)} == {503}, name
        assert all(r.result == 5030 for r in broken if r.status == 503)
        if isinstance(fault, TdmqStub):
            fault.clear_faults()
        else:
            fault.failing = False
        assert not set(event_ids()) >= want, f"{name}: the faults stored everything anyway"
        rerun = [replay_one(app, i).status for i in ITEMS]
        assert 503 not in rerun and 200 in statuses
        assert set(event_ids()) == want, name
        if name == "dynamodb":
            assert len(event_ids()) == len(want)  # each exactly once
