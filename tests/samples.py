"""Callback bodies of every kind and builders of every gateway event shape, shared by the suites."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"

CALLBACKS: dict[str, dict[str, Any]] = {
    "voicecode_callback": {
        "result": "0",
        "accept_time": "1470196835",
        "call_from": "075583763333",
        "callid": "call-code-1",
        "end_calltime": "1470196843",
        "fee": "1",
        "mobile": "13800138000",
        "nationcode": "86",
        "start_calltime": "1470196821",
    },
    "voiceprompt_callback": {
        "result": "1",
        "accept_time": "",
        "call_from": "",
        "callid": "call-prompt-1",
        "end_calltime": "1470197221",
        "fee": "0",
        "mobile": "13800138001",
        "nationcode": "86",
        "start_calltime": "1470197196",
    },
    "voicekey_callback": {
        "call_from": "",
        "callid": "call-prompt-1",
        "keypress": "2",
        "mobile": "13800138001",
        "nationcode": "86",
    },
    "voice_failure_callback": {
        "call_from": "075583763333",
        "callid": "call-fail-1",
        "failure_code": 8,
        "failure_reason": "空号",
        "mobile": "13800138002",
        "nationcode": "86",
    },
}


def body(kind: str, **changes: Any) -> dict[str, Any]:
    return {kind: {**CALLBACKS[kind], **changes}}


def _text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)


def aws_rest(
    payload: Any,
    method="POST",
    query: dict | None = None,
    ip="198.51.100.1",
    b64=False,
    path="/voice/callback",
) -> dict:
    text = _text(payload)
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "queryStringParameters": {k: v[-1] for k, v in (query or {}).items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": {
            "resourcePath": path,
            "stage": "prod",
            "requestId": "rest-req-1",
            "identity": {"sourceIp": ip},
        },
        "body": base64.b64encode(text.encode()).decode() if b64 else text,
        "isBase64Encoded": b64,
    }


def aws_http(
    payload: Any, method="POST", query: str = "", ip="198.51.100.2", b64=False, url=False, path=None
) -> dict:
    text = _text(payload)
    path = path or ("/" if url else "/voice/callback")
    return {
        "version": "2.0",
        "routeKey": "$default" if url else f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": ip},
            "requestId": "http-req-1",
        },
        "body": base64.b64encode(text.encode()).decode() if b64 else text,
        "isBase64Encoded": b64,
    }


def function_url(payload: Any, **kw) -> dict:
    """A Lambda function URL event: payload 2.0, like an HTTP API's."""
    return aws_http(payload, url=True, **kw)


def tencent_apigw(
    payload: Any, method="POST", query: dict | None = None, ip="198.51.100.3", path="/voice/callback"
) -> dict:
    return {
        "requestContext": {
            "serviceId": "service-abc",
            "path": path,
            "httpMethod": method,
            "requestId": "tapigw-req-1",
            "sourceIp": ip,
            "stage": "release",
            "identity": {},
        },
        "headers": {"content-type": "application/json"},
        "body": _text(payload),
        "path": path,
        "queryString": query or {},
        "queryStringParameters": {},
        "httpMethod": method,
    }


def tencent_url(payload: Any, method="POST", query: dict | None = None, ip="198.51.100.4", path="/") -> dict:
    return {
        "body": _text(payload),
        "headers": {"content-type": "application/json", "x-scf-remote-addr": ip},
        "httpMethod": method,
        "path": path,
        "queryString": query or {},
    }


# name -> (builder, how a token is passed to it)
SHAPES = {
    "aws-rest-api": (aws_rest, lambda t: {"query": {"token": [t]}}),
    "aws-http-api": (aws_http, lambda t: {"query": f"token={t}"}),
    "aws-function-url": (function_url, lambda t: {"query": f"token={t}"}),
    "tencent-api-gateway": (tencent_apigw, lambda t: {"query": {"token": t}}),
    "tencent-function-url": (tencent_url, lambda t: {"query": {"token": t}}),
}


def wrap(shape: str, payload: Any, token: str | None = None, **kw) -> dict:
    build, token_kw = SHAPES[shape]
    return build(payload, **({**token_kw(token), **kw} if token is not None else kw))


def reply_of(response: Any) -> tuple[int, dict]:
    """(HTTP status, reply object) from any gateway's response, or a direct invocation's."""
    if "statusCode" in response:
        return response["statusCode"], json.loads(response["body"])
    return None, response  # a direct invocation has no HTTP status: only the reply object
