"""How replay reads what it is given: items and their failures, before any handler runs."""

import json
import os

from tests import samples
from voice_receipts.tools.replay import MISSING, UNREADABLE, items


def test_a_folder_that_cannot_be_listed_is_a_failure_of_its_own(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.json").write_text("{}")
    (tmp_path / "good.json").write_text(json.dumps(samples.body("voicecode_callback")))
    real = os.scandir

    def scandir(path="."):  # root reads any folder, so the refusal is simulated where os.walk lists
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = list(items([tmp_path]))
    assert [(i.source, i.failed and i.failed.outcome) for i in found] == [
        (str(tmp_path / "good.json"), None),
        (str(tmp_path / "locked"), UNREADABLE),
    ]
    assert found[1].failed.errmsg == "cannot list folder: Permission denied"


def test_a_missing_path_has_no_http_status(tmp_path):
    (item,) = items([tmp_path / "nope.json"])
    assert (item.failed.outcome, item.failed.status, item.failed.errmsg) == (MISSING, None, "no such file")
    assert not item.failed.accepted


def test_blank_lines_are_skipped_but_a_line_of_other_whitespace_is_reported(tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text(json.dumps(samples.body("voicekey_callback")) + "\n \t\r\n\u2028\n", encoding="utf-8")
    found = list(items([archive]))
    assert [i.source.rsplit(":", 1)[1] for i in found] == ["1", "3"]
    assert found[1].failed.outcome == "rejected" and found[1].failed.status == 400


def test_a_json_lines_file_is_read_a_line_at_a_time(tmp_path):
    """Memory independent of the file's size: the first item comes before the file is read, and
    walking 20,000 lines holds about one line (the whole file is ~3 MB)."""
    import json
    import tracemalloc

    from tests import samples
    from voice_receipts.tools.replay import count

    path = tmp_path / "big.jsonl"
    line = json.dumps(samples.body("voicecode_callback")) + "\n"
    path.write_text(line * 20_000)
    assert count([path]) == 20_000  # the bar's total: newlines counted, nothing parsed
    tracemalloc.start()
    walked = 0
    for item in items([path]):
        walked += 1
        assert item.event is not None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert walked == 20_000 and peak < 1_000_000, peak
