"""deploy/tencent/{mysql,cmq}/serverless.yml as `scf deploy` reads them: every ${env:…} listed and
explained in the folder's .env.example, the function in the database's VPC with timeouts that
outlast the store's own waits, its logs in a topic of its own, direct invocation off. No account
is needed to check this much; deploying is docs/deploy.md's."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import samples
from voice_receipts.config import load_settings
from voice_receipts.store_url import TIMEOUTS, SQLAddress

TENCENT = Path(samples.ROOT, "deploy", "tencent")
STORES = ("mysql", "cmq")
ENV_REF = re.compile(r"\$\{env:(\w+)\}")
SCF_MAX_TIMEOUT_S, SCF_MAX_INIT_TIMEOUT_S = 900, 30  # component scf's configure docs: 1-900, 1-30


def config(store: str) -> dict:
    data = yaml.safe_load((TENCENT / store / "serverless.yml").read_text())
    assert data["component"] == "scf" and data["name"] == "voice-receipts" and data["app"] == "voice-receipts"
    return data


def example(store: str) -> dict[str, tuple[str, list[str]]]:
    """.env.example: name -> (value, the comment lines just above it)."""
    out, comments, after_variable = {}, [], False
    for line in (TENCENT / store / ".env.example").read_text().splitlines():
        if line.startswith("#"):
            comments = [*comments, line] if not after_variable else [line]
            after_variable = False
        elif "=" in line:  # consecutive variables share the comment above them (VPC and subnet)
            name, _, value = line.partition("=")
            out[name], after_variable = (value, comments), True
        else:
            comments, after_variable = [], False
    return out


@pytest.mark.parametrize("store", STORES)
def test_every_env_variable_is_listed_and_explained_in_the_example(store):
    used = set(ENV_REF.findall(json.dumps(config(store))))  # the values, not the comments
    listed = example(store)
    assert used == set(listed), "every variable serverless.yml reads, and no other"
    for name, (_value, comments) in listed.items():
        assert comments, f"{name} has no comment saying what it is for"


@pytest.mark.parametrize("store", STORES)
def test_both_deployments_are_the_same_function_behind_a_public_url(store):
    inputs = config(store)["inputs"]
    assert inputs["handler"] == "handler.main_handler" and inputs["src"]["src"] == "../build"
    assert inputs["environment"]["variables"]["VOICE_RECEIPTS_DIRECT_INVOCATION"] == "false"
    assert inputs["environment"]["variables"]["VOICE_RECEIPTS_TOKEN"] == "${env:VOICE_RECEIPTS_TOKEN}"
    (event,) = inputs["events"]
    assert event["http"]["parameters"]["authType"] == "NONE"  # VMS cannot sign: ?token= is the key
    assert set(inputs["cls"]) == {"logsetId", "topicId"}  # a topic of its own: `alarms apply` indexes it
    assert config("mysql")["inputs"]["runtime"] == config("cmq")["inputs"]["runtime"]


def test_the_mysql_function_joins_the_databases_vpc():
    inputs = config("mysql")["inputs"]
    assert inputs["vpcConfig"] == {
        "vpcId": "${env:VOICE_RECEIPTS_VPC_ID}",
        "subnetId": "${env:VOICE_RECEIPTS_SUBNET_ID}",
    }
    variables = inputs["environment"]["variables"]
    assert variables["VOICE_RECEIPTS_STORE"] == "${env:VOICE_RECEIPTS_STORE}"
    assert variables["VOICE_RECEIPTS_DB_PASSWORD"] == "${env:VOICE_RECEIPTS_DB_PASSWORD}"
    assert "vpcConfig" not in config("cmq")["inputs"] and "role" in config("cmq")["inputs"]


def test_the_example_store_url_is_a_mysql_url_without_its_password():
    url, _ = example("mysql")["VOICE_RECEIPTS_STORE"]
    settings = load_settings({"VOICE_RECEIPTS_STORE": url})
    assert settings.store.scheme == "mysql" and settings.store.password is None
    assert example("mysql")["VOICE_RECEIPTS_DB_PASSWORD"][0] == ""  # never a value in the repo
    assert example("mysql")["VOICE_RECEIPTS_TOKEN"][0] == ""


def test_the_timeouts_outlast_a_receipt_waiting_for_a_waking_database():
    inputs = config("mysql")["inputs"]
    url, _ = example("mysql")["VOICE_RECEIPTS_STORE"]
    waits = SQLAddress.of(load_settings({"VOICE_RECEIPTS_STORE": url}).store).timeouts
    assert waits == TIMEOUTS, "the example URL keeps the store's defaults, which these numbers follow"
    # a receipt: reconnects for up to `wait`, the last connect at most connect_timeout, its INSERT read_timeout
    worst_receipt = waits["wait"] + waits["connect_timeout"] + waits["read_timeout"]
    assert worst_receipt + 5 <= inputs["timeout"] <= SCF_MAX_TIMEOUT_S  # time left to answer the 503
    # init: one connect and the INSERT's rehearsal (runtime.py's warm-up), plus the imports
    worst_init = waits["connect_timeout"] + waits["read_timeout"]
    assert worst_init + 3 <= inputs["initTimeout"] <= SCF_MAX_INIT_TIMEOUT_S
    cmq = config("cmq")["inputs"]
    assert cmq["timeout"] >= 10  # docs/stores.md: a CMQ request ends within 5.2 s


@pytest.mark.parametrize(
    "path", ["deploy/tencent/mysql/.env", "deploy/tencent/cmq/.env", "deploy/tencent/build/x"]
)
def test_environment_files_and_the_build_are_never_committed(path):
    done = subprocess.run(["git", "check-ignore", "-q", path], cwd=samples.ROOT, check=False)
    assert done.returncode == 0, f"{path} is not ignored"
