"""The VMS API's error codes as data, for `send` and `explain`. Never imported by the function.

API_ERRORS: the codes of API 3.0 (version 2020-09-02) -> (Chinese, English). The VMS codes and their
Chinese are those of tencentcloud/vms/v20200902/errorcodes.py (tencentcloud-sdk-python-vms 3.0.1459),
links left out; the English is ours. COMMON_ERRORS: the codes every Tencent API 3.0 answers, in
English as Tencent's "Common Error Codes" page words them.
LEGACY_TO_API: the spec's numeric send-error codes (codes.SEND_ERROR_CODES) -> the API 3.0 code
whose Chinese text is the same, and SEND_ERROR_CODES_EN their English.
"""

from __future__ import annotations

API_ERRORS: dict[str, tuple[str, str]] = {
    "FailedOperation.AccessUpstreamTimeout": (
        "访问上下游模块超时。",
        "a VMS module timed out reaching another; try again later",
    ),
    "FailedOperation.ContainSensitiveWord": (
        "语音内容中含有敏感词。",
        "the message contains a sensitive word; contact Tencent Cloud to resolve it",
    ),
    "FailedOperation.FailResolvePacket": (
        "后端请求包解析失败，通常由于没有遵守 API 接口说明规范导致的。",
        "VMS could not parse the request, usually because it does not follow the API's description",
    ),
    "FailedOperation.InsufficientBalanceInVoicePackage": (
        "套餐包余量不足，请及时购买语音套餐包。",
        "the voice package is used up; buy another voice package",
    ),
    "FailedOperation.InvalidJsonParameters": (
        "无效 JSON，请核查发送的请求是否为标准的 JSON 格式。",
        "the request is not valid JSON",
    ),
    "FailedOperation.InvalidParameters": (
        "无效参数，请核查发送的请求参数是否为对应 API 所需参数。",
        "a parameter is not what this API takes",
    ),
    "FailedOperation.JsonParseFail": ("解析请求包体时候失败。", "VMS failed to parse the request body"),
    "FailedOperation.ParametersOtherError": (
        "语音未知错误。",
        "unknown voice error; contact Tencent Cloud with the RequestId",
    ),
    "FailedOperation.PhonenumberUnappliedOrExpired": (
        "未申请号码或申请的号码资源已过期，请及时支付月功能费用和信息服务费用。",
        "no calling number applied for, or it has expired; pay its monthly and service fees",
    ),
    "FailedOperation.TemplateIncorrectOrUnapproved": (
        "模板未审核或请求的内容与审核通过的模板内容不匹配。",
        "the template is not approved, or the parameters do not match the approved template",
    ),
    "InternalError.AccessUpstreamTimeout": (
        "访问上游超时网络，请稍后重试。",
        "VMS timed out reaching its upstream network; try again later",
    ),
    "InternalError.RequestTimeException": (
        "请求发起时间不正常，通常由您的服务器与腾讯云服务器之间的时间差超过10分钟引起。",
        "the request's time is off, usually a clock more than 10 minutes away from Tencent's",
    ),
    "InternalError.RestApiInterfaceNotExist": (
        "后端不存在该 REST API 接口，请核查 REST API 接口说明。",
        "no such REST API interface",
    ),
    "InternalError.SigVerificationFail": ("后端 Sig 校验失败。", "VMS's back end failed to verify the sig"),
    "InternalError.SsoSendRecvFail": ("内部sso通道超时。", "an internal SSO channel timed out"),
    "InternalError.UpstreamError": (
        "语音上游错误。",
        "voice upstream error; contact Tencent Cloud with the RequestId",
    ),
    "InvalidParameterValue.CalledNumberVerifyFail": (
        "被叫手机号码格式校验失败。",
        "the called number is not a valid mobile number (E.164, mainland China only)",
    ),
    "InvalidParameterValue.ContentLengthLimit": (
        "语音模板中单个变量长度超过限制。",
        "a template parameter is longer than allowed",
    ),
    "InvalidParameterValue.SdkAppidNotExist": (
        "SDK AppID 不存在。",
        "no such SDK AppID: check VOICE_RECEIPTS_VMS_APPID against the VMS console",
    ),
    "LimitExceeded.DeliveryFrequencyLimit": (
        "下发语音消息时命中频率限制策略。",
        "frequency limit hit for this number (by default 1 call per 30 s, 2 per 10 min (3 for"
        " notifications), 3 a day (5), 1 between 22:00 and 08:00); wait, or ask Tencent for a"
        " test number without limits",
    ),
    "UnauthorizedOperation.SdkAppidIsDisabled": (
        "SDK AppID 禁用发送语音消息。",
        "this SDK AppID is disabled for voice messages",
    ),
    "UnauthorizedOperation.ServiceSuspendDueToArrears": (
        "因腾讯云账号欠费被停止服务。",
        "service suspended: the Tencent Cloud account is in arrears",
    ),
    "UnauthorizedOperation.VoiceSdkAppidVerifyFail": (
        "VoiceSdkAppid 校验失败。",
        "VoiceSdkAppid verification failed: the app id does not belong to these credentials",
    ),
    "UnsupportedOperation": ("操作不支持。", "operation not supported"),
}

COMMON_ERRORS: dict[str, str] = {
    "ActionOffline": "this API has been deprecated",
    "AuthFailure.InvalidAuthorization": "the Authorization header is invalid",
    "AuthFailure.InvalidSecretId": "invalid key (not a Tencent Cloud API key)",
    "AuthFailure.MFAFailure": "MFA failed",
    "AuthFailure.SecretIdNotFound": "the SecretId does not exist, or was deleted or disabled",
    "AuthFailure.SignatureExpire": "signature expired: this machine's clock is more than 5 minutes off",
    "AuthFailure.SignatureFailure": "invalid signature: check the SecretKey",
    "AuthFailure.TokenFailure": "the session token is wrong or expired",
    "AuthFailure.UnauthorizedOperation": "the credentials are not allowed this action (CAM policy)",
    "FailedOperation": "the operation failed",
    "InternalError": "internal error at Tencent Cloud",
    "InvalidAction": "no such API action",
    "InvalidParameter": "a parameter is wrong",
    "InvalidParameterValue": "a parameter's value is wrong",
    "InvalidRequest": "the request body is malformed",
    "IpInBlacklist": "this IP address is in the blocklist",
    "IpNotInWhitelist": "this IP address is not in the allowlist",
    "LimitExceeded": "quota limit exceeded",
    "MissingParameter": "a required parameter is missing",
    "NoSuchProduct": "no such product",
    "NoSuchVersion": "no such API version",
    "RequestLimitExceeded": "too many requests: the API's frequency limit (VMS: 20 requests/s)",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded": "too many requests from this account",
    "RequestLimitExceeded.IPLimitExceeded": "too many requests from this IP address",
    "RequestLimitExceeded.UinLimitExceeded": "too many requests from this account",
    "RequestSizeLimitExceeded": "the request is too large",
    "ResourceNotFound": "the resource does not exist",
    "ResourceUnavailable": "the resource is unavailable",
    "ServiceUnavailable": "the service is unavailable now",
    "UnauthorizedOperation": "not authorised",
    "UnknownParameter": "unknown parameter",
    "UnsupportedProtocol": "HTTP(S) method or protocol not supported",
    "UnsupportedRegion": "the API does not support this region (VMS: ap-guangzhou)",
}

LEGACY_TO_API: dict[int, str] = {
    10001: "InternalError.SigVerificationFail",
    10002: "FailedOperation.ContainSensitiveWord",
    10004: "FailedOperation.FailResolvePacket",
    10011: "InternalError.RestApiInterfaceNotExist",
    10013: "LimitExceeded.DeliveryFrequencyLimit",
    10014: "FailedOperation.TemplateIncorrectOrUnapproved",
    10019: "InvalidParameterValue.SdkAppidNotExist",
    1020: "UnauthorizedOperation.SdkAppidIsDisabled",
    1021: "InternalError.RequestTimeException",
    1030: "UnsupportedOperation",
    1031: "FailedOperation.InsufficientBalanceInVoicePackage",
    1033: "UnauthorizedOperation.ServiceSuspendDueToArrears",
    1036: "InvalidParameterValue.ContentLengthLimit",
    3001: "FailedOperation.ParametersOtherError",
    3002: "InternalError.UpstreamError",
    3003: "FailedOperation.InvalidJsonParameters",
    3004: "FailedOperation.InvalidParameters",
    3011: "InternalError.AccessUpstreamTimeout",
    3014: "FailedOperation.PhonenumberUnappliedOrExpired",
}

SEND_ERROR_CODES_EN: dict[int, str] = {
    10001: "sig verification failed",
    10002: "the voice content contains a sensitive word",
    10004: "the request could not be parsed, usually because it does not follow the API's description",
    10011: "no such REST API interface",
    10013: "a frequency limit was hit while sending the voice message",
    10014: "the template is not approved, or the content does not match the approved template",
    10019: "the SDK AppID does not exist",
    1020: "the SDK AppID is disabled for voice messages",
    1021: "the request's time is off, usually a clock more than 10 minutes from Tencent's servers",
    1030: "the request is not supported",
    1031: "the voice package is used up",
    1033: "service stopped: the Tencent Cloud account is in arrears",
    1036: "a template variable is longer than allowed",
    3001: "unknown voice error",
    3002: "voice upstream error",
    3003: "invalid JSON",
    3004: "invalid parameter",
    3011: "timed out reaching the upstream network",
    3014: "no number applied for, or the number resource has expired",
}


def api_error_text(code: str) -> str | None:
    """English for an API 3.0 error code: its own entry, else the common code it refines
    ("LimitExceeded.Whatever" -> "LimitExceeded"); None when unknown."""
    if code in API_ERRORS:
        return API_ERRORS[code][1]
    if code in COMMON_ERRORS:
        return COMMON_ERRORS[code]
    family = code.split(".", 1)[0]
    return COMMON_ERRORS.get(family)


def is_rate_limit(code: str) -> bool:
    return code.startswith(("LimitExceeded", "RequestLimitExceeded"))
