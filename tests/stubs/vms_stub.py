"""A local stand-in for Tencent Cloud's VMS API 3.0 (service vms, version 2020-09-02): SendCodeVoice
and SendTtsVoice, for the sender's tests. No call is placed anywhere.

The gateway's checks (signature, clock, token, version) come from tencent_api.TencentApiStub; this
module checks what the VMS API checks (field names and types as tencentcloud/vms/v20200902/models.py
declares them) and answers with the error codes of tencentcloud/vms/v20200902/errorcodes.py:

    with VmsStub(appids=["1400006666"], templates={"1234": 2}) as stub:
        ...HttpProfile(endpoint=stub.endpoint, protocol="http")...
        stub.fail_next("LimitExceeded.DeliveryFrequencyLimit")   # any code, scripted per test
        stub.frequency = (1, 30.0)   # or the real rule: 1 call per number per 30 s
        ...
        assert stub.calls[0].called_number == "+8613711112222"
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from tests.stubs.tencent_api import StubError, TencentApiStub
from tests.stubs.tencent_api import tc3_headers as _tc3_headers

SERVICE = "vms"
VERSION = "2020-09-02"
SEND_CODE, SEND_TTS = "SendCodeVoice", "SendTtsVoice"
MAINLAND_MOBILE = re.compile(r"\+861[3-9][0-9]{9}")
MAX_CONTENT_CHARS = 350  # "语音消息的内容长度不超过350字" (SendTtsVoiceRequest.TemplateParamSet)


@dataclass(frozen=True)
class SentCall:
    """A send the stub accepted: what a real VMS would now dial."""

    action: str
    called_number: str
    appid: str
    call_id: str
    session_context: str
    play_times: int | None
    code_message: str | None = None  # SendCodeVoice
    template_id: str | None = None  # SendTtsVoice
    params: tuple[str, ...] = ()
    at: float = 0.0


def tc3_headers(secret_id: str, secret_key: str, *, host: str, body: bytes, action: str, **kw):
    """Signed headers of a VMS request, for tests that talk to the stub without the SDK."""
    return _tc3_headers(
        secret_id, secret_key, host=host, body=body, service=SERVICE, action=action, version=VERSION, **kw
    )


class VmsStub(TencentApiStub):
    SERVICE = SERVICE
    VERSION = VERSION
    ACTIONS = frozenset({SEND_CODE, SEND_TTS})

    def __init__(
        self,
        *,
        appids: tuple[str, ...] | list[str] = ("1400006666",),
        templates: dict[str, int] | None = None,
        frequency: tuple[int, float] | None = None,
        **options,
    ) -> None:
        """`templates`: approved template id -> its number of parameters. `frequency`: (n, seconds),
        at most n accepted calls per number within that many seconds, else LimitExceeded."""
        super().__init__(**options)
        self.appids = set(appids)
        self.templates = dict(templates if templates is not None else {"1234": 2})
        self.frequency = frequency
        self._calls: list[SentCall] = []

    def sender_env(self, store: str, appid: str) -> dict[str, str]:
        """What `send` needs to call this stub: the store, the app id, the endpoint, the keys."""
        return {
            "VOICE_RECEIPTS_STORE": store,
            "VOICE_RECEIPTS_VMS_APPID": appid,
            "VOICE_RECEIPTS_VMS_ENDPOINT": self.url,
            "TENCENTCLOUD_SECRET_ID": self.secret_id,
            "TENCENTCLOUD_SECRET_KEY": self.secret_key,
        }

    @property
    def calls(self) -> list[SentCall]:
        with self._lock:
            return list(self._calls)

    def _forget(self) -> None:
        self._calls.clear()

    def _answer(self, action: str, params: dict) -> tuple[dict, str]:
        required = ["CalledNumber", "VoiceSdkAppid"]
        required.append("CodeMessage" if action == SEND_CODE else "TemplateId")
        for name in required:
            if name not in params:
                raise StubError("MissingParameter", f"the parameter {name} is missing")
        for name in (*required, "SessionContext"):
            if name in params and not isinstance(params[name], str):
                raise StubError("InvalidParameter", f"{name} must be a String")
        if params["VoiceSdkAppid"] not in self.appids:
            raise StubError("InvalidParameterValue.SdkAppidNotExist", "SDK AppID 不存在")
        number = params["CalledNumber"]
        if not MAINLAND_MOBILE.fullmatch(number):
            raise StubError("InvalidParameterValue.CalledNumberVerifyFail", "被叫手机号码格式校验失败")
        play_times = params.get("PlayTimes")
        if play_times is not None and (type(play_times) is not int or not 1 <= play_times <= 3):
            raise StubError("InvalidParameterValue", "PlayTimes must be 1, 2 or 3")
        template_params: tuple[str, ...] = ()
        if action == SEND_CODE:
            if not params["CodeMessage"].isascii() or not params["CodeMessage"].isdigit():
                raise StubError("FailedOperation.InvalidParameters", "CodeMessage must be digits")
        else:
            template_params = self._check_template(params)
        context = params.get("SessionContext") or ""
        with self._lock:
            self._check_frequency(number)
            call = SentCall(
                action=action,
                called_number=number,
                appid=params["VoiceSdkAppid"],
                call_id=str(uuid.uuid4()),
                session_context=context,
                play_times=play_times,
                code_message=params.get("CodeMessage"),
                template_id=params.get("TemplateId"),
                params=template_params,
                at=time.monotonic(),
            )
            self._calls.append(call)
        # SessionContext comes back as it was sent (models.SendStatus)
        return {"SendStatus": {"CallId": call.call_id, "SessionContext": context}}, call.call_id

    def _check_template(self, params: dict) -> tuple[str, ...]:
        values = params.get("TemplateParamSet", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise StubError("InvalidParameter", "TemplateParamSet must be an Array of String")
        wanted = self.templates.get(params["TemplateId"])
        if wanted is None or wanted != len(values):
            raise StubError(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "模板未审核或请求的内容与审核通过的模板内容不匹配",
            )
        if sum(len(v) for v in values) > MAX_CONTENT_CHARS:
            raise StubError("InvalidParameterValue.ContentLengthLimit", "语音模板中单个变量长度超过限制")
        return tuple(values)

    def _check_frequency(self, number: str) -> None:
        if self.frequency is None:
            return
        most, window = self.frequency
        now = time.monotonic()
        recent = [c for c in self._calls if c.called_number == number and now - c.at < window]
        if len(recent) >= most:
            raise StubError("LimitExceeded.DeliveryFrequencyLimit", "下发语音消息时命中频率限制策略")
