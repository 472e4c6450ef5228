"""`serve` over real HTTP: a subprocess on loopback, an ordinary HTTP client."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from tests import samples
from tests.helpers import run_cli


def post(base, path, body, method="POST", headers=None):
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, resp.getheader("Content-Type"), json.loads(payload)


@pytest.mark.parametrize("kind", samples.CALLBACKS)
def test_serve_stores_every_kind(serve, tmp_path, kind):
    base, store, _ = serve()
    status, ctype, reply = post(base, "/voice/callback", samples.body(kind))
    assert (status, ctype, reply) == (200, "application/json", {"result": 0, "errmsg": "OK"})
    shown = run_cli("show", samples.CALLBACKS[kind]["callid"], "--json", "--store", store, cwd=tmp_path)
    assert json.loads(shown.stdout)["receipts"][0]["raw"] == samples.CALLBACKS[kind]


def test_serve_answers_every_class_of_bad_input(serve):
    base, _, _ = serve(VOICE_RECEIPTS_TOKEN="s3-token-0123456789", VOICE_RECEIPTS_MAX_BODY_BYTES="1024")
    ok = "/voice/callback?token=s3-token-0123456789"
    assert post(base, ok, samples.body("voicekey_callback"))[0] == 200
    assert post(base, ok, samples.body("voicekey_callback"))[2] == {"result": 0, "errmsg": "OK"}  # redelivery
    assert post(base, "/voice/callback", samples.body("voicekey_callback"))[0] == 401
    assert (
        post(base, "/voice/callback?token=S3-TOKEN-0123456789", samples.body("voicekey_callback"))[0] == 401
    )
    assert post(base, ok, b"{not json")[2]["result"] == 4001
    assert post(base, ok, b'{"a": "\xff"}')[0] == 400  # invalid UTF-8 reaches the parser intact
    assert post(base, ok, {"voicekey_callback": {"keypress": "1"}})[0] == 400
    assert post(base, ok, b"", method="GET")[0] == 405
    big = samples.body("voicekey_callback", callid="big", pad="x" * 5000)
    status, _, reply = post(base, ok, big)
    assert (status, reply["result"]) == (413, 4130)


def test_serve_logs_one_json_line_per_request_without_secrets(serve, tmp_path):
    base, _, proc = serve(VOICE_RECEIPTS_TOKEN="s3cr3t-token-0123456")
    post(base, "/voice/callback?token=s3cr3t-token-0123456", samples.body("voicecode_callback"))
    post(base, "/voice/callback?token=wrong", samples.body("voicecode_callback"))
    proc.terminate()
    proc.wait(5)
    err = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [(x["status"], x["outcome"]) for x in lines] == [(200, "stored"), (401, "unauthorized")]
    assert lines[0]["mobile"] == "138******00" and lines[0]["callid"] == "call-code-1"
    assert {"request_id", "duration_ms", "kind", "via"} <= set(lines[0])
    assert "13800138000" not in err and "s3cr3t-token-0123456" not in err


def test_serve_writes_no_metrics_even_where_lambdas_variable_is_set(serve, tmp_path):
    """EMF belongs to the deployed function: a local server's requests must never reach its alarms."""
    token = "quiet-token-0123456789"
    base, _, proc = serve(AWS_LAMBDA_FUNCTION_NAME="voice-receipts-dev-receive", VOICE_RECEIPTS_TOKEN=token)
    assert post(base, f"/voice/callback?token={token}", samples.body("voicecode_callback"))[0] == 200
    proc.terminate()
    proc.wait(5)
    lines = [json.loads(x) for x in (tmp_path / "serve.log").read_text().splitlines() if x.startswith("{")]
    assert [x["outcome"] for x in lines] == ["stored"]
    assert not {"_aws", "Receipts", "Calls"} & set(lines[0])


def test_serve_answers_the_health_check_without_the_token(serve, tmp_path):
    from voice_receipts import __version__

    base, _, proc = serve(VOICE_RECEIPTS_TOKEN="health-token-0123456789")
    status, ctype, reply = post(base, "/voice/health", b"", method="GET")
    assert (status, ctype, reply) == (
        200,
        "application/json",
        {"status": "ok", "version": __version__, "store": "sqlite"},
    )
    assert post(base, "/voice/health", b"", method="POST")[0] == 405
    proc.terminate()
    proc.wait(5)
    lines = [x for x in (tmp_path / "serve.log").read_text().splitlines() if x.startswith("{")]
    assert [json.loads(x)["outcome"] for x in lines] == ["rejected"]  # the poll itself leaves no line
