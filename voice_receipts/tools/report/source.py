"""Where the report's numbers come from: the store, opened read-only as `show` opens it, through
Store.period_aggregates (SQLite, MySQL, PostgreSQL: the calls folded and counted in the database,
stores/period.py; DynamoDB: the by-day index read once, an hour at a time, counted as it streams;
a queue cannot be read back)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from voice_receipts.config import Settings, StoreURL
from voice_receipts.stores import open_store
from voice_receipts.stores.facts import Aggregates
from voice_receipts.times import to_iso


def read(store: StoreURL, settings: Settings, since: datetime, until: datetime, zone: tzinfo) -> Aggregates:
    """What the report counts of every call placed in [since, until) (Call.at), by UTC hour when
    the reader's zone allows it (data.whole_hours), else by minute."""
    from voice_receipts.tools.report.data import whole_hours

    with open_store(store, settings, read_only=True) as opened:
        return opened.period_aggregates(to_iso(since), to_iso(until), hourly=whole_hours(zone, since, until))
