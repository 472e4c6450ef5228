"""`alarms apply`: the function's CLS log topic gets the shipped index and alarm policies.

What is applied is data: deploy/tencent/cls/index.json, deploy/tencent/cls/alarms.json and the
thresholds both clouds share, deploy/alarm-thresholds.json. This module turns them into CLS
requests and writes only what differs from what CLS already has:

    index   DescribeIndex -> CreateIndex (none yet) | ModifyIndex (differs; your own keys kept) | nothing
    alarms  DescribeAlarms by name -> CreateAlarm | ModifyAlarm (differs) | nothing

so running it again changes nothing, and a policy is never duplicated. The notification group is
an existing one, found by name or id (DescribeAlarmNotices) before anything is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_receipts.display import printable
from voice_receipts.errors import ConfigError
from voice_receipts.tools.cls_api import call
from voice_receipts.tools.errors import ApplyNotFound, ApplyRefused, UsageError

ROOT = Path(__file__).resolve().parents[2]
CLS_DIR = ROOT / "deploy" / "tencent" / "cls"
THRESHOLDS = ROOT / "deploy" / "alarm-thresholds.json"
PREFIX = "voice-receipts"
STAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
PAGE = 100  # the Describe actions' largest Limit
NAMES_PER_FILTER = 5  # "Filter.Values的上限为5"


@dataclass(frozen=True)
class Change:
    """One resource and what happened to it: created, updated, unchanged (or "would …" in a dry run)."""

    what: str
    done: str
    ident: str = ""

    def __str__(self) -> str:
        return f"{self.what}: {self.done}" + (f" ({self.ident})" if self.ident else "")


# -- the data files -> what CLS should hold -----------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc.__class__.__name__}") from None
    return {k: v for k, v in data.items() if not k.startswith("_")}  # "_about" is for people


def wanted_index(cls_dir: Path = CLS_DIR) -> dict[str, Any]:
    return load(cls_dir / "index.json")


def wanted_alarms(
    stage: str, topic_id: str, notice_id: str, cls_dir: Path = CLS_DIR, thresholds: Path = THRESHOLDS
) -> list[dict[str, Any]]:
    """CreateAlarm's fields for every shipped policy, thresholds filled in."""
    if not STAGE.fullmatch(stage):
        raise UsageError(
            f"--stage must be 1-40 of A-Z a-z 0-9 _ - (a letter or digit first), got {printable(stage)}"
        )
    spec, limits = load(cls_dir / "alarms.json"), load(thresholds)
    period, rest = divmod(int(limits["period_seconds"]), 60)
    if rest or not 1 <= period <= 1440:
        raise ConfigError(f"{thresholds}: period_seconds must be whole minutes, 1 to 1440 (CLS's range)")
    policy = spec["policy"]
    return [
        {
            "Name": f"{PREFIX}-{stage}-{alarm['name']}",
            "AlarmTargets": [
                {
                    "TopicId": topic_id,
                    "Query": alarm["query"],
                    "Number": 1,  # the `$1` of the condition
                    "StartTimeOffset": -period,  # the last period, checked every period
                    "EndTimeOffset": 0,
                    "SyntaxRule": policy["SyntaxRule"],
                }
            ],
            "MonitorTime": {"Type": "Period", "Time": period},
            "Condition": f"$1.n >= {limits[alarm['threshold']]}",
            "AlarmLevel": alarm["level"],
            "TriggerCount": policy["TriggerCount"],
            "AlarmPeriod": policy["AlarmPeriod"],
            "AlarmNoticeIds": [notice_id],
            "Status": True,
        }
        for alarm in spec["alarms"]
    ]


# -- comparing what is wanted with what CLS answered --------------------------------------------


def covers(have: Any, want: Any) -> bool:
    """Whether `have` (CLS's answer) already says everything `want` says; fields only CLS sets
    (ids, times, nulls for what we never set) do not count."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(covers(have.get(k), v) for k, v in want.items())
    if isinstance(want, list):
        if want and isinstance(want[0], dict) and "Key" in want[0]:  # KeyValues: by key, any order
            by_key = {kv.get("Key"): kv for kv in have or []}
            return all(covers(by_key.get(kv["Key"]), kv) for kv in want)
        if want and isinstance(want[0], str):  # AlarmNoticeIds: a set
            return sorted(have or []) == sorted(want)
        return isinstance(have, list) and len(have) == len(want) and all(map(covers, have, want))
    return have == want


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def merged_index(have: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Our index over the one the topic has: our keys replace theirs, keys of your own stay."""
    rule = without_nulls(have.get("Rule") or {})
    ours = want["Rule"]
    keys = {kv["Key"] for kv in ours["KeyValue"]["KeyValues"]}
    kept = [kv for kv in (rule.get("KeyValue") or {}).get("KeyValues", []) if kv.get("Key") not in keys]
    key_value = {**ours["KeyValue"], "KeyValues": kept + ours["KeyValue"]["KeyValues"]}
    return {**want, "Rule": {**rule, **ours, "KeyValue": key_value}}


# -- applying -----------------------------------------------------------------------------------


def pages(client: Any, action: str, filters: list[dict], field: str) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        answer = call(client, action, {"Filters": filters, "Offset": offset, "Limit": PAGE}, action)
        found = answer.get(field) or []
        yield from found
        offset += len(found)
        if not found or offset >= int(answer.get("TotalCount") or 0):
            return


def notice_group(client: Any, name_or_id: str) -> str:
    """The id of the existing notification group named `name_or_id` (or with that id)."""
    by_id = name_or_id.startswith("notice-")
    key, field = ("alarmNoticeId", "AlarmNoticeId") if by_id else ("name", "Name")
    found = [
        n
        for n in pages(client, "DescribeAlarmNotices", [{"Key": key, "Values": [name_or_id]}], "AlarmNotices")
        if n.get(field) == name_or_id  # CLS's name filter matches parts of names too
    ]
    shown = printable(name_or_id)
    if not found:
        raise ApplyNotFound(
            f"no CLS notification group {'with id' if by_id else 'named'} {shown} in this region: "
            "create one in the CLS console (告警通知渠道组) first, or check --region"
        )
    if len(found) > 1:
        ids = ", ".join(printable(n.get("AlarmNoticeId")) for n in found)
        raise ApplyRefused(f"{len(found)} notification groups are named {shown} ({ids}): give the id instead")
    return found[0]["AlarmNoticeId"]


def apply_index(client: Any, topic_id: str, want: dict[str, Any], dry_run: bool) -> Change:
    what = f"index of topic {printable(topic_id)}"
    try:
        have = call(client, "DescribeIndex", {"TopicId": topic_id}, what)
    except ApplyNotFound as exc:
        if exc.code != "ResourceNotFound.IndexNotExist":
            raise
        have = None
    if have is not None and covers(have, want):
        return Change(what, "unchanged")
    action, done = ("ModifyIndex", "updated") if have is not None else ("CreateIndex", "created")
    if dry_run:
        return Change(what, f"would be {done}")
    body = merged_index(have, want) if have is not None else want
    call(client, action, {"TopicId": topic_id, **body}, what)
    return Change(what, done)


def existing_alarms(client: Any, names: list[str]) -> dict[str, dict[str, Any]]:
    """The policies named exactly so, by name; two with one name is refused (which to keep?)."""
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(names), NAMES_PER_FILTER):
        chunk = names[i : i + NAMES_PER_FILTER]
        for alarm in pages(client, "DescribeAlarms", [{"Key": "name", "Values": chunk}], "Alarms"):
            name = alarm.get("Name")
            if name not in chunk:
                continue  # a partial match of the name filter
            if name in out:
                ids = f"{printable(out[name].get('AlarmId'))}, {printable(alarm.get('AlarmId'))}"
                raise ApplyRefused(f"two CLS alarm policies are named {printable(name)} ({ids}): delete one")
            out[name] = alarm
    return out


def apply_alarms(client: Any, wants: list[dict[str, Any]], dry_run: bool) -> Iterator[Change]:
    have = existing_alarms(client, [w["Name"] for w in wants])
    for want in wants:
        what, current = f"alarm {want['Name']}", have.get(want["Name"])
        if current is None:
            if dry_run:
                yield Change(what, "would be created")
                continue
            answer = call(client, "CreateAlarm", want, what)
            yield Change(what, "created", printable(answer.get("AlarmId")))
            continue
        ident = printable(current.get("AlarmId"))
        for target in current.get("AlarmTargets") or []:
            if target.get("SyntaxRule") is None:  # absent (or null) means CLS's default, 0
                target["SyntaxRule"] = 0
        if covers(current, want):
            yield Change(what, "unchanged", ident)
        elif dry_run:
            yield Change(what, "would be updated", ident)
        else:
            call(client, "ModifyAlarm", {"AlarmId": current["AlarmId"], **want}, what)
            yield Change(what, "updated", ident)


def apply(
    client: Any,
    *,
    topic_id: str,
    notice_group_name: str,
    stage: str,
    dry_run: bool = False,
    report: Callable[[Change], None] = print,
    cls_dir: Path = CLS_DIR,
    thresholds: Path = THRESHOLDS,
) -> list[Change]:
    """Index first, then every policy; each Change is reported as soon as it is made."""
    if not topic_id.strip():
        raise UsageError("--topic-id must name the function's CLS log topic")
    index = wanted_index(cls_dir)
    wants = wanted_alarms(stage, topic_id, "", cls_dir, thresholds)  # bad files fail before any request
    notice_id = notice_group(client, notice_group_name)
    for want in wants:
        want["AlarmNoticeIds"] = [notice_id]
    changes = [apply_index(client, topic_id, index, dry_run)]
    report(changes[-1])
    for change in apply_alarms(client, wants, dry_run):
        changes.append(change)
        report(change)
    return changes
