"""What a person types wrong (times, URLs, files, limits, periods) ends in one clear line, never a traceback."""

import json

import pytest

from tests import samples
from tests.helpers import ROOT, run_cli
from voice_receipts import codes
from voice_receipts.errors import ReplyError
from voice_receipts.replies import ERROR, error_reply
from voice_receipts.times import iso


def one_line_error(done, *words):
    assert done.returncode == 2, (done.stdout[-300:], done.stderr[-300:])
    assert "Traceback" not in done.stderr and done.stderr.startswith("voice-receipts: ")
    for word in words:
        assert word in done.stderr


def test_a_time_near_year_9999_is_stored_and_show_still_works(tmp_path):
    # accepted and kept raw, but no moment to show: in Asia/Shanghai it would pass year 9999
    body = samples.body("voicecode_callback", callid="far-future", start_calltime="253402300799")
    (tmp_path / "far.json").write_text(json.dumps(body))
    store = f"sqlite:///{tmp_path}/r.db"
    assert run_cli("replay", "far.json", "--store", store, cwd=tmp_path).returncode == 0
    for args in (["show"], ["show", "far-future"], ["show", "far-future", "--json"]):
        done = run_cli(*args, "--store", store, cwd=tmp_path)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert iso(253402300799) is None and iso(1470196821) == "2016-08-03T04:00:21Z"


@pytest.mark.parametrize(
    "url", ["http://[::1/voice?token=s3cr3t", "http://h:99999/x?token=s3cr3t", "http://h:abc/x"]
)
def test_replay_url_that_cannot_be_a_url_is_one_line(tmp_path, url):
    done = run_cli("replay", str(ROOT / "events" / "callbacks"), "--url", url, cwd=tmp_path)
    one_line_error(done, "--url must be an http(s) URL")
    assert "s3cr3t" not in done.stderr + done.stdout


def test_replay_url_skips_an_event_no_http_client_can_send(tmp_path, serve):
    base, _, _ = serve()
    event = samples.aws_http(samples.body("voicekey_callback"), method="PO ST")
    (tmp_path / "odd.json").write_text(json.dumps(event))
    done = run_cli("replay", "odd.json", "--url", f"{base}/voice/callback", cwd=tmp_path)
    assert "Traceback" not in done.stderr and "not sendable over HTTP" in done.stdout


@pytest.mark.parametrize(
    ("content", "words"), [(None, "no such file"), ("[files\n", "cannot be read as TOML")]
)
def test_replay_expect_file_problems_are_one_line(tmp_path, content, words):
    if content is not None:
        (tmp_path / "want.toml").write_text(content)
    done = run_cli("replay", str(ROOT / "events" / "callbacks"), "--expect", "want.toml", cwd=tmp_path)
    one_line_error(done, words)


def test_show_since_beyond_the_calendar_is_one_line(tmp_path):
    store = f"sqlite:///{tmp_path}/r.db"
    run_cli("replay", str(ROOT / "events" / "callbacks"), "--store", store, cwd=tmp_path)
    one_line_error(run_cli("show", "--since", "999999999d", "--store", store, cwd=tmp_path), "--since")


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_show_limit_must_be_at_least_one(tmp_path, limit):
    done = run_cli("show", "--limit", limit, "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 2 and "at least 1" in done.stderr and "Traceback" not in done.stderr


def test_show_phone_filters_before_it_limits(tmp_path):
    store = f"sqlite:///{tmp_path}/r.db"
    lines = [
        samples.body("voicecode_callback", callid=f"c{i}", result="1" if i == 0 else "0") for i in range(5)
    ]
    (tmp_path / "calls.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    assert run_cli("replay", "calls.jsonl", "--store", store, cwd=tmp_path).returncode == 0
    phone = "+86" + samples.CALLBACKS["voicecode_callback"]["mobile"]
    done = run_cli(
        "show",
        "--phone",
        phone,
        "--state",
        "not_answered",
        "--limit",
        "1",
        "--json",
        "--store",
        store,
        cwd=tmp_path,
    )
    # the one unanswered call is the oldest: a limit applied first would have hidden it
    assert [c["callid"] for c in json.loads(done.stdout)] == ["c0"]


def test_report_to_stdout_and_a_bad_period(tmp_path):
    store = f"sqlite:///{tmp_path}/r.db"
    run_cli("replay", str(ROOT / "events" / "callbacks"), "--store", store, cwd=tmp_path)
    done = run_cli("report", "--since", "3650d", "--out", "-", "--store", store, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.lstrip().lower().startswith("<!doctype html")
    assert not (tmp_path / "-").exists()
    one_line_error(run_cli("report", "--since", "99999999d", "--store", store, cwd=tmp_path), "--since")


def test_log_lines_escape_what_a_terminal_would_act_on(tmp_path):
    body = samples.body("voicekey_callback", mobile="\u009b31m\u202e13800138001")
    (tmp_path / "odd.json").write_text(json.dumps(body))
    done = run_cli("replay", "odd.json", "-v", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 0
    assert "\u009b" not in done.stderr and "\u202e" not in done.stderr
    assert "\\u009b" in done.stderr  # still JSON that decodes to what was masked


def test_a_package_error_answered_500_counts_as_an_error():
    reply = error_reply(ReplyError("misconfigured"))
    assert (reply.status, reply.result, reply.outcome) == (500, codes.INTERNAL, ERROR)
