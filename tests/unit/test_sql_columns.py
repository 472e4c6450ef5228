"""The SQL stores' fold-input columns (stores/sql.py `_fold_inputs`), typed by what each holds.

The two schemas are built once, at import, so the test calls the builder again now, where a
mutation run can change it; that the tables hold such values is tests/functional/test_store_sql.py's."""

from __future__ import annotations

from voice_receipts.stores import sql
from voice_receipts.stores.facts import EXTRA_COLUMNS


def test_the_start_time_is_ascii_the_texts_vms_sent_are_bytes_and_the_rest_are_numbers():
    types = dict(zip(EXTRA_COLUMNS, sql._fold_inputs("TIME", "NUMBER", "TEXT"), strict=True))
    assert types == {
        "started_at": "TIME",
        "result": "TEXT",  # "0", or whatever VMS sent, kept as it came
        "ring_seconds": "NUMBER",
        "talk_seconds": "NUMBER",
        "fee_minutes": "NUMBER",
        "keypress": "TEXT",
        "failure_code": "NUMBER",
        "failure_reason": "TEXT",  # may hold U+0000: bytes, not a text column
        "message": "TEXT",
    }
