"""voice-receipts: receive, validate and store Tencent Cloud VMS voice-message receipts.

The library API for code that reads receipts::

    from voice_receipts import open_store

    with open_store("dynamodb://voice-receipts-prod-receipts", read_only=True) as store:
        call = store.call("callid")                     # a voice_receipts.calls.Call, or None
        recent = store.calls_for_phone("13800138000")  # newest first; +86 138 0013 8000 too
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Call", "CallState", "Receipt", "open_store"]

# Imported on first use (PEP 562): importing any one module of the package runs this file first,
# and the function's cold start must not load the calls API or a store it did not choose.
_LAZY = {
    "open_store": "voice_receipts.stores",
    "Call": "voice_receipts.calls",
    "CallState": "voice_receipts.states",
    "Receipt": "voice_receipts.receipt",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'voice_receipts' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
