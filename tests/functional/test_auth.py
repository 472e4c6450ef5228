"""The URL token (VMS lets a user configure nothing else) and the optional source allowlist."""

import pytest

from tests import samples

SHAPES = list(samples.SHAPES)
TOKEN = "tok-7Hq2-long-enough"


def send(app, shape, **kw):
    return samples.reply_of(app(samples.wrap(shape, samples.body("voicekey_callback"), **kw)))


QUERIES = {  # how each shape carries a bad token
    "missing": {"aws-rest-api": {}, "aws-http-api": "", "tencent-api-gateway": {}},
    "wrong": {
        "aws-rest-api": {"token": ["nope"]},
        "aws-http-api": "token=nope",
        "tencent-api-gateway": {"token": "nope"},
    },
    "case-changed value": {
        "aws-rest-api": {"token": [TOKEN.upper()]},
        "aws-http-api": f"token={TOKEN.upper()}",
        "tencent-api-gateway": {"token": TOKEN.upper()},
    },
    "case-changed name": {
        "aws-rest-api": {"TOKEN": [TOKEN]},
        "aws-http-api": f"TOKEN={TOKEN}",
        "tencent-api-gateway": {"TOKEN": TOKEN},
    },
    "repeated": {
        "aws-rest-api": {"token": [TOKEN, TOKEN]},
        "aws-http-api": f"token={TOKEN}&token={TOKEN}",
        "tencent-api-gateway": {"token": [TOKEN, TOKEN]},
    },
    "empty": {
        "aws-rest-api": {"token": [""]},
        "aws-http-api": "token=",
        "tencent-api-gateway": {"token": ""},
    },
    "prefix": {
        "aws-rest-api": {"token": [TOKEN[:-1]]},
        "aws-http-api": f"token={TOKEN[:-1]}",
        "tencent-api-gateway": {"token": TOKEN[:-1]},
    },
    "non-ascii": {
        "aws-rest-api": {"token": ["tök"]},
        "aws-http-api": "token=t%C3%B6k",
        "tencent-api-gateway": {"token": "tök"},
    },
}


@pytest.mark.parametrize("shape", ["aws-rest-api", "aws-http-api", "tencent-api-gateway"])
@pytest.mark.parametrize("case", QUERIES)
def test_bad_tokens_are_401_and_nothing_is_stored(make_app, store, shape, case):
    app = make_app(VOICE_RECEIPTS_TOKEN=TOKEN)
    status, reply = send(app, shape, query=QUERIES[case][shape])
    assert (status, reply["result"]) == (401, 4010)
    assert TOKEN not in reply["errmsg"]
    assert store.callids() == []


@pytest.mark.parametrize("shape", SHAPES)
def test_right_token_is_accepted_on_every_shape(make_app, store, shape):
    app = make_app(VOICE_RECEIPTS_TOKEN=TOKEN)
    status, _ = samples.reply_of(app(samples.wrap(shape, samples.body("voicekey_callback"), token=TOKEN)))
    assert status == 200


def test_no_token_configured_means_no_check_locally(make_app):
    assert send(make_app(), "aws-http-api", query="token=anything")[0] == 200


def test_direct_invocation_needs_no_token_when_turned_on(make_app):
    # direct invocation is authorised by the cloud's IAM/CAM; there is no URL to carry a token
    app = make_app(VOICE_RECEIPTS_TOKEN=TOKEN, VOICE_RECEIPTS_DIRECT_INVOCATION="true")
    assert app(samples.body("voicekey_callback")) == {"result": 0, "errmsg": "OK"}


def test_direct_invocation_turned_off_is_refused_and_nothing_stored(make_app, store):
    # a REST API integration without proxy mode hands the function the bare body from the internet
    app = make_app(VOICE_RECEIPTS_TOKEN=TOKEN, VOICE_RECEIPTS_DIRECT_INVOCATION="false")
    reply = app(samples.body("voicekey_callback"))
    assert reply["result"] == 4030 and "direct invocation is turned off" in reply["errmsg"]
    assert store.callids() == []


@pytest.mark.parametrize(
    "shape", ["aws-rest-api", "aws-http-api", "tencent-api-gateway", "tencent-function-url"]
)
def test_the_previous_token_works_during_a_rotation(make_app, shape):
    app = make_app(VOICE_RECEIPTS_TOKEN="new-" + TOKEN, VOICE_RECEIPTS_TOKEN_PREVIOUS=TOKEN)
    for token in ("new-" + TOKEN, TOKEN):
        event = samples.wrap(shape, samples.body("voicekey_callback"), token=token)
        assert samples.reply_of(app(event))[0] == 200
    status, _ = samples.reply_of(
        app(samples.wrap(shape, samples.body("voicekey_callback"), token="old-" + TOKEN))
    )
    assert status == 401


def test_a_client_header_cannot_stand_in_for_the_scf_source_address(make_app, store):
    app = make_app(VOICE_RECEIPTS_ALLOWED_CIDRS="203.0.113.0/24")
    event = samples.tencent_url(samples.body("voicekey_callback"), ip="198.51.100.9")
    # the client adds its own spelling; whichever came last must not decide
    event["headers"] = {"X-Scf-Remote-Addr": "203.0.113.5", **event["headers"]}
    assert samples.reply_of(app(event))[0] == 403
    event["headers"] = {**event["headers"], "X-Scf-Remote-Addr": "203.0.113.5"}
    assert samples.reply_of(app(event))[0] == 403
    assert store.callids() == []


def test_token_is_checked_before_the_body_is_read(make_app):
    status, reply = samples.reply_of(make_app(VOICE_RECEIPTS_TOKEN=TOKEN)(samples.aws_http("not json")))
    assert (status, reply["result"]) == (401, 4010)


@pytest.mark.parametrize("shape", SHAPES)
def test_allowlist_admits_listed_sources(make_app, shape):
    app = make_app(VOICE_RECEIPTS_ALLOWED_CIDRS="198.51.100.0/24, 2001:db8::/32")
    assert send(app, shape)[0] == 200


@pytest.mark.parametrize("shape", SHAPES)
def test_allowlist_rejects_other_sources(make_app, store, shape):
    app = make_app(VOICE_RECEIPTS_ALLOWED_CIDRS="203.0.113.0/24")
    status, reply = send(app, shape)
    assert (status, reply["result"]) == (403, 4030)
    assert store.callids() == []


def test_allowlist_ignores_headers_a_client_can_set(make_app):
    app = make_app(VOICE_RECEIPTS_ALLOWED_CIDRS="203.0.113.0/24")
    event = samples.aws_http(samples.body("voicekey_callback"), ip="198.51.100.9")
    event["headers"]["x-forwarded-for"] = "203.0.113.5"
    assert samples.reply_of(app(event))[0] == 403


def test_allowlist_with_unknown_source_is_403(make_app):
    app = make_app(VOICE_RECEIPTS_ALLOWED_CIDRS="203.0.113.0/24")
    event = samples.aws_http(samples.body("voicekey_callback"))
    del event["requestContext"]["http"]["sourceIp"]
    assert samples.reply_of(app(event))[0] == 403
