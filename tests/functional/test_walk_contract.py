"""What Store.walk(cursor, since=, until=, phone=, failed=, page=) promises, on every store with a
call_at index (SQLite, DynamoDB on moto, MySQL and PostgreSQL on the session's servers): at most
`page` rows, exactly `page` while more exist; newest first by (call_at, callid); strictly below the
cursor; call_at in [since, until); one number's rows with `phone`; failure receipts only with
`failed`; and the page after a cursor goes on exactly where the last one ended.

A listing re-filters and de-duplicates what the walk hands it, so a walk that breaks a promise
still answers right and only reads more: these tests hold the walk itself to its word. Here, not
in tests/contract, because the mutation run selects tests/unit and tests/functional only.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from tests import samples
from tests.aws import REGION
from tests.contract.backends import BACKENDS, READABLE
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.dynamodb import DynamoDBStore

PHONES = ("13800138000", "13900139000")
NUMBER = "+8613900139000"  # PHONES[1] as the walk takes it
# within DynamoDB's by-day window (now + 1 day back to LOOKBACK_DAYS): relative to now, whole hours
BASE = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=34)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def receipts() -> list[Receipt]:
    """16 calls two hours apart over two or three UTC days, numbers alternating; c04 starts when
    c03 does (a tie on call_at, ordered by callid); every third call has a key press 20 s in,
    every fourth from c01 a failure receipt 71 s in: 26 receipts, no two with one (call_at, callid)."""
    found = []
    for i in range(16):
        start = BASE + timedelta(hours=2 * (i - (i == 4)))
        t = int(start.timestamp())
        common = {"callid": f"c{i:02d}", "mobile": PHONES[i % 2]}
        status = samples.body("voiceprompt_callback", **common, result="0", start_calltime=str(t),
                              accept_time=str(t + 5), end_calltime=str(t + 65), fee="1")  # fmt: skip
        found.append(build_receipt(parse_callback(status), received_at=iso(start + timedelta(seconds=70))))
        if i % 3 == 0:
            key = samples.body("voicekey_callback", **common, keypress="1")
            found.append(build_receipt(parse_callback(key), received_at=iso(start + timedelta(seconds=20))))
        if i % 4 == 1:
            failure = samples.body("voice_failure_callback", **common)
            found.append(
                build_receipt(parse_callback(failure), received_at=iso(start + timedelta(seconds=71)))
            )
    return found


RECEIPTS = receipts()
AT = sorted({r.call_at for r in RECEIPTS})
SINCE, UNTIL = AT[3], AT[-4]  # each exactly a receipt's call_at: since is inclusive, until is not


def expected(since=None, until=None, phone=None, failed=False) -> list[tuple[str, str]]:
    """The rows a walk of the whole index hands out, from the receipts themselves."""
    return sorted(
        (
            (r.call_at, r.callid)
            for r in RECEIPTS
            if (since is None or r.call_at >= since)
            and (until is None or r.call_at < until)
            and (phone is None or r.phone == phone)
            and (not failed or r.kind == "voice_failure")
        ),
        reverse=True,
    )


def pages(store, page: int, **filters) -> list[list[tuple[str, str]]]:
    """Walk to the end, each page's cursor the last row of the one before, as a listing does."""
    found, cursor = [], None
    while True:
        rows = [tuple(row) for row in store.walk(cursor, page=page, **filters)]
        found.append(rows)
        if len(rows) < page or len(found) > len(RECEIPTS):
            return found
        cursor = rows[-1]


AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": "{tmp}/no-aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "{tmp}/no-aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module", params=READABLE)
def table(request, tmp_path_factory, sql_server):
    """Each readable store, filled once for the module (the walks only read); AWS as aws_env sets it."""
    tmp = tmp_path_factory.mktemp(request.param)
    with pytest.MonkeyPatch.context() as env:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            env.delenv(name)
        for name, value in AWS_ENV.items():
            env.setenv(name, value.format(tmp=tmp))
        with BACKENDS[request.param](tmp) as opened:
            store = opened.store
            if isinstance(store, DynamoDBStore):
                store.retention_days = 3  # the by-day walk looks back 3 days, not 92 (moto is slow)
            for r in RECEIPTS:
                assert store.put(r)
            yield store


FILTERS = [
    {},
    {"since": SINCE},
    {"until": UNTIL},
    {"since": SINCE, "until": UNTIL},
    {"phone": NUMBER},
    {"failed": True},
    {"phone": NUMBER, "since": SINCE, "until": UNTIL, "failed": True},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "+".join(f) or "all")
def test_the_pages_of_a_walk_are_the_index_newest_first_each_row_once(table, filters):
    want = expected(**filters)
    assert want, filters  # each filter keeps some rows and drops others
    assert len(want) < len(RECEIPTS) or not filters
    for page in (4, len(want)):  # pages that end inside the rows, and one that ends at the last
        got = pages(table, page, **filters)
        assert [row for rows in got for row in rows] == want, (page, got)
        assert [len(rows) for rows in got[:-1]] == [page] * (len(got) - 1)  # full while more exist
        assert len(got[-1]) < page  # the walk that ends it: fewer than asked, never more


def test_a_walk_without_arguments_reads_every_kind_of_receipt(table):
    assert [tuple(row) for row in table.walk(None)] == expected()  # fewer than PAGE rows: all of them


def test_a_cursor_excludes_itself_and_its_equals_and_keeps_a_tie_below_it(table):
    want = expected()
    tie = [i for i in range(1, len(want)) if want[i][0] == want[i - 1][0]]
    assert tie, want  # c03 and c04 start at one moment
    above, below = want[tie[0] - 1], want[tie[0]]  # same call_at, callids c04 then c03
    assert [tuple(r) for r in table.walk(above, page=1)] == [below]
    assert [tuple(r) for r in table.walk(below, page=2)] == want[tie[0] + 1 : tie[0] + 3]
    assert table.walk(want[-1]) == []


def test_since_is_inclusive_and_until_exclusive_at_a_rows_exact_call_at(table):
    assert [tuple(r) for r in table.walk(None, since=SINCE, page=len(RECEIPTS))][-1][0] == SINCE
    assert [tuple(r) for r in table.walk(None, until=UNTIL, page=1)][0][0] == AT[-5]
