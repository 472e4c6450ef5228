"""auth.py alone: no App, no gateway, no settings."""

import ipaddress

import pytest

from voice_receipts.auth import check_source, check_token
from voice_receipts.errors import AuthError, Forbidden, Unauthorized

CURRENT, PREVIOUS = "current-token-0123", "previous-token-456"


def test_the_current_and_the_previous_token_are_both_accepted():
    check_token({"token": [CURRENT]}, (CURRENT, PREVIOUS))
    check_token({"token": [PREVIOUS]}, (CURRENT, PREVIOUS))


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, "missing token"),
        ({"token": []}, "missing token"),
        ({"token": [CURRENT, CURRENT]}, "more than once"),
        ({"token": ["nope"]}, "wrong token"),
        ({"token": [CURRENT.upper()]}, "wrong token"),
        ({"TOKEN": [CURRENT]}, "missing token"),
        ({"token": [CURRENT[:-1]]}, "wrong token"),
        ({"token": [CURRENT + "x"]}, "wrong token"),
        ({"token": ["tök\udc80"]}, "wrong token"),  # lone surrogate: compared, not a TypeError
    ],
)
def test_every_bad_token_is_unauthorized(query, words):
    with pytest.raises(Unauthorized, match=words) as caught:
        check_token(query, (CURRENT, PREVIOUS))
    assert isinstance(caught.value, AuthError)
    assert CURRENT not in caught.value.message and PREVIOUS not in caught.value.message


def test_the_previous_token_stops_working_when_the_rotation_ends():
    with pytest.raises(Unauthorized):
        check_token({"token": [PREVIOUS]}, (CURRENT,))


NETWORKS = (ipaddress.ip_network("198.51.100.0/24"), ipaddress.ip_network("2001:db8::/32"))


@pytest.mark.parametrize("source", ["198.51.100.7", "2001:db8::1", " 198.51.100.7 "])
def test_listed_sources_pass(source):
    check_source(source, NETWORKS)


@pytest.mark.parametrize("source", ["203.0.113.1", "::1", None, "", "not-an-ip", "198.51.100.7, 1.2.3.4"])
def test_other_or_unknown_sources_are_forbidden(source):
    with pytest.raises(Forbidden):
        check_source(source, NETWORKS)
