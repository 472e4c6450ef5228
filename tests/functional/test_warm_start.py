"""Init does the first receipt's one-off work (issue 14): rehearsed, never sent, never stored."""

from __future__ import annotations

import time

import pytest

from tests import samples
from tests.aws import closed_port
from voice_receipts import aws, runtime
from voice_receipts.app import App
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqs import SQSStore

RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback")))


def unreachable(service: str):
    """A client whose every real request is refused: anything that reached the network fails."""
    return aws.make_client(service, endpoint_url=f"http://127.0.0.1:{closed_port()}")


@pytest.mark.parametrize(
    "make_store",
    [
        lambda: DynamoDBStore("receipts", client=unreachable("dynamodb")),
        lambda: SQSStore("http://127.0.0.1/000000000000/receipts.fifo", client=unreachable("sqs")),
        lambda: SQSStore("receipts.fifo", client=unreachable("sqs")),  # URL not looked up yet
    ],
    ids=["dynamodb", "sqs-url", "sqs-name"],
)
@pytest.mark.usefixtures("aws_env")
def test_warm_sends_nothing_and_leaves_the_client_as_it_was(make_store):
    store = make_store()
    sent = []
    store.client.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    store.warm(RECEIPT)  # the endpoint refuses connections: this passes only if nothing was sent
    assert len(sent) == 1  # the one rehearsed call went down the pipeline to just before sending
    # the rehearsal's answer is gone: a real put reaches the (refusing) endpoint and fails
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.put(RECEIPT)


def test_a_cloud_init_warms_the_app_and_a_local_one_does_not(monkeypatch, tmp_path):
    warmed = []
    monkeypatch.setattr(App, "warm", lambda self: warmed.append(self))
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", f"sqlite:///{tmp_path}/r.db")
    runtime.reset()
    try:
        runtime.get_app()
        assert warmed == []  # replay, serve: nothing to gain
        runtime.reset()
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "voice-receipts")
        monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", "t0k-0123456789abcdef")
        app = runtime.get_app()
        assert warmed == [app]
    finally:
        runtime.reset()


def test_warming_stores_nothing(make_app, store):
    started = time.monotonic()
    make_app().warm()
    assert store.callids() == [] and time.monotonic() - started < 5
