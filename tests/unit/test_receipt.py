import pytest

from tests.samples import body
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt, event_id


def receipt_of(document) -> Receipt:
    return build_receipt(parse_callback(document), received_at="2026-11-27T00:00:00.000Z")


def test_status_receipt_is_normalised():
    r = receipt_of(body("voicecode_callback"))
    assert r.kind == "voicecode"
    assert r.status == "answered"
    assert r.started_at == "2016-08-03T04:00:21Z"
    assert r.accepted_at == "2016-08-03T04:00:35Z"
    assert r.ended_at == "2016-08-03T04:00:43Z"
    assert r.fee_minutes == 1
    assert (r.mobile, r.nationcode, r.call_from) == ("13800138000", "86", "075583763333")
    assert r.received_at == "2026-11-27T00:00:00.000Z"
    assert r.phone == "+8613800138000"


@pytest.mark.parametrize(
    ("result", "status"),
    [("0", "answered"), ("1", "unanswered"), ("2", "call_error"), ("7", "undocumented")]
    + [(word, "undocumented") for word in ("answered", "unanswered", "call_error", "failed")],
)
def test_status_is_the_meaning_and_result_what_vms_sent(result, status):
    receipt = receipt_of(body("voiceprompt_callback", result=result))
    assert (receipt.status, receipt.result) == (status, result)


@pytest.mark.parametrize(
    ("stored", "result", "status"),
    [("answered", "0", "answered"), ("unanswered", "1", "unanswered"), ("7", "7", "undocumented")],
)
def test_a_record_stored_before_result_was_kept_apart_reads_back(stored, result, status):
    old = {"callid": "c", "kind": "voicecode", "event_id": "e", "received_at": "t", "status": stored}
    receipt = Receipt.from_dict(old)
    assert (receipt.result, receipt.status) == (result, status)


def test_unanswered_call_has_no_answer_time():
    r = receipt_of(body("voiceprompt_callback", result="1", accept_time=""))
    assert r.accepted_at is None and r.status == "unanswered"


def test_failure_receipt_carries_the_specs_text():
    r = receipt_of(body("voice_failure_callback", failure_code=8))
    assert (r.failure_code, r.failure_reason, r.failure_text) == (8, "空号", "空号")
    assert receipt_of(body("voice_failure_callback", failure_code=99)).failure_text is None


def test_keypress_receipt():
    r = receipt_of(body("voicekey_callback", keypress="5"))
    assert (r.kind, r.keypress, r.status) == ("voicekey", "5", None)


def test_raw_callback_is_kept_verbatim():
    doc = body("voicecode_callback", result=0, extra={"nested": [1, 2]})
    assert receipt_of(doc).raw == doc["voicecode_callback"]


def test_event_id_is_stable_and_depends_on_kind_and_content():
    raw = body("voicekey_callback")["voicekey_callback"]
    assert event_id("voicekey_callback", raw) == event_id("voicekey_callback", dict(reversed(raw.items())))
    assert event_id("voicekey_callback", raw) != event_id("voicekey_callback", {**raw, "keypress": "3"})
    assert event_id("voicecode_callback", raw) != event_id("voiceprompt_callback", raw)
    assert event_id("voicekey_callback", raw).startswith("voicekey-")


def test_received_at_does_not_change_the_event_id():
    a = build_receipt(parse_callback(body("voicekey_callback")))
    b = build_receipt(parse_callback(body("voicekey_callback")), received_at="2030-01-01T00:00:00.000Z")
    assert a.event_id == b.event_id


def test_round_trip_through_json():
    r = receipt_of(body("voice_failure_callback"))
    import json

    assert Receipt.from_dict(json.loads(r.to_json())) == r


def test_absurd_times_are_kept_raw_not_crashing():
    r = receipt_of(body("voicecode_callback", end_calltime="999999999999999"))
    assert r.ended_at is None and r.raw["end_calltime"] == "999999999999999"
