"""`serve`: a local HTTP endpoint in front of the production handler.

Each request becomes the payload-2.0 event a Lambda function URL would send, so curl and a VMS
tunnel exercise the very path a deployment runs: adapter, checks, parsing, store, reply.

HTTP itself is waitress's, not ours. http.server reads headers with the email parser: it took the
first of two Content-Length headers (a request hidden behind the second was stored), accepted
"+12" and "1_2", knew nothing of chunked bodies, wrote a body after HEAD, and kept a thread per
idle socket forever. waitress is pure Python, has no dependencies, and was hardened against exactly
these request-smuggling cases (CVE-2019-16785/16786/16789/16792, CVE-2022-24761); its event loop
holds idle and slow sockets without a thread and closes idle ones. It is needed by `serve` only:
requirements-serve.txt, never the function package, which does not import this module.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from voice_receipts.errors import VoiceReceiptsError

try:
    import waitress
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser, ParsingError
    from waitress.server import BaseWSGIServer
except ImportError:  # a venv with the function's requirements only: serve then says what to install
    waitress = None

Handler = Callable[[dict, Any], dict]

IDLE_TIMEOUT = 30  # seconds a connection may sit between requests (or before its first) before it is closed
# Sockets held at once. waitress's default of 100 stops accepting at 100 idle keep-alive sockets,
# so a real POST waits for the idle timeout; poll() below lifts select()'s 1,024-descriptor cap.
CONNECTION_LIMIT = 1000
THREADS = 4  # requests handled at once (the handler is CPU-bound under the GIL: 2 and 8 measured no faster)
# A Lambda function URL refuses payloads over 6 MB before the function runs; below that the
# handler answers over-size bodies itself (413, its own JSON), as it does deployed.
GATEWAY_MAX_BODY = 6 * 1024 * 1024


class ServeUnavailable(VoiceReceiptsError):
    """`serve` cannot start: its HTTP server is not installed."""


def to_event(method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict:
    url = urlsplit(target)
    try:
        text, is_b64 = body.decode("utf-8"), False
    except UnicodeDecodeError:  # binary reaches the handler intact, as function URLs send it
        text, is_b64 = base64.b64encode(body).decode("ascii"), True
    request_id = uuid.uuid4().hex
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": url.path or "/",
        "rawQueryString": url.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "http": {"method": method, "path": url.path or "/", "sourceIp": source_ip},
            "requestId": request_id,
        },
        "body": text,
        "isBase64Encoded": is_b64,
    }


def _headers(environ: dict) -> dict[str, str]:
    """Request headers back from WSGI's names: waitress has already joined repeats with ", " and
    dropped names with "_" (which would otherwise pass for their "-" twins)."""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


def wsgi_app(handler: Handler) -> Callable[[dict, Callable], Iterable[bytes]]:
    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()  # framed (Content-Length or chunked) and buffered by waitress
        method = environ["REQUEST_METHOD"]
        event = to_event(method, environ["REQUEST_URI"], _headers(environ), body, environ["REMOTE_ADDR"])
        reply = handler(event, None)
        status, payload = reply["statusCode"], reply["body"]
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [] if method == "HEAD" else [data]  # HEAD: the length GET would have, no body

    return app


if waitress is not None:

    class FramedOnce(HTTPRequestParser):
        """waitress's parser, refusing the two framings it reads one way and a front end (a tunnel,
        a proxy) may read another: 400 and close, as RFC 9112 6.1 and 6.3 allow."""

        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if self.chunked and "CONTENT_LENGTH" in self.headers:
                raise ParsingError("both Transfer-Encoding and Content-Length")
            if self.version == "1.0" and "TRANSFER_ENCODING" in self.headers:
                # waitress frames an HTTP/1.0 body by Content-Length and ignores the chunks
                raise ParsingError("Transfer-Encoding in an HTTP/1.0 request")

    class Channel(HTTPChannel):
        parser_class = FramedOnce


class Server:
    """The three calls cli.py makes, over a waitress server."""

    def __init__(self, server: Any) -> None:
        self._server = server
        # a host name with several addresses gives one listener each, under a MultiSocketServer
        listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
        for listener in listeners:
            if isinstance(listener, BaseWSGIServer):
                listener.channel_class = Channel
        self.server_address = next(
            (x.effective_host, int(x.effective_port)) for x in listeners if isinstance(x, BaseWSGIServer)
        )

    def serve_forever(self) -> None:
        self._server.run()  # returns on Ctrl-C, after waitress stops its threads

    def server_close(self) -> None:
        self._server.close()
        self._server.task_dispatcher.shutdown()


def make_server(
    handler: Handler, host: str, port: int, max_body_bytes: int, idle_timeout: int = IDLE_TIMEOUT
) -> Server:
    if waitress is None:
        raise ServeUnavailable("serve needs waitress: .venv/bin/pip install -r requirements-serve.txt")
    # "Task queue depth is N" whenever all threads are busy: a warning per request under load
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = waitress.create_server(
        wsgi_app(handler),
        host=host,
        port=port,
        threads=THREADS,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,
        channel_timeout=idle_timeout,
        cleanup_interval=1,  # how often idle sockets are looked for; else up to 30 s late
        max_request_body_size=max(GATEWAY_MAX_BODY, max_body_bytes + 1),
        ident="voice-receipts",
    )
    return Server(server)
