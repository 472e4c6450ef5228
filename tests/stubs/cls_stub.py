"""A local stand-in for Tencent Cloud's CLS API 3.0 (service cls, version 2020-10-16): the index and
alarm-policy actions `alarms apply` calls, with state, so a second run is observable.

The gateway's checks (signature, clock, token, version) come from tencent_api.TencentApiStub. Every
request's fields are then checked against the SDK's own models (tencentcloud/cls/v20201016/models.py,
nested structures too, by the `:rtype:` each property documents), and the fields the API reference
marks required must be there; errors are those of the SDK's errorcodes.py:

    with ClsStub(topics=["topic-1"], notices={"notice-1": "ops"}) as stub:
        ...HttpProfile(endpoint=stub.endpoint, protocol="http")...
        stub.indexes["topic-1"], stub.alarms   # what CLS would now hold
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from typing import Any

from tencentcloud.cls.v20201016 import models

from tests.stubs.tencent_api import StubError, TencentApiStub

SERVICE = "cls"
VERSION = "2020-10-16"
ACTIONS: tuple[str, ...] = ("DescribeIndex", "CreateIndex", "ModifyIndex", "DescribeAlarms", "CreateAlarm")
ACTIONS += ("ModifyAlarm", "DescribeAlarmNotices")
# "必选: 是" in the API reference (cloud.tencent.com/document/api/614: CreateAlarm 56466, CreateIndex
# 56445, DescribeIndex 56443, ...); the SDK's models do not mark them. By model, nested ones too.
REQUIRED = {
    "CreateAlarmRequest": {"Name", "AlarmTargets", "MonitorTime", "TriggerCount", "AlarmPeriod"},
    "ModifyAlarmRequest": {"AlarmId"},
    "CreateIndexRequest": {"TopicId", "Rule"},
    "ModifyIndexRequest": {"TopicId"},
    "DescribeIndexRequest": {"TopicId"},
    "AlarmTarget": {"TopicId", "Query", "Number", "StartTimeOffset", "EndTimeOffset"},
    "MonitorTime": {"Type"},
    "Filter": {"Key", "Values"},
    "KeyValueInfo": {"Key", "Value"},
    "ValueInfo": {"Type"},
}
_RTYPE = re.compile(r":rtype:\s*(?:list of\s+)?(?::class:`tencentcloud\.cls\.v20201016\.models\.)?(\w+)")
_SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float)}
MAX_LIMIT = 100


def model_fields(model: str) -> dict[str, str]:
    """Field name -> its documented type name (a model's name, or str/int/bool/float)."""
    cls = getattr(models, model)
    out = {}
    for attr in vars(cls()):
        prop = getattr(cls, attr.lstrip("_"), None)
        match = _RTYPE.search((prop.fget.__doc__ or "") if isinstance(prop, property) else "")
        out[attr.lstrip("_")] = match.group(1) if match else "?"
    return out


def check_fields(model: str, value: Any, path: str = "") -> list[str]:
    """Every problem of `value` as an instance of the SDK's `model`: unknown fields, missing
    required ones, wrong scalar types. [] when it would pass."""
    if not isinstance(value, dict):
        return [f"{path or model}: an object was expected"]
    fields = model_fields(model)
    problems = [f"{path}{name}: not a field of {model}" for name in value if name not in fields]
    problems += [
        f"{path}{name}: required by {model}" for name in sorted(REQUIRED.get(model, set()) - set(value))
    ]
    for name, item in value.items():
        kind = fields.get(name)
        if kind is None or item is None:
            continue
        items = item if isinstance(item, list) else [item]
        for i, one in enumerate(items):
            where = f"{path}{name}" + (f"[{i}]" if isinstance(item, list) else "")
            if kind in _SCALARS:
                if not isinstance(one, _SCALARS[kind]) or (kind == "int" and isinstance(one, bool)):
                    problems.append(f"{where}: {kind} expected, got {type(one).__name__}")
            elif kind != "?":
                problems += check_fields(kind, one, where + ".")
    return problems


class ClsStub(TencentApiStub):
    SERVICE = SERVICE
    VERSION = VERSION
    ACTIONS = frozenset(ACTIONS)

    def __init__(
        self,
        *,
        topics: tuple[str, ...] | list[str] = ("topic-1",),
        notices: dict[str, str] | None = None,
        **options,
    ) -> None:
        """`topics`: log topic ids that exist. `notices`: notification group id -> name."""
        super().__init__(**options)
        self.topics = set(topics)
        self.notices = dict(notices if notices is not None else {"notice-1": "ops"})
        self.indexes: dict[str, dict[str, Any]] = {}  # topic id -> DescribeIndex's answer
        self.alarms: dict[str, dict[str, Any]] = {}  # alarm id -> DescribeAlarms' AlarmInfo
        self._ids = itertools.count(1)
        self._state = threading.Lock()  # the base class's lock is held around _forget only

    def _forget(self) -> None:
        self.indexes.clear()
        self.alarms.clear()

    def _answer(self, action: str, params: dict) -> tuple[dict, str]:
        problems = check_fields(f"{action}Request", params)
        if problems:
            code = "MissingParameter" if "required" in problems[0] else "UnknownParameter"
            raise StubError(code, "; ".join(problems))
        with self._state:
            return getattr(self, f"_{action}")(params)

    # -- index ------------------------------------------------------------------------------
    def _topic(self, params: dict) -> str:
        if params["TopicId"] not in self.topics:
            raise StubError("ResourceNotFound.TopicNotExist", "the log topic does not exist")
        return params["TopicId"]

    def _DescribeIndex(self, params: dict) -> tuple[dict, str]:  # noqa: N802 - the action's name
        topic = self._topic(params)
        if topic not in self.indexes:
            raise StubError("ResourceNotFound.IndexNotExist", "the topic has no index")
        return copy.deepcopy(self.indexes[topic]), topic

    def _CreateIndex(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        topic = self._topic(params)
        if topic in self.indexes:
            raise StubError("InvalidParameter.IndexConflict", "the topic already has an index")
        self.indexes[topic] = self._index(topic, params, {})
        return {}, topic

    def _ModifyIndex(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        topic = self._topic(params)
        if topic not in self.indexes:
            raise StubError("ResourceNotFound.IndexNotExist", "the topic has no index")
        self.indexes[topic] = self._index(topic, params, self.indexes[topic])
        return {}, topic

    def _index(self, topic: str, params: dict, old: dict) -> dict:
        rule = params.get("Rule", old.get("Rule"))
        if not rule or not (rule.get("FullText") or rule.get("KeyValue") or rule.get("Tag")):
            raise StubError("InvalidParameter", "FullText, KeyValue or Tag must be given")
        # as CLS answers: fields never set come back null, so a client must not count them
        answer = {"TopicId": topic, "Status": True, "Rule": {"Tag": None, "DynamicIndex": None}}
        answer.update({k: copy.deepcopy(v) for k, v in params.items() if k != "Rule"})
        answer["Rule"].update(copy.deepcopy(rule))
        answer.update(ModifyTime="2026-12-07 12:00:00", CoverageField=None)
        return answer

    # -- alarms -----------------------------------------------------------------------------
    def _page(self, found: list[dict], params: dict, field: str) -> tuple[dict, str]:
        offset, limit = params.get("Offset", 0), params.get("Limit", 20)
        if not 0 < limit <= MAX_LIMIT or offset < 0:
            raise StubError("InvalidParameterValue", f"Limit must be 1 to {MAX_LIMIT}")
        page = copy.deepcopy(found[offset : offset + limit])
        return {field: page, "TotalCount": len(found)}, ""

    @staticmethod
    def _filtered(items: list[dict], filters: list[dict], fields: dict[str, str]) -> list[dict]:
        for f in filters:
            if f["Key"] not in fields or not 1 <= len(f["Values"]) <= 5:
                raise StubError("InvalidParameter", f"filter {f['Key']} is not supported here")
            field = fields[f["Key"]]  # names match in part, as CLS's name filters do; ids exactly
            exact = field != "Name"
            items = [
                i for i in items if any((v == i[field]) if exact else (v in i[field]) for v in f["Values"])
            ]
        return items

    def _DescribeAlarmNotices(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        notices = [{"AlarmNoticeId": k, "Name": v, "Type": "All"} for k, v in sorted(self.notices.items())]
        fields = {"name": "Name", "alarmNoticeId": "AlarmNoticeId"}
        return self._page(self._filtered(notices, params.get("Filters", []), fields), params, "AlarmNotices")

    def _DescribeAlarms(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        alarms = sorted(self.alarms.values(), key=lambda a: a["AlarmId"])
        fields = {"name": "Name", "alarmId": "AlarmId"}
        return self._page(self._filtered(alarms, params.get("Filters", []), fields), params, "Alarms")

    def _check_alarm(self, alarm: dict) -> None:
        if any(a["Name"] == alarm["Name"] for a in self.alarms.values() if a["AlarmId"] != alarm["AlarmId"]):
            raise StubError("InvalidParameter.AlarmConflict", "an alarm policy with this name exists")
        for target in alarm["AlarmTargets"]:
            self._topic(target)
            if not -1440 <= target["StartTimeOffset"] < target["EndTimeOffset"] <= 0:
                raise StubError("InvalidParameterValue", "StartTimeOffset < EndTimeOffset <= 0")
        if not set(alarm.get("AlarmNoticeIds") or []) <= set(self.notices):
            raise StubError("ResourceNotFound.AlarmNoticeNotExist", "no such notification group")
        if alarm.get("Condition") and alarm.get("MultiConditions"):
            raise StubError("InvalidParameter", "Condition and MultiConditions are exclusive")

    def _CreateAlarm(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        alarm_id = f"alarm-{next(self._ids):08d}-stub"
        alarm = {"AlarmId": alarm_id, "Status": True, "AlarmLevel": 0, "MultiConditions": None}
        alarm.update(copy.deepcopy(params))
        for target in alarm["AlarmTargets"]:  # AlarmTargetInfo: CLS adds the topic's names
            target.update(LogsetId="logset-stub", LogsetName="stub", TopicName="scf-logs", BizType=0)
        self._check_alarm(alarm)
        self.alarms[alarm_id] = {**alarm, "CreateTime": "2026-12-07 12:00:00"}
        return {"AlarmId": alarm_id}, alarm_id

    def _ModifyAlarm(self, params: dict) -> tuple[dict, str]:  # noqa: N802
        old = self.alarms.get(params["AlarmId"])
        if old is None:
            raise StubError("ResourceNotFound.AlarmNotExist", "no such alarm policy")
        alarm = {**copy.deepcopy(old), **copy.deepcopy(params)}
        self._check_alarm(alarm)
        self.alarms[params["AlarmId"]] = {**alarm, "UpdateTime": "2026-12-07 12:05:00"}
        return {}, params["AlarmId"]


__all__ = ["ClsStub", "check_fields"]
