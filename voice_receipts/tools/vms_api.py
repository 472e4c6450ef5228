"""The VMS API 3.0 itself (tencentcloud-sdk-python-vms): one client, one request, its errors as ours.

Imported by send.py only once a send has passed its checks: the function never loads it.
"""

from __future__ import annotations

from typing import Any

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.vms.v20200902 import models, vms_client

from voice_receipts import tencent
from voice_receipts.config import VMS_ENDPOINT, VMS_REGION, Settings
from voice_receipts.display import printable
from voice_receipts.errors import ConfigError
from voice_receipts.tencent import client_profile, credential_from
from voice_receipts.tools.errors import SendRateLimited, SendRefused, SendUnreachable
from voice_receipts.tools.vms_codes import api_error_text, is_rate_limit

ACTIONS = {"code": "SendCodeVoice", "tts": "SendTtsVoice"}  # by Receipt.message
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0  # a send answers in well under a second; longer is an outage
TRANSPORT_WORDS = {  # tencent.transport_failure's kinds: whether the call may have been placed
    tencent.TIMED_OUT: f"VMS did not answer within {READ_TIMEOUT_S:g} s: the call may have been placed;"
    " its receipts will tell (do not resend at once)",
    tencent.UNREACHABLE: "cannot reach the VMS endpoint: nothing was sent",
    tencent.HTTP_ERROR: "VMS answered with an HTTP error: nothing was sent",
    tencent.UNREADABLE: "VMS's answer could not be read: the call may have been placed",
}


def build_client(settings: Settings) -> Any:
    """A VmsClient for the operator's credentials, the app's region and the endpoint override."""
    credential = credential_from(
        settings.tencent_credentials, "send", "vms:SendCodeVoice and vms:SendTtsVoice"
    )
    profile = client_profile(
        settings.vms_endpoint,
        VMS_ENDPOINT,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        read_timeout_s=READ_TIMEOUT_S,
    )
    if not tencent.is_region(settings.vms_region):
        raise ConfigError(f"{VMS_REGION} must be a Tencent Cloud region such as ap-guangzhou")
    return vms_client.VmsClient(credential, settings.vms_region, profile)


def call(message, client, fields, *, to, appid, play_times, context) -> dict[str, Any]:
    """One request, VMS's answer as a dict; every SDK failure becomes a SendError."""
    request = models.SendCodeVoiceRequest() if message == "code" else models.SendTtsVoiceRequest()
    for name, value in {
        **fields,
        "CalledNumber": to,
        "VoiceSdkAppid": appid,
        "PlayTimes": play_times,
    }.items():
        setattr(request, name, value)
    if context is not None:
        request.SessionContext = context
    try:
        response = getattr(client, ACTIONS[message])(request)
    except TencentCloudSDKException as exc:
        raise failure(exc.get_code() or "", str(exc.get_message() or ""), exc.get_request_id()) from None
    return {
        "SendStatus": {
            "CallId": getattr(response.SendStatus, "CallId", None),
            "SessionContext": getattr(response.SendStatus, "SessionContext", None),
        },
        "RequestId": response.RequestId,
    }


def failure(code: str, message: str, request_id: str | None) -> Exception:
    transport = tencent.transport_failure(code, message)
    if transport:
        return SendUnreachable(TRANSPORT_WORDS[transport])
    safe = tencent.safe_code(code) or "UnknownError"
    where = f" (RequestId {printable(request_id)})" if request_id else ""
    text = api_error_text(safe) or "see `python -m voice_receipts explain CODE`"
    if is_rate_limit(safe):
        return SendRateLimited(f"VMS refused, rate-limited ({safe}): {text}{where}", safe, request_id)
    if safe.startswith("AuthFailure"):
        text += "; check TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (values not shown)"
    return SendRefused(f"VMS refused the call ({safe}): {text}{where}", safe, request_id)
