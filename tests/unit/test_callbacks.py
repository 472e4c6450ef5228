import pytest

from tests.samples import CALLBACKS, body
from voice_receipts.callbacks import MODELS, load_json, parse_callback
from voice_receipts.errors import BadRequest, NotJSON


def parse_model(document):
    return parse_callback(document).values


@pytest.mark.parametrize("kind", CALLBACKS)
def test_every_documented_kind_parses(kind):
    parsed = parse_callback(body(kind))
    key, raw, model = parsed.key, parsed.raw, parsed.values
    assert key == kind
    assert raw == CALLBACKS[kind]
    assert model["callid"] == CALLBACKS[kind]["callid"]


def test_numbers_where_strings_are_documented_are_accepted():
    cb = parse_model(
        body("voicecode_callback", result=0, fee=2, accept_time=1470196835, mobile=13800138000, nationcode=86)
    )
    assert (cb["result"], cb["fee"], cb["accept_time"], cb["mobile"], cb["nationcode"]) == (
        "0",
        2,
        1470196835,
        "13800138000",
        "86",
    )


def test_strings_where_numbers_are_documented_are_accepted():
    cb = parse_model(body("voice_failure_callback", failure_code="8"))
    assert cb["failure_code"] == 8


@pytest.mark.parametrize("field", ["accept_time", "start_calltime", "end_calltime", "fee", "call_from"])
def test_empty_times_fee_and_call_from_are_accepted(field):
    cb = parse_model(body("voiceprompt_callback", **{field: ""}))
    assert cb[field] in (None, "")


def test_zero_accept_time_means_never_answered():
    cb = parse_model(body("voicecode_callback", result="1", accept_time="0"))
    assert cb["accept_time"] is None


def test_unknown_fields_are_kept():
    parsed = parse_callback(body("voicekey_callback", sdkappid="1400000000"))
    raw, cb = parsed.raw, parsed.values
    assert raw["sdkappid"] == "1400000000"
    # kept verbatim in raw (and so in the Receipt); the validated values hold documented fields only
    assert "sdkappid" not in cb and cb["keypress"] == "2"


def test_undocumented_result_and_failure_code_are_accepted_as_they_came():
    assert parse_callback(body("voicecode_callback", result="7")).values["result"] == "7"
    assert parse_callback(body("voice_failure_callback", failure_code=99)).values["failure_code"] == 99


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([], "got an array"),
        ("text", "got a string"),
        (None, "got null"),
        ({}, "exactly one"),
        ({**body("voicecode_callback"), **body("voicekey_callback")}, "exactly one"),
        ({"sms_callback": {"callid": "x"}}, "unknown callback kind 'sms_callback'"),
        ({"voicecode_callback": ["x"]}, "voicecode_callback must be a JSON object"),
        (body("voicekey_callback", callid=""), "voicekey_callback.callid: must not be empty"),
        (body("voicekey_callback", callid="   "), "callid: must not be empty"),
        (body("voicekey_callback", callid=None), "callid: must not be empty"),
        (body("voicekey_callback", keypress=""), "keypress: must not be empty"),
        (body("voicekey_callback", callid="x" * 257), "callid: must be at most 256 characters"),
        (body("voicekey_callback", callid="a\nb"), "callid: must not contain control characters"),
        (body("voicekey_callback", callid="a\x00"), "callid: must not contain control characters"),
        (body("voicecode_callback", result=True), "result: must be a string or a number"),
        (body("voicecode_callback", result={"a": 1}), "result: must be a string or a number"),
        (body("voicecode_callback", accept_time="yesterday"), "accept_time: must be a whole number"),
        (body("voicecode_callback", accept_time=-5), "accept_time: must be Unix seconds"),
        (body("voicecode_callback", fee="1.5"), "fee: must be a whole number"),
        (body("voice_failure_callback", failure_code="eight"), "failure_code: must be a whole number"),
        (body("voice_failure_callback", failure_code=None), "failure_code: must not be empty"),
        (body("voicecode_callback", mobile=["138"]), "mobile: must be a string or a number"),
    ],
)
def test_bad_callbacks_name_the_field_and_the_reason(document, words):
    with pytest.raises(BadRequest) as caught:
        parse_callback(document)
    assert words in caught.value.message
    assert "Traceback" not in caught.value.message


@pytest.mark.parametrize("kind", CALLBACKS)
def test_missing_required_field_is_named(kind):
    required = {
        "voicecode_callback": "result",
        "voiceprompt_callback": "result",
        "voicekey_callback": "keypress",
        "voice_failure_callback": "failure_code",
    }[kind]
    for field in ("callid", required):
        raw = {k: v for k, v in CALLBACKS[kind].items() if k != field}
        with pytest.raises(BadRequest, match=f"{kind}.{field}: Field required"):
            parse_callback({kind: raw})


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": "\xff"}',
        b'{"a": "\\ud800"}',
        b"\xef\xbb\xbf{}",
    ],
)
def test_load_json_rejects_what_cannot_be_stored_faithfully(raw):
    with pytest.raises(NotJSON, match="body is not valid JSON"):
        load_json(raw)


def test_errmsg_never_echoes_the_value():
    with pytest.raises(BadRequest) as caught:
        parse_callback(body("voicecode_callback", mobile={"secret": "13812345678"}))
    assert "13812345678" not in caught.value.message


KINDS = ", ".join(MODELS)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "body must hold exactly one callback kind key; found 0 keys"),
        ({"a": 1, "b": 2}, "body must hold exactly one callback kind key; found 2 keys"),
        (
            {"z": 1, **body("voicekey_callback"), **body("voicecode_callback")},
            "body must hold exactly one callback kind key; found 3 keys (voicecode_callback, voicekey_callback)",
        ),
        ({"sms_callback": {}}, f"unknown callback kind 'sms_callback'; expected one of {KINDS}"),
        ({"13800138000": {}}, f"unknown callback kind; expected one of {KINDS}"),  # maybe a number
    ],
)
def test_a_body_without_one_known_kind_is_refused_word_for_word(document, message):
    with pytest.raises(BadRequest) as caught:
        parse_callback(document)
    assert caught.value.message == message


def test_a_number_beyond_a_double_is_refused_word_for_word():
    with pytest.raises(NotJSON) as caught:
        load_json(b'{"voicekey_callback": {"callid": "c", "n": [1e400]}}')
    assert caught.value.message == (
        "body is not valid JSON: number out of range (beyond ±1.7976931348623157e308)"
    )
