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


def test_replay_of_a_missing_file_is_reported_not_a_crash(tmp_path):
    done = run_cli("replay", "missing.json", "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 1 and "unreadable" in done.stdout and "Traceback" not in done.stderr
