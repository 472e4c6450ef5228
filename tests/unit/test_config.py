"""config.py alone: what start-up refuses, what it defaults to, and what it never shows.

Authentication fails closed (issue 9): in a cloud runtime a forgotten or malformed token must stop
the function at init, where the platform reports it, rather than publish an endpoint anyone can
write to. Each case here is one way that promise could quietly break.
"""

import ipaddress

import pytest

from voice_receipts.config import load_settings
from voice_receipts.errors import ConfigError

GOOD = "a" * 16
CLOUDS = [
    pytest.param({"AWS_LAMBDA_FUNCTION_NAME": "voice-receipts"}, id="lambda"),
    pytest.param({"SCF_FUNCTIONNAME": "voice-receipts"}, id="scf"),
]


def cloud_env(marker: dict, **env: str) -> dict:
    """A cloud function's environment with a durable store, so only what is under test can fail."""
    return {**marker, "VOICE_RECEIPTS_STORE": "dynamodb://receipts", **env}


def refused(env: dict, *words: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    for word in words:
        assert word in caught.value.message
    return caught.value


# --- the token in a cloud runtime ---------------------------------------------------------------


@pytest.mark.parametrize("marker", CLOUDS)
@pytest.mark.parametrize("token", [None, ""], ids=["missing", "empty"])
def test_a_cloud_function_without_a_token_does_not_start(marker, token):
    env = cloud_env(marker) if token is None else cloud_env(marker, VOICE_RECEIPTS_TOKEN=token)
    refused(env, "VOICE_RECEIPTS_TOKEN is not set", "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED")


@pytest.mark.parametrize("marker", CLOUDS)
def test_allow_unauthenticated_is_the_only_way_to_start_without_a_token(marker):
    settings = load_settings(cloud_env(marker, VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED="true"))
    assert settings.tokens == () and settings.cloud


@pytest.mark.parametrize("marker", CLOUDS)
@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_allow_unauthenticated_set_to_false_still_refuses(marker, value):
    refused(cloud_env(marker, VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED=value), "VOICE_RECEIPTS_TOKEN is not set")


@pytest.mark.parametrize("marker", CLOUDS)
@pytest.mark.parametrize(
    "other",
    [
        {"VOICE_RECEIPTS_DIRECT_INVOCATION": "false"},
        {"VOICE_RECEIPTS_ALLOWED_CIDRS": "198.51.100.0/24"},
        {"VOICE_RECEIPTS_TOKEN_PREVIOUS": ""},
        {"VOICE_RECEIPTS_METRICS": "false"},
    ],
    ids=lambda o: next(iter(o)),
)
def test_no_other_setting_stands_in_for_the_token(marker, other):
    refused(cloud_env(marker, **other), "VOICE_RECEIPTS_TOKEN is not set")


def test_outside_a_cloud_runtime_no_token_means_no_token_check():
    assert load_settings({}).tokens == ()
    assert not load_settings({}).cloud


def test_an_empty_cloud_marker_is_not_a_cloud_runtime():
    assert not load_settings({"AWS_LAMBDA_FUNCTION_NAME": "", "SCF_FUNCTIONNAME": ""}).cloud


BAD_TOKENS = [
    pytest.param("a" * 15, id="15-chars"),
    pytest.param("a" * 257, id="257-chars"),
    pytest.param("abcdefgh+ijklmnop", id="plus"),
    pytest.param("abcdefgh/ijklmnop", id="slash"),
    pytest.param("abcdefghijklmnop=", id="equals"),
    pytest.param("abcdefgh ijklmnop", id="space"),
    pytest.param(" abcdefghijklmnop", id="leading-space"),
    pytest.param("abcdefghijklmnop\n", id="newline"),
    pytest.param("abcdéfghijklmnopq", id="non-ascii"),
    pytest.param("abcdefghijklmnop%41", id="percent"),
]


@pytest.mark.parametrize("where", [{}, CLOUDS[0].values[0]], ids=["local", "lambda"])
@pytest.mark.parametrize("name", ["VOICE_RECEIPTS_TOKEN", "VOICE_RECEIPTS_TOKEN_PREVIOUS"])
@pytest.mark.parametrize("bad", BAD_TOKENS)
def test_a_token_outside_the_allowed_characters_or_length_is_refused(where, name, bad):
    env = cloud_env(where, VOICE_RECEIPTS_TOKEN=GOOD) if where else {"VOICE_RECEIPTS_TOKEN": GOOD}
    env[name] = bad
    error = refused(env, name, "16 to 256")
    assert bad not in error.message and bad.strip() not in error.message


@pytest.mark.parametrize("good", ["a" * 16, "Z" * 256, "Aa0._~-" * 3, "0123456789abcdef"])
def test_every_allowed_token_is_accepted_at_both_ends_of_the_length(good):
    assert load_settings(cloud_env(CLOUDS[0].values[0], VOICE_RECEIPTS_TOKEN=good)).tokens == (good,)


@pytest.mark.parametrize(
    "where", [{}, CLOUDS[0].values[0], CLOUDS[1].values[0]], ids=["local", "lambda", "scf"]
)
@pytest.mark.parametrize("current", [None, ""], ids=["missing", "empty"])
def test_a_previous_token_without_a_current_one_is_refused(where, current):
    env = cloud_env(where) if where else {}
    env["VOICE_RECEIPTS_TOKEN_PREVIOUS"] = "previous-token-456"
    if current is not None:
        env["VOICE_RECEIPTS_TOKEN"] = current
    env["VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED"] = "true"  # not a way around this one
    error = refused(env, "VOICE_RECEIPTS_TOKEN_PREVIOUS is set but VOICE_RECEIPTS_TOKEN is not")
    assert "previous-token-456" not in error.message


def test_the_current_token_comes_first_then_the_previous_one():
    env = {
        "VOICE_RECEIPTS_TOKEN": "current-token-0123",
        "VOICE_RECEIPTS_TOKEN_PREVIOUS": "previous-token-456",
    }
    assert load_settings(env).tokens == ("current-token-0123", "previous-token-456")


# --- the token is never shown ---------------------------------------------------------------------


def test_the_tokens_are_not_in_the_settings_repr():
    env = {
        "VOICE_RECEIPTS_TOKEN": "current-token-0123",
        "VOICE_RECEIPTS_TOKEN_PREVIOUS": "previous-token-456",
    }
    settings = load_settings(env)
    assert "current-token-0123" not in repr(settings) and "previous-token-456" not in repr(settings)
    assert "current-token-0123" not in str(settings)


def test_tencent_credentials_are_not_in_the_settings_repr():
    settings = load_settings(
        {"TENCENTCLOUD_SECRETID": "AKIDsecretid", "TENCENTCLOUD_SECRETKEY": "skey-value"}
    )
    assert settings.tencent_credentials == {
        "TENCENTCLOUD_SECRETID": "AKIDsecretid",
        "TENCENTCLOUD_SECRETKEY": "skey-value",
    }
    assert "skey-value" not in repr(settings) and "AKIDsecretid" not in repr(settings)


@pytest.mark.parametrize(
    "env",
    [
        {"VOICE_RECEIPTS_LOG_LEVEL": "LOUD"},
        {"VOICE_RECEIPTS_DIRECT_INVOCATION": "maybe"},
        {"VOICE_RECEIPTS_ALLOWED_CIDRS": "not-a-net"},
        {"VOICE_RECEIPTS_RETENTION_DAYS": "0"},
        {"VOICE_RECEIPTS_STORE": "ftp://x"},
        {"VOICE_RECEIPTS_TOKEN_PREVIOUS": "rotation+token-789"},
    ],
    ids=lambda e: next(iter(e)),
)
def test_no_config_error_names_the_token(env):
    error = refused({"VOICE_RECEIPTS_TOKEN": "current-token-0123", **env})
    assert "current-token-0123" not in error.message and "current-token-0123" not in str(error)


# --- direct invocation ------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", CLOUDS)
def test_direct_invocation_is_off_by_default_in_a_cloud_runtime(marker):
    assert load_settings(cloud_env(marker, VOICE_RECEIPTS_TOKEN=GOOD)).direct_invocation is False


@pytest.mark.parametrize("marker", CLOUDS)
def test_direct_invocation_can_be_turned_on_in_a_cloud_runtime(marker):
    env = cloud_env(marker, VOICE_RECEIPTS_TOKEN=GOOD, VOICE_RECEIPTS_DIRECT_INVOCATION="true")
    assert load_settings(env).direct_invocation is True


def test_direct_invocation_is_on_by_default_locally():
    assert load_settings({}).direct_invocation is True
    assert load_settings({"VOICE_RECEIPTS_DIRECT_INVOCATION": "off"}).direct_invocation is False


# --- flags, levels, networks, numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" On ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
    ],
)
def test_true_false_flags_take_the_usual_spellings(raw, value):
    assert load_settings({"VOICE_RECEIPTS_DIRECT_INVOCATION": raw}).direct_invocation is value


@pytest.mark.parametrize(
    "name",
    ["VOICE_RECEIPTS_DIRECT_INVOCATION", "VOICE_RECEIPTS_METRICS", "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED"],
)
@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "t", "y"])
def test_a_flag_that_is_not_true_or_false_is_refused(name, raw):
    # the token is there except when its absence is what makes the flag be read
    token = {} if name == "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED" else {"VOICE_RECEIPTS_TOKEN": GOOD}
    env = cloud_env(CLOUDS[0].values[0], **token, **{name: raw})
    error = refused(env, name, "must be true or false", repr(raw))
    assert "Traceback" not in error.message


@pytest.mark.parametrize("level", ["debug", "INFO", " warning ", "Error"])
def test_log_levels_are_read_in_any_case(level):
    assert load_settings({"VOICE_RECEIPTS_LOG_LEVEL": level}).log_level == level.strip().upper()


def test_the_log_level_defaults_to_info():
    assert load_settings({}).log_level == "INFO"


@pytest.mark.parametrize("level", ["LOUD", "CRITICAL", "NOTSET", "TRACE", "10"])
def test_an_unknown_log_level_is_refused(level):
    refused({"VOICE_RECEIPTS_LOG_LEVEL": level}, "VOICE_RECEIPTS_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR")


def test_allowed_networks_are_parsed_v4_and_v6_with_host_bits_allowed():
    settings = load_settings(
        {"VOICE_RECEIPTS_ALLOWED_CIDRS": " 198.51.100.7/24 ,, 2001:db8::/32,203.0.113.9"}
    )
    assert settings.allowed_cidrs == (
        ipaddress.ip_network("198.51.100.0/24"),
        ipaddress.ip_network("2001:db8::/32"),
        ipaddress.ip_network("203.0.113.9/32"),
    )
    assert load_settings({}).allowed_cidrs == ()


@pytest.mark.parametrize(
    "bad", ["not-a-net", "198.51.100.0/33", "300.1.1.1", "2001:db8::/129", "10.0.0.0/8;"]
)
def test_a_bad_network_is_refused_and_named(bad):
    refused({"VOICE_RECEIPTS_ALLOWED_CIDRS": f"10.0.0.0/8,{bad}"}, "VOICE_RECEIPTS_ALLOWED_CIDRS", repr(bad))


@pytest.mark.parametrize("days", ["0", "-1", "-30"])
def test_retention_of_zero_or_fewer_days_is_refused(days):
    refused({"VOICE_RECEIPTS_RETENTION_DAYS": days}, "VOICE_RECEIPTS_RETENTION_DAYS", "from 1 to", days)


@pytest.mark.parametrize("days", ["seven", "7.5", "7d"])
def test_retention_that_is_not_a_whole_number_is_refused(days):
    refused(
        {"VOICE_RECEIPTS_RETENTION_DAYS": days}, "VOICE_RECEIPTS_RETENTION_DAYS", "whole number", repr(days)
    )


def test_retention_of_one_day_or_more_is_kept_and_unset_means_forever():
    assert load_settings({"VOICE_RECEIPTS_RETENTION_DAYS": "1"}).retention_days == 1
    assert load_settings({"VOICE_RECEIPTS_RETENTION_DAYS": " 30 "}).retention_days == 30
    assert load_settings({}).retention_days is None


# --- the store --------------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", CLOUDS)
def test_a_cloud_function_without_a_store_does_not_start(marker):
    refused({**marker, "VOICE_RECEIPTS_TOKEN": GOOD}, "VOICE_RECEIPTS_STORE is not set")


def test_locally_the_store_defaults_to_receipts_db():
    assert str(load_settings({}).store) == "sqlite:///receipts.db"


@pytest.mark.parametrize(
    ("text", "scheme", "target"),
    [
        ("sqlite:///r.db", "sqlite", "r.db"),
        ("sqlite:////abs/r.db", "sqlite", "/abs/r.db"),
        (" DynamoDB://table ", "dynamodb", "table"),
        ("sqs://https://sqs.example/1/q", "sqs", "https://sqs.example/1/q"),
        ("cmq://queue", "cmq", "queue"),
    ],
)
def test_store_urls_are_parsed_into_scheme_and_target(text, scheme, target):
    store = load_settings({"VOICE_RECEIPTS_STORE": text}).store
    assert (store.scheme, store.target) == (scheme, target)


@pytest.mark.parametrize(
    "text", ["ftp://x", "receipts.db", "sqlite://r.db", "dynamodb://", "sqs://", "cmq://"]
)
def test_a_bad_store_url_is_refused_with_an_example(text):
    error = refused({"VOICE_RECEIPTS_STORE": text}, "VOICE_RECEIPTS_STORE", repr(text))
    assert "://" in error.message.replace(repr(text), "")


def test_the_command_line_store_overrides_the_environment_and_is_named_in_errors():
    settings = load_settings({"VOICE_RECEIPTS_STORE": "dynamodb://env"}, store="sqlite:///cli.db")
    assert str(settings.store) == "sqlite:///cli.db"
    with pytest.raises(ConfigError, match="--store"):
        load_settings({}, store="nope")


# --- the rest of what start-up reads -----------------------------------------------------------------


def test_metrics_are_on_in_lambda_only_and_can_be_turned_off():
    lam = cloud_env(CLOUDS[0].values[0], VOICE_RECEIPTS_TOKEN=GOOD)
    assert load_settings(lam).metrics is True and load_settings(lam).function_name == "voice-receipts"
    assert load_settings({**lam, "VOICE_RECEIPTS_METRICS": "false"}).metrics is False
    assert load_settings(cloud_env(CLOUDS[1].values[0], VOICE_RECEIPTS_TOKEN=GOOD)).metrics is False
    assert load_settings({}).metrics is False and load_settings({}).function_name is None


def test_regions_and_endpoints_come_from_their_variables():
    settings = load_settings(
        {
            "TENCENTCLOUD_REGION": "ap-shanghai",
            "AWS_REGION": "eu-west-1",
            "VOICE_RECEIPTS_TENCENT_ENDPOINT": "http://127.0.0.1:1",
            "VOICE_RECEIPTS_VMS_APPID": " 1400000000 ",
            "VOICE_RECEIPTS_VMS_ENDPOINT": "http://127.0.0.1:2",
            "VOICE_RECEIPTS_VMS_REGION": "ap-beijing",
        }
    )
    assert settings.tencent_region == "ap-shanghai" and settings.aws_region == "eu-west-1"
    assert settings.tencent_endpoint == "http://127.0.0.1:1"
    assert (settings.vms_appid, settings.vms_endpoint, settings.vms_region) == (
        "1400000000",
        "http://127.0.0.1:2",
        "ap-beijing",
    )
    both = load_settings(
        {
            "VOICE_RECEIPTS_TENCENT_REGION": "ap-guangzhou",
            "TENCENTCLOUD_REGION": "ap-shanghai",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "eu-west-1",
        }
    )
    assert both.tencent_region == "ap-guangzhou" and both.aws_region == "us-east-1"
    none = load_settings({})
    assert (none.tencent_region, none.aws_region, none.tencent_endpoint, none.vms_appid) == (None,) * 4
    assert none.vms_region == "ap-guangzhou"


def test_the_sdk_credential_pair_is_read_when_scf_gives_none():
    settings = load_settings({"TENCENTCLOUD_SECRET_ID": "id2", "TENCENTCLOUD_SECRET_KEY": "key2"})
    assert settings.tencent_credentials == {
        "TENCENTCLOUD_SECRET_ID": "id2",
        "TENCENTCLOUD_SECRET_KEY": "key2",
    }


@pytest.mark.parametrize(
    "url", ["dynamodb://t", "sqs://q", "cmq://q", "sqlite:///r.db", "sqlite:////abs/r.db"]
)
def test_a_store_url_reads_back_as_it_was_written(url):
    assert str(load_settings({"VOICE_RECEIPTS_STORE": url}).store) == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite://", "VOICE_RECEIPTS_STORE must look like sqlite:///receipts.db, got 'sqlite://'"),
        ("dynamodb://", "VOICE_RECEIPTS_STORE must look like dynamodb://TABLE, got 'dynamodb://'"),
        ("sqs://", "VOICE_RECEIPTS_STORE must look like sqs://QUEUE, got 'sqs://'"),
        ("cmq://", "VOICE_RECEIPTS_STORE must look like cmq://QUEUE, got 'cmq://'"),
    ],
)
def test_a_store_url_without_its_target_shows_the_right_example(url, words):
    assert refused({"VOICE_RECEIPTS_STORE": url}).message == words


def test_store_errors_name_where_the_url_came_from_and_what_a_cloud_needs():
    with pytest.raises(ConfigError) as caught:
        load_settings({}, store="nope")
    assert caught.value.message.startswith(
        "--store must be a store URL (sqlite:///receipts.db, dynamodb://TABLE,"
    )
    cloud = refused({"AWS_LAMBDA_FUNCTION_NAME": "f", "VOICE_RECEIPTS_TOKEN": GOOD})
    assert cloud.message.startswith(
        "VOICE_RECEIPTS_STORE is not set: in a cloud function receipts need a durable store (dynamodb://TABLE,"
    )
