"""`send` and `explain` as a user runs them: a subprocess, the VMS stub over loopback, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import cli_env, free_port, run_cli
from tests.stubs import VmsStub

TO = "+8613711112222"
APPID = "1400006666"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def stub():
    with VmsStub(appids=[APPID], templates={"1234": 2}) as running:
        yield running


def env_for(stub: VmsStub, tmp_path, **changes: str) -> dict[str, str]:
    env = {
        **stub.sender_env(f"sqlite:///{tmp_path}/receipts.db", APPID),
        **{name: "" for name in PROXIES},  # the stub is on loopback: never through a proxy
    }
    env.update(changes)
    return env


def send(stub, tmp_path, *args: str, **changes: str) -> subprocess.CompletedProcess:
    return run_cli("send", *args, cwd=tmp_path, **env_for(stub, tmp_path, **changes))


def assert_no_secret(done: subprocess.CompletedProcess, stub: VmsStub) -> None:
    for secret in (stub.secret_id, stub.secret_key):
        assert secret not in done.stdout and secret not in done.stderr
    assert "Traceback" not in done.stderr


def test_send_code_prints_the_callid_and_show_starts_at_sent(stub, tmp_path):
    done = send(
        stub, tmp_path, "code", "--to", TO, "--code", "123456", "--context", "login-7", "--play-times", "3"
    )
    assert done.returncode == 0, done.stderr
    [call] = stub.calls
    assert done.stdout.strip() == call.call_id
    assert f"python -m voice_receipts show {call.call_id}" in done.stderr
    assert (call.code_message, call.play_times, call.session_context) == ("123456", 3, "login-7")
    assert_no_secret(done, stub)

    shown = run_cli("show", call.call_id, "--json", cwd=tmp_path, **env_for(stub, tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert "123456" not in shown.stdout  # the code is never stored, so never shown
    assert [r["kind"] for r in json.loads(shown.stdout)["receipts"]] == ["sent"]


def test_send_tts_with_parameters_as_json(stub, tmp_path):
    done = send(
        stub, tmp_path, "tts", "--to", TO, "--template", "1234", "--param", "Alice", "--param", "42", "--json"
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    [call] = stub.calls
    assert answer == {"call_id": call.call_id, "request_id": answer["request_id"], "context": None}
    assert call.params == ("Alice", "42") and answer["request_id"]


def test_the_code_can_come_from_stdin_out_of_the_process_list(stub, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "voice_receipts", "send", "code", "--to", TO, "--code", "-"],
        input="987654\n",
        cwd=tmp_path,
        env=cli_env(**env_for(stub, tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert stub.calls[0].code_message == "987654"


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("LimitExceeded.DeliveryFrequencyLimit", 5, "rate-limited"),
        ("RequestLimitExceeded", 5, "20 requests/s"),
        ("FailedOperation.TemplateIncorrectOrUnapproved", 4, "not approved"),
        ("UnauthorizedOperation.ServiceSuspendDueToArrears", 4, "arrears"),
    ],
)
def test_vms_errors_are_one_clear_line_and_their_own_exit_status(stub, tmp_path, code, status, words):
    stub.fail_next(code)
    done = send(stub, tmp_path, "code", "--to", TO, "--code", "1")
    assert done.returncode == status
    assert done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("voice-receipts: VMS refused") and code in line and words in line
    assert "RequestId" in line
    assert_no_secret(done, stub)


def test_a_number_vms_cannot_call_is_refused_before_sending(stub, tmp_path):
    done = send(stub, tmp_path, "code", "--to", "+15551234567", "--code", "1")
    assert done.returncode == 3 and "mainland China mobile" in done.stderr
    assert stub.arrived == 0


def test_play_times_out_of_range(stub, tmp_path):
    done = send(stub, tmp_path, "code", "--to", TO, "--code", "1", "--play-times", "5")
    assert done.returncode == 3 and "play times" in done.stderr and stub.arrived == 0


def test_unreachable_vms(stub, tmp_path):

    done = send(
        stub,
        tmp_path,
        "code",
        "--to",
        TO,
        "--code",
        "1",
        VOICE_RECEIPTS_VMS_ENDPOINT=f"http://127.0.0.1:{free_port()}",
    )
    assert done.returncode == 6 and "cannot reach the VMS endpoint" in done.stderr


def test_missing_app_id_is_a_configuration_error(stub, tmp_path):
    done = send(stub, tmp_path, "code", "--to", TO, "--code", "1", VOICE_RECEIPTS_VMS_APPID="")
    assert done.returncode == 2 and "VOICE_RECEIPTS_VMS_APPID" in done.stderr and stub.arrived == 0


def test_a_store_that_cannot_open_stops_the_send_before_any_call(stub, tmp_path):
    (tmp_path / "a-file").write_text("")
    done = send(
        stub,
        tmp_path,
        "code",
        "--to",
        TO,
        "--code",
        "1",
        VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/a-file/receipts.db",
    )
    assert done.returncode == 2 and "cannot be opened" in done.stderr
    assert stub.arrived == 0


def test_sent_but_not_recorded_still_prints_the_callid(stub, tmp_path):
    import sqlite3

    # a store that opens but refuses the write: the call is placed before the insert fails
    db = sqlite3.connect(tmp_path / "refusing.db")
    db.executescript(
        "CREATE TABLE receipts (callid TEXT NOT NULL, event_id TEXT NOT NULL, kind TEXT NOT NULL,"
        " received_at TEXT NOT NULL, record TEXT NOT NULL, phone TEXT, PRIMARY KEY (callid, event_id));"
        "CREATE TRIGGER refuse BEFORE INSERT ON receipts BEGIN SELECT RAISE(ABORT, 'disk is full'); END;"
    )
    db.close()
    done = send(
        stub,
        tmp_path,
        "code",
        "--to",
        TO,
        "--code",
        "1",
        "--context",
        "order-9",
        VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/refusing.db",
    )
    [call] = stub.calls
    assert done.returncode == 7
    assert done.stdout.strip() == call.call_id
    assert call.call_id in done.stderr and "order-9" in done.stderr and "recording it failed" in done.stderr
    assert "disk is full" in done.stderr


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("5", 0, "nobody answered"),
        ("10013", 0, "LimitExceeded.DeliveryFrequencyLimit"),
        ("LimitExceeded.DeliveryFrequencyLimit", 0, "10013"),
        ("AuthFailure.SignatureExpire", 0, "clock"),
        ("14", 1, "not a code"),
    ],
)
def test_explain(tmp_path, code, status, words):
    done = run_cli("explain", code, cwd=tmp_path)
    assert done.returncode == status and words in done.stdout


def test_a_send_then_its_replayed_receipts_show_one_call_from_sent_to_answered(stub, tmp_path):
    """SQLite, all as a user runs it: send, VMS's receipts replayed through the handler, show."""
    env = env_for(stub, tmp_path)
    done = run_cli(
        "send",
        "tts",
        "--to",
        TO,
        "--template",
        "1234",
        "--param",
        "A",
        "--param",
        "B",
        "--context",
        "order-42",
        cwd=tmp_path,
        **env,
    )
    assert done.returncode == 0, done.stderr
    callid = done.stdout.strip()
    other = run_cli(
        "send", "code", "--to", "+8613800138000", "--code", "1", "--context", "order-42", cwd=tmp_path, **env
    )
    assert other.returncode == 0, other.stderr

    common = {"callid": callid, "call_from": "", "mobile": "13711112222", "nationcode": "86"}
    status = {
        **common,
        "result": "0",
        "accept_time": "1764201610",
        "start_calltime": "1764201600",
        "end_calltime": "1764201640",
        "fee": "1",
    }
    (tmp_path / "receipts.jsonl").write_text(
        "\n".join(
            json.dumps(b)
            for b in ({"voicekey_callback": {**common, "keypress": "1"}}, {"voiceprompt_callback": status})
        )
        + "\n"
    )
    replayed = run_cli("replay", "receipts.jsonl", cwd=tmp_path, **env)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr

    shown = run_cli("show", callid, "--tz", "UTC", cwd=tmp_path, **env)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "state     answered" in text and "context   order-42" in text and "kind      notification" in text
    timeline = text[text.index("  timeline") :].splitlines()[1:]
    assert [line.split()[2] for line in timeline] == ["sent", "voicekey", "voiceprompt"]

    by_context = run_cli("show", "--context", "order-42", "--json", cwd=tmp_path, **env)
    assert by_context.returncode == 0, by_context.stderr
    found = json.loads(by_context.stdout)
    assert [c["callid"] for c in found] == [other.stdout.strip(), callid]  # newest first
    assert [c["state"] for c in found] == ["sent", "answered"]
    assert all(c["context"] == "order-42" and c["sent_at"] for c in found)
