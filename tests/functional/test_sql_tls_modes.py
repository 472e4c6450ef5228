"""mysql:// sslmode, with libpq's meanings (docs/stores.md), as PyMySQL is given it (mysql.py `_tls`):
`disable` never asks for TLS; unset and `prefer` ask, and take plain text from a server without
it; `require` wants TLS but checks no certificate, unless `sslrootcert` names a CA; the verify
modes check the certificate against that CA, and `verify-full` the server's name too.

Fast: no TLS server (test_store_mysql_tls.py and test_store_sql_tls.py connect to one); the
contexts are looked at directly, and the session's server (no TLS) shows what PyMySQL does.
"""

from __future__ import annotations

import ssl
import warnings

import pytest

from tests.tls import certificate
from voice_receipts.stores.mysql import _tls, unverified_tls


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> str:
    """A CA certificate file holding one certificate."""
    return str(certificate(tmp_path_factory.mktemp("ca"), "ca")[0])


@pytest.mark.parametrize(("sslmode", "asks"), [("disable", False), (None, True), ("prefer", True)])
def test_disable_never_asks_for_tls_and_prefer_takes_a_server_without_it(sql_session_store, sslmode, asks):
    """PyMySQL's `ssl` is whether it asks the server for TLS; the session's server offers none,
    so `prefer` (and no sslmode) connect in plain text, and so does `disable`, without asking."""
    store = sql_session_store("mysql", **({"sslmode": sslmode} if sslmode else {}))
    db = store.run(lambda db: db, "read")
    assert db.ssl is asks
    assert db._ssl_required is False


@pytest.mark.parametrize(
    ("sslmode", "checks_name"), [("verify-full", True), ("verify-ca", False), ("require", False)]
)
def test_a_root_certificate_is_checked_and_the_servers_name_only_by_verify_full(ca, sslmode, checks_name):
    """With `sslrootcert`, the server's certificate must come from that CA, and only that one
    (not the system's); `require` with a CA is `verify-ca`, as libpq does."""
    context = _tls(sslmode, ca)["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is checks_name
    assert context.cert_store_stats()["x509_ca"] == 1


def test_require_without_a_root_certificate_encrypts_and_checks_nothing():
    context = _tls("require", None)["ssl"]
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)
    assert context.cert_store_stats()["x509_ca"] == 0  # the trust store, never consulted, not loaded


def test_unverified_tls_is_a_tls_1_2_client_context_without_deprecated_calls():
    """A client's context (TLS 1.2 at least, as the default one), made without a call Python
    warns is going away: an upgrade of the runtime does not break the MySQL store's TLS."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        context = unverified_tls()
    assert context.protocol == ssl.PROTOCOL_TLS_CLIENT
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_NONE, False)
