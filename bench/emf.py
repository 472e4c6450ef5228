"""EMF with the standard library (voice_receipts.metrics) or with aws-embedded-metrics: which costs less?

Cold: a fresh interpreter per run imports what the function imports anyway (the Receipt, the
replies), then the writer, and writes one request's metrics to a pipe (Lambda's environment
variable set, so the library picks its stdout sink); interleaved rounds, median wall time minus
the median of a baseline that imports the same but no writer.
Warm: the same one document written again and again in one process, microseconds per request.

    .venv/bin/pip install -r bench/requirements.txt && .venv/bin/python bench/emf.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMON = """
import json, sys
from voice_receipts import replies
from voice_receipts.receipt import Receipt
"""

STDLIB = """
from voice_receipts.metrics import Metrics
receipt = Receipt(callid="c1", kind="voicecode", event_id="e", received_at="t", status="answered")
m = Metrics("voice-receipts-bench-receive", 250.0)
def once():
    fields = {"level": "INFO", "message": "receipt", "request_id": "r", "kind": "voicecode",
              "outcome": "stored", "status": 200, "duration_ms": 1.0}
    m.annotate(fields, receipt, "stored")
    sys.stdout.write(json.dumps(fields, ensure_ascii=False, default=str) + "\\n")
"""

LIBRARY = """
from aws_embedded_metrics.logger.metrics_logger_factory import create_metrics_logger
def once():
    # what the function would do per request: a logger, its dimensions, two metrics, a flush
    # (a line of its own, beside the log line the function writes anyway)
    metrics = create_metrics_logger()
    metrics.set_namespace("VoiceReceipts")
    f = "voice-receipts-bench-receive"
    metrics.set_dimensions({"function": f, "outcome": "stored"},
                           {"function": f, "kind": "voicecode", "outcome": "stored"})
    metrics.put_metric("Receipts", 1, "Count")
    metrics.set_property("request_id", "r")
    metrics.flush_sync()
"""

BASELINE = "def once():\n    pass\n"
VARIANTS = {"baseline": BASELINE, "stdlib": STDLIB, "aws-embedded-metrics": LIBRARY}


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("VOICE_RECEIPTS_")}
    e.update(PYTHONPATH=str(ROOT), AWS_LAMBDA_FUNCTION_NAME="voice-receipts-bench-receive")
    return e


def cold(code: str) -> tuple[float, int]:
    """(ms, modules) of one fresh interpreter importing the writer and writing one document,
    timed inside the child from after the common imports (interpreter start-up is noise here)."""
    script = (
        COMMON
        + "import time\nt0 = time.perf_counter()\n"
        + code
        + "\nonce()\nprint((time.perf_counter() - t0) * 1e3, len(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env(), capture_output=True, text=True, check=True
    )
    ms, modules = proc.stderr.strip().splitlines()[-1].split()
    return float(ms), int(modules)


def warm(code: str, number: int) -> float:
    """Microseconds per document, in this process, stdout sent to /dev/null."""
    namespace: dict = {}
    saved = sys.stdout
    os.environ.update(AWS_LAMBDA_FUNCTION_NAME="voice-receipts-bench-receive")
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        try:
            exec(compile(COMMON + code, "<bench>", "exec"), namespace)  # noqa: S102 - our own snippets
            namespace["once"]()
            best = min(timeit.repeat(namespace["once"], number=number, repeat=5))
        finally:
            sys.stdout = saved
    return best / number * 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--number", type=int, default=2000)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    samples: dict[str, list[float]] = {v: [] for v in VARIANTS}
    modules: dict[str, int] = {}
    names = list(VARIANTS)
    for round_ in range(args.runs + 1):  # the first round warms the bytecode caches
        for name in names[round_ % 3 :] + names[: round_ % 3]:
            ms, modules[name] = cold(VARIANTS[name])
            if round_:
                samples[name].append(ms)
    base = statistics.median(samples["baseline"])
    print(f"{'writer':<22} {'cold ms (over baseline)':>24} {'modules':>8} {'warm us/request':>16}")
    for name in ("stdlib", "aws-embedded-metrics"):
        med = statistics.median(samples[name])
        spread = f"{min(samples[name]) - base:+.0f}..{max(samples[name]) - base:+.0f}"
        print(
            f"{name:<22} {med - base:>+8.1f} ({spread:>12}) {modules[name] - modules['baseline']:>+8d}"
            f" {warm(VARIANTS[name], args.number):>16.1f}"
        )
    print(f"baseline (no writer): {base:.2f} ms median over {args.runs} runs")


if __name__ == "__main__":
    main()
