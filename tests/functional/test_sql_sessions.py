"""What a SQL store's connection is, as the server, the socket and the driver see it: the session
settings mysql.py and postgresql.py ask for at connect (docs/stores.md), on the session's servers.

The URL's timeouts become the server's (MySQL's wait_timeout; PostgreSQL's statement, lock and
idle-session timeouts), the socket's (PostgreSQL's keepalives and TCP user timeout: a peer that
went quiet is given up on) and the driver's; the session is UTF-8, strict, autocommitted, and
nothing the function's environment says (PG* variables) changes it.
"""

from __future__ import annotations

import os
import socket

import pytest

import voice_receipts.stores.sql as sql
from tests import samples
from tests.sqlservers import ADMIN_PASSWORD, free_port
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store

RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback", callid="call-sessions")))
SQL_MODE = "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION"  # a value that does not fit is an error


def one(db, query: str):
    with db.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()


# -- MySQL ----------------------------------------------------------------------------------------


def test_a_mysql_session_is_strict_binary_utf8mb4_and_autocommitted(sql_session_store):
    """Strict (nothing silently truncated), 4-byte UTF-8 compared byte for byte, each statement
    committed on its own (before the 200), and the server closes it after the URL's idle_timeout."""
    store = sql_session_store("mysql", idle_timeout="7")
    found = store.run(
        lambda db: one(
            db,
            "SELECT @@session.sql_mode, @@session.wait_timeout, @@character_set_connection,"
            " @@collation_connection, @@autocommit, 'a' = 'A'",
        ),
        "read",
    )
    assert found == (SQL_MODE, 7, "utf8mb4", "utf8mb4_bin", 1, 0)
    # asked for, not left to the server's default (which a server's configuration may turn off)
    assert store._db.autocommit_mode is True


def test_mysql_gives_up_on_a_silent_socket_after_read_timeout_both_ways(sql_session_store):
    """PyMySQL's socket timeouts, which the server cannot see: reading (a statement the server
    does not answer) and writing (a server that stopped reading) both end after read_timeout."""
    store = sql_session_store("mysql", read_timeout="4")
    db = store.run(lambda db: db, "read")
    assert (db._read_timeout, db._write_timeout) == (4.0, 4.0)


def test_a_mysql_socket_url_connects_through_the_socket(sql_session_store):
    """`socket=PATH`: the unix socket, not HOST:PORT (here a port where nothing listens)."""
    shared = sql_session_store("mysql")
    port, path = free_port(), shared.server.socket
    store = open_store(f"mysql://admin:{ADMIN_PASSWORD}@127.0.0.1:{port}/{shared.database}?socket={path}")
    try:
        assert store.run(lambda db: one(db, "SELECT USER()"), "read")[0] == "admin@localhost"
    finally:
        store.close()


def test_a_socket_url_without_a_host_names_localhost_as_mysql_clients_do(tmp_path):
    """An error on `mysql://USER@/DB?socket=PATH` says where it tried as the mysql client would."""
    store = open_store(f"mysql://admin@/receipts?socket={tmp_path}/no.sock")
    with pytest.raises(StoreUnavailable, match="Can't connect to MySQL server on 'localhost'"):
        store.warm(RECEIPT)


def test_a_mysql_user_without_a_password_connects_without_one(sql_session_store):
    store = sql_session_store("mysql")
    user = f"np_{store.database}"
    store.server.execute(f"CREATE USER '{user}'@'%'", f"GRANT SELECT ON {store.database}.* TO '{user}'@'%'")
    nopw = open_store(store.server.url(user, store.database))
    try:
        assert nopw.run(lambda db: one(db, "SELECT CURRENT_USER()"), "read")[0] == f"{user}@%"
    finally:
        nopw.close()
        store.server.execute(f"DROP USER '{user}'@'%'")


def test_a_mysql_server_asking_for_a_local_file_gets_nothing(sql_session_store, tmp_path):
    """LOAD DATA LOCAL lets a server read any file the function can: the store never offers it."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the function's files stay its own\n")
    store = sql_session_store("mysql")
    table = f"infile_{os.getpid()}"

    def load(db):
        with db.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (line TEXT)")
            cursor.execute(f"LOAD DATA LOCAL INFILE '{secret}' INTO TABLE {table}")

    with pytest.raises(StoreUnavailable, match="(?i)local infile|not allowed"):
        store.run(load, "read")
    assert store.server.execute(f"SELECT COUNT(*) FROM {table}", database=store.database) == ((0,),)
    store.server.execute(f"DROP TABLE {table}", database=store.database)


def test_a_row_mysql_refuses_is_an_error_never_already_stored(sql_session_store):
    """Only a duplicate key means "stored before"; any other refused INSERT is a 503 the sender
    retries, never a 200 for a receipt that was not stored."""
    store = sql_session_store("mysql")
    params = (None, *sql.row(RECEIPT)[1:])  # callid NOT NULL: error 1048, an IntegrityError
    with pytest.raises(StoreUnavailable, match="IntegrityError \\(1048"):
        store.run(lambda db: store._insert(db, params), "store the receipt")


# -- PostgreSQL -----------------------------------------------------------------------------------


def settings(db) -> dict[str, str]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN"
            " ('statement_timeout', 'lock_timeout', 'idle_session_timeout', 'client_encoding')"
        )
        return dict(cursor.fetchall())


def socket_options(db) -> dict[str, int]:
    """The TCP options libpq set on the connection's socket."""
    sock = socket.socket(fileno=os.dup(db.pgconn.socket))
    try:
        tcp = {name: getattr(socket, name) for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT")}
        found = {name: sock.getsockopt(socket.IPPROTO_TCP, option) for name, option in tcp.items()}
        found["TCP_USER_TIMEOUT"] = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT)
        found["SO_KEEPALIVE"] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
        return found
    finally:
        sock.close()


@pytest.mark.parametrize(("read_timeout", "idle"), [("1", 1), ("6", 3)])
def test_a_postgresql_session_has_the_urls_timeouts_on_the_server_and_the_socket(
    sql_session_store, read_timeout, idle
):
    """The server ends a statement, or a lock wait, that takes longer than read_timeout, and a
    session idle for idle_timeout (a paused database can pause); the socket probes a quiet peer
    after half the read timeout (a second at least), every second, three times, and gives up on
    unacknowledged data after the read timeout: a dead peer is noticed in seconds, not hours."""
    store = sql_session_store("postgresql", read_timeout=read_timeout, idle_timeout="7")
    ms = str(int(read_timeout) * 1000)
    found = store.run(lambda db: (settings(db), socket_options(db)), "read")
    assert found[0] == {
        "statement_timeout": ms,
        "lock_timeout": ms,
        "idle_session_timeout": "7000",
        "client_encoding": "UTF8",
    }
    assert found[1] == {
        "SO_KEEPALIVE": 1,
        "TCP_KEEPIDLE": idle,
        "TCP_KEEPINTVL": 1,
        "TCP_KEEPCNT": 3,
        "TCP_USER_TIMEOUT": int(ms),
    }


def test_the_environments_pg_variables_change_nothing(sql_session_store, monkeypatch, tmp_path):
    """libpq reads PG* variables for whatever a connect leaves unsaid: the store says it all. Its
    session is UTF-8 and named voice-receipts (pg_stat_activity) whatever PGCLIENTENCODING and
    PGAPPNAME say, TLS is the URL's sslmode (unset: `prefer`) whatever PGSSLMODE says, and the CA
    is the URL's sslrootcert whatever PGSSLROOTCERT says."""
    ca = tmp_path / "ca.crt"
    monkeypatch.setenv("PGCLIENTENCODING", "LATIN1")
    monkeypatch.setenv("PGAPPNAME", "someone-else")
    monkeypatch.setenv("PGSSLMODE", "require")  # this server offers no TLS: `require` would fail
    monkeypatch.setenv("PGSSLROOTCERT", str(tmp_path / "other.crt"))
    store = sql_session_store("postgresql", sslrootcert=str(ca))

    def look(db):
        found = one(
            db,
            "SELECT current_setting('client_encoding'), application_name, ssl FROM pg_stat_activity"
            " JOIN pg_stat_ssl USING (pid) WHERE pid = pg_backend_pid()",
        )
        return (*found, db.info.get_parameters().get("sslrootcert"))

    assert store.run(look, "read") == ("UTF8", "voice-receipts", False, str(ca))


def test_postgresql_never_prepares_a_statement_on_the_server(sql_session_store):
    """A connection proxy (RDS Proxy, PgBouncer) pins a session that prepared a statement: the
    same statement, run again and again, stays unnamed."""
    store = sql_session_store("postgresql")

    def repeat(db):
        with db.cursor() as cursor:
            for n in range(8):
                cursor.execute("SELECT %s::int", (n,))
            cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    assert store.run(repeat, "read") == 0
