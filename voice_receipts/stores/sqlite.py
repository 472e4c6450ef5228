"""The embedded store: one SQLite file in WAL mode, for local use and replays."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (
    callid      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (callid, event_id)
);  -- with a rowid: it is the order of arrival, for receipts stored in the same microsecond
"""


class SQLiteStore(Store):
    name = "sqlite"

    def __init__(self, path: str | Path, timeout_s: float = 5.0) -> None:
        self.path = str(path)
        self._lock = threading.Lock()  # `serve` is threaded; one connection, one writer at a time
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
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"sqlite store {self.path!r} cannot be opened: {exc}") from None

    def put(self, receipt: Receipt) -> bool:
        try:
            with self._lock:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO receipts (callid, event_id, kind, received_at, record)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (
                        receipt.callid,
                        receipt.event_id,
                        receipt.kind,
                        receipt.received_at,
                        receipt.to_json(),
                    ),
                )
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot write: {exc}") from None
        return cursor.rowcount == 1

    def receipts(self, callid: str) -> list[Receipt]:
        rows = self._query(
            "SELECT record FROM receipts WHERE callid = ? ORDER BY received_at, rowid", (callid,)
        )
        return [Receipt.from_dict(json.loads(record)) for (record,) in rows]

    def callids(self) -> list[str]:
        rows = self._query("SELECT callid FROM receipts GROUP BY callid ORDER BY MIN(received_at)")
        return [callid for (callid,) in rows]

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot read: {exc}") from None

    def close(self) -> None:
        self._db.close()
