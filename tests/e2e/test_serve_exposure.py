"""`serve` beyond loopback needs a token (issue 21, class 13): without VOICE_RECEIPTS_TOKEN, a host
other than loopback is refused in one line unless --allow-unauthenticated says so."""

from __future__ import annotations

import pytest

from voice_receipts.tools import cli
from voice_receipts.tools import server as server_module

BEYOND = ["0.0.0.0", "", "::", "192.0.2.10", "myhost.example", "::ffff:127.0.0.1", "localhost.example"]
LOOPBACK = ["127.0.0.1", "127.0.0.2", "::1", "localhost", "LOCALHOST"]


@pytest.fixture(autouse=True)
def no_serving(monkeypatch, tmp_path):
    monkeypatch.delenv("VOICE_RECEIPTS_TOKEN", raising=False)
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", f"sqlite:///{tmp_path}/r.db")
    started: list[str] = []
    monkeypatch.setattr(
        server_module, "make_server", lambda app, host, *a, **k: started.append(host) or Bound()
    )
    return started


class Bound:
    """What make_server returns, without a socket: this test is about the decision to listen."""

    server_address = ("127.0.0.1", 1)

    def serve_forever(self) -> None:
        pass

    def server_close(self) -> None:
        pass


@pytest.mark.parametrize("host", BEYOND)
def test_beyond_loopback_without_a_token_is_refused(host, no_serving, capsys):
    assert cli.main(["serve", "--host", host, "--port", "0"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "VOICE_RECEIPTS_TOKEN is not set" in line and "--allow-unauthenticated" in line
    assert no_serving == []  # nothing listened, not even for a moment


@pytest.mark.parametrize("host", BEYOND)
def test_a_token_or_the_explicit_flag_allows_it(host, no_serving, monkeypatch, capsys):
    assert cli.main(["serve", "--host", host, "--port", "0", "--allow-unauthenticated"]) == 0
    assert "without a token" in capsys.readouterr().err
    monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", "serve-token-0123456789")
    assert cli.main(["serve", "--host", host, "--port", "0"]) == 0
    assert no_serving == [host, host]


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_needs_no_token(host, no_serving):
    assert cli.main(["serve", "--host", host, "--port", "0"]) == 0
    assert no_serving == [host]
