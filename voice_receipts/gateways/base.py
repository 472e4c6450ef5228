"""What every gateway adapter turns an event into, and the contract adapters keep."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from voice_receipts.errors import BadRequest
from voice_receipts.replies import Reply

JSON_HEADERS = {"Content-Type": "application/json"}
HEALTH_PATH = "/voice/health"


@dataclass(frozen=True)
class Request:
    """One HTTP request, whichever gateway delivered it."""

    method: str
    body: bytes
    path: str = "/"
    query: Mapping[str, list[str]] = field(default_factory=dict)  # every value of every name
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    source_ip: str | None = None  # as the gateway itself saw it, never from a client header
    request_id: str = ""
    via: str = field(kw_only=True)  # the adapter's name, for logs: each gateway says its own
    # True only for an invocation the cloud's IAM/CAM authorised (no URL, no method, no token):
    # such a request skips the method, source and token checks, and nothing else
    platform_authorised: bool = False

    @property
    def for_health(self) -> bool:
        """A monitor's GET /voice/health. By the path's end: a REST API stage or a Tencent API
        Gateway release can put a prefix before it."""
        return not self.platform_authorised and self.path.rstrip("/").endswith(HEALTH_PATH)


class Adapter(Protocol):
    name: str

    @classmethod
    def infer(cls, event: Any) -> bool: ...

    @classmethod
    def request(cls, event: Any, context: Any) -> Request: ...

    @classmethod
    def respond(cls, reply: Reply) -> Any:
        """The Reply in the shape this gateway expects back."""
        ...


class HttpAdapter:
    """Every HTTP gateway answers with the same proxy-integration envelope."""

    @classmethod
    def respond(cls, reply: Reply) -> dict[str, Any]:
        # all four keys, or Tencent's API Gateway answers 403
        return {
            "isBase64Encoded": False,
            "statusCode": reply.status,
            "headers": dict(JSON_HEADERS),
            "body": reply.body,
        }


def body_bytes(event: Mapping[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise BadRequest("event body must be a string")
    if event.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("body is marked base64 but is not valid base64") from None
    # surrogatepass: a lone surrogate must reach the JSON parser, which rejects it with a clear 400
    return body.encode(errors="surrogatepass")


def lower_headers(headers: Any) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items()}


def query_lists(*sources: Any) -> dict[str, list[str]]:
    """Merge query parameters given as {name: value} or {name: [values]}, keeping every value."""
    merged: dict[str, list[str]] = {}
    for source in sources:
        if not isinstance(source, Mapping):
            continue
        for name, value in source.items():
            values = value if isinstance(value, list) else [value]
            merged.setdefault(str(name), []).extend(str(v) for v in values if v is not None)
    return merged


def request_id(context: Any, fallback: Any = None) -> str:
    """Lambda's context has aws_request_id; SCF's context is a dict with request_id."""
    rid = getattr(context, "aws_request_id", None)
    if rid is None and isinstance(context, Mapping):
        rid = context.get("request_id")
    return str(rid or fallback or os.urandom(16).hex())  # not uuid4: `uuid` costs 2 ms of a cold start


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
