"""What validation refuses so that no store refuses it later: caps, characters, numbers, echo."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from pydantic import BaseModel, BeforeValidator, ValidationError

from tests.samples import body
from tests.worst_case import CAPS, WIDE, worst_case_body
from voice_receipts import config, limits
from voice_receipts.callbacks import _describe, load_json, parse_callback
from voice_receipts.errors import BadRequest, ConfigError, NotJSON
from voice_receipts.receipt import build_receipt

MOBILE = "13800138000"
KIND_OF = {
    "callid": "voicekey_callback",
    "mobile": "voicecode_callback",
    "nationcode": "voicecode_callback",
    "call_from": "voicecode_callback",
    "result": "voicecode_callback",
    "keypress": "voicekey_callback",
    "failure_reason": "voice_failure_callback",
}


def rejected(document) -> str:
    with pytest.raises(BadRequest) as caught:
        parse_callback(document)
    return caught.value.message


# -- caps on the documented text fields ---------------------------------------------------------


@pytest.mark.parametrize("field", sorted(CAPS))
def test_each_documented_text_field_is_capped_and_the_error_says_the_limit(field):
    kind, cap = KIND_OF[field], CAPS[field]
    at_cap = parse_callback(body(kind, **{field: WIDE * cap}))  # widest characters, still fine
    assert at_cap.raw[field] == WIDE * cap
    value = (MOBILE * cap)[: cap + 1]
    message = rejected(body(kind, **{field: value}))
    assert f"{kind}.{field}: must be at most {cap} characters" in message
    assert MOBILE not in message and value not in message


def test_a_mobile_that_no_index_could_take_is_400_not_a_store_error():
    # DynamoDB's by-phone index key stops at 2,048 bytes: this one would be refused on every retry
    message = rejected(body("voicecode_callback", mobile="1" * 2100))
    assert "mobile: must be at most 32 characters" in message


# -- characters a store refuses in a key or attribute -------------------------------------------


@pytest.mark.parametrize(
    "char",
    ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff", "\x85", "\x9b", "\x7f", "\x1b"],
)
def test_callid_refuses_characters_sqs_attributes_refuse_and_control_characters(char):
    message = rejected(body("voicekey_callback", callid=f"call{char}1"))
    assert "callid: must not contain control characters or non-characters" in message


def test_callid_keeps_every_other_character():
    callid = "call-\u4e2d\u6587-\U0001f600-\u202e-\ufffd-\ue000"
    assert parse_callback(body("voicekey_callback", callid=callid)).values["callid"] == callid


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [b"1e400", b"-1e400", b"1" + b"0" * 400 + b".0", b"[[1e999]]", b'{"a": 2e308}'],
)
def test_a_number_beyond_a_double_is_400_never_infinity(literal):
    raw = b'{"voicekey_callback": {"callid": "c", "keypress": "1", "x": ' + literal + b"}}"
    with pytest.raises(NotJSON) as caught:
        load_json(raw)
    assert "number out of range" in caught.value.message


def test_huge_integers_are_kept_exactly_and_serialise():
    big = int("9" * 4300)  # the most digits the JSON parser takes; Python prints up to 4,300
    parsed = parse_callback(load_json(json.dumps(body("voicekey_callback", x=big, y=-big)).encode()))
    record = json.loads(build_receipt(parsed).to_json())
    assert record["raw"]["x"] == big and record["raw"]["y"] == -big


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-0, 0), ("-0", 0), (1.0, 1), (1e2, 100), (-0.0, 0), (" 7 ", 7), ("999999999999999999", 10**18 - 1)],
)
def test_whole_numbers_in_the_forms_json_allows(value, expected):
    assert parse_callback(body("voicecode_callback", fee=value)).values["fee"] == expected
    assert (
        parse_callback(body("voice_failure_callback", failure_code=value)).values["failure_code"] == expected
    )


@pytest.mark.parametrize(
    "value",
    ["--13800138000", "-+13800138000", "+13800138000", "1_3800138000", "13800138000.5", "1e2",
     "\u0661\u0662", "1" * 19, 10**19, 1e300, 1.5, "0x1f"],
)  # fmt: skip
def test_anything_else_in_a_whole_number_field_is_400_without_the_value(value):
    message = rejected(body("voicecode_callback", fee=value))
    assert message == "voicecode_callback.fee: must be a whole number"


def test_normalised_numbers_fit_a_dynamodb_number():
    most = "9" * 18
    values = parse_callback(body("voicecode_callback", fee=most, start_calltime=most)).values
    assert len(str(values["fee"])) <= 38 and len(str(values["start_calltime"])) <= 38


# -- errmsg never echoes -----------------------------------------------------------------------


class _Leaky(BaseModel):
    value: Annotated[str, BeforeValidator(lambda v: int(v))]


def test_describe_never_passes_on_a_message_that_is_not_ours():
    # int() says "invalid literal for int() with base 10: '--13800138000'": never echoed
    with pytest.raises(ValidationError) as caught:
        _Leaky.model_validate({"value": "--13800138000"})
    described = _describe("voicecode_callback", caught.value)
    assert MOBILE not in described
    assert described == "voicecode_callback.value: is not valid"


def test_a_rejected_fee_does_not_echo_the_number():
    message = rejected(body("voicecode_callback", fee="--13800138000"))
    assert MOBILE not in message


# -- the body limit each store can always take -------------------------------------------------


def test_each_stores_body_bound_follows_from_its_record_limit():
    """(record limit - overhead) * 5 / 19, in whole KiB: see docs/limits.md."""
    for scheme, limit in limits.STORE_RECORD_BYTES.items():
        bound = limits.STORE_MAX_BODY_BYTES[scheme]
        assert bound % 1024 == 0
        if limit is None:
            continue
        worst_record = bound * 19 // 5 + limits.RECORD_OVERHEAD_BYTES
        assert worst_record <= limit, scheme
        assert (bound + 1024) * 19 // 5 + limits.RECORD_OVERHEAD_BYTES > limit, scheme
    assert limits.STORE_RECORD_BYTES == {"sqlite": None, "dynamodb": 400_000, "sqs": 262_144, "cmq": 65_536,
                                         "mysql": 4_128_768, "postgresql": None}  # fmt: skip


def test_overhead_beside_raw_covers_the_widest_receipt_of_every_kind():
    """Everything in a record except `raw`, with each documented field at its cap."""
    worst = 0
    documents = [
        json.loads(worst_case_body(8192)),
        body("voicekey_callback", **{f: WIDE * CAPS[f] for f in ("callid", "mobile", "nationcode", "call_from", "keypress")}),
        body("voicecode_callback", **{f: WIDE * CAPS[f] for f in ("callid", "mobile", "nationcode", "call_from", "result")},
             fee="9" * 18, start_calltime="9" * 11, accept_time="9" * 11, end_calltime="9" * 11),
    ]  # fmt: skip
    for document in documents:
        receipt = build_receipt(parse_callback(document))
        record = receipt.to_json()
        raw = json.dumps(receipt.raw, separators=(",", ":"))
        sqs_attributes = sum(len(n) + len("String") + len(v.encode()) for n, v in
                             (("callid", receipt.callid), ("kind", receipt.kind), ("event_id", receipt.event_id)))  # fmt: skip
        worst = max(worst, len(record) - len(raw) + sqs_attributes)
    assert worst <= limits.RECORD_OVERHEAD_BYTES
    assert limits.RECORD_OVERHEAD_BYTES - worst < 4096  # not a guess far above what it covers


@pytest.mark.parametrize("scheme", ["dynamodb", "sqs", "cmq"])
def test_a_body_limit_over_what_the_store_takes_stops_start_up(scheme):
    bound = limits.STORE_MAX_BODY_BYTES[scheme]
    store = {"dynamodb": "dynamodb://t", "sqs": "sqs://q", "cmq": "cmq://q"}[scheme]
    env = {"VOICE_RECEIPTS_STORE": store, "VOICE_RECEIPTS_MAX_BODY_BYTES": str(bound)}
    assert config.load_settings(env).max_body_bytes == bound
    with pytest.raises(ConfigError, match=f"over what the {scheme} store can always take"):
        config.load_settings({**env, "VOICE_RECEIPTS_MAX_BODY_BYTES": str(bound + 1)})
