"""The library API, the same on every store that can read: call, calls_for_phone, calls."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.helpers import ROOT
from tests.samples import body
from voice_receipts import calls, open_store
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import StoreUnavailable, UnsupportedOperation
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.base import Store
from voice_receipts.stores.cmq import CMQStore
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.stores.sqs import SQSStore

PHONE = "+8613800138000"


def receipt(kind, callid, minute, **changes):
    """Received at 01:MM on 2026-11-28; a status receipt's call started 30 s before."""
    at = f"2026-11-28T01:{minute:02d}:00.000000Z"
    if kind in ("voicecode_callback", "voiceprompt_callback"):
        started = int(datetime(2026, 11, 28, 1, minute, tzinfo=timezone.utc).timestamp()) - 30
        changes = {"start_calltime": str(started), "accept_time": "", "end_calltime": "", **changes}
    return build_receipt(parse_callback(body(kind, callid=callid, **changes)), received_at=at)


# Four calls: three to PHONE (one answered with a key, one not answered, one failed), one elsewhere
RECEIPTS = [
    receipt("voiceprompt_callback", "a", 1, result="0", mobile="13800138000"),
    receipt("voicekey_callback", "a", 2, keypress="1", mobile="13800138000"),
    receipt("voicecode_callback", "b", 3, result="1"),
    receipt("voice_failure_callback", "c", 5, mobile="13800138000"),
    receipt("voicecode_callback", "other", 4, result="0", mobile="13900139000"),
]


def check_calls_api(store: Store) -> None:
    for r in RECEIPTS:
        assert store.put(r)
    call = store.call("a")
    assert (call.state, call.kind, call.keys, call.phone) == ("answered", "notification", ("1",), PHONE)
    assert store.call("nope") is None
    assert [c.callid for c in store.calls_for_phone(PHONE)] == ["c", "b", "a"]
    assert [c.callid for c in store.calls_for_phone(PHONE, limit=2)] == ["c", "b"]
    assert store.calls_for_phone("+10000000000") == []
    assert [c.callid for c in store.calls()] == ["c", "other", "b", "a"]
    assert [c.callid for c in store.calls(limit=2)] == ["c", "other"]
    assert [c.callid for c in store.calls(state=calls.FAILED)] == ["c"]
    assert [c.callid for c in store.calls(since="2026-11-28T01:03:30.000000Z")] == ["c", "other"]


def test_sqlite(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/r.db") as store:
        check_calls_api(store)


@mock_aws
@pytest.mark.usefixtures("aws_env")
def test_dynamodb():
    client = aws_client("dynamodb")
    create_table(client)
    check_calls_api(DynamoDBStore(TABLE, client=client))


def test_calls_for_phone_on_dynamodb_is_one_query_on_the_index_then_each_call(aws_env):  # noqa: F811
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        for r in RECEIPTS:
            store.put(r)
        seen: list[dict] = []
        client.meta.events.register(
            "provide-client-params.dynamodb.*", lambda params, **_: seen.append(params)
        )
        store.calls_for_phone(PHONE)
    # the index once (keys only: deploy/aws/store-dynamodb.yml), then each call once: the calls
    # shown are folded from the receipts their facts were read from, never read twice
    assert [p.get("IndexName") for p in seen] == ["by-number", None, None, None]


@pytest.mark.parametrize("store", [SQSStore("q", client=object()), CMQStore("q", client=object())])
def test_queue_stores_say_they_cannot_read(store):
    for read in (lambda: store.call("a"), lambda: store.calls_for_phone(PHONE), store.calls):
        with pytest.raises(UnsupportedOperation) as caught:
            read()
        assert str(caught.value) == (
            f"the {store.name} store is a queue: it cannot read receipts back; consume the queue"
            " (Receipt.from_message, voice_receipts.consume) or read a sqlite or dynamodb store"
        )


def test_read_only_never_creates_a_file(tmp_path):
    missing = tmp_path / "nothing.db"
    with pytest.raises(StoreUnavailable, match=f"no receipts database at {missing}"):
        open_store(f"sqlite:///{missing}", read_only=True)
    assert not missing.exists()


def test_read_only_cannot_write(tmp_path):
    SQLiteStore(tmp_path / "r.db").close()
    with open_store(f"sqlite:///{tmp_path}/r.db", read_only=True) as store:
        with pytest.raises(StoreUnavailable, match="cannot write"):
            store.put(RECEIPTS[0])
        assert store.calls() == []


def old_file(path) -> None:
    """A file as the store wrote it before the phone column."""
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE receipts (callid TEXT NOT NULL, event_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " received_at TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (callid, event_id))"
    )
    db.executemany(
        "INSERT INTO receipts VALUES (?, ?, ?, ?, ?)",
        [(r.callid, r.event_id, r.kind, r.received_at, r.to_json()) for r in RECEIPTS],
    )
    db.commit()
    db.close()


def test_an_old_file_is_read_by_phone_read_only_and_migrated_when_opened_to_write(tmp_path):
    path = tmp_path / "old.db"
    old_file(path)
    with open_store(f"sqlite:///{path}", read_only=True) as store:  # no column: from the records
        assert [c.callid for c in store.calls_for_phone(PHONE)] == ["c", "b", "a"]
    db = sqlite3.connect(path)
    assert "phone" not in {row[1] for row in db.execute("PRAGMA table_info(receipts)")}
    db.close()
    with open_store(f"sqlite:///{path}") as store:  # opened to write: the column is added, filled
        assert [c.callid for c in store.calls_for_phone(PHONE)] == ["c", "b", "a"]
        phones = dict(store._db.execute("SELECT callid, phone FROM receipts WHERE kind != 'voicekey'"))
    assert phones == {"a": PHONE, "b": PHONE, "c": PHONE, "other": "+8613900139000"}


def test_call_json_round_trips_through_the_store(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/r.db") as store:
        for r in RECEIPTS:
            store.put(r)
        data = json.loads(store.call("c").to_json())
    assert data["state"] == "failed" and data["failure_text"]["en"]
    assert data["receipts"][0]["raw"] == RECEIPTS[3].raw


def test_the_function_never_loads_the_calls_api_and_the_package_exports_it_lazily(tmp_path):
    code = (
        "import sys, json, handler;"
        "from tests.samples import body;"
        "reply = handler.lambda_handler(body('voicecode_callback'), None);"
        "assert reply == {'result': 0, 'errmsg': 'OK'}, reply;"
        "bad = sorted(m for m in sys.modules if m in ('voice_receipts.calls', 'voice_receipts.tools.calls_view',"
        " 'voice_receipts.consume', 'voice_receipts.publish'));"
        "assert not bad, bad;"
        "import voice_receipts; assert 'open_store' not in vars(voice_receipts);"
        "from voice_receipts import open_store, Call; from voice_receipts.stores import open_store as o;"
        "assert open_store is o and Call.__module__ == 'voice_receipts.calls'"
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "VOICE_RECEIPTS_STORE": f"sqlite:///{tmp_path}/r.db",
        "VOICE_RECEIPTS_DIRECT_INVOCATION": "true",
        "VOICE_RECEIPTS_TOKEN": "a-test-token-not-a-secret",
    }
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=env, cwd=ROOT)
