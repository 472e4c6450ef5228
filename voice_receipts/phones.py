"""One phone normaliser, used on write (Receipt.phone, every store's phone column) and on query
(`show --phone`, calls_for_phone), so a number is found however it was typed.

VMS's `mobile` is the national form ("13800138000") beside `nationcode` ("86"); people type
"13800138000", "+86 138 0013 8000", "0086-138-0013-8000" or "+8613800138000". All of them are
"+8613800138000". Only ASCII digits count: a full-width or Arabic-Indic digit is not a digit a
phone network dials, and accepting it would store a number no receipt ever matches.
"""

from __future__ import annotations

import re

DEFAULT_NATION = "86"  # VMS calls mainland China numbers only
# separators people type between groups of digits; nothing else is dropped
_SEPARATORS = re.compile(r"[ \t\-.()/]")
_DIGITS = re.compile(r"[0-9]+")
MIN_DIGITS, MAX_DIGITS = 7, 15  # E.164: at most 15 digits with the country code; none has under 7


class NotAPhone(ValueError):
    """The text cannot be a phone number; the message says why, never echoes the digits."""


def normalise(text: str, nation: str | None = DEFAULT_NATION) -> str:
    """A typed or received number as E.164 ("+8613800138000"), or NotAPhone.

    "+" or "00" starts an international number; anything else is national, in `nation`
    (86 unless the receipt's nationcode says otherwise). A national trunk "0" is not dropped:
    mobiles in China have none, and guessing one away would merge two numbers.
    """
    compact = _SEPARATORS.sub("", text.strip())
    if compact.startswith("+"):
        digits, international = compact[1:], True
    elif compact.startswith("00"):
        digits, international = compact[2:], True
    else:
        digits, international = compact, False
    if not digits:
        raise NotAPhone("no digits")
    if not _DIGITS.fullmatch(digits):
        raise NotAPhone("only the digits 0-9, spaces, hyphens and a leading + or 00")
    if not international:
        prefix = _SEPARATORS.sub("", nation or DEFAULT_NATION).lstrip("+")
        if not _DIGITS.fullmatch(prefix):
            raise NotAPhone("the nation code is not digits")
        # a national number that already starts with its nation code ("8613800138000", 13 digits
        # for China's 11-digit mobiles) is taken as international: VMS's mobile field never has it
        if not (prefix == DEFAULT_NATION and len(digits) == 13 and digits.startswith(prefix)):
            digits = prefix + digits
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise NotAPhone(f"a phone number has {MIN_DIGITS} to {MAX_DIGITS} digits with its nation code")
    return "+" + digits


def of_receipt(mobile: str | None, nationcode: str | None) -> str | None:
    """Receipt.phone: the normalised number, or None without a mobile. A mobile that is not a
    number (real payloads drift) keeps the old concatenation, so nothing stored is lost from
    lookups by the exact text."""
    if not mobile:
        return None
    try:
        return normalise(mobile, nationcode or DEFAULT_NATION)
    except NotAPhone:
        return f"+{nationcode or ''}{mobile}"
