"""The report's numbers: receipts folded into calls, then counted per day in the reader's zone.

Everything the page shows comes from `summarise()`, which is plain data (the page embeds it as
JSON, and the tests check it), so the charts and tables never compute anything of their own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from voice_receipts import kinds
from voice_receipts.calls import ANSWERED, Call
from voice_receipts.receipt import Receipt
from voice_receipts.states import ENDED, STATES
from voice_receipts.times import parse_iso

# The answer rate's denominator: calls that ended (in_progress and sent have not yet)
FINISHED = ENDED
NO_CODE_TEXT = "not in the spec's list"


def fold(receipts: Iterable[Receipt]) -> list[Call]:
    """The calls of these receipts (calls.Call.fold per callid). A call whose first receipts came
    before the period is folded from the ones inside it: the period is chosen by arrival."""
    by_call: dict[str, list[Receipt]] = defaultdict(list)
    for r in receipts:
        by_call[r.callid].append(r)
    return [call for group in by_call.values() if (call := Call.fold(group)) is not None]


def ring_seconds(call: Call) -> int | None:
    """Ringing ends when the callee answers, or when the call gives up unanswered (calls.durations)."""
    return call.ring_seconds


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
        # the day its first receipt arrived: the period is chosen by arrival (the stores index
        # it), and a call ends seconds before VMS reports it
        day = parse_iso(call.first_received_at).astimezone(zone).date()
        by_day[day][call.state] += 1
        minutes[day] += call.fee_minutes or 0
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
    notifications = [c for c in calls if c.kind == kinds.NOTIFICATION]
    return {
        "period": {"since": since.astimezone(zone).isoformat(), "until": until.astimezone(zone).isoformat()},
        "zone": zone_name,
        "totals": {
            "calls": len(calls),
            "states": {s: totals[s] for s in STATES},
            "answer_rate": round(100 * totals[ANSWERED] / finished, 1) if finished else None,
            "billed_minutes": sum(c.fee_minutes or 0 for c in calls),
        },
        "days": per_day,
        "failures": _failures(calls),
        "ring_seconds": sorted(r for c in calls if (r := ring_seconds(c)) is not None),
        "talk_seconds": sorted(
            c.talk_seconds for c in calls if c.state == ANSWERED and c.talk_seconds is not None
        ),
        "keys_per_notification": _keys_per_call(notifications),
        "keys": dict(Counter(k for c in notifications for k in c.keys).most_common()),
    }


def _failures(calls: list[Call], top: int = 10) -> list[dict[str, Any]]:
    """Calls with a failure receipt, whatever their state (a status receipt may say call_error
    and the failure receipt why), by code; texts from the spec, else the one VMS sent."""
    failing = [c for c in calls if c.failure_code is not None or c.failure_reason]
    counted = Counter(c.failure_code for c in failing)
    first = {c.failure_code: c for c in reversed(failing)}
    rows = []
    for code, n in counted.most_common(top):
        call = first[code]
        text = call.failure_text or {"zh": call.failure_reason or "", "en": NO_CODE_TEXT}
        rows.append(
            {
                "code": code,
                "zh": text["zh"],
                "en": text["en"],
                "calls": n,
                "share": round(100 * n / len(failing), 1),
            }
        )
    return rows


def _keys_per_call(calls: list[Call]) -> dict[str, int]:
    """How many keys each notification call got: 0, 1, 2, 3 or more."""
    counted = Counter(min(len(c.keys), 3) for c in calls)
    return {("3+" if n == 3 else str(n)): counted[n] for n in range(4)}
