"""How SQLiteStore opens a file: the folders it needs are made, the wait for another writer is
the one asked for (SQLite's busy_timeout, 5 s unless told), and an old file whose migration
fails is left as it was, with the reason in the error."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.functional.test_calls_api import old_file
from tests.functional.test_store_edges import stored
from voice_receipts.errors import StoreUnavailable
from voice_receipts.stores.sqlite import SQLiteStore


def unlocked(path) -> bool:
    """No transaction is left open on the file: another writer takes its lock at once. (The
    refused store's connection lives on in the caught exception's traceback, so a migration
    that did not roll back would still hold the lock here.)"""
    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def busy_timeout(store: SQLiteStore) -> int:
    return store._db.execute("PRAGMA busy_timeout").fetchone()[0]


def test_a_file_in_folders_that_do_not_exist_yet_is_made_with_them(tmp_path):
    path = tmp_path / "a" / "b" / "receipts.db"
    SQLiteStore(path).close()
    assert path.is_file()


@pytest.mark.parametrize("read_only", [False, True])
def test_the_wait_for_another_writer_is_five_seconds_unless_told(tmp_path, read_only):
    path = tmp_path / "r.db"
    SQLiteStore(path).close()
    with SQLiteStore(path, read_only=read_only) as store:
        assert busy_timeout(store) == 5000
    with SQLiteStore(path, timeout_s=0.25, read_only=read_only) as store:
        assert busy_timeout(store) == 250


def test_a_writer_waits_its_timeout_for_a_locked_file_then_says_so(tmp_path):
    path = tmp_path / "r.db"
    SQLiteStore(path).close()
    store = SQLiteStore(path, timeout_s=0.05)  # opening an existing file writes nothing
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write, not yet committed
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="database is locked"):
            store.put(stored("voicecode_callback", 1, callid="c"))
        assert time.monotonic() - started < 2.5  # its 0.05 s, not sqlite3's default of 5 s
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.put(stored("voicecode_callback", 1, callid="c"))  # nothing lost: sent again, kept


def test_an_old_file_whose_migration_fails_is_left_as_it_was_and_the_error_says_why(tmp_path):
    path = tmp_path / "old.db"
    old_file(path)
    db = sqlite3.connect(path)  # something the migration's backfill cannot do
    db.execute("CREATE TRIGGER refuse BEFORE UPDATE ON receipts BEGIN SELECT RAISE(ABORT, 'kept'); END")
    db.commit()
    db.close()
    with pytest.raises(StoreUnavailable) as refused:
        SQLiteStore(path)
    assert refused.value.message == f"sqlite store {str(path)!r} cannot be opened: kept"
    assert unlocked(path)
    db = sqlite3.connect(path)  # no column added: the migration is all or nothing
    assert "phone" not in {row[1] for row in db.execute("PRAGMA table_info(receipts)")}
    db.close()


@pytest.mark.parametrize("record", ["not json", "[1, 2]", '{"callid": "x", "mobile": "13800138000"}'])
def test_an_old_file_holding_a_record_that_is_no_receipt_is_left_as_it_was(tmp_path, record):
    """Written by something else, or damaged: the store says which row, never what it holds
    (a phone number), and adds no column; the file opens read-only as before."""
    path = tmp_path / "old.db"
    old_file(path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO receipts VALUES ('x', 'e', 'voicekey', 't', ?)", (record,))
    db.commit()
    (rowid,) = db.execute("SELECT max(rowid) FROM receipts").fetchone()
    db.close()
    with pytest.raises(StoreUnavailable) as refused:
        SQLiteStore(path)
    assert refused.value.message == (
        f"sqlite store {str(path)!r} cannot be opened: the record stored at rowid {rowid} is not a receipt"
    )
    assert unlocked(path)
    db = sqlite3.connect(path)
    assert "phone" not in {row[1] for row in db.execute("PRAGMA table_info(receipts)")}
    db.close()
    SQLiteStore(path, read_only=True).close()
