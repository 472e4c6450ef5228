"""make bench: cold start, warm CPU, memory, throughput and package size, in one table.

    .venv/bin/python bench/run.py [--runs 12] [--quick]

Builds the package as shipped for this machine's Python and CPU (shipped.py), starts one moto
server (ThreadedMotoServer) on 127.0.0.1, creates the receipts table (callid/event_id, GSI by-phone)
and Powertools' idempotency table, then measures, always with every variant in the same run and
interleaved: cold starts (coldstart.py: the shipped package with `python -B`, the same handler from
the venv, the floor, Powertools), the first receipt against warm ones, warm-path CPU (warm.py, a
subprocess), replay throughput (throughput.py, subprocesses) and the packages' sizes. Prints one
markdown table and writes it between the markers in bench/RESULTS.md (only there), keeping the
hand-written analysis around it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- bench:begin (written by bench/run.py) -->", "<!-- bench:end -->"
sys.path[:0] = [str(HERE), str(ROOT)]

import coldstart  # noqa: E402
import shipped  # noqa: E402

from deploy.dynamodb_table import create_table  # noqa: E402

TABLE, IDEMPOTENCY_TABLE = "voice-receipts-bench", "voice-receipts-bench-idempotency"
COLUMNS = ("shipped", "project", "floor", "powertools", "powertools_idempotent")
HEADER = ("project as shipped", "project from the venv", "floor", "powertools", "powertools+idempotency")
RSS_TARGET_MIB = 55
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def create_tables(endpoint: str) -> object:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    create_table(client, TABLE)  # as deploy/aws/store-dynamodb.yml declares it
    client.create_table(  # Powertools' default layout: partition key `id`
        TableName=IDEMPOTENCY_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    return client


def child_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VOICE_RECEIPTS_", "BENCH_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL_DYNAMODB=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        # as in Lambda: the project builds its App (and client) at import, like the others do
        AWS_LAMBDA_FUNCTION_NAME="voice-receipts-bench",
        VOICE_RECEIPTS_STORE=f"dynamodb://{TABLE}",
        VOICE_RECEIPTS_TOKEN="bench-token-0123456789",  # noqa: S106 - not a secret
        BENCH_TABLE=TABLE,
        BENCH_IDEMPOTENCY_TABLE=IDEMPOTENCY_TABLE,
    )
    return env


def run_json(args: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput(env: dict[str, str], endpoint: str, rounds: int, sqlite_n: int, dynamo_n: int) -> dict:
    """Median receipts/s over `rounds`, the two stores interleaved."""
    found: dict[str, list[float]] = {"sqlite": [], "dynamodb": []}
    for _ in range(rounds):
        sqlite = run_json(["bench/throughput.py", "--store", "sqlite", "--count", str(sqlite_n)], env)
        found["sqlite"].append(sqlite["per_second"])
        found["dynamodb"].append(
            run_json(
                ["bench/throughput.py", "--store", f"dynamodb://{TABLE}", "--count", str(dynamo_n)], env
            )["per_second"]
        )
    return {store: statistics.median(values) for store, values in found.items()} | {
        "sqlite_n": sqlite_n,
        "dynamodb_n": dynamo_n,
        "rounds": rounds,
    }


def machine() -> dict[str, str]:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    # a yardstick for scaling the absolute figures to another machine: one small json.dumps
    loops = 20000
    stmt, setup = "d({'a': 1, 'b': [1, 2, 3]})", "from json import dumps as d"
    best = min(timeit.repeat(stmt, setup=setup, number=loops))
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "yardstick_us": f"{best / loops * 1e6:.2f}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def build_table(cold: dict, fw: dict, warm: dict, tp: dict, pkg: dict) -> tuple[list[str], list[str]]:
    p, f, pt = cold["shipped"], cold["floor"], cold["powertools"]
    rows: list[tuple[str, list[str], str, str]] = []
    blank = ["—"] * (len(COLUMNS) - 1)

    def row(metric, values, target="", met=""):
        rows.append((metric, values, target, met))

    def per_variant(field, digits=0):
        return [fmt(cold[c][field], digits) for c in COLUMNS]

    ok = lambda good: "yes" if good else "**no**"  # noqa: E731
    wall_f, wall_pt = p["wall_ms"] / f["wall_ms"], p["wall_ms"] / pt["wall_ms"]
    row(
        f"cold start, wall: process start → reply (ms, median of {p['runs']})",
        per_variant("wall_ms"),
        "≤ 1.2× floor, ≤ 0.75× Powertools",
        ok(wall_f <= 1.2 and wall_pt <= 0.75),
    )
    row(
        "  ÷ floor",
        [f"{cold[c]['wall_ms'] / f['wall_ms']:.2f}" for c in COLUMNS],
        "≤ 1.20",
        ok(wall_f <= 1.2),
    )
    row(
        "  ÷ Powertools",
        [f"{cold[c]['wall_ms'] / pt['wall_ms']:.2f}" for c in COLUMNS],
        "≤ 0.75",
        ok(wall_pt <= 0.75),
    )
    child_f = p["in_child_ms"] / f["in_child_ms"]
    child_pt = p["in_child_ms"] / pt["in_child_ms"]
    row(
        "cold start, in child: handler import → reply (ms)",
        per_variant("in_child_ms"),
        f"ratios: {child_f:.2f}× floor, {child_pt:.2f}× Powertools",
        ok(child_f <= 1.2 and child_pt <= 0.75),
    )
    row("  of which import + init (ms)", per_variant("import_ms"))
    row("  of which first invocation, one PutItem to moto (ms)", per_variant("invoke_ms"))
    row("cold start CPU, user + sys (ms)", per_variant("cpu_ms"))
    row(
        "empty interpreter, with Lambda's runtime modules, no handler (ms wall)",
        [fmt(cold["none"]["wall_ms"])] * len(COLUMNS),
        "same for all",
    )
    row(
        "peak RSS of a cold start (MiB, VmHWM)",
        per_variant("rss_mib", 1),
        f"≤ {RSS_TARGET_MIB}",
        ok(p["rss_mib"] <= RSS_TARGET_MIB),
    )
    first, warm_ms = fw["invoke_ms"], fw["warm_ms"]
    row(
        f"first receipt after init ÷ a warm one, wall (ms: first / warm, {fw['runs']} processes)",
        [f"{first / warm_ms:.2f} ({fmt(first, 1)} / {fmt(warm_ms, 1)})", *blank],
        "≤ 2",
        ok(first / warm_ms <= 2),
    )
    row(
        "  the same in the function's own CPU (ms: first / warm)",
        [f"{fw['first_cpu_ms'] / fw['warm_cpu_ms']:.2f} ({fw['first_cpu_ms']:.1f} / {fw['warm_cpu_ms']:.1f})"]
        + blank,
        "(information)",
    )
    mem, stub = warm["memory"], warm["stubbed"]
    row(
        "warm CPU per status receipt, in-memory store / no-op client (µs)",
        ["(venv column)", *[fmt(mem[c], 1) for c in COLUMNS[1:]]],
        "≤ 50",
        ok(mem["project"] is not None and mem["project"] <= 50),
    )
    row(
        "warm CPU per status receipt, botocore Stubber'd DynamoDB client (µs)",
        ["(venv column)", *[fmt(stub[c], 1) for c in COLUMNS[1:]]],
        "(information)",
    )
    row(
        f"replay throughput into SQLite, temp file (receipts/s, concurrency 1, {tp['sqlite_n']} receipts)",
        ["—", fmt(tp["sqlite"]), "—", "—", "—"],
    )
    row(
        f"replay throughput into DynamoDB on moto (receipts/s, concurrency 1, {tp['dynamodb_n']} receipts)",
        ["—", fmt(tp["dynamodb"]), "—", "—", "—"],
    )
    aws_mb = float(pkg["aws"].split(" MB", 1)[0]) if pkg["aws"][:1].isdigit() else None
    row("AWS zip, zipped / unzipped", [pkg["aws"], *blank], "≤ 2.5 MB zipped", ok(aws_mb and aws_mb <= 2.5))
    row(
        "SCF folder (make tencent)",
        [pkg["tencent"], *blank],
        "no AWS SDK",
        ok("no AWS SDK" in pkg["tencent"]),
    )
    header = ["metric", *HEADER, "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric, values, target, met in rows:
        lines.append("| " + " | ".join([metric, *values, target, met]) + " |")
    notes = [
        "- project as shipped: deploy/build_package.py --unzipped for this machine's Python and CPU,"
        " run with `python -B`, botocore from a compiled runtime folder, no site-packages"
        " (bench/shipped.py); from the venv: handler.py with this repo's venv and its bytecode caches",
        f"- packages: {pkg['source']}",
        f"- warm path: median of {warm['batches']} batches of {warm['batch']} calls per variant,"
        " time.process_time(), HTTP API 2.0 event, a distinct callid per call",
        f"- throughput: median of {tp['rounds']} runs per store, `replay()` over a JSON Lines file,"
        " one receipt at a time",
    ]
    return lines, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="cold starts per variant (default 12)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few runs, small batches")
    parser.add_argument(
        "--cold-only", action="store_true", help="cold starts and package sizes only (no warm, replay)"
    )
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    started = time.monotonic()
    info = machine()
    print("building the package as shipped ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="voice-receipts-bench-") as tmp:
        package, runtime = shipped.build_local(Path(tmp))
        server, endpoint = start_moto()
        try:
            client = create_tables(endpoint)
            env = child_env(endpoint) | {"BENCH_PACKAGE": str(package), "BENCH_RUNTIME": str(runtime)}
            print(f"cold starts: {runs} interleaved rounds of 6 variants ...", file=sys.stderr, flush=True)
            cold = coldstart.measure(env, runs=runs)
            fw = coldstart.first_vs_warm(env, runs=3 if args.quick else 7)
            stored = client.scan(TableName=TABLE, Select="COUNT")["Count"]
            empty = {"memory": {c: None for c in COLUMNS}, "batches": 0, "batch": 0}
            warm = empty | {"stubbed": empty["memory"]}
            tp = {"sqlite": None, "dynamodb": None, "sqlite_n": 0, "dynamodb_n": 0, "rounds": 0}
            if not args.cold_only:
                print("warm path ...", file=sys.stderr, flush=True)
                warm_args = ["bench/warm.py"] + (["--batch", "100", "--batches", "3"] if args.quick else [])
                warm = run_json(warm_args, env)
                print("replay throughput ...", file=sys.stderr, flush=True)
                tp = throughput(env, endpoint, 1 if args.quick else 3, 2000, 300 if args.quick else 600)
        finally:
            server.stop()
    print("package sizes ...", file=sys.stderr, flush=True)
    pkg = shipped.sizes()
    lines, notes = build_table(cold, fw, warm, tp, pkg)
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    expected = sum(cold[c]["runs"] for c in COLUMNS) + len(COLUMNS)  # + the warm-up round
    expected += fw["runs"] * (1 + fw["calls"])
    header = [
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {time.monotonic() - started:.0f} s.",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, {info['os']};"
        f" load average {info['load']} at start, {info['load_end']} at the end (other test runs share it).",
        f"Yardstick: `json.dumps({{'a': 1, 'b': [1, 2, 3]}})` takes {info['yardstick_us']} µs here"
        " (about 1.5 µs on a current laptop core): scale the µs and ms figures by it.",
        "",
    ]
    notes.append(f"- the cold starts stored {stored} of {expected} receipts (every run a fresh callid)")
    block = "\n".join([*header, *lines, "", *notes])
    print(block)
    write_results(block)


def write_results(block: str) -> None:
    """The block between the markers in bench/RESULTS.md; nothing else is written."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    RESULTS.write_text(_between_markers(text, block), encoding="utf-8")


def _between_markers(text: str, block: str) -> str:
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{BEGIN}\n{block}\n{END}{after}"


if __name__ == "__main__":
    main()
