"""One call's timeline and summary, built from its receipts: what `show CALLID` prints."""

from __future__ import annotations

from typing import Any

from voice_receipts import kinds
from voice_receipts.display import mask_mobile, printable
from voice_receipts.receipt import Receipt
from voice_receipts.times import parse_iso


def _seconds_between(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    delta = parse_iso(end) - parse_iso(start)
    return int(delta.total_seconds())


def summarise(callid: str, receipts: list[Receipt]) -> dict[str, Any]:
    """The call as one object; the status receipt wins for times, every key press is listed."""
    status = next((r for r in receipts if r.kind in kinds.STATUS_KINDS), None)
    failure = next((r for r in receipts if r.kind == kinds.VOICE_FAILURE), None)
    first = receipts[0] if receipts else None
    summary: dict[str, Any] = {
        "callid": callid,
        "type": status.kind if status else None,
        "mobile": first.mobile if first else None,
        "nationcode": first.nationcode if first else None,
        "status": status.status if status else ("failed" if failure else None),
        "started_at": status.started_at if status else None,
        "accepted_at": status.accepted_at if status else None,
        "ended_at": status.ended_at if status else None,
        "ring_seconds": None,
        "talk_seconds": None,
        "fee_minutes": status.fee_minutes if status else None,
        "keys": [r.keypress for r in receipts if r.kind == kinds.VOICEKEY],
        "failure_code": failure.failure_code if failure else None,
        "failure_reason": failure.failure_reason if failure else None,
        "failure_text": failure.failure_text if failure else None,
        "receipts": [r.to_dict() for r in receipts],
    }
    if status:
        summary["ring_seconds"] = _seconds_between(status.started_at, status.accepted_at)
        summary["talk_seconds"] = _seconds_between(status.accepted_at, status.ended_at)
    return summary


def render(summary: dict[str, Any]) -> str:
    """For a person: the summary, then one line per receipt in the order they arrived. Every value
    from a receipt goes through printable: a keypress may hold ESC ] 52 (set the clipboard)."""
    s = {k: v if isinstance(v, int | list | type(None)) else printable(v) for k, v in summary.items()}
    lines = [f"call {s['callid']}"]
    if summary["mobile"]:
        lines.append(f"  to        +{s['nationcode'] or ''} {printable(mask_mobile(summary['mobile']))}")
    lines.append(f"  status    {s['status'] or 'no status receipt yet'}")
    for label, key in (("started", "started_at"), ("answered", "accepted_at"), ("ended", "ended_at")):
        if s[key]:
            lines.append(f"  {label:<9} {s[key]}")
    if s["ring_seconds"] is not None:
        lines.append(f"  ringing   {s['ring_seconds']} s")
    if s["talk_seconds"] is not None:
        lines.append(f"  talking   {s['talk_seconds']} s")
    if s["fee_minutes"] is not None:
        lines.append(f"  fee       {s['fee_minutes']} min")
    if s["keys"]:
        lines.append(f"  keys      {' '.join(printable(k) for k in s['keys'])}")
    if s["failure_code"] is not None:
        spec = s["failure_text"] or "not in the spec's list"
        lines.append(f"  failure   {s['failure_code']} {s['failure_reason'] or ''} (spec: {spec})")
    lines.append("  timeline")
    for r in s["receipts"]:
        detail = {
            kinds.VOICECODE: r["status"],
            kinds.VOICEPROMPT: r["status"],
            kinds.VOICEKEY: f"key {r['keypress']}",
            kinds.VOICE_FAILURE: f"failure {r['failure_code']}",
        }.get(r["kind"], "")
        lines.append(f"    {printable(r['received_at'])}  {r['kind']:<13} {printable(detail)}")
    return "\n".join(lines)
