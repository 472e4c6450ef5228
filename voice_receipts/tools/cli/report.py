"""`report`: a period's calls as one HTML page, readable on a phone, safe to mail."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from voice_receipts.display import printable
from voice_receipts.tools.cli.common import settings as read_settings
from voice_receipts.tools.errors import UsageError
from voice_receipts.tools.when import DEFAULT_ZONE, parse_moment, parse_zone, shown


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
    r.add_argument("--tz", default=DEFAULT_ZONE, help="the zone whose days the report counts in")
    r.set_defaults(run=run)


def _writable(path: str) -> Path:
    """--out's path, or UsageError now: a missing folder, a folder, a NUL."""
    try:
        out = Path(path)
        if out.is_dir():
            raise UsageError(f"--out {shown(path)} is a folder: name the file to write")
        if not out.absolute().parent.is_dir():
            raise UsageError(f"--out {shown(path)}: the folder {shown(str(out.parent))} does not exist")
    except (ValueError, OSError) as exc:  # a NUL; a name too long
        raise UsageError(f"--out {shown(path)} is not a path to write ({type(exc).__name__})") from None
    return out


def run(args: argparse.Namespace) -> int:
    try:  # matplotlib: a tool's dependency, never the function's (requirements-report.txt)
        from voice_receipts.tools.report import build, page  # noqa: F401 - page imports matplotlib
    except ImportError as exc:
        hint = ".venv/bin/pip install -r requirements-report.txt"
        raise UsageError(f"report needs {exc.name}: {hint} (or make report)") from None
    from voice_receipts.tools.report.source import read

    zone, label = parse_zone(args.tz)
    now = datetime.now(timezone.utc)
    since = parse_moment(args.since, zone, now)
    until = parse_moment(args.until, zone, now, flag="--until") if args.until else now
    if since >= until:
        raise UsageError("--since must be before --until")
    out = None if args.out == "-" else _writable(args.out)  # before reading a whole period
    settings = read_settings(args)
    counted = read(settings.store, settings, since, until, zone)
    html, summary = build(
        counted, since, until, zone, label, f"{settings.store.scheme}: {settings.store.target}"
    )
    if out is None:
        sys.stdout.write(html)
    else:
        try:
            out.write_text(html, encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            why = getattr(exc, "strerror", None) or type(exc).__name__
            raise UsageError(f"--out {shown(args.out)}: cannot write it ({why})") from None
    t = summary["totals"]
    rate = "-" if t["answer_rate"] is None else f"{t['answer_rate']:g}%"
    print(
        f"{printable(args.out)}: {t['calls']} calls, {rate} answered (of the calls that ended),"
        f" {t['billed_minutes']} billed minutes ({len(html) // 1024} KB)",
        file=sys.stderr if args.out == "-" else sys.stdout,
    )
    return 0
