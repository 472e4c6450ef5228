"""One MariaDB and one PostgreSQL server for a whole `make mutate`, not one per mutant.

mutmut runs each mutant in a fresh pytest session; the session's servers (tests/sqlservers.py)
would start and stop per mutant, about three seconds of every SQL mutant's time. So
`python -m tests.kept_servers CMD...` starts both, hands them to every session below it through
the environment (KEPT), runs CMD and removes them, whatever CMD's end. A session that finds KEPT
uses those servers and leaves them running. Tests never share state through them: each test
makes its own database (and users named after it); the tests that change a server's settings
start their own (test_store_sql_faults.py's own_server).
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import subprocess
import sys

# not VOICE_RECEIPTS_*: conftest.py's clean_env removes those before each test, and with it the
# servers (each session then started its own again)
KEPT = "VR_TEST_KEPT_SERVERS"


def freeze(server) -> str:
    """The server as text for the environment: its class and attributes, without the process
    handle (only its starter may stop it)."""
    state = dict(vars(server), proc=None)
    return base64.b64encode(pickle.dumps((type(server), state))).decode()


def thaw(text: str):
    cls, state = pickle.loads(base64.b64decode(text))  # noqa: S301 - our own value, from our parent
    server = cls.__new__(cls)
    vars(server).update(state, kept=True)
    return server


def kept(kind: str):
    """The kept server of `kind`, or None outside `python -m tests.kept_servers`."""
    text = os.environ.get(KEPT)
    return thaw(json.loads(text)[kind]) if text else None


def _stopped(signum, frame):
    raise SystemExit(128 + signum)


def main(command: list[str]) -> int:
    import signal

    from tests import sqlservers

    # a `kill` (SIGTERM) ends the run as Ctrl-C does: through `finally`, so no server is left behind
    signal.signal(signal.SIGTERM, _stopped)
    servers = {}
    try:
        for kind in sqlservers.KINDS:
            servers[kind] = sqlservers.start(kind)
        env = dict(os.environ, **{KEPT: json.dumps({k: freeze(s) for k, s in servers.items()})})
        return subprocess.call(command, env=env)
    finally:
        for server in servers.values():
            server.remove()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
