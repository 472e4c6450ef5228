"""`serve`: a local HTTP endpoint running the same handler as the function."""

from __future__ import annotations

import argparse
import errno

from voice_receipts.runtime import build_app
from voice_receipts.tools.cli.common import settings
from voice_receipts.tools.errors import UsageError


def add(sub, common) -> None:
    v = sub.add_parser(
        "serve",
        parents=[common],
        help="a local HTTP endpoint running the handler",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    v.add_argument("--host", default="127.0.0.1", help="address to listen on")
    v.add_argument("--port", type=int, default=8000, help="port to listen on")
    v.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools.server import make_server

    app = build_app(settings(args))  # a server logs every request, as in the cloud
    try:
        server = make_server(app, args.host, args.port, app.gate.max_body_bytes)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = f"port {args.port} on {args.host} is in use; choose another with --port"
            raise UsageError(message) from None
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    host, port = server.server_address[:2]
    print(f"voice-receipts listening on http://{host}:{port}/ (store: {app.store.name})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.store.close()
    return 0
