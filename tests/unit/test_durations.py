"""The one duration rule (durations.py) at its edges: a second of nought is a measurement (an
answer in the second the call started, a hang-up in the second it was answered), a negative one
is not (clocks that disagree), and a missing time makes the duration unknown."""

from __future__ import annotations

import pytest

from tests import samples
from voice_receipts.callbacks import parse_callback
from voice_receipts.durations import durations
from voice_receipts.receipt import build_receipt

START = 1470196821


def status(accept: int | None, end: int, result: str = "0"):
    times = {
        "start_calltime": str(START),
        "accept_time": "" if accept is None else str(START + accept),
        "end_calltime": str(START + end),
        "result": result,
    }
    body = samples.body("voicecode_callback", **times)
    return build_receipt(parse_callback(body), received_at="2016-08-03T04:00:50.000000Z")


@pytest.mark.parametrize(
    ("accept", "end", "result", "ring", "talk"),
    [
        (0, 0, "0", 0, 0),  # answered at once and hung up at once: 0 and 0, not unknown
        (1, 1, "0", 1, 0),
        (14, 22, "0", 14, 8),
        (None, 0, "1", 0, None),  # not answered: it rang to its end
        (5, 3, "0", 5, None),  # ended before it was answered: clocks disagree, no talk
        (-2, 4, "0", None, 6),  # answered before it started: no ring
    ],
)
def test_a_second_of_nought_counts_and_a_negative_one_is_unknown(accept, end, result, ring, talk):
    assert durations(status(accept, end, result)) == (ring, talk)


def test_no_status_has_no_durations():
    assert durations(None) == (None, None)
