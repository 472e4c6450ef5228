"""What `osls package` declares: a template cfn-lint accepts, saying what we mean (the function,
its store, its role, the SnapStart switch), and the Tencent SCF configuration.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.deploy.conftest import TABLE, resources, store_statements, tencent_inputs, the_function
from tests.helpers import assert_cfn_lint_clean

pytestmark = pytest.mark.deploy

TEST_TOKEN = "test-token-not-a-secret"  # params.test.token in serverless.yml


@pytest.mark.parametrize("variant", ["packaged", "packaged_sqs", "packaged_snapstart", "packaged_events"])
def test_cfn_lint_accepts_the_template(variant, request):
    package = request.getfixturevalue(variant)
    assert_cfn_lint_clean(package.dir / "cloudformation-template-update-stack.json")


def test_function_runtime_memory_and_route(packaged):
    t = packaged.template
    props = the_function(t)
    assert props["Handler"] == "handler.lambda_handler"
    assert re.fullmatch(r"python3\.1[2-9]", props["Runtime"])
    assert props["Architectures"] == ["arm64"]
    assert (props["MemorySize"], props["Timeout"]) == (128, 10)
    assert props["FunctionName"] == "voice-receipts-test-receive"  # stage-aware names
    routes = {r["Properties"]["RouteKey"] for r in resources(t, "AWS::ApiGatewayV2::Route").values()}
    assert routes == {"POST /voice/callback", "GET /voice/health"}
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    url = json.dumps(t["Outputs"]["CallbackUrl"]["Value"])
    assert "/voice/callback?token=" + TEST_TOKEN in url and "ApiEndpoint" in url
    health = json.dumps(t["Outputs"]["HealthUrl"]["Value"])
    assert "/voice/health" in health and "token" not in health


def test_environment_names_the_table_and_token(packaged):
    env = the_function(packaged.template)["Environment"]["Variables"]
    assert env["VOICE_RECEIPTS_STORE"] == f"dynamodb://{TABLE}"
    assert env["VOICE_RECEIPTS_TOKEN"] == TEST_TOKEN
    assert int(env["VOICE_RECEIPTS_RETENTION_DAYS"]) > 0
    # a bare callback from a non-proxy integration must not count as an IAM-authorised invocation
    assert env["VOICE_RECEIPTS_DIRECT_INVOCATION"] == "false"
    assert set(env) <= {
        "VOICE_RECEIPTS_STORE",
        "VOICE_RECEIPTS_TOKEN",
        "VOICE_RECEIPTS_DIRECT_INVOCATION",
        "VOICE_RECEIPTS_RETENTION_DAYS",
        "VOICE_RECEIPTS_ALLOWED_CIDRS",
        "VOICE_RECEIPTS_DB_PASSWORD",  # empty: a SQL store's alone (tests/deploy/test_sql_store.py)
    }
    assert env.get("VOICE_RECEIPTS_DB_PASSWORD", "") == ""


def test_table_keys_index_ttl_and_recovery(packaged):
    (table,) = resources(packaged.template, "AWS::DynamoDB::Table").values()
    p = table["Properties"]
    assert p["TableName"] == TABLE and p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["KeySchema"] == [
        {"AttributeName": "callid", "KeyType": "HASH"},
        {"AttributeName": "event_id", "KeyType": "RANGE"},
    ]
    assert {(a["AttributeName"], a["AttributeType"]) for a in p["AttributeDefinitions"]} == {
        ("callid", "S"),
        ("event_id", "S"),
        ("phone", "S"),
        ("context", "S"),
        ("received_at", "S"),
        ("call_at", "S"),
        ("call_day", "S"),
    }
    index, by_day, by_context = (
        next(i for i in p["GlobalSecondaryIndexes"] if i["IndexName"] == name)
        for name in ("by-number", "by-day", "by-context")
    )
    assert len(p["GlobalSecondaryIndexes"]) == 3
    assert index["KeySchema"] == [
        {"AttributeName": "phone", "KeyType": "HASH"},
        {"AttributeName": "call_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}  # the reader needs the callid
    assert by_day["KeySchema"] == [
        {"AttributeName": "call_day", "KeyType": "HASH"},
        {"AttributeName": "call_at", "KeyType": "RANGE"},
    ]
    from voice_receipts.stores.facts import FOLD_INPUTS

    # a report reads this index alone: every fold input but the keys is projected
    assert by_day["Projection"]["ProjectionType"] == "INCLUDE"
    assert set(by_day["Projection"]["NonKeyAttributes"]) == set(FOLD_INPUTS) - {"callid", "call_at"}
    assert by_context["IndexName"] == "by-context"
    assert by_context["KeySchema"] == [
        {"AttributeName": "context", "KeyType": "HASH"},
        {"AttributeName": "received_at", "KeyType": "RANGE"},
    ]
    assert by_context["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # the test stage may drop its table; real stages keep it (params.default)
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Delete"


def test_iam_grants_only_putitem_on_the_table(packaged):
    # the function only writes: reading is the operator's (show, report), under their own keys
    (statement,) = store_statements(packaged.template)
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == ["dynamodb:PutItem"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["ReceiptsTable", "Arn"]}]
    assert "*" not in json.dumps(store_statements(packaged.template))


def test_sqs_switch_swaps_the_table_for_a_fifo_queue_with_a_dead_letter_queue(packaged_sqs):
    t = packaged_sqs.template
    assert not resources(t, "AWS::DynamoDB::Table")
    queues = resources(t, "AWS::SQS::Queue")
    main, dlq = queues["ReceiptsQueue"]["Properties"], queues["ReceiptsDeadLetterQueue"]["Properties"]
    assert main["QueueName"] == "voice-receipts-test-receipts.fifo" and main["FifoQueue"] is True
    assert dlq["QueueName"].endswith(".fifo") and dlq["FifoQueue"] is True
    assert main["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ReceiptsDeadLetterQueue", "Arn"]}
    env = the_function(t)["Environment"]["Variables"]
    assert env["VOICE_RECEIPTS_STORE"] == "sqs://voice-receipts-test-receipts.fifo"
    (statement,) = store_statements(t)
    assert sorted(statement["Action"]) == ["sqs:GetQueueUrl", "sqs:SendMessage"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["ReceiptsQueue", "Arn"]}]


def test_snapstart_is_off_unless_asked(packaged):
    t = packaged.template
    assert "SnapStart" not in the_function(t)
    assert not resources(t, "AWS::Lambda::Alias")
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert "snapstart" not in json.dumps(integration)


def test_snapstart_switch_publishes_a_version_behind_an_alias_the_api_calls(packaged_snapstart):
    t = packaged_snapstart.template
    assert the_function(t)["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    (alias,) = resources(t, "AWS::Lambda::Alias").values()
    (version_id,) = resources(t, "AWS::Lambda::Version")
    assert alias["Properties"]["Name"] == "snapstart"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    # the HTTP API must invoke the alias (the snapshot), and may invoke only that
    alias_arn = {"Fn::Join": [":", [{"Fn::GetAtt": ["ReceiveLambdaFunction", "Arn"]}, "snapstart"]]}
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["IntegrationUri"] == alias_arn
    (permission,) = resources(t, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["FunctionName"] == alias_arn
    # the rest is the template without SnapStart
    assert resources(t, "AWS::DynamoDB::Table") and store_statements(t)


def test_tencent_config_is_a_public_function_url_to_cmq():
    inputs = tencent_inputs("cmq")
    assert inputs["handler"] == "handler.main_handler"
    assert re.fullmatch(r"Python3\.\d+", inputs["runtime"])
    assert (inputs["memorySize"], inputs["timeout"]) == (128, 10)
    (event,) = inputs["events"]
    params = event["http"]["parameters"]
    assert params["authType"] == "NONE" and params["netConfig"]["enableExtranet"] is True
    env = inputs["environment"]["variables"]
    assert env["VOICE_RECEIPTS_STORE"].startswith("cmq://")
    assert env["VOICE_RECEIPTS_TOKEN"].startswith("${env:"), "the token never lives in the repo"
