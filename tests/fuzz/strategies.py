"""Hostile inputs: arbitrary bytes, arbitrary JSON, and mutations of real callbacks."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.samples import CALLBACKS

JUNK_TEXT = st.one_of(
    st.text(max_size=40),
    st.just("\ud800"),  # a lone surrogate
    st.text(min_size=1, max_size=3).map(lambda s: s * 30000),  # huge strings, some over the size limit
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "null", "13800138000", "９", "٣"]),
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    JUNK_TEXT,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated_callback(draw):
    """A real callback with fields dropped, retyped or junked, extra fields, or a wrong kind."""
    kind = draw(st.sampled_from(sorted(CALLBACKS)))
    raw = dict(CALLBACKS[kind])
    raw["callid"] = draw(st.sampled_from(["fz-", "", "fz-x"])) + str(draw(st.integers(0, 10**6)))
    for field in draw(st.lists(st.sampled_from(sorted(raw)), max_size=4, unique=True)):
        action = draw(st.sampled_from(["drop", "junk", "number"]))
        if action == "drop":
            raw.pop(field)
        elif action == "junk":
            raw[field] = draw(JUNK)
        else:
            raw[field] = draw(st.integers(-(2**63), 2**63))
    raw.update(draw(st.dictionaries(st.text(min_size=1, max_size=8), JSON, max_size=2)))
    shape = draw(st.sampled_from(["ok", "ok", "ok", "unknown-kind", "array", "two-kinds", "not-object"]))
    if shape == "unknown-kind":
        return {draw(st.text(max_size=20)): raw}
    if shape == "array":
        return [{kind: raw}]
    if shape == "two-kinds":
        return {kind: raw, "voicekey_callback": CALLBACKS["voicekey_callback"]}
    if shape == "not-object":
        return {kind: draw(JUNK)}
    return {kind: raw}
