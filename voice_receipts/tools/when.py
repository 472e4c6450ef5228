"""Times and zones a person types (`--tz`, `--since`, `--until`), for every command: one parser,
and UsageError naming the flag for anything it cannot take, never an exception from datetime.

    tz, label = parse_zone("asia/shanghai")        # any case: Asia/Shanghai
    moment = parse_moment("7d", tz, now)           # 30m, 24h, 7d or an ISO date/time
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone, tzinfo

from voice_receipts.times import LATEST_SECONDS, to_iso
from voice_receipts.tools.errors import UsageError

DEFAULT_ZONE = "Asia/Shanghai"  # the zone of VMS and its console
# China has kept UTC+8 without daylight saving since 1991: exact when the tz database is missing
_SHANGHAI = timezone(timedelta(hours=8), "UTC+08:00")
# Every record's times are Unix-era UTC (times.iso); a moment outside these cannot match one, and
# near year 1 or 9999 converting it between zones overflows datetime
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime.fromtimestamp(LATEST_SECONDS, timezone.utc)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_SHOWN = 60  # characters of a refused value quoted back: enough to recognise it, one line


def shown(text: str) -> str:
    """A value a person typed, quoted for a one-line message: repr escapes controls and
    surrogates (undecodable argv bytes), and a long value is cut."""
    return repr(text[:_SHOWN]) + ("…" if len(text) > _SHOWN else "")


def parse_zone(name: str) -> tuple[tzinfo, str]:
    """The zone called `name`, in any case (`asia/shanghai`), and its label to print with times
    ("UTC" and "Asia/Shanghai as UTC+08:00..." too)."""
    import zoneinfo

    text = name.strip()
    if text.upper() == "UTC":
        return timezone.utc, "UTC"
    for candidate in dict.fromkeys((text, _zone_names().get(text.casefold(), text))):
        try:
            return zoneinfo.ZoneInfo(candidate), candidate
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            continue  # OSError: a name too long for a file name; ValueError: a path, a NUL
    if text.casefold() == DEFAULT_ZONE.casefold():  # no tz database here (pip install tzdata)
        return _SHANGHAI, f"{DEFAULT_ZONE} as UTC+08:00, no tz database here"
    raise UsageError(
        f"unknown time zone {shown(name)}: give an IANA name such as Asia/Shanghai or UTC"
        " (on a system without a tz database, pip install tzdata)"
    )


@functools.lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every zone the tz database has, by its case-folded name: read only when a name is not
    found as typed (it walks the database's folders)."""
    import zoneinfo

    try:
        return {name.casefold(): name for name in zoneinfo.available_timezones()}
    except OSError:
        return {}


def parse_moment(text: str, tz: tzinfo, now: datetime, flag: str = "--since") -> datetime:
    """ "30m", "24h", "7d" or an ISO date/time (a zone-less one is in `tz`) -> an aware datetime
    between 1970 and 9999-12-30 UTC."""
    value = text.strip()
    usage = f"{flag} {shown(text)}: give 30m, 24h, 7d or an ISO date/time (2026-11-01)"
    try:
        if value[:-1].isascii() and value[:-1].isdigit() and value[-1:] in _UNITS:
            if len(value) > 12:  # int() of thousands of digits is refused, and slow before that
                raise OverflowError
            moment = now - timedelta(**{_UNITS[value[-1]]: int(value[:-1])})
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
        if EARLIEST <= moment <= LATEST:
            return moment
    except ValueError:
        raise UsageError(usage) from None
    except OverflowError:
        pass  # 999999999d reaches past year 1; 0001-01-01 in UTC+8 is before year 1 in UTC
    raise UsageError(f"{flag} {shown(text)}: out of range; give a time between 1970-01-01 and 9999-12-30")


def parse_since(text: str, tz: tzinfo, now: datetime | None = None, flag: str = "--since") -> str:
    """A moment as the ISO UTC text the stores compare received_at with."""
    return to_iso(parse_moment(text, tz, now or datetime.now(timezone.utc), flag))
