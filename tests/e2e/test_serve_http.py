"""`serve` speaks HTTP/1.1 correctly or refuses: raw bytes over loopback sockets, no HTTP client
in between to tidy the request up. Each test is one way a request's framing can be read two
ways; what matters is what got stored, so every test reads the store back."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests import samples
from tests.helpers import cli_env, run_cli


def callback(callid: str) -> bytes:
    return json.dumps(samples.body("voicekey_callback", callid=callid)).encode()


def request(body: bytes, *headers: str, method: str = "POST", target: str = "/voice/callback") -> bytes:
    head = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def exchange(base: str, data: bytes, wait: float = 10.0) -> tuple[bytes, bool]:
    """Send raw bytes; read until the server closes (closed=True) or `wait` seconds pass."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=wait) as sock:
        sock.sendall(data)
        received, deadline = b"", time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:  # a server that closes with unread input resets
                return received, True
            if not chunk:
                return received, True
            received += chunk
        return received, False


def responses(data: bytes, head: tuple[int, ...] = ()) -> list[tuple[int, dict[str, str], bytes]]:
    """Split a byte stream into (status, headers, body); responses numbered in `head` have no body."""
    out = []
    while data:
        assert data.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), f"not a response: {data[:80]!r}"
        end = data.index(b"\r\n\r\n")
        lines = data[:end].decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        size = 0 if len(out) in head else int(headers.get("content-length", 0))
        out.append((int(lines[0].split()[1]), headers, data[end + 4 : end + 4 + size]))
        data = data[end + 4 + size :]
    return out


def stored(store: str, callid: str, cwd) -> bool:
    return run_cli("show", callid, "--store", store, cwd=cwd).returncode == 0


@pytest.fixture
def served(serve):
    base, store, _ = serve()
    return base, store


def test_a_second_content_length_cannot_hide_a_request(served, tmp_path):
    base, store = served
    hidden = request(callback("smuggled"), f"Content-Length: {len(callback('smuggled'))}")
    # a front end that takes the last Content-Length forwards one request; one that takes the
    # first sees an empty POST and then `hidden` as a second request of its own
    for first, last in ((0, len(hidden)), (len(hidden), 0)):
        data, closed = exchange(base, request(hidden, f"Content-Length: {first}", f"Content-Length: {last}"))
        assert [r[0] for r in responses(data)] == [400] and closed
    assert not stored(store, "smuggled", tmp_path)


@pytest.mark.parametrize(
    "length",
    ["{n}\r\nContent-Length: {n}", "{n}, {n}", "+{n}", "{n1}_{n2}", "0x{x}", "{n} 1"],
    ids=["repeated", "list", "plus-sign", "underscore", "hex", "two-numbers"],
)
def test_a_content_length_read_two_ways_is_400_and_close(served, tmp_path, length):
    base, store = served
    body = callback("two-ways")
    header = "Content-Length: " + length.format(
        n=(n := str(len(body))), n1=n[0], n2=n[1:], x=f"{len(body):x}"
    )
    data, closed = exchange(base, request(body, header))
    assert [r[0] for r in responses(data)] == [400] and closed
    assert not stored(store, "two-ways", tmp_path)


def test_a_chunked_body_is_read_as_one_request(served, tmp_path):
    base, store = served
    body = callback("chunked")
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    after = callback("after-chunked")
    data, closed = exchange(
        base,
        request(chunks, "Transfer-Encoding: chunked")
        + request(after, f"Content-Length: {len(after)}", "Connection: close"),
    )
    # exactly two replies: the chunk-size lines were never read as a request of their own
    assert [(r[0], json.loads(r[2])["result"]) for r in responses(data)] == [(200, 0), (200, 0)]
    assert closed and stored(store, "chunked", tmp_path) and stored(store, "after-chunked", tmp_path)


def chunked(body: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


@pytest.mark.parametrize(
    "head",
    [
        # RFC 9112 6.3: both headers "ought to be handled as an error"; a front end that goes by
        # Content-Length forwards 5 bytes and takes the rest for a request of its own
        "POST /voice/callback HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5",
        # HTTP/1.0 has no chunked coding: framing by Content-Length (0) leaves the chunks to be read
        # as the next request on a kept-alive connection, where a front end that decoded them did not
        "POST /voice/callback HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
        "Content-Length: 0",
    ],
    ids=["with-content-length", "http-1.0"],
)
def test_transfer_encoding_that_can_be_framed_two_ways_is_400_and_close(served, tmp_path, head):
    base, store = served
    hidden = request(callback("hidden"), f"Content-Length: {len(callback('hidden'))}")
    data, closed = exchange(base, head.encode() + b"\r\nHost: x\r\n\r\n" + chunked(hidden))
    assert [r[0] for r in responses(data)] == [400] and closed
    assert not stored(store, "hidden", tmp_path)


@pytest.mark.parametrize("coding", ["gzip", "chunked, gzip", "identity"])
def test_a_transfer_coding_it_cannot_read_is_501_and_close(served, tmp_path, coding):
    base, store = served
    body = callback("coded")
    data, closed = exchange(
        base, request(body, f"Transfer-Encoding: {coding}", f"Content-Length: {len(body)}")
    )
    assert [r[0] for r in responses(data)] == [501] and closed
    assert not stored(store, "coded", tmp_path)


def test_a_head_reply_has_no_body(served, tmp_path):
    base, store = served
    after = callback("after-head")
    data, closed = exchange(
        base,
        request(b"", method="HEAD") + request(after, f"Content-Length: {len(after)}", "Connection: close"),
    )
    (head_status, _, head_body), (status, _, body) = responses(data, head=(0,))
    assert head_status == 405 and head_body == b""  # the handler refuses HEAD, as in the cloud
    assert (status, json.loads(body)) == (200, {"result": 0, "errmsg": "OK"}) and closed
    assert stored(store, "after-head", tmp_path)


def test_idle_and_slow_sockets_do_not_starve_a_real_post(served, tmp_path):
    base, store = served
    url = urlsplit(base)
    idle = [socket.create_connection((url.hostname, url.port)) for _ in range(200)]
    slow = [socket.create_connection((url.hostname, url.port)) for _ in range(20)]
    stop = threading.Event()

    def slowloris() -> None:  # a header that never ends, one byte at a time
        for sock in slow:
            sock.sendall(b"POST /voice/callback HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        while not stop.wait(0.2):
            for sock in slow:
                sock.sendall(b"a")

    dribbler = threading.Thread(target=slowloris, daemon=True)
    dribbler.start()
    try:
        started = time.monotonic()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        conn.request("POST", "/voice/callback", callback("not-starved"), {"Content-Type": "application/json"})
        assert conn.getresponse().status == 200
        assert time.monotonic() - started < 5
        conn.close()
    finally:
        stop.set()
        dribbler.join()
        for sock in idle + slow:
            sock.close()
    assert stored(store, "not-starved", tmp_path)


def test_idle_connections_are_closed_after_the_idle_timeout():
    from voice_receipts.tools.server import make_server

    def handler(event, context):
        return {"statusCode": 200, "body": json.dumps({"result": 0, "errmsg": "OK"})}

    server = make_server(handler, "127.0.0.1", 0, max_body_bytes=1024, idle_timeout=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://{}:{}".format(*server.server_address[:2])
    try:
        started = time.monotonic()
        data, closed = exchange(base, b"", wait=10)  # connected, never a byte sent
        assert (data, closed) == (b"", True) and 1 <= time.monotonic() - started < 5
        started = time.monotonic()
        data, closed = exchange(base, request(b"{}", "Content-Length: 2"), wait=10)  # kept alive, then idle
        assert [r[0] for r in responses(data)] == [200] and closed and time.monotonic() - started < 5
    finally:
        server.server_close()


def test_the_function_never_imports_the_http_server(tmp_path):
    """waitress is for `serve` only: the package does not carry it, so the handler must not need it."""
    event = json.dumps(samples.function_url(samples.body("voicecode_callback")))
    code = (
        "import json, sys, handler; "
        f"reply = handler.lambda_handler(json.loads({event!r}), None); "
        "print(reply['statusCode'], sorted(m for m in sys.modules if 'waitress' in m or m.endswith('.server')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=cli_env(VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/r.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split(maxsplit=1) == ["200", "[]\n"], done.stderr


def test_serve_without_waitress_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['waitress'] = None; "  # None in sys.modules: `import waitress` fails
        "from voice_receipts.tools.cli import main; "
        f"sys.exit(main(['serve', '--port', '0', '--store', 'sqlite:///{tmp_path}/r.db']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "serve needs waitress: .venv/bin/pip install -r requirements-serve.txt" in done.stderr
