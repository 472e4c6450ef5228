"""The report's DynamoDB source: a parallel Scan (4 segments) filtered by received_at, in moto."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from moto import mock_aws

from tests.functional.aws_fixtures import TABLE, aws_client, aws_env, create_table  # noqa: F401 - aws_env is a fixture
from tests.samples import body
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import UnsupportedOperation
from voice_receipts.receipt import build_receipt
from voice_receipts.report.source import Progress, from_dynamodb
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")
NOW = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_parallel_scan_returns_the_periods_receipts_only(capsys):
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
        found = from_dynamodb(client, TABLE, NOW - timedelta(days=7), NOW, Progress(terminal), segments=4)
    assert sorted(r.callid for r in found) == sorted(c for c, _ in inside)
    assert [r.received_at for r in found] == sorted(r.received_at for r in found)  # oldest first
    assert "100 items scanned" in terminal.getvalue()  # every item is read, whatever the filter
    err = capsys.readouterr().err
    assert "scanned 100 items of" in err and "for 60 receipts" in err and "read capacity units" in err


def test_without_scan_permission_the_report_says_whose_credentials_to_use(monkeypatch):
    from botocore.exceptions import ClientError

    class Denied:
        def describe_table(self, **_):
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeTable")

    with pytest.raises(UnsupportedOperation, match="your own credentials"):
        from_dynamodb(Denied(), TABLE, NOW - timedelta(days=7), NOW, Progress(io.StringIO()))
