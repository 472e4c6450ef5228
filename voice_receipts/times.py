"""Times as every record spells them: ISO 8601 UTC with a "Z"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# 9999-12-30T00:00:00Z: later moments are junk, and shown in a zone east of UTC they would pass
# year 9999 and overflow datetime (the raw value is still kept in the receipt)
LATEST_SECONDS = 253_402_128_000


def iso(seconds: int | None) -> str | None:
    """Unix seconds -> "2016-08-03T04:00:21Z"; None for a moment that cannot be a date."""
    if seconds is None or seconds > LATEST_SECONDS:
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None  # a time past year 9999 is junk; the raw value is still kept


def parse_iso(text: str) -> datetime:
    """The inverse of iso()/utc_now(); "Z" spelled out because Python 3.10 (SCF) cannot read it."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_iso(moment: datetime) -> str:
    """An aware datetime as every record spells received_at: UTC, microseconds, "Z"."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def utc_now() -> str:
    # microseconds: a call's key presses arrive within milliseconds of each other, and every
    # store orders a call's receipts by this
    return to_iso(datetime.now(timezone.utc))


def later(moment: str, seconds: int) -> str:
    """An ISO moment `seconds` later, spelled as records spell it."""
    return to_iso(parse_iso(moment) + timedelta(seconds=seconds))
