"""pydantic-core's compiled validator, loaded without its Python layer, and the schema shapes the
callbacks are declared in.

`import pydantic_core` runs its `__init__.py`, which imports `core_schema`: typing_extensions and
some 300 TypedDicts that describe schemas for type checkers. That is ≈ 21 ms of every cold start
(bench/RESULTS.md), and the function needs none of it: the validator, its errors and the JSON
parser are the compiled extension `pydantic_core._pydantic_core` (≈ 3 ms). So `_core()` loads that
extension by its own file and registers it under its own name in sys.modules: a later
`import pydantic_core` (the tools, pydantic, the tests) finds it there and reuses it, so a process
has one ValidationError class whichever came first (the one difference: that later package has no
`_pydantic_core` attribute; `from pydantic_core import _pydantic_core` still finds the module).
When pydantic_core is already imported, or the direct load fails in any way (another layout, a
future version), it is the ordinary import: only slower, which tests/deploy/test_package.py
catches for the built packages.

The schemas are the plain dicts core_schema's helpers return (pydantic-core's CoreSchema format,
checked by pydantic-core itself when a SchemaValidator is built); the helpers below build the few
shapes fields.py uses, with core_schema's names.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

NAME = "pydantic_core._pydantic_core"


def _core() -> Any:
    if NAME in sys.modules or "pydantic_core" in sys.modules:
        import pydantic_core

        return pydantic_core
    try:
        return _load_extension()
    except Exception:  # noqa: BLE001 - any surprise: the ordinary import, which is only slower
        sys.modules.pop(NAME, None)
        import pydantic_core

        return pydantic_core


def _load_extension() -> Any:
    import importlib.util
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, PathFinder

    package = PathFinder.find_spec("pydantic_core")  # finds the folder, runs nothing
    if package is None or not package.submodule_search_locations:
        raise ImportError("pydantic_core is not installed")
    for folder in package.submodule_search_locations:
        for suffix in EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_pydantic_core" + suffix)  # not pathlib: 2 ms more to import
            if os.path.isfile(path):
                loader = ExtensionFileLoader(NAME, path)
                spec = importlib.util.spec_from_file_location(NAME, path, loader=loader)
                if spec is None:
                    raise ImportError(f"no module spec for {path}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[NAME] = module  # before exec: the extension may import its own name
                loader.exec_module(module)
                return module
    raise ImportError("pydantic_core has no compiled extension for this interpreter")


_CORE = _core()
if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic_core import SchemaValidator as SchemaValidator
    from pydantic_core import ValidationError as ValidationError
    from pydantic_core import from_json as from_json
else:
    SchemaValidator, ValidationError = _CORE.SchemaValidator, _CORE.ValidationError
    from_json = _CORE.from_json

Schema = dict[str, Any]


def str_schema() -> Schema:
    return {"type": "str"}


def int_schema() -> Schema:
    return {"type": "int"}


def nullable_schema(schema: Schema) -> Schema:
    return {"type": "nullable", "schema": schema}


def with_default_schema(schema: Schema, default: Any) -> Schema:
    return {"type": "default", "schema": schema, "default": default}


def no_info_before_validator_function(function: Callable[[Any], Any], schema: Schema) -> Schema:
    plain = {"type": "no-info", "function": function}
    return {"type": "function-before", "function": plain, "schema": schema}


def typed_dict_field(schema: Schema, required: bool | None = None) -> Schema:
    field: Schema = {"type": "typed-dict-field", "schema": schema}
    if required is not None:
        field["required"] = required
    return field


def typed_dict_schema(fields: dict[str, Schema], extra_behavior: str) -> Schema:
    return {"type": "typed-dict", "fields": fields, "extra_behavior": extra_behavior}
