"""`explain CODE`: what a code means, in the spec's Chinese and in English.

CODE is a callback failure code (voice_failure_callback's failure_code, 1-31), a legacy numeric
send-error code of the spec (10001, 1031, 3014…), or a VMS API 3.0 error code
(LimitExceeded.DeliveryFrequencyLimit). Without CODE, every code is listed. Exit 1 for a code
nobody lists.
"""

from __future__ import annotations

import argparse

from voice_receipts import codes
from voice_receipts.display import printable
from voice_receipts.tools.vms_codes import (
    API_ERRORS,
    COMMON_ERRORS,
    LEGACY_TO_API,
    SEND_ERROR_CODES_EN,
    api_error_text,
)

# The longest code any table lists is under 60 characters; int() of thousands of digits raises
MAX_CODE = 100


def add(sub, common) -> None:
    e = sub.add_parser(
        "explain",
        help="what a failure, send-error or VMS API error code means",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("code", nargs="?", help="e.g. 5, 10013 or LimitExceeded.DeliveryFrequencyLimit")
    e.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.code is None:
        print("\n\n".join(explain(str(c)) or "" for c in (*codes.FAILURE_CODES, *codes.SEND_ERROR_CODES)))
        print()
        print("\n\n".join(explain(c) or "" for c in (*API_ERRORS, *COMMON_ERRORS)))
        return 0
    text = explain(args.code.strip()) if len(args.code) <= MAX_CODE else None
    if text is None:
        shown = printable(args.code[:MAX_CODE]) + ("…" if len(args.code) > MAX_CODE else "")
        print(f"'{shown}' is not a code the spec or the VMS API lists (run `explain` alone for every code)")
        return 1
    print(text)
    return 0


def explain(code: str) -> str | None:
    """Lines for a person, or None when no table lists `code`."""
    if code.isascii() and code.isdigit():
        number = int(code)
        if number in codes.FAILURE_CODES:
            return _lines(
                f"{number}: callback failure code (voice_failure_callback failure_code, 推送回执相关错误码)",
                codes.FAILURE_CODES[number],
                codes.FAILURE_CODES_EN[number],
            )
        if number in codes.SEND_ERROR_CODES:
            api = LEGACY_TO_API[number]
            return _lines(
                f"{number}: send error of the legacy send API (发送语音消息相关错误码)",
                codes.SEND_ERROR_CODES[number],
                SEND_ERROR_CODES_EN[number],
                f"in VMS API 3.0: {api}",
            )
        return None
    if code in API_ERRORS:
        zh, en = API_ERRORS[code]
        legacy = [str(n) for n, api in LEGACY_TO_API.items() if api == code]
        also = f"legacy send API: {', '.join(legacy)}" if legacy else None
        return _lines(f"{code}: VMS API 3.0 error (2020-09-02)", zh, en, also)
    if code in COMMON_ERRORS:
        return _lines(f"{code}: common error of every Tencent Cloud API 3.0", None, COMMON_ERRORS[code])
    family = api_error_text(code)
    if "." in code and family is not None:
        head = code.split(".", 1)[0]
        return _lines(f"{printable(code)}: not listed; its family {head} means", None, family)
    return None


def _lines(title: str, zh: str | None, en: str, *more: str | None) -> str:
    lines = [title]
    if zh:
        lines.append(f"  zh  {zh}")
    lines.append(f"  en  {en}")
    lines.extend(f"  {m}" for m in more if m)
    return "\n".join(lines)
