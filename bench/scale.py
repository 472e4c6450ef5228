"""make bench-scale: what each answer costs at 10k, 100k and 1M stored receipts (issue 19).

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--runs 5] [--no-baseline]

Builds SQLite stores through the project's own write path (parse_callback, build_receipt,
SQLiteStore.put: the handler's steps after the HTTP envelope) once and caches them in
bench/.cache/ (gitignored; 1M takes minutes: the build time is in the table). The build turns
the file's fsync off (PRAGMA synchronous=OFF): the fixture, not what is measured. The data: 1.3
receipts per call over 30 days, half codes and half notifications, 70% answered, 20% not
answered, 5% call error, 5% failed (a failure receipt), key presses on most answered
notifications, and one hot number with 12% of the calls (~93k at 1M).

Each figure is the median of --runs runs, each in a fresh process that opens the store
read-only (`show`'s way) and times the library call (what `show` prints, without the
interpreter's start); `report` and `replay` run the command line in a fresh process each, with
its peak RSS (VmHWM) and, for the report, the page's size. The baseline is main at d58981d
(`git archive` into bench/.cache/baseline), measured in the same run on the same files; its
replay is stopped after the first item (its peak is before the first insert). Writes its table
between the scale markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
RESULTS = HERE / "RESULTS.md"
BASELINE = "d58981d"
BEGIN, END = "<!-- scale:begin (written by bench/scale.py) -->", "<!-- scale:end -->"
END_AT = datetime(2026, 12, 1, tzinfo=timezone.utc)  # the data's last moment: files stay valid
HOT = "13800138000"
TARGETS = {"show": 50, "failed": 100, "phone": 5}  # ms at 1M
sys.path[:0] = [str(ROOT)]


def _body(kind: str, **values) -> dict:
    return {f"{kind}_callback": values}


def bodies(n_receipts: int, seed: int = 19):
    """(received_at, body) of n receipts: 1.3 per call, spread over the 30 days before END_AT."""
    rng = random.Random(seed)
    start = int((END_AT - timedelta(days=30)).timestamp())
    made, call = 0, 0
    while made < n_receipts:
        call += 1
        callid = f"bench-{call:09d}"
        t = start + rng.randrange(30 * 86400 - 600)
        mobile = HOT if rng.random() < 0.12 else f"139{rng.randrange(10**8):08d}"
        note = rng.random() < 0.5
        roll = rng.random()
        result = "0" if roll < 0.70 else "1" if roll < 0.90 else "2"
        accept = str(t + rng.randrange(3, 30)) if result == "0" else ""
        end = t + (rng.randrange(10, 120) if result == "0" else rng.randrange(20, 40))
        common = {"callid": callid, "mobile": mobile, "nationcode": "86", "call_from": ""}
        status = _body(
            "voiceprompt" if note else "voicecode", **common, result=result, start_calltime=str(t),
            accept_time=accept, end_calltime=str(end), fee=str(1 + (end - t) // 60 if result == "0" else 0),
        )  # fmt: skip
        out = [(end + 2, status)]
        if roll >= 0.95:
            out.append((end + 3, _body("voice_failure", **common, failure_code=8, failure_reason="空号")))
        elif note and result == "0" and rng.random() < 0.72:
            out.append((t + 20, _body("voicekey", **common, keypress=str(rng.randrange(10)))))
        for at, body in out:
            made += 1
            yield datetime.fromtimestamp(at, timezone.utc), body


def build(size: int) -> dict:
    """The cached store of `size` receipts and what is known of it (build time, hot number)."""
    path, meta = CACHE / f"scale-{size}.db", CACHE / f"scale-{size}.json"
    if meta.exists() and path.exists():
        from voice_receipts.stores.sqlite import SQLiteStore

        SQLiteStore(path).close()  # a file built by an older branch gains today's columns and indexes
        _baseline_index(path)
        return json.loads(meta.read_text()) | {"bytes": path.stat().st_size}
    from voice_receipts.callbacks import parse_callback
    from voice_receipts.receipt import build_receipt
    from voice_receipts.stores.sqlite import SQLiteStore
    from voice_receipts.times import to_iso

    CACHE.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    began = time.perf_counter()
    store = SQLiteStore(path)
    store._db.execute("PRAGMA synchronous = OFF")  # the fixture's build only
    for at, body in bodies(size):
        store.put(build_receipt(parse_callback(body), received_at=to_iso(at)))
    store.close()
    _baseline_index(path)
    info = {"size": size, "build_s": round(time.perf_counter() - began, 1), "bytes": path.stat().st_size}
    meta.write_text(json.dumps(info))
    return info


def _baseline_index(path: Path) -> None:
    """The index the baseline's calls_for_phone reads, so it is measured on its own terms (the
    store drops it when it opens a file to write: the covering index replaces it)."""
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("CREATE INDEX IF NOT EXISTS receipts_by_phone ON receipts (phone, received_at)")
    db.close()


def replay_file(lines: int) -> Path:
    path = CACHE / f"replay-{lines}.jsonl"
    if not path.exists():
        with path.open("w") as f:
            for n, (_, body) in enumerate(bodies(lines, seed=7)):
                key = next(iter(body))
                body[key]["callid"] = f"replay-{n:09d}"  # every line its own receipt
                f.write(json.dumps(body, ensure_ascii=False) + "\n")
    return path


def baseline() -> Path:
    folder = CACHE / "baseline"
    if not (folder / "voice_receipts").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", BASELINE, "voice_receipts"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


CHILD = """
import json, sys, time
from voice_receipts.stores import open_store
op, url, runs, hot, end, same = sys.argv[1:7]
store = open_store(url, read_only=True)
since = end  # the 24 hours before the data's end
calls = {
    "show": lambda: store.calls(limit=50),
    "failed": lambda: store.calls(since=since, state="failed", limit=50),
    "failed_same": lambda: store.calls(since=since, state="failed", limit=int(same)),
    "phone": lambda: store.calls_for_phone(hot, limit=10),
}[op]
times = []
for _ in range(int(runs)):
    began = time.perf_counter(); found = calls(); times.append(time.perf_counter() - began)
warm = sorted(times[1:] or times)
print(json.dumps({"first_ms": times[0] * 1000, "ms": warm[len(warm) // 2] * 1000, "n": len(found)}))
"""
# a command in this process; then its peak resident memory (VmHWM: this process only)
COMMAND = """
import json, sys, time
from voice_receipts.tools.cli import main
argv, first_only = json.loads(sys.argv[1]), sys.argv[2] == "1"
began = time.perf_counter()
if first_only:  # the baseline's replay: its peak comes before the first insert
    from voice_receipts.runtime import build_app
    from voice_receipts.config import load_settings
    from voice_receipts.tools.replay import replay
    app = build_app(load_settings({"VOICE_RECEIPTS_STORE": argv[-1]}), log_level="WARNING")
    next(iter(replay(app, [argv[1]])))
else:
    sys.stdout = open("/dev/null", "w")
    status = main(argv)
    sys.stdout = sys.__stdout__
took = time.perf_counter() - began
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"s": took, "rss_mib": int(hwm) / 1024}))
"""


def child(code: Path, script: str, *args: str) -> dict:
    env = {"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin", "HOME": str(CACHE)}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, cwd=code, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise SystemExit(f"{script[:30]!r} {args}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values)


def lookups(code: Path, size: int, runs: int, same: int) -> dict[str, float]:
    """`same`: the failed lookup's limit for failed_same, the smallest store's answer size, so
    that its ratio compares lookups of the same answer (one call read costs what it costs)."""
    url, since = f"sqlite:///{CACHE}/scale-{size}.db", _iso(END_AT - timedelta(hours=24))
    found = {}
    ops = ("show", "failed", "phone") + (("failed_same",) if code == ROOT else ())
    for op in ops:
        # a fresh process per run: the first call's time (this process's caches cold, the OS's
        # warm) is what `show` pays; median over processes. Then, in one process, the median of
        # 10 more calls: what a long-lived reader (serve, a script) pays
        args = (url, "1", HOT, since, str(same))
        found[op] = median([child(code, CHILD, op, *args)["first_ms"] for _ in range(runs)])
        warm = child(code, CHILD, op, url, "11", HOT, since, str(same))
        found[f"{op}_warm"], found[f"{op}_n"] = warm["ms"], warm["n"]
    return found


def report(code: Path, size: int, runs: int) -> dict[str, float]:
    out = CACHE / f"report-{code.name}-{size}.html"
    argv = ["report", "--since", _iso(END_AT - timedelta(days=30)), "--until", _iso(END_AT)]
    argv += ["--out", str(out), "--store", f"sqlite:///{CACHE}/scale-{size}.db"]
    got = [child(code, COMMAND, json.dumps(argv), "0") for _ in range(runs)]
    return {
        "s": median([g["s"] for g in got]),
        "rss": max(g["rss_mib"] for g in got),
        "kb": out.stat().st_size / 1024,
    }


def replay(code: Path, lines: int, first_only: bool) -> dict[str, float]:
    target = Path("/dev/shm") / f"scale-replay-{code.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    argv = ["replay", str(replay_file(lines)), "--store", f"sqlite:///{target}"]
    got = child(code, COMMAND, json.dumps(argv), "1" if first_only else "0")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return got


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--replay-lines", type=int, default=1_000_000)
    p.add_argument("--baseline-from", metavar="JSON", help="the baseline's rows saved by an earlier run")
    p.add_argument("--replay-from", action="store_true", help="take the replays from --baseline-from too")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    began = time.perf_counter()
    built = {size: build(size) for size in sizes}
    codes = {"this branch": ROOT} | ({} if args.no_baseline else {f"main at {BASELINE}": baseline()})
    rows = []
    same = 50
    for name, code in codes.items():
        for size in sorted(sizes):
            got = lookups(code, size, args.runs, same) | {
                f"report_{k}": v for k, v in report(code, size, max(3, args.runs // 2)).items()
            }
            rows.append((name, size, got))
            if code == ROOT and size == min(sizes):  # the others' failed_same: this answer's size
                same = max(1, int(got["failed_n"]))
            print(name, size, json.dumps(got), flush=True)
    replays = (
        {}
        if args.replay_from
        else {name: replay(code, args.replay_lines, first_only=code != ROOT) for name, code in codes.items()}
    )
    print(json.dumps(replays))
    if args.baseline_from:  # measured earlier on the same machine and files
        saved = json.loads(Path(args.baseline_from).read_text())
        rows += [tuple(r) for r in saved["rows"]]
        replays |= saved["replays"]
    (CACHE / "last-run.json").write_text(json.dumps({"rows": rows, "replays": replays}))
    write(rows, built, replays, args, time.perf_counter() - began)


def write(rows, built, replays, args, took: float) -> None:
    lines = [
        f"Last run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {took / 60:.0f} min,"
        f" {args.runs} runs per figure, load average {os.getloadavg()[0]:.1f} at the end"
        " (medians; report: medians of time, the largest peak RSS).",
        "",
        "| code | receipts | build | show | show --since 24h --state failed | calls_for_phone(hot, 10)"
        " | report --since 30d | report peak RSS | report page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, size, g in rows:
        b = built[size]
        ms = {
            op: f"{g[op]:.1f} ms" + (f" ({g[op + '_warm']:.2f})" if op + "_warm" in g else "")
            for op in TARGETS
        }
        if "failed_n" in g:
            ms["failed"] += f", {g['failed_n']} calls"
        lines.append(
            f"| {name} | {size:,} | {b['build_s']:.0f} s, {b['bytes'] / 2**20:.0f} MiB | {ms['show']}"
            f" | {ms['failed']} | {ms['phone']} | {g['report_s']:.2f} s | {g['report_rss']:.0f} MiB"
            f" | {g['report_kb']:.0f} KB |"
        )
    lines += [
        "",
        "Lookups: the first call in a fresh process (median over processes), in brackets the median"
        " of 10 more in one process. Targets at 1M: show <= 50 ms, failed <= 100 ms, calls_for_phone"
        " <= 5 ms, report <= 10 s, <= 250 MiB, page < 300 KB, replay <= 150 MiB. The machine has 2"
        " cores shared with other engineers' test runs: the load average is in the line above.",
    ]
    ours = {size: g for name, size, g in rows if name == "this branch"}
    if len(ours) > 1:
        small, large = ours[min(ours)], ours[max(ours)]
        ratios = ", ".join(f"{op} {large[op] / small[op]:.2f}" for op in ("show", "failed", "phone"))
        lines += ["", f"{min(ours):,} -> {max(ours):,} ratio of each lookup (target <= 2): {ratios}."]
        answers = {size: g.get("failed_n") for size, g in sorted(ours.items())}
        if len(set(answers.values())) > 1 and "failed_same" in large:  # fewer failed calls than 50
            same = ", ".join(f"{g['failed_same']:.1f} ms at {s:,}" for s, g in sorted(ours.items()))
            lines.append(
                "The failed lookup's answers differ in size"
                f" ({', '.join(f'{n} calls at {s:,}' for s, n in answers.items())}): each call of an"
                " answer is read and folded whole, so it costs what the answer is. The same lookup"
                f" with the smallest store's answer ({large['failed_same_n']:.0f} calls at every size: that"
                " limit on the larger stores; this run):"
                f" {same}; ratio {large['failed_same'] / small['failed_same']:.2f}."
            )
    for name, r in replays.items():
        what = "peak RSS before its first insert" if name != "this branch" else "peak RSS, whole file"
        lines.append(
            f"\nreplay of a {args.replay_lines:,}-line file, {name}: {what} {r['rss_mib']:.0f} MiB"
            f" ({r['s']:.0f} s)."
        )
    table = "\n".join(lines)
    print(table)
    text = RESULTS.read_text()
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + BEGIN + "\n" + table + "\n" + text[text.index(END) :]
    else:
        text += f"\n## At a business's volume (bench/scale.py, make bench-scale)\n\n{BEGIN}\n{table}\n{END}\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
