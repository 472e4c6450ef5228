"""A rejected value is never echoed: whatever a field holds around a full mobile number, neither the
reply nor the log line of a rejected request contains that number."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from tests import samples
from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.stores.sqlite import SQLiteStore

MOBILE = "13800138000"
FIELDS = {  # every documented field, in the kind that carries it
    "voicecode_callback": ["callid", "mobile", "nationcode", "call_from", "result", "start_calltime",
                           "accept_time", "end_calltime", "fee"],
    "voicekey_callback": ["callid", "mobile", "nationcode", "call_from", "keypress"],
    "voice_failure_callback": ["callid", "mobile", "nationcode", "call_from", "failure_code", "failure_reason"],
}  # fmt: skip
# values that wrap the number in what each validator refuses: signs, dots, exponents, junk,
# control characters, other types, and lengths over every cap
POISON = [
    f"--{MOBILE}",
    f"-+{MOBILE}",
    f"+{MOBILE}",
    f"{MOBILE}.5",
    f"{MOBILE}e2",
    f"{MOBILE}x",
    f"0x{MOBILE}",
    f"{MOBILE}\x00",
    f"\x1b]52;c;{MOBILE}\x07",
    f"{MOBILE}\uffff",
    MOBILE * 50,
    f" {MOBILE} " * 30,
    float(MOBILE) + 0.5,
    -int(MOBILE),
    int(MOBILE) * 10**10,
    True,
    [MOBILE],
    {"n": MOBILE},
    {MOBILE: 1},
]


def _field_of(kind: str, field: str, value) -> dict:
    return samples.body(kind, **{"callid": "c-echo", field: value})


class Checker:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        logs.configure("DEBUG", self.buffer)
        self.store = SQLiteStore(":memory:")
        self.app = App.configured(load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///x"}), self.store)
        self.rejected = 0

    def check(self, payload) -> None:
        before = len(self.buffer.getvalue())
        status, reply = samples.reply_of(self.app(samples.aws_http(payload)))
        line = self.buffer.getvalue()[before:]
        if status == 200:
            return  # accepted: the record keeps the value; the log masks the mobile field
        self.rejected += 1
        assert MOBILE not in json.dumps(reply, ensure_ascii=False), (payload, reply)
        assert MOBILE not in line, (payload, line)


def test_every_documented_field_with_every_poison():
    checker = Checker()
    for kind, fields in FIELDS.items():
        for field in fields:
            for value in POISON:
                checker.check(_field_of(kind, field, value))
    assert checker.rejected > 200  # 230 of the 23 x 19 combinations are refusals


_around = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)


def test_fuzzed_values_around_a_mobile_are_never_echoed():
    checker = Checker()

    @given(
        kind=st.sampled_from(sorted(FIELDS)),
        data=st.data(),
        value=st.one_of(
            st.builds(lambda a, b: a + MOBILE + b, _around, _around),
            st.builds(lambda a, n: a + MOBILE * n, _around, st.integers(3, 60)),
            st.builds(lambda k: {k: MOBILE}, _around),
        ),
    )
    def fuzz(kind, data, value):
        checker.check(_field_of(kind, data.draw(st.sampled_from(FIELDS[kind])), value))

    fuzz()
    assert checker.rejected > 0


def test_a_broken_body_around_a_mobile_is_never_echoed():
    checker = Checker()
    text = json.dumps(samples.body("voicecode_callback", fee=int(MOBILE)))
    cut = text.index(MOBILE) + len(MOBILE)
    for junk in ("x", ".", "e", "-", '"', "}", ",,", "\\"):
        checker.check(text[:cut] + junk + text[cut:])
    checker.check(f"{MOBILE} {MOBILE}")
    checker.check(json.dumps({MOBILE: {"callid": "c"}}))
    checker.check(json.dumps({"voicecode_callback": {}, MOBILE: 1}))
    assert checker.rejected == 11
