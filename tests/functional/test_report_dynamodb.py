"""The report's DynamoDB source, DynamoDBStore.receipts_between: a parallel Scan (4 segments)
filtered by received_at, in moto."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.samples import body
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import UnsupportedOperation
from voice_receipts.progress import Progress
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_parallel_scan_returns_the_periods_receipts_only():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        inside = [(f"in-{n}", at(n / 10 + 0.01)) for n in range(60)]  # the last 6 days
        outside = [(f"old-{n}", at(8 + n)) for n in range(40)]  # before the period
        for callid, received in inside + outside:
            store.put(
                build_receipt(parse_callback(body("voicekey_callback", callid=callid)), received_at=received)
            )
        terminal = Terminal()
        progress = Progress(minimum=0, every=1, label="{done} items scanned", stream=terminal)
        found = list(store.receipts_between(at(7), at(0), progress))
    assert sorted(r.callid for r in found) == sorted(c for c, _ in inside)
    assert [r.received_at for r in found] == sorted(r.received_at for r in found)  # oldest first
    out = terminal.getvalue()
    assert "100 items scanned" in out  # every item is read, whatever the filter
    assert "scanned 100 items of" in out and "for 60 receipts" in out and "read capacity units" in out


def test_without_scan_permission_the_report_says_whose_credentials_to_use(monkeypatch):
    from botocore.exceptions import ClientError

    class Denied:
        def describe_table(self, **_):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeTable")

    with pytest.raises(UnsupportedOperation, match="your own credentials"):
        DynamoDBStore(TABLE, client=Denied()).receipts_between(at(7), at(0), Progress(stream=io.StringIO()))
