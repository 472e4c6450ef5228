"""Where the report's numbers come from: the store, opened read-only as `show` opens it, through
Store.period_aggregates (SQLite: GROUP BYs in the database, reads.py; DynamoDB: Queries on the
by-day index, an hour at a time, counted as they stream; a queue cannot be read back)."""

from __future__ import annotations

from datetime import datetime

from voice_receipts.config import Settings, StoreURL
from voice_receipts.stores import open_store
from voice_receipts.stores.facts import Aggregates
from voice_receipts.times import to_iso


def read(store: StoreURL, settings: Settings, since: datetime, until: datetime) -> Aggregates:
    """What the report counts of every call placed in [since, until) (Call.at)."""
    with open_store(store, settings, read_only=True) as opened:
        return opened.period_aggregates(to_iso(since), to_iso(until))
