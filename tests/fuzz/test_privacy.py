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
from voice_receipts.replay import replay
from voice_receipts.stores.sqlite import SQLiteStore

TOKEN = "change-me"  # what the gateway samples carry; a secret as far as logs are concerned
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")  # a full mainland mobile number


def test_logs_of_a_replay_and_the_fuzz_corpus_hold_no_mobile_and_no_token(tmp_path):
    buffer = io.StringIO()
    logs.configure("DEBUG", buffer)
    store = SQLiteStore(tmp_path / "p.db")
    app = App(load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///x", "VOICE_RECEIPTS_TOKEN": TOKEN}), store)
    results = list(replay(app, [samples.EVENTS]))
    assert any(r.status == 200 for r in results)

    sent_mobiles: set[str] = set()

    @given(
        shape=st.sampled_from(sorted(samples.SHAPES)),
        document=mutated_callback(),
        token=st.sampled_from([TOKEN, TOKEN.upper(), "", "x" + TOKEN]),
    )
    def fuzz(shape, document, token):
        raw = next(iter(document.values()), None) if isinstance(document, dict) and document else None
        mobile = str(raw.get("mobile")) if isinstance(raw, dict) else ""
        # a callid is logged whole, by design: a mobile that is also part of the callid is not counted
        if len(mobile) >= 7 and mobile.isdigit() and mobile not in str(raw.get("callid")):
            sent_mobiles.add(mobile)
        app(samples.wrap(shape, json.dumps(document), token=token))

    fuzz()
    text = buffer.getvalue()
    lines = text.splitlines()
    assert len(lines) > len(results) + 100, "the fuzz corpus did not run"
    assert all(json.loads(line) for line in lines)
    in_mobile_fields = [m for line in lines for m in MOBILE.findall(str(json.loads(line).get("mobile")))]
    assert not in_mobile_fields, in_mobile_fields[:5]
    assert sent_mobiles and not [m for m in sent_mobiles if m in text]
    assert TOKEN not in text.lower()
    assert "138****8000" in text  # masked numbers are what the lines do carry
    store.close()
