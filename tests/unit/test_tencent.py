"""tencent.py's shared error handling and region check: what the CMQ store and the sender both use."""

from __future__ import annotations

import pytest

from voice_receipts import tencent


@pytest.mark.parametrize("region", ["ap-guangzhou", "ap-shanghai-fsi", "na-ashburn", "eu-frankfurt"])
def test_a_tencent_region_is_accepted(region):
    assert tencent.is_region(region)


@pytest.mark.parametrize("region", ["Guangzhou", "ap", "ap-guangzhou\n", " ap-guangzhou", "ap-a-b-c-d"])
def test_anything_else_is_not_a_region(region):
    assert not tencent.is_region(region)  # a trailing newline too: the whole text must match


def test_a_code_keeps_only_safe_characters():
    assert tencent.safe_code("AuthFailure.SignatureFailure") == "AuthFailure.SignatureFailure"
    assert tencent.safe_code("Bad\x1b[31mCode <x>") == "Bad31mCodex"
    assert tencent.safe_code("A" * 100) == "A" * 64
    assert tencent.safe_code("<>") == ""


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("ClientNetworkError", "HTTPSConnectionPool: Read timed out. (read timeout=3)", tencent.TIMED_OUT),
        ("ClientNetworkError", "Connection refused", tencent.UNREACHABLE),
        ("ServerNetworkError", "502 Bad Gateway", tencent.HTTP_ERROR),
        ("JSONDecodeError", "Expecting value", tencent.UNREADABLE),
        ("KeyError", "'Response'", tencent.UNREADABLE),
        ("AuthFailure.SignatureFailure", "timed out", None),  # the API answered: its own code
        ("RequestLimitExceeded", "", None),
    ],
)
def test_a_failure_on_the_way_is_told_from_the_apis_own_errors(code, message, kind):
    assert tencent.transport_failure(code, message) == kind
