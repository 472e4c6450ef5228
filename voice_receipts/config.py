"""Settings, read once from the environment into a frozen object. Defaults live here only."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from voice_receipts.errors import ConfigError

STORE = "VOICE_RECEIPTS_STORE"
TOKEN = "VOICE_RECEIPTS_TOKEN"  # noqa: S105 - the variable's name, not a secret
MAX_BODY_BYTES = "VOICE_RECEIPTS_MAX_BODY_BYTES"
ALLOWED_CIDRS = "VOICE_RECEIPTS_ALLOWED_CIDRS"
RETENTION_DAYS = "VOICE_RECEIPTS_RETENTION_DAYS"
TENCENT_REGION = "VOICE_RECEIPTS_TENCENT_REGION"
TENCENT_ENDPOINT = "VOICE_RECEIPTS_TENCENT_ENDPOINT"  # tests and private networks; unset: the SDK's
LOG_LEVEL = "VOICE_RECEIPTS_LOG_LEVEL"

DEFAULT_LOCAL_STORE = "sqlite:///receipts.db"
DEFAULT_MAX_BODY_BYTES = 64 * 1024

# Set by the runtimes themselves: their presence means "we run in a cloud function", where a
# default SQLite file would sit on a throwaway disk and silently lose every receipt.
CLOUD_RUNTIME_MARKERS = ("AWS_LAMBDA_FUNCTION_NAME", "SCF_FUNCTIONNAME")


@dataclass(frozen=True)
class Settings:
    store_url: str = DEFAULT_LOCAL_STORE
    token: str | None = field(default=None, repr=False)  # never printed
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    allowed_cidrs: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    retention_days: int | None = None
    tencent_region: str | None = None
    tencent_endpoint: str | None = None
    aws_region: str | None = None
    log_level: str = "INFO"
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)


def in_cloud_runtime(environ: Mapping[str, str]) -> bool:
    return any(environ.get(name) for name in CLOUD_RUNTIME_MARKERS)


def _positive_int(environ: Mapping[str, str], name: str) -> int | None:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {value}")
    return value


def _cidrs(raw: str) -> tuple:
    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"{ALLOWED_CIDRS}: {part!r} is not an IP network") from None
    return tuple(networks)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; raise ConfigError with a message a person can act on."""
    env = dict(os.environ if environ is None else environ)
    store_url = env.get(STORE, "").strip()
    if not store_url:
        if in_cloud_runtime(env):
            raise ConfigError(
                f"{STORE} is not set: in a cloud function receipts need a durable store "
                "(dynamodb://TABLE, sqs://QUEUE or cmq://QUEUE)"
            )
        store_url = DEFAULT_LOCAL_STORE
    if "://" not in store_url:
        raise ConfigError(f"{STORE} must be a URL such as sqlite:///receipts.db, got {store_url!r}")
    token = env.get(TOKEN)
    if token is not None and token.strip() != token:
        raise ConfigError(f"{TOKEN} must not start or end with spaces")
    level = env.get(LOG_LEVEL, "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{LOG_LEVEL} must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return Settings(
        store_url=store_url,
        token=token or None,
        max_body_bytes=_positive_int(env, MAX_BODY_BYTES) or DEFAULT_MAX_BODY_BYTES,
        allowed_cidrs=_cidrs(env.get(ALLOWED_CIDRS, "")),
        retention_days=_positive_int(env, RETENTION_DAYS),
        tencent_region=env.get(TENCENT_REGION) or None,
        tencent_endpoint=env.get(TENCENT_ENDPOINT) or None,
        # botocore reads only AWS_DEFAULT_REGION; AWS_REGION is what most AWS tools and docs use
        aws_region=env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or None,
        log_level=level,
        environ=env,
    )
