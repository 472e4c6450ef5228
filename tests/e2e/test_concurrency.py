"""Concurrent deliveries over real HTTP: `serve` in a subprocess, DynamoDB on a moto server."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests import samples
from tests.aws import create_table
from tests.helpers import free_port

TABLE = "receipts-concurrency"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def moto_url():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def table(moto_url):
    client = boto3.client(
        "dynamodb",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    create_table(client, TABLE)  # the table as serverless.yml declares it
    yield client
    client.delete_table(TableName=TABLE)


def items(client) -> list[dict]:
    found, kwargs = [], {"TableName": TABLE, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def post_all(base: str, bodies: list[dict], threads: int) -> list[tuple[int, dict]]:
    url = urlsplit(base)

    def post(body):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request("POST", "/voice/callback", json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        result = resp.status, json.loads(resp.read())
        conn.close()
        return result

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(post, bodies))


def test_fifty_concurrent_deliveries_of_one_receipt_leave_one_item(serve, moto_url, table):
    base, _, _ = serve(store=f"dynamodb://{TABLE}", AWS_ENDPOINT_URL_DYNAMODB=moto_url, **FAKE_AWS)
    replies = post_all(base, [samples.body("voicecode_callback")] * 50, threads=50)
    assert replies == [(200, {"result": 0, "errmsg": "OK"})] * 50
    assert len(items(table)) == 1


def test_a_thousand_distinct_concurrent_receipts_leave_a_thousand_items(serve, moto_url, table):
    base, _, _ = serve(store=f"dynamodb://{TABLE}", AWS_ENDPOINT_URL_DYNAMODB=moto_url, **FAKE_AWS)
    bodies = [
        samples.body("voicekey_callback", callid=f"conc-{i // 4}", keypress=str(i % 4)) for i in range(1000)
    ]
    replies = post_all(base, bodies, threads=50)
    assert all(r == (200, {"result": 0, "errmsg": "OK"}) for r in replies) and len(replies) == 1000
    stored = items(table)
    assert len(stored) == 1000
    assert len({(i["callid"]["S"], i["event_id"]["S"]) for i in stored}) == 1000
