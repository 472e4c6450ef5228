"""What `send` takes as a number and as a context, defined positively and checked before anything is
sent (issue 21, classes 5 and 6; docs/sending.md), against the local VMS stub over loopback.

5: a number is ASCII digits only: every other decimal digit in Unicode (Arabic-Indic, full-width,
   Devanagari...) passed a \\d pattern, was sent, and the record never matched the receipts'.
6: a context is one line of letters, marks, numbers, punctuation and symbols (printable ASCII
   included): a trailing newline, NEL or U+2028 passed "one line", and `show --context` typed
   without it never found the call."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.functional.test_send import APPID, TO, env_for
from tests.stubs import VmsStub
from voice_receipts.config import load_settings
from voice_receipts.tools import cli
from voice_receipts.tools import send as sending
from voice_receipts.tools.errors import SendInvalid
from voice_receipts.tools.send import send_code

EVERY = [chr(c) for c in range(sys.maxunicode + 1)]
NON_ASCII_DIGITS = [ch for ch in EVERY if unicodedata.category(ch) == "Nd" and not ch.isascii()]
# one of each kind a context must never hold: controls (NEL), format (bidi, zero-width, BOM),
# line and paragraph separators, spaces other than ASCII's, surrogates, private use, unassigned
NEVER = sorted(
    {
        ch
        for ch in EVERY
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
        or (unicodedata.category(ch) == "Zs" and ch != " ")
    }
)


@pytest.fixture(scope="module")
def stub():
    with VmsStub(appids=[APPID], templates={"1234": 2}) as running:
        yield running


@pytest.fixture
def settings(stub, tmp_path):
    return load_settings(env_for(stub, tmp_path))


def test_a_number_with_any_digit_but_ascii_is_refused_before_sending(settings, stub):
    before = stub.arrived
    assert len(NON_ASCII_DIGITS) > 600  # every script's digits, from Unicode's own table
    for digit in NON_ASCII_DIGITS:
        for number in (TO[:-1] + digit, "+86" + digit * 11, TO.replace("1", digit)):
            with pytest.raises(SendInvalid, match="mainland China mobile"):
                send_code(number, "1", settings=settings)
    for number in (TO + "\n", "\n" + TO, TO + "\u3000", "＋8613711112222", TO + "\x00"):
        with pytest.raises(SendInvalid, match="mainland China mobile"):
            send_code(number, "1", settings=settings)
    assert stub.arrived == before  # nothing reached the stub


def test_a_context_with_any_character_outside_the_allowed_classes_is_refused_before_sending(settings, stub):
    before = stub.arrived
    # a sample of each class through send_code (every code point is checked by is_context below)
    for ch in NEVER[::211] + ["\n", "\r", "\x85", "\u2028", "\u2029", "\u061c", "\u202e", "\ufeff"]:
        for context in (f"order{ch}42", f"order-42{ch}"):
            assert not sending.is_context(context)
            with pytest.raises(SendInvalid, match="context"):
                send_code(TO, "1", context=context, settings=settings)
    for context in (" order-42", "order-42 ", "", "x" * 129):
        with pytest.raises(SendInvalid, match="context"):
            send_code(TO, "1", context=context, settings=settings)
    assert stub.arrived == before


def test_every_refused_class_is_refused_whole():
    assert all(not sending.is_context(f"a{ch}b") for ch in NEVER)  # 1.1 million code points, no sampling


@given(st.text(min_size=1, max_size=140))
def test_an_accepted_context_is_one_line_a_person_can_type_again(context):
    if sending.is_context(context):
        assert context.splitlines() == [context] and context == context.strip()
        assert all(unicodedata.category(ch)[0] in "LMNPS" or ch == " " for ch in context)
        assert len(context) <= 128


@pytest.mark.parametrize("context", ["order-42", "订单 42", "Café/№7", "a+b=c ✓", "ज्ञ-1", "x" * 128])
def test_an_accepted_context_is_sent_and_found_again_by_show(settings, stub, context, capsys):
    sent = send_code(TO, "1", context=context, settings=settings)
    assert stub.calls[-1].session_context == context
    capsys.readouterr()
    assert cli.main(["show", "--context", context, "--json", "--store", str(settings.store)]) == 0
    assert [c["callid"] for c in json.loads(capsys.readouterr().out)] == [sent.call_id]
