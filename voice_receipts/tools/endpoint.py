"""`replay --url`: send receipts to a deployed endpoint over HTTP(S), exactly as VMS would.

Each item becomes one request: a bare callback is POSTed as its JSON body; a gateway-event sample
is sent as the request it describes (its method and body; the URL's path and query are always
the given URL's). The answer is printed as it came, so a fresh deployment is checked end to end.

urllib3 (already installed with botocore, so no new dependency): a connection pool, separate
connect and read timeouts, and a Retry policy we can restrict to connection errors. A request is
retried only when it never reached the server (refused, name not resolved, connect timed out); a
request that was sent is never sent again, answered or not, since the server may have stored it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, LocationValueError, MaxRetryError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from voice_receipts import replies
from voice_receipts.callbacks import load_json
from voice_receipts.display import printable
from voice_receipts.errors import BadRequest, VoiceReceiptsError
from voice_receipts.gateways import infer
from voice_receipts.tools.errors import UsageError
from voice_receipts.tools.replay import Item, Result, peek, run_all
from voice_receipts.tools.urls import host_ok, masked, redact, secrets

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0  # the function's own timeout is 10 s; a cold start and a gateway add to it
CONNECT_RETRIES = 3  # then 0 + 1 + 2 s of back-off: a stack still coming up gets ~3 s
NO_ANSWER = "no_answer"  # a request that left and got no answer: it may or may not have been stored
SKIPPED = "skipped"  # an item no HTTP client can send (only a gateway produces it)


class Unreachable(VoiceReceiptsError):
    """The endpoint could not be reached even after the retries."""


METHOD_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _sendable(method: str, content_type: str) -> bool:
    """What an HTTP request line and header can carry: a token for the method (RFC 9110), no
    control characters in the header value."""
    return bool(method) and set(method) <= METHOD_CHARS and content_type.isprintable()


class Endpoint:
    def __init__(
        self, url: str, retries: int = CONNECT_RETRIES, read_timeout: float = READ_TIMEOUT_S
    ) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port  # raises for ":abc" and ":99999"
        except ValueError:  # "http://[::1/...": an unclosed IPv6 bracket, a bad port
            port = -1
        if port == -1 or parts.scheme not in ("http", "https") or not host_ok(parts.hostname):
            raise UsageError(
                f"--url must be an http(s) URL with a valid host and port, got {printable(redact(url))!r};"
                " nothing was sent"
            )
        self.url = url
        self.shown = masked(url)
        self._secrets = secrets(url)
        self.attempts = retries + 1
        retry = urllib3.Retry(
            total=retries,
            connect=retries,  # never reached the server: safe to try again
            read=0,  # sent, then the answer failed: the server may have stored it
            status=0,  # an answer is an answer, whatever its status
            other=0,
            redirect=0,  # a redirect would resend the body somewhere else
            backoff_factor=0.5,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=read_timeout)
        self.pool = urllib3.PoolManager(retries=retry, timeout=timeout)

    def preflight(self) -> None:
        """Before the first item: an https URL whose certificate fails verification (or any TLS
        failure) is refused here, nothing sent. Only the handshake runs, no request; a host that
        does not answer yet is left to the first item's connect retries."""
        if urlsplit(self.url).scheme != "https":
            return
        conn = self.pool.connection_from_url(self.url)._new_conn()
        try:
            conn.connect()
        except (ssl.SSLError, SSLError, CertificateError) as exc:
            raise UsageError(f"--url {self.shown}: {self._tls(exc)}; nothing was sent") from None
        except (OSError, HTTPError):
            pass  # refused, not resolved, timed out: never sent, and retried with the first item
        finally:
            conn.close()

    def _tls(self, exc: BaseException) -> str:
        if isinstance(exc, SSLError) and exc.args and isinstance(exc.args[0], BaseException):
            exc = exc.args[0]  # urllib3's wrapper: the ssl module's own error says more
        reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc
        return self.hide(f"TLS failed ({type(exc).__name__}: {reason})"[:300])

    @property
    def in_clear(self) -> bool:
        """True when the token would cross a network unencrypted."""
        parts = urlsplit(self.url)
        return parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1")

    def hide(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def send(self, item: Item) -> Result:
        if item.failed is not None:  # missing, unreadable, not JSON: nothing to send
            return item.failed
        try:
            request = infer(item.event).request(item.event, {})
        except BadRequest as exc:  # e.g. a body marked base64 that is not: no client can send it
            return Result(
                item.source, None, None, SKIPPED, None, None, f"not sendable over HTTP: {exc.message}"
            )
        method = request.method or "POST"  # a bare callback: VMS POSTs it
        headers = {"Content-Type": request.headers.get("content-type", "application/json")}
        if not _sendable(method, headers["Content-Type"]):  # http.client would raise ValueError
            return Result(
                item.source,
                None,
                None,
                SKIPPED,
                None,
                None,
                "not sendable over HTTP: its method or content type",
            )
        callid, kind = peek(_json(request.body))
        try:
            response = self.pool.request(method, self.url, body=request.body or None, headers=headers)
        except LocationValueError:  # the URL itself: nothing can be sent to it
            raise UsageError(f"--url {self.shown}: not a URL a request can go to; nothing was sent") from None
        except MaxRetryError as exc:
            reason = exc.reason if exc.reason is not None else exc
            if isinstance(reason, SSLError):  # the handshake failed: the request never left
                raise UsageError(f"--url {self.shown}: {self._tls(reason)}; nothing was sent") from None
            if _never_sent(reason):
                raise Unreachable(
                    f"cannot reach {self.shown} ({self.attempts} attempts): {self._why(reason)}"
                ) from None
            return Result(
                item.source, None, None, NO_ANSWER, callid, kind, f"sent, no answer: {self._why(reason)}"
            )
        except HTTPError as exc:  # sent, then the connection broke: not retried (see module doc)
            return Result(
                item.source, None, None, NO_ANSWER, callid, kind, f"sent, no answer: {self._why(exc)}"
            )
        return self._result(item.source, response, callid, kind)

    def _result(self, source: str, response, callid, kind) -> Result:
        data = _json(response.data)
        if isinstance(data, dict) and "result" in data:
            result, errmsg = data.get("result"), str(data.get("errmsg", ""))
        else:  # not our reply: a gateway's own answer (404 of an unrouted method, 502, ...)
            result = None
            errmsg = response.data[:200].decode("utf-8", "replace")
        status = response.status
        return Result(
            source,
            status,
            result if isinstance(result, int) else None,
            _outcome(status),
            callid,
            kind,
            printable(self.hide(errmsg)),
        )

    def _why(self, exc: BaseException) -> str:
        """The failure in a few words: its kind and the OS's reason, never the URL's token."""
        text = str(exc)
        if "]" in text and "[Errno" in text:  # "...: [Errno 111] Connection refused"
            text = text[text.index("[Errno") :]
        return self.hide(f"{type(exc).__name__}: {text}"[:300])

    def close(self) -> None:
        self.pool.clear()


def _never_sent(reason: BaseException) -> bool:
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError and NameResolutionError too


def _json(data: bytes):
    """The handler's own parser (depth-limited), or None: peeking must never fail a send."""
    try:
        return load_json(data)
    except VoiceReceiptsError:
        return None


def _outcome(status: int) -> str:
    """What an HTTP answer says; over HTTP a first delivery and a redelivery look alike (200)."""
    return "ok" if status == 200 else replies.outcome_of(status)


def send_all(endpoint: Endpoint, paths: Iterable[str | Path]) -> Iterator[Result]:
    endpoint.preflight()  # a URL that cannot work is refused before the first item
    yield from run_all(endpoint.send, paths)
