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
    create_user(server, database, user, FUNCTION_PASSWORD, grants="SELECT" if breakage == "grant" else "INSERT") if breakage != "table" else None
    url = {
        "password": server.url(user, database, "not-the-password"),
        "table": admin_url(server, database),
        "grant": server.url(user, database, FUNCTION_PASSWORD),
        "database": admin_url(server, "no_such_db"),
    }[breakage]
    store = open_store(url)
    with pytest.raises(ConfigError, match=expected) as stopped:
        store.warm(RECEIPT)
    assert "***" in str(stopped.value) or breakage == "table" and "pässword" not in str(stopped.value)
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
    assert "warm-up at init failed" in logged
    assert "secret-99" not in logged
    runtime.reset()
