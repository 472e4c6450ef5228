"""`--param events=true`: the table's stream, the publisher function, its event source mapping
and its own narrow role; and with the default (off) none of it. cfn-lint runs on this template
too (test_package.py)."""

from __future__ import annotations

import subprocess

import pytest

from tests.deploy.conftest import OSLS, ROOT, offline_env

pytestmark = pytest.mark.deploy


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def statements(role: dict) -> list[dict]:
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_off_by_default_nothing_is_added(packaged):
    t = packaged.template
    assert "StreamSpecification" not in t["Resources"]["ReceiptsTable"]["Properties"]
    assert not of_type(t, "AWS::Lambda::EventSourceMapping")
    assert list(of_type(t, "AWS::Lambda::Function")) == ["ReceiveLambdaFunction"]
    assert list(of_type(t, "AWS::IAM::Role")) == ["IamRoleLambdaExecution"]
    assert not of_type(t, "AWS::SQS::Queue")


def test_on_the_table_streams_new_images_to_the_publisher(packaged_events):
    t = packaged_events.template
    assert t["Resources"]["ReceiptsTable"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_IMAGE"
    }
    function = t["Resources"]["PublishEventsLambdaFunction"]["Properties"]
    assert function["Handler"] == "voice_receipts.publish.lambda_handler"
    assert function["Environment"]["Variables"] == {"VOICE_RECEIPTS_EVENT_BUS": "default"}
    assert function["Role"] == {"Fn::GetAtt": ["EventsPublisherRole", "Arn"]}
    [mapping] = of_type(t, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["ReceiptsTable", "StreamArn"]}
    assert props["FunctionName"] == {"Fn::GetAtt": ["PublishEventsLambdaFunction", "Arn"]}
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == 5 and props["BatchSize"] == 10
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]
    }
    assert props["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}
    assert "FunctionResponseTypes" not in props  # a failure fails the batch: bisect finds it


def test_the_publisher_may_put_on_one_bus_and_read_one_stream_only(packaged_events, packaged):
    t = packaged_events.template
    found = {
        tuple(sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])): s["Resource"]
        for s in statements(t["Resources"]["EventsPublisherRole"])
    }
    bus = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
    assert found[("events:PutEvents",)] == {"Fn::Sub": bus}
    stream = (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    )
    assert found[stream] == {"Fn::GetAtt": ["ReceiptsTable", "StreamArn"]}
    assert found[("sqs:SendMessage",)] == {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}
    assert found[("logs:CreateLogStream", "logs:PutLogEvents")] == {
        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/voice-receipts-test-publishEvents:*"
    }
    assert len(found) == 4
    # the receiver's role is exactly what it is with events off
    receiver = t["Resources"]["IamRoleLambdaExecution"]
    assert statements(receiver) == statements(packaged.template["Resources"]["IamRoleLambdaExecution"])


def test_events_need_the_dynamodb_store():
    proc = subprocess.run(
        [str(OSLS), "print", "--stage", "test", "--param", "events=true", "--param", "store=sqs"],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # osls's words, not ours (its variables have no conditions): the events part names
    # custom.store.streamArn, which only store-dynamodb.yml defines
    assert proc.returncode != 0
    assert 'Cannot resolve variable at "custom.events' in proc.stdout
    assert 'Value not found at "self" source' in proc.stdout
