"""Calls for people: `show`'s text. Numbers masked, receipt text through display.printable,
times in one named zone that is always printed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from voice_receipts import calls, kinds
from voice_receipts.calls import Call
from voice_receipts.display import mask_phone, printable
from voice_receipts.times import parse_iso, to_iso
from voice_receipts.tools.errors import UsageError

DEFAULT_ZONE = "Asia/Shanghai"  # the zone of VMS and its console
# China has kept UTC+8 without daylight saving since 1991: exact when the tz database is missing
_SHANGHAI = timezone(timedelta(hours=8), "UTC+08:00")


def zone(name: str) -> tuple[tzinfo, str]:
    """The zone called `name` and the label to print with it ("UTC" and "UTC+08:00" too)."""
    if name.upper() == "UTC":
        return timezone.utc, "UTC"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        if name == DEFAULT_ZONE:  # no tz database on this machine (pip install tzdata adds one)
            return _SHANGHAI, f"{DEFAULT_ZONE} as UTC+08:00, no tz database here"
        raise UsageError(
            f"unknown time zone {name!r}: give an IANA name such as Asia/Shanghai or UTC"
            " (on a system without a tz database, pip install tzdata)"
        ) from None


def at(moment: str | None, tz: tzinfo) -> str:
    if not moment:
        return "-"
    return parse_iso(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def state_words(call: Call) -> str:
    words = call.state.words
    if call.state == calls.UNDOCUMENTED:
        return f"{words} {printable(call.result)!r}"
    return words


def failure_words(call: Call, lang: str = "en") -> str:
    if call.failure_code is None:
        return "-"
    if call.failure_text:
        return f"{call.failure_code} {call.failure_text[lang]}"
    reason = printable(call.failure_reason) or "no reason given"
    return f"{call.failure_code} (undocumented) {reason}"


def zone_line(label: str) -> str:
    return f"times in {label}"


HEADER = f"{'TIME':<19}  {'NUMBER':<16}  {'KIND':<12}  {'STATE':<13}  {'KEYS':<6}  FAILURE  CALLID"


def line(call: Call, tz: tzinfo) -> str:
    """One call on one line, under HEADER."""
    return "  ".join(
        (
            at(call.at, tz),
            f"{printable(mask_phone(call.phone)) or '-':<16}",
            f"{call.kind or '-':<12}",
            f"{state_words(call):<13}",
            f"{printable(' '.join(call.keys)) or '-':<6}",
            failure_words(call),
            printable(call.callid),
        )
    )


def render(call: Call, tz: tzinfo, label: str) -> str:
    """One call: the summary, then one line per receipt in the order they arrived."""
    lines = [f"call {printable(call.callid)}  ({zone_line(label)})"]
    lines.append(f"  kind      {call.kind or 'not known yet'}")
    if call.phone:
        lines.append(f"  to        {printable(mask_phone(call.phone))}")
    if call.context:
        lines.append(f"  context   {printable(call.context)}")
    state = state_words(call)
    if call.status_text:
        state += f" ({call.result} {call.status_text['zh']} / {call.status_text['en']})"
    lines.append(f"  state     {state}")
    for label_, moment in (
        ("sent", call.sent_at),
        ("started", call.started_at),
        ("answered", call.answered_at),
        ("ended", call.ended_at),
    ):
        if moment:
            lines.append(f"  {label_:<9} {at(moment, tz)}")
    if call.ring_seconds is not None:
        lines.append(f"  ringing   {call.ring_seconds} s")
    if call.talk_seconds is not None:
        lines.append(f"  talking   {call.talk_seconds} s")
    if call.fee_minutes is not None:
        lines.append(f"  fee       {call.fee_minutes} min")
    if call.keys:
        lines.append(f"  keys      {printable(' '.join(call.keys))}")
    if call.failure_code is not None:
        lines.append(f"  failure   {failure_words(call)}")
        if call.failure_text:
            lines.append(f"            {call.failure_text['zh']}")
        if call.failure_reason and call.failure_reason != (call.failure_text or {}).get("zh"):
            lines.append(f"            VMS said: {printable(call.failure_reason)}")
    sent = "when it was sent, then " if call.sent_at else ""
    lines.append(f"  timeline ({sent}when each receipt arrived here)")
    for r in call.receipts:
        lines.append(f"    {at(r.received_at, tz)}  {printable(r.kind):<13} {_detail(r)}")
    return "\n".join(lines)


def _detail(r) -> str:
    if r.kind in kinds.STATUS_KINDS:
        return printable(r.status)
    if r.kind == kinds.VOICEKEY:
        return f"key {printable(r.keypress)}"
    if r.kind == kinds.VOICE_FAILURE:
        return f"failure {r.failure_code}"
    if r.kind == kinds.SENT:  # when VMS accepted it, by the sender's clock
        template = f" template {printable(r.template_id)}" if r.template_id else ""
        return f"{printable(r.message)}{template}, played up to {r.play_times}x"
    return ""


def moment(text: str, tz: tzinfo, now: datetime, flag: str = "--since") -> datetime:
    """`show --since` and `report --since/--until`: "30m", "24h", "7d" or an ISO date/time (a
    zone-less one is in `tz`) -> an aware datetime."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    value = text.strip()
    try:
        if value[:-1].isdigit() and value[-1:] in units:
            return now - timedelta(**{units[value[-1]]: int(value[:-1])})
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):  # 999999999d reaches past year 1 as surely as a typo
        raise UsageError(f"{flag} {text!r}: give 30m, 24h, 7d or an ISO date/time (2026-11-01)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def since(text: str, tz: tzinfo, now: datetime | None = None) -> str:
    """--since as the ISO UTC text the stores compare received_at with."""
    return to_iso(moment(text, tz, now or datetime.now(timezone.utc)))
