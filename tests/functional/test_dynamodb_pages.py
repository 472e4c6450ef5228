"""DynamoDB answers a Query or a Scan one page at a time (1 MB each, or `Limit` items) and says
where to go on with LastEvaluatedKey. Every read of the store must follow it to the end, or a busy
call, a busy number or a long report silently loses receipts.

A receipt item is about 1 KB, so real 1 MB pages need a thousand receipts; instead the client the
store uses caps every request at PAGE items (moto honours Limit and returns LastEvaluatedKey just
as DynamoDB does). The store's own code is unchanged: only the page size is smaller.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto import mock_aws

from tests import samples
from tests.aws import TABLE, aws_client, create_table
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

pytestmark = pytest.mark.usefixtures("aws_env")
PAGE = 2


class SmallPages:
    """The moto client, every Query and Scan capped at PAGE items; counts the pages served."""

    def __init__(self, client: Any) -> None:
        self.client, self.pages = client, 0

    def _capped(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self.pages += 1
        request = {**request, "Limit": min(request.get("Limit", PAGE), PAGE)}
        return getattr(self.client, operation)(**request)

    def query(self, **request: Any) -> dict[str, Any]:
        return self._capped("query", request)

    def scan(self, **request: Any) -> dict[str, Any]:
        return self._capped("scan", request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def at(second: int) -> str:
    return f"2026-12-01T08:00:{second:02d}.000000Z"


def put(store: DynamoDBStore, name: str, second: int, **fields: Any) -> None:
    store.put(build_receipt(parse_callback(samples.body(name, **fields)), received_at=at(second)))


@pytest.fixture
def paged():
    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client)
        small = SmallPages(client)
        yield DynamoDBStore(TABLE, client=small), small


def test_a_call_with_more_receipts_than_a_page_is_read_whole(paged):
    store, client = paged
    put(store, "voicecode_callback", 0, callid="busy")
    for n, key in enumerate("1234567"):
        put(store, "voicekey_callback", n + 1, callid="busy", keypress=key)
    client.pages = 0
    receipts = store.receipts("busy")
    assert [r.keypress for r in receipts] == [None, *"1234567"]
    assert client.pages >= 4  # 8 items in pages of 2: the store followed LastEvaluatedKey


def test_calls_to_one_number_are_found_past_the_first_page(paged):
    store, client = paged
    # three calls of three receipts each: the first page (newest first) holds one call only
    for n, callid in enumerate(("c0", "c1", "c2", "c3")):
        number = {"callid": callid, "mobile": "13800138000", "nationcode": "86"}
        put(store, "voiceprompt_callback", 10 * n, **number)
        put(store, "voicekey_callback", 10 * n + 1, keypress="1", **number)
        put(store, "voicekey_callback", 10 * n + 2, keypress="2", **number)
    client.pages = 0
    assert store.callids_for_phone("+8613800138000", limit=3) == ["c3", "c2", "c1"]
    assert client.pages >= 3


def test_the_report_scan_reads_every_page_of_every_segment(paged):
    store, client = paged
    for n in range(11):
        put(store, "voicecode_callback", n, callid=f"r{n:02d}")
    client.pages = 0
    found = list(store.receipts_between(at(0), at(59)))
    assert sorted(r.callid for r in found) == [f"r{n:02d}" for n in range(11)]
    assert client.pages > 4  # more pages than the 4 segments: each segment went on


def test_listing_calls_scans_every_page(paged):
    store, client = paged
    for n in range(7):
        put(store, "voicecode_callback", n, callid=f"l{n}")
    client.pages = 0
    assert store.callids() == [f"l{n}" for n in reversed(range(7))]
    assert client.pages >= 4


class Recorder:
    """A Progress that remembers what the Scan told it."""

    def __init__(self) -> None:
        self.total, self.added, self.notes = None, [], []

    def start(self, total: int) -> None:
        self.total = total

    def add(self, n: int) -> None:
        self.added.append(n)

    def note(self, text: str) -> None:
        self.notes.append(text)


class CountingPages(SmallPages):
    """SmallPages that also adds up what each page says it read and cost."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.scanned, self.units = 0, 0.0

    def scan(self, **request: Any) -> dict[str, Any]:
        page = super().scan(**request)
        self.scanned += page["ScannedCount"]
        self.units += page["ConsumedCapacity"]["CapacityUnits"]
        return page


def test_the_report_scan_tells_its_progress_and_what_it_read_and_cost():
    with mock_aws():
        raw = aws_client("dynamodb")
        create_table(raw)
        counting = CountingPages(raw)
        store = DynamoDBStore(TABLE, client=counting)
        for n in range(9):
            put(store, "voicecode_callback", n, callid=f"r{n}")
        recorder = Recorder()
        found = list(store.receipts_between(at(3), at(7), recorder))
        assert sorted(r.callid for r in found) == ["r3", "r4", "r5", "r6"]  # [since, until)
        assert recorder.total == 9  # the table's item count, before the Scan
        assert sum(recorder.added) == counting.scanned == 9 and len(recorder.added) == counting.pages
        assert counting.units > 0
        assert recorder.notes == [
            f"scanned 9 items of {TABLE} in 4 segments for 4 receipts;"
            f" consumed {counting.units:g} read capacity units (a Scan reads every item, whatever the filter)"
        ]


class Recording(SmallPages):
    """SmallPages that keeps every Query and Scan request as the store made it."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def _capped(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((operation, dict(request)))
        return super()._capped(operation, request)


def test_a_call_is_read_consistently_and_a_listing_reads_two_attributes_only():
    with mock_aws():
        raw = aws_client("dynamodb")
        create_table(raw)
        recording = Recording(raw)
        store = DynamoDBStore(TABLE, client=recording)
        put(store, "voicecode_callback", 0, callid="c")
        store.receipts("c")  # `show` right after a delivery must see it: a strongly consistent read
        assert recording.requests[-1][1]["ConsistentRead"] is True
        recording.requests.clear()
        store.callids()
        assert {r["ProjectionExpression"] for _, r in recording.requests} == {"callid, received_at"}


def test_listing_calls_since_a_moment_includes_that_moment_newest_first(paged):
    store, _ = paged
    put(store, "voicecode_callback", 1, callid="a")
    put(store, "voicecode_callback", 5, callid="b")
    put(store, "voicecode_callback", 5, callid="c")  # the same second as b: by callid, descending
    put(store, "voicekey_callback", 9, callid="a")  # a call's first receipt is what counts
    put(store, "voicecode_callback", 0, callid="z")  # the oldest, whatever its name
    assert store.callids(since=at(5)) == ["c", "b"]
    assert store.callids() == ["c", "b", "a", "z"]


def test_a_failing_query_or_scan_names_the_table_and_what_to_do():
    from botocore.stub import Stubber

    from voice_receipts.errors import StoreUnavailable, UnsupportedOperation

    with mock_aws():
        store = DynamoDBStore(TABLE, client=aws_client("dynamodb"))
        with Stubber(store.client) as stub:
            stub.add_client_error("query", "ProvisionedThroughputExceededException", http_status_code=400)
            with pytest.raises(StoreUnavailable) as caught:
                store.receipts("c")
        assert caught.value.message == (
            f"dynamodb table {TABLE!r} is throttling (ProvisionedThroughputExceededException)"
        )
        with Stubber(store.client) as stub:
            stub.add_client_error("scan", "AccessDeniedException", http_status_code=400)
            with pytest.raises(UnsupportedOperation) as denied:
                store.callids()
        assert denied.value.message == (
            f"listing calls needs dynamodb:Scan on {TABLE!r}, which this role lacks; give a callid or --phone"
        )
        with Stubber(store.client) as stub:  # a Scan that fails otherwise: the same words as a Query's
            stub.add_client_error("scan", "ProvisionedThroughputExceededException", http_status_code=400)
            with pytest.raises(StoreUnavailable) as throttled:
                store.callids()
        assert throttled.value.message == (
            f"dynamodb table {TABLE!r} is throttling (ProvisionedThroughputExceededException)"
        )
        with Stubber(store.client) as stub:  # the report's read: its first call, the same words
            stub.add_client_error(
                "describe_table", "ProvisionedThroughputExceededException", http_status_code=400
            )
            with pytest.raises(StoreUnavailable) as throttled:
                list(store.receipts_between(at(0)))
        assert throttled.value.message == (
            f"dynamodb table {TABLE!r} is throttling (ProvisionedThroughputExceededException)"
        )


class BarePages:
    """A DynamoDB-compatible service that leaves out what it need not say: no ItemCount, no
    ScannedCount, no ConsumedCapacity, and no Items on a page that matched nothing."""

    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"TableName": TableName}}

    def scan(self, **request: Any) -> dict[str, Any]:
        return {"Items": [{"callid": {"S": "c"}}]} if request.get("Segment") == 0 else {}


def test_a_listing_of_pages_without_items_is_empty():
    from voice_receipts.stores import dynamodb_scan

    assert dynamodb_scan.callids(BarePages(), TABLE) == []


def test_a_scan_of_pages_without_counts_or_cost_reads_them_as_none():
    from voice_receipts.stores import dynamodb_scan

    recorder = Recorder()
    found = dynamodb_scan.items_between(BarePages(), TABLE, at(0), progress=recorder)
    assert found == [{"callid": {"S": "c"}}]
    assert recorder.total == 0 and recorder.added == [0, 0, 0, 0]
    assert recorder.notes == [
        f"scanned 0 items of {TABLE} in 4 segments for 1 receipts;"
        " consumed 0 read capacity units (a Scan reads every item, whatever the filter)"
    ]


def test_a_context_lookup_asks_dynamodb_for_no_more_items_than_it_shows():
    from voice_receipts.receipt import Receipt

    with mock_aws():
        raw = aws_client("dynamodb")
        create_table(raw)
        recording = Recording(raw)
        store = DynamoDBStore(TABLE, client=recording)
        for n in range(3):
            store.put(
                Receipt(callid=f"s{n}", kind="sent", event_id=f"sent-s{n}", received_at=at(n), context="o-1")
            )
        recording.requests.clear()
        assert store.callids_for_context("o-1", 1) == ["s2"]
        assert [r.get("Limit") for _, r in recording.requests] == [1]  # a read unit per item read
