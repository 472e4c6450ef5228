"""Helpers the suites share (imported, unlike fixtures in conftest files)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port nothing listens on right now: for a server to bind, or to be refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(**extra: str) -> dict[str, str]:
    """This environment without any VOICE_RECEIPTS_ setting of the developer's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICE_RECEIPTS_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -m voice_receipts ARGS` as a user runs it: a subprocess, its own cwd."""
    return subprocess.run(
        [sys.executable, "-m", "voice_receipts", *args],
        cwd=cwd,
        env=cli_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def tool_sources() -> tuple[str, ...]:
    """deploy/build_package.py's TOOL_SOURCES: what the function packages leave out."""
    sys.path.insert(0, str(ROOT / "deploy"))  # the build script imports its sibling bytecode.py
    try:
        from build_package import TOOL_SOURCES
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    return TOOL_SOURCES


# W3005: osls adds a DependsOn that a Ref already implies, on its own generated HTTP API route
CFN_LINT_IGNORED = "W3005"


def assert_cfn_lint_clean(template: Path) -> None:
    """cfn-lint (this venv's) on a packaged template: any error or warning fails."""
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--ignore-checks",
            CFN_LINT_IGNORED,
            "--",
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def find_browser() -> str | None:
    """Debian's chromium (or another Chrome) on PATH; None where a user's machine has none."""
    import shutil

    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def screenshot(browser: str, page: Path, out: Path, width: int, height: int) -> None:
    """`page` in headless Chromium at width x height into the PNG `out`. The flags keep it off the
    network (this machine's is closed: background requests would only fail) and quiet."""
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
