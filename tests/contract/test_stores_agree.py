"""Every store, fed the same receipts: the same event_ids, nothing added by a second replay,
and a replay broken off by store faults and run again leaves every receipt stored."""

from __future__ import annotations

import contextlib

import pytest

from tests import samples
from tests.contract.backends import BACKENDS
from voice_receipts.app import App
from voice_receipts.config import Settings
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools.replay import items, replay, replay_one

pytestmark = pytest.mark.usefixtures("aws_env")
ITEMS = list(items([samples.EVENTS]))


@pytest.fixture
def stores(tmp_path):
    """name -> (App, read_event_ids(), fail switch) for every store of the contract registry."""
    with contextlib.ExitStack() as stack:
        opened = {name: stack.enter_context(factory(tmp_path)) for name, factory in BACKENDS.items()}
        yield {
            name: (
                App.configured(b.settings, b.store),
                (lambda b=b: [r.event_id for r in b.read_back()]),
                b,
            )
            for name, b in opened.items()
        }


def accepted_ids() -> set[str]:
    """What every store must end up holding: the event_ids of the samples the handler accepts."""
    app = App.configured(Settings(), SQLiteStore(":memory:"))
    return {r.receipt.event_id for i in ITEMS if (r := app.handle(i.event)).reply.status == 200}


def test_the_same_receipts_give_the_same_event_ids_in_every_store(stores):
    want = accepted_ids()
    assert len(want) == 19  # 20 accepted samples, one of them a redelivery
    for name, (app, event_ids, _) in stores.items():
        first = [r.status for r in replay(app, [samples.EVENTS])]
        # (SQS is read once, at the end: reading deletes, and moto forgets a deleted message's
        # deduplication id, where SQS keeps it for its 5-minute window)
        if name != "sqs":
            assert set(event_ids()) == want, name
        second = [r.status for r in replay(app, [samples.EVENTS])]
        assert second == first, name
        ids = event_ids()
        assert set(ids) == want, name  # a second replay adds no receipt
        if stores[name][
            2
        ].dedupes:  # tables refuse the duplicate; SQS FIFO drops it by MessageDeduplicationId
            assert len(ids) == len(want), name
        else:  # CMQ has no deduplication: each message arrives again, consumers dedupe by event_id
            assert len(ids) == 2 * len(want) + 2  # + the redelivered sample, sent twice as well


def test_a_replay_broken_off_by_faults_and_run_again_stores_every_receipt(stores):
    want = accepted_ids()
    for name, (app, event_ids, fault) in stores.items():
        half = len(ITEMS) // 2
        statuses = [replay_one(app, i).status for i in ITEMS[:half]]
        fault.fail(True)
        broken = [replay_one(app, i) for i in ITEMS[half:]]
        assert {r.status for r in broken if r.status not in (400, 405, 413)} == {503}, name
        assert all(r.result == 5030 for r in broken if r.status == 503)
        fault.fail(False)
        assert not set(event_ids()) >= want, f"{name}: the faults stored everything anyway"
        rerun = [replay_one(app, i).status for i in ITEMS]
        assert 503 not in rerun and 200 in statuses
        assert set(event_ids()) == want, name
        if name == "dynamodb":
            assert len(event_ids()) == len(want)  # each exactly once
