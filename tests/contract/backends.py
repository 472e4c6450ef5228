"""Every store, opened the same way for the contract tests: a registry of factories.

A factory is a context manager taking pytest's `tmp_path` and yielding a Backend: the open store,
the settings that chose it, a way to read back everything it holds (a table is read, a queue is
drained), and a fault switch where the test can make the store's service fail. A new store joins
every contract test by adding one factory to BACKENDS (the SQL stores add theirs here).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import EndpointConnectionError

from tests.aws import aws_client, create_queue, create_table, drain
from tests.stubs import TdmqStub
from voice_receipts.config import Settings, StoreURL, load_settings
from voice_receipts.receipt import Receipt
from voice_receipts.stores import open_store
from voice_receipts.stores.base import Store
from voice_receipts.stores.dynamodb import DynamoDBStore
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.stores.sqs import SQSStore


class Faulty:
    """A boto3 client that refuses connections while `failing` is set, like an endpoint gone away."""

    def __init__(self, client: Any) -> None:
        self.client, self.failing = client, False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.failing:
                raise EndpointConnectionError(endpoint_url="https://store.example.invalid")
            return method(*args, **kwargs)

        return call


@dataclass
class Backend:
    name: str
    store: Store
    settings: Settings
    read_back: Callable[[], list[Receipt]]  # every receipt held, each as often as it is held
    readable: bool  # a table answers the calls API; a queue is consumed instead
    fail: Callable[[bool], None]  # fail(True): the service refuses; fail(False): it is back
    dedupes: bool = True  # a queue without deduplication (CMQ) holds a redelivery twice
    extra: dict[str, Any] = field(default_factory=dict)


class _BrokenDisk:
    """What a SQLite connection does when its disk fails under it."""

    def execute(self, *args: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")


@contextlib.contextmanager
def sqlite(tmp_path: Path) -> Iterator[Backend]:
    store = SQLiteStore(tmp_path / "contract.db")
    connection = store._db

    def fail(on: bool) -> None:
        store._db = _BrokenDisk() if on else connection  # type: ignore[assignment]

    try:
        yield Backend("sqlite", store, Settings(), lambda: _table(store), readable=True, fail=fail)
    finally:
        store._db = connection
        store.close()


@contextlib.contextmanager
def dynamodb(tmp_path: Path) -> Iterator[Backend]:
    from moto import mock_aws

    with mock_aws():
        client = aws_client("dynamodb")
        create_table(client, "receipts")
        faulty = Faulty(client)
        store = DynamoDBStore("receipts", client=faulty)
        settings = Settings(store=StoreURL.parse("dynamodb://receipts"))
        yield Backend("dynamodb", store, settings, lambda: _table(store), readable=True, fail=_switch(faulty))


@contextlib.contextmanager
def sqs(tmp_path: Path) -> Iterator[Backend]:
    from moto import mock_aws

    with mock_aws():
        client = aws_client("sqs")
        url = create_queue(client, "receipts.fifo")
        faulty = Faulty(client)
        held: list[Receipt] = []

        def read_back() -> list[Receipt]:  # reading deletes: keep what was read
            held.extend(Receipt.from_message(m["Body"]) for m in drain(client, url))
            return list(held)

        settings = Settings(store=StoreURL.parse("sqs://receipts.fifo"))
        yield Backend(
            "sqs", SQSStore(url, client=faulty), settings, read_back, readable=False, fail=_switch(faulty)
        )


@contextlib.contextmanager
def cmq(tmp_path: Path) -> Iterator[Backend]:
    with TdmqStub(queues=["receipts"]) as tdmq:
        settings = load_settings(
            {
                "VOICE_RECEIPTS_STORE": "cmq://receipts",
                "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
                "VOICE_RECEIPTS_TENCENT_ENDPOINT": tdmq.url,
                "TENCENTCLOUD_SECRET_ID": tdmq.secret_id,
                "TENCENTCLOUD_SECRET_KEY": tdmq.secret_key,
            }
        )

        def fail(on: bool) -> None:
            if on:
                tdmq.fail_next("InternalError", times=None)
            else:
                tdmq.clear_faults()

        yield Backend(
            "cmq",
            open_store(settings.store, settings),
            settings,
            lambda: [Receipt.from_message(m.body) for m in tdmq.messages],
            readable=False,
            fail=fail,
            dedupes=False,
        )


@contextlib.contextmanager
def _sql(kind: str, tmp_path: Path) -> Iterator[Backend]:
    """A fresh database on the session's real server (tests/sqlservers.py), schema by `db init`.
    The fault: the store's address turns to a port nobody listens on, and it waits half a second."""
    import dataclasses

    from tests import sqlservers

    server = sqlservers.shared(kind)
    settings = load_settings(
        {"VOICE_RECEIPTS_STORE": sqlservers.admin_url(server, sqlservers.fresh_database(server))}
    )
    store = open_store(settings.store, settings)
    address = store.address

    def fail(on: bool) -> None:
        store.disconnect()
        closed = {"port": sqlservers.free_port(), "timeouts": {**address.timeouts, "wait": 0.5}}
        store.address = dataclasses.replace(address, **closed) if on else address
        store._timeouts = store.address.timeouts

    try:
        yield Backend(kind, store, settings, lambda: _table(store), readable=True, fail=fail)
    finally:
        store.close()


def mysql(tmp_path: Path) -> contextlib.AbstractContextManager[Backend]:
    return _sql("mysql", tmp_path)


def postgresql(tmp_path: Path) -> contextlib.AbstractContextManager[Backend]:
    return _sql("postgresql", tmp_path)


def _table(store: Store) -> list[Receipt]:
    return [r for callid in store.callids() for r in store.receipts(callid)]


def _switch(faulty: Faulty) -> Callable[[bool], None]:
    def fail(on: bool) -> None:
        faulty.failing = on

    return fail


BACKENDS: dict[str, Callable[[Path], contextlib.AbstractContextManager[Backend]]] = {
    "sqlite": sqlite,
    "dynamodb": dynamodb,
    "sqs": sqs,
    "cmq": cmq,
    "mysql": mysql,
    "postgresql": postgresql,
}
READABLE = ("sqlite", "dynamodb", "mysql", "postgresql")


def as_json(receipt: Receipt) -> dict[str, Any]:
    return json.loads(receipt.to_json())
