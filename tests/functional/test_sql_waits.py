"""How long a SQL store waits, and for what (sql_store.py's rules), on the session's real servers
and fast: a clock that moves only when the store pauses (the pauses recorded, never slept), and
driver errors raised by the work itself, as a lost connection or a deadlock raises them.

- a receipt waits `wait` seconds for its database and no longer, pausing 0.05 s, then twice as
  long each time up to 1 s, each pause logged; then a 503 that says what could not be done;
- a lost connection is never used again; a statement that lost a race runs again on the same one;
- a connection idle for idle_timeout - 1 s is replaced before the server would close it;
- every connect has a timeout (the URL's, or what is left of the wait, one second at least), and
  every statement one (read_timeout), so a server that stops answering costs a 503, not a hang.

tests/functional/test_store_sql_faults.py shows the same on servers killed and stopped, slowly.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time

import psycopg
import pymysql
import pytest

import voice_receipts.stores.sql_store as sql_store_module
from tests import samples
from tests.sqlservers import ADMIN_PASSWORD, admin_url, free_port
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store

KINDS = ["mysql", "postgresql"]
RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback", callid="call-waits")))
SESSION = {"mysql": "SELECT CONNECTION_ID()", "postgresql": "SELECT pg_backend_pid()"}
LOST = {  # what each driver raises when the connection is gone: RECONNECT
    "mysql": lambda: pymysql.err.OperationalError(2006, "MySQL server has gone away"),
    "postgresql": lambda: psycopg.OperationalError("server closed the connection unexpectedly"),
}
GONE = {"mysql": "has gone away", "postgresql": "cannot be reached"}  # what TABLE calls LOST
DEADLOCK = {  # a statement chosen as a deadlock victim: RETRY
    "mysql": lambda: pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock"),
    "postgresql": lambda: psycopg.errors.DeadlockDetected("deadlock detected"),
}


class Clock:
    """sql_store.py's `time`: monotonic() moves only when the store sleeps; sleep() records."""

    def __init__(self) -> None:
        self.now, self.pauses = 1000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(sql_store_module, "time", fake)
    return fake


def session(db, kind: str) -> int:
    """The server's id of this connection."""
    with db.cursor() as cursor:
        cursor.execute(SESSION[kind])
        return cursor.fetchone()[0]


def failing(kind: str, error, times: int, sessions: list[int]):
    """Work that records its connection's id, then fails `times` times with `error`."""

    def work(db):
        sessions.append(session(db, kind))
        if len(sessions) <= times:
            raise error[kind]()
        return "done"

    return work


@pytest.mark.parametrize("kind", KINDS)
def test_a_receipt_waits_with_doubling_pauses_then_gives_up_at_the_deadline(
    kind, sql_session_store, clock, caplog
):
    """The pauses double from 0.05 s to at most 1 s; none is taken that would end at the deadline
    (the wait is the longest a receipt waits), each is logged, and a new connection is opened for
    each attempt; then a 503 that says what failed."""
    pauses = [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    end = clock.now
    for pause in pauses:
        end += pause
    end += 1.0  # the seventh pause would end exactly at the deadline
    store = sql_session_store(kind, wait=repr(end - clock.now))
    caplog.set_level(logging.INFO, logger="voice_receipts")
    sessions: list[int] = []
    with pytest.raises(StoreUnavailable, match=f"^the {kind} store at .* cannot read: {GONE[kind]} "):
        # 99 failures: more than the wait allows; a loop that never gave up would end there
        store.run(failing(kind, LOST, 99, sessions), "read")
    assert clock.pauses == pauses
    assert len(sessions) == len(set(sessions)) == 7  # a lost connection is never used again
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 6
    for line, pause in zip(lines, pauses, strict=True):
        assert re.fullmatch(f"{kind} store: {GONE[kind]} \\(.+\\); trying again in {pause:.2f} s", line), line


@pytest.mark.parametrize("kind", KINDS)
def test_a_statement_that_lost_a_race_runs_again_on_the_same_connection(kind, sql_session_store, clock):
    """A deadlock victim's statement is tried again, on the connection that is still good, and
    the work's answer is returned once it succeeds."""
    store = sql_session_store(kind)
    sessions: list[int] = []
    assert store.run(failing(kind, DEADLOCK, 2, sessions), "store the receipt") == "done"
    assert clock.pauses == [0.05, 0.1]
    assert len(sessions) == 3 and len(set(sessions)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_connection_is_replaced_and_the_work_then_succeeds(kind, sql_session_store, clock):
    store = sql_session_store(kind)
    sessions: list[int] = []
    assert store.run(failing(kind, LOST, 1, sessions), "store the receipt") == "done"
    assert clock.pauses == [0.05]
    assert len(set(sessions)) == 2
    assert session(store._db, kind) == sessions[-1]  # the new one is kept for the next receipt


@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_is_replaced_one_second_before_the_servers_idle_timeout(kind, sql_session_store, clock):
    """The server closes a session idle for idle_timeout; the store stops using it a second
    before, and not sooner: a receipt never goes down a connection the server has closed."""
    store = sql_session_store(kind, idle_timeout="5")
    first = store.run(lambda db: session(db, kind), "read")
    clock.now += 4.0  # idle_timeout - 1: still open on the server
    assert store.run(lambda db: session(db, kind), "read") == first
    clock.now += 4.5  # idle for longer since the last statement: the server may have closed it
    assert store.run(lambda db: session(db, kind), "read") != first


# (URL options, the connect timeout: PyMySQL's seconds, libpq's whole seconds, 2 at least)
CONNECT_TIMEOUTS = [
    ({"connect_timeout": "3"}, {"mysql": 3.0, "postgresql": "3"}),  # the URL's
    ({"connect_timeout": "5", "wait": "1.5"}, {"mysql": 1.5, "postgresql": "2"}),  # what the wait leaves
    ({"connect_timeout": "5", "wait": "0.25"}, {"mysql": 1.0, "postgresql": "2"}),  # a second at least
]


def connect_timeout(db, kind: str):
    return db.connect_timeout if kind == "mysql" else db.info.get_parameters().get("connect_timeout")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("query", "expected"), CONNECT_TIMEOUTS)
def test_each_connect_has_the_urls_timeout_or_what_is_left_of_the_wait(
    kind, query, expected, sql_session_store, clock
):
    store = sql_session_store(kind, **query)
    assert store.run(lambda db: connect_timeout(db, kind), "read") == expected[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_the_warm_up_connects_with_the_urls_connect_timeout(kind, sql_session_store, clock):
    store = sql_session_store(kind, connect_timeout="3")
    store.warm(RECEIPT)
    assert connect_timeout(store._db, kind) == {"mysql": 3.0, "postgresql": "3"}[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_a_statement_the_server_does_not_answer_ends_after_read_timeout(kind, sql_session_store):
    """The driver's own timeout, not the server's: PostgreSQL's statement_timeout is turned off
    first (the server would end the statement itself), MySQL has none."""
    store = sql_session_store(kind, read_timeout="0.3", wait="0.1")

    def sleep(db):
        with db.cursor() as cursor:
            if kind == "postgresql":
                cursor.execute("SET statement_timeout = 0")
            cursor.execute("SELECT SLEEP(2)" if kind == "mysql" else "SELECT pg_sleep(2)")

    store.run(lambda db: None, "read")  # connected: what follows is the statement's wait alone
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="lost the connection|did not answer in time"):
        store.run(sleep, "read")
    assert time.monotonic() - started < 1.5  # 0.3 s; the statement would take 2


def test_a_wait_psycopg_times_itself_keeps_its_own_timeout(sql_session_store):
    """read_timeout is for the waits psycopg leaves untimed (a cursor's): its own, shorter ones
    (here LISTEN's) end when they say."""
    store = sql_session_store("postgresql", read_timeout="2")

    def listen(db):
        started = time.monotonic()
        assert list(db.notifies(timeout=0.05)) == []
        return time.monotonic() - started

    assert store.run(listen, "read") < 1.0


class Signalled(Exception):
    pass


def test_a_signal_during_a_statement_is_handled_within_a_tenth_of_a_second(sql_session_store):
    """psycopg looks for signals every 0.1 s while it waits for the server: a signal that another
    thread receives (SIGTERM at a runtime's shutdown, Ctrl-C) is handled that soon, not once the
    statement ends (a second and more later)."""
    store = sql_session_store("postgresql")
    store.run(lambda db: None, "read")  # connected: what follows is the statement's wait alone

    def raise_signalled(*_):
        raise Signalled

    previous = signal.signal(signal.SIGALRM, raise_signalled)
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGALRM))  # this thread takes it
    try:
        started = time.monotonic()
        timer.start()
        with pytest.raises(StoreUnavailable, match="Signalled"):
            store.run(lambda db: db.execute("SELECT pg_sleep(2)"), "read")
        assert time.monotonic() - started < 0.8
    finally:
        timer.join()
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_says_which_store_could_not_do_what(kind, sql_server):
    """A 503's message (logged) names the store, the password hidden, what could not be done, and why."""
    server = sql_server(kind)
    store = open_store(admin_url(server, server.new_database()))  # no `db init`: no table
    where = f"^the {kind} store at {kind}://[^ ]+:\\*\\*\\*@[^ ]+ "
    with pytest.raises(StoreUnavailable, match=where + "cannot store the receipt: has no receipts table"):
        store.put(RECEIPT)
    with pytest.raises(StoreUnavailable, match=where + "cannot read: has no receipts table"):
        store.receipts("call-waits")
    store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_warm_up_that_cannot_reach_the_database_says_which_and_why(kind):
    """At init, a database that cannot be reached is logged (runtime.py), not a stopped start."""
    url = f"{kind}://admin:{ADMIN_PASSWORD}@127.0.0.1:{free_port()}/receipts"
    with pytest.raises(StoreUnavailable) as unavailable:
        open_store(url).warm(RECEIPT)
    assert str(unavailable.value).startswith(f"the {kind} store at {kind}://admin:***@127.0.0.1:")
    assert "cannot be reached" in str(unavailable.value)
