"""`replay --url`: receipts sent over real HTTP to `serve`, and to a stub that refuses connections,
then accepts, answers 503, or hangs up, to prove what is retried (only what never reached the
server) and that the token in the URL is never printed."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tests import samples
from tests.helpers import free_port, run_cli
from voice_receipts.tools import cli
from voice_receipts.tools.endpoint import Endpoint, masked

TOKEN = "url-token-0123456789abcdef"


def test_replay_url_sends_every_sample_to_serve_as_vms_would(serve, tmp_path):
    base, store, _ = serve(VOICE_RECEIPTS_TOKEN=TOKEN)
    url = f"{base}/voice/callback?token={TOKEN}"
    done = run_cli(
        "replay",
        str(samples.EVENTS),
        "--expect",
        str(samples.EVENTS / "expected.toml"),
        "--url",
        url,
        cwd=tmp_path,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "34 of 34 answered as" in done.stdout  # all but the one no client can send
    assert "bad-base64.json  -  -  skipped" in done.stdout
    assert "get-method.json  -  -  rejected  405" in done.stdout  # sent with its own method
    assert TOKEN not in out and "token=***" in done.stdout
    # what arrived is what VMS sends: the same receipts replay stores in-process
    listing = run_cli("show", "--json", "--store", store, cwd=tmp_path)
    calls = {c["callid"]: c for c in json.loads(listing.stdout)}
    assert calls["vp-5d1e0b44-0001"]["keys"] == ["1", "2"]
    assert calls["vf-91c2aa07-0001"]["failure_code"] == 8
    assert "vp-gw-http-0001" in calls  # a gateway sample's base64 body arrived decoded

    again = run_cli("replay", str(samples.EVENTS / "callbacks"), "--url", url, cwd=tmp_path)
    assert again.returncode == 0 and "replayed 15 item(s)" in again.stdout  # redeliveries: 200


def test_a_wrong_token_is_reported_and_not_printed(serve, tmp_path):
    base, _, _ = serve(VOICE_RECEIPTS_TOKEN=TOKEN)
    wrong = "wrong-token-0123456789"
    done = run_cli(
        "replay",
        str(samples.EVENTS / "callbacks" / "01-voicecode-answered.json"),
        "--url",
        f"{base}/voice/callback?token={wrong}",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "unauthorized  401 wrong token" in done.stdout
    assert wrong not in done.stdout + done.stderr


class Stub:
    """A one-port HTTP server on a raw socket: bound at once (so connects are refused until it
    listens), listening after `listen_after` seconds, answering each request per `mode`."""

    def __init__(self, mode: str = "ok", listen_after: float = 0.0) -> None:
        self.mode, self.requests, self.listened_at = mode, [], None
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, args=(listen_after,), daemon=True)
        self.thread.start()

    def _run(self, delay: float) -> None:
        time.sleep(delay)
        self.sock.listen(8)
        self.listened_at = time.monotonic()
        self.sock.settimeout(10)
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(
                    next(
                        h.split(b":")[1]
                        for h in head.split(b"\r\n")
                        if h.lower().startswith(b"content-length")
                    )
                )
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests.append((head.split(b"\r\n")[0].decode(), body))
                if self.mode == "hangup":
                    continue  # read it all, answer nothing: the request reached the server
                status = {"ok": "200 OK", "503": "503 Service Unavailable"}[self.mode]
                reply = json.dumps(
                    {
                        "result": 0 if self.mode == "ok" else 5030,
                        "errmsg": "OK" if self.mode == "ok" else "store down; retry later",
                    }
                ).encode()
                conn.sendall(
                    f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(reply)}\r\nConnection: close\r\n\r\n".encode()
                    + reply
                )

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/voice/callback?token={TOKEN}"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def one_file(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(samples.body("voicecode_callback")))
    return str(path)


def test_refused_connections_are_retried_until_the_server_listens(one_file, capsys):
    stub = Stub("ok", listen_after=0.4)
    try:
        status = cli.main(["replay", one_file, "--url", stub.url()])
        elapsed = time.monotonic() - stub.started
    finally:
        stub.close()
    out = capsys.readouterr()
    assert status == 0, out
    assert "call-code-1  voicecode  ok" in out.out
    # the first attempts were refused (the stub was not listening yet); a later one got through
    assert stub.listened_at is not None and elapsed > 0.4
    assert len(stub.requests) == 1  # one receipt, delivered once
    line, body = stub.requests[0]
    assert line == f"POST /voice/callback?token={TOKEN} HTTP/1.1"
    assert json.loads(body) == samples.body("voicecode_callback")
    assert TOKEN not in out.out + out.err


def test_an_answer_is_never_retried_even_a_503(one_file, capsys):
    stub = Stub("503")
    try:
        status = cli.main(["replay", one_file, "--url", stub.url()])
    finally:
        stub.close()
    out = capsys.readouterr().out
    assert status == 1 and "unavailable  503 store down; retry later" in out
    assert len(stub.requests) == 1


def test_a_request_sent_without_an_answer_is_not_sent_again(one_file, capsys):
    stub = Stub("hangup")
    try:
        status = cli.main(["replay", one_file, "--url", stub.url()])
    finally:
        stub.close()
    out = capsys.readouterr()
    assert status == 1 and "  no_answer  sent, no answer: " in out.out
    assert len(stub.requests) == 1  # the server has it; resending could store it twice elsewhere
    assert TOKEN not in out.out + out.err


def test_an_endpoint_that_never_listens_ends_in_one_line_without_the_token(one_file, capsys):
    port = free_port()  # nothing listens there
    started = time.monotonic()
    status = cli.main(
        ["replay", one_file, "--url", f"http://user:pa55word@127.0.0.1:{port}/voice/callback?token={TOKEN}"]
    )
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(
        f"voice-receipts: cannot reach http://user:***@127.0.0.1:{port}/voice/callback?token=*** (4 attempts)"
    )
    assert "Connection refused" in err and TOKEN not in err and "pa55word" not in err
    assert 2.5 < elapsed < 15  # 0 + 1 + 2 s of back-off, then it gives up


def test_masked_hides_the_token_and_password_and_keeps_the_rest():
    assert masked("https://h/voice/callback?token=abc&x=1") == "https://h/voice/callback?token=***&x=1"
    assert masked("https://u:p@h/p?TOKEN=abc") == "https://u:***@h/p?TOKEN=***"
    assert masked("https://h/p") == "https://h/p"


def test_plain_http_to_another_host_is_flagged():
    assert Endpoint("http://example.com/voice/callback?token=x").in_clear
    assert not Endpoint("http://127.0.0.1:8000/voice/callback?token=x").in_clear
    assert not Endpoint("https://example.com/voice/callback?token=x").in_clear


@pytest.mark.parametrize("url", ["ftp://h/x", "example.com/voice/callback", "https:///nohost"])
def test_a_url_that_is_not_http_is_a_config_error(url, capsys, one_file):
    assert cli.main(["replay", one_file, "--url", url]) == 2
    assert "--url must be an http(s) URL" in capsys.readouterr().err
