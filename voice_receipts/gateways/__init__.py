"""Gateway adapters, tried most specific first; direct invocation is the fallback."""

from __future__ import annotations

from typing import Any

from voice_receipts.gateways.aws import AwsHttpApi, AwsRestApi
from voice_receipts.gateways.base import Adapter, Request
from voice_receipts.gateways.direct import Direct
from voice_receipts.gateways.tencent import TencentApiGateway, TencentFunctionUrl

ADAPTERS: tuple[type[Adapter], ...] = (
    TencentApiGateway,
    AwsHttpApi,
    AwsRestApi,
    TencentFunctionUrl,
    Direct,
)


def infer(event: Any) -> type[Adapter]:
    for adapter in ADAPTERS:
        if adapter.infer(event):
            return adapter
    return Direct  # an unrecognised gateway-like event: Direct.request rejects it with a 400


__all__ = ["ADAPTERS", "Adapter", "Request", "infer"]
