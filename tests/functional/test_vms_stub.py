"""The VMS stub itself: the sender's tests rely on it checking what VMS checks and answering as VMS does."""

from __future__ import annotations

import json
import urllib.request

import pytest
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vms.v20200902 import models, vms_client

from tests.stubs import VmsStub
from tests.stubs.vms_stub import tc3_headers


@pytest.fixture
def stub():
    with VmsStub(appids=["1400006666"], templates={"1234": 2}) as running:
        yield running


def client_for(stub: VmsStub, secret_key: str | None = None) -> vms_client.VmsClient:
    http = HttpProfile(endpoint=stub.endpoint, protocol="http", reqTimeout=5)
    credential = Credential(stub.secret_id, secret_key or stub.secret_key)
    return vms_client.VmsClient(credential, "ap-guangzhou", ClientProfile(httpProfile=http))


def code_request(**changes) -> models.SendCodeVoiceRequest:
    request = models.SendCodeVoiceRequest()
    fields = {"CodeMessage": "8253", "CalledNumber": "+8613788888888", "VoiceSdkAppid": "1400006666"}
    fields.update(changes)
    for name, value in fields.items():
        setattr(request, name, value)
    return request


def test_the_sdk_gets_a_callid_and_its_context_back(stub):
    answer = client_for(stub).SendCodeVoice(code_request(SessionContext="order-1", PlayTimes=2))
    [call] = stub.calls
    assert answer.SendStatus.CallId == call.call_id and answer.SendStatus.SessionContext == "order-1"
    assert answer.RequestId
    assert (call.action, call.code_message, call.play_times) == ("SendCodeVoice", "8253", 2)
    [request] = stub.received
    assert request.signature_valid and request.accepted and request.answer_id == call.call_id
    assert request.headers["X-TC-Version"] == "2020-09-02"
    assert "/vms/tc3_request" in request.headers["Authorization"]


def test_tts_with_its_template_parameters(stub):
    request = models.SendTtsVoiceRequest()
    request.TemplateId, request.TemplateParamSet = "1234", ["A", "B"]
    request.CalledNumber, request.VoiceSdkAppid = "+8613788888888", "1400006666"
    client_for(stub).SendTtsVoice(request)
    assert stub.calls[0].params == ("A", "B") and stub.calls[0].template_id == "1234"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"VoiceSdkAppid": "1400000000"}, "InvalidParameterValue.SdkAppidNotExist"),
        ({"CalledNumber": "+15551234567"}, "InvalidParameterValue.CalledNumberVerifyFail"),
        ({"CalledNumber": "13788888888"}, "InvalidParameterValue.CalledNumberVerifyFail"),
        ({"CodeMessage": "12a4"}, "FailedOperation.InvalidParameters"),
        ({"PlayTimes": 4}, "InvalidParameterValue"),
        ({"CodeMessage": None}, "MissingParameter"),
    ],
)
def test_it_refuses_what_vms_refuses(stub, changes, code):
    with pytest.raises(TencentCloudSDKException) as caught:
        client_for(stub).SendCodeVoice(code_request(**changes))
    assert caught.value.get_code() == code and stub.calls == []


def test_an_unapproved_template_or_wrong_parameter_count(stub):
    request = models.SendTtsVoiceRequest()
    request.TemplateId, request.TemplateParamSet = "1234", ["only one"]
    request.CalledNumber, request.VoiceSdkAppid = "+8613788888888", "1400006666"
    with pytest.raises(TencentCloudSDKException) as caught:
        client_for(stub).SendTtsVoice(request)
    assert caught.value.get_code() == "FailedOperation.TemplateIncorrectOrUnapproved"


def test_the_per_number_frequency_rule(stub):
    stub.frequency = (1, 30.0)
    client = client_for(stub)
    client.SendCodeVoice(code_request())
    with pytest.raises(TencentCloudSDKException) as caught:
        client.SendCodeVoice(code_request())
    assert caught.value.get_code() == "LimitExceeded.DeliveryFrequencyLimit"
    client.SendCodeVoice(code_request(CalledNumber="+8613788888889"))  # another number is fine
    assert len(stub.calls) == 2


def test_a_wrong_secret_key_is_a_signature_failure(stub):
    with pytest.raises(TencentCloudSDKException) as caught:
        client_for(stub, secret_key="not-the-key").SendCodeVoice(code_request())
    assert caught.value.get_code() == "AuthFailure.SignatureFailure" and stub.calls == []


def test_a_body_changed_after_signing_is_refused(stub):
    body = json.dumps({"CodeMessage": "1", "CalledNumber": "+8613788888888", "VoiceSdkAppid": "1400006666"})
    headers = tc3_headers(
        stub.secret_id, stub.secret_key, host=stub.endpoint, body=body.encode(), action="SendCodeVoice"
    )
    tampered = body.replace('"1"', '"2"').encode()
    request = urllib.request.Request(stub.url + "/", data=tampered, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - the local stub
        assert answer.headers["Content-Type"] == "application/json"
        payload = json.loads(answer.read())
    assert payload["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert stub.calls == []


def test_a_scripted_error_answers_once_then_the_stub_accepts_again(stub):
    stub.fail_next("InternalError.UpstreamError", "upstream")
    client = client_for(stub)
    with pytest.raises(TencentCloudSDKException) as caught:
        client.SendCodeVoice(code_request())
    assert caught.value.get_code() == "InternalError.UpstreamError"
    assert client.SendCodeVoice(code_request()).SendStatus.CallId == stub.calls[0].call_id
