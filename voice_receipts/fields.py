"""The documented fields' rules: what each takes, how long it may be, and the errors that say so.

Every rule here exists so that a receipt that passes validation can be stored by every store on
every retry (docs/limits.md): whatever a store could never take is refused now, as a 400 that VMS
does not retry, instead of a 503 it would retry forever.
"""

from __future__ import annotations

import re
from typing import Any

from voice_receipts import schemas


class FieldError(ValueError):
    """A field's value is refused. Only these messages reach errmsg: they name the rule, never
    the value (a rejected value may hold a mobile number, and errmsg is logged)."""


def _text(value: Any) -> str | None:
    # bool is an int subclass; True is not a drifted "1", it is a wrong type
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    raise FieldError("must be a string or a number")


def _required_text(value: Any) -> str:
    text = _text(value)
    if text is None or not text.strip():
        raise FieldError("must not be empty")
    return text


# Caps on the documented text fields, in characters (docs/limits.md). Each is far above what VMS
# sends and keeps every store able to take the receipt: `phone` (+nationcode mobile) is a DynamoDB
# index key of at most 2,048 bytes, callid a key and an SQS attribute, and every capped field is
# also copied into the normalised record, which limits.RECORD_OVERHEAD_BYTES budgets for.
LIMITS = {
    "callid": 256,
    "mobile": 32,  # E.164 allows 15 digits; room for a prefix or separators
    "nationcode": 8,  # country codes have 1-3 digits; "1-684" style codes fit
    "call_from": 32,
    "result": 32,  # documented: 0, 1, 2; anything else is kept as it came
    "keypress": 32,
    "failure_reason": 512,
}
MAX_CALLID = LIMITS["callid"]
# A callid is a key in every store and an SQS message attribute, which takes only #x9 #xA #xD
# #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF: refuse C0, DEL, C1 and every Unicode non-character
_CALLID_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0x10000, 0x110000, 0x10000))
    + "]"
)
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")  # 18 digits: within int64 and DynamoDB's 38 digits


def _capped(field: str, required: bool = False) -> Any:
    """A text field: a string or a number, at most LIMITS[field] characters."""
    limit = LIMITS[field]

    def check(value: Any) -> str | None:
        text = _required_text(value) if required else _text(value)
        if text is not None and len(text) > limit:
            raise FieldError(f"must be at most {limit} characters")
        return text

    return _field(check, schemas.str_schema(), required)


def _callid(value: Any) -> str:
    """A callid every store can key on; otherwise the store refuses it on every redelivery."""
    callid = _required_text(value)
    if len(callid) > MAX_CALLID:
        raise FieldError(f"must be at most {MAX_CALLID} characters")
    if _CALLID_REFUSED.search(callid):
        raise FieldError("must not contain control characters or non-characters")
    return callid


def _whole_number(value: Any) -> int | None:
    """Unix seconds, billed minutes and failure codes: a whole number, as a number or digits."""
    text = _text(value)
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        raise FieldError("must be a whole number")
    return int(text)


def _unix_time(value: Any) -> int | None:
    seconds = _whole_number(value)
    if seconds is not None and seconds < 0:
        raise FieldError("must be Unix seconds, not negative")
    # VMS sends 0 (or "") for a moment that never happened, e.g. accept_time of an unanswered call
    return seconds or None


def _required_code(value: Any) -> int:
    code = _whole_number(value)
    if code is None:
        raise FieldError("must not be empty")
    return code


def _field(check: Any, schema: Any, required: bool) -> Any:
    """One field of a callback as pydantic-core declares it: `check` turns what VMS sent into
    `schema`'s type or raises FieldError. An optional field that is absent or empty is None."""
    if not required:
        schema = schemas.nullable_schema(schema)
    validated = schemas.no_info_before_validator_function(check, schema)
    if required:
        return schemas.typed_dict_field(validated)
    return schemas.typed_dict_field(
        schemas.with_default_schema(validated, default=None),
        required=False,  # pragma: no mutate (a default implies it to pydantic-core too: said, not relied on)
    )


# The vocabulary the callbacks are declared in (callbacks.py), one line each.
CALLID = _field(_callid, schemas.str_schema(), required=True)
MOBILE = _capped("mobile")
NATIONCODE = _capped("nationcode")
CALL_FROM = _capped("call_from")
RESULT = _capped("result", required=True)
KEYPRESS = _capped("keypress", required=True)
FAILURE_REASON = _capped("failure_reason")
UNIX_TIME = _field(_unix_time, schemas.int_schema(), required=False)
MINUTES = _field(_whole_number, schemas.int_schema(), required=False)
CODE = _field(_required_code, schemas.int_schema(), required=True)
