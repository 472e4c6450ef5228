"""The report's numbers: a store's aggregates of a period (Store.period_aggregates) in the reader's zone.

Everything the page shows comes from `summarise()`, which is plain data (the page embeds it as
JSON, and the tests check it), so the charts and tables never compute anything of their own. Its
size does not grow with the calls: counts per bucket (a day, a week, a month or a year, whichever
keeps a period under ~60 bars), durations binned, failures and keys tallied.

The definitions, one per figure (page.py prints them next to it):
- a call is counted in the bucket of its time (Call.at: its status receipt's start, else its first
  receipt's arrival), in the zone named on the page;
- states are a partition (states.MEANING): the cards, the table and the bars add up to `calls`;
- answer rate = answered / calls that ended (every state but in progress and sent);
- failed = calls with a failure receipt; the failure table lists exactly these, by code;
- ringing = start to answer (answered) or to the end (not answered), talking = answered calls'
  answer to end, each counted only where both times are known (calls.durations);
- keys: every key press of notification calls, in keypad order 1-9, 0, *, # then anything else.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from voice_receipts import codes
from voice_receipts.states import ENDED, STATES, CallState
from voice_receipts.stores.facts import Aggregates
from voice_receipts.times import parse_iso

NO_CODE_TEXT = "not in the spec's list"
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
# seconds: each bin is [edge, next edge); the last one open
BINS = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800)
BUCKETS = ((62, "day"), (366, "week"), (3660, "month"))  # up to N days -> this bucket; beyond: year


def bucket_of(days: int) -> str:
    return next((name for limit, name in BUCKETS if days <= limit), "year")


def _start(day: date, unit: str) -> date:
    if unit == "week":  # weeks start on Monday (ISO 8601)
        return day - timedelta(day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def _next(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(1)
    if unit == "week":
        return start + timedelta(7)
    if unit == "month":
        return (start.replace(day=28) + timedelta(4)).replace(day=1)
    return start.replace(year=start.year + 1)


def _label(start: date, unit: str, one_year: bool) -> str:
    """A bucket's label: the year only where the period needs it."""
    if unit == "year":
        return f"{start.year}"
    if unit == "month":
        return start.strftime("%Y-%m")
    return start.strftime("%m-%d") if one_year else start.isoformat()


class Buckets:
    """The period's buckets in the reader's zone; a minute's bucket worked out once."""

    def __init__(self, since: datetime, until: datetime, zone: tzinfo) -> None:
        first, last = since.astimezone(zone).date(), until.astimezone(zone).date()
        self.zone, self.unit = zone, bucket_of((last - first).days + 1)
        self.starts: list[date] = []
        start = _start(first, self.unit)
        while start <= last:
            self.starts.append(start)
            start = _next(start, self.unit)
        self.one_year = first.year == last.year

    def of(self, moment: str) -> int:
        """The bucket of a UTC minute ("2026-11-28T12:00") or hour ("2026-11-28T12")."""
        day = parse_iso(moment[:13] + (moment[13:16] or ":00") + ":00Z").astimezone(self.zone).date()
        return max(0, min(len(self.starts) - 1, _index(self.starts, day)))


def _index(starts: list[date], day: date) -> int:
    return bisect_right(starts, day) - 1  # the last start on or before `day`


def _bin(seconds: int) -> int:
    return bisect_right(BINS, seconds) - 1


def _rate(counts: Counter) -> float | None:
    ended = sum(counts[s] for s in ENDED)
    return round(100 * counts[CallState.ANSWERED] / ended, 1) if ended else None


def whole_hours(zone: tzinfo, since: datetime, until: datetime) -> bool:
    """Whether the zone is a whole number of hours from UTC at both ends of the period: then a
    store may count by UTC hour (a hour is then within one local day), else by minute."""
    return all(
        (zone.utcoffset(m.astimezone(zone)) or timedelta()) % timedelta(hours=1) == timedelta()
        for m in (since, until)
    )


def summarise(
    counted: Aggregates, since: datetime, until: datetime, zone: tzinfo, zone_name: str
) -> dict[str, Any]:
    """Every number of the report, JSON-ready, from a store's aggregates of the period
    (Store.period_aggregates). Every bucket of the period is listed even when it had no call,
    so a quiet day shows as a zero, not a gap."""
    b = Buckets(since, until, zone)
    states: list[Counter[str]] = [Counter() for _ in b.starts]
    minutes = [0] * len(b.starts)
    for (minute, state), n in counted.calls.items():
        states[b.of(minute)][CallState(state)] += n
    for minute, fee in counted.fees.items():
        minutes[b.of(minute)] += fee
    totals: Counter = sum(states, Counter())
    buckets = [
        {
            "day": start.isoformat(),
            "label": _label(start, b.unit, b.one_year),
            "states": {s.value: c[s] for s in STATES},
            "calls": sum(c.values()),
            "answer_rate": _rate(c),
            "billed_minutes": m,
        }
        for start, c, m in zip(b.starts, states, minutes, strict=True)
    ]
    return {
        "period": {"since": since.astimezone(zone).isoformat(), "until": until.astimezone(zone).isoformat()},
        "zone": zone_name,
        "bucket": b.unit,
        "totals": {
            "calls": sum(totals.values()),
            "states": {s.value: totals[s] for s in STATES},
            "answer_rate": _rate(totals),
            "billed_minutes": sum(minutes),
        },
        "days": buckets,
        "failures": _failures(counted.failures, counted.reasons),
        "ring_seconds": _histogram(counted.ring),
        "talk_seconds": _histogram(counted.talk),
        "keys_per_notification": {("3+" if n == 3 else str(n)): counted.keys_per_call[n] for n in range(4)},
        "keys": {k: counted.keys[k] for k in sorted(counted.keys, key=key_order)},
    }


def key_order(key: str) -> tuple[int, str]:
    return (KEYPAD.index(key), "") if key in KEYPAD else (len(KEYPAD), key)


def _histogram(seconds: Counter) -> dict[str, Any]:
    counts = [0] * len(BINS)
    for value, n in seconds.items():
        counts[_bin(value)] += n
    bins = [
        {"from": lo, "to": hi, "calls": n} for lo, hi, n in zip(BINS, (*BINS[1:], None), counts, strict=True)
    ]
    return {"calls": sum(counts), "bins": bins}


def _failures(counted: Counter, reasons: dict, top: int = 10) -> list[dict[str, Any]]:
    """The failed calls by code, most first; texts from the spec, else the one VMS sent. Rows
    beyond `top` are summed into one, so the table adds up to the failed card."""
    failed = sum(counted.values())
    rows = []
    # most calls first, then by code: the same table whichever order a store counted them in
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or 0))
    for code, n in ranked[:top]:
        if code in codes.FAILURE_CODES:
            zh, en = codes.FAILURE_CODES[code], codes.FAILURE_CODES_EN[code]
        else:
            zh, en = reasons.get(code) or "", NO_CODE_TEXT
        rows.append({"code": code, "zh": zh, "en": en, "calls": n, "share": round(100 * n / failed, 1)})
    rest = sum(n for _, n in ranked[top:])
    if rest:
        rows.append(
            {
                "code": None,
                "zh": "",
                "en": "other codes",
                "calls": rest,
                "share": round(100 * rest / failed, 1),
            }
        )
    return rows
