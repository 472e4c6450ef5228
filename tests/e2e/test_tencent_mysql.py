"""Tencent end to end, as far as it runs without an account: receipts arrive as SCF delivers them
(a function URL event, and the legacy API Gateway shape) at handler.main_handler, in a process
started the way SCF starts one (its runtime variables plus those deploy/tencent/mysql/serverless.yml
sets, the token in the query), and land in a real MariaDB through an INSERT-only user; then the
operator's `show --phone 13800138000` and `report`, as subprocesses, find the calls there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests import samples, sqlservers

ROOT = Path(samples.ROOT)
MYSQL_YML = ROOT / "deploy" / "tencent" / "mysql" / "serverless.yml"
TOKEN = "scf-e2e-token-0123456789"
FUNCTION_PASSWORD = "fn-pässword-2"  # non-ASCII, as an operator's generator may make one
PHONE = "13800138000"  # national form, as a person types it

SCRIPT = """
import json, sys
import handler  # SCF imports the module first: in the cloud that builds and warms the app
events = json.loads(sys.stdin.read())
print(json.dumps([handler.main_handler(event, None) for event in events]))
"""


def scf_environment(store_url: str) -> dict[str, str]:
    """The function's environment on SCF: serverless.yml's variables, ${env:…} filled from what
    an operator's .env would hold, plus what the SCF runtime itself sets."""
    dotenv = {
        "VOICE_RECEIPTS_STORE": store_url,
        "VOICE_RECEIPTS_DB_PASSWORD": FUNCTION_PASSWORD,
        "VOICE_RECEIPTS_TOKEN": TOKEN,
        "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
    }
    variables = yaml.safe_load(MYSQL_YML.read_text())["inputs"]["environment"]["variables"]
    env = {k: re.sub(r"\$\{env:(\w+)\}", lambda m: dotenv[m[1]], str(v)) for k, v in variables.items()}
    env.update(
        SCF_FUNCTIONNAME="voice-receipts-prod",
        SCF_FUNCTIONVERSION="$LATEST",
        SCF_NAMESPACE="default",
        SCF_RUNTIME="Python3.10",
        TENCENTCLOUD_REGION="ap-guangzhou",
        TENCENTCLOUD_SECRETID="AKIDscfRoleKey000000000000000000",  # the role's keys: unused by MySQL
        TENCENTCLOUD_SECRETKEY="scfRoleSecret00000000000000000",
        TENCENTCLOUD_SESSIONTOKEN="scf-session-token",
        PATH=os.environ["PATH"],
        PYTHONPATH=str(ROOT),
    )
    return env


def gateway_file(name: str) -> dict:
    event = json.loads((ROOT / "events" / "gateways" / name).read_text())
    event["queryString"] = {"token": TOKEN}
    return event


def events() -> list[dict]:
    url_event = gateway_file("tencent-function-url-voicecode.json")  # status receipt, answered
    key_press = samples.body("voicekey_callback", callid="vc-e2e-key-1", mobile=PHONE, nationcode="86")
    failure = samples.body("voice_failure_callback", callid="vc-e2e-fail-1", mobile=PHONE, nationcode="86")
    return [
        url_event,
        url_event,  # VMS's redelivery: 200 again, stored once
        samples.tencent_url(key_press, query={"token": TOKEN}),
        samples.tencent_apigw(failure, query={"token": TOKEN}),  # a function behind the old gateway
        samples.tencent_url(key_press, query={"token": "not-the-token-000000"}),  # refused
    ]


def cli(*args: str, store: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICE_RECEIPTS_", "SCF_"))}
    return subprocess.run(
        [sys.executable, "-m", "voice_receipts", *args, "--store", store],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def database(sql_server):
    """A fresh database made by `db init` (as an operator runs it) and the function's own user,
    allowed INSERT on the table and nothing else."""
    server = sql_server("mysql")
    name = sqlservers.fresh_database(server)
    user = f"fn_{name[-8:]}"
    sqlservers.create_user(server, name, user, FUNCTION_PASSWORD)
    return server, name, user


def test_scf_events_land_in_mariadb_and_show_and_report_find_the_calls(database, tmp_path):
    server, name, user = database
    function_url = server.url(user, name)  # no password in the URL: .env's DB_PASSWORD holds it
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(events()),
        env=scf_environment(function_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    replies = json.loads(done.stdout)
    assert [r["statusCode"] for r in replies] == [200, 200, 200, 200, 401]
    assert all(json.loads(r["body"]) == {"result": 0, "errmsg": "OK"} for r in replies[:4])
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    outcomes = [line["outcome"] for line in lines if line.get("message") == "receipt"]
    assert outcomes == ["stored", "duplicate", "stored", "stored", "unauthorized"]
    assert FUNCTION_PASSWORD not in done.stderr and TOKEN not in done.stderr and PHONE not in done.stderr

    operator = sqlservers.admin_url(server, name)  # the operator reads with their own user
    shown = cli("show", "--phone", PHONE, "--json", store=operator)
    assert shown.returncode == 0, shown.stderr
    calls = {call["callid"]: call for call in json.loads(shown.stdout)}
    assert set(calls) == {"vc-gw-tfurl-0001", "vc-e2e-key-1", "vc-e2e-fail-1"}
    assert calls["vc-gw-tfurl-0001"]["state"] == "answered"
    assert calls["vc-e2e-fail-1"]["state"] == "failed"

    page = tmp_path / "report.html"
    reported = cli("report", "--since", "2025-01-01", "--out", str(page), store=operator)
    assert reported.returncode == 0, reported.stderr
    data = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page.read_text(), re.S
    )
    assert data, "the report embeds its numbers"
    text = data[1]
    assert FUNCTION_PASSWORD not in text and TOKEN not in text
    assert sqlservers.ADMIN_PASSWORD not in page.read_text()
    totals = json.loads(text)["totals"]
    assert totals["calls"] == 3, totals
    assert {k: v for k, v in totals["states"].items() if v} == {"answered": 1, "failed": 1, "in_progress": 1}


def test_a_receipt_that_arrives_while_the_database_sleeps_waits_for_it_and_is_stored(tmp_path):
    """TDSQL-C Serverless paused: nothing answers until a connection wakes it. Here the server is
    down at the function's start and comes up 3 s after the receipt arrives, inside the store's
    20 s wait (docs/deploy.md, "The first receipt after a pause"). About 8 s: two server starts."""
    server = sqlservers.start("mysql")  # its own: this test stops it
    try:
        name = sqlservers.fresh_database(server)
        sqlservers.create_user(server, name, "fn_paused", FUNCTION_PASSWORD)
        server.stop()
        waking = threading.Timer(3.0, server.start)
        started = time.monotonic()
        waking.start()
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            input=json.dumps([gateway_file("tencent-function-url-voicecode.json")]),
            env=scf_environment(server.url("fn_paused", name)),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        waking.join()
        assert done.returncode == 0, done.stderr  # init only logged the sleeping database
        (reply,) = json.loads(done.stdout)
        assert reply["statusCode"] == 200 and json.loads(reply["body"])["result"] == 0
        assert time.monotonic() - started >= 3.0, "it waited for the database"
        assert "the store is unavailable now; the first receipt waits" in done.stderr  # init only logged
        assert FUNCTION_PASSWORD not in done.stderr
        shown = cli("show", "vc-gw-tfurl-0001", "--json", store=sqlservers.admin_url(server, name))
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["state"] == "answered"  # one call: its object
    finally:
        server.remove()


def test_replay_url_smoke_test_through_a_function_url_into_mariadb(database, tmp_path):
    """docs/deploy.md's smoke test, `replay --url FUNCTION_URL/voice/callback?token=…`, against a
    local function URL (tests/stubs/scf_url.py turns each request into SCF's event), into MariaDB."""
    server, name, user = database
    front = subprocess.Popen(
        [sys.executable, "-m", "tests.stubs.scf_url"],
        env=scf_environment(server.url(user, name)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "function.log").open("w"),  # the function's log lines, never a full pipe
        text=True,
    )
    try:
        ready = front.stdout.readline()
        assert ready.startswith("READY "), (tmp_path / "function.log").read_text()
        url = f"http://127.0.0.1:{ready.split()[1]}/voice/callback?token={TOKEN}"
        done = cli("replay", str(ROOT / "events" / "callbacks"), "--url", url, store="sqlite:///unused.db")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "replayed 15 item(s)" in done.stdout and TOKEN not in done.stdout + done.stderr
    finally:
        front.terminate()
        front.wait(10)
    shown = cli("show", "vp-5d1e0b44-0001", "--json", store=sqlservers.admin_url(server, name))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["keys"] == ["1", "2"]
