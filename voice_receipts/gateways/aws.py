"""AWS: API Gateway REST (payload 1.0), HTTP API (payload 2.0) and Lambda function URLs (also 2.0)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from voice_receipts.gateways.base import (
    HttpAdapter,
    Request,
    body_bytes,
    lower_headers,
    query_lists,
    request_id,
    text,
)


class AwsHttpApi(HttpAdapter):
    """Payload 2.0. A function URL sends the same shape, so it needs no adapter of its own."""

    name = "aws-http-api"

    @classmethod
    def infer(cls, event: Any) -> bool:
        return (
            isinstance(event, dict)
            and event.get("version") == "2.0"
            and isinstance(event.get("requestContext"), dict)
        )

    @classmethod
    def request(cls, event: dict[str, Any], context: Any) -> Request:
        ctx = event["requestContext"]
        http = ctx.get("http") if isinstance(ctx.get("http"), dict) else {}
        raw_query = event.get("rawQueryString")
        # rawQueryString keeps repeated names (?token=a&token=b); queryStringParameters joins them
        if isinstance(raw_query, str):
            query = parse_qs(raw_query, keep_blank_values=True)
        else:
            query = query_lists(event.get("queryStringParameters"))
        return Request(
            method=str(http.get("method", "")).upper(),
            body=body_bytes(event),
            path=text(event.get("rawPath")) or "/",
            query=query,
            headers=lower_headers(event.get("headers")),
            source_ip=text(http.get("sourceIp")),
            request_id=request_id(context, ctx.get("requestId")),
            via=cls.name,
        )


class AwsRestApi(HttpAdapter):
    """Payload 1.0: API Gateway REST APIs (and HTTP APIs configured for 1.0)."""

    name = "aws-rest-api"

    @classmethod
    def infer(cls, event: Any) -> bool:
        if not isinstance(event, dict) or event.get("version") == "2.0":  # pragma: no mutate
            return False
        ctx = event.get("requestContext")
        return (
            "httpMethod" in event
            and isinstance(ctx, dict)
            and "serviceId" not in ctx  # Tencent's API Gateway
            and ("resourcePath" in ctx or "stage" in ctx)
        )

    @classmethod
    def request(cls, event: dict[str, Any], context: Any) -> Request:
        ctx = event["requestContext"]
        identity = ctx.get("identity") if isinstance(ctx.get("identity"), dict) else {}
        multi = event.get("multiValueQueryStringParameters")
        query = (
            query_lists(multi) if isinstance(multi, dict) else query_lists(event.get("queryStringParameters"))
        )
        return Request(
            method=str(event["httpMethod"]).upper(),  # infer() chose this adapter for it
            body=body_bytes(event),
            path=text(event.get("path")) or "/",
            query=query,
            headers=lower_headers(event.get("headers")),
            source_ip=text(identity.get("sourceIp")),
            request_id=request_id(context, ctx.get("requestId")),
            via=cls.name,
        )
