"""Cold starts: a fresh interpreter per run, importing a handler and answering one receipt.

Each run is `python bench/alternatives/cold_child.py VARIANT CALLID` with the same interpreter and
environment for every variant; the variants are interleaved (rotated every round) so a load spike
on the machine hits them all alike. Per run:
- wall_ms: Popen to the child's exit, which comes right after its reply (os._exit, no teardown);
- in_child_ms: the handler's import to the reply (interpreter start-up, and the modules Lambda's
  runtime loads before any handler, left out: cold_child.py);
- import_ms / invoke_ms: the handler module's import (init) and the first invocation;
- rss_mib: the child's peak RSS (its VmHWM: ru_maxrss of a vforked child starts at the parent's RSS);
- cpu_ms: the child's user + system CPU.
The `shipped` variant (the package as built, bench/shipped.py) runs with `python -B`.
`first_vs_warm` starts a few more children that answer WARM_CALLS receipts after the first one.
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
VARIANTS = ("shipped", "project", "floor", "powertools", "powertools_idempotent")
FIELDS = ("wall_ms", "in_child_ms", "import_ms", "invoke_ms", "rss_mib", "cpu_ms")


def run_once(
    variant: str, env: dict[str, str], python: str = sys.executable, warm: int = 0
) -> dict[str, float]:
    callid = f"cold-{variant}-{uuid.uuid4().hex[:12]}"
    flags = ["-B"] if variant == "shipped" else []  # read-only, as /var/task; the rest as before
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, *flags, str(CHILD), variant, callid, str(warm)],
        env=env,
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.communicate()
    fields = out.decode().split(" ", 8)
    if proc.returncode != 0 or len(fields) < 9 or fields[7] != "200" or '"result"' not in fields[8]:
        raise RuntimeError(
            f"{variant} cold start failed (exit {proc.returncode}):"
            f" {out.decode()[:300]} {err.decode()[-800:]}"
        )
    if variant != "none" and not fields[8].replace(" ", "").startswith('{"result":0'):
        raise RuntimeError(f"{variant} did not answer result 0: {fields[8][:200]}")
    return {
        "wall_ms": wall * 1e3,
        "in_child_ms": float(fields[0]),
        "import_ms": float(fields[1]),
        "invoke_ms": float(fields[2]),
        "rss_mib": int(fields[3]) / 1024,  # the child's VmHWM, KiB
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1e3,
        "first_cpu_ms": float(fields[4]),
        "warm_ms": float(fields[5]),
        "warm_cpu_ms": float(fields[6]),
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


def first_vs_warm(env: dict[str, str], variant: str = "shipped", runs: int = 5, calls: int = 9) -> dict:
    """The first receipt after init against the warm ones, in the same processes: medians over
    `runs` children of (first invocation) and (median of `calls` later invocations), wall and
    CPU. Each later call is a real insert too (a fresh callid), so both pay moto's own time."""
    samples = [run_once(variant, env, warm=calls) for _ in range(runs)]
    keys = ("invoke_ms", "first_cpu_ms", "warm_ms", "warm_cpu_ms")
    return {k: statistics.median(s[k] for s in samples) for k in keys} | {"runs": runs, "calls": calls}
