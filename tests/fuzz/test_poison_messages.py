"""Whatever a queue holds, Receipt.from_message ends in a Receipt of the right types or in
BadMessage, and a consumer reports that message alone: the SQS batch's other receipts are taken,
the CMQ loop goes on (issue 21, class 1)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import JSON, JUNK
from tests.samples import CALLBACKS, body
from voice_receipts import consume
from voice_receipts.callbacks import parse_callback
from voice_receipts.errors import BadMessage
from voice_receipts.receipt import Receipt, build_receipt

GOOD = [build_receipt(parse_callback(body(kind))) for kind in sorted(CALLBACKS)]
FIELDS = sorted(Receipt.__dataclass_fields__)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([2**63, -(2**63), 2**64, 10**4400, float("inf"), float("nan"), -0.0, 1e308]),
)
VALUES = st.one_of(JUNK, JSON, NUMBERS)


@st.composite
def deep(draw) -> str:
    """A receipt whose `raw` (or a field) is nested deeper than any parser's stack."""
    depth = draw(st.sampled_from([150, 199, 200, 201, 255, 1000, 100_000]))
    inner = "[" * depth + "]" * depth
    template = json.loads(draw(st.sampled_from(GOOD)).to_json())
    where = draw(st.sampled_from(["raw", "fee_minutes", "callid", "whole"]))
    if where == "whole":
        return inner
    template[where] = "@@"
    return json.dumps(template).replace('"@@"', inner if where != "raw" else '{"x":' + inner + "}")


@st.composite
def retyped(draw) -> str:
    """A real receipt message with fields dropped, retyped, junked or added, maybe cut short."""
    data = json.loads(draw(st.sampled_from(GOOD)).to_json())
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            data.pop(name, None)
        else:
            data[name] = draw(VALUES)
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True, default=str)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


MESSAGES = st.one_of(
    retyped(),
    deep(),
    st.binary(max_size=200),
    st.binary(max_size=50).map(lambda b: GOOD[0].to_json().encode()[:-1] + b + b"}"),  # not UTF-8
    st.text(max_size=200),
    JSON.map(json.dumps),
    st.sampled_from([None, 5, 1.5, [], {}, b"", "", "null", "NaN", '{"raw": {}}']),
)


TYPES = {"str": str, "int": int, "float": (int, float), "dict": dict, "None": type(None)}


def well_typed(receipt: Receipt) -> bool:
    """Each field of the type its annotation names (`str | None`, `dict[str, Any]`), no bools."""
    for name, spec in Receipt.__dataclass_fields__.items():
        value = getattr(receipt, name)
        allowed = [TYPES[part.strip().split("[")[0]] for part in str(spec.type).split("|")]
        if isinstance(value, bool) or not any(isinstance(value, t) for t in allowed):
            return False
    return True


@given(MESSAGES)
def test_every_message_is_a_receipt_or_bad_message(message):
    try:
        receipt = Receipt.from_message(message)
    except BadMessage as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert well_typed(receipt)
    assert Receipt.from_message(receipt.to_json()) == receipt  # what a consumer passes on is sound
    assert receipt.phone is None or receipt.phone.startswith("+")


@given(MESSAGES)
def test_a_poison_message_fails_only_itself_in_an_sqs_batch_and_the_cmq_loop(message):
    try:
        Receipt.from_message(message)
    except BadMessage:
        poison = True
    else:
        poison = False
    good = GOOD[1].to_json()
    records = [{"messageId": m, "body": b} for m, b in (("m1", good), ("m2", message), ("m3", good))]
    seen: list[Receipt] = []
    answer = consume.sqs_batch({"Records": records}, seen.append)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}] if poison else []}
    assert len(seen) == (2 if poison else 3)
    handles = consume.cmq_messages([(r["messageId"], r["body"]) for r in records], seen.append)
    assert handles == (["m1", "m3"] if poison else ["m1", "m2", "m3"])


@pytest.mark.parametrize(
    "message",
    [
        "[" * 100_000,  # json.loads recursed until RecursionError
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "raw": ' + "[" * 5000,
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "fee_minutes": "5"}',
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "mobile": 13800138000}',
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "play_times": 1e999}',
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "raw": {"a": NaN}}',
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "failure_code": true}',
        '{"callid": "c", "kind": "k", "event_id": "e", "received_at": "t", "fee_minutes": ' + "9" * 30 + "}",
        b'{"callid": "\xc3\x28", "kind": "k", "event_id": "e", "received_at": "t"}',
        '{"callid": "\\ud800", "kind": "k", "event_id": "e", "received_at": "t"}',
        None,
        12,
    ],
)
def test_the_inputs_that_escaped_before_are_bad_messages(message):
    with pytest.raises(BadMessage):
        Receipt.from_message(message)
