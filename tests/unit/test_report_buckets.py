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


def test_weeks_start_on_monday_and_months_on_the_first():
    since = datetime(2026, 9, 2, tzinfo=timezone.utc)  # a Wednesday
    weeks = Buckets(since, since + timedelta(days=70), timezone.utc)
    assert weeks.unit == "week" and weeks.starts[0] == datetime(2026, 8, 31).date()  # the Monday before
    assert {start.weekday() for start in weeks.starts} == {0}
    months = Buckets(since, since + timedelta(days=400), timezone.utc)
    assert months.unit == "month" and months.starts[:2] == [
        datetime(2026, 9, 1).date(),
        datetime(2026, 10, 1).date(),
    ]
