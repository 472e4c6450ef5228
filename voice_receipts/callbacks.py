"""The four callbacks of the spec as pydantic models, and the parser that finds which one a body is.

Strict where the spec is load-bearing (a non-empty callid; each kind's own key field), lenient where
real payloads drift: a documented field may come as a number or a string, times/fee/call_from may be
empty, unknown fields are kept, and an undocumented `result` or `failure_code` is accepted as it came.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import pydantic_core
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from voice_receipts import codes, kinds
from voice_receipts.errors import BadRequest, NotJSON
from voice_receipts.times import iso

KIND_NAME = re.compile(r"[a-z_]{1,40}")


def _text(value: Any) -> str | None:
    # bool is an int subclass; True is not a drifted "1", it is a wrong type
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    raise ValueError("must be a string or a number")


def _required_text(value: Any) -> str:
    text = _text(value)
    if text is None or not text.strip():
        raise ValueError("must not be empty")
    return text


MAX_CALLID = 256  # DynamoDB keys stop at 2 KB, SQS attributes refuse control characters: say so now
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _callid(value: Any) -> str:
    """A callid every store can key on; otherwise the store refuses it on every redelivery."""
    callid = _required_text(value)
    if len(callid) > MAX_CALLID:
        raise ValueError(f"must be at most {MAX_CALLID} characters")
    if _CONTROL.search(callid):
        raise ValueError("must not contain control characters")
    return callid


def _whole_number(value: Any) -> int | None:
    """Unix seconds, billed minutes and failure codes: a whole number, as a number or digits."""
    text = _text(value)
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 18:
        raise ValueError("must be a whole number")
    return int(text)


def _unix_time(value: Any) -> int | None:
    seconds = _whole_number(value)
    if seconds is not None and seconds < 0:
        raise ValueError("must be Unix seconds, not negative")
    # VMS sends 0 (or "") for a moment that never happened, e.g. accept_time of an unanswered call
    return seconds or None


def _required_code(value: Any) -> int:
    code = _whole_number(value)
    if code is None:
        raise ValueError("must not be empty")
    return code


CallId = Annotated[str, BeforeValidator(_callid)]
Text = Annotated[str | None, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_required_text)]
UnixTime = Annotated[int | None, BeforeValidator(_unix_time)]
Minutes = Annotated[int | None, BeforeValidator(_whole_number)]
Code = Annotated[int, BeforeValidator(_required_code)]


class Callback(BaseModel):
    """Fields every kind shares. Extra fields are kept: Tencent may add some at any time."""

    model_config = ConfigDict(extra="allow", frozen=True)
    KIND: ClassVar[str]

    callid: CallId
    mobile: Text = None
    nationcode: Text = None
    call_from: Text = None

    def receipt_fields(self) -> dict[str, Any]:
        """This kind's own fields of the normalised Receipt."""
        return {}


class StatusCallback(Callback):
    """voicecode_callback and voiceprompt_callback: how the call ended."""

    result: RequiredText
    start_calltime: UnixTime = None
    accept_time: UnixTime = None
    end_calltime: UnixTime = None
    fee: Minutes = None

    def receipt_fields(self) -> dict[str, Any]:
        return {
            "status": codes.CALL_STATUS.get(self.result.strip(), self.result),
            "started_at": iso(self.start_calltime),
            "accepted_at": iso(self.accept_time),
            "ended_at": iso(self.end_calltime),
            "fee_minutes": self.fee,
        }


class VoicecodeCallback(StatusCallback):
    KIND = kinds.VOICECODE


class VoicepromptCallback(StatusCallback):
    KIND = kinds.VOICEPROMPT


class KeypressCallback(Callback):
    """voicekey_callback: one key the callee pressed."""

    KIND = kinds.VOICEKEY
    keypress: RequiredText

    def receipt_fields(self) -> dict[str, Any]:
        return {"keypress": self.keypress}


class FailureCallback(Callback):
    """voice_failure_callback: why the call failed."""

    KIND = kinds.VOICE_FAILURE
    failure_code: Code
    failure_reason: Text = None

    def receipt_fields(self) -> dict[str, Any]:
        return {
            "failure_code": self.failure_code,
            "failure_reason": self.failure_reason,
            "failure_text": codes.FAILURE_CODES.get(self.failure_code),
        }


# The body's only key names the kind: "voicecode_callback" -> VoicecodeCallback.
MODELS: dict[str, type[Callback]] = {
    kinds.key_of(model.KIND): model
    for model in (VoicecodeCallback, VoicepromptCallback, KeypressCallback, FailureCallback)
}


@dataclass(frozen=True)
class ParsedCallback:
    """A body that passed validation: its key, the callback object exactly as it came, the model."""

    key: str
    raw: dict[str, Any]
    model: Callback

    @property
    def kind(self) -> str:
        return self.model.KIND


def load_json(body: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogates (they could not be stored)."""
    try:
        return pydantic_core.from_json(body, allow_inf_nan=False)
    except ValueError as exc:
        raise NotJSON(f"body is not valid JSON: {str(exc)[:120]}") from None


def parse_callback(document: Any) -> ParsedCallback:
    """The callback in a parsed JSON body, or BadRequest naming what is wrong."""
    if not isinstance(document, dict):
        raise BadRequest(f"body must be a JSON object, got {_json_type(document)}")
    if len(document) != 1:
        known = sorted(k for k in document if k in MODELS)
        detail = f"found {len(document)} keys" + (f" ({', '.join(known)})" if known else "")
        raise BadRequest(f"body must hold exactly one callback kind key; {detail}")
    key, raw = next(iter(document.items()))
    model = MODELS.get(key)
    if model is None:
        # echo the key only when it looks like a kind name: an arbitrary key could be a phone number
        named = f" {key!r}" if KIND_NAME.fullmatch(key) else ""
        raise BadRequest(f"unknown callback kind{named}; expected one of {', '.join(MODELS)}")
    if not isinstance(raw, dict):
        raise BadRequest(f"{key} must be a JSON object, got {_json_type(raw)}")
    try:
        return ParsedCallback(key, raw, model.model_validate(raw))
    except ValidationError as exc:
        raise BadRequest(_describe(key, exc)) from None


def _describe(key: str, exc: ValidationError) -> str:
    # "voicecode_callback.result: Field required"; pydantic's messages never echo the value
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p)[:40] for p in (key, *error["loc"]))
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)  # app.py caps the length of every errmsg


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
