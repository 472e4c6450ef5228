"""Codes as data: reply codes of this service, and the spec's failure and send-API error codes."""

from __future__ import annotations

# Reply `result` codes. 0 is the spec's success; the others are ours (the spec only says
# "non-zero on failure"), chosen so that the HTTP status can be read off the code.
OK = 0
INVALID_JSON = 4001
INVALID_CALLBACK = 4002
UNAUTHORIZED = 4010
FORBIDDEN = 4030
METHOD_NOT_ALLOWED = 4050
PAYLOAD_TOO_LARGE = 4130
INTERNAL = 5000
STORE_UNAVAILABLE = 5030

# The spec's words for each `result` (0表示用户正常接听 ...), and ours in English.
STATUS_TEXT = {
    "0": {"zh": "用户正常接听", "en": "the callee answered"},
    "1": {"zh": "用户未接听", "en": "the callee did not answer"},
    "2": {"zh": "呼叫异常", "en": "call error"},
}

# 推送回执相关错误码: failure_code -> failure_reason, as the spec lists them (14 and 21 are absent there).
FAILURE_CODES = {
    1: "关机",
    2: "通话中",
    3: "不在服务区",
    4: "您拨打的号码已欠费",
    5: "无人接听",
    6: "暂时无法接通",
    7: "停机",
    8: "空号",
    9: "电路正忙",
    10: "用户正忙",
    11: "其他原因",
    12: "呼叫受限，请勿越权使用",
    13: "您拨打的号码已暂停服务",
    15: "号码不存在",
    16: "来电提醒",
    17: "您拨打的号码已过期",
    18: "网络忙",
    19: "未开通语音通话功能",
    20: "无应答",
    22: "系统正忙",
    23: "加拨零",
    24: "您拨打的号码已改号",
    25: "未开通联通秘书服务",
    26: "来电助手",
    27: "暂时无法接通",
    28: "漏话提醒服务",
    29: "留言信箱",
    30: "您拨打的号码有误",
    31: "不在使用中，即您拨打的号码不在使用中",
}

# English for FAILURE_CODES, ours (the spec has only Chinese). Several codes are the words of an
# operator's announcement or a network service the call was diverted to (16, 25, 26, 28, 29).
FAILURE_CODES_EN = {
    1: "phone switched off",
    2: "busy on another call",
    3: "out of the service area",
    4: "the number's account is in arrears",
    5: "nobody answered",
    6: "temporarily unreachable",
    7: "line suspended",
    8: "number not assigned (no such subscriber)",
    9: "circuits busy",
    10: "user busy",
    11: "other reason",
    12: "call restricted: not authorised for this call",
    13: "the number's service is suspended",
    15: "number does not exist",
    16: "diverted to an incoming-call reminder service",
    17: "the number has expired",
    18: "network busy",
    19: "voice calling not enabled on the number",
    20: "no answer",
    22: "system busy",
    23: "dial with a leading zero",
    24: "the number has changed",
    25: "China Unicom secretary service not subscribed",
    26: "diverted to a call assistant service",
    27: "temporarily unreachable",
    28: "diverted to a missed-call reminder service",
    29: "diverted to voicemail",
    30: "the number dialled is wrong",
    31: "the number is not in use",
}

# 发送语音消息相关错误码 (the send API, not the callbacks): shipped so users can read codes they
# see in their own send logs. Transcribed as the spec prints them; its PDF table breaks some codes
# over several lines ("100 / 1 9" read as 10019, "1 0 2 0" as 1020).
SEND_ERROR_CODES = {
    10001: "sig 校验失败",
    10002: "语音内容中含有敏感词",
    10004: "请求包解析失败，通常由于没有遵守 API 接口说明规范导致的",
    10011: "不存在该 REST API 接口",
    10013: "下发语音消息时命中频率限制策略",
    10014: "模板未审核或请求的内容与审核通过的模板内容不匹配",
    10019: "SDK AppID 不存在",
    1020: "SDK AppID 禁用发送语音消息",
    1021: "请求发起时间不正常，通常由您的服务器与腾讯云服务器之间的时间差超过10分钟引起",
    1030: "不支持该请求",
    1031: "套餐包余量不足",
    1033: "因腾讯云账号欠费被停止服务",
    1036: "语音模板中单个变量长度超过限制",
    3001: "语音未知错误",
    3002: "语音上游错误",
    3003: "无效 JSON",
    3004: "无效参数",
    3011: "访问上游超时网络",
    3014: "未申请号码或申请的号码资源已过期",
}
