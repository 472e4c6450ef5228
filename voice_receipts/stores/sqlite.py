"""The embedded store: one SQLite file in WAL mode, for local use and replays."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import voice_receipts.stores.facts as facts
import voice_receipts.stores.reads as reads
import voice_receipts.stores.sqlite_old as sqlite_old
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import PAGE, Store

if TYPE_CHECKING:
    from voice_receipts.calls import Call
    from voice_receipts.progress import Progress
    from voice_receipts.stores.facts import Cursor

MEMORY = ":memory:"  # SQLite's name for a database in memory (a module constant: no mutants)
SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (
    callid      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    record      TEXT NOT NULL,
    phone       TEXT,  -- "+" nationcode mobile (Receipt.phone), for calls_for_phone
    call_at     TEXT,  -- Receipt.call_at: listings, --since and report days walk it
    -- the fold inputs (stores/facts.py): filters and reports read these, never the record
    started_at TEXT, result TEXT, ring_seconds INTEGER, talk_seconds INTEGER, fee_minutes INTEGER,
    keypress TEXT, failure_code INTEGER, failure_reason TEXT, message TEXT,
    PRIMARY KEY (callid, event_id)
);  -- with a rowid: it is the order of arrival, for receipts stored in the same microsecond
"""
INDEXES = (
    *(
        f"CREATE INDEX IF NOT EXISTS {name} ON receipts ({columns})" + (f" WHERE {where}" if where else "")
        for name, columns, where in reads.INDEXES
    ),
    "DROP INDEX IF EXISTS receipts_by_phone",  # (phone, received_at): the covering one replaces it
    "CREATE INDEX IF NOT EXISTS receipts_by_time ON receipts (received_at)",
    # `show --context`: only `sent` records carry a context; an index on the record's own JSON
    # needs no column, so a file written before sending existed gains it like any other index
    "CREATE INDEX IF NOT EXISTS receipts_by_context"
    " ON receipts (json_extract(record, '$.context'), received_at) WHERE kind = 'sent'",
)


class SQLiteStore(Store):
    name = "sqlite"

    def __init__(self, path: str | Path, timeout_s: float = 5.0, read_only: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.Lock()  # `serve` is threaded; one connection, one writer at a time
        if read_only:
            self._open_read_only(timeout_s)
            return
        try:
            if self.path != MEMORY:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # autocommit (isolation_level=None): each INSERT is its own durable transaction
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            # busy_timeout lets several processes write the same file without "database is locked"
            # (connect's own timeout= sets the same; this line is the one place it is set)
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")  # pragma: no mutate; its case (SQL's)
            # an acknowledged receipt survives a crash (no mutants: their case, SQL's)
            self._db.execute("PRAGMA synchronous = FULL")  # pragma: no mutate
            self._db.executescript(SCHEMA)
            self._migrate()
        except (sqlite3.Error, OSError, StoreUnavailable) as exc:
            raise StoreUnavailable(f"sqlite store {self.path!r} cannot be opened: {exc}") from None

    def _migrate(self) -> None:
        # `<` for `<=` cannot be told: the table always has columns beside DERIVED (callid, ...)
        if not set(sqlite_old.DERIVED) <= self._columns():  # pragma: no mutate
            # several processes may open an old file at once: one migrates, the others see it done
            self._db.execute("BEGIN IMMEDIATE")  # pragma: no mutate; its case (SQL's)
            try:
                sqlite_old.add_columns(self._db, self._columns())
            except (sqlite3.Error, StoreUnavailable):  # StoreUnavailable: a record that is no receipt
                self._db.execute("ROLLBACK")  # pragma: no mutate; its case (SQL's)
                raise
            self._db.execute("COMMIT")  # pragma: no mutate; its case (SQL's)
        for statement in INDEXES:
            self._db.execute(statement)

    def _open_read_only(self, timeout_s: float) -> None:
        """For readers (`show`): never creates a file, never changes one."""
        if self.path == MEMORY or not Path(self.path).is_file():
            raise StoreUnavailable(f"no receipts database at {Path(self.path).absolute()}")
        try:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)  # busy_timeout below
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            columns = self._columns()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store {self.path!r} cannot be read: {exc}") from None
        if not columns:
            raise StoreUnavailable(f"{self.path} is not a receipts database (no receipts table)")
        if not set(sqlite_old.DERIVED) <= columns:  # an old file: read it through a view
            sqlite_old.view(self._db)

    def _columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(receipts)")}  # pragma: no mutate; case

    def put(self, receipt: Receipt) -> bool:
        try:
            with self._lock:
                cursor = self._db.execute(
                    INSERT,
                    (
                        receipt.callid,
                        receipt.event_id,
                        receipt.kind,
                        receipt.received_at,
                        receipt.to_json(),
                        *sqlite_old.columns_of(receipt),
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

    def walk(
        self,
        cursor: Cursor | None,
        *,
        since: str | None = None,
        until: str | None = None,
        phone: str | None = None,
        failed: bool = False,
        page: int = PAGE,
    ) -> list[Cursor]:
        return self._query(*reads.walk_query("?", cursor, since, until, phone, failed, page))

    def facts_of(self, callids: list[str]) -> list[facts.Facts]:
        if not callids:
            return []
        return list(facts.grouped(self._query(reads.fold_inputs_of("?", len(callids)), tuple(callids))))

    def calls_of(self, callids: list[str]) -> list[Call]:
        from voice_receipts.calls import Call

        if not callids:
            return []
        by_call: dict[str, list[Receipt]] = {c: [] for c in callids}
        for callid, record in self._query(reads.records_of("?", len(callids)), tuple(callids)):
            by_call[callid].append(Receipt.from_dict(json.loads(record)))
        return [call for rs in by_call.values() if (call := Call.fold(rs)) is not None]

    def period_facts(self, since: str, until: str | None = None) -> Iterator[facts.Facts]:
        params = (since,) if until is None else (since, until)
        for f in facts.grouped(self._stream(reads.period("?", until is not None), params)):
            if facts.matches(f, since, until, None):
                yield f

    def period_aggregates(
        self, since: str, until: str | None = None, hourly: bool = False
    ) -> facts.Aggregates:
        """The report's counts (stores/period.py) over a temporary table of one row a call, which
        SQLite keeps (memory: its page cache; the rest spills to a temporary file): keys and odd
        calls by GROUP BY, the counts by time and by shape tallied as the rows stream past."""
        from collections import Counter

        import voice_receipts.stores.period as period  # a report's SQL: never on the receive path

        params = (since,) if until is None else (since, until)
        # most of the store in the period: one pass over receipts_fold beats probing it per call;
        # counting the window stops at that share (an index range of at most that many entries)
        # the table's size at once (max(rowid)); coalesce: an empty table's max is NULL
        (total,) = self._query("SELECT coalesce(max(rowid), 0) FROM receipts")[0]  # pragma: no mutate
        mostly = int(reads.MOSTLY * total)
        share = self._query(reads.in_window("?", until is not None), (*params, mostly))[0][0]
        within = share < mostly
        sql = period.calls(period.SQLITE, within, until is not None)
        width = 13 if hourly else 16
        try:
            with self._lock:
                self._db.execute("PRAGMA cache_size = -32768")  # pragma: no mutate; 32 MiB: index pages
                self._db.execute("DROP TABLE IF EXISTS temp.period_calls")  # pragma: no mutate
                self._db.execute(
                    f"CREATE TEMP TABLE period_calls AS {sql}", (params if within else ()) + params
                )
                rows = {
                    name: period.tallied(
                        name, Counter(self._db.execute(period.TALLIES[name].format(width=width)))
                    )
                    if name in period.TALLIES
                    else self._db.execute(a.select(period.SQLITE, width)).fetchall()
                    for name, a in period.AGGREGATES.items()
                }
                self._db.execute("DROP TABLE temp.period_calls")  # pragma: no mutate
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot read: {exc}") from None
        return self._add_odd(facts.Aggregates.of_rows(rows, width), [c for (c,) in rows["odd"]], since, until)

    def callids_for_context(self, context: str, limit: int) -> list[str]:
        if context != context.encode(errors="replace").decode():
            return []  # a lone surrogate (undecodable command-line bytes): no stored context has one
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

    def _stream(self, sql: str, params: tuple[Any, ...], size: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Rows a batch at a time from their own cursor: a report's memory stays one batch."""
        try:
            with self._lock:
                cursor = self._db.execute(sql, params)
            while True:
                with self._lock:
                    rows = cursor.fetchmany(size)
                if not rows:
                    return
                yield from rows
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store cannot read: {exc}") from None

    def close(self) -> None:
        self._db.close()


_COLUMNS = ("callid", "event_id", "kind", "received_at", "record", *sqlite_old.DERIVED)
INSERT = f"INSERT OR IGNORE INTO receipts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"  # noqa: S608
_BETWEEN = "received_at >= ? AND received_at < ?"


def _receipts(rows: list[tuple[Any, ...]]) -> list[Receipt]:
    return [Receipt.from_dict(json.loads(record)) for (record,) in rows]
