"""postgresql://USER@HOST:PORT/DB: PostgreSQL 15+ (RDS, Aurora, self-hosted), with psycopg 3.

psycopg's pure-Python layer needs libpq on the machine, which neither Lambda's Python 3.13 nor
SCF's 3.10 runtime has: the package ships psycopg-binary, whose wheels bring their own libpq
(requirements-postgresql.txt says what that costs). What is shared with MySQL (schema,
statements, connection rules) is in sql.py and sql_store.py; here are the driver's settings and
its TABLE.
"""

from __future__ import annotations

from typing import Any

import voice_receipts.stores.period as period
import voice_receipts.stores.sql as sql
from voice_receipts.stores.sql_store import RECONNECT, REFUSED, RETRY, UNAVAILABLE, SQLStore

# SQLSTATE (or its two-character class) -> (outcome, meaning); "connection": a failure to connect
# or a connection lost, which libpq reports without a SQLSTATE
TABLE: dict[Any, tuple[str, str]] = {
    # every receipt would meet these: stop the start
    "28P01": (REFUSED, "refuses the user or password"),
    "28000": (REFUSED, "refuses the user (pg_hba.conf)"),
    "3D000": (REFUSED, "has no such database"),
    "42P01": (REFUSED, "has no receipts table: run `python -m voice_receipts db init`"),
    "42703": (REFUSED, "has an older receipts table: run `python -m voice_receipts db init`"),
    "tls": (REFUSED, "offers no TLS, or not with that certificate (sslmode in the URL)"),
    "42501": (REFUSED, "refuses the user INSERT on the receipts table, or CONNECT (docs/stores.md)"),
    # the connection is gone or not yet possible: a new one, while the receipt waits
    "08": (RECONNECT, "lost the connection"),
    "53300": (RECONNECT, "has too many connections"),
    "57P01": (RECONNECT, "is shutting down"),
    "57P02": (RECONNECT, "crashed"),
    "57P03": (RECONNECT, "is starting up"),
    "57P05": (RECONNECT, "closed the idle connection"),
    "connection": (RECONNECT, "cannot be reached"),
    # a race lost to another writer: the statement again
    "40P01": (RETRY, "chose this statement as a deadlock victim"),
    "40001": (RETRY, "could not serialise the statement"),
    # 503 now: the sender retries later
    "25006": (UNAVAILABLE, "is read-only (failover? default_transaction_read_only?)"),
    "55P03": (UNAVAILABLE, "timed out waiting for a lock"),
    "57014": (UNAVAILABLE, "ran out of statement time"),
    "53": (UNAVAILABLE, "is out of resources"),
    "timeout": (UNAVAILABLE, "did not answer in time"),
}

# A failed connect carries the server's FATAL message but no SQLSTATE: its words -> the SQLSTATE
CONNECT_FAILURES = (
    ("password authentication failed", "28P01"),
    ("no pg_hba.conf entry", "28000"),
    ("does not exist", "3D000"),  # database "x" does not exist (a missing role fails the password)
    ("permission denied for database", "42501"),
    ("too many clients", "53300"),
    ("connection slots are reserved", "53300"),
    ("starting up", "57P03"),
    ("does not support SSL", "tls"),  # sslmode=require or verify-*, and a server without TLS
    ("certificate verify failed", "tls"),
    ("shutting down", "57P01"),
)


class PostgreSQLStore(SQLStore):
    name = "postgresql"
    TABLE = TABLE
    SCHEMA = sql.POSTGRESQL
    DIALECT = period.POSTGRESQL
    INSERT = sql.INSERT + sql.ON_CONFLICT
    REHEARSAL = sql.rehearsal(tuple(t.split()[0] for t in SCHEMA.columns.values())) + sql.ON_CONFLICT

    def _open(self, connect_timeout: float) -> Any:
        a, t = self.address, self._timeouts
        ms = {name: int(t[name] * 1000) for name in ("read_timeout", "idle_timeout")}
        db = _connection_class().connect(
            host=a.socket or a.host,
            port=a.port,
            user=a.user,
            password=a.password or None,
            dbname=a.database,
            autocommit=True,  # each INSERT is its own transaction, committed before 200
            # no server-side prepared statements: one INSERT is the whole round trip, and a
            # connection proxy (RDS Proxy, PgBouncer) would pin the session for a named one
            prepare_threshold=None,
            connect_timeout=max(2, round(connect_timeout)),  # libpq: whole seconds, 2 at least
            sslmode=a.sslmode or "prefer",
            sslrootcert=a.sslrootcert,
            client_encoding="UTF8",
            application_name="voice-receipts",
            # the server ends what runs too long, and a session idle too long (a paused
            # database can pause); the socket gives up on a peer that stopped answering
            options=f"-c statement_timeout={ms['read_timeout']} -c lock_timeout={ms['read_timeout']}"
            f" -c idle_session_timeout={ms['idle_timeout']}",
            tcp_user_timeout=ms["read_timeout"],
            keepalives=1,  # pragma: no mutate (libpq's default is on, and any other number is on too)
            keepalives_idle=max(1, int(t["read_timeout"] / 2)),
            keepalives_interval=1,
            keepalives_count=3,
        )
        db.read_timeout = t["read_timeout"]
        return db

    def _code(self, exc: BaseException) -> Any:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None
        if isinstance(exc, psycopg.errors.ConnectionTimeout | _wait_timeout()):
            return "timeout" if not isinstance(exc, psycopg.errors.ConnectionTimeout) else "connection"
        state = exc.sqlstate
        if state is None:  # a failed connect or a lost connection: libpq's message alone
            text = str(exc)
            return next((code for words, code in CONNECT_FAILURES if words in text), "connection")
        return state if state in TABLE else state[:2] if state[:2] in TABLE else state

    def _insert(self, db: Any, params: tuple[Any, ...]) -> bool:
        return self._execute(db, self.INSERT, params) == 1


def _wait_timeout() -> type:
    import psycopg

    return getattr(psycopg.errors, "_WaitTimeout", psycopg.errors.ConnectionTimeout)


_CONNECTION: type | None = None


def _connection_class() -> Any:
    """psycopg's Connection whose every wait for the server ends after `read_timeout` seconds.

    psycopg has no read timeout of its own: a server that stopped answering (a frozen host, a
    network gone quiet) would hold the receipt until the function's timeout. Its `wait` takes one;
    the cursor calls it without, so the subclass gives it. A connection that timed out is in an
    unknown state and is dropped (sql_store.py drops every connection a failure came from)."""
    global _CONNECTION
    if _CONNECTION is None:
        import psycopg

        class Connection(psycopg.Connection):
            read_timeout = 10.0  # pragma: no mutate (_open sets each connection's before its first wait)

            def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
                return super().wait(gen, interval, self.read_timeout if timeout is None else timeout)

        _CONNECTION = Connection
    return _CONNECTION
