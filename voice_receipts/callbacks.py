"""The four callbacks of the spec, validated by pydantic-core, and the parser that finds which one a body is.

Strict where the spec is load-bearing (a non-empty callid; each kind's own key field), lenient where
real payloads drift: a documented field may come as a number or a string, times/fee/call_from may be
empty, unknown fields are kept, and an undocumented `result` or `failure_code` is accepted as it came.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from voice_receipts import codes, fields, kinds, schemas, states
from voice_receipts.errors import BadRequest, NotJSON
from voice_receipts.fields import FieldError
from voice_receipts.schemas import SchemaValidator, ValidationError
from voice_receipts.times import iso

KIND_NAME = re.compile(r"[a-z_]{1,40}")

# Fields every kind shares. Declared as pydantic-core schemas, pydantic's own validator, rather
# than BaseModels: the function then never imports pydantic's model layer, which was what kept
# its cold start above the floor (docs/cold-start.md). Unknown fields are left to `raw`.
SHARED = {
    "callid": fields.CALLID,
    "mobile": fields.MOBILE,
    "nationcode": fields.NATIONCODE,
    "call_from": fields.CALL_FROM,
}


class Callback:
    """One kind of callback: its KIND, its own FIELDS beside SHARED, and its Receipt fields."""

    KIND: ClassVar[str]
    FIELDS: ClassVar[dict[str, Any]] = {}
    validator: ClassVar[SchemaValidator]

    def __init_subclass__(cls) -> None:
        if "KIND" in cls.__dict__:  # a concrete kind: build its validator once, at import
            schema = schemas.typed_dict_schema({**SHARED, **cls.FIELDS}, extra_behavior="ignore")
            cls.validator = SchemaValidator(schema)

    @staticmethod
    def receipt_fields(values: dict[str, Any]) -> dict[str, Any]:
        """This kind's own fields of the normalised Receipt, from the validated values."""
        return {}


class StatusCallback(Callback):
    """voicecode_callback and voiceprompt_callback: how the call ended."""

    FIELDS = {
        "result": fields.RESULT,
        "start_calltime": fields.UNIX_TIME,
        "accept_time": fields.UNIX_TIME,
        "end_calltime": fields.UNIX_TIME,
        "fee": fields.MINUTES,
    }

    @staticmethod
    def receipt_fields(values: dict[str, Any]) -> dict[str, Any]:
        result = values["result"]
        return {
            "status": states.status_of_result(result),
            "result": result,
            "started_at": iso(values["start_calltime"]),
            "accepted_at": iso(values["accept_time"]),
            "ended_at": iso(values["end_calltime"]),
            "fee_minutes": values["fee"],
        }


class VoicecodeCallback(StatusCallback):
    KIND = kinds.VOICECODE


class VoicepromptCallback(StatusCallback):
    KIND = kinds.VOICEPROMPT


class KeypressCallback(Callback):
    """voicekey_callback: one key the callee pressed."""

    KIND = kinds.VOICEKEY
    FIELDS = {"keypress": fields.KEYPRESS}

    @staticmethod
    def receipt_fields(values: dict[str, Any]) -> dict[str, Any]:
        return {"keypress": values["keypress"]}


class FailureCallback(Callback):
    """voice_failure_callback: why the call failed."""

    KIND = kinds.VOICE_FAILURE
    FIELDS = {"failure_code": fields.CODE, "failure_reason": fields.FAILURE_REASON}

    @staticmethod
    def receipt_fields(values: dict[str, Any]) -> dict[str, Any]:
        return {
            "failure_code": values["failure_code"],
            "failure_reason": values["failure_reason"],
            "failure_text": codes.FAILURE_CODES.get(values["failure_code"]),
        }


# The body's only key names the kind: "voicecode_callback" -> VoicecodeCallback.
MODELS: dict[str, type[Callback]] = {
    kinds.key_of(model.KIND): model
    for model in (VoicecodeCallback, VoicepromptCallback, KeypressCallback, FailureCallback)
}


@dataclass(frozen=True)
class ParsedCallback:
    """A body that passed validation: its key, the callback object exactly as it came, its kind,
    and the documented fields as validated (every one present, None where absent)."""

    key: str
    raw: dict[str, Any]
    callback: type[Callback]
    values: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.callback.KIND


def load_json(body: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogates (they could not be stored),
    no number beyond a double (the parser makes 1e400 infinite; stored, it would be `Infinity`)."""
    try:
        document = schemas.from_json(body, allow_inf_nan=False)
    except ValueError as exc:  # the parser's messages give a position, never the text
        # the cap is a guard (no mutants: the parser's messages are under 60 characters)
        raise NotJSON(f"body is not valid JSON: {str(exc)[:120]}") from None  # pragma: no mutate
    if _has_infinity(document):
        raise NotJSON("body is not valid JSON: number out of range (beyond ±1.7976931348623157e308)")
    return document


def _has_infinity(document: Any) -> bool:
    # a loop, not recursion: nesting is as deep as the parser allows
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, float):
            if math.isinf(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


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
        return ParsedCallback(key, raw, model, model.validator.validate_python(raw))
    except ValidationError as exc:
        raise BadRequest(_describe(key, exc)) from None


def _describe(key: str, exc: ValidationError) -> str:
    """`voicecode_callback.result: Field required`. Only our own FieldError messages and
    pydantic's "Field required" get through: any other message (int()'s, a library's) may quote
    the value it refused, so it is named by its type only."""
    parts = []
    # only loc, type and ctx are read: no URL, and no input (it may be a mobile number) to carry
    for error in exc.errors(include_url=False, include_input=False):  # pragma: no mutate
        where = ".".join(str(p)[:40] for p in (key, *error["loc"]))
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            reason = str(cause)
        elif error["type"] == "missing":
            reason = "Field required"
        else:
            reason = "is not valid"
        parts.append(f"{where}: {reason}")
    return "; ".join(parts)  # app.py caps the length of every errmsg


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean"}  # never called for an object
    if value is None:
        return "null"
    return names.get(type(value), "a number")
