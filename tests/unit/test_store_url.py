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


SHAPE = "must look like {scheme}://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]: {why}, got {url!r}"


@pytest.mark.parametrize(
    "text, why",
    [
        ("mysql://bob:hunter2@db", "no database name (/DB)"),
        ("mysql://bob:hunter2@db/", "no database name (/DB)"),
        ("mysql://bob:hunter2@db/a/b", "no database name (/DB)"),
        ("postgresql://db/voice", "no USER"),
        ("postgresql://@db/voice", "no USER"),
        ("mysql://bob:hunter2@/voice", "no HOST"),
        ("mysql://bob:hunter2@db/voice?sslmode=maybe",
         "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
        ("mysql://bob:hunter2@db/voice?wait=0", "wait must be between 0 and 3600 seconds"),
        ("mysql://bob:hunter2@db/voice?read_timeout=3600.5", "read_timeout must be between 0 and 3600 seconds"),
    ],
)  # fmt: skip
def test_a_bad_sql_url_is_refused_in_words_that_say_what_to_write(text, why):
    """The whole message, word for word: the shape to follow, what is wrong, the URL (masked)."""
    with pytest.raises(ConfigError) as refused:
        load_settings({"VOICE_RECEIPTS_STORE": text})
    scheme = text.split(":", 1)[0]
    expected = SHAPE.format(scheme=scheme, why=why, url=text.replace("hunter2", "***"))
    assert refused.value.message == f"VOICE_RECEIPTS_STORE {expected}"


@pytest.mark.parametrize(
    ("seconds", "ok"), [("0.001", True), ("3600", True), ("0", False), ("3600.001", False)]
)
def test_each_timeout_is_more_than_0_and_at_most_an_hour(seconds, ok):
    text = f"mysql://bob@db/voice?connect_timeout={seconds}"
    if ok:
        assert SQLAddress.of(StoreURL.parse(text)).timeouts["connect_timeout"] == float(seconds)
    else:
        with pytest.raises(ConfigError, match="connect_timeout must be between 0 and 3600 seconds"):
            SQLAddress.of(StoreURL.parse(text))


def test_a_url_without_a_password_takes_the_settings_one_only_for_the_settings_store():
    """The library's open_store(url, settings): the settings' password (read from the environment
    they were loaded from) goes with their own store's URL, never with another database's."""
    from voice_receipts.stores import open_store

    env = {"VOICE_RECEIPTS_STORE": "postgresql://bob@db/voice", "VOICE_RECEIPTS_DB_PASSWORD": SECRET}
    settings = load_settings(env)  # not os.environ, which has no password
    assert open_store("postgresql://bob@db/voice", settings).address.password == SECRET
    assert open_store("postgresql://bob@db/other", settings).address.password is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("mysql://bob:p@ss@db/voice", ("bob", "p@ss", "db", 3306, "voice")),  # the last @ ends the user
        ("mysql://bob:pw@db:3307/voice", ("bob", "pw", "db", 3307, "voice")),
        ("mysql://bob@corp@db/voice", ("bob@corp", None, "db", 3306, "voice")),  # no password, too
        ("mysql://bob@corp:p@ss@db:3307/voice", ("bob@corp", "p@ss", "db", 3307, "voice")),
        ("mysql://bob@[::1]:3307/voice", ("bob", None, "::1", 3307, "voice")),
        ("postgresql://bob@[::1]/voice", ("bob", None, "::1", 5432, "voice")),
        ("postgresql://bob@[::1]:/voice", ("bob", None, "::1", 5432, "voice")),  # an empty port
        ("mysql://bob@db:/voice", ("bob", None, "db", 3306, "voice")),
        ("mysql://bob@DBX/voice", ("bob", None, "DBX", 3306, "voice")),  # X is no bracket
    ],
)
def test_a_sql_url_is_split_into_user_password_host_port_and_database(text, parts):
    address = SQLAddress.of(StoreURL.parse(text))
    assert (address.user, address.password, address.host, address.port, address.database) == parts


@pytest.mark.parametrize("option", ["sslmode", "connect_timeout", "socket"])
def test_an_option_given_without_a_value_is_refused_not_dropped(option):
    """`?sslmode=` is a mistake to say, not the default taken in silence."""
    with pytest.raises(ConfigError, match=option):
        SQLAddress.of(StoreURL.parse(f"mysql://bob@db/voice?{option}="))


def test_an_at_sign_in_an_option_is_not_where_the_password_is_shown():
    url = StoreURL.parse("mysql://bob:hunter2@db/voice?sslrootcert=/certs/ca@db.pem")
    assert str(url) == "mysql://bob:***@db/voice?sslrootcert=/certs/ca@db.pem"
    assert SQLAddress.of(url).sslrootcert == "/certs/ca@db.pem"


def test_a_refusal_names_where_the_url_came_from():
    """The library's open_store says "store URL"; the command line and the settings their own."""
    from voice_receipts.stores import open_store

    with pytest.raises(ConfigError) as refused:
        open_store("mongodb://db/voice")
    assert refused.value.message.startswith("store URL must be a store URL (sqlite:///receipts.db, ")
    for text in ("mysql://db/voice", "mongodb://db/voice"):  # a SQL URL's shape, or no store at all
        with pytest.raises(ConfigError) as refused:
            StoreURL.parse(text, origin="--store")
        assert refused.value.message.startswith("--store must ")


def test_a_user_name_holding_an_at_sign_never_shows_the_password():
    text = "mysql://bob@corp:hunter2@db/voice?sslrootcert=/certs/ca@db.pem"
    url = StoreURL.parse(text)
    assert str(url) == "mysql://bob@corp:***@db/voice?sslrootcert=/certs/ca@db.pem"
    assert "hunter2" not in repr(url) and mask_password(text) == str(url)
    with pytest.raises(ConfigError) as refused:
        StoreURL.parse("mysql://bob@corp:hunter2@db/voice?colour=blue")
    assert "hunter2" not in refused.value.message and "bob@corp:***@db" in refused.value.message
