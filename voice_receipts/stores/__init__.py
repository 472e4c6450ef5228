"""open_store(url): the one place a store URL becomes a backend.

Backends are imported only when chosen, so a function configured for one cloud never pays the
import time of another cloud's SDK on a cold start.
"""

from __future__ import annotations

from voice_receipts.config import Settings, StoreURL, db_password
from voice_receipts.stores.base import Store


def open_store(url: str | StoreURL, settings: Settings | None = None, *, read_only: bool = False) -> Store:
    """A store for `url` ("sqlite:///receipts.db", "dynamodb://TABLE", "mysql://USER@HOST/DB",
    ...). `settings` gives
    what a backend needs beyond the URL (region, retention, credentials); default: none.

    `read_only=True` is for readers: a SQLite file is opened read-only and must exist ("no
    receipts database at PATH" otherwise), never created. Other backends create nothing anyway.
    """
    parsed = url if isinstance(url, StoreURL) else StoreURL.parse(url, origin="store URL")
    settings = settings or Settings(store=parsed)
    if parsed.scheme == "sqlite":
        from voice_receipts.stores.sqlite import SQLiteStore

        return SQLiteStore(parsed.target, read_only=read_only)
    if parsed.scheme == "dynamodb":
        from voice_receipts.stores.dynamodb import DynamoDBStore

        return DynamoDBStore.open(parsed.target, settings)
    if parsed.scheme == "mysql":
        from voice_receipts.stores.mysql import MySQLStore  # PyMySQL only: never psycopg

        return MySQLStore(_with_password(parsed, settings))
    if parsed.scheme == "postgresql":
        from voice_receipts.stores.postgresql import PostgreSQLStore  # psycopg only: never PyMySQL

        return PostgreSQLStore(_with_password(parsed, settings))
    if parsed.scheme == "sqs":
        from voice_receipts.stores.sqs import SQSStore

        return SQSStore.open(parsed.target, settings)
    from voice_receipts.stores.cmq import CMQStore  # StoreURL.parse admits no other scheme

    return CMQStore.open(parsed.target, settings)


def _with_password(url: StoreURL, settings: Settings) -> StoreURL:
    """A SQL URL without a password takes the one config.py read (VOICE_RECEIPTS_DB_PASSWORD):
    the settings' own URL has it already; a URL given alone (the library) reads the environment."""
    if url.password is None and settings.store == url:  # equal whatever their passwords
        url = settings.store
    return url.with_password(db_password())


__all__ = ["Store", "open_store"]
