"""Helpers the suites share (imported, unlike fixtures in conftest files)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on right now: for a server to bind, or to be refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
