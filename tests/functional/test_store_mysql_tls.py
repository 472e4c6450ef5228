"""mysql:// TLS that verifies nothing (sslmode unset, `prefer`, `require`) still encrypts when the
server offers TLS, on a context that never loaded the system's trust store (20 to 35 ms of a cold
start for CA certificates such a session never consults); the verify modes load their CAs."""

from __future__ import annotations

import ssl

import pytest

from tests import samples
from tests.sqlservers import admin_url, fresh_database, start
from tests.tls import certificate, encrypted
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import build_receipt
from voice_receipts.stores import open_store

RECEIPT = build_receipt(parse_callback(samples.body("voicecode_callback", callid="call-mysql-tls")))


@pytest.fixture(scope="module")
def tls_mariadb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    server = start("mysql", tls=certificate(folder, "server"))
    yield server, folder
    server.remove()


def stored_over_tls(url: str):
    """The store after a warm-up and one receipt; asserts the session was encrypted."""
    store = open_store(url)
    store.warm(RECEIPT)
    assert encrypted(store)
    assert store.put(RECEIPT) is True  # every test has a fresh database
    return store


def test_this_machines_default_context_loads_cas():
    # the control: without a system trust store to load, "loaded none" below would prove nothing
    assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0, "install ca-certificates"


@pytest.mark.parametrize("query", [{}, {"sslmode": "prefer"}, {"sslmode": "require"}])
def test_unverified_tls_encrypts_without_loading_a_trust_store(tls_mariadb, query):
    server, _ = tls_mariadb
    store = stored_over_tls(admin_url(server, fresh_database(server), **query))
    assert store._db.ctx.cert_store_stats()["x509_ca"] == 0
    store.close()


@pytest.mark.parametrize("mode", ["verify-full", "require"])  # require + sslrootcert: verify-ca
def test_a_root_certificate_is_loaded_and_checked(tls_mariadb, mode):
    server, folder = tls_mariadb
    url = admin_url(server, fresh_database(server), sslmode=mode, sslrootcert=str(folder / "server.crt"))
    store = stored_over_tls(url)
    assert store._db.ctx.cert_store_stats()["x509_ca"] == 1
    store.close()


def test_prefer_against_a_server_without_tls_stores_in_plain_text(sql_server):
    server = sql_server("mysql")  # the session's server offers no TLS
    store = open_store(admin_url(server, fresh_database(server)))
    store.warm(RECEIPT)
    assert not encrypted(store)
    assert store.put(RECEIPT) is True
    store.close()
