"""Direct invocation (console test, `sls invoke`, replay of a bare body): the event is the callback."""

from __future__ import annotations

import json
from typing import Any

from voice_receipts.errors import BadRequest
from voice_receipts.gateways.base import Request, request_id
from voice_receipts.replies import Reply

# Keys only a gateway event has; a callback body has exactly one key, ending in "_callback".
GATEWAY_KEYS = frozenset(
    {"httpMethod", "requestContext", "version", "rawPath", "routeKey", "queryString", "headers"}
)


class Direct:
    name = "direct"

    @classmethod
    def infer(cls, event: Any) -> bool:
        return not isinstance(event, dict) or GATEWAY_KEYS.isdisjoint(event)

    @classmethod
    def request(cls, event: Any, context: Any) -> Request:
        if isinstance(event, dict) and not GATEWAY_KEYS.isdisjoint(event):
            raise BadRequest("the event is neither a callback nor a gateway event this service knows")
        try:
            body = json.dumps(event, ensure_ascii=False).encode(errors="surrogatepass")
        except (TypeError, ValueError):
            raise BadRequest("the event cannot be read as JSON") from None
        # an invocation is authorised by the cloud's own IAM/CAM: there is no URL and no token
        # (whether the operator allows direct invocation at all is the App's decision)
        return Request(
            method="", body=body, request_id=request_id(context), via=cls.name, platform_authorised=True
        )

    @classmethod
    def respond(cls, reply: Reply) -> dict[str, Any]:
        return reply.payload()  # the spec's object itself, not an HTTP envelope
