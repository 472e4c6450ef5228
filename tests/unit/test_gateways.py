import base64
import json

import pytest

from tests import samples
from voice_receipts import gateways
from voice_receipts.errors import BadRequest
from voice_receipts.gateways import ADAPTERS
from voice_receipts.replies import Reply
from voice_receipts.tools.replay import items

SAMPLE_ITEMS = list(items([samples.EVENTS]))

EXPECTED_ADAPTER = {
    "aws-rest-api": "aws-rest-api",
    "aws-http-api": "aws-http-api",
    "aws-function-url": "aws-http-api",  # a function URL is payload 2.0: the HTTP API adapter
    "tencent-api-gateway": "tencent-api-gateway",
    "tencent-function-url": "tencent-function-url",
}


@pytest.mark.parametrize("item", SAMPLE_ITEMS, ids=lambda i: i.source.split("events/")[-1])
def test_every_sample_event_is_recognised_by_exactly_one_adapter(item):
    matching = [a.name for a in ADAPTERS if a.infer(item.event)]
    assert len(matching) == 1, matching
    assert gateways.infer(item.event).name == matching[0]


@pytest.mark.parametrize("shape", samples.SHAPES)
@pytest.mark.parametrize("kind", samples.CALLBACKS)
def test_every_shape_with_every_kind_gives_one_request(shape, kind):
    event = samples.wrap(shape, samples.body(kind), token="t0k")
    matching = [a for a in ADAPTERS if a.infer(event)]
    assert [a.name for a in matching] == [EXPECTED_ADAPTER[shape]]
    request = matching[0].request(event, None)
    assert request.method == "POST"
    assert json.loads(request.body) == samples.body(kind)
    assert request.query["token"] == ["t0k"]
    assert request.source_ip and request.source_ip.startswith("198.51.100.")


@pytest.mark.parametrize("shape", ["aws-rest-api", "aws-http-api", "aws-function-url"])
def test_base64_bodies_are_decoded(shape):
    event = samples.wrap(shape, samples.body("voicekey_callback"), b64=True)
    request = gateways.infer(event).request(event, None)
    assert json.loads(request.body) == samples.body("voicekey_callback")


def test_invalid_base64_is_a_bad_request():
    event = samples.aws_http("@@@") | {"isBase64Encoded": True}
    with pytest.raises(BadRequest, match="not valid base64"):
        gateways.infer(event).request(event, None)


def test_repeated_query_names_are_all_kept():
    event = samples.aws_http("{}", query="token=a&token=b")
    assert gateways.infer(event).request(event, None).query["token"] == ["a", "b"]
    rest = samples.aws_rest("{}", query={"token": ["a", "b"]})
    assert gateways.infer(rest).request(rest, None).query["token"] == ["a", "b"]


def test_direct_invocation_is_the_callback_itself():
    event = samples.body("voicecode_callback")
    adapter = gateways.infer(event)
    assert adapter.name == "direct"
    assert json.loads(adapter.request(event, None).body) == event


def test_unknown_gateway_like_event_is_a_bad_request_not_a_crash():
    event = {"httpMethod": "POST", "body": "{}"}  # no adapter's shape
    adapter = gateways.infer(event)
    with pytest.raises(BadRequest, match="neither a callback nor a gateway event"):
        adapter.request(event, None)


def test_request_id_comes_from_the_platform_context():
    class LambdaContext:
        aws_request_id = "aws-123"

    event = samples.aws_http("{}")
    assert gateways.infer(event).request(event, LambdaContext()).request_id == "aws-123"
    assert gateways.infer(event).request(event, {"request_id": "scf-9"}).request_id == "scf-9"


@pytest.mark.parametrize("adapter", [a for a in ADAPTERS if a.name != "direct"])
def test_http_replies_have_the_envelope_tencent_needs(adapter):
    reply = adapter.respond(Reply(400, 4002, "bad", "rejected"))
    assert set(reply) == {"isBase64Encoded", "statusCode", "headers", "body"}
    assert reply["headers"]["Content-Type"] == "application/json"
    assert reply["statusCode"] == 400 and reply["isBase64Encoded"] is False


def test_direct_reply_is_the_spec_object():
    reply = gateways.infer({}).respond(Reply(200, 0, "OK", "stored"))
    assert reply == {"result": 0, "errmsg": "OK"}


def test_non_string_body_is_a_bad_request():
    event = samples.tencent_url("{}") | {"body": {"already": "parsed"}}
    with pytest.raises(BadRequest, match="body must be a string"):
        gateways.infer(event).request(event, None)


def test_base64_of_text_is_not_mistaken_for_text():
    raw = '{"voicekey_callback": {"callid": "x", "keypress": "1"}}'
    event = samples.aws_rest(raw, b64=True)
    assert event["body"] == base64.b64encode(raw.encode()).decode()
    assert gateways.infer(event).request(event, None).body == raw.encode()
