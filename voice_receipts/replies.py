"""The reply table: every outcome of a request, its HTTP status, `result` code and errmsg.

docs/receiving.md's "Replies" table mirrors this module. app.py is the only place that picks a Reply;
gateway adapters only turn a Reply into their platform's response.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from voice_receipts import codes
from voice_receipts.errors import ReplyError

MAX_ERRMSG = 300  # the errmsg goes back to the sender and into every log line

# outcomes, as logs, metrics and replay name them
STORED = "stored"
DUPLICATE = "duplicate"
REJECTED = "rejected"
UNAUTHORIZED = "unauthorized"
UNAVAILABLE = "unavailable"
ERROR = "error"
HEALTHY = "healthy"  # GET /voice/health: not a receipt, so never counted as one


@dataclass(frozen=True)
class Reply:
    """What the function answers: an HTTP status, the spec's body, and how the receipt ended."""

    status: int  # HTTP status
    result: int  # the spec's `result`: 0 on success, non-zero otherwise
    errmsg: str
    outcome: str  # one of the outcome names above
    # the body when it is not the spec's reply object (the health check's)
    data: dict[str, Any] | None = field(default=None, compare=False)

    def payload(self) -> dict[str, Any]:
        """The spec's reply object (or the health check's)."""
        if self.data is not None:
            return dict(self.data)
        return {"result": self.result, "errmsg": self.errmsg}

    @cached_property
    def body(self) -> str:
        """The payload as JSON text; cached, so the constant success replies serialise once."""
        return json.dumps(self.payload(), ensure_ascii=False)


STORED_REPLY = Reply(200, codes.OK, "OK", STORED)
DUPLICATE_REPLY = Reply(200, codes.OK, "OK", DUPLICATE)
INTERNAL_REPLY = Reply(500, codes.INTERNAL, "internal error; the receipt was not stored", ERROR)


def outcome_of(status: int) -> str:
    """The outcome an error status means: the one mapping, for the handler's replies and for
    `replay --url` reading a deployed endpoint's (tools/endpoint.py)."""
    if status == 503:
        return UNAVAILABLE
    if status in (401, 403):
        return UNAUTHORIZED
    if status >= 500:  # a package error the sender did not cause: the 500 alarm must see it
        return ERROR
    return REJECTED


def error_reply(exc: ReplyError) -> Reply:
    message = exc.message
    if exc.status == 503:
        message += "; retry later"  # words for the sender, so the stores' own messages stay neutral
    return Reply(exc.status, exc.result, message[:MAX_ERRMSG], outcome_of(exc.status))


def health_reply(version: str, store: str) -> Reply:
    """What a monitor polling GET /voice/health sees: the store's kind only, never its URL."""
    return Reply(200, codes.OK, "OK", HEALTHY, {"status": "ok", "version": version, "store": store})
