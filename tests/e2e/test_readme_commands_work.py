"""What a new user trips on, tried as they would: the README's commands, busy ports, pipes, --help."""

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli_env, free_port, run_cli


def readme_local_commands() -> list[list[str]]:
    """The `python -m voice_receipts` lines of the README's "Using it locally" block, but `serve`."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## Using it locally", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        m = re.match(r"\.venv/bin/python -m voice_receipts (.+?)\s+(#|$)", line)
        if m and not m.group(1).startswith("serve"):
            commands.append(m.group(1).split())
    return commands


def test_the_readmes_local_commands_all_succeed_in_order(tmp_path):
    commands = readme_local_commands()
    assert [c[0] for c in commands][:2] == ["replay", "show"], commands
    store = f"sqlite:///{tmp_path}/readme.db"
    for args in commands:
        done = run_cli(*args, cwd=ROOT, VOICE_RECEIPTS_STORE=store)
        assert done.returncode == 0, (args, done.stdout[-500:], done.stderr[-500:])


def test_serve_on_a_busy_port_is_one_line_not_a_traceback(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = run_cli("serve", "--port", str(port), "--store", f"sqlite:///{tmp_path}/r.db", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"voice-receipts: port {port} on 127.0.0.1 is in use; choose another with --port"
    )


def test_serve_help_shows_its_defaults(tmp_path):
    done = run_cli("serve", "--help", cwd=tmp_path)
    assert "(default: 8000)" in done.stdout and "(default: 127.0.0.1)" in done.stdout


def test_show_json_into_head_ends_quietly(tmp_path):
    store = f"sqlite:///{tmp_path}/r.db"
    assert (
        run_cli("replay", str(ROOT / "events" / "callbacks"), "--store", store, cwd=tmp_path).returncode == 0
    )
    done = subprocess.run(
        f"{sys.executable} -m voice_receipts show --json --store {store} | head -1",
        shell=True,
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "["
    assert "BrokenPipeError" not in done.stderr and "Traceback" not in done.stderr


def test_a_store_fault_on_the_command_line_does_not_talk_to_vms(tmp_path):
    # "retry later" is what the function tells VMS; a person at a terminal gets the fault alone
    done = run_cli(
        "show",
        "some-call",
        "--store",
        "dynamodb://receipts",
        cwd=tmp_path,
        AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{free_port()}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
    )
    assert done.returncode == 2
    assert "cannot be reached (EndpointConnectionError)" in done.stderr
    assert "retry" not in done.stderr


def test_make_refuses_an_old_python_before_installing_anything(tmp_path):
    old = shutil.which("python3.10") or next(
        (str(p) for p in sorted((Path.home() / ".pyenv" / "versions").glob("3.10.*/bin/python3.10"))), None
    )
    if old is None:
        pytest.skip("no Python 3.10 on this machine to try")
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-s", f"{venv}/.runtime", f"PYTHON={old}", f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "needs Python 3.11+" in done.stderr and "PYTHON=" in done.stderr
    assert not venv.exists()


def test_offline_with_a_port_taken_fails_at_once_naming_the_variable():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "deploy/offline.py", "--moto-port", str(port)],
            cwd=ROOT,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr and "MOTO_PORT" in done.stderr
    assert "READY" not in done.stdout
