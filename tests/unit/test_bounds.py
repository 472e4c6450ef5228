"""bounds.py, called directly: a numeric setting's refusal shows at most 40 characters of what
was set (then "…"), a setting's own words when it is over its bound, and a SQLite store that
would lose what it acknowledges is refused in words that say what to give instead."""

from __future__ import annotations

import pytest

from voice_receipts import bounds
from voice_receipts.errors import ConfigError
from voice_receipts.store_url import StoreURL

RANGE = "N must be a whole number from 1 to 1,000, got "


def refusal(raw: str, over: str | None = None) -> str:
    with pytest.raises(ConfigError) as refused:
        bounds.whole_number({"N": raw}, "N", 1, 1000, over)
    return refused.value.message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("x" * 40, "x" * 40),  # 40 characters: all of them
        ("x" * 41, "x" * 40 + "…"),  # more: the first 40 and an ellipsis
        ("9" * 41, "9" * 40 + "…"),  # digits too: the value of a thousand digits is never read
    ],
)
def test_a_refused_value_is_shown_up_to_40_characters(raw, shown):
    quoted = repr(shown) if not raw.isdigit() else shown
    assert refusal(raw) == RANGE + quoted


def test_a_value_over_the_bound_is_refused_in_the_settings_own_words():
    assert refusal("1001", over="{value} is over what the platform allows") == (
        "1001 is over what the platform allows"
    )
    assert refusal("0", over="{value} is over") == RANGE + "0"  # under the bound: the range's words
    assert bounds.whole_number({"N": " 1000 "}, "N", 1, 1000) == 1000


NOT_A_FILE = (
    "{url} is not a database file: receipts acknowledged there would vanish when the process ends;"
    " give a file path such as sqlite:///receipts.db (VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE=true"
    " allows it, for tests)"
)


@pytest.mark.parametrize("target", [" ", ":memory:", ":MEMORY: ", "file:x.db?mode=memory", "data/"])
def test_a_sqlite_store_that_keeps_nothing_is_refused_saying_what_to_give(target):
    url = StoreURL("sqlite", target)
    with pytest.raises(ConfigError) as refused:
        bounds.durable(url, allowed=False)
    assert refused.value.message == NOT_A_FILE.format(url=url)
    assert bounds.durable(url, allowed=True) is url  # for tests, when asked


def test_a_file_and_every_other_store_are_kept():
    for url in (StoreURL("sqlite", "data/receipts.db"), StoreURL("dynamodb", "")):
        assert bounds.durable(url, allowed=False) is url
