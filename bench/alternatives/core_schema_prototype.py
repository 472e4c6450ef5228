"""Prototype, never packaged: the four callbacks as pydantic-core schemas instead of BaseModels.

The model layer is what separates the shipped package from the floor at a cold start: importing
pydantic (BaseModel and the schema generator it loads) and building the four models' schemas.
pydantic-core, the same library's validator, takes the same validation written as core schemas,
without importing pydantic at all. This file declares the callbacks that way, with the project's
before-validators (copied from voice_receipts/callbacks.py: importing them would import
pydantic), so that the cost can be measured:

    python -B -S bench/alternatives/core_schema_prototype.py PACKAGE_DIR [models|core]

prints the import + build time in ms, for the BaseModels of voice_receipts.callbacks (`models`)
or for this file (`core`). docs/cold-start.md has the figures. Validation returns a plain dict
(extra fields kept), not a model instance: adopting it means voice_receipts/receipt.py reading
dict keys, which is why it is a prototype here and not a change to callbacks.py.
"""

from __future__ import annotations

import sys
import time

T0 = time.perf_counter()


def declare():
    from pydantic_core import SchemaValidator
    from pydantic_core import core_schema as cs

    def _text(value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        raise ValueError("must be a string or a number")

    def _required_text(value):
        text = _text(value)
        if text is None or not text.strip():
            raise ValueError("must not be empty")
        return text

    def _whole_number(value):
        text = _text(value)
        if text is None or not text.strip():
            return None
        text = text.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 18:
            raise ValueError("must be a whole number")
        return int(text)

    def before(func, schema):
        return cs.no_info_before_validator_function(func, schema)

    # The same vocabulary as callbacks.py's Annotated aliases, one line each
    text = cs.typed_dict_field(before(_text, cs.nullable_schema(cs.str_schema())), required=False)
    required_text = cs.typed_dict_field(before(_required_text, cs.str_schema()))
    callid = required_text  # the project adds a length cap and a control-character check
    number = cs.typed_dict_field(before(_whole_number, cs.nullable_schema(cs.int_schema())), required=False)
    code = cs.typed_dict_field(before(_whole_number, cs.int_schema()))

    def callback(**fields):
        shared = {"callid": callid, "mobile": text, "nationcode": text, "call_from": text}
        schema = cs.typed_dict_schema(shared | fields, extra_behavior="allow")
        return SchemaValidator(schema)

    status = callback(
        result=required_text,
        start_calltime=number,
        accept_time=number,
        end_calltime=number,
        fee=number,
    )
    keypress = callback(keypress=required_text)
    failure = callback(failure_code=code, failure_reason=text)
    return {
        "voicecode_callback": status,
        "voiceprompt_callback": status,
        "voicekey_callback": keypress,
        "voice_failure_callback": failure,
    }


def main():
    sys.path.insert(0, sys.argv[1])
    which = sys.argv[2] if len(sys.argv) > 2 else "core"
    if which == "models":
        import voice_receipts.callbacks as callbacks

        validate = callbacks.MODELS["voicecode_callback"].model_validate
    else:
        validate = declare()["voicecode_callback"].validate_python
    built = time.perf_counter()
    validate({"callid": "c1", "result": "0", "fee": 1, "mobile": "13800138000"})
    print(f"{which} {(built - T0) * 1e3:.1f}")


if __name__ == "__main__":
    main()
