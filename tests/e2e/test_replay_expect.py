"""`replay --expect` as a user runs it, with files that do NOT all match: a mismatch must be named
on its line, counted in the summary and turn the exit status to 1, or --expect checks nothing."""

import json

from tests import samples
from tests.helpers import run_cli

GOOD = samples.body("voicecode_callback")
BAD = {"voicecode_callback": {"callid": ""}}  # rejected: 400


def replay(tmp_path, files: dict, expected: str):
    for name, payload in files.items():
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text(json.dumps(payload))
    (tmp_path / "in" / "want.toml").write_text("[files]\n" + expected)
    return run_cli(
        "replay",
        "in",
        "--expect",
        "in/want.toml",
        "--store",
        f"sqlite:///{tmp_path}/r.db",
        cwd=tmp_path,
    )


def line_of(done, name: str) -> str:
    [line] = [x for x in done.stdout.splitlines() if x.startswith(f"in/{name}") or f"/{name}" in x]
    return line


def test_a_receipt_answered_otherwise_than_recorded_fails_the_replay(tmp_path):
    done = replay(
        tmp_path,
        {"a.json": GOOD, "b.json": BAD},
        '"a.json" = { status = 200 }\n"b.json" = { status = 200 }\n',  # b is in fact refused
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "UNEXPECTED (expected 200)" in line_of(done, "b.json")
    assert "UNEXPECTED" not in line_of(done, "a.json")
    assert "1 of 2 answered as in/want.toml expects" in done.stdout


def test_a_stored_receipt_recorded_as_refused_fails_the_replay(tmp_path):
    done = replay(tmp_path, {"a.json": GOOD}, '"a.json" = { status = 400 }\n')
    assert done.returncode == 1
    assert "UNEXPECTED (expected 400)" in line_of(done, "a.json")
    assert "0 of 1 answered as" in done.stdout


def test_a_file_with_no_entry_is_a_mismatch(tmp_path):
    done = replay(tmp_path, {"a.json": GOOD, "new.json": GOOD}, '"a.json" = { status = 200 }\n')
    assert done.returncode == 1
    assert "UNEXPECTED (expected no entry)" in line_of(done, "new.json")
    assert "1 of 2 answered as" in done.stdout


def test_a_refusal_that_was_recorded_passes_and_says_so(tmp_path):
    done = replay(
        tmp_path,
        {"a.json": GOOD, "b.json": BAD},
        '"a.json" = { status = 200 }\n"b.json" = { status = 400 }\n',
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(as expected)" in line_of(done, "b.json") and "UNEXPECTED" not in done.stdout
    assert "2 of 2 answered as" in done.stdout
