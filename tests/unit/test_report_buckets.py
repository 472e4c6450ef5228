"""The report's buckets: a period's length picks day, week, month or year; counts by UTC hour only
where the reader's zone is whole hours from UTC (a half-hour zone would put an hour on two days)."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from voice_receipts.tools.report.data import Buckets, bucket_of, whole_hours

NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def test_the_period_picks_the_bucket():
    assert [bucket_of(d) for d in (1, 62, 63, 366, 367, 3660, 3661)] == [
        "day", "day", "week", "week", "month", "month", "year",
    ]  # fmt: skip


def test_hours_only_for_a_zone_of_whole_hours():
    since = NOW - timedelta(days=7)
    assert whole_hours(ZoneInfo("Asia/Shanghai"), since, NOW)
    assert whole_hours(timezone.utc, since, NOW)
    assert not whole_hours(ZoneInfo("Asia/Kolkata"), since, NOW)  # +05:30
    kolkata = Buckets(since, NOW, ZoneInfo("Asia/Kolkata"))
    # 18:45 UTC is 00:15 the next day in Kolkata: by minute it lands there, as it must
    assert kolkata.starts[kolkata.of("2026-11-27T18:45")] == datetime(2026, 11, 28).date()
    shanghai = Buckets(since, NOW, ZoneInfo("Asia/Shanghai"))
    assert shanghai.of("2026-11-27T16") == shanghai.of("2026-11-27T16:59") == shanghai.of("2026-11-28T15:59")
