"""mysql://USER@HOST:PORT/DB: MySQL 8, MariaDB 10.11, TDSQL-C for MySQL (Serverless), with PyMySQL.

PyMySQL is pure Python: one wheel for SCF's Python 3.10 on x86_64 and Lambda's 3.13 on arm64,
nothing to compile, ~100 KB in the package. What is shared with PostgreSQL (schema, statements,
connection rules) is in sql.py and sql_store.py; here are the driver's settings and its TABLE.
"""

from __future__ import annotations

import functools
from typing import Any

import voice_receipts.stores.period as period
import voice_receipts.stores.sql as sql
from voice_receipts.stores.sql_store import RECONNECT, REFUSED, RETRY, UNAVAILABLE, SQLStore

DUPLICATE_KEY = 1062  # ER_DUP_ENTRY: the (callid, event_id) is stored already
# Strict: a value that does not fit is an error, never a silently changed receipt
SQL_MODE = "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION"

# MySQL/MariaDB error number (client errors are 2000-2999) -> (outcome, meaning)
TABLE: dict[Any, tuple[str, str]] = {
    # every receipt would meet these: stop the start
    1044: (REFUSED, "refuses the user this database"),
    1045: (REFUSED, "refuses the user or password"),
    1049: (REFUSED, "has no such database"),
    1054: (REFUSED, "has an older receipts table: run `python -m voice_receipts db init`"),
    1142: (REFUSED, "refuses the user INSERT on the receipts table (docs/stores.md)"),
    1146: (REFUSED, "has no receipts table: run `python -m voice_receipts db init`"),
    1251: (REFUSED, "wants an authentication method the driver lacks"),
    2026: (REFUSED, "offers no TLS, or not with that certificate (sslmode in the URL)"),
    # the connection is gone or not yet possible: a new one, while the receipt waits
    1040: (RECONNECT, "has too many connections"),
    1053: (RECONNECT, "is shutting down"),
    1203: (RECONNECT, "has too many connections for this user"),
    1927: (RECONNECT, "killed the connection"),
    4031: (RECONNECT, "closed the idle connection"),
    2003: (RECONNECT, "cannot be reached"),
    2006: (RECONNECT, "has gone away"),
    2013: (RECONNECT, "lost the connection"),
    2014: (RECONNECT, "is out of step with the connection"),
    "closed": (RECONNECT, "connection was closed"),
    # a race lost to another writer: the statement again
    1213: (RETRY, "chose this statement as a deadlock victim"),
    # 503 now: the sender retries later
    1205: (UNAVAILABLE, "timed out waiting for a lock"),
    1290: (UNAVAILABLE, "is read-only (failover?)"),
    1836: (UNAVAILABLE, "is read-only (failover?)"),
    1792: (UNAVAILABLE, "is in a read-only transaction"),
    3024: (UNAVAILABLE, "ran out of statement time"),
    1153: (UNAVAILABLE, "refuses a packet this large (max_allowed_packet)"),
}


class MySQLStore(SQLStore):
    name = "mysql"
    TABLE = TABLE
    SCHEMA = sql.MYSQL
    DIALECT = period.MYSQL

    def _open(self, connect_timeout: float) -> Any:
        a, t = self.address, self._timeouts
        return _connection_class()(
            host=a.host or "localhost",
            port=a.port,
            unix_socket=a.socket,
            user=a.user,
            # bytes: PyMySQL would encode a str as latin-1, and a non-ASCII password would fail
            password=(a.password or "").encode("utf-8"),  # pragma: no mutate
            database=a.database,
            # 4-byte UTF-8 on the connection (emoji), not MySQL's 3-byte utf8; PyMySQL's default
            # too, and it lower-cases the name: said, not relied on
            charset="utf8mb4",  # pragma: no mutate
            collation="utf8mb4_bin",
            autocommit=True,  # each INSERT is its own transaction, committed before 200
            connect_timeout=connect_timeout,
            read_timeout=t["read_timeout"],
            write_timeout=t["read_timeout"],
            local_infile=False,  # a server asking for a file gets nothing
            init_command=f"SET SESSION sql_mode = '{SQL_MODE}', wait_timeout = {int(t['idle_timeout'])}",
            **_tls(a.sslmode, a.sslrootcert),
        )

    def _code(self, exc: BaseException) -> Any:
        import pymysql

        if isinstance(exc, pymysql.err.InterfaceError):  # "(0, '')": used after it closed
            return "closed"
        if isinstance(exc, pymysql.err.MySQLError) and exc.args and isinstance(exc.args[0], int):
            if exc.args[0] == 2003 and "[SSL" in str(exc):  # a refused certificate, reported as
                return 2026  # "can't connect": waiting would not change the certificate
            return exc.args[0]
        return None

    def _insert(self, db: Any, params: tuple[Any, ...]) -> bool:
        import pymysql

        try:
            self._execute(db, self.INSERT, params)
        except pymysql.err.IntegrityError as exc:
            if exc.args and exc.args[0] == DUPLICATE_KEY:
                return False
            raise
        return True


def _tls(sslmode: str | None, rootcert: str | None) -> dict[str, Any]:
    """libpq's sslmode words as PyMySQL's arguments, with libpq's meanings. Unset and `prefer`:
    PyMySQL's own default, TLS when the server offers it; `require` refuses a server without TLS
    but checks no certificate, unless `sslrootcert` names a CA, when it is `verify-ca` (as libpq
    does); the verify modes check it against `sslrootcert` (or the system's)."""
    if sslmode == "disable":
        return {"ssl_disabled": True}
    if sslmode in (None, "prefer"):
        return {}
    if sslmode == "require" and not rootcert:
        return {"ssl": unverified_tls()}
    import ssl

    context = ssl.create_default_context(cafile=rootcert)
    if sslmode in ("verify-ca", "require"):
        context.check_hostname = False
    return {"ssl": context}


def unverified_tls() -> Any:
    """TLS that checks no certificate (`prefer`, `require`), on a context without a trust store.
    ssl.create_default_context() loads the system's CAs (144 here: 20 to 35 ms, the largest part of
    a MySQL function's connect, bench/RESULTS.md), which such a session never consults."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # TLS 1.2 at least, as the default context
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


@functools.cache  # built once per process, on the first connect
def _connection_class() -> Any:
    """PyMySQL's Connection, whose "preferred" TLS (no ssl argument: TLS when the server offers
    it, nothing verified) gets unverified_tls() instead of a context that loads the trust store.
    If PyMySQL ever stops building that context through _create_ssl_ctx({}), the override is not
    called: the same TLS, slower, and tests/functional/test_store_mysql_tls.py fails to say so."""
    from pymysql.connections import Connection

    class PreferredTLS(Connection):  # type: ignore[misc]
        def _create_ssl_ctx(self, sslp: Any) -> Any:
            return unverified_tls() if sslp == {} else super()._create_ssl_ctx(sslp)

    return PreferredTLS
