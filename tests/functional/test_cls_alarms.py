"""`alarms apply` against the local CLS stub over loopback: the SDK signs, the stub checks every
request against the SDK's own models and keeps the index and the policies, so what a first and a
second run change is observable. Nothing reaches Tencent."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import samples
from tests.stubs.cls_stub import ACTIONS, VERSION, ClsStub, check_fields
from voice_receipts import logs, replies
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.errors import StoreUnavailable
from voice_receipts.tools import alarms as alarms_mod
from voice_receipts.tools import cls_api

TOPIC = "0a1b2c3d-scf-logs"
WRITES = {"CreateIndex", "ModifyIndex", "CreateAlarm", "ModifyAlarm"}
THRESHOLDS = json.loads(alarms_mod.THRESHOLDS.read_text())
SPEC = json.loads((alarms_mod.CLS_DIR / "alarms.json").read_text())
INDEX = json.loads((alarms_mod.CLS_DIR / "index.json").read_text())


@pytest.fixture
def stub():
    with ClsStub(topics=[TOPIC], notices={"notice-ops": "ops", "notice-ops2": "ops-night"}) as running:
        yield running


def env_for(stub: ClsStub, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICE_RECEIPTS_", "TENCENTCLOUD_"))}
    env.update(
        VOICE_RECEIPTS_CLS_ENDPOINT=stub.url,
        TENCENTCLOUD_SECRET_ID=stub.secret_id,
        TENCENTCLOUD_SECRET_KEY=stub.secret_key,
        PYTHONPATH=str(samples.ROOT),
    )
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def run(stub: ClsStub, *extra: str, env: dict | None = None, **changes) -> subprocess.CompletedProcess:
    args = ["--topic-id", TOPIC, "--notice-group", "ops", "--region", "ap-guangzhou", *extra]
    return subprocess.run(
        [sys.executable, "-m", "voice_receipts", "alarms", "apply", *args],
        env=env or env_for(stub, **changes),
        capture_output=True,
        text=True,
        timeout=60,
    )


def client_for(stub: ClsStub):
    return cls_api.build_client(load_settings(env_for(stub)), "ap-guangzhou")


def assert_clean(text: str, stub: ClsStub) -> None:
    assert stub.secret_id not in text and stub.secret_key not in text
    assert "Traceback" not in text


# -- what is sent -------------------------------------------------------------------------------


def test_every_request_is_a_cls_action_its_sdk_model_knows(stub):
    done = run(stub)
    assert done.returncode == 0, done.stderr
    assert stub.received, "the stub was called"
    for r in stub.received:
        assert r.action in ACTIONS and r.headers["X-TC-Version"] == VERSION
        assert r.headers["X-TC-Region"] == "ap-guangzhou" and r.signature_valid
        assert check_fields(f"{r.action}Request", r.json) == [], r.action
    errors = [r.error for r in stub.received if r.error]
    assert errors == ["ResourceNotFound.IndexNotExist"]  # the first DescribeIndex of a new topic
    assert_clean(done.stdout + done.stderr, stub)


def test_the_model_check_finds_an_unknown_a_missing_and_a_mistyped_field():
    # the check itself must be able to fail, or the test above proves nothing
    good = {"Name": "n", "AlarmTargets": [], "MonitorTime": {"Type": "Period"}, "TriggerCount": 1}
    assert check_fields("CreateAlarmRequest", {**good, "AlarmPeriod": 0}) == []
    assert check_fields("CreateAlarmRequest", good) == ["AlarmPeriod: required by CreateAlarmRequest"]
    bad = {**good, "AlarmPeriod": 0, "AlarmTargets": [{"TopicId": "t", "Qeury": "*"}]}
    problems = check_fields("CreateAlarmRequest", bad)
    assert "AlarmTargets[0].Qeury: not a field of AlarmTarget" in problems
    assert "AlarmTargets[0].Query: required by AlarmTarget" in problems
    assert check_fields("MonitorTime", {"Type": "Period", "Time": "5"}) == ["Time: int expected, got str"]


def test_a_first_run_creates_the_index_and_every_policy_as_the_files_say(stub):
    done = run(stub, "--stage", "prod")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"index of topic {TOPIC}: created"
    index = stub.indexes[TOPIC]
    assert index["Rule"]["KeyValue"] == INDEX["Rule"]["KeyValue"]
    assert index["Rule"]["FullText"] == INDEX["Rule"]["FullText"] and index["Status"] is True
    by_name = {a["Name"]: a for a in stub.alarms.values()}
    assert sorted(by_name) == sorted(f"voice-receipts-prod-{a['name']}" for a in SPEC["alarms"])
    period = THRESHOLDS["period_seconds"] // 60
    for spec in SPEC["alarms"]:
        alarm = by_name[f"voice-receipts-prod-{spec['name']}"]
        assert alarm["Condition"] == f"$1.n >= {THRESHOLDS[spec['threshold']]}"
        (target,) = alarm["AlarmTargets"]
        assert (target["TopicId"], target["Query"], target["Number"]) == (TOPIC, spec["query"], 1)
        assert (target["StartTimeOffset"], target["EndTimeOffset"]) == (-period, 0)
        assert alarm["MonitorTime"] == {"Type": "Period", "Time": period}
        assert alarm["AlarmNoticeIds"] == ["notice-ops"]  # "ops" exactly, not "ops-night"
        assert f"alarm {alarm['Name']}: created ({alarm['AlarmId']})" in done.stdout


def test_a_second_run_changes_nothing(stub):
    assert run(stub).returncode == 0
    before, sent = copy.deepcopy((stub.indexes, stub.alarms)), len(stub.received)
    done = run(stub)
    assert done.returncode == 0, done.stderr
    assert [r.action for r in stub.received[sent:] if r.action in WRITES] == []
    assert (stub.indexes, stub.alarms) == before
    assert done.stdout.count(": unchanged") == 1 + len(SPEC["alarms"])


def test_a_changed_threshold_modifies_that_policy_only(stub, tmp_path):
    client = client_for(stub)
    alarms_mod.apply(client, topic_id=TOPIC, notice_group_name="ops", stage="prod", report=lambda c: None)
    ids = {a["Name"]: a["AlarmId"] for a in stub.alarms.values()}
    changed = tmp_path / "thresholds.json"
    changed.write_text(json.dumps({**THRESHOLDS, "unauthorized_burst": 12}))
    sent = len(stub.received)
    changes = alarms_mod.apply(
        client,
        topic_id=TOPIC,
        notice_group_name="ops",
        stage="prod",
        thresholds=changed,
        report=lambda c: None,
    )
    writes = [(r.action, r.json.get("Name")) for r in stub.received[sent:] if r.action in WRITES]
    assert writes == [("ModifyAlarm", "voice-receipts-prod-unauthorized-burst")]
    assert [str(c).split(": ")[1] for c in changes].count("updated (" + ids[writes[0][1]] + ")") == 1
    assert {a["Name"]: a["AlarmId"] for a in stub.alarms.values()} == ids  # updated in place
    assert stub.alarms[ids[writes[0][1]]]["Condition"] == "$1.n >= 12"


def test_an_existing_index_is_updated_and_keys_of_your_own_are_kept(stub):
    mine = {"Key": "my_field", "Value": {"Type": "text", "Tokenizer": ",", "SqlFlag": True}}
    old_message = {"Key": "SCF_Message", "Value": {"Type": "text", "Tokenizer": " ", "SqlFlag": False}}
    stub.indexes[TOPIC] = {
        "TopicId": TOPIC,
        "Status": True,
        "Rule": {"FullText": None, "KeyValue": {"CaseSensitive": False, "KeyValues": [mine, old_message]}},
    }
    done = run(stub)
    assert done.returncode == 0, done.stderr
    assert f"index of topic {TOPIC}: updated" in done.stdout
    keys = {kv["Key"]: kv["Value"] for kv in stub.indexes[TOPIC]["Rule"]["KeyValue"]["KeyValues"]}
    assert keys["my_field"] == mine["Value"]
    assert keys["SCF_Message"]["SqlFlag"] is True  # ours replaced the old SCF_Message key
    assert f"index of topic {TOPIC}: unchanged" in run(stub).stdout


def test_similar_names_are_left_alone(stub):
    assert run(stub, "--stage", "prod").returncode == 0
    assert run(stub, "--stage", "prod-eu").returncode == 0  # "prod" is a part of "prod-eu"'s names
    names = sorted(a["Name"] for a in stub.alarms.values())
    assert len(names) == 2 * len(SPEC["alarms"]) and len(set(names)) == len(names)


def test_dry_run_says_what_it_would_do_and_writes_nothing(stub):
    done = run(stub, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "index of topic" in done.stdout and done.stdout.count("would be created") == 1 + len(
        SPEC["alarms"]
    )
    assert [r for r in stub.received if r.action in WRITES] == [] and stub.alarms == {}


# -- the notification group ---------------------------------------------------------------------


def test_the_notification_group_by_id(stub):
    assert run(stub, "--notice-group", "notice-ops2").returncode == 0
    assert {tuple(a["AlarmNoticeIds"]) for a in stub.alarms.values()} == {("notice-ops2",)}


def test_a_notification_group_nobody_made_stops_before_any_change(stub):
    done = run(stub, "--notice-group", "pager")
    assert done.returncode == 4 and "no CLS notification group named pager" in done.stderr
    assert [r.action for r in stub.received] == ["DescribeAlarmNotices"]


def test_two_groups_of_one_name_ask_for_the_id(stub):
    stub.notices["notice-ops3"] = "ops"
    done = run(stub)
    assert done.returncode == 5 and "notice-ops, notice-ops3" in done.stderr and stub.alarms == {}


# -- errors: one line each, an exit status each, no secret -------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("AuthFailure.SignatureFailure", 3, "TENCENTCLOUD_SECRET_ID"),
        ("UnauthorizedOperation", 3, "cls:CreateAlarm"),
        ("ResourceNotFound.TopicNotExist", 4, "--topic-id"),
        ("InvalidParameter", 5, "CLS refused a parameter"),
        ("LimitExceeded.IndexOperating", 6, "run it again"),
        ("RequestLimitExceeded", 6, "run it again"),
        ("InternalError.ServerBusy", 6, "run it again"),
        ("SomethingNew", 1, "CLS refused (SomethingNew)"),
    ],
)
def test_cls_errors_are_translated_to_exit_statuses(stub, code, status, words):
    stub.fail_next(code, "echo of a secret: " + stub.secret_key)
    done = run(stub)
    assert done.returncode == status, done.stderr
    assert words in done.stderr and len(done.stderr.splitlines()) == 1 and "RequestId" in done.stderr
    assert_clean(done.stdout + done.stderr, stub)


def test_a_wrong_key_is_refused_by_the_signature_check(stub):
    done = run(stub, TENCENTCLOUD_SECRET_KEY="not-the-key-0000000000000000000")
    assert done.returncode == 3 and "AuthFailure.SignatureFailure" in done.stderr
    assert_clean(done.stdout + done.stderr, stub)
    assert "not-the-key" not in done.stderr


def test_no_answer_is_exit_6(stub):
    stub.drop_next()
    done = run(stub)
    assert done.returncode == 6 and "cannot reach the CLS endpoint" in done.stderr
    assert_clean(done.stderr, stub)


def test_missing_credentials_region_and_topic_are_usage_errors(stub):
    no_keys = run(stub, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)
    assert no_keys.returncode == 2 and "TENCENTCLOUD_SECRET_ID" in no_keys.stderr
    env = env_for(stub)
    bad_region = subprocess.run(
        [sys.executable, "-m", "voice_receipts", "alarms", "apply", "--topic-id", TOPIC]
        + ["--notice-group", "ops", "--region", "Guangzhou"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_region.returncode == 2 and "--region must be a Tencent Cloud region" in bad_region.stderr
    assert run(stub, "--stage", "a|b").returncode == 2  # CLS refuses '|' in a name
    assert stub.received == []  # refused before any request


def test_a_run_that_stopped_part_way_or_a_console_edit_is_put_right_by_running_again(stub):
    assert run(stub).returncode == 0
    by_name = {a["Name"]: a for a in stub.alarms.values()}
    del stub.alarms[by_name["voice-receipts-prod-function-errors"]["AlarmId"]]  # never created
    edited = by_name["voice-receipts-prod-store-refused"]
    edited["Condition"] = "$1.n >= 100"  # changed by hand in the console
    sent = len(stub.received)
    done = run(stub)
    assert done.returncode == 0, done.stderr
    writes = sorted((r.action, r.json["Name"]) for r in stub.received[sent:] if r.action in WRITES)
    assert writes == [
        ("CreateAlarm", "voice-receipts-prod-function-errors"),
        ("ModifyAlarm", "voice-receipts-prod-store-refused"),
    ]
    assert stub.alarms[edited["AlarmId"]]["Condition"] == f"$1.n >= {THRESHOLDS['store_refused']}"


# -- the queries find the lines the function writes ---------------------------------------------


class Refusing:
    """A store that refuses every write, as a paused or unreachable database does."""

    def put(self, receipt):
        raise StoreUnavailable("stub: store refused")


def tokens(text: str) -> set[str]:
    """text split at the index's separators, as CLS tokenizes SCF_Message."""
    separators = INDEX["Rule"]["KeyValue"]["KeyValues"][0]["Value"]["Tokenizer"]
    return {t for t in re.split("[" + re.escape(separators) + "]", text) if t}


def function_lines(events, store) -> list[str]:
    stream = io.StringIO()
    logs.configure("INFO", stream)
    app = App(
        load_settings({"VOICE_RECEIPTS_STORE": "sqlite:///unused", "VOICE_RECEIPTS_TOKEN": "t" * 16}), store
    )
    for event in events:
        app(event, None)
    return stream.getvalue().splitlines()


@pytest.mark.parametrize(
    ("alarm", "outcome"),
    [("store-refused", replies.UNAVAILABLE), ("unauthorized-burst", replies.UNAUTHORIZED)],
)
def test_each_outcome_query_matches_the_functions_own_line(alarm, outcome):
    body = samples.body("voicecode_callback")
    token = "t" * 16 if outcome == replies.UNAVAILABLE else "wrong-token-0000"
    (line,) = function_lines([samples.tencent_url(body, query={"token": token})], Refusing())
    (spec,) = [a for a in SPEC["alarms"] if a["name"] == alarm]
    search, sql = spec["query"].split(" | ")
    key, word = search.split(":")
    assert key == "SCF_Message" and word in tokens(line)  # the search finds the line
    field, value = re.search(r"json_extract_scalar\(SCF_Message, '\$\.(\w+)'\) = '(\w+)'", sql).groups()
    assert json.loads(line)[field] == value == outcome  # and the WHERE counts it


def test_the_internal_error_query_names_the_outcome_of_a_500():
    (spec,) = [a for a in SPEC["alarms"] if a["name"] == "internal-error"]
    assert spec["query"].startswith(f"SCF_Message:{replies.ERROR} |")
    assert f"'$.outcome') = '{replies.ERROR}'" in spec["query"]
    assert replies.INTERNAL_REPLY.outcome == replies.ERROR and replies.INTERNAL_REPLY.status == 500


def test_every_field_a_query_reads_is_indexed_for_analysis():
    indexed = {kv["Key"]: kv["Value"] for kv in INDEX["Rule"]["KeyValue"]["KeyValues"]}
    for spec in SPEC["alarms"]:
        for field in set(re.findall(r"\bSCF_\w+", spec["query"])):
            assert field in indexed and indexed[field]["SqlFlag"], (spec["name"], field)
    assert indexed["SCF_StatusCode"]["Type"] == "long"  # the `:>200` range search needs a number


def test_one_threshold_table_for_both_clouds():
    aws = Path(samples.ROOT, "deploy", "aws", "alarms.yml").read_text()
    assert "Threshold: 1" not in aws and "Period: 300" not in aws  # numbers live in the table only
    for spec in SPEC["alarms"]:
        assert spec["threshold"] in THRESHOLDS
