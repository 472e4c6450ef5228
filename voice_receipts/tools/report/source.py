"""Where the report's calls come from: the store, opened read-only as `show` opens it, read through
Store.period_facts (SQLite and the SQL stores: one indexed query streamed in callid order;
DynamoDB: Queries on the by-day index, an hour at a time; a queue cannot be read back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from voice_receipts.config import Settings, StoreURL
from voice_receipts.stores import open_store
from voice_receipts.stores.facts import Facts
from voice_receipts.times import to_iso


def read(store: StoreURL, settings: Settings, since: datetime, until: datetime) -> Iterator[Facts]:
    """The facts of every call placed in [since, until) (Call.at), streamed."""
    with open_store(store, settings, read_only=True) as opened:
        yield from opened.period_facts(to_iso(since), to_iso(until))
