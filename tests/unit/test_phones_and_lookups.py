"""One phone normaliser on write and on query; one lookup parser where empty is never 'everything'."""

import pytest

from voice_receipts import lookups, phones
from voice_receipts.errors import InvalidLookup
from voice_receipts.receipt import Receipt

SAME_NUMBER = [
    "13800138000",
    "+8613800138000",
    "+86 138 0013 8000",
    "0086-138-0013-8000",
    "0086 13800138000",
    "8613800138000",
    " 138-0013-8000 ",
    "(+86) 138.0013.8000",
]


@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_every_way_people_type_a_mainland_number_is_one_number(typed):
    assert lookups.phone(typed) == "+8613800138000"


def test_another_nation_code_is_kept():
    assert lookups.phone("+61 412 345 678") == "+61412345678"
    assert phones.of_receipt("412345678", "61") == "+61412345678"


def test_a_national_number_is_looked_up_in_the_nation_given():
    # the same digits are another number in another nation; one typed with its + stays its own
    assert lookups.phone("412 345 678", nation="61") == "+61412345678"
    assert lookups.phone("412345678") == "+86412345678"
    assert lookups.phone("+8613800138000", nation="61") == "+8613800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits: no phone network dials them
        "１３８００１３８０００",  # full-width digits
        "138OO138000",  # letters O for zeros
        "+",
        "00",
        "+86 138 0013 8000 x12",
        "1234",  # too short to be a number
        "+1234567890123456",  # over E.164's 15 digits
    ],
)
def test_what_cannot_be_a_phone_number_is_an_error_not_no_calls(typed):
    with pytest.raises(InvalidLookup, match="not a phone number"):
        lookups.phone(typed)


@pytest.mark.parametrize("empty", ["", " ", "\t", None, 5])
@pytest.mark.parametrize("parse", [lookups.phone, lookups.context, lookups.callid])
def test_an_empty_lookup_value_is_an_error(parse, empty):
    with pytest.raises(InvalidLookup, match="empty"):
        parse(empty)


@pytest.mark.parametrize(
    ("parse", "what"),
    [(lookups.phone, "phone number"), (lookups.context, "context"), (lookups.callid, "callid")],
)
def test_an_empty_lookup_value_says_which_value(parse, what):
    with pytest.raises(InvalidLookup) as caught:
        parse(" ")
    assert str(caught.value) == f"the {what} to look up is empty; give one"


def test_a_callid_is_looked_up_up_to_the_longest_a_receipt_may_carry():
    from voice_receipts.fields import MAX_CALLID

    assert lookups.callid("c" * MAX_CALLID) == "c" * MAX_CALLID
    with pytest.raises(InvalidLookup) as caught:
        lookups.callid("c" * (MAX_CALLID + 1))
    assert str(caught.value) == f"a callid has at most {MAX_CALLID} characters"


def test_a_context_is_looked_up_exactly_as_it_was_sent():
    assert lookups.context(" order-7 ") == " order-7 "
    assert lookups.context("x" * 128) == "x" * 128
    with pytest.raises(InvalidLookup) as caught:
        lookups.context("x" * 129)
    assert str(caught.value) == "a context has at most 128 characters"


@pytest.mark.parametrize(
    ("typed", "nation", "number"),
    [
        ("0044 20 7946 0018", "86", "+442079460018"),  # 00 starts an international number too
        ("0 20 7946 0018", "44", "+4402079460018"),  # a trunk 0 is kept, not guessed away
        ("12 3456", "+ 1", "+1123456"),  # the nation as people write it: a + and a space
        ("13800138000", "++86", "+8613800138000"),
        ("8612345678", "86", "+868612345678"),  # starts with 86 but is no 13-digit mainland number
        ("+1234567", "86", "+1234567"),  # E.164's shortest and longest
        ("+123456789012345", "86", "+123456789012345"),
    ],
)
def test_a_number_is_given_its_nation_only_when_national(typed, nation, number):
    assert phones.normalise(typed, nation) == number


@pytest.mark.parametrize(
    ("typed", "nation", "why"),
    [
        (" - ", "86", "no digits"),
        ("138 0013 800O", "86", "only the digits 0-9, spaces, hyphens and a leading + or 00"),
        ("13800138000", "X86", "the nation code is not digits"),
        ("+123456", "86", "a phone number has 7 to 15 digits with its nation code"),
        ("+1234567890123456", "86", "a phone number has 7 to 15 digits with its nation code"),
    ],
)
def test_what_is_not_a_number_is_refused_saying_why_without_the_digits(typed, nation, why):
    with pytest.raises(phones.NotAPhone) as refused:
        phones.normalise(typed, nation)
    assert str(refused.value) == why


@pytest.mark.parametrize(
    ("mobile", "nationcode", "phone"),
    [
        ("13800138000", "86", "+8613800138000"),
        ("13800138000", "", "+8613800138000"),  # no nation code: VMS calls mainland numbers only
        ("138 0013 8000", "86", "+8613800138000"),
        ("+8613800138000", "86", "+8613800138000"),  # drifted payloads: already international
        ("not-a-number", "86", "+86not-a-number"),  # kept as it came: nothing lost
        ("not-a-number", None, "+not-a-number"),
        ("", "86", None),
        (None, "86", None),
    ],
)
def test_a_receipts_phone_is_normalised_on_write(mobile, nationcode, phone):
    receipt = Receipt(
        callid="c", kind="voicekey", event_id="e", received_at="t", mobile=mobile, nationcode=nationcode
    )
    assert receipt.phone == phone
