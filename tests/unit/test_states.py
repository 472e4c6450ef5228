"""One vocabulary for how a call ended (states.py): a partition, one table from VMS's result."""

import pytest

from voice_receipts import states
from voice_receipts.states import CallState


@pytest.mark.parametrize(
    ("result", "failed", "heard", "state"),
    [
        ("0", False, True, CallState.ANSWERED),
        (" 1 ", False, True, CallState.NOT_ANSWERED),
        ("2", False, True, CallState.CALL_ERROR),
        ("7", False, True, CallState.UNDOCUMENTED),
        ("answered", False, True, CallState.UNDOCUMENTED),  # a word is not a documented result
        ("0", True, True, CallState.FAILED),  # a failure receipt wins: the receipt says why
        ("2", True, True, CallState.FAILED),
        (None, True, True, CallState.FAILED),
        (None, False, True, CallState.IN_PROGRESS),
        (None, False, False, CallState.SENT),
    ],
)
def test_every_call_is_in_exactly_one_state(result, failed, heard, state):
    assert states.call_state(result, failed, heard) is state


def test_ended_states_are_the_answer_rates_denominator():
    assert set(states.ENDED) == set(CallState) - {CallState.IN_PROGRESS, CallState.SENT}


def test_every_state_has_words_and_a_meaning():
    assert set(states.WORDS) == set(states.MEANING) == set(CallState)


@pytest.mark.parametrize("typed", ["not_answered", "NOT-ANSWERED", "Not Answered", " not_answered "])
def test_a_state_as_people_type_it(typed):
    assert states.parse_state(typed) is CallState.NOT_ANSWERED


def test_an_unknown_state_names_the_known_ones():
    with pytest.raises(ValueError) as caught:
        states.parse_state("busy")
    names = "answered, not_answered, call_error, failed, undocumented, in_progress, sent"
    assert str(caught.value) == f"unknown state 'busy'; one of {names}"


def test_an_unknown_state_is_echoed_cut_to_40_characters():
    with pytest.raises(ValueError) as caught:
        states.parse_state("b" * 41)
    assert f"unknown state {'b' * 40!r};" in str(caught.value)


@pytest.mark.parametrize(
    ("result", "status"), [("0", "answered"), ("1", "unanswered"), ("9", "undocumented")]
)
def test_the_stored_status_word_is_derived_in_one_place_and_reads_back(result, status):
    assert states.status_of_result(result) == status
    assert states.result_of_status(status) == (result if result != "9" else "undocumented")


@pytest.mark.parametrize("result", [None, "", " ", "7", " 0x"])
def test_a_missing_empty_or_unknown_result_is_undocumented(result):
    assert states.state_of_result(result) == states.CallState.UNDOCUMENTED


def test_a_result_is_read_without_the_spaces_around_it():
    assert states.state_of_result(" 0 ") == states.state_of_result("0") != states.CallState.UNDOCUMENTED
