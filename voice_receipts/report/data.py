"""The report's numbers: receipts folded into calls, then counted per day in the reader's zone.

Everything the page shows comes from `summarise()`, which is plain data (the page embeds it as
JSON, and the tests check it), so the charts and tables never compute anything of their own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from voice_receipts import codes, kinds
from voice_receipts.receipt import Receipt
from voice_receipts.times import parse_iso

# A call's final state. failed wins over a status: a failure receipt says why a call was not
# answered, which is what a reader wants counted; in_progress: no status or failure receipt yet.
ANSWERED, NOT_ANSWERED, CALL_ERROR, FAILED, IN_PROGRESS = (
    "answered",
    "not_answered",
    "call_error",
    "failed",
    "in_progress",
)
STATES = (ANSWERED, NOT_ANSWERED, CALL_ERROR, FAILED, IN_PROGRESS)
_STATUS = {"answered": ANSWERED, "unanswered": NOT_ANSWERED, "call_error": CALL_ERROR}
FINISHED = (ANSWERED, NOT_ANSWERED, CALL_ERROR, FAILED)  # the answer rate's denominator

# The spec's failure texts in English, for readers who do not read Chinese (codes.py has the spec's)
FAILURE_EN = {
    1: "phone switched off",
    2: "in another call",
    3: "out of service area",
    4: "number in arrears",
    5: "no one answered",
    6: "temporarily unreachable",
    7: "service suspended",
    8: "number does not exist",
    9: "circuits busy",
    10: "callee busy",
    11: "other reason",
    12: "call restricted",
    13: "number suspended",
    15: "number does not exist",
    16: "incoming-call reminder service",
    17: "number expired",
    18: "network busy",
    19: "voice calls not enabled",
    20: "no response",
    22: "system busy",
    23: "dial with a leading zero",
    24: "number changed",
    25: "Unicom secretary service not enabled",
    26: "call assistant service",
    27: "temporarily unreachable",
    28: "missed-call notification service",
    29: "voicemail",
    30: "wrong number",
    31: "number not in use",
}


@dataclass
class Call:
    """A call as its receipts tell it (a minimal fold of this module's own)."""

    callid: str
    kind: str | None = None  # voicecode or voiceprompt, from the status receipt
    state: str = IN_PROGRESS
    # when its first receipt arrived: the period is chosen by arrival (the stores index it), so
    # a call's day agrees with it; a call ends seconds before VMS reports it
    day_at: datetime | None = None
    ring_seconds: int | None = None
    talk_seconds: int | None = None
    fee_minutes: int = 0
    keys: list[str] = field(default_factory=list)
    failure_code: int | None = None
    failure_reason: str | None = None


def fold(receipts: Iterable[Receipt]) -> list[Call]:
    calls: dict[str, Call] = {}
    for r in sorted(receipts, key=lambda r: r.received_at):
        call = calls.setdefault(r.callid, Call(r.callid, day_at=parse_iso(r.received_at)))
        if r.kind in kinds.STATUS_KINDS:
            call.kind = r.kind
            if call.state != FAILED:
                call.state = _STATUS.get(r.status or "", CALL_ERROR)  # undocumented: an error
            # ringing ends when the callee answers, or when the call gives up unanswered
            ring_end = (
                r.accepted_at if r.status == "answered" else r.ended_at if r.status == "unanswered" else None
            )
            call.ring_seconds = _seconds(r.started_at, ring_end)
            call.talk_seconds = _seconds(r.accepted_at, r.ended_at)
            call.fee_minutes = r.fee_minutes or 0
        elif r.kind == kinds.VOICEKEY and r.keypress is not None:
            call.keys.append(r.keypress)
            call.kind = call.kind or kinds.VOICEPROMPT  # only notifications take key presses
        elif r.kind == kinds.VOICE_FAILURE:
            call.state = FAILED
            call.failure_code, call.failure_reason = r.failure_code, r.failure_reason
    return list(calls.values())


def _seconds(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    seconds = int((parse_iso(end) - parse_iso(start)).total_seconds())
    return seconds if seconds >= 0 else None


def summarise(
    calls: list[Call], since: datetime, until: datetime, zone: tzinfo, zone_name: str
) -> dict[str, Any]:
    """Every number of the report, JSON-ready. Days are the reader's (`zone`), every day of the
    period listed even when it had no call, so a quiet day shows as a zero, not a gap."""
    first, last = since.astimezone(zone).date(), until.astimezone(zone).date()
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    minutes: Counter[date] = Counter()
    for call in calls:
        day = (call.day_at or since).astimezone(zone).date()
        by_day[day][call.state] += 1
        minutes[day] += call.fee_minutes
    per_day = []
    for day in days:
        counts = by_day[day]
        finished = sum(counts[s] for s in FINISHED)
        per_day.append(
            {
                "day": day.isoformat(),
                "states": {s: counts[s] for s in STATES},
                "calls": sum(counts.values()),
                "answer_rate": round(100 * counts[ANSWERED] / finished, 1) if finished else None,
                "billed_minutes": minutes[day],
            }
        )
    totals = Counter(c.state for c in calls)
    finished = sum(totals[s] for s in FINISHED)
    notifications = [c for c in calls if c.kind == kinds.VOICEPROMPT]
    return {
        "period": {"since": since.astimezone(zone).isoformat(), "until": until.astimezone(zone).isoformat()},
        "zone": zone_name,
        "totals": {
            "calls": len(calls),
            "states": {s: totals[s] for s in STATES},
            "answer_rate": round(100 * totals[ANSWERED] / finished, 1) if finished else None,
            "billed_minutes": sum(c.fee_minutes for c in calls),
        },
        "days": per_day,
        "failures": _failures(calls),
        "ring_seconds": sorted(c.ring_seconds for c in calls if c.ring_seconds is not None),
        "talk_seconds": sorted(
            c.talk_seconds for c in calls if c.state == ANSWERED and c.talk_seconds is not None
        ),
        "keys_per_notification": _keys_per_call(notifications),
        "keys": dict(Counter(k for c in notifications for k in c.keys).most_common()),
    }


def _failures(calls: list[Call], top: int = 10) -> list[dict[str, Any]]:
    counted = Counter(c.failure_code for c in calls if c.state == FAILED)
    sent = {c.failure_code: c.failure_reason for c in calls if c.state == FAILED}
    total = sum(counted.values())
    rows = []
    for code, n in counted.most_common(top):
        zh = codes.FAILURE_CODES.get(code) if code is not None else None
        rows.append(
            {
                "code": code,
                "zh": zh or sent.get(code) or "",  # an undocumented code: the text VMS sent
                "en": FAILURE_EN.get(code, "not in the spec's list") if code is not None else "no code",
                "calls": n,
                "share": round(100 * n / total, 1),
            }
        )
    return rows


def _keys_per_call(calls: list[Call]) -> dict[str, int]:
    """How many keys each notification call got: 0, 1, 2, 3 or more."""
    counted = Counter(min(len(c.keys), 3) for c in calls)
    return {("3+" if n == 3 else str(n)): counted[n] for n in range(4)}
