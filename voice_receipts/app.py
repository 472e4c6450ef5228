"""The pipeline, and the ONE place where errors become HTTP statuses and reply codes.

event --gateway--> Request --checks--> callback --> Receipt --store.put--> Reply --gateway--> reply
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import time
from typing import Any, NamedTuple

from voice_receipts import codes, gateways, logs
from voice_receipts.callbacks import load_json, parse_callback
from voice_receipts.config import Settings
from voice_receipts.errors import (
    Forbidden,
    MethodNotAllowed,
    PayloadTooLarge,
    Unauthorized,
    VoiceReceiptsError,
)
from voice_receipts.gateways.base import Reply, Request
from voice_receipts.logs import log, mask_mobile
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.base import Store

# The reply table (README "Replies" mirrors it): outcome -> (HTTP status, result, errmsg).
STORED = Reply(200, codes.OK, "OK", "stored")
DUPLICATE = Reply(200, codes.OK, "OK", "duplicate")
OK_BODY = json.dumps(STORED.payload())  # the same bytes for every success: made once
INTERNAL = Reply(500, codes.INTERNAL, "internal error; the receipt was not stored", "error")


class Handled(NamedTuple):
    reply: Reply
    receipt: Receipt | None  # None when the request was rejected before a receipt was built
    response: Any  # what the gateway gets back


MAX_ERRMSG = 300  # the errmsg goes back to the sender and into every log line


def error_reply(exc: VoiceReceiptsError) -> Reply:
    outcome = "unavailable" if exc.status == 503 else "rejected"
    return Reply(exc.status, exc.result, exc.message[:MAX_ERRMSG], outcome)


class App:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store

    def __call__(self, event: Any, context: Any = None) -> Any:
        """Entry point for every gateway: recognise the event, handle it, answer in its shape."""
        return self.handle(event, context).response

    def handle(self, event: Any, context: Any = None) -> Handled:
        """Like calling the App, but also says what happened (replay prints it)."""
        started = time.perf_counter()
        adapter = gateways.infer(event)
        receipt: Receipt | None = None
        request_id = via = None
        try:
            request = adapter.request(event, context)
            request_id, via = request.request_id, request.via
            receipt = self.accept(request)
            reply = STORED if self.store.put(receipt) else DUPLICATE
        except VoiceReceiptsError as exc:
            reply = error_reply(exc)
        except Exception:  # a bug: log where, answer 500 so the sender retries later
            log.exception("unhandled error", extra={"fields": {"request_id": request_id}})
            reply = INTERNAL
        self._log(reply, receipt, request_id, via or adapter.name, started)
        body = OK_BODY if reply.result == codes.OK else json.dumps(reply.payload(), ensure_ascii=False)
        return Handled(reply, receipt, adapter.reply(reply, body))

    def accept(self, request: Request) -> Receipt:
        """Checks in the order that leaks least: method, who is asking, size, then the body."""
        if request.method != "POST":
            raise MethodNotAllowed(f"method {request.method[:16] or '(none)'} not allowed; use POST")
        self._check_source(request)
        self._check_token(request)
        if len(request.body) > self.settings.max_body_bytes:
            raise PayloadTooLarge(
                f"body of {len(request.body)} bytes is over the limit of {self.settings.max_body_bytes} bytes"
            )
        key, raw, callback = parse_callback(load_json(request.body))
        return build_receipt(key, raw, callback)

    def _check_source(self, request: Request) -> None:
        allowed = self.settings.allowed_cidrs
        if not allowed or request.via == "direct":
            return
        try:
            address = ipaddress.ip_address((request.source_ip or "").strip())
        except ValueError:
            raise Forbidden("source address unknown; this endpoint only accepts listed networks") from None
        if not any(address in network for network in allowed):
            raise Forbidden("source address not allowed")

    def _check_token(self, request: Request) -> None:
        expected = self.settings.token
        if expected is None or request.via == "direct":
            return
        given = request.query.get("token", [])
        if len(given) != 1:
            raise Unauthorized("missing token" if not given else "token given more than once")
        # compare_digest on bytes: constant time, and no TypeError on non-ASCII input
        if not hmac.compare_digest(given[0].encode("utf-8", "surrogatepass"), expected.encode()):
            raise Unauthorized("wrong token")

    def _log(self, reply: Reply, receipt: Receipt | None, request_id, via, started) -> None:
        level = logging.ERROR if reply.status >= 500 else logging.INFO  # ERROR: a person must look
        if not logs.enabled(level):
            return
        fields = {
            "request_id": request_id,
            "via": via,
            "callid": receipt.callid if receipt else None,
            "kind": receipt.kind if receipt else None,
            "mobile": mask_mobile(receipt.mobile) if receipt else None,
            "outcome": reply.outcome,
            "status": reply.status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        if reply.status != 200:
            fields["errmsg"] = reply.errmsg
        logs.emit(level, "receipt", fields)
