"""One parser for every lookup value (a phone number, a business id, a callid), used by the
library API and the command line alike.

An empty or blank value is an error, never "no filter": a script whose variable is unset would
otherwise list every call in the store (full numbers in --json) and, on DynamoDB, pay for a
full-table read.
"""

from __future__ import annotations

from voice_receipts import phones
from voice_receipts.errors import InvalidLookup
from voice_receipts.fields import MAX_CALLID

MAX_CONTEXT = 128  # send --context's limit too (tools/send.py): longer cannot have been sent


def phone(text: str | None, nation: str = phones.DEFAULT_NATION) -> str:
    """A number as typed -> E.164 ("+8613800138000")."""
    value = _present(text, "phone number")
    try:
        return phones.normalise(value, nation)
    except phones.NotAPhone as exc:
        raise InvalidLookup(f"not a phone number: {exc}") from None


def context(text: str | None) -> str:
    """A business id as `send --context` stored it: exactly, never trimmed (it was sent as is)."""
    value = _present(text, "context")
    if len(value) > MAX_CONTEXT:
        raise InvalidLookup(f"a context has at most {MAX_CONTEXT} characters")
    return value


def callid(text: str | None) -> str:
    value = _present(text, "callid")
    if len(value) > MAX_CALLID:
        raise InvalidLookup(f"a callid has at most {MAX_CALLID} characters")
    return value


def _present(text: str | None, what: str) -> str:
    if text is None or not isinstance(text, str) or not text.strip():
        # an empty value must not match every call
        raise InvalidLookup(f"the {what} to look up is empty; give one")
    return text
