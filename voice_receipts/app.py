"""The pipeline, and the ONE place where errors become replies (the table is replies.py).

event --gateway--> Request --checks--> callback --> Receipt --store.put--> Reply --gateway--> response
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from voice_receipts import __version__, auth, logs
from voice_receipts.callbacks import load_json, parse_callback
from voice_receipts.config import DEFAULT_MAX_BODY_BYTES, Settings
from voice_receipts.display import mask_mobile
from voice_receipts.errors import (
    Forbidden,
    MethodNotAllowed,
    PayloadTooLarge,
    ReplyError,
)
from voice_receipts.gateways import Request, infer
from voice_receipts.metrics import Metrics, call_state
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.replies import (
    DUPLICATE_REPLY,
    HEALTHY,
    INTERNAL_REPLY,
    STORED_REPLY,
    Reply,
    error_reply,
    health_reply,
)
from voice_receipts.stores.base import Store

if TYPE_CHECKING:
    from voice_receipts.config import IPNetwork

# A status receipt, the most common kind: never stored, only walked through the pipeline
WARM_UP_BODY = (
    b'{"voicecode_callback": {"callid": "warm-up", "result": "0", "mobile": "13800138000",'
    b' "nationcode": "86", "start_calltime": "1470196821", "fee": "1"}}'
)


class Handled(NamedTuple):
    reply: Reply
    receipt: Receipt | None  # None when the request was rejected before a receipt was built
    response: Any  # what the gateway gets back


@dataclass(frozen=True)
class Gate:
    """What the App checks of a request, and nothing else of the settings."""

    tokens: tuple[str, ...] = field(default=(), repr=False)  # empty: no token check
    allowed_cidrs: tuple[IPNetwork, ...] = ()
    direct_invocation: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    store_kind: str = "store"  # what the health check names; never the store's URL

    @classmethod
    def of(cls, settings: Settings) -> Gate:
        return cls(
            tokens=settings.tokens,
            allowed_cidrs=settings.allowed_cidrs,
            direct_invocation=settings.direct_invocation,
            max_body_bytes=settings.max_body_bytes,
            store_kind=settings.store.scheme,
        )


class App:
    def __init__(self, gate: Gate, store: Store, metrics: Metrics | None = None) -> None:
        self.gate = gate
        self.store = store
        self.metrics = metrics  # on Lambda: the log line is also the request's EMF metrics

    @classmethod
    def configured(cls, settings: Settings, store: Store, metrics: Metrics | None = None) -> App:
        return cls(Gate.of(settings), store, metrics)

    def __call__(self, event: Any, context: Any = None) -> Any:
        """Entry point for every gateway: recognise the event, handle it, answer in its shape."""
        return self.handle(event, context).response

    def handle(self, event: Any, context: Any = None) -> Handled:
        """Like calling the App, but also says what happened (replay prints it)."""
        started = time.perf_counter()
        adapter = infer(event)
        receipt: Receipt | None = None
        request_id = via = bug = None
        try:
            request = adapter.request(event, context)
            request_id, via = request.request_id, request.via
            if request.for_health:
                reply = self.health(request)
            else:
                receipt = self.accept(request)
                reply = STORED_REPLY if self.store.put(receipt) else DUPLICATE_REPLY
        except ReplyError as exc:
            reply = error_reply(exc)
        except Exception as exc:  # a bug: the line says where, the 500 makes the sender retry later
            bug, reply = exc, INTERNAL_REPLY
        self._log(reply, receipt, request_id, via or adapter.name, started, bug)
        return Handled(reply, receipt, adapter.respond(reply))

    def accept(self, request: Request) -> Receipt:
        """Checks in the order that leaks least: method, who is asking, size, then the body."""
        self._check_caller(request)
        limit = self.gate.max_body_bytes
        if len(request.body) > limit:
            raise PayloadTooLarge(f"body of {len(request.body)} bytes is over the limit of {limit} bytes")
        return build_receipt(parse_callback(load_json(request.body)))

    def warm(self) -> None:
        """At init (runtime.get_app, cloud only): run the per-process first-time work of a
        receipt (validation, the Receipt, the store client's first call) on a sample that is
        never stored, so the first real receipt costs what every later one does."""
        self.store.warm(build_receipt(parse_callback(load_json(WARM_UP_BODY))))

    def health(self, request: Request) -> Reply:
        """Alive, which version, which kind of store. No store round trip (a monitor polling
        every minute must not cost a read, nor fail with the store's hiccups), and no token:
        the answer holds nothing secret, and a monitor holding the token could write receipts."""
        if request.method != "GET":
            raise MethodNotAllowed(f"method {request.method[:16] or '(none)'} not allowed; use GET")
        return health_reply(__version__, self.gate.store_kind)

    def _check_caller(self, request: Request) -> None:
        gate = self.gate
        if request.platform_authorised:
            if not gate.direct_invocation:
                raise Forbidden(
                    "direct invocation is turned off (VOICE_RECEIPTS_DIRECT_INVOCATION); call the URL"
                )
            return
        if request.method != "POST":
            raise MethodNotAllowed(f"method {request.method[:16] or '(none)'} not allowed; use POST")
        if gate.allowed_cidrs:
            auth.check_source(request.source_ip, gate.allowed_cidrs)
        if gate.tokens:
            auth.check_token(request.query, gate.tokens)

    def _log(
        self,
        reply: Reply,
        receipt: Receipt | None,
        request_id: str | None,
        via: str,
        started: float,
        bug: BaseException | None = None,
    ) -> None:
        """The request's one line (a bug's class and place in it too: one line per request)."""
        level = logging.ERROR if reply.status >= 500 else logging.INFO  # ERROR: a person must look
        metrics = self.metrics
        if reply.outcome == HEALTHY:  # a monitor's poll: no metric, a line only when debugging
            level, metrics = logging.DEBUG, None
        # with metrics on, the line is written whatever the log level: it is the metric too
        if metrics is None and not logs.enabled(level):
            return
        fields = {
            "request_id": request_id,
            "via": via,
            "callid": receipt.callid if receipt else None,
            "kind": receipt.kind if receipt else None,
            "mobile": mask_mobile(receipt.mobile) if receipt else None,
            # the call's final state as this receipt says it: CLS queries count calls with it
            "state": call_state(receipt) if receipt else None,
            "outcome": reply.outcome,
            "status": reply.status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        if reply.status != 200:
            fields["errmsg"] = reply.errmsg
        if metrics is not None:
            metrics.annotate(fields, receipt, reply.outcome)
        logs.emit(level, "receipt", fields, bug)
