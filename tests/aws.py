"""Helpers shared by the DynamoDB, SQS and moto-server suites: clients, tables, queues, faults.
The `aws_env` fixture (fake credentials, a fixed region) is in tests/conftest.py: mark a module
with `pytestmark = pytest.mark.usefixtures("aws_env")`."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

from deploy import dynamodb_table
from tests.helpers import free_port
from tests.samples import body
from voice_receipts.app import App
from voice_receipts.config import Settings
from voice_receipts.stores.base import Store

REGION = "us-east-1"
TABLE = "voice-receipts"

STATUS = body("voicecode_callback", callid="c1")


def keypress(key: str, callid: str = "c1") -> dict[str, Any]:
    return {
        "voicekey_callback": {
            "call_from": "",
            "callid": callid,
            "keypress": key,
            "mobile": "13800138000",
            "nationcode": "86",
        }
    }


FAILURE = {
    "voice_failure_callback": {
        "call_from": "075583763333",
        "callid": "c2",
        "failure_code": 8,
        "failure_reason": "空号",
        "mobile": "13800138000",
        "nationcode": "86",
    }
}

OK = {"result": 0, "errmsg": "OK"}

_session: Any = None


def aws_client(service: str, endpoint_url: str | None = None) -> Any:
    """A client for arranging and inspecting tests, from one shared Session: a fresh Session
    reloads the service model (~0.2 s) every time. The stores under test build their own."""
    global _session
    if _session is None:
        import boto3

        _session = boto3.session.Session()
    return _session.client(service, region_name=REGION, endpoint_url=endpoint_url)


def app(store: Store, retention_days: int | None = None) -> App:
    return App.configured(Settings(retention_days=retention_days), store)


def create_table(client: Any, name: str = TABLE) -> None:
    """The table as deploy/aws/store-dynamodb.yml declares it: keys, the by-phone index, TTL."""
    dynamodb_table.create_table(client, name)


def all_items(client: Any, name: str = TABLE) -> list[dict[str, Any]]:
    return client.scan(TableName=name, ConsistentRead=True)["Items"]


def create_queue(client: Any, name: str) -> str:
    attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
    return client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def drain(client: Any, url: str) -> list[dict[str, Any]]:
    """Every message now in the queue, with all its attributes (deleted as read)."""
    messages: list[dict[str, Any]] = []
    while True:
        got = client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not got:
            return messages
        for m in got:
            client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        messages.extend(got)


closed_port = free_port  # nothing listens there: connecting is refused at once


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: every call ends in a read timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def assert_unavailable(reply: dict[str, Any], *words: str) -> None:
    """503 in the spec's shape: a non-zero result and a short, clean errmsg."""
    assert set(reply) == {"result", "errmsg"}
    assert reply["result"] == 5030
    errmsg = reply["errmsg"]
    for word in words:
        assert word in errmsg, errmsg
    for leak in ("Traceback", 'File "', "testing", "arn:", "123456789012", "http"):
        assert leak not in errmsg, errmsg
    assert len(errmsg) < 200, errmsg


def body_of(message: dict[str, Any]) -> dict[str, Any]:
    return json.loads(message["Body"])


def function_url_event(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload-2.0 event a Lambda function URL sends: its reply carries the HTTP status."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/", "sourceIp": "198.51.100.7"},
            "requestId": "url-req-1",
        },
        "body": json.dumps(payload, ensure_ascii=False),
        "isBase64Encoded": False,
    }
