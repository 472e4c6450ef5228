"""Calls for people: `show`'s text. Numbers masked, receipt text through display.printable,
times in one named zone that is always printed."""

from __future__ import annotations

from datetime import tzinfo

from voice_receipts import calls, kinds
from voice_receipts.calls import Call
from voice_receipts.display import mask_phone, printable
from voice_receipts.times import parse_iso


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
