"""`serve`: a local HTTP endpoint in front of the production handler.

Each request becomes the payload-2.0 event a Lambda function URL would send, so curl and a VMS
tunnel exercise the very path a deployment runs: adapter, checks, parsing, store, reply.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Handler = Callable[[dict, Any], dict]


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


def make_server(handler: Handler, host: str, port: int, max_body_bytes: int) -> ThreadingHTTPServer:
    class Endpoint(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a load generator or a gateway uses it
        server_version = "voice-receipts"

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes; without NODELAY, Nagle plus the client's
            # delayed ACK holds the body back ~40 ms on every keep-alive request
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _handle(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                return self._send(400, {"result": 4001, "errmsg": "bad Content-Length"}, close=True)
            # read one byte past the limit: enough for the handler to answer 413, and no more
            body = self.rfile.read(min(length, max_body_bytes + 1))
            close = length > max_body_bytes  # the rest of the body is still unread on the socket
            event = to_event(self.command, self.path, dict(self.headers), body, self.client_address[0])
            reply = handler(event, None)
            self._send(reply["statusCode"], reply["body"], close=close)

        def _send(self, status: int, body: Any, close: bool = False) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's signature
            pass  # the handler already logs one JSON line per request; the URL holds the token

    server = Server((host, port), Endpoint)
    return server


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets the connections of a burst (VMS retrying,
    # a load test); the kernel caps this at net.core.somaxconn anyway
    request_queue_size = 128
