"""handler.py as the platforms call it: config from the environment, read once."""

import importlib

import pytest

from tests import samples
from voice_receipts import runtime
from voice_receipts.errors import ConfigError


@pytest.fixture
def handler(monkeypatch, tmp_path):
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", f"sqlite:///{tmp_path}/h.db")
    runtime.reset()
    import handler as module

    yield module
    runtime.reset()


def test_both_names_are_one_function(handler):
    assert handler.main_handler is handler.lambda_handler


def test_handler_stores_through_the_configured_store(handler, tmp_path):
    assert handler.lambda_handler(samples.body("voicecode_callback"), None) == {"result": 0, "errmsg": "OK"}
    status, _ = samples.reply_of(
        handler.main_handler(samples.tencent_url(samples.body("voicekey_callback")), {})
    )
    assert status == 200
    assert runtime.get_app().store.receipts("call-code-1")[0].status == "answered"


def test_config_is_read_once(handler, monkeypatch):
    first = runtime.get_app()
    monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", "later-token-0123456")
    handler.main_handler(samples.body("voicekey_callback"), None)
    assert runtime.get_app() is first and first.gate.tokens == ()


def test_cloud_runtime_without_store_fails_at_import(monkeypatch):
    monkeypatch.delenv("VOICE_RECEIPTS_STORE", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "voice-receipts")
    runtime.reset()
    import handler as module

    with pytest.raises(ConfigError, match="VOICE_RECEIPTS_STORE is not set"):
        importlib.reload(module)
    runtime.reset()
