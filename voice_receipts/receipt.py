"""The normalised Receipt: one record per callback, the same for every store."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import MISSING, dataclass, field
from typing import Any

from voice_receipts import kinds, phones, states
from voice_receipts.callbacks import ParsedCallback, load_json
from voice_receipts.errors import BadMessage, NotJSON
from voice_receipts.kinds import kind_of
from voice_receipts.times import utc_now


@dataclass(frozen=True)
class Receipt:
    """One receipt as every store keeps it: the callback's fields, normalised, and how it came."""

    callid: str
    kind: str  # sent, voicecode, voiceprompt, voicekey, voice_failure
    event_id: str
    received_at: str
    mobile: str | None = None
    nationcode: str | None = None
    call_from: str | None = None
    # status kinds
    # what the status means: answered / unanswered / call_error / undocumented (states.py derives it)
    status: str | None = None
    started_at: str | None = None
    accepted_at: str | None = None
    ended_at: str | None = None
    fee_minutes: int | None = None
    # voicekey
    keypress: str | None = None
    # voice_failure
    failure_code: int | None = None
    failure_reason: str | None = None
    failure_text: str | None = None  # the spec's text for failure_code, None when undocumented
    # sent (send.py): our record of a send; received_at is the moment VMS accepted it
    message: str | None = None  # "code" (SendCodeVoice) or "tts" (SendTtsVoice); never the code
    template_id: str | None = None
    play_times: int | None = None
    context: str | None = None  # the business's id, sent as SessionContext
    request_id: str | None = None  # VMS's RequestId, for Tencent support
    # status kinds: `result` exactly as VMS sent it ("0", " 1", "7"...), kept apart from its meaning
    result: str | None = None
    # the callback object exactly as it came; for `sent`, VMS's answer (SendStatus and RequestId)
    raw: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property  # read by every store's put, more than once: normalise once
    def phone(self) -> str | None:
        """+<nationcode><mobile>: how one number is looked up across calls."""
        return phones.of_receipt(self.mobile, self.nationcode)

    @property
    def call_at(self) -> str:
        """When the call happened as this receipt knows it: the start VMS reported, else when
        the receipt arrived. Every store indexes it: `--since`, listings and report days use it,
        so a replayed archive lands on its own days."""
        return self.started_at or self.received_at

    def to_dict(self) -> dict[str, Any]:
        # not dataclasses.asdict: it deep-copies `raw` and was 60 us of a ~130 us warm path
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["raw"] = dict(self.raw)
        return data

    def to_json(self) -> str:
        # ensure_ascii: every character of a queue message is then in SQS's allowed set (U+FFFF in
        # an unknown field becomes \uffff) and its size in bytes is its length (docs/limits.md)
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        names = cls.__dataclass_fields__
        values = {k: v for k, v in data.items() if k in names}
        if values.get("kind") in kinds.STATUS_KINDS and values.get("result") is None:
            # stored before `result` was kept apart: status held the word, or the raw value
            values["result"] = states.result_of_status(values.get("status"))
            values["status"] = states.status_of_result(values["result"])
        return cls(**values)

    @classmethod
    def from_message(cls, body: str | bytes) -> Receipt:
        """The receipt in a queue message: an SQS body or a CMQ msgBody, i.e. to_json()'s text.

        Raises BadMessage for anything else, so a consumer can tell a poison message (send it to
        the dead-letter queue) from its own failure (retry). Fields it does not know are dropped:
        a newer producer may add some.
        """
        data = _message_fields(body, cls.__dataclass_fields__)
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError) as exc:  # a check the dataclass itself makes, if it gains one
            # pragma: no mutate block (unreachable today: _message_fields checked every type)
            raise BadMessage(f"the message is not a receipt: {type(exc).__name__}") from None


# A queue can hold any text, and any bytes on CMQ: every one of them must end as a Receipt or as
# BadMessage, never as another exception (RecursionError, TypeError...) that would fail a whole
# SQS batch or end the CMQ loop. The types come from the dataclass's own annotations, so a field
# added to Receipt is checked too; an annotation naming a type not listed here fails closed.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "dict": (dict,),
    "None": (type(None),),
}
_INT_BOUND = 2**63  # every store can keep an integer below this (SQLite's, DynamoDB's 38 digits)


def _message_fields(body: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The receipt fields of a queue message, each of its annotated type, or BadMessage."""
    if not isinstance(body, (str, bytes, bytearray)):
        raise BadMessage(f"the message is {type(body).__name__}, not text")
    if isinstance(body, str):
        try:  # a lone surrogate in text decoded with surrogateescape: the parser would TypeError
            body = body.encode("utf-8")  # pragma: no mutate (codec names ignore case)
        except UnicodeEncodeError:
            raise BadMessage("the message is not UTF-8 text") from None
    try:
        # the receiver's own parser: UTF-8 only, a nesting limit (the same one every stored body
        # passed, so no receipt is refused), no NaN or infinity, no lone surrogates
        data = load_json(bytes(body))
    except NotJSON as exc:
        detail = exc.message.split(": ", 1)[-1]  # pragma: no mutate (the message holds one ": ")
        raise BadMessage("the message is not JSON: " + detail) from None
    if not isinstance(data, dict):
        raise BadMessage("the message is not a JSON object")
    for name, spec in fields.items():
        required = spec.default is MISSING and spec.default_factory is MISSING
        if name not in data:
            if required:
                raise BadMessage(f"the message has no {name!r}: not a voice receipt")
            continue
        value = data[name]
        if not isinstance(value, _annotated_types(spec.type)) or isinstance(value, bool):
            if required:
                raise BadMessage(f"the message has no {name!r}: not a voice receipt")
            raise BadMessage(f"the message's {name!r} is not of type {spec.type}")
        if required and not value:
            raise BadMessage(f"the message has no {name!r}: not a voice receipt")
        if isinstance(value, int) and not -_INT_BOUND < value < _INT_BOUND:
            raise BadMessage(f"the message's {name!r} is out of range")
    return data


@functools.lru_cache(maxsize=64)  # one entry per annotation: a consumer checks every message
def _annotated_types(annotation: Any) -> tuple[type, ...]:
    """`str | None` -> (str, NoneType); `dict[str, Any]` -> (dict,). Unknown names match nothing."""
    names = [part.strip().split("[", 1)[0] for part in str(annotation).split("|")]
    return tuple(t for name in names for t in _TYPES.get(name, ()))


def event_id(key: str, raw: dict[str, Any]) -> str:
    """Same kind + same content -> same id, so a redelivery is recognised wherever it lands.

    Two key presses of one call differ in `keypress` and get different ids. Two presses of the
    same key carry identical bodies (the spec gives them no sequence number) and count as one.
    """
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"{key}\n{canonical}".encode(errors="surrogatepass")).hexdigest()
    return f"{kind_of(key)}-{digest[:32]}"


def build_receipt(parsed: ParsedCallback, received_at: str | None = None) -> Receipt:
    """The normalised record of a parsed callback: the shared fields, then the kind's own."""
    values = parsed.values
    return Receipt(
        callid=values["callid"],
        kind=parsed.kind,
        event_id=event_id(parsed.key, parsed.raw),
        received_at=received_at or utc_now(),
        mobile=values["mobile"],
        nationcode=values["nationcode"],
        call_from=values["call_from"],
        raw=parsed.raw,
        **parsed.callback.receipt_fields(values),
    )
