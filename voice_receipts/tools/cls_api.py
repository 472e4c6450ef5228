"""The CLS API 3.0 (tencentcloud-sdk-python-cls): one client, one request per call, its errors as ours.

Requests are built as the SDK's own request models from plain dicts, so a field CLS does not know
is caught here (the SDK's models list every field), and answers come back as plain dicts.
Imported by `alarms apply` only: the function never loads the CLS SDK (requirements-tools.txt).
"""

from __future__ import annotations

import json
from typing import Any

from tencentcloud.cls.v20201016 import cls_client, models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from voice_receipts import tencent
from voice_receipts.config import CLS_ENDPOINT, Settings
from voice_receipts.display import printable
from voice_receipts.errors import ConfigError
from voice_receipts.tools.errors import (
    ApplyDenied,
    ApplyError,
    ApplyNotFound,
    ApplyRefused,
    ApplyUnreachable,
)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0  # a Describe of 100 policies answers in well under that
ACTIONS: tuple[str, ...] = ("DescribeIndex", "CreateIndex", "ModifyIndex", "DescribeAlarms", "CreateAlarm")
ACTIONS += ("ModifyAlarm", "DescribeAlarmNotices")
PERMISSIONS = "cls:" + ", cls:".join(ACTIONS)

# CLS's error codes (the SDK's errorcodes.py) -> ours: the longest matching prefix wins.
ERRORS: dict[str, tuple[type[ApplyError], str]] = {
    "AuthFailure": (
        ApplyDenied,
        "the credentials were refused; check TENCENTCLOUD_SECRET_ID / _KEY (values not shown)",
    ),
    "UnauthorizedOperation": (ApplyDenied, f"these credentials may not do this; they need {PERMISSIONS}"),
    "OperationDenied": (ApplyDenied, "CLS denied the operation (account, topic or feature state)"),
    "ResourceNotFound": (ApplyNotFound, "not found in this region"),
    "ResourceNotFound.TopicNotExist": (
        ApplyNotFound,
        "no log topic with that id in this region (--topic-id, --region)",
    ),
    "ResourceNotFound.AlarmNoticeNotExist": (ApplyNotFound, "no notification group with that id"),
    "InvalidParameter": (ApplyRefused, "CLS refused a parameter"),
    "InvalidParameterValue": (ApplyRefused, "CLS refused a value"),
    "MissingParameter": (ApplyRefused, "CLS missed a parameter"),
    "UnknownParameter": (ApplyRefused, "CLS does not know a parameter (a newer SDK may be needed)"),
    "LimitExceeded": (ApplyRefused, "a CLS quota is reached"),
    "FailedOperation": (ApplyRefused, "CLS could not do it"),
    "UnsupportedOperation": (ApplyRefused, "CLS does not support this here"),
    "LimitExceeded.IndexOperating": (
        ApplyUnreachable,
        "the topic's index is being changed; run it again in a minute",
    ),
    "RequestLimitExceeded": (ApplyUnreachable, "CLS rate-limited the requests; run it again"),
    "InternalError": (ApplyUnreachable, "CLS had an internal error; run it again"),
}
TRANSPORT_WORDS = {  # tencent.transport_failure's kinds
    tencent.TIMED_OUT: f"CLS did not answer within {READ_TIMEOUT_S:g} s; run it again (it is safe)",
    tencent.UNREACHABLE: "cannot reach the CLS endpoint",
    tencent.HTTP_ERROR: "CLS answered with an HTTP error",
    tencent.UNREADABLE: "CLS's answer could not be read",
}


def build_client(settings: Settings, region: str) -> cls_client.ClsClient:
    """A ClsClient for the operator's credentials, in `region`, at the endpoint override if any."""
    if not tencent.is_region(region):
        raise ConfigError(
            f"--region must be a Tencent Cloud region such as ap-guangzhou, got {printable(region)}"
        )
    credential = tencent.credential_from(settings.tencent_credentials, "alarms apply", PERMISSIONS)
    profile = tencent.client_profile(
        settings.cls_endpoint,
        CLS_ENDPOINT,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        read_timeout_s=READ_TIMEOUT_S,
    )
    return cls_client.ClsClient(credential, region, profile)


def request(action: str, params: dict[str, Any]) -> Any:
    """The SDK's request model for `action`, filled from `params`; a field it lacks is our bug."""
    model = getattr(models, f"{action}Request")()
    unknown = sorted(set(params) - {name.lstrip("_") for name in vars(model)})
    if unknown:
        raise ValueError(f"{action} has no field {', '.join(unknown)}")
    model._deserialize(json.loads(json.dumps(params)))  # the SDK's own decoder, nested models too
    return model


def call(client: Any, action: str, params: dict[str, Any], what: str) -> dict[str, Any]:
    """One CLS request; its answer as a dict. `what` names the resource in any error."""
    try:
        response = getattr(client, action)(request(action, params))
    except TencentCloudSDKException as exc:
        raise failure(
            exc.get_code() or "", str(exc.get_message() or ""), exc.get_request_id(), what
        ) from None
    return json.loads(response.to_json_string())


def failure(code: str, message: str, request_id: str | None, what: str) -> ApplyError:
    transport = tencent.transport_failure(code, message)
    if transport:
        return ApplyUnreachable(f"{what}: {TRANSPORT_WORDS[transport]}")
    safe = tencent.safe_code(code) or "UnknownError"
    match = max(
        (prefix for prefix in ERRORS if safe == prefix or safe.startswith(prefix + ".")),
        key=len,
        default=None,
    )
    kind, words = ERRORS[match] if match else (ApplyError, "CLS refused")
    where = f" (RequestId {printable(request_id)})" if request_id else ""
    # never CLS's message: it may echo the request back; the code and our words say enough
    return kind(f"{what}: {words} ({safe}){where}", safe, request_id)
