"""Store URLs: a SQL URL's parts and options, and its password never shown (`***`) wherever the
URL is: str, repr, the settings' repr, every error message (an unknown scheme's too)."""

from __future__ import annotations

import pytest

from voice_receipts.config import load_settings
from voice_receipts.errors import ConfigError
from voice_receipts.store_url import SQLAddress, StoreURL, mask_password

SECRET = "pä$$:w@rd/1"  # non-ASCII, with the characters a URL parser trips on (percent-encoded)
ENCODED = "p%C3%A4%24%24%3Aw%40rd%2F1"


def test_a_password_is_kept_apart_and_shown_as_stars():
    url = StoreURL.parse(f"mysql://bob:{ENCODED}@db.example:3307/voice?sslmode=required")
    assert url.password == SECRET
    for shown in (str(url), repr(url), repr(load_settings({"VOICE_RECEIPTS_STORE": str(url)}))):
        assert "bob:***@db.example:3307/voice" in shown
        assert ENCODED not in shown and SECRET not in shown
    address = SQLAddress.of(url)
    assert (address.user, address.password, address.host, address.port, address.database) == (
        "bob",
        SECRET,
        "db.example",
        3307,
        "voice",
    )
    assert address.sslmode == "require" and SECRET not in repr(address)


def test_the_environment_gives_the_password_when_the_url_has_none():
    env = {"VOICE_RECEIPTS_STORE": "postgresql://bob@db/voice", "VOICE_RECEIPTS_DB_PASSWORD": SECRET}
    settings = load_settings(env)
    assert settings.store.password == SECRET
    assert str(settings.store) == "postgresql://bob:***@db/voice"
    url_first = load_settings({**env, "VOICE_RECEIPTS_STORE": "postgresql://bob:inurl@db/voice"})
    assert url_first.store.password == "inurl"


@pytest.mark.parametrize(
    "text, why",
    [
        ("mongodb://bob:hunter2@db/voice", "must be a store URL"),
        ("mysql://bob:hunter2@db", "no database name"),
        ("mysql://bob:hunter2@db:port/voice", "the port 'port' is not a number"),
        ("mysql://bob:hunter2@db/voice?colour=blue", "unknown option 'colour'"),
        ("mysql://bob:hunter2@db/voice?sslmode=maybe", "sslmode must be one of"),
        ("postgresql://bob:hunter2@db/voice?wait=forever", "wait must be a number of seconds"),
        ("postgresql://bob:hunter2@db/voice?socket=relative", "socket must be an absolute path"),
        ("postgresql://db/voice", "no USER"),
    ],
)
def test_a_bad_url_is_refused_without_its_password(text, why):
    with pytest.raises(ConfigError, match=why) as refused:
        load_settings({"VOICE_RECEIPTS_STORE": text})
    assert "hunter2" not in refused.value.message


def test_sockets_and_options():
    mysql = SQLAddress.of(StoreURL.parse("mysql://bob@/voice?socket=/run/mysqld/mysqld.sock&wait=3"))
    assert (mysql.socket, mysql.timeouts["wait"], mysql.port) == ("/run/mysqld/mysqld.sock", 3.0, 3306)
    pg = SQLAddress.of(StoreURL.parse("postgresql://bob@[::1]/voice?host=/var/run/postgresql"))
    assert (pg.host, pg.socket, pg.port) == ("::1", "/var/run/postgresql", 5432)


def test_mask_password_masks_any_url_like_text():
    assert mask_password("x mysql://a:b@c/d y sqs://q") == "x mysql://a:***@c/d y sqs://q"
    assert mask_password("dynamodb://table") == "dynamodb://table"
