"""A call that starts with a `sent` record: it comes first whatever arrived first, and fills sent_at and context."""

from __future__ import annotations

import itertools
from datetime import timezone

from tests.samples import body
from voice_receipts import calls, kinds
from voice_receipts.callbacks import parse_callback
from voice_receipts.calls import Call
from voice_receipts.receipt import build_receipt
from voice_receipts.tools.calls_view import render
from voice_receipts.tools.send import sent_record


def sent(second: int, message: str = "code", context: str | None = "order-1"):
    answer = {"SendStatus": {"CallId": "c1", "SessionContext": context or ""}, "RequestId": "r1"}
    return sent_record(
        answer,
        message=message,
        phone=("86", "13800138000"),
        template_id="1234" if message == "tts" else None,
        play_times=2,
        context=context,
        at=f"2026-11-28T01:00:{second:02d}.000000Z",
    )


def receipt(kind: str, second: int, **changes):
    return build_receipt(
        parse_callback(body(kind, callid="c1", **changes)),
        received_at=f"2026-11-28T01:00:{second:02d}.000000Z",
    )


def test_a_call_with_only_its_send_is_in_state_sent():
    call = Call.fold([sent(0)])
    assert (call.state, call.final, call.kind) == (calls.SENT, False, kinds.CODE)
    assert (call.sent_at, call.context, call.phone) == (
        "2026-11-28T01:00:00.000000Z",
        "order-1",
        "+8613800138000",
    )
    assert call.at == call.sent_at and call.result is None


def test_sent_then_the_status_receipt_is_one_call_from_sent_to_answered():
    call = Call.fold([sent(0), receipt("voicecode_callback", 40, result="0")])
    assert [r.kind for r in call.receipts] == ["sent", "voicecode"]
    assert (call.state, call.final, call.kind, call.context) == (calls.ANSWERED, True, kinds.CODE, "order-1")


def test_the_send_comes_first_in_any_order_and_even_when_its_clock_is_ahead():
    # the sender's clock 30 s ahead of the function's: the send "happened" after its receipts
    records = [
        sent(50, "tts"),
        receipt("voicekey_callback", 20, keypress="1"),
        receipt("voiceprompt_callback", 30, result="1"),
    ]
    for order in itertools.permutations(records):
        call = Call.fold(order)
        assert [r.kind for r in call.receipts] == ["sent", "voicekey", "voiceprompt"]
        assert (call.state, call.kind, call.keys, call.sent_at) == (
            calls.NOT_ANSWERED,
            kinds.NOTIFICATION,
            ("1",),
            "2026-11-28T01:00:50.000000Z",
        )


def test_a_key_press_after_the_send_is_in_progress_not_sent():
    assert (
        Call.fold([sent(0, "tts"), receipt("voicekey_callback", 20, keypress="1")]).state == calls.IN_PROGRESS
    )


def test_a_failure_after_the_send():
    call = Call.fold([receipt("voice_failure_callback", 9, failure_code=8, failure_reason="空号"), sent(1)])
    assert (call.state, call.failure_code, call.receipts[0].kind) == (calls.FAILED, 8, "sent")


def test_a_send_without_context():
    assert Call.fold([sent(0, context=None)]).context is None


def test_render_shows_the_send_its_context_and_never_a_code():
    text = render(Call.fold([sent(0), receipt("voicecode_callback", 40, result="0")]), timezone.utc, "UTC")
    assert "  context   order-1" in text and "  sent      2026-11-28 01:00:00" in text
    assert "when it was sent, then when each receipt arrived here" in text
    lines = text.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("  timeline")))
    assert "sent" in lines[first + 1] and "code, played up to 2x" in lines[first + 1]
    assert "voicecode" in lines[first + 2]
