"""The field builders, run again now: what fields.py and callbacks.py build once, at import.

The callbacks' validators are built when their modules load, so a test that only sends bodies
checks the builders' output as it was at import, never the builders themselves (mutmut switches
a mutant on after the import: docs/testing.md, "at import"). These tests call the builders at run
time and check what the validators they build accept and refuse: the caps, the required and
optional fields, absent fields read as None, unknown fields left to `raw`.
"""

from __future__ import annotations

import pytest

from voice_receipts import fields, schemas
from voice_receipts.callbacks import SHARED, Callback, StatusCallback
from voice_receipts.schemas import SchemaValidator, ValidationError


def validator(**declared) -> SchemaValidator:
    return SchemaValidator(schemas.typed_dict_schema(declared, extra_behavior="ignore"))


def refusal(check: SchemaValidator, document: dict) -> tuple[str, str]:
    """The one error's field and message."""
    with pytest.raises(ValidationError) as caught:
        check.validate_python(document)
    (error,) = caught.value.errors()
    return error["loc"][0], str(error["ctx"]["error"]) if "ctx" in error else error["type"]


@pytest.mark.parametrize("name", sorted(fields.LIMITS))
def test_a_capped_field_takes_its_limit_and_refuses_one_character_more(name):
    limit = fields.LIMITS[name]
    check = validator(value=fields._capped(name))
    assert check.validate_python({"value": "9" * limit}) == {"value": "9" * limit}
    assert refusal(check, {"value": "9" * (limit + 1)}) == ("value", f"must be at most {limit} characters")


def test_an_optional_capped_field_is_none_when_absent_or_null_and_text_when_a_number():
    check = validator(mobile=fields._capped("mobile"))
    assert check.validate_python({}) == {"mobile": None}
    assert check.validate_python({"mobile": None}) == {"mobile": None}
    assert check.validate_python({"mobile": 13800138000}) == {"mobile": "13800138000"}
    assert check.validate_python({"mobile": ""}) == {"mobile": ""}  # kept as it came, not refused


def test_a_required_capped_field_refuses_absent_null_and_blank():
    check = validator(result=fields._capped("result", required=True))
    assert check.validate_python({"result": 0}) == {"result": "0"}
    assert refusal(check, {}) == ("result", "missing")
    assert refusal(check, {"result": None}) == ("result", "must not be empty")
    assert refusal(check, {"result": "  "}) == ("result", "must not be empty")


def test_a_built_field_is_optional_unless_asked_and_none_is_its_default():
    check = validator(
        optional=fields._field(fields._unix_time, schemas.int_schema(), required=False),
        required=fields._field(fields._required_code, schemas.int_schema(), required=True),
    )
    assert check.validate_python({"required": "7"}) == {"optional": None, "required": 7}
    assert check.validate_python({"required": 7, "optional": 0}) == {"optional": None, "required": 7}
    assert check.validate_python({"required": 7, "optional": "1700000000"}) == {
        "optional": 1700000000,
        "required": 7,
    }
    assert refusal(check, {"optional": 1}) == ("required", "missing")
    assert refusal(check, {"required": None}) == ("required", "must not be empty")


def test_a_kind_declared_now_gets_its_own_validator_of_the_shared_and_its_own_fields():
    class Probe(StatusCallback):
        KIND = "probe_callback"

    assert "validator" in vars(Probe) and "validator" not in vars(StatusCallback)
    values = Probe.validator.validate_python(
        {"callid": "c-1", "mobile": 13800138000, "result": 0, "fee": "2", "unknown": "kept in raw"}
    )
    assert values == {
        "callid": "c-1",
        "mobile": "13800138000",
        "nationcode": None,
        "call_from": None,
        "result": "0",
        "start_calltime": None,
        "accept_time": None,
        "end_calltime": None,
        "fee": 2,
    }
    assert set(values) == set(SHARED) | set(StatusCallback.FIELDS)
    assert refusal(Probe.validator, {"result": 0}) == ("callid", "missing")


def test_a_class_without_a_kind_builds_no_validator_of_its_own():
    class Family(Callback):
        FIELDS = {"keypress": fields.KEYPRESS}

    assert "validator" not in vars(Family)
