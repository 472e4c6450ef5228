"""SQLStore: the connection rules both SQL stores keep; mysql.py and postgresql.py add a driver.

- One connection per process, reused by every invocation, opened on first use (never at import).
- The server closes it after `idle_timeout` seconds without a statement (the session's own idle
  timeout, set at connect): a function left idle lets a TDSQL-C Serverless cluster pause. The
  store knows the time too, and opens a new one instead of first failing on the closed one.
- A receipt waits for the database, `wait` seconds at most (a paused cluster wakes "in seconds",
  a failover or a restart takes about as long): lost connections, refused connects and a full
  server are tried again, with a fresh connection, until then. Every attempt has its connect and
  read timeouts, so nothing hangs. Trying an INSERT again is safe: insert-if-absent on
  (callid, event_id) stores a receipt once, however many attempts reached the server.
- Each driver's errors are translated by its TABLE (error code -> outcome, what it means):

      RECONNECT    the connection is gone or cannot be had yet: a new one, while the wait lasts
      RETRY        the statement lost a race (deadlock): again, while the wait lasts
      UNAVAILABLE  503 now (a read-only server, a timeout)
      REFUSED      every receipt would meet it (bad password, no table, no privilege): 503 on a
                   receipt, and a ConfigError from warm() that stops the function's start

  and anything the driver raises that no row names is UNAVAILABLE: a 503, never a 500.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import voice_receipts.stores.reads as reads
import voice_receipts.stores.sql as sql
from voice_receipts import logs
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.store_url import SQLAddress, StoreURL
from voice_receipts.stores.base import PAGE, Store

if TYPE_CHECKING:
    from voice_receipts.calls import Call
    from voice_receipts.progress import Progress
    from voice_receipts.receipt import Receipt
    from voice_receipts.stores.facts import Aggregates, Cursor, Facts
    from voice_receipts.stores.period import Dialect

RECONNECT, RETRY, UNAVAILABLE, REFUSED = "reconnect", "retry", "unavailable", "refused"
FIRST_PAUSE, LONGEST_PAUSE = 0.05, 1.0  # seconds between attempts, doubling


class SQLStore(Store):
    name = "sql"
    #: the driver's error code -> (outcome, what it means for the receipt); see each backend
    TABLE: dict[Any, tuple[str, str]] = {}
    SCHEMA: sql.Schema = sql.MYSQL
    INSERT = sql.INSERT
    REHEARSAL = sql.rehearsal()
    DIALECT: Dialect  # the report's SQL (stores/period.py)

    def __init__(self, url: StoreURL) -> None:
        self.url = url
        self.address = SQLAddress.of(url)
        self.where = str(url)  # the password shown as ***
        self._timeouts = self.address.timeouts
        self._db: Any = None
        self._last_used = 0.0
        self._lock = threading.Lock()  # `serve` is threaded: one connection, one statement at a time

    # -- what a backend implements ---------------------------------------------------------------

    def _open(self, connect_timeout: float) -> Any:
        """A new autocommit connection, its session set up (character set, idle timeout)."""
        raise NotImplementedError

    def _code(self, exc: BaseException) -> Any:
        """The key of TABLE that `exc` is, or None."""
        raise NotImplementedError

    def _insert(self, db: Any, params: tuple[Any, ...]) -> bool:
        """Insert if absent: True when stored now, False when it already was."""
        raise NotImplementedError

    # -- the Store API ---------------------------------------------------------------------------

    def put(self, receipt: Receipt) -> bool:
        params = sql.row(receipt)
        return bool(self.run(lambda db: self._insert(db, params), "store the receipt"))

    def warm(self, receipt: Receipt) -> None:
        """Connect and rehearse the INSERT (storing nothing) at init. A failure every receipt
        would meet stops the start (ConfigError); a database that cannot answer right now (a
        paused cluster) is a StoreUnavailable, which runtime.py only logs: the receipt waits."""
        params = sql.row(receipt)
        with self._lock:
            try:
                db = self._connection(time.monotonic() + self._timeouts["connect_timeout"])
                self._execute(db, self.REHEARSAL, params)
                self._last_used = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - every driver failure is translated here
                outcome, what = self._translate(exc)
                self._drop()
                message = f"the {self.name} store at {self.where} {what}"
                if outcome == REFUSED:
                    raise ConfigError(message) from None
                raise StoreUnavailable(message) from None

    def receipts(self, callid: str) -> list[Receipt]:
        return list(sql.records(self._rows(sql.RECEIPTS, (callid,))))

    def callids(self, since: str | None = None) -> list[str]:
        query, params = (sql.CALLIDS_ALL, ()) if since is None else (sql.CALLIDS_SINCE, (since, since))
        return [sql.decoded(callid) for (callid,) in self._rows(query, params)]

    def callids_for_phone(self, phone: str, limit: int) -> list[str]:
        rows = self._rows(sql.CALLIDS_FOR_PHONE, (sql.encoded(phone), limit))
        return [sql.decoded(callid) for (callid,) in rows]

    def callids_for_context(self, context: str, limit: int) -> list[str]:
        rows = self._rows(sql.CALLIDS_FOR_CONTEXT, (sql.encoded(context), limit))
        return [sql.decoded(callid) for (callid,) in rows]

    def receipts_between(
        self, since: str, until: str | None = None, progress: Progress | None = None
    ) -> Iterator[Receipt]:
        del progress  # one indexed query: nothing long enough to report progress on
        query, params = sql.between(since, until)
        return sql.records(self._rows(query, params))

    # -- by a call's time: the index walks SQLite uses too (stores/reads.py) -------------------

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
        key = sql.encoded(phone) if phone is not None else None
        text, params = reads.walk_query("%s", cursor, since, until, key, failed, page)
        # one number's walk reads receipts_by_phone (phone, call_at): EXPLAINed on both servers
        index = "receipts_by_call_at" if key is None else "receipts_by_phone"
        rows = self._rows(sql.Query(text, index), params)
        return [(sql.decoded(at), sql.decoded(callid)) for at, callid in rows]

    def calls_of(self, callids: list[str]) -> list[Call]:
        """A page of calls in one IN query on the primary key."""
        found: dict[str, list[Receipt]] = {c: [] for c in callids}
        if callids:
            query = sql.Query(reads.records_of("%s", len(callids)), "primary key")
            for callid, record in self._rows(query, tuple(callids)):
                found[sql.decoded(callid)].extend(sql.records([(record,)]))
        return _folded(found.values())

    def period_facts(self, since: str, until: str | None = None) -> Iterator[Facts]:
        from voice_receipts.stores.sql_period import period_facts

        return period_facts(self, since, until)

    def period_aggregates(self, since: str, until: str | None = None, hourly: bool = False) -> Aggregates:
        from voice_receipts.stores.sql_period import period_aggregates

        return period_aggregates(self, since, until, hourly)

    def disconnect(self) -> None:
        """Drop the connection (SnapStart's restore; tests): the next statement opens a new one."""
        with self._lock:
            self._drop()

    def close(self) -> None:
        self.disconnect()

    # -- the rules -------------------------------------------------------------------------------

    def _rows(self, query: sql.Query, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        def select(db: Any) -> list[tuple[Any, ...]]:
            with db.cursor() as cursor:
                cursor.execute(query.sql, params)
                return list(cursor.fetchall())

        rows: list[tuple[Any, ...]] = self.run(select, "read")
        return rows

    def _execute(self, db: Any, statement: str, params: tuple[Any, ...]) -> int:
        with db.cursor() as cursor:
            cursor.execute(statement, params)
            return int(cursor.rowcount)

    def run(self, work: Callable[[Any], Any], doing: str) -> Any:
        """`work(connection)` under the store's rules: the connection reused or opened, waited
        for while the database wakes, every failure translated; `doing` names it in errors.
        Every statement of the store goes through here (and `db init`'s, tools/db.py)."""
        deadline = time.monotonic() + self._timeouts["wait"]
        pause = FIRST_PAUSE
        with self._lock:
            while True:
                try:
                    return work(self._connection(deadline))
                except Exception as exc:  # noqa: BLE001 - every driver failure is translated here
                    outcome, what = self._translate(exc)
                    if outcome != RETRY:
                        self._drop()  # in an unknown state: never reused
                    if outcome in (RECONNECT, RETRY) and time.monotonic() + pause < deadline:
                        logs.log.info("%s store: %s; trying again in %.2f s", self.name, what, pause)
                        time.sleep(pause)
                        pause = min(pause * 2, LONGEST_PAUSE)
                        continue
                    message = f"the {self.name} store at {self.where} cannot {doing}: {what}"
                    raise StoreUnavailable(message) from None
                finally:
                    self._last_used = time.monotonic()

    def _connection(self, deadline: float) -> Any:
        # the server closes a session idle for idle_timeout: don't send a receipt down a closed one
        if self._db is not None and time.monotonic() - self._last_used > self._timeouts["idle_timeout"] - 1:
            self._drop()
        if self._db is None:
            left = deadline - time.monotonic()
            self._db = self._open(max(1.0, min(self._timeouts["connect_timeout"], left)))
            self._last_used = time.monotonic()
        return self._db

    def _drop(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            # closing a broken connection may fail: it is gone either way
            with contextlib.suppress(Exception):
                db.close()

    def _translate(self, exc: BaseException) -> tuple[str, str]:
        code = self._code(exc)
        outcome, meaning = self.TABLE.get(code, (UNAVAILABLE, type(exc).__name__))
        detail = " ".join(str(exc).split())[:300]
        if self.address.password:  # no driver is known to quote it; never find out in a log
            detail = detail.replace(self.address.password, "***")
        return outcome, f"{meaning} ({code if code is not None else 'no code'}: {detail})"


def _folded(groups: Iterable[Sequence[Any]]) -> list[Call]:
    from voice_receipts.calls import Call

    return [call for receipts in groups if (call := Call.fold(receipts)) is not None]
