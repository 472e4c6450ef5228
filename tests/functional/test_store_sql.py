"""The MySQL and PostgreSQL stores keep every store's promises, on real servers (tests/sqlservers.py):
insert-if-absent, exact keys, every accepted receipt stored (emoji, U+0000, deep nesting, the
largest body), the same answers as SQLite, through the real handler."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from tests import samples
from tests.worst_case import worst_case_body
from voice_receipts.app import App
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import load_settings
from voice_receipts.limits import STORE_MAX_BODY_BYTES
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores import open_store
from voice_receipts.stores.sqlite import SQLiteStore

pytestmark = pytest.mark.parametrize("kind", ["mysql", "postgresql"])


def receipt(callid: str = "call-1", kind: str = "voicecode_callback", **fields) -> Receipt:
    return build_receipt(parse_callback(samples.body(kind, callid=callid, **fields)))


def rows(store) -> list[tuple]:
    found = store.server.execute(
        "SELECT callid, event_id FROM receipts ORDER BY callid, event_id", database=store.database
    )
    return [tuple(row) for row in found]


def test_a_receipt_is_stored_once_and_a_redelivery_is_a_duplicate(kind, sql_store):
    store = sql_store(kind)
    first = receipt()
    assert store.put(first) is True
    assert store.put(first) is False
    second = receipt(result="1")  # same call, other content: another receipt
    assert store.put(second) is True
    assert store.receipts("call-1") == [first, second]  # oldest first
    assert len(rows(store)) == 2


def test_callids_differing_in_case_or_trailing_space_are_different_calls(kind, sql_store):
    store = sql_store(kind)
    callids = ["abc", "ABC", "abc ", "Abc", "abc  "]
    for callid in callids:
        assert store.put(receipt(callid)) is True, callid
    assert len(rows(store)) == len(callids)
    for callid in callids:
        [found] = store.receipts(callid)
        assert found.callid == callid


def test_emoji_and_nul_receipts_are_stored_and_read_back_whole(kind, sql_store):
    store = sql_store(kind)
    odd = receipt(
        "call-😀-\u4e2d", mobile="138\x0000😀", nationcode="8\x006", call_from="\x00", extra={"x": "\x00😀"}
    )
    assert store.put(odd) is True
    assert store.put(odd) is False
    [back] = store.receipts("call-😀-\u4e2d")
    assert back == odd
    assert back.raw["extra"] == {"x": "\x00😀"}
    assert store.callids_for_phone(odd.phone, 5) == ["call-😀-\u4e2d"]  # the NUL is part of the key
    assert store.callids_for_phone("+86138\udc80", 5) == []  # a lone surrogate: nothing, not an error


def test_nesting_deeper_than_a_json_column_takes_is_stored(kind, sql_store):
    store = sql_store(kind)
    deep: object = "bottom"
    for _ in range(200):  # MariaDB's JSON type refuses 32 levels; the record is text
        deep = [deep]
    nested = receipt(deep=deep)
    assert store.put(nested) is True
    assert store.receipts("call-1") == [nested]


def test_the_largest_body_the_limit_admits_is_stored(kind, sql_store):
    """A body at the store's bound, in its worst case (every byte grows 19/5): stored, not refused."""
    store = sql_store(kind)
    bound = STORE_MAX_BODY_BYTES[kind]
    app = App.configured(
        load_settings(
            {"VOICE_RECEIPTS_STORE": f"{kind}://u@h/d", "VOICE_RECEIPTS_MAX_BODY_BYTES": str(bound)}
        ),
        store,
    )
    status, reply = samples.reply_of(
        app(samples.aws_http(worst_case_body(bound, callid_tail="fits").decode()))
    )
    assert (status, reply) == (200, {"result": 0, "errmsg": "OK"}), reply
    [(length,)] = store.server.execute("SELECT MAX(LENGTH(record)) FROM receipts", database=store.database)
    assert length > bound * 3  # the worst case did grow


def test_the_handler_stores_through_a_sql_store(kind, sql_store):
    store = sql_store(kind)
    app = App.configured(load_settings({"VOICE_RECEIPTS_STORE": f"{kind}://u@h/d"}), store)
    event = samples.aws_http(samples.body("voicekey_callback", callid="call-h", keypress="1"))
    assert samples.reply_of(app(event)) == (200, {"result": 0, "errmsg": "OK"})
    assert samples.reply_of(app(event)) == (200, {"result": 0, "errmsg": "OK"})  # a redelivery
    assert [r.keypress for r in store.receipts("call-h")] == ["1"]


def test_twenty_concurrent_deliveries_of_one_receipt_make_one_row(kind, sql_store):
    """Twenty function instances, each with its own connection, get the same receipt at once."""
    first = sql_store(kind)
    url = first.url
    stores = [open_store(url) for _ in range(20)]
    one = receipt("call-race")
    start, results = threading.Barrier(20), []

    def deliver(store):
        start.wait()
        results.append(store.put(one))

    threads = [threading.Thread(target=deliver, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for store in stores:
        store.close()
    assert sorted(results) == [False] * 19 + [True]
    assert rows(first) == [(_key(kind, "call-race"), one.event_id)]


def _key(kind: str, callid: str):
    return callid.encode() if kind == "mysql" else callid


def test_reads_answer_what_sqlite_answers(kind, sql_store, tmp_path):
    """The same receipts in SQLite and in the SQL store: the same calls, in the same order."""
    store, lite = sql_store(kind), SQLiteStore(tmp_path / "r.db")
    made = [
        Receipt("c-old", "voicecode", "e1", "2026-01-01T00:00:00.000000Z", mobile="1", nationcode="86"),
        Receipt("c-old", "voicekey", "e2", "2026-02-01T00:00:00.000000Z", mobile="1", nationcode="86"),
        Receipt("c-new", "voicecode", "e3", "2026-03-01T00:00:00.000000Z", mobile="1", nationcode="86"),
        Receipt("c-other", "voicecode", "e4", "2026-03-02T00:00:00.000000Z", mobile="2", nationcode="86"),
        Receipt("c-sent", "sent", "e5", "2026-03-03T00:00:00.000000Z", mobile="2", nationcode="86", context="order-1"),
    ]  # fmt: skip
    for r in made:
        assert store.put(r) and lite.put(r)
    for s in (store, lite):
        s.answers = (
            list(s.callids()),
            list(s.callids("2026-01-15T00:00:00Z")),
            s.callids_for_phone("+861", 10),
            s.callids_for_phone("+862", 1),
            s.callids_for_context("order-1", 50),
            [r.event_id for r in s.receipts_between("2026-02-01T00:00:00Z", "2026-03-02T00:00:00.000000Z")],
            [r.event_id for r in s.receipts_between("2026-03-01T00:00:00Z")],
            [c.callid for c in s.calls()],
        )
    assert store.answers == lite.answers
    assert store.answers[1] == ["c-sent", "c-other", "c-new"]  # c-old was first seen before
    lite.close()


def test_a_password_is_never_shown(kind, sql_store, caplog):
    store = sql_store(kind)
    assert "pässword" not in str(store.url) + repr(store.url) + store.where
    wrong = open_store(store.url.__class__.parse(str(store.url).replace("***", "wrong-secret-77")))
    with pytest.raises(Exception) as refused:
        wrong.warm(receipt())
    assert "wrong-secret-77" not in str(refused.value)
    assert "***" in str(refused.value)
    assert json.dumps([r.getMessage() for r in caplog.records]).find("wrong-secret-77") == -1


def test_one_statement_per_receipt(kind, sql_store):
    """One round trip per receipt: the server sees one statement for each put, a duplicate too
    (MySQL: the session's `Questions`; PostgreSQL: the statements its log records)."""
    store = sql_store(kind)
    store.put(receipt("warm"))  # the connection is open and set up
    with store._db.cursor() as cursor:
        if kind == "mysql":
            query = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'"
            counted = lambda: _one(cursor, query)  # noqa: E731 - itself one statement
        else:
            cursor.execute("SET log_statement = 'all'")  # the administrator's session: a superuser
            counted = lambda: len(re.findall(r"LOG:  (?:execute|statement)", store.server.log.read_text()))  # noqa: E731
        before = counted()
        for n in range(5):
            store.put(receipt(f"counted-{n}"))
        store.put(receipt("counted-0"))  # a duplicate
        time.sleep(0.2 if kind == "postgresql" else 0)  # the log is written by another process
        assert counted() - before == 6 + (1 if kind == "mysql" else 0)  # + the counting query


def _one(cursor, query: str) -> int:
    cursor.execute(query)
    return int(cursor.fetchone()[0])


def test_a_context_holding_a_lone_surrogate_finds_nothing_rather_than_failing(kind, sql_store):
    # what a command line makes of bytes that are not UTF-8 (surrogateescape): no stored context
    # can hold one (the parser refuses them), so no call matches; the lookup itself must not fail
    store = sql_store(kind)
    store.put(
        Receipt(callid="c", kind="sent", event_id="sent-c", received_at="2026-12-01T00:00:00Z", context="o")
    )
    assert store.callids_for_context("o\udcff", 5) == []
    assert store.calls_for_context("o\udcff") == []
    assert store.callids_for_context("o", 5) == ["c"]


def test_calls_and_periods_answer_what_sqlite_answers(kind, sql_store):
    """A listing walks the call_at index page by page (a cursor past PAGE calls), with each
    filter; a report's period streams the facts: the same as SQLite's, fact for fact."""
    from tests.functional.test_reads_at_scale import calls

    store, lite = sql_store(kind), SQLiteStore(":memory:")
    for r in calls(240, days=2):  # more than a walk's page (200); a failure every fifth call
        assert store.put(r) and lite.put(r)
    placed = sorted(f.at for f in lite.period_facts("2026-01-01T00:00:00Z"))
    since, until = placed[20], placed[-20]
    for s in (store, lite):
        s.answers = (
            [c.callid for c in s.calls(limit=None)],
            [c.callid for c in s.calls(since=since, until=until, limit=None)],
            [c.callid for c in s.calls(state="failed", limit=None)],
            [c.callid for c in s.calls_for_phone("13800138000", since=since, until=until, limit=300)],
            sorted(s.period_facts(since, until), key=lambda f: f.callid),
            sorted(s.period_facts(since), key=lambda f: f.callid),
        )
    assert store.answers == lite.answers
    assert [len(a) for a in lite.answers] == [240, 200, 48, 200, 200, 220]
