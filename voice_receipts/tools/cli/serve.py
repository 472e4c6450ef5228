"""`serve`: a local HTTP endpoint running the same handler as the function."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import sys

from voice_receipts import config
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
    v.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help=f"listen beyond loopback without {config.TOKEN} (anyone reaching the port can write receipts)",
    )
    v.add_argument("--port", type=_port, default=8000, help="port to listen on (0: any free one)")
    v.set_defaults(run=run)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text[:20]!r}")
    return int(text)


def loopback(host: str) -> bool:
    """Only this machine can connect: a loopback address, or `localhost`. Everything else is
    beyond loopback: "" and 0.0.0.0 and :: (every interface), a LAN address, any other name
    (it may resolve anywhere)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools.server import make_server

    loaded = settings(args)
    if not loaded.tokens and not loopback(args.host):
        if not args.allow_unauthenticated:
            raise UsageError(
                f"--host {args.host[:60]!r} listens beyond loopback and {config.TOKEN} is not set:"
                " anyone on the network could write receipts; set a token, or pass"
                " --allow-unauthenticated if something else guards the port"
            )
        print(f"warning: listening on {args.host} without a token (--allow-unauthenticated)", file=sys.stderr)
    app = build_app(loaded)  # a server logs every request, as in the cloud
    try:
        server = make_server(app, args.host, args.port, app.gate.max_body_bytes)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = f"port {args.port} on {args.host} is in use; choose another with --port"
            raise UsageError(message) from None
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except (ValueError, OverflowError) as exc:  # a NUL or a 64-character label (IDNA) in --host
        raise UsageError(f"--host {args.host[:60]!r} is not an address to listen on ({exc})") from None
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
