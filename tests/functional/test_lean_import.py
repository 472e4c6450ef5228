"""The function's import stays lean: answering receipts on Lambda never loads the tools' libraries
(matplotlib for `report`, urllib3 for `replay --url`, the EMF library we measured and declined)."""

import json
import os
import subprocess
import sys

import pytest

from tests import samples

FORBIDDEN = ("matplotlib", "numpy", "PIL", "aws_embedded_metrics", "urllib3", "waitress")
FORBIDDEN_OURS = (
    "voice_receipts.tools.report",
    "voice_receipts.tools.endpoint",
    "voice_receipts.tools.cli",
    "voice_receipts.tools.replay",
    "voice_receipts.tools.alarms",  # `alarms apply` and the CLS SDK it loads
    "voice_receipts.tools.cls_api",
    "tencentcloud.cls",
)

SCRIPT = """
import json, sys
import handler
event = json.loads(sys.argv[1])
reply = handler.lambda_handler(event, None)
assert reply["statusCode"] == 200, reply
print(json.dumps(sorted(sys.modules)))
"""


def modules_after_one_receipt(store: str, cwd) -> list[str]:
    """Every module a fresh Lambda-like process has loaded once it answered one receipt into `store`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICE_RECEIPTS_", "AWS_LAMBDA"))}
    env.update(
        PYTHONPATH=str(samples.ROOT),
        AWS_LAMBDA_FUNCTION_NAME="voice-receipts-test-receive",  # metrics on, as deployed
        VOICE_RECEIPTS_STORE=store,
        VOICE_RECEIPTS_TOKEN="lean-token-0123456789",
    )
    event = samples.aws_http(samples.body("voicecode_callback"), query="token=lean-token-0123456789")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(event)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_function_with_metrics_on_imports_no_tool_library(tmp_path):
    modules = modules_after_one_receipt(f"sqlite:///{tmp_path}/r.db", tmp_path)
    assert "voice_receipts.metrics" in modules
    loaded = [m for m in modules if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN_OURS)]
    assert loaded == []


SQL_DRIVERS = {"mysql": "pymysql", "postgresql": "psycopg"}
CLOUD_SDKS = ("boto3", "botocore", "tencentcloud")


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_a_sql_function_imports_its_own_driver_and_no_other_sdk(kind, sql_server, tmp_path):
    """mysql:// loads PyMySQL and not psycopg; postgresql:// the reverse; neither any cloud's SDK."""
    from tests.sqlservers import admin_url, fresh_database

    server = sql_server(kind)
    tops = {
        m.split(".")[0]
        for m in modules_after_one_receipt(admin_url(server, fresh_database(server)), tmp_path)
    }
    assert SQL_DRIVERS[kind] in tops
    other = SQL_DRIVERS["postgresql" if kind == "mysql" else "mysql"]
    assert sorted(tops & {other, *CLOUD_SDKS, *FORBIDDEN}) == []
