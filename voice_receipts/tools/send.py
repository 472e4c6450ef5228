"""Send voice codes and notifications through the VMS API 3.0 and record each send as a `sent` receipt.

    sent = send_code("+8613711112222", "123456", context="order-42", settings=load_settings())
    sent.call_id   # the `callid` every receipt of this call will carry

The send runs under the operator's credentials (the environment, as the Tencent SDKs read it), not
the function's role: the receiver never sends, and never imports this module or the VMS SDK. The
SDK (tencentcloud-sdk-python-vms, requirements-tools.txt) is loaded with vms_api.py, when a send
has passed its checks.

A send is never retried here: VMS may have placed a call whose answer was lost, and a retry would
ring the phone twice. Errors are the package's SendError family (errors.py), with VMS's error code
and RequestId, never its message or a credential.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voice_receipts import kinds, lookups
from voice_receipts.config import VMS_APPID, Settings
from voice_receipts.display import mask_phone, printable
from voice_receipts.errors import ConfigError, VoiceReceiptsError
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store
from voice_receipts.times import utc_now
from voice_receipts.tools.errors import SendInvalid, SendNotRecorded, SendUnreachable

CODE, TTS = "code", "tts"  # Receipt.message of a `sent` record (kinds.SENT_MESSAGES)

# VMS calls mainland China mobile numbers only: +86, then 11 digits starting 1[3-9]. ASCII digits
# only ([0-9], never \d: "١٣٨..." would pass "checked before sending" and never match a receipt),
# and fullmatch, never `$`, which also matches before a trailing newline
MAINLAND_MOBILE = re.compile(r"\+86(1[3-9][0-9]{9})")
MAX_CODE_DIGITS = 12  # ours: VMS documents "digits only" and no length; a longer code is a mistake
PLAY_TIMES = range(1, 4)  # "最多3次，默认2次"
MAX_TEMPLATE_ID_DIGITS = 20  # ours: console template ids are short numbers
MAX_CONTENT_CHARS = 350  # "语音消息的内容长度不超过350字": the parameters alone cannot exceed it
# ours, and what a lookup takes (lookups.py): the context becomes an index key and `show` prints it
MAX_CONTEXT_CHARS = lookups.MAX_CONTEXT
# A context's characters, defined positively (docs/sending.md): printable ASCII, or beyond ASCII a
# letter, mark, number, punctuation or symbol. So never a control (NEL), a format character (bidi
# controls, zero-width ones), a line or paragraph separator, a space other than ASCII's, a
# surrogate, private use or unassigned: what `show --context` is typed with must match it.
CONTEXT_CATEGORIES = frozenset("LMNPS")
APPID = re.compile(r"[0-9]{5,20}")  # "示例如1400006666"


@dataclass(frozen=True)
class Sent:
    """A call VMS accepted. `recorded` is the `sent` receipt as stored."""

    call_id: str
    request_id: str | None
    context: str | None
    recorded: Receipt


def send_code(
    to: str,
    code: str,
    *,
    play_times: int = 2,
    context: str | None = None,
    settings: Settings,
    client: Any = None,
    store: Store | None = None,
) -> Sent:
    """Call `to` and read out `code` ("您的验证码是…"). The code is sent, never stored or logged."""
    code = str(code)
    if not code.isascii() or not code.isdigit() or len(code) > MAX_CODE_DIGITS:
        raise SendInvalid(f"the code must be 1 to {MAX_CODE_DIGITS} digits (VMS reads out digits only)")
    fields = {"CodeMessage": code}
    return _send(CODE, to, fields, play_times, context, settings, client, store, template_id=None)


def send_tts(
    to: str,
    template_id: str,
    params: Sequence[str] = (),
    *,
    play_times: int = 2,
    context: str | None = None,
    settings: Settings,
    client: Any = None,
    store: Store | None = None,
) -> Sent:
    """Call `to` and read out the approved template `template_id` filled with `params`."""
    template_id = str(template_id)
    if not template_id.isascii() or not template_id.isdigit() or len(template_id) > MAX_TEMPLATE_ID_DIGITS:
        raise SendInvalid("the template id must be the digits the VMS console shows for an approved template")
    values = [str(p) for p in params]
    if sum(len(v) for v in values) > MAX_CONTENT_CHARS:
        raise SendInvalid(f"the template parameters are longer than VMS's {MAX_CONTENT_CHARS} characters")
    if any(not v or not v.isprintable() for v in values):
        raise SendInvalid("a template parameter is empty or holds control characters")
    fields = {"TemplateId": template_id, "TemplateParamSet": values}
    return _send(TTS, to, fields, play_times, context, settings, client, store, template_id=template_id)


def check_number(to: str) -> tuple[str, str]:
    """The (nationcode, mobile) of a number VMS can call: ("86", "13711112222") for
    "+8613711112222". Spaces and hyphens are dropped first."""
    number = re.sub(r"[ -]", "", str(to))
    found = MAINLAND_MOBILE.fullmatch(number)
    if not found:
        raise SendInvalid(
            f"{printable(mask_phone(number) or 'the number')} is not a mainland China mobile number: VMS"
            " calls only those, written +86 then the 11-digit number starting with 1"
        )
    return "86", found.group(1)


def is_context(context: str) -> bool:
    """Whether `context` is one a business may send and find again with `show --context`."""
    if not isinstance(context, str) or not 1 <= len(context) <= MAX_CONTEXT_CHARS:
        return False
    if context != context.strip(" "):  # typed again without the space, it would never match
        return False
    return all(
        " " <= ch <= "~" or (ch > "\x7f" and unicodedata.category(ch)[0] in CONTEXT_CATEGORIES)
        for ch in context
    )


def sent_event_id(call_id: str) -> str:
    """One `sent` record per call, whoever records it and however often."""
    return "sent-" + hashlib.sha256(call_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def sent_record(
    answer: dict[str, Any],
    *,
    message: str,
    phone: tuple[str, str],
    template_id: str | None,
    play_times: int,
    context: str | None,
    at: str | None = None,
) -> Receipt:
    """The `sent` receipt of VMS's answer ({"SendStatus": {"CallId", ...}, "RequestId"}): keyed by
    the CallId, numbered like a callback (nationcode, mobile), timed when VMS accepted the call."""
    call_id = answer["SendStatus"]["CallId"]
    nationcode, mobile = phone
    return Receipt(
        callid=call_id,
        kind=kinds.SENT,
        event_id=sent_event_id(call_id),
        received_at=at or utc_now(),
        mobile=mobile,
        nationcode=nationcode,
        message=message,
        template_id=template_id,
        play_times=play_times,
        context=context,
        request_id=answer.get("RequestId"),
        raw=answer,
    )


def _send(message, to, fields, play_times, context, settings, client, store, *, template_id) -> Sent:
    nationcode, mobile = check_number(to)
    if type(play_times) is not int or play_times not in PLAY_TIMES:
        raise SendInvalid("play times must be 1, 2 or 3")
    if context is not None and not is_context(context):
        raise SendInvalid(
            f"the context must be 1 to {MAX_CONTEXT_CHARS} characters on one line: printable ASCII,"
            " or letters, digits, punctuation and symbols, with no space at either end (docs/sending.md)"
        )
    appid = settings.vms_appid
    if not appid or not APPID.fullmatch(appid):
        raise ConfigError(f"{VMS_APPID} must be the SDK AppID of the VMS console's application (digits)")
    from voice_receipts.tools import vms_api  # the VMS SDK: loaded only once there is something to send

    client = client or vms_api.build_client(settings)
    # the store is opened before the call is placed: a store that cannot even open stops the send
    if store is None:
        from voice_receipts.stores import open_store

    opened = store if store is not None else open_store(settings.store, settings)
    try:
        answer = vms_api.call(
            message,
            client,
            fields,
            to=f"+{nationcode}{mobile}",
            appid=appid,
            play_times=play_times,
            context=context,
        )
        return _record(answer, opened, message, (nationcode, mobile), template_id, play_times, context)
    finally:
        if store is None:
            opened.close()


def _record(answer, store, message, phone, template_id, play_times, context) -> Sent:
    """Store the `sent` record; if that fails the call is already placed, so say so with its CallId."""
    status = answer.get("SendStatus") or {}
    call_id = status.get("CallId")
    if not isinstance(call_id, str) or not call_id:
        raise SendUnreachable(
            "VMS answered without a CallId: the call may have been placed; its receipts will tell"
        )
    receipt = sent_record(
        answer,
        message=message,
        phone=phone,
        template_id=template_id,
        play_times=play_times,
        context=context,
    )
    sent = Sent(call_id, receipt.request_id, context, receipt)
    try:
        store.put(receipt)
    except VoiceReceiptsError as exc:
        link = f" for context {printable(context)!r}" if context else ""
        raise SendNotRecorded(
            f"VMS placed the call (CallId {printable(call_id)}) but recording it failed: {exc.message}."
            f" Keep that CallId{link}: its receipts will carry it, the link to the context is"
            " only in this message",
            sent.call_id,
            sent,
        ) from None
    return sent
