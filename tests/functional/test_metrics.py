"""CloudWatch EMF: on Lambda each request writes ONE line that is both its log line and its metrics.

The handler runs in a subprocess with Lambda's environment variable set, so what is checked is
everything the process writes, on stdout and stderr, exactly as CloudWatch Logs would get it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests import samples
from voice_receipts import metrics
from voice_receipts.receipt import Receipt

TOKEN = "metrics-token-0123456789"
FUNCTION = "voice-receipts-test-receive"
ALLOWED_DIMENSIONS = {"function", "kind", "outcome", "state"}

# (label, event, expected outcome, expected call state or None)
REQUESTS = [
    (
        "answered",
        samples.aws_http(samples.body("voicecode_callback"), query=f"token={TOKEN}"),
        "stored",
        "answered",
    ),
    (
        "redelivered",
        samples.aws_http(samples.body("voicecode_callback"), query=f"token={TOKEN}"),
        "duplicate",
        None,
    ),
    (
        "not answered",
        samples.aws_rest(samples.body("voiceprompt_callback"), query={"token": [TOKEN]}),
        "stored",
        "not_answered",
    ),
    (
        "call error",
        samples.function_url(
            samples.body("voicecode_callback", callid="c-err", result="2"), query=f"token={TOKEN}"
        ),
        "stored",
        "call_error",
    ),
    (
        "undocumented result",
        samples.aws_http(
            samples.body("voicecode_callback", callid="c-odd", result="7"), query=f"token={TOKEN}"
        ),
        "stored",
        "undocumented",
    ),
    (
        "key press",
        samples.aws_http(samples.body("voicekey_callback"), query=f"token={TOKEN}"),
        "stored",
        None,
    ),
    (
        "failure",
        samples.aws_http(samples.body("voice_failure_callback"), query=f"token={TOKEN}"),
        "stored",
        "failed",
    ),
    ("no token", samples.aws_http(samples.body("voicekey_callback")), "unauthorized", None),
    ("bad body", samples.aws_http("{not json", query=f"token={TOKEN}"), "rejected", None),
    ("GET", samples.aws_http("", method="GET", query=f"token={TOKEN}"), "rejected", None),
]

SCRIPT = """
import json, sys
events = json.load(sys.stdin)
import handler
from voice_receipts import runtime
from voice_receipts.errors import StoreUnavailable
for event in events:
    handler.lambda_handler(event, None)
store = runtime.get_app().store
def refuse(receipt):
    raise StoreUnavailable("store refused")
def bug(receipt):
    raise RuntimeError("a bug with 13800138000 in it")
for put in (refuse, bug):
    store.put = put
    handler.lambda_handler(events[0], None)  # the first receipt again, now refused
"""


def run_function(tmp_path, events: list, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VOICE_RECEIPTS_", "AWS_LAMBDA"))}
    environ.update(
        PYTHONPATH=str(samples.ROOT),
        AWS_LAMBDA_FUNCTION_NAME=FUNCTION,
        VOICE_RECEIPTS_STORE=f"sqlite:///{tmp_path}/receipts.db",
        VOICE_RECEIPTS_TOKEN=TOKEN,
        **env,
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(events),
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def check_emf(doc: dict) -> list[tuple[str, dict[str, str], float]]:
    """Validate one EMF document as CloudWatch reads it; return (metric, dimensions, value) rows."""
    aws = doc["_aws"]
    assert isinstance(aws["Timestamp"], int)
    assert abs(aws["Timestamp"] - time.time() * 1000) < 120_000, "milliseconds, and now"
    rows = []
    for directive in aws["CloudWatchMetrics"]:
        assert directive["Namespace"] == "VoiceReceipts"
        assert 1 <= len(directive["Dimensions"]) <= 30
        for dims in directive["Dimensions"]:
            assert set(dims) <= ALLOWED_DIMENSIONS, dims  # never callid, mobile or a reason text
            for name in dims:
                assert isinstance(doc[name], str) and doc[name], (name, doc.get(name))
            for metric in directive["Metrics"]:
                assert metric["Unit"] in ("Count", "Milliseconds")
                value = doc[metric["Name"]]
                assert isinstance(value, (int, float)) and not isinstance(value, bool)
                rows.append((metric["Name"], {d: doc[d] for d in dims}, value))
    return rows


def test_each_request_is_one_line_that_is_a_valid_emf_document(tmp_path):
    events = [event for _, event, _, _ in REQUESTS]
    proc = run_function(tmp_path, events)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == len(REQUESTS) + 2, proc.stderr  # + the refused and the buggy put
    docs = [json.loads(line) for line in lines]
    expected = [(outcome, state) for _, _, outcome, state in REQUESTS]
    expected += [("unavailable", None), ("error", None)]
    for doc, (label, *_), (outcome, state) in zip(docs, REQUESTS + [("refused",), ("bug",)], expected):
        rows = check_emf(doc)
        assert doc["message"] == "receipt" and doc["outcome"] == outcome, label
        receipts = [dims for name, dims, value in rows if name == "Receipts" and value == 1]
        assert {"function": FUNCTION, "outcome": outcome} in receipts, label
        if doc["kind"]:
            assert {"function": FUNCTION, "kind": doc["kind"], "outcome": outcome} in receipts
        calls = [dims for name, dims, _ in rows if name == "Calls"]
        assert calls == (
            [
                {"function": FUNCTION, "state": state},
                {"function": FUNCTION, "kind": doc["kind"], "state": state},
            ]
            if state
            else []
        ), label
        text = json.dumps(doc["_aws"])
        assert "13800138" not in text and "call-" not in text
    cold = [doc for doc in docs if "ColdStarts" in doc]
    assert cold == [docs[0]] and docs[0]["ColdStarts"] == 1
    assert 0 < docs[0]["InitDuration"] < 60_000
    assert "13800138000" not in proc.stderr  # masked numbers only, in logs as in metrics
    assert docs[-1]["error"] == "RuntimeError" and docs[-1]["where"]  # the bug, in the same line


def test_log_level_warning_still_writes_the_metric_line(tmp_path):
    proc = run_function(tmp_path, [REQUESTS[0][1]], VOICE_RECEIPTS_LOG_LEVEL="WARNING")
    docs = [json.loads(line) for line in proc.stderr.splitlines()]
    assert [d["outcome"] for d in docs] == ["stored", "unavailable", "error"]
    assert all(check_emf(d) for d in docs)


def test_metrics_can_be_turned_off(tmp_path):
    proc = run_function(tmp_path, [REQUESTS[0][1]], VOICE_RECEIPTS_METRICS="false")
    docs = [json.loads(line) for line in proc.stderr.splitlines()]
    assert [d["outcome"] for d in docs] == ["stored", "unavailable", "error"]
    assert not any("_aws" in d or "Receipts" in d for d in docs)


def test_scf_has_no_emf(tmp_path):
    environ = {"SCF_FUNCTIONNAME": "voice-receipts", "VOICE_RECEIPTS_TOKEN": TOKEN}
    from voice_receipts.config import load_settings

    settings = load_settings({**environ, "VOICE_RECEIPTS_STORE": "sqlite:///x.db"})
    assert settings.cloud and not settings.metrics


@pytest.mark.parametrize(
    ("kind", "result", "state"),
    [
        ("voicecode", "0", "answered"),
        ("voiceprompt", " 1", "not_answered"),
        ("voiceprompt", "2", "call_error"),
        ("voicecode", "9", "undocumented"),
        # an undocumented result that spells a state word is still undocumented (issue 21, class 8)
        ("voicecode", "answered", "undocumented"),
        ("voicecode", "failed", "undocumented"),
        ("voice_failure", None, "failed"),
        ("voicekey", None, None),
    ],
)
def test_call_state_of_a_receipt(kind, result, state):
    receipt = Receipt(callid="c", kind=kind, event_id="e", received_at="t", result=result)
    assert metrics.call_state(receipt) == state


def test_process_age_is_measured_on_linux_in_milliseconds():
    # InitDuration's directive says Milliseconds (tests/unit/test_emf_units.py): the value must be
    # milliseconds too. A process is at least as old as the CPU time its main thread has used.
    while time.thread_time() < 0.2:  # a fresh fork may not have used 0.2 s yet
        pass
    cpu_ms = 1000 * time.thread_time()
    age = metrics.process_age_ms()
    if not os.path.exists("/proc/self/stat"):
        assert age is None
    else:  # /proc counts in 10 ms ticks: 30 ms of slack; seconds would be 0.2, not 200
        assert age is not None and cpu_ms - 30 <= age < 1000 * time.clock_gettime(time.CLOCK_BOOTTIME)


def test_the_metrics_states_are_the_ended_states_and_nothing_else():
    # every receipt a status or failure callback can carry, against the listed ended states
    from voice_receipts.states import ENDED

    seen = {
        metrics.call_state(Receipt(callid="c", kind=kind, event_id="e", received_at="t", result=result))
        for kind in ("voicecode", "voiceprompt", "voice_failure")
        for result in ("0", "1", "2", "3", "", "answered", None)
    }
    assert seen == {s.value for s in ENDED}
