"""mysql:// TLS that verifies nothing (sslmode unset, `prefer`, `require`) still encrypts when the
server offers TLS, on a context that never loaded the system's trust store (20 to 35 ms of a cold
start for CA certificates such a session never consults); the verify modes load their CAs."""

from __future__ import annotations

import pytest

from tests.functional.test_store_sql_tls import RECEIPT, certificate, encrypted
from tests.sqlservers import admin_url, fresh_database, start
from voice_receipts.stores import open_store


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
    assert store.put(RECEIPT) in (True, False)  # the module's tests share one receipt
    return store


@pytest.mark.parametrize("query", [{}, {"sslmode": "prefer"}, {"sslmode": "require"}])
def test_unverified_tls_encrypts_without_loading_a_trust_store(tls_mariadb, query):
    server, _ = tls_mariadb
    store = stored_over_tls(admin_url(server, fresh_database(server), **query))
    assert store._db.ctx.cert_store_stats()["x509_ca"] == 0
    store.close()


def test_verify_full_loads_the_ca_it_verifies_with(tls_mariadb):
    server, folder = tls_mariadb
    url = admin_url(
        server, fresh_database(server), sslmode="verify-full", sslrootcert=str(folder / "server.crt")
    )
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
