"""A receipt's event_id is its identity in every store, across versions: a redelivery that arrives
after an upgrade must get the same id, or it is stored twice. So the canonical form (sorted keys,
no spaces, UTF-8 as is, lone surrogates kept) is pinned here by ids recorded once from it."""

import pytest

from voice_receipts.receipt import event_id


@pytest.mark.parametrize(
    ("key", "raw", "recorded"),
    [
        (
            "voicekey_callback",
            {"callid": "c-1", "keypress": "1", "mobile": "13800138000", "call_from": "", "nationcode": "86"},
            "voicekey-b2ba3bb9ab48f32bdabfc355aa6328a2",
        ),
        (
            "voice_failure_callback",
            {"callid": "c-2", "failure_code": 8, "failure_reason": "空号", "extra": {"b": [1, 2], "a": None}},
            "voice_failure-54a2cd15ba728aa69a4dc90e91b4a29f",
        ),
        (
            "voice_failure_callback",
            {"callid": "c-3", "failure_reason": "x\ud800"},
            "voice_failure-15e59a26101f9e9b921ffb2acd58bf5f",
        ),
    ],
)
def test_the_same_callback_always_gets_the_same_event_id(key, raw, recorded):
    assert event_id(key, raw) == recorded
    assert event_id(key, dict(reversed(list(raw.items())))) == recorded  # key order does not matter
