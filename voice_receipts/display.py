"""What a receipt may show a person or a log: masked numbers, text safe for a terminal.

The stored record always keeps what VMS sent; only what is printed or logged goes through here.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_VISIBLE = 5  # characters of a number left readable: enough to tell calls apart, never to dial


def mask_mobile(mobile: str | None) -> str | None:
    """Hide most of any number, whatever its country: fewer than half its characters stay
    visible, at most MAX_VISIBLE (13800138000 -> 138******00, 612345678 -> 61*****78)."""
    if not mobile:
        return mobile
    n = len(mobile)
    visible = min(MAX_VISIBLE, (n - 1) // 2) if n > 4 else 0
    tail = visible // 2
    head = visible - tail
    return mobile[:head] + "*" * (n - visible) + (mobile[n - tail :] if tail else "")


def mask_phone(phone: str | None) -> str | None:
    """+8613800138000 -> +86 138******00 when the country code is known, else the number masked."""
    if not phone:
        return phone
    if phone.startswith("+86") and len(phone) == 14:
        return "+86 " + (mask_mobile(phone[3:]) or "")
    return mask_mobile(phone)


# Unicode's Bidi_Control property (PropList.txt, tested against it in tests/unit/test_display.py):
# each of these reorders what a terminal shows after it, digits included
BIDI_CONTROLS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# lone surrogates (an argv byte that is not UTF-8, a file name): a UTF-8 stream cannot write them
SURROGATES = r"\ud800-\udfff"
# C0 and C1 control characters, DEL, bidi controls, surrogates
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}{SURROGATES}]")


def printable(text: object) -> str:
    """Text safe to write to a terminal: control characters as \\x.. / \\u.... escapes, so a
    receipt holding ESC ] 52 (set the clipboard) or a bidi override shows as text."""
    value = "" if text is None else str(text)
    return _UNSAFE.sub(_escape, value)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# what json.dumps(ensure_ascii=False) leaves raw but a terminal acts on; only inside strings
_UNSAFE_IN_JSON = re.compile(rf"[\x7f-\x9f{BIDI_CONTROLS}{SURROGATES}]")


def printable_json(value: Any, **dumps: Any) -> str:
    """JSON for a terminal that still decodes to exactly `value`: json.dumps escapes C0 controls,
    and DEL, C1, bidi controls and lone surrogates become \\u.... escapes here; other text stays
    readable."""
    text = json.dumps(value, ensure_ascii=False, **dumps)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# A vendor's error code in a reply or a log line: the characters codes are made of, nothing a
# response could smuggle in (the vendor's message is never used: it may echo the request)
_NOT_IN_A_CODE = re.compile(r"[^A-Za-z0-9._:-]")


def safe_code(code: str) -> str:
    """A vendor's error code cut to safe characters, at most 64 ("" when none is left)."""
    return _NOT_IN_A_CODE.sub("", code)[:64]
