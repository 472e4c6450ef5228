"""replies.py: which outcome each error is, the errmsg's length cap, and the reply's own shape."""

from __future__ import annotations

import json

import pytest

from tests import samples
from voice_receipts import codes, replies
from voice_receipts.errors import (
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    PayloadTooLarge,
    StoreUnavailable,
    Unauthorized,
)
from voice_receipts.replies import MAX_ERRMSG, error_reply


class Bug(BadRequest):
    """A package error the sender did not cause (a 500 of the package's own)."""

    status = 500
    result = codes.INTERNAL


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (BadRequest, replies.REJECTED),
        (PayloadTooLarge, replies.REJECTED),
        (MethodNotAllowed, replies.REJECTED),
        (Unauthorized, replies.UNAUTHORIZED),
        (Forbidden, replies.UNAUTHORIZED),
        (StoreUnavailable, replies.UNAVAILABLE),
        (Bug, replies.ERROR),
    ],
)
def test_each_error_is_its_outcome_with_its_status_and_result(error, outcome):
    reply = error_reply(error("what went wrong"))
    assert (reply.status, reply.result, reply.outcome) == (error.status, error.result, outcome)
    assert reply.result != codes.OK


def test_only_an_unavailable_store_asks_the_sender_to_retry():
    assert error_reply(StoreUnavailable("table busy")).errmsg == "table busy; retry later"
    assert error_reply(BadRequest("callid is missing")).errmsg == "callid is missing"
    assert error_reply(Bug("boom")).errmsg == "boom"


@pytest.mark.parametrize("error", [BadRequest, StoreUnavailable, Unauthorized])
def test_the_errmsg_is_capped_at_max_errmsg_characters(error):
    long = "x" * (MAX_ERRMSG - 1) + "yz" + "w" * 5000
    errmsg = error_reply(error(long)).errmsg
    assert len(errmsg) == MAX_ERRMSG == 300
    assert errmsg == (long + ("; retry later" if error is StoreUnavailable else ""))[:MAX_ERRMSG]


def test_a_message_at_the_cap_is_kept_whole():
    assert error_reply(BadRequest("m" * MAX_ERRMSG)).errmsg == "m" * MAX_ERRMSG


def test_the_reply_is_the_spec_s_object_and_its_body_is_that_json():
    reply = error_reply(BadRequest("callid 不对"))
    assert reply.payload() == {"result": codes.INVALID_CALLBACK, "errmsg": "callid 不对"}
    assert reply.body == f'{{"result": {codes.INVALID_CALLBACK}, "errmsg": "callid 不对"}}'
    assert replies.STORED_REPLY.payload() == {"result": 0, "errmsg": "OK"}
    assert replies.DUPLICATE_REPLY.payload() == {"result": 0, "errmsg": "OK"}
    assert replies.DUPLICATE_REPLY.outcome == replies.DUPLICATE


def test_the_health_reply_names_the_store_kind_only():
    reply = replies.health_reply("1.2.3", "dynamodb")
    assert reply.status == 200 and reply.outcome == replies.HEALTHY
    assert json.loads(reply.body) == {"status": "ok", "version": "1.2.3", "store": "dynamodb"}
    copy = reply.payload()
    copy["status"] = "changed"
    assert reply.payload()["status"] == "ok"  # a copy: the constant reply cannot be edited


class FailingStore:
    """A store whose every put fails with a very long message (a driver that says too much)."""

    name = "failing"

    def put(self, receipt):
        raise StoreUnavailable("the store said: " + "e" * 10_000)

    def close(self):
        pass


def test_a_very_long_store_error_reaches_the_sender_capped(make_app):
    from voice_receipts.app import App

    app = App(make_app().gate, FailingStore())
    reply = app(samples.body("voicecode_callback"))
    assert reply["result"] == codes.STORE_UNAVAILABLE and len(reply["errmsg"]) == MAX_ERRMSG
    assert reply["errmsg"].startswith("the store said: eee")
