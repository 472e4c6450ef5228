"""GET /voice/health on every gateway: alive, version, store kind; no store, no token, no secret."""

from __future__ import annotations

import io
import json

import pytest

from tests import samples
from voice_receipts import __version__, logs
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.metrics import Metrics
from voice_receipts.stores.base import Store

TOKEN = "health-token-0123456789"
HEALTH = {"status": "ok", "version": __version__, "store": "dynamodb"}


class Untouchable(Store):
    """A store that fails the test if the health check reaches it."""

    name = "untouchable"

    def put(self, receipt):
        raise AssertionError("the health check touched the store")

    def receipts(self, callid):
        raise AssertionError("the health check touched the store")


@pytest.fixture
def app():
    settings = load_settings(
        {
            "VOICE_RECEIPTS_STORE": "dynamodb://secret-table-name",
            "VOICE_RECEIPTS_TOKEN": TOKEN,
            "VOICE_RECEIPTS_ALLOWED_CIDRS": "10.0.0.0/8",  # a monitor is not VMS: not checked
        }
    )
    return App.configured(settings, Untouchable())


EVENTS = {
    "aws-rest-api": lambda method: samples.aws_rest("", method=method, path="/voice/health"),
    "aws-rest-api-stage": lambda method: samples.aws_rest("", method=method, path="/prod/voice/health"),
    "aws-http-api": lambda method: samples.aws_http("", method=method, path="/voice/health"),
    "aws-function-url": lambda method: samples.function_url("", method=method, path="/voice/health/"),
    "tencent-api-gateway": lambda method: samples.tencent_apigw(
        "", method=method, path="/release/voice/health"
    ),
    "tencent-function-url": lambda method: samples.tencent_url("", method=method, path="/voice/health"),
}


@pytest.mark.parametrize("shape", EVENTS)
def test_health_answers_200_on_every_gateway_without_token_or_store(app, shape):
    response = app(EVENTS[shape]("GET"), None)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    assert json.loads(response["body"]) == HEALTH
    assert "secret-table-name" not in response["body"] and TOKEN not in response["body"]


@pytest.mark.parametrize("shape", EVENTS)
def test_health_takes_get_only(app, shape):
    response = app(EVENTS[shape]("POST"), None)
    assert response["statusCode"] == 405
    assert json.loads(response["body"])["errmsg"].endswith("use GET")


def test_a_get_elsewhere_is_still_refused(app):
    response = app(samples.aws_http("", method="GET", query=f"token={TOKEN}", ip="10.1.2.3"), None)
    assert response["statusCode"] == 405


def test_a_direct_invocation_is_never_a_health_check(app):
    # a bare body has no path: it is a callback (here refused by the untouchable store)
    reply = app.handle(samples.body("voicekey_callback"), None).reply
    assert reply.outcome == "error"


def test_health_polls_write_no_line_and_no_metric(app):
    stream = io.StringIO()
    saved = logs.log.handlers[:], logs.log.level, logs.log.propagate
    logs.configure("INFO", stream)
    try:
        app.metrics = Metrics("voice-receipts-test-receive")
        app(EVENTS["aws-http-api"]("GET"), None)
        assert stream.getvalue() == ""  # every minute of a monitor would cost a line and a metric
        app(samples.aws_http(samples.body("voicekey_callback")), None)  # no token: 401
        line = json.loads(stream.getvalue())
        assert line["outcome"] == "unauthorized" and line["ColdStarts"] == 1  # the first counted request
        logs.configure("DEBUG", stream)
        app(EVENTS["aws-http-api"]("GET"), None)
        health = json.loads(stream.getvalue().splitlines()[-1])
        assert health["level"] == "DEBUG" and health["outcome"] == "healthy" and "_aws" not in health
    finally:
        logs.log.handlers[:], logs.log.level, logs.log.propagate = saved
