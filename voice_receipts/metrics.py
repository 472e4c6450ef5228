"""CloudWatch metrics in Embedded Metric Format (EMF), written into the request's own log line.

On Lambda, stdout and stderr both land in CloudWatch Logs, and CloudWatch turns any log line that
is an EMF document into metrics. So each request still writes ONE line: the JSON log fields at
the root, plus `_aws` (the directive) and the metric values. Nothing is sent anywhere else and no
second line is written. Off outside Lambda (config.Settings.metrics): SCF has no EMF, and
`replay` and `serve` stay quiet.

Dimensions are low-cardinality on purpose: each distinct combination is a custom metric billed
per month. Never a callid, a number or a failure text; the call's state is one of five words.
Written with the standard library: aws-embedded-metrics imports asyncio and aiohttp and writes a
line of its own (bench/emf.py measures the difference).
"""

from __future__ import annotations

import os
import time
from typing import Any

from voice_receipts import kinds, replies, states
from voice_receipts.receipt import Receipt

NAMESPACE = "VoiceReceipts"

# Metric names, as the alarms (deploy/aws/alarms.yml) and the dashboard name them
RECEIPTS = "Receipts"  # every request, by outcome and (once a receipt is built) by kind
CALLS = "Calls"  # stored status and failure receipts, by the call's final state
COLD_STARTS = "ColdStarts"  # 1 on the first request of an instance
INIT_DURATION = "InitDuration"  # ms from this process's start to the App ready, on that request

# The call's final state as one receipt says it, in states.py's words: a status receipt's result
# (Receipt.result, as VMS sent it) or failed for a failure receipt. An undocumented `result` is
# "undocumented", so whatever the sender puts there never becomes a dimension value of its own.
# Metrics count receipts, not calls: a call with both a status and a failure receipt counts once
# in each, where the report (which folds calls) counts it once, as failed (docs/operations.md).

# Dimension names: the same keys the log line already has, so the line needs no copies
FUNCTION, KIND, OUTCOME, STATE = "function", "kind", "outcome", "state"


def call_state(receipt: Receipt) -> str | None:
    """answered / not_answered / call_error / undocumented / failed; None for a key press."""
    if receipt.kind in kinds.STATUS_KINDS:
        return states.state_of_result(receipt.result).value
    if receipt.kind == kinds.VOICE_FAILURE:
        return states.CallState.FAILED.value
    return None


class Metrics:
    """Adds the EMF part to one request's log fields. One per process: it knows the cold start."""

    def __init__(self, function: str, init_ms: float | None = None) -> None:
        self.function = function
        self.init_ms = init_ms
        self.cold = True

    def annotate(self, fields: dict[str, Any], receipt: Receipt | None, outcome: str) -> None:
        """Put the directive and the values at the root of `fields` (the log line), in place.
        The line already holds the dimensions' values: kind, outcome, state (call_state)."""
        fields[FUNCTION] = self.function
        # by kind only once a receipt is built: a rejected request has no kind to name
        by = [[FUNCTION, OUTCOME]] + ([[FUNCTION, KIND, OUTCOME]] if receipt else [])
        directives = [_directive(by, RECEIPTS)]
        fields[RECEIPTS] = 1
        # a duplicate is a redelivery of a call already counted; a refused one was never stored
        state = fields.get(STATE) if outcome == replies.STORED else None
        if state:
            fields[CALLS] = 1
            directives.append(_directive([[FUNCTION, STATE], [FUNCTION, KIND, STATE]], CALLS))
        if self.cold:
            self.cold = False
            fields[COLD_STARTS] = 1
            names = [COLD_STARTS]
            if self.init_ms is not None:
                fields[INIT_DURATION] = round(self.init_ms, 1)
                names.append(INIT_DURATION)
            directives.append(_directive([[FUNCTION]], *names))
        fields["_aws"] = {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": directives}


UNITS = {INIT_DURATION: "Milliseconds"}


def _directive(dimensions: list[list[str]], *names: str) -> dict[str, Any]:
    return {
        "Namespace": NAMESPACE,
        "Dimensions": dimensions,
        "Metrics": [{"Name": n, "Unit": UNITS.get(n, "Count")} for n in names],
    }


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc, 10 ms steps), else None.

    Counts the interpreter's start and every import, the part of Lambda's Init Duration that the
    code decides; the sandbox's own set-up before the process is not visible from inside."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        # field 22 (starttime, clock ticks since boot); the command name before ")" may hold spaces
        started = int(stat.rsplit(b")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, (uptime - started) * 1000)
