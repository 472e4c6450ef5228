from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from tests.helpers import cli_env, free_port


@pytest.fixture
def serve(tmp_path):
    """Start `python -m voice_receipts serve` in a subprocess; yields (base_url, store_url, process).

    Its stderr (one log line per request) goes to tmp_path/serve.log: an unread pipe would fill
    after a few hundred requests and block the server."""
    procs = []

    def start(**env: str):
        port = free_port()
        store = env.pop("store", f"sqlite:///{tmp_path}/served.db")
        proc = subprocess.Popen(
            [sys.executable, "-m", "voice_receipts", "serve", "--port", str(port), "--store", store],
            cwd=tmp_path,
            env=cli_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "serve.log").open("a"),
            text=True,
        )
        procs.append(proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"http://127.0.0.1:{port}", store, proc
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((tmp_path / "serve.log").read_text()) from None
                time.sleep(0.05)
        raise RuntimeError("serve did not start")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
