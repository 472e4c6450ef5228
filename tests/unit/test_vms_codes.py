"""The error tables `send` and `explain` use are the SDK's, not guesses."""

from __future__ import annotations

import inspect
import re

from tencentcloud.vms.v20200902 import errorcodes

from voice_receipts import codes
from voice_receipts.tools.vms_codes import (
    API_ERRORS,
    LEGACY_TO_API,
    SEND_ERROR_CODES_EN,
    api_error_text,
    is_rate_limit,
)


def sdk_codes() -> dict[str, str]:
    """code -> the Chinese comment above it in errorcodes.py, links removed."""
    found = {}
    comment = ""
    for line in inspect.getsource(errorcodes).splitlines():
        if line.startswith("# "):
            comment = line[2:]
        elif "=" in line:
            code = line.split("=", 1)[1].strip().strip("'\"")
            found[code] = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", comment)
    return found


def test_every_vms_error_code_of_the_sdk_is_explained_and_no_other():
    assert set(API_ERRORS) == set(sdk_codes())


def test_the_chinese_is_the_sdks_own_words():
    sdk = sdk_codes()
    for code, (zh, _en) in API_ERRORS.items():
        # ours may stop before the SDK's advice, never say something else
        assert sdk[code].startswith(zh.rstrip("。").split("，请")[0]), code


def test_each_legacy_code_maps_to_the_api_code_with_the_same_words():
    assert set(LEGACY_TO_API) == set(codes.SEND_ERROR_CODES) == set(SEND_ERROR_CODES_EN)
    for legacy, api in LEGACY_TO_API.items():
        spec = codes.SEND_ERROR_CODES[legacy].replace(" ", "").lower()
        assert api in API_ERRORS
        sdk = API_ERRORS[api][0].replace(" ", "").lower()
        # the spec words it as the API does, give or take a prefix ("后端") or an advice; 1030
        # (不支持该请求 / 操作不支持) only by meaning: they share their first three characters
        core = spec[:3]
        assert core in sdk, (legacy, spec, sdk)


def test_a_refined_code_falls_back_to_its_family():
    assert api_error_text("LimitExceeded.SomethingNew") == "quota limit exceeded"
    assert api_error_text("NoSuchThing") is None
    assert is_rate_limit("LimitExceeded.DeliveryFrequencyLimit") and is_rate_limit("RequestLimitExceeded")
    assert not is_rate_limit("InvalidParameter")


def test_explain_knows_every_listed_code_and_nothing_else():
    from voice_receipts.tools.cli.explain import explain
    from voice_receipts.tools.vms_codes import COMMON_ERRORS

    listed = [*map(str, codes.FAILURE_CODES), *map(str, codes.SEND_ERROR_CODES), *API_ERRORS, *COMMON_ERRORS]
    for code in listed:
        text = explain(code)
        assert text and text.startswith(code), code
        assert "  en  " in text
    for missing in ("14", "21", "0", "99999", "Nope", "", "LimitExceeded\x1b.x"):
        assert explain(missing) is None or "\x1b" not in explain(missing)
    assert explain("14") is None and explain("Nope") is None
