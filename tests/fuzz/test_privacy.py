"""No log line at any level carries a full mobile number or the token: a whole replay of events/
plus the fuzz corpus, logged at DEBUG, then scanned."""

from __future__ import annotations

import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from tests import samples
from tests.fuzz.strategies import mutated_callback
from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.tools.replay import replay

TOKEN = "sample-token-change-me"  # what the gateway samples carry; a secret as far as logs are concerned
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")  # a full mainland mobile number


def test_logs_of_a_replay_and_the_fuzz_corpus_hold_no_mobile_and_no_token(tmp_path):
    buffer = io.StringIO()
    logs.configure("DEBUG", buffer)
    store = SQLiteStore(tmp_path / "p.db")
    app = App.configured(
        load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///x", "VOICE_RECEIPTS_TOKEN": TOKEN}), store
    )
    results = list(replay(app, [samples.EVENTS]))
    assert any(r.status == 200 for r in results)

    checked = []

    @given(
        shape=st.sampled_from(sorted(samples.SHAPES)),
        document=mutated_callback(),
        token=st.sampled_from([TOKEN, TOKEN.upper(), "", "x" + TOKEN]),
    )
    def fuzz(shape, document, token):
        before = len(buffer.getvalue())
        app(samples.wrap(shape, json.dumps(document), token=token))
        line = buffer.getvalue()[before:]
        raw = next(iter(document.values()), None) if isinstance(document, dict) and document else None
        mobile = str(raw.get("mobile")) if isinstance(raw, dict) else ""
        # this request's own line must not hold its mobile number (unless the callid, which is
        # logged whole by design, contains the same digits)
        if len(mobile) >= 11 and mobile.isdigit() and mobile not in str(raw.get("callid")):
            checked.append(mobile)
            assert mobile not in line

    fuzz()
    text = buffer.getvalue()
    lines = text.splitlines()
    assert len(lines) > len(results) + 100, "the fuzz corpus did not run"
    assert all(json.loads(line) for line in lines)
    in_mobile_fields = [m for line in lines for m in MOBILE.findall(str(json.loads(line).get("mobile")))]
    assert not in_mobile_fields, in_mobile_fields[:5]
    assert len(checked) > 50, "too few requests carried a full mobile number to check"
    assert TOKEN not in text.lower()
    assert "138******00" in text  # masked numbers are what the lines do carry
    store.close()
