"""DynamoDB's report read (dynamodb_index.period_facts) on its bounds: a call with no status has
its first receipt's arrival as Call.at, microseconds and all, so it can fall exactly on the
period's start or end or on an hour's read bound (`since` - 15 min + whole hours, to_iso's six
digits); a receipt read exactly on a bound is read once, a failure exactly LATE after its call
is folded into it, and the calls stream out as the read goes, not at its end."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from moto import mock_aws

from tests import samples
from tests.aws import TABLE, aws_client, create_table
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")
SINCE = datetime(2026, 3, 10, 10, tzinfo=timezone.utc)
UNTIL = SINCE + timedelta(hours=4)
NUMBER = {"mobile": "13800138000"}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def sent(callid: str, at: datetime) -> Receipt:
    return Receipt(callid, "sent", f"sent-{callid}", iso(at), message="tts", **NUMBER, nationcode="86")


def callback(kind: str, callid: str, at: datetime, **fields) -> Receipt:
    return build_receipt(
        parse_callback(samples.body(kind, callid=callid, **NUMBER, **fields)), received_at=iso(at)
    )


def receipts() -> list[Receipt]:
    bound = SINCE - timedelta(minutes=15) + timedelta(hours=1)  # 10:45, where the first read ends
    t = int((bound - timedelta(minutes=5)).timestamp())
    status = {"result": "0", "start_calltime": str(t), "accept_time": str(t + 5), "end_calltime": str(t + 65)}
    return [
        sent("at-since", SINCE),  # placed exactly at since: in
        sent("at-until", UNTIL),  # exactly at until: out
        sent("key-on-bound", bound - timedelta(minutes=6)),
        callback("voiceprompt_callback", "key-on-bound", bound - timedelta(minutes=3), **status),
        callback("voicekey_callback", "key-on-bound", bound, keypress="1"),  # one key, read once
        sent("late-failure", bound + timedelta(hours=1)),  # on a bound; its failure an hour later
        callback("voice_failure_callback", "late-failure", bound + timedelta(hours=2)),
    ]


def test_calls_on_the_bounds_are_read_once_and_whole_and_stream_out(aws_env):
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        for r in receipts():
            assert store.put(r)
        queries = []
        query = store._query
        store._query = lambda **request: queries.append(request) or query(**request)
        read, first = [], None
        for f in store.period_facts(iso(SINCE), iso(UNTIL)):
            first = len(queries) if first is None else first
            read.append((f.callid, f.at, f.state.value, f.keys))
        assert sorted(read) == [
            ("at-since", iso(SINCE), "sent", ()),
            ("key-on-bound", "2026-03-10T10:40:00Z", "answered", ("1",)),
            ("late-failure", "2026-03-10T11:45:00.000000Z", "failed", ()),
        ]
        assert first < len(queries) - 1  # the first call came out long before the read ended
