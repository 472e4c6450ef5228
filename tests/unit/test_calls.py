"""Call.fold: every state, undocumented values, receipts in any order of arrival."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone

import pytest

from tests.samples import body
from voice_receipts import calls, codes, kinds
from voice_receipts.callbacks import parse_callback
from voice_receipts.calls import Call
from voice_receipts.receipt import build_receipt
from voice_receipts.tools.calls_view import line, render
from voice_receipts.tools.errors import UsageError
from voice_receipts.tools.when import parse_since as since
from voice_receipts.tools.when import parse_zone as zone


def receipt(kind: str, second: int, **changes):
    return build_receipt(
        parse_callback(body(kind, callid="c1", **changes)),
        received_at=f"2026-11-28T01:00:{second:02d}.000000Z",
    )


def status(result: str, second: int = 10, kind: str = "voiceprompt_callback", **changes):
    return receipt(kind, second, result=result, **changes)


def key(k: str, second: int):
    return receipt("voicekey_callback", second, keypress=k, mobile="13800138001")


def failure(code, second: int = 11, reason="空号"):
    return receipt("voice_failure_callback", second, failure_code=code, failure_reason=reason)


def test_no_receipts_is_no_call():
    assert Call.fold([]) is None


@pytest.mark.parametrize(
    ("result", "state", "zh", "en"),
    [
        ("0", calls.ANSWERED, "用户正常接听", "the callee answered"),
        ("1", calls.NOT_ANSWERED, "用户未接听", "the callee did not answer"),
        ("2", calls.CALL_ERROR, "呼叫异常", "call error"),
    ],
)
def test_each_documented_result_is_a_state_with_the_specs_words(result, state, zh, en):
    call = Call.fold([status(result)])
    assert (call.state, call.result, call.status_text) == (state, result, {"zh": zh, "en": en})
    assert call.final


def test_an_undocumented_result_is_shown_as_such():
    call = Call.fold([status("7")])
    assert (call.state, call.result, call.status_text) == (calls.UNDOCUMENTED, "7", None)
    assert "undocumented result '7'" in render(call, timezone.utc, "UTC")


def test_a_failure_without_a_status_is_failed_with_both_languages():
    call = Call.fold([failure(8)])
    assert call.state == calls.FAILED
    assert call.kind is None  # a failure receipt does not say code or notification
    assert call.failure_text == {"zh": "空号", "en": codes.FAILURE_CODES_EN[8]}
    assert (call.failure_code, call.failure_reason) == (8, "空号")


def test_an_undocumented_failure_code_keeps_what_vms_said():
    call = Call.fold([failure(14, reason="奇怪")])
    assert (call.failure_code, call.failure_text, call.failure_reason) == (14, None, "奇怪")
    assert "14 (undocumented) 奇怪" in line(call, timezone.utc)


def test_only_key_presses_is_in_progress_and_a_notification():
    call = Call.fold([key("1", 1), key("2", 2)])
    assert (call.state, call.kind, call.keys, call.final) == (
        calls.IN_PROGRESS,
        kinds.NOTIFICATION,
        ("1", "2"),
        False,
    )


def test_a_code_call_answered_with_times_ring_talk_and_fee():
    call = Call.fold([status("0", kind="voicecode_callback")])
    assert call.kind == kinds.CODE
    assert call.phone == "+8613800138000"
    assert (call.started_at, call.answered_at, call.ended_at) == (
        "2016-08-03T04:00:21Z",
        "2016-08-03T04:00:35Z",
        "2016-08-03T04:00:43Z",
    )
    assert (call.ring_seconds, call.talk_seconds, call.fee_minutes) == (14, 8, 1)


def test_every_failure_code_of_the_spec_has_english():
    assert set(codes.FAILURE_CODES_EN) == set(codes.FAILURE_CODES)
    assert len(codes.FAILURE_CODES) == 29 and {14, 21}.isdisjoint(codes.FAILURE_CODES)
    assert all(text.strip() for text in codes.FAILURE_CODES_EN.values())


def test_the_fold_does_not_depend_on_the_order_receipts_are_given_in():
    given = [key("1", 1), status("1", 2), key("3", 3), failure(5, 4, reason="无人接听")]
    folded = [Call.fold(list(p)) for p in itertools.permutations(given)]
    assert all(other == folded[0] for other in folded)  # frozen dataclass: equal field by field
    call = folded[0]
    assert call.keys == ("1", "3")  # arrival order, not the order given
    # states are a partition: a failure receipt makes the call failed; its result is still kept
    assert (call.state, call.failure_code, call.result) == (calls.FAILED, 5, "1")
    assert [r.received_at[17:19] for r in call.receipts] == ["01", "02", "03", "04"]
    assert (call.first_received_at[17:19], call.last_received_at[17:19]) == ("01", "04")


def test_a_status_arriving_after_key_presses_still_decides_the_state():
    call = Call.fold([status("0", 9), key("1", 1)])
    assert (call.state, call.keys, call.kind) == (calls.ANSWERED, ("1",), kinds.NOTIFICATION)


def test_an_unknown_kind_of_receipt_is_kept_but_not_folded():
    from dataclasses import replace

    other = replace(key("1", 1), kind="a_future_kind", keypress=None)
    call = Call.fold([other, status("0", 2)])
    assert len(call.receipts) == 2 and call.keys == () and call.sent_at is None


def test_json_names_kind_the_same_at_top_level_and_per_receipt():
    call = Call.fold([status("0"), key("9", 11)])
    data = json.loads(call.to_json())
    assert data["kind"] == "notification"
    assert [r["kind"] for r in data["receipts"]] == ["voiceprompt", "voicekey"]
    assert data["status_text"] == {"zh": "用户正常接听", "en": "the callee answered"}
    assert data["keys"] == ["9"] and data["state"] == "answered"


def test_render_escapes_what_a_receipt_carries_and_masks_the_number():
    call = Call.fold([key("\x1b]52;c;x\x07", 1)])
    text = render(call, timezone.utc, "UTC")
    assert "\x1b" not in text and "\\x1b]52" in text
    assert "13800138001" not in text and "+86 138******01" in text
    assert "timeline (when each receipt arrived here)" in text


def test_zones_and_since():
    tz, label = zone("Asia/Shanghai")
    assert label == "Asia/Shanghai"
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    assert since("24h", tz, now) == "2026-11-27T12:00:00.000000Z"
    assert since("7d", tz, now) == "2026-11-21T12:00:00.000000Z"
    assert since("2026-11-28", tz, now) == "2026-11-27T16:00:00.000000Z"  # midnight in Shanghai
    assert since("2026-11-28T00:00:00Z", tz, now) == "2026-11-28T00:00:00.000000Z"
    with pytest.raises(UsageError, match="--since 'soon'"):
        since("soon", tz, now)
    with pytest.raises(UsageError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


def test_without_a_tz_database_shanghai_falls_back_to_utc_plus_8(monkeypatch):
    import zoneinfo

    def missing(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    tz, label = zone("Asia/Shanghai")
    assert "UTC+08:00" in label
    assert datetime(2026, 1, 1, tzinfo=timezone.utc).astimezone(tz).hour == 8
