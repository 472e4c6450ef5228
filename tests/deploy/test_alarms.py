"""Alarms, their notifications and the dashboard, as `osls package` writes them into the template.

Each alarm is checked for what it watches (namespace, metric, dimensions), when it fires
(statistic, period, threshold, comparison) and where it notifies. The notification choice is made
by CloudFormation from two stack parameters, so the tests evaluate the template's conditions for
each choice the way CloudFormation does, and one extra package checks that osls's
`--param alarmEmail=… --param alarmTopicArn=…` become those parameters' defaults.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.deploy.conftest import ROOT, package_beside, resources
from tests.helpers import assert_cfn_lint_clean
from voice_receipts import metrics, replies
from voice_receipts.states import ENDED

pytestmark = pytest.mark.deploy

FUNCTION = {"Ref": "ReceiveLambdaFunction"}  # Ref of a function is its name
# every threshold and the period come from the one table both clouds read
LIMITS = json.loads((ROOT / "deploy" / "alarm-thresholds.json").read_text())
EMAIL = "ops@example.com"
TOPIC = "arn:aws:sns:us-east-1:123456789012:pager"


def evaluate(node, params: dict[str, str], template: dict):
    """A template fragment with its Refs to parameters, conditions and Fn::If resolved."""
    conditions = template.get("Conditions", {})
    if isinstance(node, list):
        return [evaluate(n, params, template) for n in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"} and node["Ref"] in template.get("Parameters", {}):
        return params.get(node["Ref"], template["Parameters"][node["Ref"]]["Default"])
    if set(node) == {"Condition"}:
        return evaluate(conditions[node["Condition"]], params, template)
    if set(node) == {"Fn::Equals"}:
        a, b = evaluate(node["Fn::Equals"], params, template)
        return a == b
    if set(node) == {"Fn::Not"}:
        return not evaluate(node["Fn::Not"][0], params, template)
    if set(node) == {"Fn::If"}:
        name, yes, no = node["Fn::If"]
        return evaluate(yes if evaluate(conditions[name], params, template) else no, params, template)
    return {k: evaluate(v, params, template) for k, v in node.items()}


def deployed(template: dict, params: dict[str, str]) -> dict[str, dict]:
    """The resources CloudFormation would create with these parameters, conditions resolved."""
    out = {}
    for name, resource in template["Resources"].items():
        condition = resource.get("Condition")
        if condition and not evaluate({"Condition": condition}, params, template):
            continue
        out[name] = evaluate(resource, params, template)
    return out


def alarms(template: dict, params: dict[str, str] | None = None) -> dict[str, dict]:
    return {
        k: v["Properties"]
        for k, v in deployed(template, params or {}).items()
        if v["Type"] == "AWS::CloudWatch::Alarm"
    }


def dims(alarm: dict) -> dict:
    return {d["Name"]: d["Value"] for d in alarm["Dimensions"]}


# logical id -> (namespace, metric, dimensions, statistic, threshold)
FUNCTION_ALARMS = {
    "StoreRefusedAlarm": (
        metrics.NAMESPACE,
        metrics.RECEIPTS,
        {"function": FUNCTION, "outcome": replies.UNAVAILABLE},
        "Sum",
        LIMITS["store_refused"],
    ),
    "UnauthorizedBurstAlarm": (
        metrics.NAMESPACE,
        metrics.RECEIPTS,
        {"function": FUNCTION, "outcome": replies.UNAUTHORIZED},
        "Sum",
        LIMITS["unauthorized_burst"],
    ),
    "InternalErrorAlarm": (
        metrics.NAMESPACE,
        metrics.RECEIPTS,
        {"function": FUNCTION, "outcome": replies.ERROR},
        "Sum",
        LIMITS["internal_error"],
    ),
    "FunctionErrorsAlarm": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": FUNCTION},
        "Sum",
        LIMITS["function_errors"],
    ),
    "FunctionThrottlesAlarm": (
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": FUNCTION},
        "Sum",
        LIMITS["function_throttles"],
    ),
}
SQS_ALARMS = {
    "DeadLetterQueueAlarm": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": {"Fn::GetAtt": ["ReceiptsDeadLetterQueue", "QueueName"]}},
        "Maximum",
        LIMITS["dead_letters"],
    ),
    "OldestReceiptAlarm": (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": {"Fn::GetAtt": ["ReceiptsQueue", "QueueName"]}},
        "Maximum",
        LIMITS["oldest_receipt_seconds"],
    ),
}


EVENTS_ALARMS = {
    "EventsPublisherErrorsAlarm": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": {"Ref": "PublishEventsLambdaFunction"}},
        "Sum",
        LIMITS["events_publisher_errors"],
    ),
    "EventsGivenUpAlarm": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": {"Fn::GetAtt": ["EventsDeadLetterQueue", "QueueName"]}},
        "Maximum",
        LIMITS["events_given_up"],
    ),
}


def check_alarm(name: str, alarm: dict, want: tuple) -> None:
    namespace, metric, dimensions, statistic, threshold = want
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric), name
    assert dims(alarm) == dimensions, name
    assert alarm["Statistic"] == statistic, name
    assert float(alarm["Threshold"]) == threshold, name
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (LIMITS["period_seconds"], 1), name
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name
    assert alarm["TreatMissingData"] == "notBreaching", name  # no traffic is not an incident
    assert alarm["AlarmName"].startswith("voice-receipts-test-"), name


def test_the_function_alarms_watch_what_they_say(packaged):
    found = alarms(packaged.template)
    assert set(found) == set(FUNCTION_ALARMS), "the DynamoDB stack has no queue alarms"
    for name, want in FUNCTION_ALARMS.items():
        check_alarm(name, found[name], want)


def test_the_sqs_stack_adds_the_queue_alarms(packaged_sqs):
    found = alarms(packaged_sqs.template)
    assert set(found) == set(FUNCTION_ALARMS) | set(SQS_ALARMS)
    for name, want in {**FUNCTION_ALARMS, **SQS_ALARMS}.items():
        check_alarm(name, found[name], want)


def test_events_add_the_publishers_alarms_to_the_same_topic(packaged_events):
    found = alarms(packaged_events.template)
    assert set(found) == set(FUNCTION_ALARMS) | set(EVENTS_ALARMS)
    for name, want in {**FUNCTION_ALARMS, **EVENTS_ALARMS}.items():
        check_alarm(name, found[name], want)
    actions = {json.dumps(a["AlarmActions"]) for a in found.values()}
    assert len(actions) == 1 and "AlarmTopic" in actions.pop()


def test_by_default_alarms_notify_a_topic_of_the_stacks_own_with_no_subscriber(packaged):
    t = packaged.template
    created = deployed(t, {})
    assert created["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    assert created["AlarmTopic"]["Properties"]["TopicName"] == "voice-receipts-test-alarms"
    assert "AlarmEmailSubscription" not in created
    for name, alarm in alarms(t).items():
        assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
    assert evaluate(t["Outputs"]["AlarmTopicArn"]["Value"], {}, t) == {"Ref": "AlarmTopic"}


def test_an_email_is_subscribed_to_the_stacks_topic(packaged):
    t = packaged.template
    created = deployed(t, {"AlarmEmail": EMAIL})
    sub = created["AlarmEmailSubscription"]["Properties"]
    assert sub == {"Protocol": "email", "Endpoint": EMAIL, "TopicArn": {"Ref": "AlarmTopic"}}
    assert all(
        a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms(t, {"AlarmEmail": EMAIL}).values()
    )


def test_your_own_topic_replaces_the_stacks(packaged_sqs):
    t = packaged_sqs.template
    created = deployed(t, {"AlarmTopicArn": TOPIC})
    assert "AlarmTopic" not in created and "AlarmEmailSubscription" not in created
    for name, alarm in alarms(t, {"AlarmTopicArn": TOPIC}).items():
        assert alarm["AlarmActions"] == alarm["OKActions"] == [TOPIC], name
    both = deployed(t, {"AlarmTopicArn": TOPIC, "AlarmEmail": EMAIL})
    assert both["AlarmEmailSubscription"]["Properties"]["TopicArn"] == TOPIC


def test_the_topic_parameter_refuses_what_is_not_an_sns_arn(packaged):
    pattern = packaged.template["Parameters"]["AlarmTopicArn"]["AllowedPattern"]
    assert re.fullmatch(pattern, "") and re.fullmatch(pattern, TOPIC)
    assert not re.fullmatch(pattern, "arn:aws:sqs:us-east-1:123456789012:q")
    assert not re.fullmatch(pattern, "ops@example.com")


@pytest.fixture(scope="module")
def packaged_with_params(packaged, tmp_path_factory):
    """--param alarmEmail=… --param alarmTopicArn=… --param unauthorizedAlarmThreshold=12"""
    return package_beside(
        packaged,
        tmp_path_factory,
        "alarm-params",
        *("--param", f"alarmEmail={EMAIL}", "--param", f"alarmTopicArn={TOPIC}"),
        *("--param", "unauthorizedAlarmThreshold=12"),
    )


def test_osls_params_become_the_stacks_parameter_defaults(packaged_with_params):
    t = packaged_with_params.template
    assert t["Parameters"]["AlarmEmail"]["Default"] == EMAIL
    assert t["Parameters"]["AlarmTopicArn"]["Default"] == TOPIC
    created = deployed(t, {})
    assert "AlarmTopic" not in created
    assert created["AlarmEmailSubscription"]["Properties"]["TopicArn"] == TOPIC
    assert float(alarms(t)["UnauthorizedBurstAlarm"]["Threshold"]) == 12
    assert_cfn_lint_clean(packaged_with_params.dir / "cloudformation-template-update-stack.json")


# --- the dashboard ---------------------------------------------------------------------------


def dashboard(template: dict) -> dict:
    (board,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    assert board["Properties"]["DashboardName"] == "voice-receipts-test"
    parts = board["Properties"]["DashboardBody"]["Fn::Join"][1]
    refs = {"ReceiveLambdaFunction": "FUNCTION", "AWS::Region": "REGION"}
    return json.loads("".join(p if isinstance(p, str) else refs[p["Ref"]] for p in parts))


def test_the_dashboard_shows_the_six_charts_of_our_metrics(packaged):
    body = dashboard(packaged.template)
    titles = [w["properties"]["title"] for w in body["widgets"]]
    for words in ("by outcome", "Answer rate", "by final state", "Duration", "Cold starts", "Errors"):
        assert any(words in t for t in titles), words
    values = {
        "function": {"FUNCTION"},
        "FunctionName": {"FUNCTION"},
        "outcome": {
            replies.STORED,
            replies.DUPLICATE,
            replies.REJECTED,
            replies.UNAUTHORIZED,
            replies.UNAVAILABLE,
            replies.ERROR,
        },
        "state": {s.value for s in ENDED},
    }
    names = {metrics.RECEIPTS, metrics.CALLS, metrics.COLD_STARTS, metrics.INIT_DURATION}
    for widget in body["widgets"]:
        props = widget["properties"]
        assert props["region"] == "REGION"
        ids = set()
        for row in props["metrics"]:
            if isinstance(row[0], dict):  # metric math
                continue
            namespace, name, *rest = row
            options = rest.pop() if rest and isinstance(rest[-1], dict) else {}
            ids.add(options.get("id"))
            dimensions = dict(zip(rest[::2], rest[1::2]))
            if namespace == metrics.NAMESPACE:
                assert name in names, name
            else:
                assert namespace == "AWS/Lambda" and name in ("Duration", "Errors", "Throttles")
            for dim, value in dimensions.items():
                assert value in values[dim], (dim, value)
        for row in props["metrics"]:
            if isinstance(row[0], dict):
                used = set(re.findall(r"\b([a-z])\b", row[0]["expression"]))
                assert used <= ids, (row[0]["expression"], ids)
    (rate,) = [w for w in body["widgets"] if "Answer rate" in w["properties"]["title"]]
    (expression,) = [r[0]["expression"] for r in rate["properties"]["metrics"] if isinstance(r[0], dict)]
    assert expression.startswith("100 * FILL(a, 0)")
    (duration,) = [w for w in body["widgets"] if "Duration" in w["properties"]["title"]]
    assert any(
        isinstance(r[-1], dict) and r[-1].get("stat") == "p99" for r in duration["properties"]["metrics"]
    )
