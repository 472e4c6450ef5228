"""replay and show as a user runs them: a subprocess, a real SQLite file, exit codes."""

import json

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
    assert "vp-5d1e0b44-0001  voiceprompt  answered  keys 1 2" in listing.stdout

    call = run_cli("show", "vp-5d1e0b44-0001", "--store", store, cwd=tmp_path)
    assert call.returncode == 0
    for line in (
        "status    answered",
        "ringing   15 s",
        "talking   30 s",
        "fee       1 min",
        "keys      1 2",
        "to        +86 137******00",
    ):
        assert line in call.stdout

    as_json = json.loads(run_cli("show", "vf-91c2aa07-0001", "--json", "--store", store, cwd=tmp_path).stdout)
    assert as_json["status"] == "call_error"
    assert (as_json["failure_code"], as_json["failure_text"]) == (8, "空号")
    assert len(as_json["receipts"]) == 2


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
