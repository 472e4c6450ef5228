"""`show`: one call, the calls to one number, or recent calls. Reads the store only."""

from __future__ import annotations

import argparse
import sys

from voice_receipts.calls import STATES
from voice_receipts.display import printable_json
from voice_receipts.stores import open_store
from voice_receipts.tools.cli.common import settings as read_settings


def add(sub, common) -> None:
    s = sub.add_parser(
        "show",
        parents=[common],
        help="one call, the calls to a number, or recent calls",
        description="Times are in one zone, printed with them; a call's timeline shows when each"
        " receipt arrived here, its summary the times VMS reported.",
    )
    s.add_argument("callid", nargs="?", help="the call to show; recent calls when left out")
    s.add_argument("--phone", metavar="E164", help="calls to this number, e.g. +8613800138000")
    s.add_argument("--context", metavar="ID", help="calls sent with `send --context ID`")
    s.add_argument("--since", metavar="WHEN", help="calls first seen since: 30m, 24h, 7d or an ISO time")
    s.add_argument("--state", choices=STATES, help="only calls in this state")
    s.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N calls (default 50)")
    s.add_argument("--tz", default=None, metavar="ZONE", help="time zone (default Asia/Shanghai)")
    s.add_argument("--json", action="store_true", help="print Call objects as JSON instead")
    s.set_defaults(run=run)


MAX_LIMIT = 1_000_000  # past any store's SQL LIMIT (a 64-bit integer) and any screen


def _positive(text: str) -> int:
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else 0
    if not 1 <= value <= MAX_LIMIT:
        shown = repr(text[:20]) + ("…" if len(text) > 20 else "")
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_LIMIT:,}, got {shown}")
    return value


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools import calls_view as view
    from voice_receipts.tools.when import DEFAULT_ZONE, parse_since, parse_zone

    tz, label = parse_zone(args.tz or DEFAULT_ZONE)
    since = parse_since(args.since, tz) if args.since else None
    settings = read_settings(args)
    with open_store(settings.store, settings, read_only=True) as store:
        if args.callid:
            call = store.call(args.callid)
            if call is None:
                print(f"no receipts for call {args.callid!r} in {store.name}", file=sys.stderr)
                return 1
            print(printable_json(call.as_dict(), indent=2) if args.json else view.render(call, tz, label))
            return 0
        filters = {"limit": args.limit, "since": since, "state": args.state}
        if args.phone:
            found = store.calls_for_phone(args.phone, **filters)
            what = f"calls to {view.printable(view.mask_phone(args.phone))}"
        elif args.context:
            found = store.calls_for_context(args.context, **filters)
            what = f"calls sent for {view.printable(args.context)!r}"
        else:
            found = store.calls(**filters)
            what = "calls"
    if args.json:
        print(printable_json([c.as_dict() for c in found], indent=2))
        return 0
    if not found:
        print(f"no {what} in the {store.name} store{_filters(args)}")
        return 0
    print(f"{len(found)} {what}, newest first{_filters(args)}; {view.zone_line(label)}")
    print(view.HEADER)
    for call in found:
        print(view.line(call, tz))
    return 0


def _filters(args: argparse.Namespace) -> str:
    parts = [f"since {args.since}" if args.since else "", f"state {args.state}" if args.state else ""]
    return "".join(f" ({p})" for p in parts if p)
