"""End to end on loopback: deploy/offline.py (moto + serverless-offline running handler.py), every
sample in events/ POSTed over real HTTP with an ordinary client, replies and moto's table checked.

A gateway-shaped sample is sent as the HTTP request it describes (its method, body and headers,
as the package's own gateway adapter reads them); the emulated API Gateway then builds its own
event, as AWS would. Three samples cannot travel over HTTP the way they are written, and say so:
- a body marked base64 that is not base64 (only a gateway can produce that): skipped;
- a GET: the route is POST only, so the gateway answers 404 before the function runs;
- invalid UTF-8 in an application/json body: see GATEWAY_DECODES.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest

from tests.deploy.conftest import ROOT, offline_env
from tests.helpers import free_port
from voice_receipts.errors import BadRequest
from voice_receipts.gateways import infer
from voice_receipts.tools.replay import expected_for, items, load_expected

pytestmark = pytest.mark.deploy

EVENTS = ROOT / "events"
REGION = "us-east-1"
START_TIMEOUT_S = 120
OK = {"result": 0, "errmsg": "OK"}
# serverless-offline decodes a text (application/json) body as UTF-8 before building the event,
# so invalid bytes reach the function as U+FFFD and the receipt is valid: 200, not the 400 the
# handler gives the raw bytes (tests/e2e covers that). Whether AWS does the same is unverified.
GATEWAY_DECODES = {"invalid/invalid-utf8-base64.json"}


class Stack:
    """One deploy/offline.py process (its own process group), its ports and its output."""

    def __init__(self, store: str, stage: str = "offline") -> None:
        self.http_port, self.lambda_port, self.moto_port = free_port(), free_port(), free_port()
        self.moto_url = f"http://127.0.0.1:{self.moto_port}"
        self.stage = stage
        self.output: list[str] = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "deploy" / "offline.py"),
                "--store",
                store,
                "--stage",
                stage,
                "--region",
                REGION,
                "--http-port",
                str(self.http_port),
                "--lambda-port",
                str(self.lambda_port),
                "--moto-port",
                str(self.moto_port),
            ],
            cwd=ROOT,
            env=offline_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(START_TIMEOUT_S) or self.proc.poll() is not None:
            self.stop()
            pytest.fail("offline stack did not start:\n" + "".join(self.output[-40:]))
        url = next(line for line in self.output if line.startswith("READY "))
        self.token = parse_qs(urlsplit(url.split()[1]).query)["token"][0]

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("READY "):
                self.ready.set()
        self.ready.set()  # exited: let the waiter see it

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # offline.py stops osls offline and moto
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def client(self, service: str):
        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        ).client(service, endpoint_url=self.moto_url)

    def send(
        self, method: str, body: bytes, query: dict, headers: dict | None = None, path="/voice/callback"
    ):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        path += "?" + urlencode(query, doseq=True) if query else ""
        conn.request(
            method, path, body=body or None, headers={"Content-Type": "application/json", **(headers or {})}
        )
        resp = conn.getresponse()
        status, payload = resp.status, resp.read()
        conn.close()
        return status, json.loads(payload) if payload else None


@pytest.fixture(scope="module")
def dynamodb_stack():
    stack = Stack("dynamodb")
    yield stack
    stack.stop()
    assert stack.proc.returncode == 0, "".join(stack.output[-40:])


def callid_of(body: bytes) -> str:
    ((_, fields),) = json.loads(body).items()
    return str(fields["callid"])


def test_every_sample_over_http_into_moto(dynamodb_stack, tmp_path):
    stack = dynamodb_stack
    expected = load_expected(EVENTS / "expected.toml")
    stored, skipped, checked = [], [], 0
    for item in items([EVENTS]):  # sorted, as `make run` replays them: 01 before its redelivery
        want = expected_for(expected, item.source)
        assert want is not None, f"{item.source} has no expected outcome"
        source = Path(item.source).relative_to(EVENTS).as_posix()
        assert item.failed is None, f"{source}: {item.failed and item.failed.errmsg}"
        try:
            request = infer(item.event).request(item.event, {})
        except BadRequest:
            assert want["status"] == 400, source  # only a malformed gateway event lands here
            skipped.append(source)
            continue
        query = {k: v for k, v in request.query.items() if k != "token"}
        query["token"] = stack.token  # the samples carry a placeholder token
        headers = {"Content-Type": request.headers.get("content-type", "application/json")}
        method = request.method or "POST"  # a bare body has no method: VMS would POST it
        status, reply = stack.send(method, request.body, query, headers)
        if method != "POST":
            assert status == 404, f"{source}: the gateway routes POST only"
        elif source in GATEWAY_DECODES:
            assert (status, reply) == (200, OK), f"{source}: {status} {reply}"
            stored.append(callid_of(request.body.decode("utf-8", "replace").encode()))
        else:
            assert status == want["status"], f"{source}: {status} {reply}"
            assert (reply == OK) == (status == 200), f"{source}: {reply}"
            assert isinstance(reply["result"], int) and reply["errmsg"]
        if want["outcome"] == "stored":
            stored.append(callid_of(request.body))
        checked += 1
    assert skipped == ["invalid/bad-base64.json"]
    assert checked >= 30

    # the monitor's route: no token, the store's kind, through the emulated HTTP API
    status, reply = stack.send("GET", b"", {}, path="/voice/health")
    assert (status, reply["status"], reply["store"]) == (200, "ok", "dynamodb")

    # a wrong token stores nothing
    status, reply = stack.send("POST", b'{"voicekey_callback": {}}', {"token": "wrong"})
    assert status == 401 and reply["result"] != 0

    ddb = stack.client("dynamodb")
    table = f"voice-receipts-{stack.stage}-receipts"
    items_ = ddb.scan(TableName=table)["Items"]  # the test may Scan; the function may not
    assert len(items_) == len(stored), "one item per stored receipt, none for duplicates"
    assert sorted(i["callid"]["S"] for i in items_) == sorted(stored)
    assert all("expires_at" in i for i in items_)  # VOICE_RECEIPTS_RETENTION_DAYS is set
    phones = [i["phone"]["S"] for i in items_ if "phone" in i]  # sparse: no number, no phone
    assert phones and all(p.startswith("+") for p in phones)
    phone = phones[0]
    by_phone = ddb.query(
        TableName=table,
        IndexName="by-number",
        KeyConditionExpression="phone = :p",
        ExpressionAttributeValues={":p": {"S": phone}},
    )["Items"]
    assert by_phone and all(i["phone"]["S"] == phone for i in by_phone)

    # what a person does after `make offline`: `show` a call from the offline table
    env = offline_env(
        AWS_ENDPOINT_URL=stack.moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        PYTHONPATH=str(ROOT),
    )
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "voice_receipts",
            "show",
            stored[0],
            "--json",
            "--store",
            f"dynamodb://{table}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["receipts"][0]["callid"] == stored[0]


def test_sqs_switch_sends_receipts_to_the_fifo_queue():
    stack = Stack("sqs")
    try:
        body = (EVENTS / "callbacks" / "01-voicecode-answered.json").read_bytes()
        started = time.monotonic()
        status, reply = stack.send("POST", body, {"token": stack.token})
        assert (status, reply) == (200, OK), time.monotonic() - started
        sqs = stack.client("sqs")
        url = sqs.get_queue_url(QueueName="voice-receipts-offline-receipts.fifo")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["FifoQueue"] == "true"
        assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].endswith("-dlq.fifo")
        (message,) = sqs.receive_message(
            QueueUrl=url,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
            WaitTimeSeconds=1,
        )["Messages"]
        assert message["MessageAttributes"]["callid"]["StringValue"] == callid_of(body)
        assert message["Attributes"]["MessageGroupId"]
    finally:
        stack.stop()
    assert stack.proc.returncode == 0, "".join(stack.output[-40:])
