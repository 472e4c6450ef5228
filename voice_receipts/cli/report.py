"""`report`: a period's calls as one HTML page, readable on a phone, safe to mail."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from voice_receipts.cli.common import settings as read_settings
from voice_receipts.errors import ConfigError

# VMS calls mainland-China numbers only: their days are China's, whatever the reader's machine says
DEFAULT_ZONE = "Asia/Shanghai"


def add(sub, common) -> None:
    r = sub.add_parser(
        "report",
        parents=[common],
        help="a period's calls as one self-contained HTML page",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    r.add_argument("--since", default="7d", help="start: 7d, 24h, or a date/time (2026-11-01)")
    r.add_argument("--until", default=None, help="end, as --since (default: now)")
    r.add_argument("--out", default="report.html", help="where to write the page")
    r.add_argument("--tz", default=DEFAULT_ZONE, help="the zone whose days the report counts in")
    r.set_defaults(run=run)


def moment(text: str, now: datetime, zone) -> datetime:
    """7d / 36h / 2026-11-01 / 2026-11-01T08:00 (in `zone` when it names no offset)."""
    relative = re.fullmatch(r"(\d+)([dh])", text.strip())
    if relative:
        n, unit = int(relative[1]), relative[2]
        return now - (timedelta(days=n) if unit == "d" else timedelta(hours=n))
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--since/--until must be like 7d, 24h or 2026-11-01, got {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def run(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from voice_receipts.report import build
    from voice_receipts.report.source import read

    try:
        zone = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"--tz must name a time zone such as Asia/Shanghai or UTC, got {args.tz!r}"
        ) from None
    now = datetime.now(timezone.utc)
    since = moment(args.since, now, zone)
    until = moment(args.until, now, zone) if args.until else now
    if since >= until:
        raise ConfigError("--since must be before --until")
    settings = read_settings(args)
    receipts = read(settings.store, settings, since, until)
    html, summary = build(
        receipts, since, until, args.tz, f"{settings.store.scheme}: {settings.store.target}"
    )
    out = Path(args.out)
    out.write_text(html, encoding="utf-8")
    t = summary["totals"]
    rate = "-" if t["answer_rate"] is None else f"{t['answer_rate']:g}%"
    print(
        f"{out}: {t['calls']} calls from {len(receipts)} receipts, {rate} answered,"
        f" {t['billed_minutes']} billed minutes ({len(html) // 1024} KB)",
        file=sys.stderr if str(out) == "-" else sys.stdout,
    )
    return 0
