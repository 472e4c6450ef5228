"""`replay --url` says "sent, no answer" only of a request that left the machine (issue 21, class 11):
a certificate that fails verification, a host that cannot be parsed or a scheme that is not HTTP
is refused before the first item, in one line, exit 2, and nothing reaches any server."""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests import samples
from voice_receipts.tools import cli

TOKEN = "url-token-0123456789abcdef"


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no trust store holds: what verification must refuse."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
            False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


class TlsServer:
    """HTTPS on loopback with that certificate: counts handshakes and the requests that arrive."""

    def __init__(self, folder) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(*self_signed(folder))
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.handshakes, self.requests = 0, 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            self.handshakes += 1
            try:
                with self.context.wrap_socket(raw, server_side=True) as conn:
                    conn.settimeout(2)
                    if conn.recv(65536):
                        self.requests += 1
                        conn.sendall(
                            b'HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\n{"result": 0, "errmsg": "OK"}  '
                        )
            except (OSError, ssl.SSLError):
                continue  # the client refused the certificate: the handshake broke off

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def one_file(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(samples.body("voicecode_callback")))
    return str(path)


def test_a_certificate_that_fails_verification_is_refused_before_the_first_item(tmp_path, one_file, capsys):
    server = TlsServer(tmp_path)
    try:
        status = cli.main(
            ["replay", one_file, one_file, "--url", f"https://127.0.0.1:{server.port}/cb?token={TOKEN}"]
        )
    finally:
        server.close()
    out, err = capsys.readouterr()
    assert status == 2, out + err
    assert server.requests == 0 and server.handshakes >= 1  # it got as far as TLS, never further
    [line] = err.splitlines()
    assert "TLS failed" in line and "nothing was sent" in line and "SSLCertVerificationError" in line
    assert "sent, no answer" not in out and TOKEN not in out + err


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/cb",  # a space in the host
        "http://a..b/cb",  # an empty label
        "http://" + "a" * 64 + ".example/cb",  # a label over 63 characters
        "http://" + "a." * 130 + "example/cb",  # a name over 253 characters
        "http://-bad.example/cb",
        "http://bad\u202e.example/cb",  # a bidi control: IDNA refuses it
        "http://[::1/cb",  # an unclosed IPv6 bracket
        "http://127.0.0.1:99999/cb",
        "http://127.0.0.1:port/cb",
        "ftp://127.0.0.1/cb",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https:///cb",
        "//127.0.0.1/cb",
        "http://user@/cb",
    ],
)
def test_a_url_that_cannot_work_is_refused_in_one_line_before_anything_is_sent(url, one_file, capsys):
    status = cli.main(["replay", one_file, "--url", f"{url}?token={TOKEN}"])
    out, err = capsys.readouterr()
    assert status == 2
    [line] = err.splitlines()
    assert "--url" in line and "nothing was sent" in line and TOKEN not in line
    assert out == ""  # not one item reported, let alone as "sent"
