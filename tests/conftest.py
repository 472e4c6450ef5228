from __future__ import annotations

import os

import pytest

from tests.aws import REGION
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.stores.sqlite import SQLiteStore

ENV_PREFIXES = ("VOICE_RECEIPTS_", "AWS_LAMBDA_FUNCTION_NAME", "SCF_FUNCTIONNAME")
# requests (the Tencent SDKs' HTTP client) honours these; every stub is on 127.0.0.1, reached directly
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Every test starts from no configuration at all, whatever the developer's shell has."""
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES) or name in PROXIES:
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def restore_logging():
    """Tests that build an App or call logs.configure() leave the package's logger as they found it."""
    from voice_receipts.logs import log

    saved = log.handlers[:], log.level, log.propagate
    yield
    log.handlers[:], log.level, log.propagate = saved


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "receipts.db")
    yield s
    s.close()


@pytest.fixture
def make_app(store):
    """make_app(VOICE_RECEIPTS_TOKEN="x", ...) -> an App on a fresh SQLite store."""

    def build(**env: str) -> App:
        return App.configured(load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///unused", **env}), store)

    return build


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Fake credentials and a fixed region; no profile, no endpoint override, no metadata service,
    so nothing a test does can reach real AWS."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# -- real MariaDB and PostgreSQL servers (tests/sqlservers.py), started once, on first use ------


@pytest.fixture(scope="session")
def sql_server():
    """sql_server("mysql" | "postgresql") -> the session's running server of that kind."""
    from tests import sqlservers

    yield sqlservers.shared
    sqlservers.stop_shared()


@pytest.fixture
def sql_store(sql_server):
    """sql_store("mysql" | "postgresql", **url options) -> an open store on a fresh database
    with the schema `db init` makes; closed after the test. What a shared store fixture joins."""
    from tests import sqlservers
    from voice_receipts.stores import open_store

    opened = []

    def make(kind: str, **query: str):
        server = sql_server(kind)
        database = sqlservers.fresh_database(server)
        store = open_store(sqlservers.admin_url(server, database, **query))
        store.server, store.database = server, database  # for tests that look at the rows
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def _shared_databases(sql_server):
    """kind -> a database with the schema `db init` makes, made once per session, on first use."""
    from tests import sqlservers

    made: dict[str, str] = {}

    def get(kind: str) -> str:
        if kind not in made:
            made[kind] = sqlservers.fresh_database(sql_server(kind))
        return made[kind]

    return get


@pytest.fixture
def sql_session_store(sql_server, _shared_databases):
    """sql_session_store("mysql" | "postgresql", **url options) -> a store on the session's shared
    database of that kind (no `db init` per test); closed after the test. For tests that store no
    rows: they look at the store's connections and sessions, not at a table's contents."""
    from tests import sqlservers
    from voice_receipts.stores import open_store

    opened = []

    def make(kind: str, **query: str):
        server = sql_server(kind)
        store = open_store(sqlservers.admin_url(server, _shared_databases(kind), **query))
        store.server, store.database = server, _shared_databases(kind)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


# `make mutate` (mutmut) runs, per mutant, every test that reaches the mutated function and stops
# at the first failure, so the order decides what a killed mutant costs. First the tests named
# after its module or package (stores/sql_store.py: test_store_sql*.py, test_sql_*.py;
# gateways/aws.py: test_gateway*.py, test_aws_*.py; config.py: test_config.py), then all the
# others; each group fastest first, by the durations mutmut measured in its stats pass
# (mutants/mutmut-stats.json). "store" names every store's tests, so it names none.
# File order had run a 9 s replay through both SQL servers before the 0.01 s test that kills
# most of stores/facts.py's mutants. Outside mutmut, pytest's order.
_TOO_COMMON = {"store", "stores", "voice", "receipts"}


def _words(name: str) -> set[str]:
    """A module's or a test file's words, singular and plural: sql_store -> sql, store, stores."""
    words = {w for w in name.split("_") if w and w not in ("test", "py", "x")}
    return words | {w + "s" for w in words} | {w.removesuffix("s") for w in words}


def _mutated_words(mutant: str) -> set[str]:
    """voice_receipts.gateways.aws.xǁAwsRestApiǁrequest__mutmut_5 -> {aws, gateway, gateways, ...}"""
    parts = [p for p in mutant.split(".") if not p.startswith(("x_", "xǁ"))]
    return set().union(*(_words(p) for p in parts[1:])) - _TOO_COMMON


def _measured() -> dict[str, float]:
    import json

    try:
        with open("mutmut-stats.json") as stats:  # mutmut runs the sessions in mutants/
            return dict(json.load(stats)["duration_by_test"])
    except (OSError, ValueError, KeyError):
        return {}


def _mutation_rank(nodeid: str, module: set[str], durations: dict[str, float]) -> tuple[int, float]:
    named = _words(nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")) & module
    return (0 if named else 1, durations.get(nodeid, 1.0))


def pytest_collection_modifyitems(config, items):
    import os

    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant and mutant not in ("stats", "fail", "list_all_tests"):
        module, durations = _mutated_words(mutant), _measured()
        items.sort(key=lambda item: _mutation_rank(item.nodeid, module, durations))


def pytest_configure(config):
    """Under mutmut, each mutant is a pytest session in a child forked from a process that has
    imported everything (boto3, moto, the drivers). pytest's unraisable-exception plugin runs
    gc.collect() several times at the session's end, and each walked that whole inherited heap:
    half a second of every mutant, twice its other start-up costs. Frozen, the collector walks
    only what this session made, where an unraisable exception would come from."""
    import gc
    import os

    if os.environ.get("MUTANT_UNDER_TEST"):
        gc.freeze()


# Under `make mutate`, one line per mutant in mutants/timings.tsv (the sessions run in mutants/):
# its name, its session's seconds, the tests run of those collected, and its exit status.
# mutmut's fork server records no durations; docs/testing.md's "where the time goes" is these.
_session = {"started": 0.0, "ran": 0}


def pytest_sessionstart(session):
    import time

    _session.update(started=time.perf_counter(), ran=0)


def pytest_runtest_logfinish(nodeid, location):
    _session["ran"] += 1


def pytest_sessionfinish(session, exitstatus):
    import os
    import time

    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" not in mutant or not os.path.isfile("mutmut-stats.json"):
        return
    seconds = time.perf_counter() - _session["started"]
    line = f"{mutant}\t{seconds:.3f}\t{_session['ran']}/{session.testscollected}\t{int(exitstatus)}\n"
    fd = os.open("timings.tsv", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())  # one short line in one write: whole, whoever else appends
    finally:
        os.close(fd)
