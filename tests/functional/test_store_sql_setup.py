"""Setting a SQL store up: `db init` (idempotent), least privilege (the function's user may only
INSERT), warm-up at init (what every receipt would meet stops the start; a database that is down
right now only waits), and the password kept out of sight (docs/stores.md)."""

from __future__ import annotations

import pytest

from tests import samples
from tests.sqlservers import admin_url, create_user, fresh_database, init_schema
from voice_receipts import runtime
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store
from voice_receipts.tools.cli import main

pytestmark = pytest.mark.parametrize("kind", ["mysql", "postgresql"])
RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback", callid="call-setup")))
FUNCTION_PASSWORD = "fn-pässwörd-£1"  # non-ASCII: PyMySQL must be given bytes


def test_db_init_creates_then_changes_nothing_and_says_so(kind, sql_server, capsys):
    server = sql_server(kind)
    database = server.new_database()
    url = admin_url(server, database)
    assert main(["db", "init", "--store", url]) == 0
    first = capsys.readouterr().out
    assert "created table receipts" in first
    assert "created index receipts_by_phone (phone, call_at)" in first
    assert "pässword" not in first and "***" in first
    assert main(["db", "init", "--store", url]) == 0
    assert capsys.readouterr().out.strip().endswith("schema up to date; nothing changed")


def test_db_init_migrates_an_older_table(kind, sql_server):
    server = sql_server(kind)
    database = fresh_database(server)
    server.execute(
        "DROP INDEX receipts_by_context ON receipts" if kind == "mysql" else "DROP INDEX receipts_by_context",
        "ALTER TABLE receipts DROP COLUMN context",
        database=database,
    )
    assert init_schema(admin_url(server, database)) == [
        "added column receipts.context",
        "created index receipts_by_context (context, call_at)",
    ]
    assert init_schema(admin_url(server, database)) == []


def test_db_init_refuses_a_store_without_a_schema(kind, tmp_path, capsys):
    assert main(["db", "init", "--store", f"sqlite:///{tmp_path}/r.db"]) == 2
    assert "db init is for mysql:// and postgresql:// stores" in capsys.readouterr().err


def test_an_insert_only_user_stores_and_detects_duplicates(kind, sql_server):
    """The GRANT in docs/stores.md: INSERT on the table, nothing else, is all the function needs."""
    server = sql_server(kind)
    database = fresh_database(server)
    user = f"fn_{database}"
    create_user(server, database, user, FUNCTION_PASSWORD)
    store = open_store(server.url(user, database, FUNCTION_PASSWORD))
    store.warm(RECEIPT)  # the rehearsal needs no more than the receipt does
    assert store.put(RECEIPT) is True
    assert store.put(RECEIPT) is False
    with pytest.raises(StoreUnavailable, match="(?i)denied|permission"):
        store.receipts("call-setup")  # reading is another user's job
    store.close()


def test_the_password_may_come_from_the_environment(kind, sql_server, monkeypatch):
    server = sql_server(kind)
    database = fresh_database(server)
    user = f"env_{database}"
    create_user(server, database, user, FUNCTION_PASSWORD)
    monkeypatch.setenv("VOICE_RECEIPTS_DB_PASSWORD", FUNCTION_PASSWORD)
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", server.url(user, database))
    from voice_receipts.config import load_settings

    settings = load_settings()
    assert FUNCTION_PASSWORD not in repr(settings) + str(settings.store)
    assert open_store(settings.store, settings).put(RECEIPT) is True
    assert open_store(server.url(user, database)).put(RECEIPT) is False  # the library reads it too


@pytest.mark.parametrize(
    "breakage, expected",
    [
        ("password", "refuses the user or password"),
        ("table", "no receipts table: run `python -m voice_receipts db init`"),
        ("grant", "refuses the user INSERT"),
        ("database", "no such database"),
    ],
)
def test_what_every_receipt_would_meet_stops_the_start(kind, breakage, expected, sql_server):
    server = sql_server(kind)
    database = fresh_database(server) if breakage != "table" else server.new_database()
    user = f"w{breakage[:2]}_{database}"
    if breakage != "table":
        grants = "SELECT" if breakage == "grant" else "INSERT"  # "grant": every privilege but INSERT's
        create_user(server, database, user, FUNCTION_PASSWORD, grants=grants)
    url = {
        "password": server.url(user, database, "not-the-password"),
        "table": admin_url(server, database),
        "grant": server.url(user, database, FUNCTION_PASSWORD),
        "database": admin_url(server, "no_such_db"),
    }[breakage]
    store = open_store(url)
    with pytest.raises(ConfigError, match=expected) as stopped:
        store.warm(RECEIPT)
    assert FUNCTION_PASSWORD not in str(stopped.value) and "pässword" not in str(stopped.value)
    assert "***" in str(stopped.value)
    with pytest.raises(StoreUnavailable, match=expected):  # on a receipt: a 503, never a 500
        store.put(RECEIPT)


def test_a_cloud_start_stops_on_a_missing_table_and_only_logs_a_database_that_is_down(
    kind, sql_server, monkeypatch, capfd
):
    server = sql_server(kind)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "voice-receipts")
    monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", "t0k-0123456789abcdef")
    monkeypatch.setenv("VOICE_RECEIPTS_METRICS", "false")
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", admin_url(server, server.new_database()))
    runtime.reset()
    with pytest.raises(ConfigError, match="no receipts table"):
        runtime.get_app()
    runtime.reset()
    closed = f"{kind}://u:secret-99@127.0.0.1:1/db?connect_timeout=1"
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", closed)
    app = runtime.get_app()  # started: the first receipt will wait for the database
    assert app is not None
    logged = capfd.readouterr().err
    assert "the store is unavailable now; the first receipt waits for it" in logged
    assert "secret-99" not in logged
    runtime.reset()


def test_replay_show_and_report_answer_as_on_sqlite(kind, sql_server, tmp_path, capsys):
    """The terminal's view of a SQL store: `events/` replayed into it and into SQLite, then
    `show --json` (every call, and one number's) and the report's data: the same on both, but
    for the arrival times of the two replays."""
    import json
    import re

    server = sql_server(kind)
    urls = {"sqlite": f"sqlite:///{tmp_path}/r.db", kind: admin_url(server, fresh_database(server))}
    seen = {}
    for name, url in urls.items():
        expect = str(samples.EVENTS / "expected.toml")
        assert main(["replay", str(samples.EVENTS), "--expect", expect, "--store", url]) == 0
        capsys.readouterr()
        views = []
        for args in (["show", "--json", "--limit", "100"], ["show", "--json", "--phone", "13800138000"]):
            assert main([*args, "--store", url]) == 0
            views.append(_without_arrival(json.loads(capsys.readouterr().out)))
        # the calls' own period (issue 19: a call counts when it was placed, not replayed)
        assert main(["report", "--since", "2025-11-01", "--out", "-", "--store", url]) == 0
        page = capsys.readouterr().out
        data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
        views.append(_without_arrival(json.loads(data.group(1))))
        seen[name] = views
    assert [[c["callid"] for c in v] for v in seen[kind][:2]] == [
        [c["callid"] for c in v] for v in seen["sqlite"][:2]
    ]
    assert seen[kind] == seen["sqlite"]
    assert len(seen[kind][0]) == 11 and seen[kind][2]["totals"]["calls"] == 11


def _without_arrival(value):
    """The data less what differs between two replays: arrival times, the report's period."""
    if isinstance(value, dict):
        return {k: _without_arrival(v) for k, v in value.items()
                if not k.endswith("received_at") and k not in ("period", "at")}  # fmt: skip
    if isinstance(value, list):
        return [_without_arrival(v) for v in value]
    return value
