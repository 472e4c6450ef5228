"""replay and show as a user runs them: a subprocess, a real SQLite file, exit codes."""

import json
import re

from tests import samples
from tests.helpers import run_cli


def test_replay_events_with_expectations_then_show(tmp_path):
    store = f"sqlite:///{tmp_path}/r.db"
    done = run_cli(
        "replay",
        str(samples.EVENTS),
        "--expect",
        str(samples.EVENTS / "expected.toml"),
        "--store",
        store,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "35 of 35 answered as" in done.stdout
    assert "replayed 35 item(s) into sqlite: 1 duplicate, 15 rejected, 19 stored" in done.stdout

    listing = run_cli("show", "--store", store, cwd=tmp_path)
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0] == "11 calls, newest first; times in Asia/Shanghai"
    assert lines[1].split() == ["TIME", "NUMBER", "KIND", "STATE", "KEYS", "FAILURE", "CALLID"]
    [vp] = [x for x in lines if x.endswith("vp-5d1e0b44-0001")]
    # started 2025-11-27T00:06:36Z, shown in Shanghai
    pattern = r"2025-11-27 08:06:36  \+86 137\*{6}00 +notification +answered +1 2 +- +vp-5d1e0b44-0001"
    assert re.fullmatch(pattern, vp), vp

    call = run_cli("show", "vp-5d1e0b44-0001", "--store", store, cwd=tmp_path)
    assert call.returncode == 0
    for line in (
        "call vp-5d1e0b44-0001  (times in Asia/Shanghai)",
        "state     answered (0 用户正常接听 / the callee answered)",
        "started   2025-11-27 08:06:36",
        "ringing   15 s",
        "talking   30 s",
        "fee       1 min",
        "keys      1 2",
        "to        +86 137******00",
        "timeline (when each receipt arrived here)",
    ):
        assert line in call.stdout

    as_json = json.loads(run_cli("show", "vf-91c2aa07-0001", "--json", "--store", store, cwd=tmp_path).stdout)
    # a failure receipt makes the call failed (states.py); the status receipt's result stays
    assert (as_json["state"], as_json["result"], as_json["kind"], as_json["phone"]) == (
        "failed",
        "2",
        "notification",
        "+8613600136000",
    )
    assert as_json["status_text"] == {"zh": "呼叫异常", "en": "call error"}
    assert as_json["failure_code"] == 8 and as_json["failure_text"]["zh"] == "空号"
    assert [r["kind"] for r in as_json["receipts"]] == ["voice_failure", "voiceprompt"]


def test_replay_exits_1_when_any_item_is_rejected(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(samples.body("voicekey_callback")))
    bad.write_text(json.dumps({"voicekey_callback": {"keypress": "1"}}))
    store = f"sqlite:///{tmp_path}/r.db"
    assert run_cli("replay", str(good), "--store", store, cwd=tmp_path).returncode == 0
    done = run_cli("replay", str(good), str(bad), "--store", store, cwd=tmp_path)
    assert done.returncode == 1
    assert f"{good}  call-prompt-1  voicekey  duplicate" in done.stdout
    assert "voicekey_callback.callid: Field required" in done.stdout


def test_replay_defaults_to_receipts_db_in_the_working_folder(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(samples.body("voicecode_callback")))
    assert run_cli("replay", "one.json", cwd=tmp_path).returncode == 0
    assert (tmp_path / "receipts.db").exists()


def test_show_unknown_call_and_bad_store_are_clear_errors(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(samples.body("voicecode_callback")))
    assert (
        run_cli("replay", "one.json", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path).returncode == 0
    )
    done = run_cli("show", "nope", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 1 and "no receipts for call 'nope'" in done.stderr
    bad = run_cli("show", "--store", "mongodb://x", cwd=tmp_path)
    assert bad.returncode == 2 and "voice-receipts: --store must be a store URL" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_replay_of_a_missing_file_is_no_such_file_not_an_http_status(tmp_path):
    done = run_cli("replay", "missing.json", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "missing.json  -  -  missing  no such file\n" in done.stdout
    assert "replayed 1 item(s) into sqlite: 1 missing" in done.stdout


def test_jsonl_lines_split_on_newline_only(tmp_path):
    # U+2028, U+2029 and U+0085 may stand unescaped in a JSON string; str.splitlines splits on them
    reason = "line\u2028separator\u2029paragraph\x85next"
    lines = [samples.body("voice_failure_callback", callid=f"sep-{n}", failure_reason=reason) for n in (1, 2)]
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(x, ensure_ascii=False) + "\r\n" for x in lines), encoding="utf-8")
    store = f"sqlite:///{tmp_path}/r.db"
    done = run_cli("replay", str(archive), "--store", store, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "replayed 2 item(s) into sqlite: 2 stored" in done.stdout
    shown = json.loads(run_cli("show", "sep-2", "--json", "--store", store, cwd=tmp_path).stdout)
    assert shown["receipts"][0]["raw"]["failure_reason"] == reason


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    bom = "\ufeff"
    (tmp_path / "one.json").write_text(bom + json.dumps(samples.body("voicecode_callback")), encoding="utf-8")
    lines = [json.dumps(samples.body("voicekey_callback", callid=f"bom-{n}")) for n in (1, 2)]
    (tmp_path / "two.jsonl").write_text(bom + "\n".join(lines), encoding="utf-8")
    done = run_cli("replay", "one.json", "two.jsonl", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "replayed 3 item(s) into sqlite: 3 stored" in done.stdout


def test_one_bad_file_fails_alone(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a-deep.json").write_text("[" * 100_000 + "]" * 100_000)  # json.loads: RecursionError
    (folder / "b-loop.json").symlink_to(folder / "b-loop.json")  # unreadable even for root: ELOOP
    (folder / "c-latin1.json").write_bytes(json.dumps(samples.body("voicekey_callback")).encode() + b"\xe9")
    (folder / "d-good.json").write_text(json.dumps(samples.body("voicecode_callback")))
    done = run_cli("replay", str(folder), "gone.jsonl", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    out = done.stdout
    assert (
        f"{folder}/a-deep.json  -  -  rejected  400 body is not valid JSON: recursion limit exceeded" in out
    )
    assert f"{folder}/b-loop.json  -  -  unreadable  cannot read: Too many levels of symbolic links" in out
    assert f"{folder}/c-latin1.json  -  -  unreadable  not UTF-8 text" in out
    assert f"{folder}/d-good.json  call-code-1  voicecode  stored" in out
    assert "gone.jsonl  -  -  missing  no such file" in out
    assert "replayed 5 item(s) into sqlite: 1 missing, 1 rejected, 1 stored, 2 unreadable" in out


def test_show_never_creates_a_store_and_says_when_one_is_empty(tmp_path):
    for args in (["show"], ["show", "c1"], ["show", "--phone", "+8613800138000"]):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"voice-receipts: no receipts database at {tmp_path / 'receipts.db'}\n"
    assert list(tmp_path.iterdir()) == []
    from voice_receipts.stores.sqlite import SQLiteStore

    SQLiteStore(tmp_path / "receipts.db").close()
    done = run_cli("show", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "no calls in the sqlite store\n")
    done = run_cli("show", "--phone", "+8613800138000", "--json", cwd=tmp_path)
    assert (done.returncode, json.loads(done.stdout)) == (0, [])


def replayed(tmp_path, *bodies) -> str:
    for i, one in enumerate(bodies):
        (tmp_path / f"{i:02d}.json").write_text(json.dumps(one))
        assert run_cli("replay", f"{i:02d}.json", cwd=tmp_path).returncode == 0
    return "sqlite:///" + str(tmp_path / "receipts.db")


def test_show_by_phone_state_limit_since_and_zone(tmp_path):
    code, prompt, key, fail = (
        samples.body("voicecode_callback", mobile="13800138001"),  # call-code-1, answered
        samples.body("voiceprompt_callback"),  # call-prompt-1, not answered
        samples.body("voicekey_callback"),
        samples.body("voice_failure_callback", mobile="13800138001"),  # call-fail-1
    )
    replayed(tmp_path, code, prompt, key, fail)
    by_phone = run_cli("show", "--phone", "+8613800138001", cwd=tmp_path)
    assert by_phone.returncode == 0
    # the national form VMS's own `mobile` carries, and as people type it: the same calls
    for typed in ("13800138001", "+86 138 0013 8001", "0086-138-0013-8001"):
        assert run_cli("show", "--phone", typed, cwd=tmp_path).stdout == by_phone.stdout, typed
    lines = by_phone.stdout.splitlines()
    assert lines[0] == "3 calls to +86 138******01, newest first; times in Asia/Shanghai"
    assert [x.split()[-1] for x in lines[2:]] == ["call-fail-1", "call-prompt-1", "call-code-1"]
    assert "failed" in lines[2] and "8 number not assigned" in lines[2]
    assert "not answered" in lines[3] and "  2  " in lines[3]
    as_json = json.loads(run_cli("show", "--phone", "+8613800138001", "--json", cwd=tmp_path).stdout)
    assert [c["callid"] for c in as_json] == ["call-fail-1", "call-prompt-1", "call-code-1"]

    failed = run_cli("show", "--state", "failed", cwd=tmp_path).stdout.splitlines()
    assert failed[0] == "1 calls, newest first (state failed); times in Asia/Shanghai"
    assert failed[2].endswith("call-fail-1")
    assert len(run_cli("show", "--limit", "2", cwd=tmp_path).stdout.splitlines()) == 4
    # a call's time is when it was placed (start_calltime, 2016 in the samples), not when its
    # receipts arrived: only the failure-only call, placed as far as anyone knows when heard of
    recent = run_cli("show", "--since", "1h", cwd=tmp_path).stdout.splitlines()
    assert recent[0].startswith("1 calls") and recent[2].endswith("call-fail-1")
    assert run_cli("show", "--since", "2016-08-01", cwd=tmp_path).stdout.startswith("3 calls")
    future = run_cli("show", "--since", "2999-01-01", cwd=tmp_path)
    assert future.stdout == "no calls in the sqlite store (since 2999-01-01)\n"
    in_utc = run_cli("show", "call-code-1", "--tz", "UTC", cwd=tmp_path).stdout
    assert "(times in UTC)" in in_utc and "started   2016-08-03 04:00:21" in in_utc
    for flag in ("--phone", "--context"):  # an unset variable in a script must not list everything
        empty = run_cli("show", flag, "", cwd=tmp_path)
        assert (empty.returncode, empty.stdout) == (2, ""), flag
        assert "empty" in empty.stderr and "Traceback" not in empty.stderr
    not_a_number = run_cli("show", "--phone", "138OO138OO1", cwd=tmp_path)
    assert not_a_number.returncode == 2 and "not a phone number" in not_a_number.stderr
    bad = run_cli("show", "--tz", "Mars/Base", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown time zone 'Mars/Base'" in bad.stderr


def test_show_escapes_what_a_receipt_carries(tmp_path):
    evil = samples.body("voice_failure_callback", failure_code=99, failure_reason="\x1b]52;c;eA==\x07\u202e")
    replayed(tmp_path, evil)
    for args in (["show"], ["show", "call-fail-1"], ["show", "call-fail-1", "--json"]):
        out = run_cli(*args, cwd=tmp_path).stdout
        assert not any(ch in out for ch in "\x1b\x07\u202e"), args
    as_json = json.loads(run_cli("show", "call-fail-1", "--json", cwd=tmp_path).stdout)
    assert as_json["failure_reason"] == "\x1b]52;c;eA==\x07\u202e"  # the same JSON, escaped


def test_replay_writes_no_metrics_even_where_lambdas_variable_is_set(tmp_path):
    done = run_cli(
        "replay",
        "-v",
        str(samples.EVENTS / "callbacks"),
        "--store",
        f"sqlite:///{tmp_path}/r.db",
        cwd=tmp_path,
        AWS_LAMBDA_FUNCTION_NAME="voice-receipts-dev-receive",
        VOICE_RECEIPTS_TOKEN="quiet-token-0123456789",
        VOICE_RECEIPTS_DIRECT_INVOCATION="true",
    )
    lines = [json.loads(x) for x in done.stderr.splitlines() if x.startswith("{")]
    assert len(lines) >= 10 and {x["outcome"] for x in lines} >= {"stored"}, done.stdout + done.stderr
    assert not [x for x in lines if "_aws" in x or "Receipts" in x]
