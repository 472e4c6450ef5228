"""Store.receipts_between, what the report reads: every store answers it or says it cannot."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.samples import body
from voice_receipts.callbacks import parse_callback
from voice_receipts.config import Settings, StoreURL
from voice_receipts.errors import StoreUnavailable, UnsupportedOperation
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store
from voice_receipts.stores.cmq import CMQStore
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqs import SQSStore
from voice_receipts.tools.report.source import read


def at(hour: int) -> str:
    return f"2026-11-28T{hour:02d}:00:00.000000Z"


def put_hours(store, hours) -> None:
    for hour in hours:
        receipt = build_receipt(
            parse_callback(body("voicekey_callback", callid=f"c{hour}")), received_at=at(hour)
        )
        store.put(receipt)


def test_sqlite_answers_from_its_time_index_whatever_the_files_name(tmp_path):
    path = tmp_path / "odd ?#% name" / "r?.db"  # characters a file: URI must escape
    with open_store(f"sqlite:///{path}") as store:
        put_hours(store, [5, 1, 3, 2, 4])
    with open_store(f"sqlite:///{path}", read_only=True) as store:
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)  # the SQL the store runs, values bound
        assert [r.callid for r in store.receipts_between(at(2), at(4))] == ["c2", "c3"]  # [since, until)
        assert [r.callid for r in store.receipts_between(at(4))] == ["c4", "c5"]  # no end
        plans = [store._db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall() for sql in statements]
    assert len(plans) == 2
    for plan in plans:  # an index search, and no sort: the index gives the order too
        details = " | ".join(row[-1] for row in plan)
        assert "USING INDEX receipts_by_time" in details and "TEMP B-TREE" not in details, details


def test_the_report_reads_sqlite_as_show_does(tmp_path):
    path = tmp_path / "a#b.db"
    with open_store(f"sqlite:///{path}") as store:
        put_hours(store, [1, 2, 3])
    since, until = (datetime(2026, 11, 28, h, tzinfo=timezone.utc) for h in (2, 9))
    counted = read(StoreURL("sqlite", str(path)), Settings(), since, until, timezone.utc)
    assert sum(counted.calls.values()) == 2  # c2 and c3: the calls placed in the period
    missing = tmp_path / "none.db"
    with pytest.raises(StoreUnavailable, match="no receipts database at"):
        read(StoreURL("sqlite", str(missing)), Settings(), since, until, timezone.utc)
    assert not missing.exists()  # read-only: a report never creates a store


@pytest.mark.usefixtures("aws_env")
def test_dynamodb_without_an_end_reads_up_to_now():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        put_hours(store, [3, 1, 2])
        assert [r.callid for r in store.receipts_between(at(2))] == ["c2", "c3"]  # no progress: quiet


@pytest.mark.parametrize("store", [SQSStore("q", client=object()), CMQStore("q", client=object())])
def test_a_queue_cannot_be_read_for_a_report(store):
    with pytest.raises(UnsupportedOperation, match=f"the {store.name} store is a queue"):
        store.receipts_between(at(0))
