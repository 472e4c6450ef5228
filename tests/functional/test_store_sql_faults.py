"""The SQL stores when the database misbehaves, on real servers of their own (killed, stopped,
frozen, full, read-only): a 503 the sender may retry, never a 500 and never a hang; recovery
without restarting the function; a receipt that waits for a restarting database is stored.

Each test starts a server of its own (about a second; the shared ones must stay up) and waits
on purpose (a restart, an idle timeout): 3 to 7 s each here, 9 s on a loaded machine."""

from __future__ import annotations

import threading
import time

import pytest

from tests import samples
from tests.sqlservers import create_user, fresh_database, start
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.errors import StoreUnavailable
from voice_receipts.stores import open_store

pytestmark = pytest.mark.parametrize("kind", ["mysql", "postgresql"])
OK, UNAVAILABLE = (200, {"result": 0, "errmsg": "OK"}), 503
PASSWORD = "fault-pw-1"


@pytest.fixture
def own_server():
    """own_server(kind) -> a server of this test's own, to kill and restart; removed after."""
    started = []

    def make(kind: str, **settings):
        started.append(start(kind, **settings))
        return started[-1]

    yield make
    for server in started:
        server.resume() if server.proc and server.proc.poll() is None else None
        server.remove()


def function_user(server, tag: str = "fn") -> tuple[str, str]:
    """A fresh database and an INSERT-only user on it: what the function runs as."""
    database = fresh_database(server)
    create_user(server, database, f"{tag}_{database}", PASSWORD)
    return database, f"{tag}_{database}"


def app_on(url: str) -> App:
    return App.configured(load_settings({"VOICE_RECEIPTS_STORE": url}), open_store(url))


def deliver(app: App, callid: str):
    status, reply = samples.reply_of(app(samples.aws_http(samples.body("voicecode_callback", callid=callid))))
    return (status, reply) if status == 200 else status


def count(server, database: str) -> int:
    [(n,)] = server.execute("SELECT COUNT(*) FROM receipts", database=database)
    return n


def test_a_killed_server_is_a_503_then_the_same_app_recovers(kind, own_server):
    server = own_server(kind)
    database, user = function_user(server)
    app = app_on(server.url(user, database, PASSWORD, wait="1", connect_timeout="1"))
    assert deliver(app, "before") == OK
    server.kill()
    started = time.monotonic()
    assert deliver(app, "during") == UNAVAILABLE
    assert time.monotonic() - started < 6  # bounded: the wait, then one last connect
    server.start()
    assert deliver(app, "during") == OK  # the sender's retry, on the same App
    assert deliver(app, "after") == OK
    assert count(server, database) == 3


def test_a_receipt_waits_for_a_database_stopped_and_started_again(kind, own_server):
    """A restart (or a paused TDSQL-C waking) during a receipt: it waits, then it is stored."""
    server = own_server(kind)
    database, user = function_user(server)
    app = app_on(server.url(user, database, PASSWORD))  # the default wait: 15 s
    assert deliver(app, "before") == OK
    server.stop()
    restart = threading.Timer(1.5, server.start)
    restart.start()
    started = time.monotonic()
    assert deliver(app, "while-down") == OK
    assert 1.4 < time.monotonic() - started < 12
    restart.join()
    assert count(server, database) == 2


def test_a_frozen_server_is_a_503_in_bounded_time_not_a_hang(kind, own_server):
    server = own_server(kind)
    database, user = function_user(server)
    store = open_store(server.url(user, database, PASSWORD, wait="1", connect_timeout="1", read_timeout="1"))
    app = App.configured(load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///unused"}), store)
    assert deliver(app, "before") == OK
    server.pause()
    try:
        started = time.monotonic()
        assert deliver(app, "frozen") == UNAVAILABLE
        assert time.monotonic() - started < 8
    finally:
        server.resume()
    assert deliver(app, "frozen") == OK


def test_a_connection_the_server_ended_is_replaced_and_the_receipt_stored_once(kind, own_server):
    server = own_server(kind)
    database, user = function_user(server)
    store = open_store(server.url(user, database, PASSWORD))
    assert store.put(samples_receipt("one")) is True
    if kind == "mysql":
        for (pid,) in server.execute(f"SELECT id FROM information_schema.processlist WHERE user = '{user}'"):
            server.execute(f"KILL {pid}")
    else:
        server.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{user}'")
    assert store.put(samples_receipt("two")) is True
    assert store.put(samples_receipt("two")) is False
    assert count(server, database) == 2


def test_an_idle_session_is_closed_by_the_server_so_a_database_can_pause(kind, own_server):
    server = own_server(kind)
    database, user = function_user(server)
    store = open_store(server.url(user, database, PASSWORD, idle_timeout="1"))
    assert store.put(samples_receipt("one")) is True
    assert sessions(server, user) == 1
    time.sleep(2.5)
    assert sessions(server, user) == 0  # nothing holds the database awake
    assert store.put(samples_receipt("two")) is True  # a new connection, no error
    assert count(server, database) == 2


def test_too_many_connections_is_a_503_then_a_free_one_is_used(kind, own_server):
    server = own_server(kind, **({"max_connections": 4} if kind == "postgresql" else {}))
    database, user = function_user(server)
    if kind == "mysql":
        server.execute("SET GLOBAL max_connections = 10")  # MariaDB's least
    url = server.url(user, database, PASSWORD, wait="1", connect_timeout="1")
    holders, refused = [], None
    for n in range(12):  # function instances, each holding its connection, until the server is full
        store = open_store(url)
        try:
            store.put(samples_receipt(f"held-{n}"))
        except StoreUnavailable as exc:
            refused = exc
            break
        holders.append(store)
    assert refused is not None and "too many connections" in str(refused), refused
    assert len(holders) >= 2
    holders.pop().close()
    assert store.put(samples_receipt("refused")) is True  # a free slot: the same store connects
    for holder in holders:
        holder.close()


def test_a_read_only_server_is_a_503_until_it_is_writable_again(kind, own_server):
    server = own_server(kind)
    database, user = function_user(server)
    store = open_store(server.url(user, database, PASSWORD, wait="1"))
    assert store.put(samples_receipt("one")) is True
    if kind == "mysql":  # the function's user has no SUPER: read_only applies to it
        server.execute("SET GLOBAL read_only = 1")
    else:
        server.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
        store.disconnect()  # a new session, as after a failover
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="read-only"):
        store.put(samples_receipt("two"))
    assert time.monotonic() - started < 3  # not waited for: the sender retries
    if kind == "mysql":
        server.execute("SET GLOBAL read_only = 0")
    else:
        server.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = off")
        store.disconnect()
    assert store.put(samples_receipt("two")) is True


def samples_receipt(callid: str):
    from voice_receipts.callbacks import parse_callback
    from voice_receipts.receipt import build_receipt

    return build_receipt(parse_callback(samples.body("voicecode_callback", callid=callid)))


def sessions(server, user: str) -> int:
    if server.scheme == "mysql":
        query = f"SELECT COUNT(*) FROM information_schema.processlist WHERE user = '{user}'"
    else:
        query = f"SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '{user}'"
    [(n,)] = server.execute(query)
    return n
