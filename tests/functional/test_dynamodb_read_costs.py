"""What DynamoDB's walks and listings ask of the service, counted by botocore's event hooks: the
page size a Query asks for, the day partitions a by-day walk reads, a page after a cursor read
from the cursor down (not from the top again), and a listing that falls back to a Scan only when
the by-day window holds fewer calls than asked. The answers would be the same if it read more.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from moto import mock_aws

from tests.aws import TABLE, aws_client, create_table
from tests.functional.test_read_costs import call, iso
from voice_receipts.stores.base import PAGE
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore

pytestmark = pytest.mark.usefixtures("aws_env")
NUMBER = "+8613800138000"


class Requests:
    """Every request the store's client makes: (operation, its parameters, items it returned)."""

    def __init__(self, client) -> None:
        self.made: list[list] = []
        client.meta.events.register("before-parameter-build.dynamodb.*", self.asked)
        client.meta.events.register("after-call.dynamodb.*", self.answered)

    def asked(self, params, model, **_) -> None:
        self.made.append([model.name, params, None])

    def answered(self, parsed, **_) -> None:
        self.made[-1][2] = parsed.get("Count")

    def __call__(self, name: str = "Query") -> list:
        return [(params, count) for operation, params, count in self.made if operation == name]


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        store = DynamoDBStore(TABLE, client=client)
        store.requests = Requests(client)
        yield store


def fill(store, receipts) -> None:
    for r in receipts:
        store.put(r)
    if isinstance(store, DynamoDBStore):
        store.requests.made.clear()


def days(top: datetime, bottom: datetime) -> list[str]:
    return [
        (top - timedelta(days=n)).strftime("%Y-%m-%d") for n in range((top.date() - bottom.date()).days + 1)
    ]


def test_a_query_asks_for_the_walks_page_and_by_default_for_page(dynamodb):
    fill(dynamodb, call("c0", datetime.now(timezone.utc) - timedelta(hours=1)))
    dynamodb.walk(None, since=iso(datetime.now(timezone.utc) - timedelta(hours=2)))
    dynamodb.walk(None, phone=NUMBER)
    assert {params["Limit"] for params, _ in dynamodb.requests()} == {PAGE}
    dynamodb.requests.made.clear()
    dynamodb.walk(None, phone=NUMBER, page=7)
    assert [params["Limit"] for params, _ in dynamodb.requests()] == [7]


def test_a_by_day_walk_queries_each_day_from_tomorrow_down_to_since_or_its_retention(dynamodb):
    now = datetime.now(timezone.utc)
    since = now - timedelta(days=2)
    assert dynamodb.walk(None, since=iso(since)) == []
    queried = [params["ExpressionAttributeValues"][":k"]["S"] for params, _ in dynamodb.requests()]
    assert queried == days(now + timedelta(days=1), since)
    dynamodb.requests.made.clear()
    dynamodb.retention_days = 3  # no since: back as far as items are kept
    assert dynamodb.walk(None) == []
    queried = [params["ExpressionAttributeValues"][":k"]["S"] for params, _ in dynamodb.requests()]
    assert queried == days(now + timedelta(days=1), now - timedelta(days=3))


@pytest.mark.parametrize("filters", [{}, {"phone": NUMBER}], ids=["by-day", "by-number"])
def test_a_page_after_a_cursor_is_read_from_the_cursor_down(dynamodb, filters):
    now = datetime.now(timezone.utc)
    fill(dynamodb, [r for i in range(12) for r in call(f"c{i:02d}", now - timedelta(minutes=5 * i + 5))])
    since = iso(now - timedelta(hours=2))
    first = dynamodb.walk(None, since=since, page=4, **filters)
    dynamodb.requests.made.clear()
    second = dynamodb.walk(first[-1], since=since, page=4, **filters)
    assert second == [
        (r.call_at, r.callid)
        for i in range(4, 8)
        for r in call(f"c{i:02d}", now - timedelta(minutes=5 * i + 5))
    ]
    asked = dynamodb.requests()
    assert [params["ExpressionAttributeValues"][":hi"]["S"] for params, _ in asked] == [first[-1][0]] * len(
        asked
    )
    assert sum(count for _, count in asked) <= 4 + 4  # the cursor's own row again, then the page


def test_a_listing_scans_only_when_the_by_day_window_holds_fewer_calls_than_asked(dynamodb):
    now = datetime.now(timezone.utc)
    recent = [call(f"new{i}", now - timedelta(hours=i + 1)) for i in range(2)]
    old = [call(f"old{i}", now - timedelta(days=200 + i)) for i in range(3)]  # beyond LOOKBACK_DAYS
    fill(dynamodb, [r for receipts in recent + old for r in receipts])
    dynamodb.retention_days = 30  # the by-day window: 30 days back, not 92 (moto is slow); still not 200
    assert [c.callid for c in dynamodb.calls(limit=2)] == ["new0", "new1"]
    assert dynamodb.requests("Scan") == []  # the window held them all: no Scan
    assert [c.callid for c in dynamodb.calls(limit=4)] == ["new0", "new1", "old0", "old1"]
    assert dynamodb.requests("Scan") != []
    until = recent[1][0].call_at  # new1's start: only the old calls are before it
    assert [c.callid for c in dynamodb.calls(limit=2, until=until)] == ["old0", "old1"]
    half_way = iso(now - timedelta(minutes=90))  # after new1, before new0
    dynamodb.requests.made.clear()
    assert [c.callid for c in dynamodb.calls(limit=1, until=half_way)] == ["new1"]
    assert dynamodb.requests("Scan") == []


def test_a_numbers_failed_calls_and_its_latest_possible_call_are_listed_as_sqlite_lists_them(dynamodb):
    """by-number holds keys only (no `kind`); a call may start as late as times.LATEST_SECONDS."""
    from tests import samples
    from voice_receipts.callbacks import parse_callback
    from voice_receipts.receipt import build_receipt
    from voice_receipts.times import LATEST_SECONDS

    now = datetime.now(timezone.utc)
    failure = samples.body("voice_failure_callback", callid="c1", mobile="13800138000")
    latest = datetime.fromtimestamp(LATEST_SECONDS, timezone.utc)
    receipts = [
        *call("c0", now - timedelta(hours=2)),
        *call("c1", now - timedelta(hours=1)),
        *call("c9", latest),
    ]
    receipts.append(build_receipt(parse_callback(failure), received_at=iso(now - timedelta(minutes=59))))
    lite = SQLiteStore(":memory:")
    for store in (dynamodb, lite):
        fill(store, receipts)
        store.answers = [
            [c.callid for c in store.calls_for_phone(NUMBER, state="failed")],
            [c.callid for c in store.calls_for_phone(NUMBER)],
        ]
    assert dynamodb.answers == lite.answers == [["c1"], ["c9", "c1", "c0"]]
