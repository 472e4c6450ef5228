"""A store URL that cannot keep what it acknowledges is refused, in the function and in `serve`
(issue 21, class 12); VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE=true allows it, for tests."""

from __future__ import annotations

import pytest

from tests import samples
from voice_receipts import config
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import ConfigError
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools import cli
from voice_receipts.tools import server as server_module

# each of these opens a database that is gone when the process (or the connection) ends
EPHEMERAL = [
    "sqlite:///:memory:",
    "sqlite:///file::memory:",
    "sqlite:///file::memory:?cache=shared",
    "sqlite:///file:receipts.db?mode=memory",
    "sqlite:///file:receipts.db?mode=memory&cache=shared",
    "sqlite:///file:/receipts.db?vfs=memdb",
    "sqlite:///file:",  # an empty name: a temporary file deleted on close
    "sqlite:///file:?mode=rwc",
]
# refused too: not a plain file path (a file named :MEMORY:, a folder, a URI naming a file)
NOT_A_FILE = [
    "sqlite:///:MEMORY:",
    "sqlite:///FILE:r.db?MODE=MEMORY",
    "sqlite:/// :memory:",
    "sqlite:///folder/",
    "sqlite:///file:receipts.db",
]
DURABLE = ["sqlite:///receipts.db", "sqlite:///memory.db", "sqlite:///:memory:.db", "sqlite:///data/file.db"]
RECEIPT = build_receipt(parse_callback(samples.body("voicekey_callback")))


@pytest.mark.parametrize("url", EPHEMERAL)
def test_what_these_urls_open_really_forgets(url, tmp_path, monkeypatch):
    """The control: stored through one connection, the receipt is gone from the next."""
    monkeypatch.chdir(tmp_path)
    target = config.StoreURL.parse(url).target
    with SQLiteStore(target) as store:
        assert store.put(RECEIPT) and store.receipts(RECEIPT.callid)
    with SQLiteStore(target) as store:
        assert store.receipts(RECEIPT.callid) == []


@pytest.mark.parametrize("url", EPHEMERAL + NOT_A_FILE)
def test_the_function_refuses_a_store_that_would_forget(url):
    with pytest.raises(ConfigError, match="not a database file.*VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE"):
        config.load_settings({config.STORE: url})
    with pytest.raises(ConfigError, match="not a database file"):
        config.load_settings({}, store=url)  # --store, as every command passes it
    allowed = config.load_settings({config.STORE: url, config.ALLOW_EPHEMERAL_STORE: "true"})
    assert allowed.store == config.StoreURL.parse(url)


@pytest.mark.parametrize("url", DURABLE)
def test_a_file_path_is_still_a_store(url):
    assert config.load_settings({config.STORE: url}).store == config.StoreURL.parse(url)


def test_serve_refuses_it_in_one_line_unless_allowed(monkeypatch, capsys):
    monkeypatch.delenv(config.ALLOW_EPHEMERAL_STORE, raising=False)
    monkeypatch.setattr(server_module.Server, "serve_forever", lambda self: None)
    assert cli.main(["serve", "--port", "0", "--store", "sqlite:///:memory:"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "sqlite:///:memory: is not a database file" in line
    monkeypatch.setenv(config.ALLOW_EPHEMERAL_STORE, "true")
    assert cli.main(["serve", "--port", "0", "--store", "sqlite:///:memory:"]) == 0
    assert "listening on http://127.0.0.1:" in capsys.readouterr().out
