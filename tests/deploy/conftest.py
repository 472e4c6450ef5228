"""Fixtures for the deployment tests: `osls package` once per session, run with no AWS credentials.

These tests need node_modules (npm ci); run them alone with `pytest -m deploy`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OSLS = ROOT / "node_modules" / ".bin" / "osls"
# deploy/ holds scripts, not a package: load the build's interpreter search by path
_spec = importlib.util.spec_from_file_location("deploy_bytecode", ROOT / "deploy" / "bytecode.py")
_bytecode = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bytecode)


def offline_env(**extra: str) -> dict[str, str]:
    """This environment without any AWS identity: whatever works here works with no account."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "VOICE_RECEIPTS_")) or k == "AWS_CA_BUNDLE"
    }
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        # the plugin's pip runs in this interpreter, whatever venv the caller has
        VOICE_RECEIPTS_BUILD_PYTHON=sys.executable,
    )
    env.update(extra)
    return env


def find_python(version: str) -> str | None:
    """An interpreter of `version` ("3.13") here: the build's own search (PATH, pyenv, uv)."""
    return _bytecode.find_python(version)


@dataclass(frozen=True)
class Package:
    dir: Path

    @property
    def template(self) -> dict:
        return json.loads((self.dir / "cloudformation-template-update-stack.json").read_text())

    @property
    def zip(self) -> Path:
        return self.dir / "voice-receipts.zip"

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.zip) as zf:
            return zf.namelist()


def osls_package(dest: Path, *args: str) -> Package:
    if not OSLS.exists():
        pytest.fail("node_modules is missing: run `npm ci` (make test does)")
    proc = subprocess.run(
        [str(OSLS), "package", "--stage", "test", "--package", str(dest), *args],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"osls package failed:\n{proc.stdout}\n{proc.stderr}"
    return Package(dest)


@pytest.fixture(scope="session")
def packaged() -> Package:
    """`osls package --stage test` into .serverless/, the default store (DynamoDB)."""
    dest = ROOT / ".serverless"
    shutil.rmtree(dest, ignore_errors=True)
    return osls_package(dest)


@pytest.fixture(scope="session")
def packaged_sqs(packaged, tmp_path_factory) -> Package:
    """The same stage with `--param store=sqs`, into a folder of its own."""
    return package_beside(packaged, tmp_path_factory, "sqs-package", "--param", "store=sqs")


@pytest.fixture(scope="session")
def packaged_events(packaged, tmp_path_factory) -> Package:
    """The same stage with `--param events=true` (DynamoDB stream -> EventBridge)."""
    return package_beside(packaged, tmp_path_factory, "events-package", "--param", "events=true")


def package_beside(packaged: Package, tmp_path_factory, name: str, *args: str) -> Package:
    """Package a variant into a folder of its own, leaving `packaged` as it was.

    osls deletes .serverless/ whenever it packages, wherever the output goes: set it aside.
    """
    aside = tmp_path_factory.mktemp("aside") / ".serverless"
    shutil.move(packaged.dir, aside)
    try:
        return osls_package(tmp_path_factory.mktemp(name), *args)
    finally:
        shutil.rmtree(packaged.dir, ignore_errors=True)
        shutil.move(aside, packaged.dir)


@pytest.fixture(scope="session")
def packaged_snapstart(packaged, tmp_path_factory) -> Package:
    """`--param snapStart=true`: Lambda SnapStart on the function."""
    return package_beside(packaged, tmp_path_factory, "snapstart-package", "--param", "snapStart=true")


# --- reading what osls and the Tencent config declare -------------------------------------

TABLE = "voice-receipts-test-receipts"


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def the_function(template: dict) -> dict:
    (function,) = resources(template, "AWS::Lambda::Function").values()
    return function["Properties"]


def store_statements(template: dict) -> list[dict]:
    """The role's statements that are not CloudWatch Logs (which osls scopes to the log group)."""
    role = template["Resources"]["IamRoleLambdaExecution"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    return [s for s in statements if not all(a.startswith("logs:") for a in s["Action"])]


TENCENT = ROOT / "deploy" / "tencent"  # mysql/ (the default deployment) and cmq/


def tencent_inputs(store: str = "mysql") -> dict:
    import yaml

    config = yaml.safe_load((TENCENT / store / "serverless.yml").read_text())
    assert config["component"] == "scf"
    return config["inputs"]
