"""Lambda SnapStart: init registers a restore hook where the runtime offers one, and the hook
gives each restored copy its own App, store client and random sequence."""

from __future__ import annotations

import importlib
import json
import random
import sys
import types

import pytest

from tests import samples
from voice_receipts import runtime

TOKEN = "snapstart-test-token-0123"


@pytest.fixture
def fake_snapstart(monkeypatch):
    """snapshot_restore_py as Lambda's Python runtimes ship it: it records what is registered."""
    registered: list = []
    module = types.ModuleType("snapshot_restore_py")
    module.register_after_restore = lambda func, *a, **kw: registered.append(func)
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return registered


@pytest.fixture
def lambda_env(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "voice-receipts-test-receive")
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", f"sqlite:///{tmp_path}/r.db")
    monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", TOKEN)
    runtime.reset()
    yield
    runtime.reset()


def test_init_on_lambda_registers_the_restore_hook(fake_snapstart, lambda_env, monkeypatch):
    monkeypatch.delitem(sys.modules, "handler", raising=False)
    importlib.import_module("handler")  # init as Lambda runs it: the module body, on Lambda
    assert fake_snapstart == [runtime.after_restore]


def test_no_registration_outside_a_cloud_runtime(fake_snapstart, monkeypatch):
    monkeypatch.delitem(sys.modules, "handler", raising=False)
    importlib.import_module("handler")
    assert fake_snapstart == []


def test_no_hook_library_no_registration(monkeypatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import raises ImportError
    assert runtime.register_snapstart_hooks() is False


def test_restore_reseeds_random_and_drops_the_aws_clients_connections(lambda_env, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", "dynamodb://voice-receipts-test-receipts")
    runtime.reset()
    app = runtime.get_app()
    closed = []
    monkeypatch.setattr(app.store.client, "close", lambda: closed.append(True))
    random.seed(42)
    snapshot_draw = random.random()
    random.seed(42)  # the state every restored copy would resume with
    runtime.after_restore()
    assert random.random() != snapshot_draw
    assert closed == [True]
    assert runtime.get_app() is app  # the client is kept: only its connections go


def test_restore_leaves_a_store_without_a_client_working(lambda_env):
    app = runtime.get_app()  # SQLite: nothing pooled to drop, and never closed
    runtime.after_restore()
    event = samples.aws_http(samples.body("voicecode_callback"), query=f"token={TOKEN}")
    assert samples.reply_of(app(event, None)) == (200, {"result": 0, "errmsg": "OK"})


def test_each_restored_copy_counts_its_own_cold_start(lambda_env, capsys):
    """Metrics are on in Lambda: a restore is a cold start of its own, and the snapshot's init
    time is not the restored copy's, so it is not reported again."""
    app = runtime.get_app()
    event = samples.aws_http(samples.body("voicecode_callback"), query=f"token={TOKEN}")
    app(event, None)  # the first request before the snapshot would be unusual; it counts once
    app(event, None)
    runtime.after_restore()
    app(event, None)
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    assert [x.get("ColdStarts") for x in lines] == [1, None, 1]
    assert "InitDuration" in lines[0] and "InitDuration" not in lines[2]
