import io
import json
import logging

import pytest

from voice_receipts import logs
from voice_receipts.config import DEFAULT_LOCAL_STORE, load_settings
from voice_receipts.errors import ConfigError


def test_defaults_locally():
    s = load_settings({})
    assert s.store_url == DEFAULT_LOCAL_STORE
    assert s.token is None and s.max_body_bytes == 65536 and s.allowed_cidrs == ()


@pytest.mark.parametrize("marker", ["AWS_LAMBDA_FUNCTION_NAME", "SCF_FUNCTIONNAME"])
def test_cloud_runtime_without_a_store_fails_fast(marker):
    with pytest.raises(ConfigError, match="VOICE_RECEIPTS_STORE is not set"):
        load_settings({marker: "fn"})


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"VOICE_RECEIPTS_MAX_BODY_BYTES": "lots"}, "whole number"),
        ({"VOICE_RECEIPTS_MAX_BODY_BYTES": "0"}, "greater than 0"),
        ({"VOICE_RECEIPTS_RETENTION_DAYS": "-1"}, "greater than 0"),
        ({"VOICE_RECEIPTS_ALLOWED_CIDRS": "10.0.0.0/8,nonsense"}, "'nonsense' is not an IP network"),
        ({"VOICE_RECEIPTS_STORE": "receipts.db"}, "must be a URL"),
        ({"VOICE_RECEIPTS_TOKEN": " padded "}, "spaces"),
        ({"VOICE_RECEIPTS_LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_config_is_a_clear_error(env, words):
    with pytest.raises(ConfigError, match=words):
        load_settings(env)


def test_token_is_never_in_repr():
    assert "s3cret" not in repr(load_settings({"VOICE_RECEIPTS_TOKEN": "s3cret"}))


def test_unknown_store_scheme():
    from voice_receipts.stores import open_store

    with pytest.raises(ConfigError, match="scheme 'redis'"):
        open_store("redis://x")


@pytest.mark.parametrize(
    ("mobile", "masked"),
    [
        ("13800138000", "138****8000"),
        ("8613800138000", "861****8000"),
        ("12345", "****45"),
        ("123", "****"),
        ("", ""),
    ],
)
def test_mask_mobile(mobile, masked):
    assert logs.mask_mobile(mobile) == masked


def test_log_lines_are_json_and_exceptions_carry_no_message():
    stream = io.StringIO()
    logs.configure("INFO", stream)
    try:
        raise ValueError("13800138000 leaked")
    except ValueError:
        logs.log.exception("boom", extra={"fields": {"request_id": "r1"}})
    line = json.loads(stream.getvalue())
    assert line["error"] == "ValueError" and line["request_id"] == "r1"
    assert "13800138000" not in stream.getvalue()
    logging.getLogger(logs.LOGGER_NAME).handlers.clear()
