"""python -m voice_receipts replay | show | serve"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

from voice_receipts import config, logs
from voice_receipts.app import App
from voice_receipts.errors import VoiceReceiptsError
from voice_receipts.stores import open_store


def _app(args: argparse.Namespace) -> App:
    """The same App the handler builds, from the environment with --store on top (the process's
    environment itself is left as it is)."""
    settings = config.load_settings({**os.environ, **({config.STORE: args.store} if args.store else {})})
    app = App(settings, open_store(settings.store_url, settings))
    # the CLI prints its own report; per-request JSON lines only when asked for
    logs.configure("INFO" if args.verbose else "WARNING")
    return app


def cmd_replay(args: argparse.Namespace) -> int:
    from voice_receipts.replay import expected_for, load_expected, replay

    app = _app(args)
    expected = load_expected(args.expect) if args.expect else None
    outcomes: Counter[str] = Counter()
    failed = 0
    for r in replay(app, args.paths):
        outcomes[r.outcome] += 1
        detail = "" if r.accepted else f"  {r.status} {r.errmsg}"
        if expected is None:
            failed += not r.accepted
        else:  # with --expect, an item fails when it is answered other than recorded
            want = expected_for(expected, r.source)
            if want is None or want.get("status") != r.status:
                failed += 1
                detail += f"  UNEXPECTED (expected {want.get('status') if want else 'no entry'})"
            elif not r.accepted:
                detail += "  (as expected)"
        print(f"{r.source}  {r.callid or '-'}  {r.kind or '-'}  {r.outcome}{detail}")
    total = sum(outcomes.values())
    summary = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    print(f"replayed {total} item(s) into {app.store.name}: {summary or 'nothing'}")
    if expected is not None:
        print(f"{total - failed} of {total} answered as {args.expect} expects")
    return 0 if total and not failed else 1


def cmd_show(args: argparse.Namespace) -> int:
    from voice_receipts.timeline import render, summarise

    app = _app(args)
    if not args.callid:
        calls = [summarise(c, app.store.receipts(c)) for c in app.store.callids()]
        if args.json:
            print(json.dumps(calls, ensure_ascii=False, indent=2))
        for call in [] if args.json else calls:
            keys = " ".join(call["keys"]) or "-"
            print(f"{call['callid']}  {call['type'] or '-'}  {call['status'] or '-'}  keys {keys}")
        return 0
    receipts = app.store.receipts(args.callid)
    if not receipts:
        print(f"no receipts for call {args.callid!r} in {app.store.name}", file=sys.stderr)
        return 1
    summary = summarise(args.callid, receipts)
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from voice_receipts.server import make_server

    app = _app(args)
    logs.configure(app.settings.log_level)  # a server logs every request, as in the cloud
    server = make_server(app, args.host, args.port, app.settings.max_body_bytes)
    host, port = server.server_address[:2]
    print(f"voice-receipts listening on http://{host}:{port}/ (store: {app.store.name})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m voice_receipts", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    default = f"${config.STORE}, else {config.DEFAULT_LOCAL_STORE}"
    common.add_argument("--store", help=f"store URL (default: {default})")
    common.add_argument("-v", "--verbose", action="store_true", help="print the per-request log lines")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("replay", parents=[common], help="send files of receipts through the handler")
    r.add_argument("paths", nargs="+", help="JSON files, JSON Lines files (.jsonl) and folders")
    r.add_argument("--expect", metavar="TOML", help="check each item's status against this file")
    r.set_defaults(func=cmd_replay)

    s = sub.add_parser("show", parents=[common], help="one call's timeline, or every call")
    s.add_argument("callid", nargs="?", help="the call to show; every call when left out")
    s.add_argument("--json", action="store_true", help="print one JSON object instead")
    s.set_defaults(func=cmd_show)

    v = sub.add_parser("serve", parents=[common], help="a local HTTP endpoint running the handler")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8000)
    v.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except VoiceReceiptsError as exc:  # config and store errors: one clear line, no traceback
        print(f"voice-receipts: {exc.message}", file=sys.stderr)
        return 2
