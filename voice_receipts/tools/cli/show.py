"""`show`: one call, the calls to one number, or recent calls. Reads the store only."""

from __future__ import annotations

import argparse
import sys

from voice_receipts import lookups
from voice_receipts.display import printable_json
from voice_receipts.errors import InvalidLookup
from voice_receipts.states import MEANING, STATES, CallState, parse_state
from voice_receipts.stores import open_store
from voice_receipts.tools.cli.common import settings as read_settings
from voice_receipts.tools.errors import UsageError


def add(sub, common) -> None:
    s = sub.add_parser(
        "show",
        parents=[common],
        help="one call, the calls to a number, or recent calls",
        description="Times are in one zone, printed with them; a call's timeline shows when each"
        " receipt arrived here, its summary the times VMS reported.",
    )
    s.add_argument("callid", nargs="?", help="the call to show; recent calls when left out")
    s.add_argument(
        "--phone",
        metavar="NUMBER",
        help="calls to this number: 13800138000 (nation code 86), +86 138 0013 8000, 0086-138...",
    )
    s.add_argument("--context", metavar="ID", help="calls sent with `send --context ID`")
    s.add_argument(
        "--since",
        metavar="WHEN",
        help="calls placed since (a call's time: when VMS says it started, else when it was first"
        " heard of): 30m, 24h, 7d or an ISO time",
    )
    s.add_argument("--until", metavar="WHEN", help="calls placed before this, as --since")
    s.add_argument(
        "--state",
        type=_state,
        metavar="STATE",
        help="only calls in this state: " + "; ".join(f"{s.value}: {MEANING[s]}" for s in STATES),
    )
    s.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N calls (default 50)")
    s.add_argument("--tz", default=None, metavar="ZONE", help="time zone (default Asia/Shanghai)")
    s.add_argument("--json", action="store_true", help="print Call objects as JSON instead")
    s.set_defaults(run=run)


def _state(text: str) -> CallState:
    try:
        return parse_state(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


MAX_LIMIT = 1_000_000  # past any store's SQL LIMIT (a 64-bit integer) and any screen


def _positive(text: str) -> int:
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else 0
    if not 1 <= value <= MAX_LIMIT:
        shown = repr(text[:20]) + ("…" if len(text) > 20 else "")
        raise argparse.ArgumentTypeError(
            f"must be a whole number of at least 1 and at most {MAX_LIMIT:,}, got {shown}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools import calls_view as view
    from voice_receipts.tools.when import DEFAULT_ZONE, parse_since, parse_zone

    try:  # every lookup value checked before the store is opened: empty never means "everything"
        phone = lookups.phone(args.phone) if args.phone is not None else None
        context = lookups.context(args.context) if args.context is not None else None
        callid = lookups.callid(args.callid) if args.callid is not None else None
    except InvalidLookup as exc:
        raise UsageError(exc.message) from None
    tz, label = parse_zone(args.tz or DEFAULT_ZONE)
    since = parse_since(args.since, tz) if args.since else None
    until = parse_since(args.until, tz, flag="--until") if args.until else None
    settings = read_settings(args)
    with open_store(settings.store, settings, read_only=True) as store:
        if callid is not None:
            call = store.call(callid)
            if call is None:
                print(f"no receipts for call {view.printable(callid)!r} in {store.name}", file=sys.stderr)
                return 1
            print(printable_json(call.as_dict(), indent=2) if args.json else view.render(call, tz, label))
            return 0
        filters = {"limit": args.limit, "since": since, "until": until, "state": args.state}
        if phone is not None:
            found = store.calls_for_phone(phone, **filters)
            what = f"calls to {view.printable(view.mask_phone(phone))}"
        elif context is not None:
            found = store.calls_for_context(context, **filters)
            what = f"calls sent for {view.printable(context)!r}"
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
    parts = [f"since {args.since}" if args.since else "", f"until {args.until}" if args.until else ""]
    parts.append(f"state {args.state}" if args.state else "")
    return "".join(f" ({p})" for p in parts if p)
