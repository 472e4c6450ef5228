"""TLS for the SQL servers' tests: a self-signed certificate, and whether a store's session is
encrypted as the server sees it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA): (certificate, key)."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def encrypted(store) -> bool:
    """Whether the store's own session is encrypted, as the server sees it."""
    query = (
        "SHOW SESSION STATUS LIKE 'Ssl_cipher'"
        if store.name == "mysql"
        else "SELECT ssl::text, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    )
    with store._db.cursor() as cursor:
        cursor.execute(query)
        (first, second) = cursor.fetchone()
    return bool(second) and first in ("Ssl_cipher", "true")
