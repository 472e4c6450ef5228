"""The URL `replay --url` sends to: checked before anything is sent, printed with its secrets
masked (the token in its query, any password)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = ("token",)


def masked(url: str) -> str:
    """The URL with its token (and any password) replaced by ***, for every line we print."""
    parts = urlsplit(url)
    query = urlencode(
        [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)], safe="*"
    )
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(url: str) -> str:
    """masked() for a URL that may not even parse: everything after the host goes."""
    try:
        return masked(url)
    except ValueError:
        return url.split("?", 1)[0].split("@")[-1][:80] + "?…"


def secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [v for k, v in parse_qsl(parts.query, True) if k.lower() in SECRET_PARAMS and v]
    return found + ([parts.password] if parts.password else [])


def host_ok(host: str | None) -> bool:
    """An IP address, or a DNS name whose IDNA form has labels of 1-63 letters, digits and
    hyphens (253 characters at most): anything else cannot be connected to, and urllib3 would
    fail on it after reporting nothing, or report it as sent."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or 64-character label; a character IDNA cannot take
        return False
    return len(name) <= 253 and bool(_DNS_NAME.fullmatch(name))


_DNS_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")
