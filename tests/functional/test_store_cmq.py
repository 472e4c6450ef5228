"""cmq://QUEUE against a local TDMQ stub over real HTTP: the SDK signs, the stub verifies, faults are real."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from tests.helpers import free_port as closed_port
from tests.samples import CALLBACKS
from tests.stubs import TdmqStub, tc3_headers
from voice_receipts import codes
from voice_receipts.app import App
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import load_settings
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores import cmq as cmq_module
from voice_receipts.stores import open_store
from voice_receipts.stores.cmq import CMQStore

CALLBACK = {**CALLBACKS["voicecode_callback"], "callid": "c1"}
EVENT = {"voicecode_callback": CALLBACK}
TOKEN = "stubSessionToken-not-a-real-one"
OK = {"result": 0, "errmsg": "OK"}


@pytest.fixture
def stub():
    with TdmqStub(queues=["receipts"]) as running:
        yield running


def env_for(stub: TdmqStub, **changes: str | None) -> dict[str, str]:
    env = {
        "VOICE_RECEIPTS_STORE": "cmq://receipts",
        "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
        "VOICE_RECEIPTS_TENCENT_ENDPOINT": stub.url,
        "TENCENTCLOUD_SECRET_ID": stub.secret_id,
        "TENCENTCLOUD_SECRET_KEY": stub.secret_key,
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def app_for(env: dict[str, str]) -> App:
    settings = load_settings(env)
    return App.configured(settings, open_store(settings.store, settings))


def secrets_of(stub: TdmqStub) -> list[str]:
    return [stub.secret_id, stub.secret_key, TOKEN]


def assert_clean(errmsg: str, stub: TdmqStub) -> None:
    assert "Traceback" not in errmsg and 'File "' not in errmsg
    for secret in secrets_of(stub):
        assert secret not in errmsg
    assert len(errmsg) < 200


# ----------------------------------------------------------------------------------------------
# the happy path


def test_receipt_goes_to_the_queue_as_one_signed_sendcmqmsg(stub, caplog):
    reply = app_for(env_for(stub))(EVENT)

    assert reply == OK
    [request] = stub.received
    assert request.action == "SendCmqMsg" and request.method == "POST" and request.path == "/"
    assert request.signature_valid and request.accepted
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-tc-version"] == "2020-02-17"
    assert headers["x-tc-region"] == "ap-guangzhou"
    assert headers["content-type"] == "application/json"
    signed_on = datetime.fromtimestamp(int(headers["x-tc-timestamp"]), UTC).strftime("%Y-%m-%d")
    assert headers["authorization"].startswith(
        f"TC3-HMAC-SHA256 Credential={stub.secret_id}/{signed_on}/tdmq/tc3_request, SignedHeaders="
    )
    assert "x-tc-token" not in headers  # plain keys carry no session token
    assert request.json["QueueName"] == "receipts" and request.json["DelaySeconds"] == 0

    [message] = stub.messages
    assert message.queue == "receipts"
    record = json.loads(message.body)
    receipt = Receipt.from_dict(record)
    assert message.body == receipt.to_json()  # the body is exactly the normalised receipt
    assert record["callid"] == "c1" and record["kind"] == "voicecode" and record["raw"] == CALLBACK
    assert record["event_id"].startswith("voicecode-")
    for secret in secrets_of(stub):
        assert secret not in caplog.text


def test_a_redelivery_is_sent_again_because_a_queue_cannot_tell(stub):
    app = app_for(env_for(stub))
    assert app(EVENT) == OK and app(EVENT) == OK
    first, second = (json.loads(m.body) for m in stub.messages)
    assert first["event_id"] == second["event_id"]  # consumers dedupe by event_id (docs/stores.md, CMQ)


def test_one_client_per_store_reused_across_receipts(stub):
    settings = load_settings(env_for(stub))
    store = open_store(settings.store, settings)
    client, app = store.client, App.configured(settings, store)
    for n in range(3):
        keypress = {k: CALLBACK[k] for k in ("call_from", "callid", "mobile", "nationcode")}
        assert app({"voicekey_callback": {**keypress, "keypress": str(n)}}) == OK
    assert store.client is client and len(stub.messages) == 3


def test_store_is_injectable_with_any_client():
    sent = []

    class FakeClient:
        def SendCmqMsg(self, request):  # noqa: N802 - the SDK's name
            sent.append((request.QueueName, request.MsgContent))
            return type("Response", (), {"Result": True, "MsgId": "m1"})()

    store = CMQStore("receipts", FakeClient())
    app = App.configured(load_settings({"VOICE_RECEIPTS_STORE": "cmq://receipts"}), store)
    assert app(EVENT) == OK
    assert sent[0][0] == "receipts" and json.loads(sent[0][1])["callid"] == "c1"
    # sent means stored: True, as from every store (a queue cannot tell a redelivery)
    from voice_receipts.receipt import Receipt

    assert store.put(Receipt("c2", "voicecode", "e2", "2026-12-01T00:00:00.000000Z")) is True


def test_attempts_are_what_the_store_was_given_and_at_least_one(stub):
    """Retries are the caller's to choose: attempts=1 sends once even on a fast transient fault."""
    client = cmq_module.build_client("ap-guangzhou", cmq_module.credential_from(env_for(stub)), stub.url)
    receipt = Receipt("c1", "voicecode", "e1", "2026-12-01T00:00:00.000000Z")
    for attempts, sent in ((1, 1), (0, 1), (-3, 1), (2, 2)):
        before = stub.arrived
        stub.fail_next("RequestLimitExceeded", times=sent)  # a further attempt would be stored
        with pytest.raises(StoreUnavailable, match="RequestLimitExceeded"):
            CMQStore("receipts", client, attempts=attempts, backoff_s=0).put(receipt)
        assert stub.arrived - before == sent, attempts


def test_an_sdk_error_without_a_code_is_an_unknown_error_not_a_crash():
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    class Failing:
        def SendCmqMsg(self, request):  # noqa: N802 - the SDK's name
            raise TencentCloudSDKException(None, None)

    receipt = Receipt("c1", "voicecode", "e1", "2026-12-01T00:00:00.000000Z")
    with pytest.raises(StoreUnavailable) as caught:
        CMQStore("q", Failing()).put(receipt)
    assert caught.value.message == "cmq queue 'q': unknown error"


# ----------------------------------------------------------------------------------------------
# region and credentials


def test_explicit_region_wins_over_the_scf_runtime_region(stub):
    app = app_for(
        env_for(stub, VOICE_RECEIPTS_TENCENT_REGION="ap-shanghai", TENCENTCLOUD_REGION="ap-beijing")
    )
    assert app(EVENT) == OK
    assert stub.received[0].headers["X-TC-Region"] == "ap-shanghai"


def test_scf_runtime_region_is_used_when_none_is_configured(stub):
    app = app_for(env_for(stub, VOICE_RECEIPTS_TENCENT_REGION=None, TENCENTCLOUD_REGION="ap-beijing"))
    assert app(EVENT) == OK
    assert stub.received[0].headers["X-TC-Region"] == "ap-beijing"


def test_scf_role_credentials_sign_with_the_session_token():
    with TdmqStub(queues=["receipts"], secret_id="AKIDroleTemporary000", token=TOKEN) as stub:
        env = env_for(
            stub,
            TENCENTCLOUD_SECRET_ID="AKIDsomethingElse",  # SCF's role keys come first
            TENCENTCLOUD_SECRET_KEY="wrong-key",
            TENCENTCLOUD_SECRETID=stub.secret_id,
            TENCENTCLOUD_SECRETKEY=stub.secret_key,
            TENCENTCLOUD_SESSIONTOKEN=TOKEN,
        )
        assert app_for(env)(EVENT) == OK
        assert stub.received[0].headers["X-TC-Token"] == TOKEN
        assert stub.received[0].signature_valid and len(stub.messages) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"VOICE_RECEIPTS_TENCENT_REGION": None},
            ["VOICE_RECEIPTS_TENCENT_REGION", "TENCENTCLOUD_REGION"],
            id="no-region",
        ),
        pytest.param(
            {"VOICE_RECEIPTS_TENCENT_REGION": "Guangzhou!"}, ["not a Tencent Cloud region"], id="bad-region"
        ),
        pytest.param(
            {"TENCENTCLOUD_SECRET_ID": None, "TENCENTCLOUD_SECRET_KEY": None},
            # the store's name first, then the permission the function's role needs
            [
                "cmq store: no Tencent Cloud credentials",
                "a role with tdmq:SendCmqMsg",
                "TENCENTCLOUD_SECRET_ID",
            ],
            id="no-credentials",
        ),
        pytest.param(
            {"TENCENTCLOUD_SECRET_KEY": None}, ["TENCENTCLOUD_SECRET_KEY is not set"], id="id-without-key"
        ),
        pytest.param(
            {
                "TENCENTCLOUD_SECRETID": "AKIDrole",
                "TENCENTCLOUD_SECRET_ID": None,
                "TENCENTCLOUD_SECRET_KEY": None,
            },
            ["TENCENTCLOUD_SECRETKEY is not set"],
            id="scf-id-without-key",
        ),
        pytest.param({"TENCENTCLOUD_SECRET_KEY": " spaced key "}, ["empty or has spaces"], id="spaced-key"),
        pytest.param({"VOICE_RECEIPTS_STORE": "cmq://"}, ["cmq://QUEUE"], id="no-queue"),
        pytest.param({"VOICE_RECEIPTS_STORE": "cmq://a/b"}, ["cmq://QUEUE"], id="queue-with-path"),
        pytest.param(
            {"VOICE_RECEIPTS_STORE": "cmq://9lives"}, ["cmq://QUEUE"], id="queue-not-a-letter-first"
        ),
        pytest.param({"VOICE_RECEIPTS_STORE": "cmq://q?x=1"}, ["cmq://QUEUE"], id="queue-with-query"),
        pytest.param(
            {"VOICE_RECEIPTS_TENCENT_ENDPOINT": "ftp://127.0.0.1:1"},
            ["VOICE_RECEIPTS_TENCENT_ENDPOINT"],
            id="bad-endpoint",
        ),
    ],
)
def test_configuration_errors_fail_at_start_up(stub, changes, expected):
    env = env_for(stub, **changes)
    with pytest.raises(ConfigError) as caught:
        settings = load_settings(env)
        open_store(settings.store, settings)
    for words in expected:
        assert words in caught.value.message
    for secret in (stub.secret_key, " spaced key ", "AKIDrole"):
        assert secret not in caught.value.message
    assert stub.arrived == 0  # nothing is sent while starting


# ----------------------------------------------------------------------------------------------
# faults: each one answers 503 with a non-zero result and a short, clean errmsg; nothing is accepted


FAULTS = {
    # name: (set the fault up on the stub or env -> env changes, words errmsg must have, requests expected)
    "bad-signature": (
        lambda stub: {"TENCENTCLOUD_SECRET_KEY": "a-wrong-secret-key"},
        ["AuthFailure.SignatureFailure", "credentials"],
        1,
    ),
    "unknown-secret-id": (
        lambda stub: {"TENCENTCLOUD_SECRET_ID": "AKIDnobodyKnowsThis"},
        ["AuthFailure.SecretIdNotFound"],
        1,
    ),
    "no-permission": (
        lambda stub: stub.fail_next("AuthFailure.UnauthorizedOperation", times=None),
        ["AuthFailure.UnauthorizedOperation", "tdmq:SendCmqMsg"],
        1,
    ),
    "missing-queue": (
        lambda stub: {"VOICE_RECEIPTS_STORE": "cmq://nosuchqueue"},
        ["'nosuchqueue'", "ResourceNotFound", "exists"],
        1,
    ),
    "queue-unavailable": (
        lambda stub: stub.fail_next("ResourceUnavailable", times=None),
        ["ResourceUnavailable"],
        1,
    ),
    "throttled": (
        lambda stub: stub.fail_next("RequestLimitExceeded", times=None),
        ["RequestLimitExceeded", "throttling"],
        2,
    ),
    "internal-error": (lambda stub: stub.fail_next("InternalError", times=None), ["InternalError"], 2),
    "http-502-html": (
        lambda stub: stub.answer_next(
            "<html>502 Bad Gateway</html>", status=502, content_type="text/html", times=None
        ),
        ["HTTP error"],
        2,
    ),
    "not-json": (lambda stub: stub.answer_next("this is not json", times=None), ["could not be read"], 1),
    "html-with-200": (
        lambda stub: stub.answer_next("<html>ok</html>", content_type="text/html", times=None),
        ["could not be read"],
        1,
    ),
    "result-false": (
        lambda stub: stub.answer_next('{"Response": {"Result": false, "RequestId": "r1"}}', times=None),
        ["did not confirm"],
        1,
    ),
    "dropped-connection": (lambda stub: stub.drop_next(times=None), ["cannot reach"], 2),
    "wrong-session-token": (
        lambda stub: {
            "TENCENTCLOUD_SECRETID": stub.secret_id,
            "TENCENTCLOUD_SECRETKEY": stub.secret_key,
            "TENCENTCLOUD_SESSIONTOKEN": "an-expired-token",
        },
        ["AuthFailure.TokenFailure"],
        1,
    ),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_not_acknowledged(name, caplog):
    setup, words, requests = FAULTS[name]
    with TdmqStub(queues=["receipts"], token=TOKEN if name == "wrong-session-token" else None) as stub:
        changes = setup(stub) or {}
        app = app_for(env_for(stub, **changes))
        started = time.monotonic()
        handled = app.handle(EVENT)
        elapsed = time.monotonic() - started

        assert handled.reply.status == 503
        assert handled.response["result"] == codes.STORE_UNAVAILABLE != 0
        errmsg = handled.response["errmsg"]
        assert errmsg.startswith("cmq queue ")
        for word in words:
            assert word in errmsg
        assert_clean(errmsg, stub)
        for secret in secrets_of(stub):
            assert secret not in caplog.text
        assert stub.messages == [] and not any(r.accepted for r in stub.received)
        assert stub.arrived == requests  # transient faults are retried once, the others not
        assert elapsed < 2.0


def test_closed_port_is_unavailable_fast():
    with TdmqStub() as stub:
        env = env_for(stub, VOICE_RECEIPTS_TENCENT_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
        started = time.monotonic()
        handled = app_for(env).handle(EVENT)
        elapsed = time.monotonic() - started
    assert handled.reply.status == 503 and handled.response["result"] != 0
    assert "cannot reach the TDMQ endpoint" in handled.response["errmsg"]
    assert_clean(handled.response["errmsg"], stub)
    assert stub.arrived == 0 and elapsed < 2.0


def test_one_transient_fault_is_absorbed_by_the_retry(stub):
    stub.fail_next("RequestLimitExceeded")
    assert app_for(env_for(stub))(EVENT) == OK
    assert stub.arrived == 2 and len(stub.messages) == 1


def test_a_slow_answer_times_out_and_is_not_retried(stub, monkeypatch):
    monkeypatch.setattr(cmq_module, "READ_TIMEOUT_S", 0.3)
    stub.delay_next(5, then="drop", times=None)
    started = time.monotonic()
    handled = app_for(env_for(stub)).handle(EVENT)
    elapsed = time.monotonic() - started
    assert handled.reply.status == 503 and handled.response["result"] != 0
    assert "did not answer in time" in handled.response["errmsg"]
    assert_clean(handled.response["errmsg"], stub)
    assert stub.arrived == 1 and stub.messages == []  # timed out once, not retried
    assert elapsed < 4.0  # the stub holds the answer 5 s: we did not wait for it


def test_worst_case_with_the_default_timeouts_ends_well_inside_10_s(stub):
    """A fast transient failure, then an answer that never comes: the longest path there is."""
    stub.fail_next("InternalError")
    stub.delay_next(30, then="drop")
    started = time.monotonic()
    handled = app_for(env_for(stub)).handle(EVENT)
    elapsed = time.monotonic() - started
    assert handled.reply.status == 503 and "did not answer in time" in handled.reply.errmsg
    assert stub.arrived == 2 and stub.messages == []
    bound = cmq_module.RETRY_IF_FAILED_WITHIN_S + cmq_module.BACKOFF_S + cmq_module.READ_TIMEOUT_S
    assert cmq_module.READ_TIMEOUT_S <= elapsed < bound + 0.5 < 6.0


def test_store_raises_only_the_packages_own_error(stub):
    stub.fail_next("FailedOperation.CmqBackendError", times=None)
    store = open_store("cmq://receipts", load_settings(env_for(stub)))
    receipt = build_receipt(parse_callback(EVENT))
    with pytest.raises(StoreUnavailable) as caught:
        store.put(receipt)
    assert caught.value.message == "cmq queue 'receipts': FailedOperation.CmqBackendError"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# ----------------------------------------------------------------------------------------------
# the stub itself: other suites rely on it checking what Tencent checks


def test_stub_rejects_a_request_signed_for_another_body(stub):
    import urllib.request

    body = json.dumps({"QueueName": "receipts", "MsgContent": "x", "DelaySeconds": 0}).encode()
    headers = tc3_headers(stub.secret_id, stub.secret_key, host=stub.endpoint, body=body + b" ")
    request = urllib.request.Request(stub.url + "/", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - the local stub
        assert answer.headers["Content-Type"] == "application/json"
        payload = json.loads(answer.read())
    assert payload["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert stub.received[0].error == "AuthFailure.SignatureFailure" and stub.messages == []

    headers = tc3_headers(stub.secret_id, stub.secret_key, host=stub.endpoint, body=body)
    request = urllib.request.Request(stub.url + "/", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        assert json.loads(answer.read())["Response"]["Result"] is True
    assert [m.body for m in stub.messages] == ["x"]


# ----------------------------------------------------------------------------------------------
# cold start


def test_nothing_imports_the_cmq_backend_or_the_aws_sdk_unless_asked():
    code = (
        "import sys, voice_receipts.app, voice_receipts.stores, voice_receipts.config;"
        "assert 'voice_receipts.stores.cmq' not in sys.modules;"
        "assert not any(m.split('.')[0] == 'tencentcloud' for m in sys.modules);"
        "from voice_receipts.config import load_settings; from voice_receipts.stores import open_store;"
        "s = load_settings({'VOICE_RECEIPTS_STORE': 'cmq://receipts', 'VOICE_RECEIPTS_TENCENT_REGION': 'ap-guangzhou',"
        " 'TENCENTCLOUD_SECRET_ID': 'AKIDx', 'TENCENTCLOUD_SECRET_KEY': 'k'});"
        "open_store(s.store, s);"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'));"
        "assert not bad, bad;"
        # the CMQ store shares voice_receipts.tencent with the sender, and nothing else of it
        "bad = sorted(m for m in sys.modules if m.startswith(('tencentcloud.vms', 'voice_receipts.tools.send')));"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_an_error_code_with_nothing_safe_to_show_is_an_unknown_error():
    # the vendor's code is shown cut to safe characters; none left: the words say so, not ""
    assert (
        CMQStore("q", client=object())._explain(":-:", "whatever it echoed") == "cmq queue 'q': unknown error"
    )
