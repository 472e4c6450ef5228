"""Cold starts: a fresh interpreter per run, importing a handler and answering one receipt.

Each run is `python bench/alternatives/cold_child.py VARIANT CALLID` with the same interpreter and
environment for every variant; the variants are interleaved (rotated every round) so a load spike
on the machine hits them all alike. Per run:
- wall_ms: Popen to the child's exit, which comes right after its reply (os._exit, no teardown);
- in_child_ms: the runner's first line to the reply (interpreter start-up left out);
- import_ms / invoke_ms: the handler module's import (init) and the first invocation;
- rss_mib: the child's peak RSS (its VmHWM: ru_maxrss of a vforked child starts at the parent's RSS);
- cpu_ms: the child's user + system CPU.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = HERE / "alternatives" / "cold_child.py"
VARIANTS = ("project", "floor", "powertools", "powertools_idempotent")
FIELDS = ("wall_ms", "in_child_ms", "import_ms", "invoke_ms", "rss_mib", "cpu_ms")


def run_once(variant: str, env: dict[str, str], python: str = sys.executable) -> dict[str, float]:
    callid = f"cold-{variant}-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, str(CHILD), variant, callid],
        env=env,
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.communicate()
    fields = out.decode().split(" ", 5)
    if proc.returncode != 0 or len(fields) < 6 or fields[4] != "200" or '"result"' not in fields[5]:
        raise RuntimeError(
            f"{variant} cold start failed (exit {proc.returncode}):"
            f" {out.decode()[:300]} {err.decode()[-800:]}"
        )
    if variant != "none" and not fields[5].replace(" ", "").startswith('{"result":0'):
        raise RuntimeError(f"{variant} did not answer result 0: {fields[5][:200]}")
    return {
        "wall_ms": wall * 1e3,
        "in_child_ms": float(fields[0]),
        "import_ms": float(fields[1]),
        "invoke_ms": float(fields[2]),
        "rss_mib": int(fields[3]) / 1024,  # the child's VmHWM, KiB
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1e3,
    }


def measure(
    env: dict[str, str], runs: int = 12, variants: tuple[str, ...] = ("none", *VARIANTS), warmup: int = 1
) -> dict[str, dict[str, float]]:
    """Median of each field per variant, over `runs` interleaved rounds (after `warmup` discarded
    rounds, which also write the bytecode caches of the alternatives)."""
    samples: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for round_ in range(warmup + runs):
        shift = round_ % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            sample = run_once(variant, env)
            if round_ >= warmup:
                samples[variant].append(sample)
    medians: dict[str, dict[str, float]] = {}
    for variant, runs_ in samples.items():
        medians[variant] = {f: statistics.median(s[f] for s in runs_) for f in FIELDS}
        medians[variant]["runs"] = len(runs_)
        medians[variant]["wall_ms_min"] = min(s["wall_ms"] for s in runs_)
        medians[variant]["wall_ms_max"] = max(s["wall_ms"] for s in runs_)
    return medians
