"""`replay` and `show` never write a receipt's control characters to the terminal, while the stored
record keeps them exactly: a keypress holding ESC ] 52 must not set the operator's clipboard."""

from __future__ import annotations

import json
import re
import sqlite3

from tests.helpers import run_cli

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # set the clipboard to "hello"
CSI_CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"  # the one-byte CSI of 8-bit terminals
BIDI = "\u202eevil\u202c\u2066"
NUL_DEL = "\x00\x7f\x08\r"
HOSTILE = OSC52 + CSI_CLEAR + C1_CSI + BIDI + NUL_DEL
KEY = OSC52 + "\x9b2J\u202e\x7f\x08"  # within keypress's and result's 32 characters

# what must never reach stdout or stderr raw (newline aside): C0, DEL, C1, bidi controls
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

RECEIPTS = [
    {"voicekey_callback": {"callid": "term-1", "keypress": KEY, "mobile": "\x1b[31m13800138000",
                           "nationcode": "86" + CSI_CLEAR, "call_from": OSC52}},
    {"voice_failure_callback": {"callid": "term-1", "failure_code": 8, "failure_reason": HOSTILE,
                                "mobile": "13800138000", "nationcode": "86"}},
    {"voicecode_callback": {"callid": "term-1", "result": "9" + KEY, "fee": "1", "mobile": "13800138000",
                            "nationcode": "86", "start_calltime": "1470196821", "note": HOSTILE}},
    # rejected: a callid with control characters; the replay line names it, escaped
    {"voicekey_callback": {"callid": "bad" + OSC52, "keypress": "1"}},
]  # fmt: skip


def assert_clean(stream: str, where: str) -> None:
    found = RAW_CONTROL.search(stream)
    assert found is None, (
        f"{where} holds raw {found.group()!r}: {stream[max(0, found.start() - 40) : found.end() + 40]!r}"
    )


def test_replay_and_show_escape_control_characters_and_the_store_keeps_them(tmp_path):
    source = tmp_path / "hostile\x1b[2J.jsonl"  # a file name is printed too
    source.write_text("\n".join(json.dumps(r) for r in RECEIPTS) + "\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path}/t.db"

    replayed = run_cli("replay", str(source), "--store", store, "-v", cwd=tmp_path)
    assert replayed.returncode == 1, replayed.stderr  # the bad callid is rejected
    assert "3 stored" in replayed.stdout
    assert "\\x1b]52" in replayed.stdout  # the rejected callid, shown escaped
    for stream, name in ((replayed.stdout, "replay stdout"), (replayed.stderr, "replay stderr")):
        assert_clean(stream, name)

    for args in (("show", "term-1"), ("show",), ("show", "term-1", "--json"), ("show", "--json")):
        shown = run_cli(*args, "--store", store, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert_clean(shown.stdout, " ".join(args))
        assert_clean(shown.stderr, " ".join(args))
        if "--json" in args:
            data = json.loads(shown.stdout)  # still JSON, and it decodes to the exact values
            call = data[0] if isinstance(data, list) else data
            assert call["keys"] == [KEY]
            assert call["failure_reason"] == HOSTILE
        else:
            assert "\\x1b]52;c;aGVsbG8=\\x07" in shown.stdout or args == ("show",)

    shown = run_cli("show", "term-1", "--store", store, cwd=tmp_path).stdout
    assert "\\u202e" in shown and "\\x9b" in shown

    # the record keeps exactly what VMS sent
    with sqlite3.connect(tmp_path / "t.db") as db:
        records = [json.loads(r) for (r,) in db.execute("SELECT record FROM receipts ORDER BY rowid")]
    assert [r["raw"] for r in records] == [next(iter(r.values())) for r in RECEIPTS[:3]]
    assert records[0]["keypress"] == KEY and records[1]["failure_reason"] == HOSTILE
