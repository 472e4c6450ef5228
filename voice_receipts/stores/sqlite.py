"""The embedded store: one SQLite file in WAL mode, for local use and replays."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store

if TYPE_CHECKING:
    from voice_receipts.progress import Progress

SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (
    callid      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    record      TEXT NOT NULL,
    phone       TEXT,  -- "+" nationcode mobile (Receipt.phone), for calls_for_phone
    PRIMARY KEY (callid, event_id)
);  -- with a rowid: it is the order of arrival, for receipts stored in the same microsecond
"""
INDEXES = (
    "CREATE INDEX IF NOT EXISTS receipts_by_phone ON receipts (phone, received_at)",
    "CREATE INDEX IF NOT EXISTS receipts_by_time ON receipts (received_at)",
    # `show --context`: only `sent` records carry a context; an index on the record's own JSON
    # needs no column, so a file written before sending existed gains it like any other index
    "CREATE INDEX IF NOT EXISTS receipts_by_context"
    " ON receipts (json_extract(record, '$.context'), received_at) WHERE kind = 'sent'",
)
# Files written before the phone column: add it and fill it from each stored record, the way
# Receipt.phone derives it (no number without a mobile).
MIGRATE_PHONE = (
    "ALTER TABLE receipts ADD COLUMN phone TEXT",
    "UPDATE receipts SET phone = '+' || coalesce(json_extract(record, '$.nationcode'), '')"
    " || json_extract(record, '$.mobile') WHERE coalesce(json_extract(record, '$.mobile'), '') <> ''",
)
# What a read-only connection to a file older than the column uses instead
_PHONE_OF_RECORD = (
    "CASE WHEN coalesce(json_extract(record, '$.mobile'), '') <> '' THEN '+' ||"
    " coalesce(json_extract(record, '$.nationcode'), '') || json_extract(record, '$.mobile') END"
)


class SQLiteStore(Store):
    name = "sqlite"

    def __init__(self, path: str | Path, timeout_s: float = 5.0, read_only: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.Lock()  # `serve` is threaded; one connection, one writer at a time
        self._phone = "phone"
        if read_only:
            self._open_read_only(timeout_s)
            return
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # autocommit (isolation_level=None): each INSERT is its own durable transaction
            self._db = sqlite3.connect(
                self.path, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            # busy_timeout lets several processes write the same file without "database is locked"
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")  # an acknowledged receipt survives a crash
            self._db.executescript(SCHEMA)
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"sqlite store {self.path!r} cannot be opened: {exc}") from None

    def _migrate(self) -> None:
        if "phone" not in self._columns():
            # several processes may open an old file at once: one migrates, the others see it done
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if "phone" not in self._columns():
                    for statement in MIGRATE_PHONE:
                        self._db.execute(statement)
            except sqlite3.Error:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        for statement in INDEXES:
            self._db.execute(statement)

    def _open_read_only(self, timeout_s: float) -> None:
        """For readers (`show`): never creates a file, never changes one."""
        if self.path == ":memory:" or not Path(self.path).is_file():
            raise StoreUnavailable(f"no receipts database at {Path(self.path).absolute()}")
        try:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=timeout_s, check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            columns = self._columns()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store {self.path!r} cannot be read: {exc}") from None
        if not columns:
            raise StoreUnavailable(f"{self.path} is not a receipts database (no receipts table)")
        if "phone" not in columns:
            self._phone = _PHONE_OF_RECORD

    def _columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(receipts)")}

    def put(self, receipt: Receipt) -> bool:
        try:
            with self._lock:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO receipts"
                    " (callid, event_id, kind, received_at, record, phone) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        receipt.callid,
                        receipt.event_id,
                        receipt.kind,
                        receipt.received_at,
                        receipt.to_json(),
                        receipt.phone,
                    ),
                )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot write: {exc}") from None
        return cursor.rowcount == 1

    def receipts(self, callid: str) -> list[Receipt]:
        rows = self._query(
            "SELECT record FROM receipts WHERE callid = ? ORDER BY received_at, rowid", (callid,)
        )
        return _receipts(rows)

    def receipts_between(
        self, since: str, until: str | None = None, progress: Progress | None = None
    ) -> Iterator[Receipt]:
        # one query on receipts_by_time: fast whatever the file's size, so no progress to tell
        where, params = ("received_at >= ?", (since,)) if until is None else (_BETWEEN, (since, until))
        sql = f"SELECT record FROM receipts WHERE {where} ORDER BY received_at, rowid"  # noqa: S608 - constants
        return iter(_receipts(self._query(sql, params)))

    def callids(self, since: str | None = None) -> list[str]:
        rows = self._query(
            "SELECT callid FROM receipts GROUP BY callid HAVING MIN(received_at) >= ?"
            " ORDER BY MIN(received_at) DESC",
            (since or "",),
        )
        return [callid for (callid,) in rows]

    def callids_for_phone(self, phone: str, limit: int) -> list[str]:
        rows = self._query(
            f"SELECT callid FROM receipts WHERE {self._phone} = ? GROUP BY callid"  # noqa: S608 - a constant
            " ORDER BY MAX(received_at) DESC LIMIT ?",
            (phone, limit),
        )
        return [callid for (callid,) in rows]

    def callids_for_context(self, context: str, limit: int = 50) -> list[str]:
        # the WHERE repeats the index's own expression and condition, so SQLite uses it
        rows = self._query(
            "SELECT callid FROM receipts WHERE kind = 'sent' AND json_extract(record, '$.context') = ?"
            " ORDER BY received_at DESC LIMIT ?",
            (context, limit),
        )
        return [callid for (callid,) in rows]

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot read: {exc}") from None

    def close(self) -> None:
        self._db.close()


_BETWEEN = "received_at >= ? AND received_at < ?"


def _receipts(rows: list[tuple[Any, ...]]) -> list[Receipt]:
    return [Receipt.from_dict(json.loads(record)) for (record,) in rows]
