"""schemas.py: pydantic-core's validator without its Python layer, the same schemas as its helpers,
and one pydantic-core per process whichever is imported first."""

import subprocess
import sys

import pytest
from pydantic_core import core_schema

from tests import samples
from voice_receipts import schemas


def check(value):
    return value


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (schemas.str_schema(), core_schema.str_schema()),
        (schemas.int_schema(), core_schema.int_schema()),
        (schemas.nullable_schema({"type": "int"}), core_schema.nullable_schema(core_schema.int_schema())),
        (
            schemas.with_default_schema({"type": "int"}, default=None),
            core_schema.with_default_schema(core_schema.int_schema(), default=None),
        ),
        (
            schemas.no_info_before_validator_function(check, {"type": "str"}),
            core_schema.no_info_before_validator_function(check, core_schema.str_schema()),
        ),
        (
            schemas.typed_dict_field({"type": "str"}),
            core_schema.typed_dict_field(core_schema.str_schema()),
        ),
        (
            schemas.typed_dict_field({"type": "str"}, required=False),
            core_schema.typed_dict_field(core_schema.str_schema(), required=False),
        ),
        (
            schemas.typed_dict_schema(
                {"a": {"type": "typed-dict-field", "schema": {"type": "str"}}}, "ignore"
            ),
            core_schema.typed_dict_schema(
                {"a": core_schema.typed_dict_field(core_schema.str_schema())}, extra_behavior="ignore"
            ),
        ),
    ],
)
def test_each_shape_is_what_pydantic_cores_own_helper_builds(ours, theirs):
    assert ours == theirs


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=samples.ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_callbacks_load_neither_core_schema_nor_typing_extensions():
    loaded = run(
        "import sys, json\n"
        "from voice_receipts import callbacks\n"
        'callbacks.parse_callback(callbacks.load_json(b\'{"voicecode_callback": {"callid": "c1",'
        ' "result": "0"}}\'))\n'
        "print(json.dumps(sorted(m for m in sys.modules if 'pydantic' in m or 'typing_extensions' in m)))"
    )
    assert loaded == '["pydantic_core._pydantic_core"]'


def test_pydantic_imported_after_the_function_shares_its_validation_error():
    # a tool importing pydantic after the function: one extension, one ValidationError class
    out = run(
        "from voice_receipts import callbacks, schemas\n"
        "import pydantic, pydantic_core\n"
        "class M(pydantic.BaseModel):\n"
        "    n: int\n"
        "try:\n"
        "    M(n='x')\n"
        "except schemas.ValidationError as exc:\n"
        "    print(type(exc) is pydantic_core.ValidationError, schemas.SchemaValidator is pydantic_core.SchemaValidator)\n"
    )
    assert out == "True True"


def test_pydantic_core_imported_first_is_the_one_used():
    out = run(
        "import pydantic_core\n"
        "from voice_receipts import schemas\n"
        "print(schemas.ValidationError is pydantic_core.ValidationError)"
    )
    assert out == "True"


def test_a_failed_direct_load_falls_back_to_the_ordinary_import():
    # e.g. an interpreter whose extension suffix the package lacks: only slower, never broken
    out = run(
        "import importlib.machinery, sys\n"
        "del importlib.machinery.EXTENSION_SUFFIXES[:]  # the import system keeps its own copy\n"
        "from voice_receipts import callbacks\n"
        "parsed = callbacks.parse_callback({'voicecode_callback': {'callid': 'c1', 'result': '0'}})\n"
        "print(parsed.key, 'pydantic_core.core_schema' in sys.modules)"
    )
    assert out == "voicecode_callback True"
