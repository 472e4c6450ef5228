"""`show [CALLID]`: one call's timeline and summary, or every call. Reads the store only."""

from __future__ import annotations

import argparse
import sys

from voice_receipts.cli.common import settings as read_settings
from voice_receipts.display import printable, printable_json
from voice_receipts.stores import open_store


def add(sub, common) -> None:
    s = sub.add_parser("show", parents=[common], help="one call's timeline, or every call")
    s.add_argument("callid", nargs="?", help="the call to show; every call when left out")
    s.add_argument("--json", action="store_true", help="print JSON instead")
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.timeline import render, summarise

    settings = read_settings(args)
    with open_store(settings.store, settings) as store:
        if not args.callid:
            calls = [summarise(c, store.receipts(c)) for c in store.callids()]
            if args.json:
                print(printable_json(calls, indent=2))
            for call in [] if args.json else calls:
                keys = printable(" ".join(call["keys"])) or "-"  # everything from a receipt is escaped
                callid, status = printable(call["callid"]), printable(call["status"] or "-")
                print(f"{callid}  {call['type'] or '-'}  {status}  keys {keys}")
            return 0
        receipts = store.receipts(args.callid)
        if not receipts:
            print(f"no receipts for call {args.callid!r} in {store.name}", file=sys.stderr)
            return 1
        summary = summarise(args.callid, receipts)
        print(printable_json(summary, indent=2) if args.json else render(summary))
        return 0
