"""One parametrised store fixture that every store joins (tests/contract/backends.py)."""

from __future__ import annotations

import pytest

from tests.contract.backends import BACKENDS, READABLE


@pytest.fixture(params=list(BACKENDS))
def backend(request, tmp_path, aws_env, sql_server):  # sql_server: started on first use, stopped after
    """Each store in turn, fresh and empty."""
    with BACKENDS[request.param](tmp_path) as opened:
        yield opened


@pytest.fixture(params=[name for name in BACKENDS if name in READABLE])
def table(request, tmp_path, aws_env, sql_server):
    """Each store that answers the calls API, fresh and empty."""
    with BACKENDS[request.param](tmp_path) as opened:
        yield opened


@pytest.fixture(params=[name for name in BACKENDS if name not in READABLE])
def queue(request, tmp_path, aws_env, sql_server):
    """Each store that is a queue (consumed, never read back by the calls API)."""
    with BACKENDS[request.param](tmp_path) as opened:
        yield opened
