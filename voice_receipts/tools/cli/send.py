"""`send code|tts`: place a call through the VMS API and record it; prints the CallId.

Exit statuses (docs/sending.md): 0 sent and recorded; 2 configuration or usage; 3 input refused
before sending; 4 refused by VMS; 5 rate-limited by VMS; 6 VMS unreachable or silent; 7 sent but
not recorded (the CallId is still printed on stdout).
"""

from __future__ import annotations

import argparse
import json
import sys

from voice_receipts.display import printable
from voice_receipts.tools.cli.common import settings as read_settings
from voice_receipts.tools.errors import SendInvalid, SendNotRecorded


def add(sub, common) -> None:
    s = sub.add_parser(  # --store and -v go on `code` and `tts`: a parent's would be overwritten
        "send",
        help="send a voice code or notification through VMS and record it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = s.add_subparsers(dest="message", required=True, metavar="code|tts")
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--to", required=True, metavar="+86…", help="mainland China mobile, E.164")
    shared.add_argument(
        "--context", metavar="ID", help="your id for this call (order, login…): `show --context`"
    )
    shared.add_argument("--play-times", type=int, default=2, metavar="N", help="1 to 3 (default 2)")
    shared.add_argument("--json", action="store_true", help="print the result as JSON")
    code = what.add_parser("code", parents=[common, shared], help="a verification code (digits)")
    code.add_argument("--code", required=True, help="the digits to read out; '-' reads them from stdin")
    tts = what.add_parser("tts", parents=[common, shared], help="a notification from an approved template")
    tts.add_argument("--template", required=True, metavar="ID", help="the approved template's id")
    tts.add_argument(
        "--param", action="append", default=[], metavar="VALUE", help="a template parameter, in order"
    )
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools.send import send_code, send_tts

    settings = read_settings(args)
    options = {"play_times": args.play_times, "context": args.context, "settings": settings}
    try:
        if args.message == "code":
            sent = send_code(args.to, _code(args.code), **options)
        else:
            sent = send_tts(args.to, args.template, args.param, **options)
    except SendNotRecorded as exc:
        print(printable(exc.call_id))  # on stdout as on success: a script keeps the CallId either way
        raise
    if args.json:
        print(json.dumps({"call_id": sent.call_id, "request_id": sent.request_id, "context": sent.context}))
    else:
        call_id = printable(sent.call_id)  # VMS's, so escaped like anything else from outside
        print(call_id)
        print(f"sent and recorded in {settings.store.scheme}; follow it with:", file=sys.stderr)
        print(f"  python -m voice_receipts show {call_id}", file=sys.stderr)
    return 0


def _code(value: str) -> str:
    """`--code -` keeps the code out of the shell history and the process list."""
    if value != "-":
        return value
    try:
        line = sys.stdin.readline().strip()
    except (OSError, ValueError):  # stdin closed, or bytes that are not text
        raise SendInvalid("--code - reads the code from stdin, and stdin could not be read") from None
    if not line:
        raise SendInvalid("--code - reads the code from stdin, and stdin had none")
    return line
