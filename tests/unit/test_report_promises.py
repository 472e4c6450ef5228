"""What the report page promises, each on the smallest set of calls that shows it: receipt text is
escaped (in the page and in the embedded JSON), the answer rate is answered over calls that ended,
failure shares are of the failing calls, keys fall into 0/1/2/3+ buckets, and a ring time that
would be negative is unknown. No figure here depends on anything but the promise under test."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests import samples
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import Receipt, build_receipt
from voice_receipts.stores.sqlite import SQLiteStore
from voice_receipts.times import to_iso
from voice_receipts.tools.report import build
from voice_receipts.tools.report.data import whole_hours

SINCE = datetime(2026, 12, 1, tzinfo=timezone.utc)
UNTIL = datetime(2026, 12, 2, tzinfo=timezone.utc)
START = int(datetime(2026, 12, 1, 8, tzinfo=timezone.utc).timestamp())
PAYLOADS = [
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "</SCRIPT ><!--",
]


class Calls:
    """Receipts for a report, one arrival second after another, all inside the period."""

    def __init__(self) -> None:
        self.receipts: list[Receipt] = []

    def add(self, name: str, **fields: Any) -> None:
        at = f"2026-12-01T09:{len(self.receipts) // 60:02d}:{len(self.receipts) % 60:02d}.000000Z"
        self.receipts.append(build_receipt(parse_callback(samples.body(name, **fields)), received_at=at))

    def status(self, callid: str, result: str, ring: int = 10, talk: int = 30, **fields: Any) -> None:
        answered = result == "0"
        self.add(
            "voiceprompt_callback",
            callid=callid,
            result=result,
            start_calltime=str(START),
            accept_time=str(START + ring) if answered else "",
            end_calltime=str(START + ring + talk),
            **fields,
        )

    def failure(self, callid: str, code: int, reason: str = "x") -> None:
        self.add("voice_failure_callback", callid=callid, failure_code=code, failure_reason=reason)

    def report(self, source: str = "sqlite:///r.db") -> tuple[str, dict]:
        """The page as `report` makes it: the receipts stored, the store's aggregates of the period."""
        zone = ZoneInfo("Asia/Shanghai")
        with SQLiteStore(":memory:") as store:
            for receipt in self.receipts:
                store.put(receipt)
            counted = store.period_aggregates(
                to_iso(SINCE), to_iso(UNTIL), hourly=whole_hours(zone, SINCE, UNTIL)
            )
        return build(counted, SINCE, UNTIL, zone, "Asia/Shanghai", source)


def filled(histogram: dict) -> dict:
    """The bins of a duration histogram that hold calls: {(from, to): calls}."""
    return {(b["from"], b["to"]): b["calls"] for b in histogram["bins"] if b["calls"]}


def embedded(html: str) -> dict:
    found = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert len(found) == 1, "the JSON block must be whole: nothing in it may close the element"
    return json.loads(found[0])


# --- escaping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", PAYLOADS)
def test_a_failure_reason_is_shown_as_text_never_as_markup(text):
    calls = Calls()
    calls.failure("f1", 99, reason=text)  # an undocumented code: the page shows VMS's own words
    html, summary = calls.report()
    assert summary["failures"][0]["zh"] == text
    visible = html.split('id="report-data">')[0]
    assert text not in visible and "<img" not in visible and "<svg onload" not in visible
    assert "&lt;" in visible.split('id="failures"')[1]
    assert embedded(html)["failures"][0]["zh"] == text  # the JSON gives the text back exactly


@pytest.mark.parametrize("text", PAYLOADS)
def test_receipt_text_cannot_close_the_embedded_json_early(text):
    calls = Calls()
    calls.failure("f1", 99, reason=text)
    html, _ = calls.report()
    block = html.split('<script type="application/json" id="report-data">')[1]
    assert block.index("</script>") == block.rindex("</script>")  # only the element's own end tag
    assert "<" not in block.split("</script>")[0]


def test_a_key_and_the_source_label_are_escaped():
    calls = Calls()
    calls.status("k1", "0")
    calls.add("voicekey_callback", callid="k1", keypress="<u>")
    html, summary = calls.report(source="sqlite:///<i>.db")
    assert summary["keys"] == {"<u>": 1}
    assert "<u>" not in html.split('id="report-data">')[0] and "&lt;u&gt;" in html
    assert "<i>" not in html and "&lt;i&gt;" in html


# --- the answer rate ----------------------------------------------------------------------------


def test_the_answer_rate_is_answered_over_calls_that_ended():
    calls = Calls()
    calls.status("a1", "0")
    calls.status("n1", "1")
    calls.status("e1", "2")  # call error: ended
    calls.failure("f1", 8)  # failed: ended
    calls.status("u1", "7")  # undocumented: ended
    calls.add("voicekey_callback", callid="p1")  # in progress: not ended, not in the denominator
    calls.add("voicekey_callback", callid="p2")
    _, summary = calls.report()
    assert summary["totals"]["calls"] == 7
    assert summary["totals"]["answer_rate"] == 20.0  # 1 of 5 ended; not 1 of 7, not 1 of 1
    day = next(d for d in summary["days"] if d["calls"])
    assert day["answer_rate"] == 20.0 and day["calls"] == 7


def test_no_ended_call_means_no_answer_rate_rather_than_zero():
    calls = Calls()
    calls.add("voicekey_callback", callid="p1")
    _, summary = calls.report()
    assert summary["totals"]["answer_rate"] is None
    assert [d["answer_rate"] for d in summary["days"]] == [None] * len(summary["days"])
    assert summary["totals"]["calls"] == 1


def test_a_sent_call_not_yet_heard_of_is_not_in_the_denominator():
    calls = Calls()
    calls.status("a1", "0")
    calls.status("n1", "1")
    sent = Receipt(callid="s1", kind="sent", event_id="sent-1", received_at="2026-12-01T09:30:00.000000Z")
    calls.receipts.append(sent)
    _, summary = calls.report()
    assert summary["totals"]["calls"] == 3 and summary["totals"]["answer_rate"] == 50.0


# --- failure shares -----------------------------------------------------------------------------


def test_failure_shares_are_of_the_failing_calls_and_add_up_to_100():
    calls = Calls()
    for n in range(3):
        calls.failure(f"e{n}", 8)
    calls.failure("b1", 5)
    for n in range(4):  # answered calls: not in the shares' denominator
        calls.status(f"a{n}", "0")
    _, summary = calls.report()
    rows = {row["code"]: row for row in summary["failures"]}
    assert (rows[8]["calls"], rows[8]["share"]) == (3, 75.0)
    assert (rows[5]["calls"], rows[5]["share"]) == (1, 25.0)
    assert [row["code"] for row in summary["failures"]] == [8, 5]  # most calls first
    assert sum(row["share"] for row in summary["failures"]) == 100.0


def test_a_documented_code_shows_the_spec_s_words_and_an_undocumented_one_vms_s():
    calls = Calls()
    calls.failure("f1", 8, reason="whatever VMS said")
    calls.failure("f2", 99, reason="新的原因")
    _, summary = calls.report()
    rows = {row["code"]: row for row in summary["failures"]}
    assert rows[8]["zh"] != "whatever VMS said" and rows[8]["en"]
    assert rows[99]["zh"] == "新的原因" and rows[99]["en"] == "not in the spec's list"


# --- keys -----------------------------------------------------------------------------------------


def test_keys_per_notification_call_fall_into_0_1_2_and_3_or_more():
    calls = Calls()
    keyed = {"k0": "", "k1": "1", "k2": "12", "k3": "123", "k4": "1234", "k5": "12345"}
    for callid, keys in keyed.items():  # 3, 4 and 5 keys: each edge of "3 or more"
        calls.status(callid, "0")
        for key in keys:
            calls.add("voicekey_callback", callid=callid, keypress=key)
    calls.add("voicecode_callback", callid="code-call")  # a verification code call: no keys to count
    _, summary = calls.report()
    assert summary["keys_per_notification"] == {"0": 1, "1": 1, "2": 1, "3+": 3}
    assert summary["keys"] == {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}


def test_keys_are_listed_in_keypad_order_not_by_presses_or_as_text():
    calls = Calls()
    for n, key in enumerate("#" * 4 + "*" * 3 + "0" * 2 + "9" + "1" + "A" * 5):
        calls.status(f"k{n}", "0")  # a call each: one call's identical key receipts are one receipt
        calls.add("voicekey_callback", callid=f"k{n}", keypress=key)
    _, summary = calls.report()
    # keypad order 1-9, 0, *, #, then anything else: not most pressed first, not sorted as text
    assert list(summary["keys"]) == ["1", "9", "0", "*", "#", "A"]
    assert summary["keys"]["#"] == 4 and summary["keys"]["A"] == 5


# --- durations ------------------------------------------------------------------------------------


def test_ring_and_talk_times_are_measured_from_the_status_receipt():
    calls = Calls()
    calls.status("a1", "0", ring=12, talk=40)
    calls.status("n1", "1", ring=25, talk=0)  # unanswered: rang from start to end
    _, summary = calls.report()
    assert filled(summary["ring_seconds"]) == {(10, 15): 1, (20, 30): 1}
    assert filled(summary["talk_seconds"]) == {(30, 45): 1}


@pytest.mark.parametrize(
    "times",
    [
        # answered "before" it started (VMS's clocks disagree): ringing is unknown
        {"result": "0", "accept_time": str(START - 5), "end_calltime": str(START + 30)},
        # unanswered and ended before it started
        {"result": "1", "accept_time": "", "end_calltime": str(START - 3)},
    ],
    ids=["answered", "unanswered"],
)
def test_a_negative_ring_time_is_unknown_never_negative(times):
    calls = Calls()
    calls.add("voiceprompt_callback", callid="odd", start_calltime=str(START), **times)
    calls.status("fine", "0", ring=7)
    _, summary = calls.report()
    assert filled(summary["ring_seconds"]) == {(5, 10): 1}  # the odd call is in no bin, not in "0-5"
    assert summary["ring_seconds"]["calls"] == 1
