"""Each gateway's event read into the whole Request, field by field: method, body, path, query,
headers, the platform's source address, the request id the logs carry, and the adapter's name.
A field read from the wrong key, or its fallback lost, changes the Request and fails here."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from voice_receipts.gateways import Request, infer
from voice_receipts.gateways.aws import AwsHttpApi, AwsRestApi
from voice_receipts.gateways.direct import Direct
from voice_receipts.gateways.tencent import TencentApiGateway, TencentFunctionUrl

BODY = '{"voicekey_callback": {"callid": "c"}}'
LAMBDA_CONTEXT = SimpleNamespace(aws_request_id="lambda-req-1")
SCF_CONTEXT = {"request_id": "scf-req-1"}


def read(event, context=None) -> Request:
    return infer(event).request(event, context)


def test_a_tencent_api_gateway_event():
    event = {
        "requestContext": {"serviceId": "service-1", "sourceIp": "198.51.100.4", "requestId": "apigw-req-1"},
        "httpMethod": "post",
        "path": "/voice/callback",
        "queryString": {"token": "t1"},
        "headers": {"Content-Type": "application/json", "X-Thing": "v"},
        "body": BODY,
    }
    assert read(event) == Request(
        method="POST",
        body=BODY.encode(),
        path="/voice/callback",
        query={"token": ["t1"]},
        headers={"content-type": "application/json", "x-thing": "v"},
        source_ip="198.51.100.4",
        request_id="apigw-req-1",
        via="tencent-api-gateway",
    )
    assert read(event, SCF_CONTEXT).request_id == "scf-req-1"  # SCF's own id wins over the gateway's


def test_a_tencent_api_gateway_event_with_only_its_fallbacks():
    # the method only in requestContext, declared parameters only, no path: each has a fallback
    event = {
        "requestContext": {"serviceId": "s", "httpMethod": "POST", "sourceIp": "198.51.100.4"},
        "queryStringParameters": {"token": "t2"},
        "body": BODY,
    }
    request = read(event)
    assert (request.method, request.path, request.query, request.headers) == (
        "POST",
        "/",
        {"token": ["t2"]},
        {},
    )
    assert len(request.request_id) == 32  # a fresh id, so every log line still has one
    bare = read({"requestContext": {"serviceId": "s"}, "body": BODY})
    assert bare.method == "" and bare.source_ip is None


def test_a_tencent_function_url_event():
    event = {
        "httpMethod": "post",
        "path": "/voice/callback",
        "queryString": {"token": ["t1", "t2"]},
        "headers": {"X-Scf-Remote-Addr": "ignored: not the platform's spelling", "Accept": "*/*"},
        "body": BODY,
    }
    request = read(event, SCF_CONTEXT)
    assert request == Request(
        method="POST",
        body=BODY.encode(),
        path="/voice/callback",
        query={"token": ["t1", "t2"]},
        headers={"x-scf-remote-addr": "ignored: not the platform's spelling", "accept": "*/*"},
        source_ip=None,
        request_id="scf-req-1",
        via="tencent-function-url",
    )
    event["headers"] = {"x-scf-remote-addr": "198.51.100.9"}
    event["path"] = ""
    request = read(event)
    assert request.source_ip == "198.51.100.9" and request.path == "/" and len(request.request_id) == 32


def test_an_aws_http_api_event():
    event = {
        "version": "2.0",
        "rawPath": "/voice/callback",
        "rawQueryString": "token=a&token=b&empty=",
        "queryStringParameters": {"token": "a,b"},
        "headers": {"Content-Type": "application/json"},
        "requestContext": {
            "http": {"method": "post", "sourceIp": "198.51.100.7"},
            "requestId": "http-api-req-1",
        },
        "body": base64.b64encode(BODY.encode()).decode(),
        "isBase64Encoded": True,
    }
    assert read(event) == Request(
        method="POST",
        body=BODY.encode(),
        path="/voice/callback",
        query={"token": ["a", "b"], "empty": [""]},
        headers={"content-type": "application/json"},
        source_ip="198.51.100.7",
        request_id="http-api-req-1",
        via="aws-http-api",
    )
    assert read(event, LAMBDA_CONTEXT).request_id == "lambda-req-1"
    del event["rawQueryString"]  # an older test event: the joined parameters are all there is
    assert read(event).query == {"token": ["a,b"]}


def test_an_aws_rest_api_event():
    event = {
        "httpMethod": "post",
        "path": "/dev/voice/callback",
        "queryStringParameters": {"token": "b"},
        "multiValueQueryStringParameters": {"token": ["a", "b"]},
        "headers": {"Content-Type": "application/json"},
        "requestContext": {
            "stage": "dev",
            "requestId": "rest-req-1",
            "identity": {"sourceIp": "198.51.100.8"},
        },
        "body": BODY,
    }
    assert read(event) == Request(
        method="POST",
        body=BODY.encode(),
        path="/dev/voice/callback",
        query={"token": ["a", "b"]},
        headers={"content-type": "application/json"},
        source_ip="198.51.100.8",
        request_id="rest-req-1",
        via="aws-rest-api",
    )
    event["multiValueQueryStringParameters"] = None
    assert read(event).query == {"token": ["b"]}
    event["requestContext"] = {"resourcePath": "/voice/callback", "identity": "not a dict"}
    assert infer(event) is AwsRestApi and read(event).source_ip is None


def test_a_direct_invocation():
    request = read({"voicekey_callback": {"callid": "c"}}, LAMBDA_CONTEXT)
    assert request == Request(
        method="",
        body=b'{"voicekey_callback": {"callid": "c"}}',
        request_id="lambda-req-1",
        via="direct",
        platform_authorised=True,
    )


@pytest.mark.parametrize(
    ("event", "adapter"),
    [
        ({"version": "2.0", "requestContext": {}}, AwsHttpApi),
        ({"version": "2.0", "requestContext": "x", "httpMethod": "POST"}, Direct),
        ({"httpMethod": "POST", "requestContext": {"stage": "dev"}}, AwsRestApi),
        ({"httpMethod": "POST", "requestContext": {"resourcePath": "/"}}, AwsRestApi),
        ({"httpMethod": "POST", "requestContext": {"serviceId": "s", "stage": "release"}}, TencentApiGateway),
        ({"httpMethod": "POST", "requestContext": {"other": 1}}, Direct),
        ({"requestContext": {"stage": "dev"}}, Direct),
        ({"httpMethod": "POST", "queryString": {}}, TencentFunctionUrl),
        ({"httpMethod": "POST"}, Direct),
        ({"queryString": {}}, Direct),
        ([], Direct),
    ],
)
def test_each_shape_is_recognised_as_its_gateway(event, adapter):
    assert infer(event) is adapter


def test_query_parameters_from_several_sources_are_merged_whatever_comes_first():
    from voice_receipts.gateways.base import query_lists

    assert query_lists(None, {"token": "a"}, "junk", {"token": ["b", None], "x": 1}) == {
        "token": ["a", "b"],
        "x": ["1"],
    }


def test_an_event_body_is_read_as_bytes_whatever_it_holds():
    from voice_receipts.errors import BadRequest
    from voice_receipts.gateways.base import body_bytes

    assert body_bytes({}) == b"" and body_bytes({"body": None}) == b""
    # a lone surrogate reaches the JSON parser as bytes (which refuses it with a 400), not a 500
    assert body_bytes({"body": "\ud800"}) == b"\xed\xa0\x80"
    assert body_bytes({"body": "é", "isBase64Encoded": False}) == "é".encode()
    for event, words in (
        ({"body": 5}, "event body must be a string"),
        ({"body": "@@", "isBase64Encoded": True}, "body is marked base64 but is not valid base64"),
    ):
        with pytest.raises(BadRequest) as caught:
            body_bytes(event)
        assert caught.value.message == words


@pytest.mark.parametrize(("value", "read"), [("x", "x"), ("", None), (5, None), (["x"], None), (None, None)])
def test_only_a_non_empty_string_is_text(value, read):
    from voice_receipts.gateways.base import text

    assert text(value) == read


def test_missing_paths_methods_and_http_blocks_have_their_defaults():
    http_api = {"version": "2.0", "requestContext": {"requestId": "r"}, "body": BODY}
    request = read(http_api)  # no "http" block at all: no method, no source, not a crash
    assert (request.method, request.path, request.source_ip) == ("", "/", None)
    rest = {"httpMethod": "POST", "requestContext": {"stage": "dev", "requestId": "rest-1"}, "body": BODY}
    assert read(rest).path == "/"
    assert read(rest, LAMBDA_CONTEXT).request_id == "lambda-req-1"  # Lambda's own id wins


def test_a_request_without_a_method_is_refused_naming_none(make_app):
    from voice_receipts.errors import MethodNotAllowed

    app = make_app()
    handled = app.handle({"version": "2.0", "requestContext": {"requestId": "r"}, "body": BODY})
    assert handled.reply.status == 405
    assert handled.reply.errmsg == "method (none) not allowed; use POST"
    long = app.handle({"version": "2.0", "requestContext": {"http": {"method": "X" * 40}}, "body": BODY})
    assert long.reply.errmsg == f"method {'X' * 16} not allowed; use POST"
    assert MethodNotAllowed.status == 405


def test_a_direct_event_is_read_as_utf8_json_lone_surrogates_included():
    request = read({"voicekey_callback": {"callid": "é\ud800"}})
    assert request.body == '{"voicekey_callback": {"callid": "é\ud800"}}'.encode("utf-8", "surrogatepass")
    assert request.via == "direct" and request.platform_authorised


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (
            {"requestContext": "x", "httpMethod": "POST"},
            "the event is neither a callback nor a gateway event this service knows",
        ),
        ({"voicekey_callback": {1, 2}}, "the event cannot be read as JSON"),
    ],
)
def test_a_direct_event_that_cannot_be_read_says_why(event, words):
    from voice_receipts.errors import BadRequest

    with pytest.raises(BadRequest) as caught:
        Direct.request(event, None)
    assert caught.value.message == words
