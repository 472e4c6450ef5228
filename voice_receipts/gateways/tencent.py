"""Tencent SCF: the API Gateway trigger (existing deployments) and function URLs (new ones)."""

from __future__ import annotations

from typing import Any

from voice_receipts.gateways.base import (
    HttpAdapter,
    Request,
    body_bytes,
    lower_headers,
    query_lists,
    request_id,
    text,
)


class TencentApiGateway(HttpAdapter):
    name = "tencent-api-gateway"

    @classmethod
    def infer(cls, event: Any) -> bool:
        ctx = event.get("requestContext") if isinstance(event, dict) else None
        return isinstance(ctx, dict) and "serviceId" in ctx

    @classmethod
    def request(cls, event: dict[str, Any], context: Any) -> Request:
        ctx = event["requestContext"]
        # queryString holds what the client sent; queryStringParameters only declared parameters
        return Request(
            method=str(event.get("httpMethod") or ctx.get("httpMethod") or "").upper(),
            body=body_bytes(event),
            path=text(event.get("path")) or "/",
            query=query_lists(event.get("queryString") or event.get("queryStringParameters")),
            headers=lower_headers(event.get("headers")),
            source_ip=text(ctx.get("sourceIp")),
            request_id=request_id(context, ctx.get("requestId")),
            via=cls.name,
        )


SCF_REMOTE_ADDR = "x-scf-remote-addr"


class TencentFunctionUrl(HttpAdapter):
    """An SCF function URL: API-Gateway-like but with no requestContext. SCF's docs name the
    x-scf-remote-addr header as the client's address; it is the only one this gateway reports."""

    name = "tencent-function-url"

    @classmethod
    def infer(cls, event: Any) -> bool:
        return (
            isinstance(event, dict)
            and "httpMethod" in event
            and "queryString" in event
            and "requestContext" not in event
        )

    @classmethod
    def request(cls, event: dict[str, Any], context: Any) -> Request:
        headers = lower_headers(event.get("headers"))
        return Request(
            method=str(event["httpMethod"]).upper(),  # infer() chose this adapter for it
            body=body_bytes(event),
            path=text(event.get("path")) or "/",
            query=query_lists(event.get("queryString")),
            headers=headers,
            source_ip=remote_addr(event.get("headers")),
            request_id=request_id(context),
            via=cls.name,
        )


def remote_addr(headers: Any) -> str | None:
    """The platform's x-scf-remote-addr, in the platform's spelling only. A client can add a header
    whose name differs only in case; then the address is unknown (an allowlist refuses it),
    rather than whichever spelling happened to come last."""
    if not isinstance(headers, dict):
        return None
    spellings = [name for name in headers if str(name).lower() == SCF_REMOTE_ADDR]
    if spellings != [SCF_REMOTE_ADDR]:
        return None
    return text(headers[SCF_REMOTE_ADDR])
