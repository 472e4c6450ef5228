"""The whole way through: gateway event -> App -> SQLite -> reply, for every shape and kind."""

import json

import pytest

from tests import samples
from voice_receipts.errors import StoreUnavailable
from voice_receipts.stores.base import Store

SHAPES = list(samples.SHAPES)


def stored(store, callid):
    return store.receipts(callid)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", samples.CALLBACKS)
def test_every_shape_and_kind_is_stored_and_answered_ok(make_app, store, shape, kind):
    app = make_app()
    status, reply = samples.reply_of(app(samples.wrap(shape, samples.body(kind)), None))
    assert (status, reply) == (200, {"result": 0, "errmsg": "OK"})
    [receipt] = stored(store, samples.CALLBACKS[kind]["callid"])
    assert receipt.kind == kind.removesuffix("_callback")
    assert receipt.raw == samples.CALLBACKS[kind]


@pytest.mark.parametrize("kind", samples.CALLBACKS)
def test_direct_invocation_answers_the_spec_object(make_app, store, kind):
    assert make_app()(samples.body(kind), None) == {"result": 0, "errmsg": "OK"}
    assert len(stored(store, samples.CALLBACKS[kind]["callid"])) == 1


def test_redelivery_is_answered_ok_and_stored_once(make_app, store):
    app = make_app()
    event = samples.wrap("tencent-function-url", samples.body("voicecode_callback"))
    outcomes = [app.handle(event).reply.outcome for _ in range(3)]
    assert outcomes == ["stored", "duplicate", "duplicate"]
    assert [samples.reply_of(app(event))[0] for _ in range(2)] == [200, 200]
    assert len(stored(store, "call-code-1")) == 1


def test_redelivery_through_another_gateway_is_still_a_duplicate(make_app, store):
    app = make_app()
    app(samples.wrap("aws-rest-api", samples.body("voicekey_callback")))
    assert app.handle(
        samples.wrap("tencent-api-gateway", samples.body("voicekey_callback"))
    ).reply.outcome == ("duplicate")
    assert len(stored(store, "call-prompt-1")) == 1


def test_distinct_key_presses_in_one_call_are_all_kept(make_app, store):
    app = make_app()
    for key in "1", "2", "#", "1":
        app(samples.body("voicekey_callback", keypress=key))
    assert sorted(r.keypress for r in stored(store, "call-prompt-1")) == ["#", "1", "2"]


BAD = [
    ("not json", "{nope", 400, 4001),
    ("empty body", "", 400, 4001),
    ("array", "[1]", 400, 4002),
    ("two kinds", {**samples.body("voicecode_callback"), **samples.body("voicekey_callback")}, 400, 4002),
    ("unknown kind", {"sms_callback": {"callid": "x"}}, 400, 4002),
    ("missing callid", {"voicekey_callback": {"keypress": "1"}}, 400, 4002),
    ("empty callid", samples.body("voicekey_callback", callid=""), 400, 4002),
    ("missing result", {"voicecode_callback": {"callid": "x"}}, 400, 4002),
    ("wrong type", samples.body("voicecode_callback", result=[0]), 400, 4002),
    ("bad time", samples.body("voicecode_callback", start_calltime="noon"), 400, 4002),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("name", "payload", "status", "result"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_rejected_with_a_clear_reply_and_nothing_stored(
    make_app, store, shape, name, payload, status, result
):
    app = make_app()
    got_status, reply = samples.reply_of(app(samples.wrap(shape, payload)))
    assert (got_status, reply["result"]) == (status, result)
    assert reply["errmsg"] and "Traceback" not in reply["errmsg"]
    assert store.callids() == []


def test_errmsg_names_the_field_and_the_reason(make_app):
    status, reply = samples.reply_of(
        make_app()(samples.wrap("aws-http-api", samples.body("voice_failure_callback", failure_code="x")))
    )
    assert status == 400
    assert reply["errmsg"] == "voice_failure_callback.failure_code: must be a whole number"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"])
def test_only_post_is_allowed(make_app, store, shape, method):
    status, reply = samples.reply_of(
        make_app()(samples.wrap(shape, samples.body("voicekey_callback"), method=method))
    )
    assert (status, reply["result"]) == (405, 4050)
    assert store.callids() == []


@pytest.mark.parametrize("shape", SHAPES)
def test_body_over_the_limit_is_413(make_app, store, shape):
    app = make_app(VOICE_RECEIPTS_MAX_BODY_BYTES="512")
    small = samples.body("voicekey_callback")
    assert samples.reply_of(app(samples.wrap(shape, small)))[0] == 200
    big = samples.body("voicekey_callback", callid="big", padding="x" * 600)
    status, reply = samples.reply_of(app(samples.wrap(shape, big)))
    assert (status, reply["result"]) == (413, 4130)
    assert "over the limit of 512 bytes" in reply["errmsg"]
    assert store.receipts("big") == []


def test_default_limit_is_64_kib(make_app):
    app = make_app()
    body = samples.body("voicekey_callback", callid="edge")
    text = json.dumps(body)
    fits = samples.body("voicekey_callback", callid="edge", pad="x" * (65536 - len(text) - 11))
    assert len(json.dumps(fits)) == 65536
    assert samples.reply_of(app(samples.aws_http(fits)))[0] == 200
    over = samples.body("voicekey_callback", callid="edge2", pad="x" * (65537 - len(text) - 11))
    assert samples.reply_of(app(samples.aws_http(over)))[0] == 413


class BrokenStore(Store):
    name = "broken"

    def __init__(self, exc):
        self.exc = exc

    def put(self, receipt):
        raise self.exc


def test_store_unavailable_is_503_so_the_sender_retries(make_app):
    from voice_receipts.app import App

    app = App(make_app().gate, BrokenStore(StoreUnavailable("sqlite store cannot write: disk I/O error")))
    status, reply = samples.reply_of(app(samples.aws_http(samples.body("voicekey_callback"))))
    assert (status, reply) == (
        503,
        {"result": 5030, "errmsg": "sqlite store cannot write: disk I/O error; retry later"},
    )


def test_a_bug_is_500_with_no_details(make_app):
    from voice_receipts.app import App

    app = App(make_app().gate, BrokenStore(RuntimeError("13800138000 in a bug's message")))
    status, reply = samples.reply_of(app(samples.tencent_apigw(samples.body("voicekey_callback"))))
    assert status == 500 and reply["result"] == 5000
    assert "13800138000" not in reply["errmsg"]


def test_a_readonly_sqlite_file_answers_503(tmp_path, make_app):
    import os
    import sqlite3

    from voice_receipts.app import App
    from voice_receipts.stores.sqlite import SQLiteStore

    if os.geteuid() == 0:  # root writes through file modes: make the failure with SQLite itself
        store = SQLiteStore(tmp_path / "ro.db")
        store._db.close()
        store._db = sqlite3.connect(f"file:{tmp_path / 'ro.db'}?mode=ro", uri=True, isolation_level=None)
    else:
        SQLiteStore(tmp_path / "ro.db").close()
        os.chmod(tmp_path / "ro.db", 0o444)
        store = SQLiteStore(tmp_path / "ro.db")
    app = App(make_app().gate, store)
    status, reply = samples.reply_of(app(samples.aws_http(samples.body("voicekey_callback"))))
    assert (status, reply["result"]) == (503, 5030)
    assert "sqlite store cannot write" in reply["errmsg"]


def test_a_calls_receipts_come_back_in_the_order_they_arrived(make_app, store):
    app = make_app()
    for key in "3", "1", "2", "9", "0":
        app(samples.body("voicekey_callback", keypress=key))
    assert [r.keypress for r in store.receipts("call-prompt-1")] == ["3", "1", "2", "9", "0"]
