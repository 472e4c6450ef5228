"""What every local stand-in for a Tencent Cloud API 3.0 service shares: the TC3-HMAC-SHA256 check,
Tencent's answer shapes, a recording of every request, and programmable faults.

A service stub (tdmq_stub.TdmqStub, vms_stub.VmsStub) subclasses TencentApiStub, names its SERVICE,
VERSION and ACTIONS, and implements `_answer(action, params)`: the result object of a good request,
or StubError for a refused one. Everything before that (method, headers, clock, signature, session
token, JSON body) is checked here, the way the real gateway checks it, before any action runs.

Answers always carry Content-Type exactly `application/json`: the SDK ignores the error object of
any other content type, and a stub that got this wrong would hide every error path.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALGORITHM = "TC3-HMAC-SHA256"
MAX_CLOCK_SKEW_S = 300  # Tencent rejects a timestamp more than 5 minutes off: AuthFailure.SignatureExpire

_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z0-9]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


# ----------------------------------------------------------------------------------------------
# TC3-HMAC-SHA256, as Tencent documents it (and tencentcloud/common/abstract_client.py implements).
# Written out here rather than imported from the SDK, so the stub checks the SDK instead of trusting it.


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def tc3_signature(
    secret_key: str,
    *,
    timestamp: int,
    service: str,
    signed_headers: list[tuple[str, str]],
    body: bytes,
    method: str = "POST",
    uri: str = "/",
    query: str = "",
) -> str:
    """The hex signature over one request; signed_headers are (lower-case name, value) in order."""
    date = _day(timestamp)
    canonical_headers = "".join(f"{name}:{value.strip().lower()}\n" for name, value in signed_headers)
    canonical_request = "\n".join(
        [
            method,
            uri,
            query,
            canonical_headers,
            ";".join(name for name, _ in signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            str(timestamp),
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_service = _hmac(k_date, service)
    k_signing = _hmac(k_service, "tc3_request")
    return hmac.new(k_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def tc3_headers(
    secret_id: str,
    secret_key: str,
    *,
    host: str,
    body: bytes,
    service: str,
    action: str,
    version: str,
    region: str = "ap-guangzhou",
    token: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """Every header of a signed request: for tests and fuzzers that talk to a stub without the SDK."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    content_type = "application/json"
    signature = tc3_signature(
        secret_key,
        timestamp=timestamp,
        service=service,
        signed_headers=[("content-type", content_type), ("host", host)],
        body=body,
    )
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Region": region,
        "X-TC-Timestamp": str(timestamp),
        "Authorization": f"{ALGORITHM} Credential={secret_id}/{_day(timestamp)}/{service}/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={signature}",
    }
    if token:
        headers["X-TC-Token"] = token
    return headers


# ----------------------------------------------------------------------------------------------
# What a stub records and how it misbehaves


@dataclass(frozen=True)
class Received:
    """One request as it arrived, and what the stub made of it."""

    method: str
    path: str
    headers: dict[str, str]  # names as sent
    body: bytes
    action: str | None
    error: str | None  # the error code answered, None when the request was accepted
    fault: str | None  # the programmed fault applied, if any ("error", "delay", "raw", "drop")
    signature_valid: bool  # False also when the stub answered before checking it (raw, drop)
    answer_id: str | None = None  # what an accepted request created (a message id, a CallId)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def accepted(self) -> bool:
        return self.answer_id is not None

    @property
    def msg_id(self) -> str | None:  # the TDMQ stub's name for it
        return self.answer_id


@dataclass
class _Fault:
    kind: str  # error, delay, raw, drop
    remaining: int | None  # None: every request from now on
    code: str = ""
    message: str = ""
    status: int = 200
    seconds: float = 0.0
    then: _Fault | None = None  # what a delay does afterwards; None means answer normally
    body: bytes = b""
    content_type: str = "application/json"


class StubError(Exception):
    """A refusal in Tencent's shape: {"Response": {"Error": {"Code", "Message"}, "RequestId"}}."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def error_body(code: str, message: str, request_id: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}


# ----------------------------------------------------------------------------------------------


class TencentApiStub:
    """One Tencent API 3.0 service on 127.0.0.1, an ephemeral port, in a background thread."""

    SERVICE = ""  # "tdmq", "vms": the credential scope the signature must name
    VERSION = ""
    ACTIONS: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        secret_id: str = "AKIDstubSecretId0000000000000000",
        secret_key: str = "stubSecretKey000000000000000000",
        token: str | None = None,
        regions: tuple[str, ...] | None = None,
        check_clock: bool = True,
    ) -> None:
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.token = token  # when set, X-TC-Token must carry it (an SCF role's session token)
        self.regions = regions  # when set, X-TC-Region must be one of these
        self.check_clock = check_clock
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._faults: deque[_Fault] = deque()
        self._arrived = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- what a service stub implements ---------------------------------------------------------
    def _answer(self, action: str, params: dict) -> tuple[dict, str]:
        """(the Response object without RequestId, the id of what was created) or raise StubError.
        Called with the stub's lock NOT held; take it to change the stub's own state."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop what the service stub accepted (called by reset, with the lock held)."""

    # -- life cycle -------------------------------------------------------------------------
    def start(self):
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.stub = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.SERVICE}-stub",
            daemon=True,
        )  # a short poll interval: stop() waits for it, and suites start many stubs
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes delayed handlers
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stub is not running")
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        """host:port, as HttpProfile(endpoint=...) takes it (with protocol="http")."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    # -- what happened --------------------------------------------------------------------------
    @property
    def received(self) -> list[Received]:
        """Every request, in arrival order, including rejected and faulted ones."""
        with self._lock:
            return list(self._received)

    @property
    def arrived(self) -> int:
        """Requests that reached the stub, counted on arrival (a delayed one is recorded only once answered)."""
        with self._lock:
            return self._arrived

    def reset(self) -> None:
        """Forget requests, what was accepted, and pending faults (configuration and credentials stay)."""
        with self._lock:
            self._received.clear()
            self._faults.clear()
            self._arrived = 0
            self._forget()

    def clear_faults(self) -> None:
        """Drop pending faults only: what was received and accepted stays."""
        with self._lock:
            self._faults.clear()

    # -- faults: each request consumes the first pending fault ------------------------------------
    def fail_next(
        self, code: str, message: str | None = None, *, times: int | None = 1, status: int = 200
    ) -> None:
        """Answer Tencent's error object with this code (HTTP 200, as Tencent does, unless status says)."""
        self._add(_Fault("error", times, code=code, message=message or f"stub: {code}", status=status))

    def delay_next(self, seconds: float, *, times: int | None = 1, then: str = "answer") -> None:
        """Wait before answering; then "answer" normally, or "drop" the connection without an answer."""
        after = _Fault("drop", 1) if then == "drop" else None
        self._add(_Fault("delay", times, seconds=seconds, then=after))

    def answer_next(
        self,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "application/json",
        times: int | None = 1,
    ) -> None:
        """Answer these exact bytes, e.g. a non-JSON body or a gateway's HTML error page."""
        raw = body.encode() if isinstance(body, str) else body
        self._add(_Fault("raw", times, body=raw, status=status, content_type=content_type))

    def drop_next(self, *, times: int | None = 1) -> None:
        """Close the connection without answering."""
        self._add(_Fault("drop", times))

    def _add(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.popleft()
            return fault

    # -- the gateway's checks, common to every action ----------------------------------------------
    def _check(self, method: str, headers: dict[str, str], body: bytes) -> tuple[str, dict, bool]:
        """Validate one request; return (action, parsed body, signature valid) or raise StubError."""
        lower = {k.lower(): v for k, v in headers.items()}
        if method != "POST":
            raise StubError("InvalidParameter", "only POST with a JSON body is supported here")
        if lower.get("content-type", "").split(";")[0].strip() != "application/json":
            raise StubError("InvalidParameter", "Content-Type must be application/json")
        action = lower.get("x-tc-action")
        if not action:
            raise StubError("MissingParameter", "X-TC-Action is missing")
        if action not in self.ACTIONS:
            raise StubError("InvalidAction", f"action {action} is not supported by this stub")
        version = lower.get("x-tc-version")
        if not version:
            raise StubError("MissingParameter", "X-TC-Version is missing")
        if version != self.VERSION:
            raise StubError("NoSuchVersion", f"version {version} does not exist")
        region = lower.get("x-tc-region")
        if not region:
            raise StubError("MissingParameter", "X-TC-Region is missing")
        if self.regions is not None and region not in self.regions:
            raise StubError("UnsupportedRegion", f"region {region} is not supported")
        raw_ts = lower.get("x-tc-timestamp", "")
        if not raw_ts.isdigit():
            raise StubError("MissingParameter", "X-TC-Timestamp is missing or not a number")
        timestamp = int(raw_ts)
        if self.check_clock and abs(time.time() - timestamp) > MAX_CLOCK_SKEW_S:
            raise StubError("AuthFailure.SignatureExpire", "the request's timestamp is too old or new")

        signature_valid = self._check_signature(lower, body, timestamp)

        if self.token is not None and not hmac.compare_digest(
            lower.get("x-tc-token", "").encode(), self.token.encode()
        ):
            raise StubError("AuthFailure.TokenFailure", "the session token is missing or wrong")

        try:
            params = json.loads(body)
        except ValueError:
            raise StubError("InvalidParameter", "the body is not JSON") from None
        if not isinstance(params, dict):
            raise StubError("InvalidParameter", "the body must be a JSON object")
        return action, params, signature_valid

    def _check_signature(self, lower: dict[str, str], body: bytes, timestamp: int) -> bool:
        match = _AUTHORIZATION.match(lower.get("authorization", ""))
        if not match:
            raise StubError("AuthFailure.InvalidAuthorization", "the Authorization header is malformed")
        if not hmac.compare_digest(match["secret_id"].encode(), self.secret_id.encode()):
            raise StubError("AuthFailure.SecretIdNotFound", "the SecretId does not exist")
        if match["date"] != _day(timestamp) or match["service"] != self.SERVICE:
            raise StubError("AuthFailure.InvalidAuthorization", "the credential scope does not match")
        names = match["signed"].split(";")
        if "content-type" not in names or "host" not in names or any(n not in lower for n in names):
            raise StubError("AuthFailure.InvalidAuthorization", "SignedHeaders must name sent headers")
        payload = body
        if lower.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD":
            payload = b"UNSIGNED-PAYLOAD"
        expected = tc3_signature(
            self.secret_key,
            timestamp=timestamp,
            service=self.SERVICE,
            signed_headers=[(n, lower[n]) for n in names],
            body=payload,
        )
        if not hmac.compare_digest(expected, match["signature"]):
            raise StubError("AuthFailure.SignatureFailure", "the signature does not match")
        return True

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = dict(handler.headers.items())
        action = headers.get("X-TC-Action")
        with self._lock:
            self._arrived += 1
        fault = self._take_fault()

        if fault is not None and fault.kind == "delay":
            self._stopping.wait(fault.seconds)
            fault = fault.then
            kind = "delay"
        else:
            kind = fault.kind if fault else None

        def record(error: str | None, applied: str | None, valid: bool, answer_id: str | None = None):
            received = Received(
                handler.command, handler.path, headers, body, action, error, applied, valid, answer_id
            )
            with self._lock:
                self._received.append(received)

        if fault is not None and fault.kind == "drop":
            record(None, kind or "drop", False)
            handler.drop()
            return
        if fault is not None and fault.kind == "raw":
            record(None, "raw", False)
            handler.answer(fault.status, fault.body, fault.content_type)
            return

        request_id = str(uuid.uuid4())
        try:
            checked_action, params, signature_valid = self._check(handler.command, headers, body)
        except StubError as exc:
            record(exc.code, kind, False)
            handler.answer_json(200, error_body(exc.code, exc.message, request_id))
            return
        if fault is not None and fault.kind == "error":
            record(fault.code, "error", signature_valid)
            handler.answer_json(fault.status, error_body(fault.code, fault.message, request_id))
            return
        try:
            result, answer_id = self._answer(checked_action, params)
        except StubError as exc:
            record(exc.code, kind, signature_valid)
            handler.answer_json(200, error_body(exc.code, exc.message, request_id))
            return
        record(None, kind, signature_valid, answer_id)
        handler.answer_json(200, {"Response": {**result, "RequestId": request_id}})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real endpoint; the SDK's session reuses it
    server_version = "tencent-api-stub"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.server.stub._handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST  # noqa: N815 - answered with Tencent's error, not a bare 501

    def answer_json(self, status: int, payload: dict) -> None:
        self.answer(status, json.dumps(payload).encode(), "application/json")

    def answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass
