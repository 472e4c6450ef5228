"""`db init`: create or migrate a SQL store's schema, idempotently (sql.py holds the schema).

Run by a person or a deploy step with a user that may create tables, never by the function at
its cold start (its user may only INSERT: docs/stores.md). A second run changes nothing and says
so. Migrating adds what an older table lacks (a column, an index); it never drops or rewrites.
"""

from __future__ import annotations

from typing import Any

from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError
from voice_receipts.stores import open_store
from voice_receipts.stores.sql import INDEXES, TABLE, Schema
from voice_receipts.stores.sql_store import SQLStore


def init(settings: Settings) -> list[str]:
    """Create what the store's database lacks; returns what was done (empty: nothing to do)."""
    store = open_store(settings.store, settings)
    with store:
        if not isinstance(store, SQLStore):
            raise ConfigError(
                f"db init is for mysql:// and postgresql:// stores; a {store.name} store needs no schema"
            )
        return store.run(lambda db: _init(db, store.SCHEMA), "create the schema")


def _init(db: Any, schema: Schema) -> list[str]:
    done = []
    with db.cursor() as cursor:
        cursor.execute(schema.list_columns)
        columns = {name for (name,) in cursor.fetchall()}
        if not columns:
            cursor.execute(schema.create_table())
            done.append(f"created table {TABLE}")
        for name in schema.columns:
            if columns and name not in columns:
                cursor.execute(schema.add_column(name))
                done.append(f"added column {TABLE}.{name}")
        cursor.execute(schema.list_indexes)
        indexes = {name for (name,) in cursor.fetchall()}
        for name, on in INDEXES:
            if name not in indexes:
                cursor.execute(schema.create_index(name, on))
                done.append(f"created index {name} ({on})")
    return done
