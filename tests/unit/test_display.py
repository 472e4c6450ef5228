import io
import json
import logging

import pytest

from voice_receipts import logs
from voice_receipts.display import mask_mobile, mask_phone, printable


@pytest.mark.parametrize(
    ("mobile", "masked"),
    [
        ("13800138000", "138******00"),
        ("8613800138000", "861********00"),
        ("612345678", "61*****78"),  # Australia: most digits hidden, not just 86 numbers
        ("2025550143", "20******43"),
        ("12345", "1***5"),
        ("1234", "****"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_hides_most_of_any_number(mobile, masked):
    assert mask_mobile(mobile) == masked
    if mobile:
        visible = sum(a == b for a, b in zip(mobile, masked, strict=True))
        assert visible < len(mobile) / 2


def test_mask_phone_keeps_the_country():
    assert mask_phone("+8613800138000") == "+86 138******00"
    assert mask_phone("+61412345678") == "+61*******78"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),  # OSC 52: set the clipboard
        ("\x1b[2J", "\\x1b[2J"),
        ("a\rb\nc\td", "a\\x0db\\x0ac\\x09d"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("abc\u202edcba", "abc\\u202edcba"),  # a bidi override reorders what follows
        ("空号 fine", "空号 fine"),
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(text, shown):
    assert printable(text) == shown


def test_log_lines_are_json_and_exceptions_carry_no_message():
    stream = io.StringIO()
    logs.configure("INFO", stream)  # tests/conftest.py restores the logger afterwards
    try:
        raise ValueError("13800138000 leaked")
    except ValueError:
        logs.log.exception("boom", extra={"fields": {"request_id": "r1"}})
    line = json.loads(stream.getvalue())
    assert line["error"] == "ValueError" and line["request_id"] == "r1"
    assert "13800138000" not in stream.getvalue()


def test_printable_json_is_the_same_json_and_safe_for_a_terminal():
    import json

    from voice_receipts.display import printable_json

    value = {"reason": "a\u202eb\x85c\x1b", "keys": ["1"]}
    text = printable_json(value, indent=2)
    assert json.loads(text) == value
    assert not any(ch in text for ch in "\u202e\x85\x1b")


def bidi_controls() -> list[str]:
    """Unicode's own Bidi_Control list (PropList.txt), as the `regex` module ships it: no hand list."""
    import regex  # requirements-dev.txt pins it; the function never needs it

    everything = "".join(map(chr, range(0x110000)))
    found = regex.findall(r"\p{Bidi_Control}", everything)
    assert len(found) >= 12  # U+061C, U+200E-F, U+202A-E, U+2066-9 in Unicode 6.3 onwards
    return found


def test_every_bidi_control_is_escaped_in_show_and_in_log_lines():
    """Issue 21, class 9: one bidi control (U+061C ARABIC LETTER MARK) was left raw, so a
    terminal could reorder the digits after it."""
    from voice_receipts.display import printable_json

    for ch in bidi_controls():
        text = f"+86 138{ch}00138000"
        assert ch not in printable(text) and f"\\u{ord(ch):04x}" in printable(text)
        shown = printable_json({"reason": text})
        assert ch not in shown and json.loads(shown) == {"reason": text}
        stream = io.StringIO()
        logs.configure("INFO", stream)
        logs.emit(logging.WARNING, "x", {"reason": text})
        assert ch not in stream.getvalue() and json.loads(stream.getvalue())["reason"] == text


def test_undecodable_argv_bytes_are_escaped_not_fatal():
    """A lone surrogate (a byte that was not UTF-8, as Python decodes argv) cannot be written to
    a UTF-8 stream: printed, it is an escape."""
    from voice_receipts.display import printable_json

    assert printable("caf\udce9") == "caf\\udce9"
    printable("caf\udce9").encode("utf-8")
    assert json.loads(printable_json(["\udce9"])) == ["\udce9"]
    printable_json(["\udce9"]).encode("utf-8")
