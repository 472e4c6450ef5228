"""A setting that passes start-up must not fail every receipt (issue 21, class 10): every numeric
setting has bounds checked by load_settings, and a warm-up failure that every receipt would
repeat stops the start, while a store that is unavailable right now only logs."""

from __future__ import annotations

import dataclasses

import pytest
from moto import mock_aws

from tests import samples
from tests.aws import TABLE, aws_client, create_table
from voice_receipts import config, runtime
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.stores.dynamodb import DynamoDBStore

# every numeric setting: (variable, lowest, highest) as documented; a new int field in Settings
# without a row here fails the first test
BOUNDS = {
    "max_body_bytes": (config.MAX_BODY_BYTES, 512, config.STORE_MAX_BODY_BYTES["dynamodb"]),
    "retention_days": (config.RETENTION_DAYS, 1, 36_500),
}
TOKEN = "t0k-0123456789abcdef"
HOSTILE = ["0", "-1", "1e3", "1.5", "1_000", "١٢", "0x10", "9" * 5000, "NaN", "10 days"]


def test_every_numeric_setting_has_a_documented_bound():
    numeric = {f.name for f in dataclasses.fields(config.Settings) if "int" in str(f.type)}
    assert numeric == set(BOUNDS)


@pytest.mark.parametrize("field", sorted(BOUNDS))
def test_each_numeric_setting_refuses_values_past_its_bounds_at_start_up(field):
    name, low, high = BOUNDS[field]
    env = {config.STORE: f"dynamodb://{TABLE}"}
    assert getattr(config.load_settings({**env, name: str(low)}), field) == low
    assert getattr(config.load_settings({**env, name: str(high)}), field) == high
    for value in [str(low - 1), str(high + 1), str(10**9), *HOSTILE]:
        with pytest.raises(ConfigError, match=name):
            config.load_settings({**env, name: value})


def cloud_env(monkeypatch, **extra: str) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "voice-receipts")
    monkeypatch.setenv(config.TOKEN, TOKEN)
    monkeypatch.setenv(config.STORE, f"dynamodb://{TABLE}")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def table():
    with mock_aws():
        create_table(aws_client("dynamodb"))
        runtime.reset()
        yield
        runtime.reset()


@pytest.mark.usefixtures("aws_env", "table")
def test_the_longest_retention_still_stores_receipts(monkeypatch):
    cloud_env(monkeypatch, VOICE_RECEIPTS_RETENTION_DAYS="36500")
    app = runtime.get_app()
    status, reply = samples.reply_of(
        app(samples.wrap("aws-http-api", samples.body("voicekey_callback"), token=TOKEN))
    )
    assert (status, reply["result"]) == (200, 0)


@pytest.mark.usefixtures("aws_env", "table")
def test_a_warm_up_failure_every_receipt_would_repeat_stops_the_start(monkeypatch):
    # a retention past what the expiry computation can take, were the setting's bound missing:
    # before, the warm-up swallowed the OverflowError and every receipt was a 500
    monkeypatch.setattr(config, "MAX_RETENTION_DAYS", 10**12, raising=False)
    cloud_env(monkeypatch, VOICE_RECEIPTS_RETENTION_DAYS=str(10**9))
    with pytest.raises(ConfigError, match="warm-up at init failed \\(OverflowError\\)"):
        runtime.get_app()
    assert runtime.current() is None  # nothing half-started is kept


@pytest.mark.usefixtures("aws_env", "table")
def test_a_store_unavailable_at_init_only_logs(monkeypatch, capsys):
    def paused(self, receipt):
        raise StoreUnavailable("the database is paused")

    monkeypatch.setattr(DynamoDBStore, "warm", paused)
    cloud_env(monkeypatch)
    app = runtime.get_app()  # the package's own JSON lines, on stderr
    assert app is runtime.current()
    assert "store is unavailable now" in capsys.readouterr().err
