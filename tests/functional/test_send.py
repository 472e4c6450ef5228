"""send.py against the local VMS stub over loopback: the SDK signs, the stub checks, nothing reaches Tencent."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from tests.stubs import VmsStub
from voice_receipts import kinds
from voice_receipts.config import load_settings
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools import vms_api
from voice_receipts.tools.errors import (
    SendError,
    SendInvalid,
    SendNotRecorded,
    SendRateLimited,
    SendRefused,
    SendUnreachable,
)
from voice_receipts.tools.send import send_code, send_tts, sent_event_id
from voice_receipts.tools.vms_api import build_client

TO = "+8613711112222"
APPID = "1400006666"


@pytest.fixture
def stub():
    with VmsStub(appids=[APPID], templates={"1234": 2, "5678": 0}) as running:
        yield running


def env_for(stub: VmsStub, tmp_path, **changes: str | None) -> dict[str, str]:
    env: dict[str, str | None] = {**stub.sender_env(f"sqlite:///{tmp_path}/receipts.db", APPID)}
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


@pytest.fixture
def settings(stub, tmp_path):
    return load_settings(env_for(stub, tmp_path))


def stored(settings):
    with SQLiteStore(settings.store.target) as store:
        return {c: store.receipts(c) for c in store.callids()}


def assert_clean(message: str, stub: VmsStub) -> None:
    assert stub.secret_id not in message and stub.secret_key not in message
    assert "Traceback" not in message and len(message) < 400


# -- the endpoint is the stub, always ----------------------------------------------------------


def test_the_client_talks_to_the_stub_only(settings, stub):
    client = build_client(settings)
    assert client.profile.httpProfile.endpoint == stub.endpoint
    assert client._get_endpoint() == stub.endpoint and "tencentcloudapi" not in client._get_endpoint()
    assert client.region == "ap-guangzhou"


def test_without_the_override_the_real_endpoint_would_be_used(stub, tmp_path):
    """The control for the test above: the override is what moves the client off Tencent."""
    settings = load_settings(env_for(stub, tmp_path, VOICE_RECEIPTS_VMS_ENDPOINT=None))
    assert build_client(settings)._get_endpoint() == "vms.tencentcloudapi.com"  # built, never called


# -- success -----------------------------------------------------------------------------------


def test_a_code_is_sent_signed_and_recorded_without_the_code(settings, stub):
    sent = send_code(TO, "123456", context="login-7", play_times=3, settings=settings)

    [call] = stub.calls
    assert (call.action, call.called_number, call.code_message) == ("SendCodeVoice", TO, "123456")
    assert (call.appid, call.play_times, call.session_context) == (APPID, 3, "login-7")
    assert stub.received[0].signature_valid and stub.received[0].headers["X-TC-Region"] == "ap-guangzhou"
    assert sent.call_id == call.call_id and sent.context == "login-7" and sent.request_id

    [[record]] = stored(settings).values()
    assert record == sent.recorded
    assert (record.callid, record.kind, record.event_id) == (
        call.call_id,
        kinds.SENT,
        sent_event_id(call.call_id),
    )
    assert (record.mobile, record.nationcode, record.phone) == ("13711112222", "86", TO)
    assert (record.message, record.template_id, record.play_times) == ("code", None, 3)
    assert (record.context, record.request_id) == ("login-7", sent.request_id)
    assert record.raw == {
        "SendStatus": {"CallId": call.call_id, "SessionContext": "login-7"},
        "RequestId": sent.request_id,
    }
    with open(settings.store.target, "rb") as db:
        assert b"123456" not in db.read()  # the code is never stored


def test_a_notification_with_its_parameters(settings, stub):
    sent = send_tts(TO, "1234", ["Alice", "42"], settings=settings)
    [call] = stub.calls
    assert (call.action, call.template_id, call.params, call.play_times) == (
        "SendTtsVoice",
        "1234",
        ("Alice", "42"),
        2,
    )
    assert sent.recorded.message == "tts" and sent.recorded.template_id == "1234"
    assert sent.recorded.context is None and call.session_context == ""


def test_a_template_without_parameters(settings, stub):
    send_tts(TO, "5678", [], settings=settings)
    assert stub.received[0].json["TemplateParamSet"] == []


def test_spaces_and_hyphens_in_the_number_are_dropped(settings, stub):
    send_code("+86 137-1111-2222", "1", settings=settings)
    assert stub.calls[0].called_number == TO


def test_the_sent_event_id_is_stable():
    assert sent_event_id("abc") == sent_event_id("abc") != sent_event_id("abd")
    assert sent_event_id("abc").startswith("sent-") and len(sent_event_id("abc")) == 37


# -- VMS refuses: each error class ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls", "exit_status", "words"),
    [
        ("LimitExceeded.DeliveryFrequencyLimit", SendRateLimited, 5, "1 call per 30 s"),
        ("RequestLimitExceeded", SendRateLimited, 5, "20 requests/s"),
        ("FailedOperation.TemplateIncorrectOrUnapproved", SendRefused, 4, "not approved"),
        ("FailedOperation.InsufficientBalanceInVoicePackage", SendRefused, 4, "voice package"),
        ("InvalidParameter", SendRefused, 4, "parameter is wrong"),
        ("InvalidParameterValue.CalledNumberVerifyFail", SendRefused, 4, "mainland China only"),
        ("UnauthorizedOperation.SdkAppidIsDisabled", SendRefused, 4, "disabled"),
        ("AuthFailure.SecretIdNotFound", SendRefused, 4, "TENCENTCLOUD_SECRET_ID"),
        ("InternalError", SendRefused, 4, "internal error"),
        ("InternalError.UpstreamError", SendRefused, 4, "RequestId"),
        ("FailedOperation.SomethingNew", SendRefused, 4, "the operation failed"),
    ],
)
def test_each_error_class_is_clear_and_nothing_is_recorded(settings, stub, code, cls, exit_status, words):
    stub.fail_next(code, f"a vendor message naming {TO}")
    with pytest.raises(SendError) as caught:
        send_code(TO, "123456", settings=settings)
    error = caught.value
    assert type(error) is cls and error.exit_status == exit_status
    assert error.code == code and error.request_id and error.request_id in error.message
    assert code in error.message and words in error.message
    assert TO not in error.message and "vendor message" not in error.message  # VMS's words stay out
    assert_clean(error.message, stub)
    assert stub.calls == [] and stored(settings) == {}


def test_the_real_per_number_rule_comes_back_as_rate_limited(settings, stub):
    stub.frequency = (1, 30.0)
    send_code(TO, "1", settings=settings)
    with pytest.raises(SendRateLimited) as caught:
        send_code(TO, "2", settings=settings)
    assert "LimitExceeded.DeliveryFrequencyLimit" in caught.value.message
    assert len(stored(settings)) == 1


def test_wrong_credentials_are_a_signature_failure_without_the_key(stub, tmp_path):
    settings = load_settings(env_for(stub, tmp_path, TENCENTCLOUD_SECRET_KEY="not-the-key-at-all"))
    with pytest.raises(SendRefused) as caught:
        send_code(TO, "1", settings=settings)
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert "not-the-key-at-all" not in caught.value.message


def test_an_unknown_app_id_is_refused_by_vms(stub, tmp_path):
    settings = load_settings(env_for(stub, tmp_path, VOICE_RECEIPTS_VMS_APPID="1400000001"))
    with pytest.raises(SendRefused) as caught:
        send_code(TO, "1", settings=settings)
    assert caught.value.code == "InvalidParameterValue.SdkAppidNotExist"
    assert "VOICE_RECEIPTS_VMS_APPID" in caught.value.message


# -- VMS cannot be reached -----------------------------------------------------------------------


def test_a_closed_port_is_unreachable_and_says_nothing_was_sent(stub, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    settings = load_settings(env_for(stub, tmp_path, VOICE_RECEIPTS_VMS_ENDPOINT=f"http://127.0.0.1:{port}"))
    started = time.monotonic()
    with pytest.raises(SendUnreachable) as caught:
        send_code(TO, "1", settings=settings)
    assert time.monotonic() - started < 2.0  # refused at once, not retried
    assert "nothing was sent" in caught.value.message and caught.value.exit_status == 6


def test_a_silent_vms_times_out_and_says_the_call_may_exist(settings, stub, monkeypatch):
    monkeypatch.setattr(vms_api, "READ_TIMEOUT_S", 0.3)
    stub.delay_next(2.0)
    with pytest.raises(SendUnreachable) as caught:
        send_code(TO, "1", settings=settings)
    assert "may have been placed" in caught.value.message
    assert stub.arrived == 1  # sent once: never retried, a retry could ring the phone twice


def test_an_answer_that_is_not_json(settings, stub):
    stub.answer_next("<html>bad gateway</html>", status=502, content_type="text/html")
    with pytest.raises(SendUnreachable):
        send_code(TO, "1", settings=settings)


# -- checked before sending: nothing reaches VMS ------------------------------------------------


@pytest.mark.parametrize(
    "to",
    [
        "+15551234567",
        "13711112222",
        "+86137111122223",
        "+861371111222",
        "+8612711112222",
        "+852 6123 4567",
        "",
    ],
)
def test_numbers_vms_cannot_call_are_refused_before_sending(settings, stub, to):
    with pytest.raises(SendInvalid) as caught:
        send_code(to, "1", settings=settings)
    assert "mainland China mobile" in caught.value.message and caught.value.exit_status == 3
    assert to == "" or to.replace(" ", "") not in caught.value.message  # the number is masked
    assert stub.arrived == 0


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s: send_code(TO, "12a4", settings=s), "digits"),
        (lambda s: send_code(TO, "", settings=s), "digits"),
        (lambda s: send_code(TO, "1" * 13, settings=s), "digits"),
        (lambda s: send_code(TO, "١٢٣", settings=s), "digits"),  # Arabic-Indic digits: isdigit() is True
        (lambda s: send_code(TO, "1", play_times=0, settings=s), "play times"),
        (lambda s: send_code(TO, "1", play_times=4, settings=s), "play times"),
        (lambda s: send_code(TO, "1", play_times="2", settings=s), "play times"),
        (lambda s: send_code(TO, "1", context="a\nb", settings=s), "context"),
        (lambda s: send_code(TO, "1", context="x" * 129, settings=s), "context"),
        (lambda s: send_code(TO, "1", context="", settings=s), "context"),
        (lambda s: send_tts(TO, "abc", [], settings=s), "template id"),
        (lambda s: send_tts(TO, "1234", ["x" * 351], settings=s), "350"),
        (lambda s: send_tts(TO, "1234", ["a", ""], settings=s), "empty"),
        (lambda s: send_tts(TO, "1234", ["a\x1b]52;"], settings=s), "control"),
    ],
)
def test_input_vms_would_refuse_is_refused_before_sending(settings, stub, call, words):
    with pytest.raises(SendInvalid) as caught:
        call(settings)
    assert words in caught.value.message
    assert stub.arrived == 0


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"VOICE_RECEIPTS_VMS_APPID": None}, "VOICE_RECEIPTS_VMS_APPID"),
        ({"VOICE_RECEIPTS_VMS_APPID": "app-1"}, "VOICE_RECEIPTS_VMS_APPID"),
        ({"TENCENTCLOUD_SECRET_ID": None, "TENCENTCLOUD_SECRET_KEY": None}, "no Tencent Cloud credentials"),
        ({"TENCENTCLOUD_SECRET_KEY": None}, "TENCENTCLOUD_SECRET_KEY is not set"),
        ({"VOICE_RECEIPTS_VMS_ENDPOINT": "ftp://127.0.0.1:1"}, "VOICE_RECEIPTS_VMS_ENDPOINT"),
        ({"VOICE_RECEIPTS_VMS_REGION": "Guangzhou"}, "VOICE_RECEIPTS_VMS_REGION"),
    ],
)
def test_configuration_errors_name_the_variable(stub, tmp_path, changes, words):
    settings = load_settings(env_for(stub, tmp_path, **changes))
    with pytest.raises(ConfigError) as caught:
        send_code(TO, "1", settings=settings)
    assert words in caught.value.message
    assert_clean(caught.value.message, stub)
    assert stub.arrived == 0


def test_scf_role_credentials_with_their_session_token(tmp_path):
    with VmsStub(appids=[APPID], token="role-session-token") as stub:
        env = env_for(stub, tmp_path, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)
        env.update(
            TENCENTCLOUD_SECRETID=stub.secret_id,
            TENCENTCLOUD_SECRETKEY=stub.secret_key,
            TENCENTCLOUD_SESSIONTOKEN="role-session-token",
        )
        send_code(TO, "1", settings=load_settings(env))
        assert stub.received[0].headers["X-TC-Token"] == "role-session-token" and len(stub.calls) == 1


# -- placed but not recorded ----------------------------------------------------------------------


class BrokenStore(SQLiteStore):
    def put(self, receipt):
        raise StoreUnavailable("sqlite store cannot write: disk I/O error")


def test_a_call_placed_but_not_recorded_says_so_with_its_callid(settings, stub, tmp_path):
    with BrokenStore(tmp_path / "broken.db") as store, pytest.raises(SendNotRecorded) as caught:
        send_code(TO, "1", context="order-9", settings=settings, store=store)
    [call] = stub.calls
    error = caught.value
    assert error.call_id == call.call_id and call.call_id in error.message
    assert "order-9" in error.message and "disk I/O error" in error.message
    assert error.exit_status == 7 and error.sent.recorded.callid == call.call_id


def test_a_store_that_cannot_open_stops_the_send_before_the_call(stub, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings = load_settings(
        env_for(stub, tmp_path, VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/a-file/r.db")
    )
    with pytest.raises(StoreUnavailable):
        send_code(TO, "1", settings=settings)
    assert stub.arrived == 0  # no call placed that could not be recorded


# -- the function never loads the sender -----------------------------------------------------------


def test_the_receiver_never_imports_the_sender_or_the_vms_sdk():
    code = (
        "import sys, handler;"
        "from voice_receipts.runtime import build_app; from voice_receipts.config import load_settings;"
        "app = build_app(load_settings({'VOICE_RECEIPTS_STORE': 'sqlite:///:memory:', 'VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE': 'true'}));"
        "app({'voicecode_callback': {'callid': 'c', 'result': '0', 'mobile': '1', 'nationcode': '86',"
        " 'call_from': '', 'accept_time': '1', 'start_calltime': '1', 'end_calltime': '2', 'fee': '1'}});"
        "bad = sorted(m for m in sys.modules if m.startswith(('tencentcloud.vms', 'voice_receipts.tools.send',"
        " 'voice_receipts.tools.vms_api', 'voice_receipts.tools.vms_codes', 'voice_receipts.tools.cli')));"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
