"""Authentication fails closed through the real entry point: handler.py imported in a fresh
interpreter with Lambda's and SCF's environment, as their runtimes import it at init.

A subprocess because the refusal happens at import, once per process; and each runs in about
half a second, so the whole file stays well under 10 s.
"""

import json
import subprocess
import sys

import pytest

from tests import samples
from tests.helpers import ROOT, cli_env

LAMBDA = {
    "AWS_LAMBDA_FUNCTION_NAME": "voice-receipts-dev-receive",
    "AWS_REGION": "us-east-1",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "LAMBDA_TASK_ROOT": str(ROOT),
}
SCF = {
    "SCF_FUNCTIONNAME": "voice-receipts",
    "TENCENTCLOUD_REGION": "ap-guangzhou",
    "SCF_RUNTIME": "Python3.10",
}
TOKEN = "fail-closed-token-0123"  # noqa: S105 - a test value
# imports the entry point as the runtimes do, then delivers one receipt if the import succeeded
SCRIPT = """
import json, sys
import handler
print("started", flush=True)  # init is over: the refusal must come before this line
print(json.dumps(handler.main_handler(json.loads(sys.stdin.read()), None)))
"""


def start(platform: dict, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = cli_env(**platform, VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/r.db", **env)
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "SCF_FUNCTIONNAME"):  # the developer's shell: not ours
        if name not in platform and name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        input=json.dumps(samples.body("voicekey_callback")),
        capture_output=True,
        text=True,
        timeout=30,
    )


PLATFORMS = [pytest.param(LAMBDA, id="lambda"), pytest.param(SCF, id="scf")]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    ("env", "words"),
    [
        pytest.param({}, "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED=true only if", id="no-token"),
        pytest.param(
            {"VOICE_RECEIPTS_TOKEN": ""},
            "VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED=true only if",
            id="empty-token",
        ),
        pytest.param({"VOICE_RECEIPTS_TOKEN": "short"}, "16 to 256", id="short-token"),
        pytest.param({"VOICE_RECEIPTS_TOKEN": "fail+closed/token=0123"}, "16 to 256", id="plus-slash-equals"),
        pytest.param(
            {"VOICE_RECEIPTS_TOKEN_PREVIOUS": TOKEN},
            "VOICE_RECEIPTS_TOKEN_PREVIOUS is set",
            id="previous-only",
        ),
    ],
)
def test_the_entry_point_refuses_to_start_without_a_usable_token(platform, tmp_path, env, words):
    proc = start(platform, tmp_path, **env)
    assert proc.returncode != 0 and proc.stdout == ""
    assert "ConfigError" in proc.stderr and words in proc.stderr
    for value in env.values():
        if value:
            assert value not in proc.stderr
    assert not (tmp_path / "r.db").exists()  # refused before any store was opened


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_same_entry_point_starts_with_a_token_and_refuses_a_direct_callback(platform, tmp_path):
    # the control: the refusals above are the token's doing, not a broken subprocess. Direct
    # invocation is off in a cloud runtime, so the bare callback is refused (403 / 4030).
    proc = start(platform, tmp_path, VOICE_RECEIPTS_TOKEN=TOKEN)
    assert proc.returncode == 0, proc.stderr
    started, reply = proc.stdout.splitlines()
    assert started == "started" and json.loads(reply)["result"] == 4030
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.mark.parametrize("platform", PLATFORMS)
def test_allow_unauthenticated_is_the_way_to_start_without_a_token(platform, tmp_path):
    proc = start(
        platform,
        tmp_path,
        VOICE_RECEIPTS_ALLOW_UNAUTHENTICATED="true",
        VOICE_RECEIPTS_DIRECT_INVOCATION="true",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[1]) == {"result": 0, "errmsg": "OK"}
