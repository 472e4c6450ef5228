"""`replay PATH...`: send files of receipts through the production handler, one line per item."""

from __future__ import annotations

import argparse
from collections import Counter

from voice_receipts.cli.common import settings
from voice_receipts.display import printable
from voice_receipts.runtime import build_app


def add(sub, common) -> None:
    r = sub.add_parser("replay", parents=[common], help="send files of receipts through the handler")
    r.add_argument("paths", nargs="+", help="JSON files, JSON Lines files (.jsonl) and folders")
    r.add_argument("--expect", metavar="TOML", help="check each item's status against this file")
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.replay import expected_for, load_expected, replay

    app = build_app(settings(args), log_level="INFO" if args.verbose else "WARNING")
    expected = load_expected(args.expect) if args.expect else None
    outcomes: Counter[str] = Counter()
    failed = 0
    for r in replay(app, args.paths):
        outcomes[r.outcome] += 1
        errmsg = printable(r.errmsg)  # it may name a file, or say what a receipt held
        detail = "" if r.accepted else f"  {r.status} {errmsg}" if r.status else f"  {errmsg}"
        if expected is None:
            failed += not r.accepted
        else:  # with --expect, an item fails when it is answered other than recorded
            want = expected_for(expected, r.source)
            if want is None or want.get("status") != r.status:
                failed += 1
                detail += f"  UNEXPECTED (expected {want.get('status') if want else 'no entry'})"
            elif not r.accepted:
                detail += "  (as expected)"
        # a file name, a rejected callid: anything not ours is escaped before a terminal sees it
        source, callid, kind = printable(r.source), printable(r.callid or "-"), printable(r.kind or "-")
        print(f"{source}  {callid}  {kind}  {r.outcome}{detail}")
    total = sum(outcomes.values())
    summary = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    print(f"replayed {total} item(s) into {app.store.name}: {summary or 'nothing'}")
    if expected is not None:
        print(f"{total - failed} of {total} answered as {args.expect} expects")
    return 0 if total and not failed else 1
