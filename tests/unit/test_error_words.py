"""The exact words of the errors a sender or an operator reads: an errmsg is the only thing a VMS
console or a queue consumer's log shows, so "what is wrong" must say it, word for word."""

from __future__ import annotations

import ipaddress

import pytest

from voice_receipts.auth import check_source, check_token
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import BadMessage, BadRequest, Forbidden, MethodNotAllowed, Unauthorized
from voice_receipts.receipt import Receipt

TOKENS = ("current-token-0123",)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, "missing token"),
        ({"token": ["a", "b"]}, "token given more than once"),
        ({"token": ["x"]}, "wrong token"),
    ],
)
def test_token_errors_say_what_is_wrong(query, words):
    with pytest.raises(Unauthorized) as caught:
        check_token(query, TOKENS)
    assert caught.value.message == words


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (None, "source address unknown; this endpoint only accepts listed networks"),
        ("not-an-ip", "source address unknown; this endpoint only accepts listed networks"),
        ("203.0.113.1", "source address not allowed"),
    ],
)
def test_source_errors_say_what_is_wrong(source, words):
    with pytest.raises(Forbidden) as caught:
        check_source(source, (ipaddress.ip_network("198.51.100.0/24"),))
    assert caught.value.message == words


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "body must be a JSON object, got an array"),
        ("x", "body must be a JSON object, got a string"),
        (True, "body must be a JSON object, got a boolean"),
        (None, "body must be a JSON object, got null"),
        (1.5, "body must be a JSON object, got a number"),
        (7, "body must be a JSON object, got a number"),
        ({"voicecode_callback": []}, "voicecode_callback must be a JSON object, got an array"),
        ({"voicekey_callback": "s"}, "voicekey_callback must be a JSON object, got a string"),
        ({"voicekey_callback": False}, "voicekey_callback must be a JSON object, got a boolean"),
        ({"voicekey_callback": 3}, "voicekey_callback must be a JSON object, got a number"),
    ],
)
def test_a_body_of_the_wrong_json_type_is_named_by_its_type(body, words):
    with pytest.raises(BadRequest) as caught:
        parse_callback(body)
    assert caught.value.message == words


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("{not json", "the message is not JSON: key must be a string at line 1 column 2"),
        ("[1]", "the message is not a JSON object"),
        (
            '{"callid": "c", "kind": "voicekey", "event_id": "e", "received_at": "t", "raw": []}',
            "the message's 'raw' is not of type dict[str, Any]",
        ),
        (
            '{"kind": "voicekey", "event_id": "e", "received_at": "t"}',
            "the message has no 'callid': not a voice receipt",
        ),
    ],
)
def test_a_queue_message_that_is_not_a_receipt_says_why(message, words):
    with pytest.raises(BadMessage) as caught:
        Receipt.from_message(message)
    assert caught.value.message == words


def test_the_health_check_refuses_other_methods_naming_them(make_app):
    from tests import samples

    app = make_app()
    for method, shown in (("POST", "POST"), ("", "(none)"), ("X" * 40, "X" * 16)):
        event = samples.tencent_url(None, method=method, path="/voice/health")
        handled = app.handle(event)
        assert handled.reply.status == 405, handled.reply
        assert handled.reply.errmsg == f"method {shown} not allowed; use GET"
    assert not isinstance(MethodNotAllowed("x"), BadRequest)


def test_every_wrong_field_is_named_in_one_errmsg_separated_by_semicolons():
    with pytest.raises(BadRequest) as caught:
        parse_callback({"voicecode_callback": {"callid": "c", "fee": "x", "nationcode": "abcdefghijkl"}})
    assert caught.value.message == (
        "voicecode_callback.nationcode: must be at most 8 characters; "
        "voicecode_callback.result: Field required; "
        "voicecode_callback.fee: must be a whole number"
    )


RECEIPT = {"callid": "c", "kind": "voicekey", "event_id": "e", "received_at": "t"}


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (123, "the message is int, not text"),
        ("\ud800", "the message is not UTF-8 text"),
        ("[1", "the message is not JSON: EOF while parsing a list at line 1 column 2"),
        ({**RECEIPT, "callid": ""}, "the message has no 'callid': not a voice receipt"),
        ({**RECEIPT, "callid": 5}, "the message has no 'callid': not a voice receipt"),
        ({**RECEIPT, "fee_minutes": "x"}, "the message's 'fee_minutes' is not of type int | None"),
        ({**RECEIPT, "fee_minutes": True}, "the message's 'fee_minutes' is not of type int | None"),
        ({**RECEIPT, "fee_minutes": 2**63}, "the message's 'fee_minutes' is out of range"),
        ({**RECEIPT, "fee_minutes": -(2**63)}, "the message's 'fee_minutes' is out of range"),
    ],
)
def test_each_way_a_queue_message_is_not_a_receipt_has_its_words(message, words):
    import json

    with pytest.raises(BadMessage) as caught:
        Receipt.from_message(json.dumps(message) if isinstance(message, dict) else message)
    assert caught.value.message == words


@pytest.mark.parametrize("minutes", [2**63 - 1, -(2**63) + 1, 0])
def test_integers_just_inside_what_every_store_keeps_are_accepted(minutes):
    import json

    assert Receipt.from_message(json.dumps({**RECEIPT, "fee_minutes": minutes})).fee_minutes == minutes
