"""Store edges no other test reached: a read-only SQLite reader (what `show` and `report` open)
reads an existing file and changes nothing; DynamoDB's table-name bounds; a period's end."""

from __future__ import annotations

import os

import pytest
from moto import mock_aws

from tests import samples
from tests.aws import TABLE, aws_client, create_table
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import Settings
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore


def stored(name: str, second: int, **fields):
    at = f"2026-12-01T08:00:{second:02d}.000000Z"
    return build_receipt(parse_callback(samples.body(name, **fields)), received_at=at)


def test_a_read_only_reader_reads_the_file_and_creates_nothing(tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    with SQLiteStore(path) as writer:
        writer.put(stored("voicecode_callback", 1, callid="ro"))
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    with SQLiteStore(path, read_only=True) as reader:
        assert [r.callid for r in reader.receipts("ro")] == ["ro"]
        assert reader.calls()[0].callid == "ro"
        with pytest.raises(StoreUnavailable):
            reader.put(stored("voicekey_callback", 2, callid="ro"))
    assert sorted(name for name in os.listdir(tmp_path) if not name.endswith(("-wal", "-shm"))) == before


@pytest.mark.parametrize("path", [":memory:", "missing.db"])
def test_a_read_only_reader_refuses_what_is_not_a_file(tmp_path, path):
    with pytest.raises(StoreUnavailable, match="no receipts database at"):
        SQLiteStore(path if path == ":memory:" else tmp_path / path, read_only=True)
    assert not (tmp_path / "missing.db").exists()


def test_a_read_only_memory_store_is_never_a_file_that_happens_to_be_named_so(tmp_path, monkeypatch):
    """`:memory:` is SQLite's name for no file: a reader refuses it even where a receipts
    database called ":memory:" sits in the working directory (it would read that file)."""
    monkeypatch.chdir(tmp_path)
    SQLiteStore(tmp_path / ":memory:").close()  # a real receipts database of that name
    with pytest.raises(StoreUnavailable, match="no receipts database at"):
        SQLiteStore(":memory:", read_only=True)


def test_a_file_without_the_receipts_table_is_not_a_receipts_database(tmp_path):
    import sqlite3

    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreUnavailable, match="is not a receipts database"):
        SQLiteStore(tmp_path / "other.db", read_only=True)


@pytest.mark.parametrize(("length", "ok"), [(2, False), (3, True), (255, True), (256, False)])
def test_dynamodb_table_names_are_3_to_255_characters(aws_env, length, ok):
    name = "t" * length
    if ok:
        assert DynamoDBStore.open(name, Settings()).table_name == name
    else:
        with pytest.raises(ConfigError, match="3-255 letters"):
            DynamoDBStore.open(name, Settings())


def test_a_dynamodb_table_name_may_use_every_character_dynamodb_allows(aws_env):
    name = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"  # [a-zA-Z0-9_.-]
    assert DynamoDBStore.open(name, Settings()).table_name == name


@pytest.mark.parametrize("name", ["a b", "tä-ble", "t/able", "t:able"])
def test_dynamodb_table_names_of_other_characters_are_refused(aws_env, name):
    with pytest.raises(ConfigError, match=repr(name).replace("\\", "\\\\")):
        DynamoDBStore.open(name, Settings())
    assert DynamoDBStore.open("Ab_9.-x", Settings()).table_name == "Ab_9.-x"


def test_dynamodb_reads_a_period_up_to_its_end_and_no_further(aws_env):
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        for n in range(5):
            store.put(stored("voicecode_callback", n, callid=f"p{n}"))
        period = store.receipts_between("2026-12-01T08:00:01.000000Z", "2026-12-01T08:00:03.000000Z")
        assert [r.callid for r in period] == ["p1", "p2"]


@pytest.mark.parametrize("read_only", [False, True])
def test_sqlite_waits_for_another_writer_and_serves_any_thread(tmp_path, read_only):
    import threading

    path = tmp_path / "r.db"
    SQLiteStore(path).close()
    with SQLiteStore(path, timeout_s=2.5, read_only=read_only) as store:
        # another process holding the write lock is waited for, up to the timeout (ms here)
        assert store._db.execute("PRAGMA busy_timeout").fetchone() == (2500,)
        found = []
        thread = threading.Thread(target=lambda: found.append(store.receipts("none")))  # `serve` is threaded
        thread.start()
        thread.join()
        assert found == [[]]


def test_a_sqlite_read_that_fails_is_store_unavailable_saying_so(tmp_path):
    store = SQLiteStore(tmp_path / "gone.db")
    store.put(stored("voicecode_callback", 1, callid="c"))
    store.close()  # what any sqlite3 error in a read becomes, without breaking a file
    expected = "sqlite store cannot read: Cannot operate on a closed database."
    for read in (
        lambda: store.receipts("c"),
        lambda: list(store.period_facts("2026-12-01T00:00:00Z")),
        lambda: store.period_aggregates("2026-12-01T00:00:00Z"),
    ):
        with pytest.raises(StoreUnavailable) as caught:
            read()
        assert caught.value.message == expected
