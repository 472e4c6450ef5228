"""TLS where the server asks for it: `sslmode=verify-full` with the server's CA stores over an
encrypted session; `require` against a server without TLS, or a certificate from another CA,
stops the start (a ConfigError at warm-up), instead of waiting or falling back to plain text."""

from __future__ import annotations

import pytest

from tests import samples
from tests.sqlservers import admin_url, fresh_database, start
from tests.tls import certificate, encrypted
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import ConfigError
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store

pytestmark = pytest.mark.parametrize("kind", ["mysql", "postgresql"])
RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback", callid="call-tls")))


@pytest.fixture
def tls_server(tmp_path):
    started = []

    def make(kind: str):
        started.append(start(kind, tls=certificate(tmp_path, "server")))
        return started[-1]

    yield make
    for server in started:
        server.remove()


def test_verify_full_with_the_servers_ca_stores_over_tls(kind, tls_server, tmp_path):
    server = tls_server(kind)
    url = admin_url(
        server, fresh_database(server), sslmode="verify-full", sslrootcert=str(tmp_path / "server.crt")
    )
    store = open_store(url)
    store.warm(RECEIPT)
    assert encrypted(store)
    assert store.put(RECEIPT) is True
    store.close()


def test_a_certificate_from_another_ca_stops_the_start(kind, tls_server, tmp_path):
    server = tls_server(kind)
    other, _ = certificate(tmp_path, "other")
    store = open_store(admin_url(server, fresh_database(server), sslmode="verify-ca", sslrootcert=str(other)))
    with pytest.raises(ConfigError, match="TLS|certificate"):
        store.warm(RECEIPT)


def test_require_with_a_root_certificate_checks_the_ca_as_libpq_does(kind, tls_server, tmp_path):
    server = tls_server(kind)
    other, _ = certificate(tmp_path, "other")
    store = open_store(admin_url(server, fresh_database(server), sslmode="require", sslrootcert=str(other)))
    with pytest.raises(ConfigError, match="TLS|certificate"):
        store.warm(RECEIPT)


def test_require_against_a_server_without_tls_stops_the_start(kind, sql_server):
    server = sql_server(kind)  # the session's servers offer no TLS
    store = open_store(admin_url(server, fresh_database(server), sslmode="require"))
    with pytest.raises(ConfigError, match="offers no TLS"):
        store.warm(RECEIPT)
