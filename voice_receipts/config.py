"""Settings, read once from the environment into a frozen object. Defaults live here only."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voice_receipts.bounds import durable, whole_number
from voice_receipts.errors import ConfigError
from voice_receipts.limits import STORE_MAX_BODY_BYTES
from voice_receipts.store_url import STORE as STORE  # re-exported: the variable names live here
from voice_receipts.store_url import StoreURL as StoreURL

if TYPE_CHECKING:  # ipaddress is imported only when there is an allowlist to parse
    import ipaddress

    IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

TOKEN = "VOICE_RECEIPTS_TOKEN"  # noqa: S105 - the variable's name, not a secret
TOKEN_PREVIOUS = "VOICE_RECEIPTS_TOKEN_PREVIOUS"  # noqa: S105 - still accepted during a rotation
ALLOW_UNAUTHENTICATED = "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED"
ALLOW_EPHEMERAL_STORE = "VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE"  # tests: a store that forgets on exit
DIRECT_INVOCATION = "VOICE_RECEIPTS_DIRECT_INVOCATION"
MAX_BODY_BYTES = "VOICE_RECEIPTS_MAX_BODY_BYTES"
ALLOWED_CIDRS = "VOICE_RECEIPTS_ALLOWED_CIDRS"
RETENTION_DAYS = "VOICE_RECEIPTS_RETENTION_DAYS"
TENCENT_REGION = "VOICE_RECEIPTS_TENCENT_REGION"
TENCENT_ENDPOINT = "VOICE_RECEIPTS_TENCENT_ENDPOINT"  # tests and private networks; unset: the SDK's
LOG_LEVEL = "VOICE_RECEIPTS_LOG_LEVEL"
EVENT_BUS = "VOICE_RECEIPTS_EVENT_BUS"  # the events publisher's EventBridge bus (events.py)
# The sender (`send`, voice_receipts/tools/send.py): read here with the rest, used only by the CLI/library
VMS_APPID = "VOICE_RECEIPTS_VMS_APPID"  # the VoiceSdkAppid of the VMS console's application
VMS_ENDPOINT = "VOICE_RECEIPTS_VMS_ENDPOINT"  # tests and private networks; unset: vms.tencentcloudapi.com
VMS_REGION = "VOICE_RECEIPTS_VMS_REGION"
CLS_ENDPOINT = "VOICE_RECEIPTS_CLS_ENDPOINT"  # `alarms apply`, like VMS_ENDPOINT; unset: the SDK's
METRICS = "VOICE_RECEIPTS_METRICS"  # "false" turns the Lambda's EMF metrics off (they cost money)
# The SQL stores' password when the store URL has none: never logged, shown as `***`
DB_PASSWORD = "VOICE_RECEIPTS_DB_PASSWORD"  # noqa: S105 - the variable's name, not a secret

SCF_REGION = "TENCENTCLOUD_REGION"  # set by the SCF runtime to the function's own region
# Tencent credentials, read here so that no store reads the environment itself: SCF's role keys
# (rotated per instance) and the SDK's usual variables. The CMQ store picks the first complete pair.
TENCENT_CREDENTIALS = (
    ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
    ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", ""),
)

DEFAULT_LOCAL_STORE = "sqlite:///receipts.db"
# VMS API 3.0: its quick start calls the API in 华南地区(广州); the receiver's own region (a CMQ queue
# in ap-shanghai, say) is not where VMS answers, so the sender has its own setting
DEFAULT_VMS_REGION = "ap-guangzhou"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
# Every numeric setting has bounds checked at start-up: a value that passes start-up must not then
# fail every receipt. A VMS callback is 130-250 bytes: below 512 ordinary ones could be refused.
MIN_BODY_BYTES = 512
# DynamoDB's expires_at is received_at + the days: 100 years keeps it far inside datetime (year
# 9999) and any store's arithmetic, where 10^9 days overflowed on every put
MAX_RETENTION_DAYS = 36_500
DEFAULT_EVENT_BUS = "default"
# A token travels in a URL the VMS console stores and sends back verbatim: only characters that
# need no encoding anywhere (RFC 3986 unreserved), so no gateway can decode it differently.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,256}")
TOKEN_HINT = "16 to 256 of A-Z a-z 0-9 . _ ~ - (e.g. `openssl rand -hex 32`)"  # noqa: S105

# Set by the runtimes themselves: their presence means "we run in a cloud function", where a
# default SQLite file would sit on a throwaway disk and silently lose every receipt.
LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
CLOUD_RUNTIME_MARKERS = (LAMBDA_FUNCTION_NAME, "SCF_FUNCTIONNAME")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    """The configuration, read once from the environment by load_settings()."""

    store: StoreURL = field(default_factory=lambda: StoreURL.parse(DEFAULT_LOCAL_STORE))
    # the current token first, then the previous one during a rotation; empty: no token check
    tokens: tuple[str, ...] = field(default=(), repr=False)
    direct_invocation: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    allowed_cidrs: tuple[IPNetwork, ...] = ()
    retention_days: int | None = None
    tencent_region: str | None = None
    tencent_endpoint: str | None = None
    tencent_credentials: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    aws_region: str | None = None
    log_level: str = "INFO"
    cloud: bool = False  # running inside Lambda or SCF
    vms_appid: str | None = None
    vms_endpoint: str | None = None
    vms_region: str = DEFAULT_VMS_REGION
    cls_endpoint: str | None = None  # `alarms apply` (voice_receipts/tools/cls_api.py)
    # CloudWatch metrics (EMF) in each request's log line: on Lambda only, where CloudWatch Logs
    # reads them; SCF's CLS has no such thing, and replay/serve must stay quiet
    metrics: bool = False
    function_name: str | None = None  # the Lambda function's name: the metrics' `function` dimension


def in_cloud_runtime(environ: Mapping[str, str]) -> bool:
    return any(environ.get(name) for name in CLOUD_RUNTIME_MARKERS)


def load_settings(environ: Mapping[str, str] | None = None, store: str | None = None) -> Settings:
    """Read and check every setting; raise ConfigError with a message a person can act on.

    `store` (the CLI's --store) overrides VOICE_RECEIPTS_STORE and is named in its errors.
    """
    env = os.environ if environ is None else environ
    cloud = in_cloud_runtime(env)
    store_url = durable(_store(env, store, cloud), _flag(env, ALLOW_EPHEMERAL_STORE, default=False))
    tokens = _tokens(env, cloud)
    level = env.get(LOG_LEVEL, "INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{LOG_LEVEL} must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return Settings(
        store=store_url,
        tokens=tokens,
        # a REST API integration without proxy mode delivers a bare callback from the internet,
        # indistinguishable from a console test: in the cloud it is off unless turned on
        direct_invocation=_flag(env, DIRECT_INVOCATION, default=not cloud),
        max_body_bytes=_max_body(env, store_url),
        allowed_cidrs=_cidrs(env.get(ALLOWED_CIDRS, "")),
        retention_days=whole_number(env, RETENTION_DAYS, 1, MAX_RETENTION_DAYS),
        tencent_region=env.get(TENCENT_REGION) or env.get(SCF_REGION) or None,
        tencent_endpoint=env.get(TENCENT_ENDPOINT) or None,
        tencent_credentials={
            name: env[name] for names in TENCENT_CREDENTIALS for name in names if name and env.get(name)
        },
        # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what most AWS tools and docs use
        aws_region=env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or None,
        log_level=level,
        cloud=cloud,
        # checked when sending (send.py): a receiver that never sends must not fail on them
        vms_appid=env.get(VMS_APPID, "").strip() or None,
        vms_endpoint=env.get(VMS_ENDPOINT, "").strip() or None,
        vms_region=env.get(VMS_REGION, "").strip() or DEFAULT_VMS_REGION,
        cls_endpoint=env.get(CLS_ENDPOINT, "").strip() or None,
        metrics=bool(env.get(LAMBDA_FUNCTION_NAME)) and _flag(env, METRICS, default=True),
        function_name=env.get(LAMBDA_FUNCTION_NAME) or None,
    )


def db_password(environ: Mapping[str, str] | None = None) -> str | None:
    """VOICE_RECEIPTS_DB_PASSWORD: a SQL store's password when its URL has none."""
    return (os.environ if environ is None else environ).get(DB_PASSWORD) or None


def load_event_bus(environ: Mapping[str, str] | None = None) -> str:
    """The events publisher's bus (events.py). Its function reads this setting alone: Settings'
    checks are the receiver's (a durable store, a token) and would refuse its environment."""
    env = os.environ if environ is None else environ
    return env.get(EVENT_BUS) or DEFAULT_EVENT_BUS


def _store(env: Mapping[str, str], override: str | None, cloud: bool) -> StoreURL:
    if override:
        return StoreURL.parse(override, origin="--store").with_password(db_password(env))
    text = env.get(STORE, "").strip()
    if text:
        return StoreURL.parse(text).with_password(db_password(env))
    if cloud:
        raise ConfigError(
            f"{STORE} is not set: in a cloud function receipts need a durable store "
            "(dynamodb://TABLE, sqs://QUEUE, cmq://QUEUE, mysql://... or postgresql://...)"
        )
    return StoreURL.parse(DEFAULT_LOCAL_STORE)


def _tokens(env: Mapping[str, str], cloud: bool) -> tuple[str, ...]:
    # typed str, not inferred: a None default here would pass every test, and mypy now refuses it
    current: str = env.get(TOKEN, "")
    previous: str = env.get(TOKEN_PREVIOUS, "")
    for name, value in ((TOKEN, current), (TOKEN_PREVIOUS, previous)):
        if value and not TOKEN_PATTERN.fullmatch(value):
            raise ConfigError(f"{name} must be {TOKEN_HINT}; the value set is not (not shown)")
    if previous and not current:
        raise ConfigError(f"{TOKEN_PREVIOUS} is set but {TOKEN} is not: set the new token first")
    if not current and cloud and not _flag(env, ALLOW_UNAUTHENTICATED, default=False):
        # fail closed: a forgotten token must not publish an endpoint anyone can write to
        raise ConfigError(
            f"{TOKEN} is not set: a deployed endpoint needs a token ({TOKEN_HINT}); set "
            f"{ALLOW_UNAUTHENTICATED}=true only if something else authenticates every request"
        )
    return tuple(t for t in (current, previous) if t)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _max_body(env: Mapping[str, str], store: StoreURL) -> int:
    bound = STORE_MAX_BODY_BYTES[store.scheme]
    over = (
        f"{MAX_BODY_BYTES}={{value}} is over what the {store.scheme} store can always take "
        f"({bound} bytes); a larger receipt would be refused on every retry"
    )
    value = whole_number(env, MAX_BODY_BYTES, MIN_BODY_BYTES, bound, over)
    return min(DEFAULT_MAX_BODY_BYTES, bound) if value is None else value


def _cidrs(raw: str) -> tuple[IPNetwork, ...]:
    import ipaddress

    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"{ALLOWED_CIDRS}: {part!r} is not an IP network") from None
    return tuple(networks)
