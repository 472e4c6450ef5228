"""open_store(url): the one place a store URL becomes a backend.

Backends are imported only when chosen, so a function configured for one cloud never pays the
import time of another cloud's SDK on a cold start.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError
from voice_receipts.stores.base import Store

SCHEMES = ("sqlite", "dynamodb", "sqs", "cmq")


def open_store(url: str, settings: Settings | None = None) -> Store:
    settings = settings or Settings(store_url=url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        from voice_receipts.stores.sqlite import SQLiteStore

        return SQLiteStore.from_url(url)
    if scheme == "dynamodb":
        from voice_receipts.stores.dynamodb import DynamoDBStore

        return DynamoDBStore.from_url(url, settings)
    if scheme == "sqs":
        from voice_receipts.stores.sqs import SQSStore

        return SQSStore.from_url(url, settings)
    if scheme == "cmq":
        from voice_receipts.stores.cmq import CMQStore

        return CMQStore.from_url(url, settings)
    raise ConfigError(f"store URL scheme {scheme!r} is not one of {', '.join(SCHEMES)}")
