"""`report`: a period's calls as one HTML page, readable on a phone, safe to mail."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from voice_receipts.tools import calls_view as view
from voice_receipts.tools.cli.common import settings as read_settings
from voice_receipts.tools.errors import UsageError


def add(sub, common) -> None:
    r = sub.add_parser(
        "report",
        parents=[common],
        help="a period's calls as one self-contained HTML page",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    r.add_argument("--since", default="7d", help="start: 7d, 24h, or a date/time (2026-11-01)")
    r.add_argument("--until", default=None, help="end, as --since (default: now)")
    r.add_argument("--out", default="report.html", help="where to write the page (- for stdout)")
    # VMS calls mainland-China numbers only: their days are China's, whatever the reader's machine says
    r.add_argument("--tz", default=view.DEFAULT_ZONE, help="the zone whose days the report counts in")
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:  # matplotlib: a tool's dependency, never the function's (requirements-report.txt)
        from voice_receipts.tools.report import build, page  # noqa: F401 - page imports matplotlib
    except ImportError as exc:
        hint = ".venv/bin/pip install -r requirements-report.txt"
        raise UsageError(f"report needs {exc.name}: {hint} (or make report)") from None
    from voice_receipts.tools.report.source import read

    zone, _ = view.zone(args.tz)
    now = datetime.now(timezone.utc)
    since = view.moment(args.since, zone, now)
    until = view.moment(args.until, zone, now, flag="--until") if args.until else now
    if since >= until:
        raise UsageError("--since must be before --until")
    settings = read_settings(args)
    counted = read(settings.store, settings, since, until)
    html, summary = build(counted, since, until, args.tz, f"{settings.store.scheme}: {settings.store.target}")
    if args.out == "-":
        sys.stdout.write(html)
    else:
        Path(args.out).write_text(html, encoding="utf-8")
    t = summary["totals"]
    rate = "-" if t["answer_rate"] is None else f"{t['answer_rate']:g}%"
    print(
        f"{args.out}: {t['calls']} calls, {rate} answered (of the calls that ended),"
        f" {t['billed_minutes']} billed minutes ({len(html) // 1024} KB)",
        file=sys.stderr if args.out == "-" else sys.stdout,
    )
    return 0
