"""A local stand-in for an SCF function URL (https://APPID-URLID.REGION.tencentscf.com), run as
`python -m tests.stubs.scf_url` in the function's environment: each HTTP request becomes the
event SCF documents for an event function behind a function URL (body as text, lower-case
headers with x-scf-remote-addr, httpMethod, path, queryString), is handed to handler.main_handler,
and the function's {statusCode, headers, body} becomes the HTTP answer. Prints `READY <port>`.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import handler  # imported as SCF does, before the first request: init runs here


def event_of(method: str, target: str, headers: dict[str, str], body: bytes, client_ip: str) -> dict:
    parts = urlsplit(target)
    return {
        "body": body.decode("utf-8", "surrogateescape"),
        "headers": {**{k.lower(): v for k, v in headers.items()}, "x-scf-remote-addr": client_ip},
        "httpMethod": method,
        "path": parts.path or "/",
        "queryString": dict(parse_qsl(parts.query, keep_blank_values=True)),
    }


class FunctionURL(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _invoke(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        event = event_of(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        reply = handler.main_handler(event, None)
        payload = reply.get("body", "")
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(int(reply.get("statusCode", 200)))
        for name, value in (reply.get("headers") or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET = do_PUT = _invoke  # noqa: N815 - http.server's naming

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FunctionURL)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()  # until terminated


if __name__ == "__main__":
    sys.exit(main())
