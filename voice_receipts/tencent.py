"""What every Tencent Cloud API client of the package shares: the CMQ store and the VMS sender.

Credentials the way the Tencent SDKs find them in a function (SCF's role keys, then the SDK's usual
variables), an endpoint override (a stub, a private network), and an HTTP profile with bounded
timeouts. Only modules that talk to Tencent import this, so nothing else loads the Tencent SDK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from voice_receipts import display
from voice_receipts.config import TENCENT_CREDENTIALS
from voice_receipts.errors import ConfigError

# The credential sources, first complete pair wins: (id, key, token or "")
SCF_CREDENTIALS, SDK_CREDENTIALS = TENCENT_CREDENTIALS
REGION_NAME = re.compile(r"[a-z]{2,}(-[a-z0-9]+){1,3}")  # ap-guangzhou, ap-shanghai-fsi, na-ashburn
# What went wrong on the way, as the SDK codes it: no usable answer came back, so the API's own
# error codes say nothing. Each client says it in its own words (what was sent, what to do).
TIMED_OUT, UNREACHABLE, HTTP_ERROR, UNREADABLE = "timed out", "unreachable", "http error", "unreadable"
_UNREADABLE_CODES = ("JSONDecodeError", "KeyError", "TypeError", "ValueError")  # the SDK's parse errors


def credential_from(env: Mapping[str, str], who: str, role_needs: str) -> Credential:
    """SCF's role keys first, then the SDK's usual variables; never the SDK's default chain, whose
    last resort asks a CVM metadata server and hangs outside Tencent Cloud.

    `who` starts every message ("cmq store"); `role_needs` names the permission ("tdmq:SendCmqMsg").
    Messages name variables, never their values.
    """
    for id_name, key_name, token_name in (SCF_CREDENTIALS, SDK_CREDENTIALS):
        secret_id, secret_key = env.get(id_name, ""), env.get(key_name, "")
        if not secret_id and not secret_key:
            continue
        missing = key_name if secret_id else id_name
        if not (secret_id and secret_key):
            raise ConfigError(f"{who}: {id_name} and {key_name} go together; {missing} is not set")
        token = env.get(token_name) if token_name else None
        try:
            return Credential(secret_id, secret_key, token or None)
        except TencentCloudSDKException:  # its message is safe, but ours names the variables
            raise ConfigError(f"{who}: {id_name} or {key_name} is empty or has spaces") from None
    raise ConfigError(
        f"{who}: no Tencent Cloud credentials; give the SCF function a role with {role_needs} "
        f"(SCF then sets {SCF_CREDENTIALS[0]}, {SCF_CREDENTIALS[1]}, {SCF_CREDENTIALS[2]}) "
        f"or set {SDK_CREDENTIALS[0]} and {SDK_CREDENTIALS[1]}"
    )


def client_profile(
    endpoint: str | None, variable: str, *, connect_timeout_s: float, read_timeout_s: float
) -> ClientProfile:
    """A profile with (connect, read) timeouts, pointed at `endpoint` when one is set.

    `endpoint` is host[:port] (HTTPS) or http(s)://host[:port]; `variable` names where it came from.
    """
    http = HttpProfile(reqTimeout=(connect_timeout_s, read_timeout_s))  # requests takes (connect, read)
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise ConfigError(f"{variable} must be host[:port] or http(s)://host[:port], got {endpoint!r}")
        http.endpoint, http.protocol, http.scheme = parts.netloc, parts.scheme, parts.scheme
    # the region breaker (off by default) would swallow network errors; say so rather than rely on it
    return ClientProfile(httpProfile=http, disable_region_breaker=True, language="en-US")


def timed_out(code: str, message: str) -> bool:
    """requests' ConnectTimeout and ReadTimeout, as the SDK wraps them ("... timed out ...")."""
    return code == "ClientNetworkError" and ("timed out" in message.lower() or "timeout" in message.lower())


def is_region(text: str) -> bool:
    return REGION_NAME.fullmatch(text) is not None


def safe_code(code: str) -> str:
    """The SDK's error code cut to characters safe in a reply and a log ("" when none is left).
    Never its message: the API may echo the request back in it."""
    return display.safe_code(code).replace(":", "").replace("-", "")  # Tencent's codes: A-Z a-z 0-9 .


def transport_failure(code: str, message: str) -> str | None:
    """TIMED_OUT, UNREACHABLE, HTTP_ERROR or UNREADABLE when the request failed on the way; None
    when the API answered with an error code of its own."""
    safe = safe_code(code)
    if safe == "ClientNetworkError":
        return TIMED_OUT if timed_out(code, message) else UNREACHABLE
    if safe == "ServerNetworkError":
        return HTTP_ERROR
    if safe in _UNREADABLE_CODES:
        return UNREADABLE
    return None
