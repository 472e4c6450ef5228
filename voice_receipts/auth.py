"""Who may deliver a receipt: the URL token and the source allowlist. Pure: no I/O, no settings.

Like standard-webhooks' verify(): every way of failing ends in this module's own errors
(Unauthorized, Forbidden), and each check is usable and testable alone.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from voice_receipts.errors import Forbidden, Unauthorized

if TYPE_CHECKING:  # imported by check_source: a function without an allowlist never needs it
    import ipaddress

    Network = ipaddress.IPv4Network | ipaddress.IPv6Network
TOKEN_PARAM = "token"  # noqa: S105 - the query parameter's name


def check_token(query: Mapping[str, Sequence[str]], accepted: Sequence[str]) -> None:
    """Exactly one `?token=` that equals one of `accepted` (the current token, and the previous
    one during a rotation). Every accepted token is compared, in constant time, so the time taken
    says nothing about which one matched or how much of it did."""
    given = query.get(TOKEN_PARAM, [])
    if len(given) != 1:
        raise Unauthorized("missing token" if not given else "token given more than once")
    # bytes, so that non-ASCII input is compared rather than raising TypeError
    candidate = given[0].encode(errors="surrogatepass")
    matched = False
    for token in accepted:
        matched |= hmac.compare_digest(candidate, token.encode())
    if not matched:
        raise Unauthorized("wrong token")


def check_source(source_ip: str | None, allowed: Sequence[Network]) -> None:
    """The address the gateway itself reports must be inside one of `allowed`."""
    import ipaddress

    try:
        address = ipaddress.ip_address((source_ip or "").strip())
    except ValueError:
        raise Forbidden("source address unknown; this endpoint only accepts listed networks") from None
    if not any(address in network for network in allowed):
        raise Forbidden("source address not allowed")
