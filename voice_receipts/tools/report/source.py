"""Where the report's receipts come from: the store, opened read-only as `show` opens it, read
through Store.receipts_between (SQLite: an indexed query; DynamoDB: a parallel Scan, billed for
every item of the table: stores/dynamodb_scan.py; a queue cannot be read back)."""

from __future__ import annotations

from datetime import datetime

from voice_receipts.config import Settings, StoreURL
from voice_receipts.progress import Progress
from voice_receipts.receipt import Receipt
from voice_receipts.stores import open_store
from voice_receipts.times import to_iso


def read(store: StoreURL, settings: Settings, since: datetime, until: datetime) -> list[Receipt]:
    """Every receipt received in [since, until), oldest first; a long read shows a bar on a
    terminal and says what it cost."""
    progress = Progress(minimum=0, every=1, label="{done} items scanned")
    try:
        with open_store(store, settings, read_only=True) as opened:
            return list(opened.receipts_between(to_iso(since), to_iso(until), progress))
    finally:
        progress.close()
