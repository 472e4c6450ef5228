"""`replay PATH...`: send files of receipts through the production handler, one line per item;
with --url, to a deployed endpoint over HTTP(S) instead (a smoke test after a deploy)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from voice_receipts.display import printable
from voice_receipts.tools.cli.common import settings


def add(sub, common) -> None:
    r = sub.add_parser("replay", parents=[common], help="send files of receipts through the handler")
    r.add_argument("paths", nargs="+", help="JSON files, JSON Lines files (.jsonl) and folders")
    r.add_argument("--expect", metavar="TOML", help="check each item's status against this file")
    r.add_argument(
        "--url",
        metavar="URL",
        help="send to this endpoint over HTTP(S) instead, as VMS would "
        "(https://.../voice/callback?token=...; the token is never printed)",
    )
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools.replay import expected_for, load_expected

    expected = load_expected(args.expect) if args.expect else None
    results, target, close = _results(args)
    outcomes: Counter[str] = Counter()
    failed = 0
    try:
        for r in results:
            outcomes[r.outcome] += 1
            errmsg = printable(r.errmsg)  # it may name a file, or say what a receipt held
            detail = "" if r.accepted else f"  {r.status} {errmsg}" if r.status else f"  {errmsg}"
            if r.outcome == "skipped":
                pass  # cannot travel over HTTP: neither a failure nor a match
            elif expected is None:
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
            print(f"{source}  {callid}  {kind}  {r.outcome}{detail}", flush=True)
    finally:
        close()
    total = sum(outcomes.values())
    checked = total - outcomes["skipped"]
    summary = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    print(f"replayed {total} item(s) into {target}: {summary or 'nothing'}")
    if expected is not None:
        print(f"{checked - failed} of {checked} answered as {args.expect} expects")
    return 0 if checked and not failed else 1


def _results(args: argparse.Namespace):
    """(results, what they went to, how to clean up): the local handler, or the URL."""
    if args.url:
        from voice_receipts.tools.endpoint import Endpoint, send_all

        endpoint = Endpoint(args.url)
        if endpoint.in_clear:
            print(
                f"warning: {endpoint.shown} is plain http: the token crosses the network unencrypted",
                file=sys.stderr,
            )
        return send_all(endpoint, args.paths), endpoint.shown, endpoint.close
    from voice_receipts.runtime import build_app
    from voice_receipts.tools.replay import replay

    app = build_app(settings(args), log_level="INFO" if args.verbose else "WARNING")
    return replay(app, args.paths), app.store.name, lambda: None
