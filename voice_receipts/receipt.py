"""The normalised Receipt: one record per callback, the same for every store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from voice_receipts import codes
from voice_receipts.callbacks import Callback as CallbackModel
from voice_receipts.callbacks import FailureCallback, KeypressCallback, StatusCallback, kind_of


@dataclass(frozen=True)
class Receipt:
    callid: str
    kind: str  # voicecode, voiceprompt, voicekey, voice_failure
    event_id: str
    received_at: str
    mobile: str | None = None
    nationcode: str | None = None
    call_from: str | None = None
    # status kinds
    status: str | None = None  # answered / unanswered / call_error / the raw value when undocumented
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
    raw: dict[str, Any] = field(default_factory=dict)  # the callback object exactly as it came

    @property
    def phone(self) -> str | None:
        """+<nationcode><mobile>: how one number is looked up across calls."""
        if not self.mobile:
            return None
        return f"+{self.nationcode or ''}{self.mobile}"

    def to_dict(self) -> dict[str, Any]:
        # not dataclasses.asdict: it deep-copies `raw` and was 60 us of a ~130 us warm path
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["raw"] = dict(self.raw)
        return data

    def to_json(self) -> str:
        # ensure_ascii keeps the record 7-bit clean for every store; the spec's texts are Chinese
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


def event_id(key: str, raw: dict[str, Any]) -> str:
    """Same kind + same content -> same id, so a redelivery is recognised wherever it lands.

    Two key presses of one call differ in `keypress` and get different ids. Two presses of the
    same key carry identical bodies (the spec gives them no sequence number) and count as one.
    """
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"{key}\n{canonical}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind_of(key)}-{digest[:32]}"


def iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None  # a time past year 9999 is junk; the raw value is still kept


def parse_iso(text: str) -> datetime:
    """The inverse of iso()/utc_now(); "Z" spelled out because Python 3.10 (SCF) cannot read it."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_now() -> str:
    # microseconds: a call's key presses arrive within milliseconds of each other, and every
    # store orders a call's receipts by this
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def build_receipt(
    key: str, raw: dict[str, Any], callback: CallbackModel, received_at: str | None = None
) -> Receipt:
    common = {
        "callid": callback.callid,
        "kind": kind_of(key),
        "event_id": event_id(key, raw),
        "received_at": received_at or utc_now(),
        "mobile": callback.mobile,
        "nationcode": callback.nationcode,
        "call_from": callback.call_from,
        "raw": raw,
    }
    if isinstance(callback, StatusCallback):
        return Receipt(
            **common,
            status=codes.CALL_STATUS.get(callback.result.strip(), callback.result),
            started_at=iso(callback.start_calltime),
            accepted_at=iso(callback.accept_time),
            ended_at=iso(callback.end_calltime),
            fee_minutes=callback.fee,
        )
    if isinstance(callback, KeypressCallback):
        return Receipt(**common, keypress=callback.keypress)
    if isinstance(callback, FailureCallback):
        return Receipt(
            **common,
            failure_code=callback.failure_code,
            failure_reason=callback.failure_reason,
            failure_text=codes.FAILURE_CODES.get(callback.failure_code),
        )
    raise TypeError(f"no receipt for {type(callback).__name__}")  # a new model without a branch
