"""make bench, the SQL part: the package as shipped storing into MySQL, beside a ten-line handler.

    .venv/bin/python bench/sql.py [--runs 12]

Starts a MariaDB server of its own (tests/sqlservers.py: a temp folder, a free loopback port),
makes the schema with `db init`, builds the package as shipped with the MySQL driver for this
machine's Python and CPU (bench/shipped.py, build_package.py --store mysql) and measures cold
starts with coldstart.py, every variant in the same run and interleaved:
- `shipped`: the package with VOICE_RECEIPTS_STORE=mysql://..., run as deployed (init connects
  and rehearses the INSERT; the first receipt is one INSERT);
- `floor_mysql`: bench/alternatives/floor_mysql.py, json.loads, a PyMySQL connect, one INSERT;
- `floor_mysql_plain`: the same ten lines with `ssl_disabled=True`. PyMySQL's default ("preferred"
  TLS) loads the system's trust store at connect (20 to 35 ms here) though it verifies nothing;
  the package does not (stores/mysql.unverified_tls), so this column shows the pipeline's own cost.
Target: shipped <= 1.2x the floor (wall, medians). Writes its table between its own markers in
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import coldstart  # noqa: E402
import shipped  # noqa: E402
from run import RESULTS, machine  # noqa: E402

from tests.sqlservers import ADMIN_PASSWORD, MariaDB, admin_url, fresh_database  # noqa: E402

BEGIN, END = "<!-- bench-sql:begin (written by bench/sql.py) -->", "<!-- bench-sql:end -->"
VARIANTS = ("shipped", "floor_mysql", "floor_mysql_plain")
TARGET = 1.2


def child_env(server: MariaDB, database: str, package: Path, runtime: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VOICE_RECEIPTS_", "BENCH_"))}
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="voice-receipts-bench",  # as in Lambda: the App is built at import
        VOICE_RECEIPTS_METRICS="false",  # the floor writes no metrics either
        VOICE_RECEIPTS_STORE=admin_url(server, database),
        VOICE_RECEIPTS_TOKEN="bench-token-0123456789",  # noqa: S106 - not a secret
        BENCH_MYSQL_PORT=str(server.port),
        BENCH_MYSQL_USER="admin",
        BENCH_MYSQL_PASSWORD=ADMIN_PASSWORD,
        BENCH_MYSQL_DB=database,
        BENCH_PACKAGE=str(package),
        BENCH_RUNTIME=str(runtime),
    )
    return env


def table(cold: dict, stored: int, expected: int) -> list[str]:
    p, f, n = cold["shipped"], cold["floor_mysql"], cold["floor_mysql_plain"]
    ratio, child, plain = (
        p["wall_ms"] / f["wall_ms"],
        p["in_child_ms"] / f["in_child_ms"],
        p["wall_ms"] / n["wall_ms"],
    )
    met = "yes" if ratio <= TARGET else "**no**"

    def row(label: str, key: str, fmt: str = ".0f", note: str = "", verdict: str = "") -> str:
        return f"| {label} | {p[key]:{fmt}} | {f[key]:{fmt}} | {n[key]:{fmt}} | {note} | {verdict} |"

    return [
        "| metric | project as shipped, mysql:// | floor: json.loads + PyMySQL connect + one INSERT"
        " | the floor without TLS (no trust store) | target | met? |",
        "|---|---|---|---|---|---|",
        row(
            f"cold start, wall: process start → reply (ms, median of {p['runs']})",
            "wall_ms",
            ".0f",
            f"≤ {TARGET}× floor",
            met,
        ),
        f"|   ÷ floor | {ratio:.2f} | 1.00 | {n['wall_ms'] / f['wall_ms']:.2f} | ≤ {TARGET:.2f} | {met} |",
        f"|   ÷ the floor without TLS | {plain:.2f} | {f['wall_ms'] / n['wall_ms']:.2f} | 1.00 |"
        " the pipeline's own cost |  |",
        row(
            "cold start, in child: handler import → reply (ms)",
            "in_child_ms",
            ".0f",
            f"ratio {child:.2f}",
        ),
        row("  of which import + init (ms)", "import_ms"),
        row("  of which first invocation, one INSERT (ms)", "invoke_ms", ".1f"),
        row("cold start CPU, user + sys (ms)", "cpu_ms"),
        row("peak RSS of a cold start (MiB, VmHWM)", "rss_mib", ".1f"),
        f"| empty interpreter, with Lambda's runtime modules (ms wall) | {cold['none']['wall_ms']:.0f} |"
        f" {cold['none']['wall_ms']:.0f} | {cold['none']['wall_ms']:.0f} | same for all |  |",
        "",
        f"- the cold starts stored {stored} of {expected} receipts in MariaDB (every run a fresh callid)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="cold starts per variant (default 12)")
    args = parser.parse_args()
    started, info = time.monotonic(), machine()
    server = MariaDB()
    try:
        database = fresh_database(server)
        server.execute(
            "CREATE TABLE floor_receipts (callid VARBINARY(1024), kind VARCHAR(64), body MEDIUMTEXT)",
            database=database,
        )
        with tempfile.TemporaryDirectory(prefix="voice-receipts-bench-sql-") as tmp:
            print("building the package as shipped, with PyMySQL ...", file=sys.stderr, flush=True)
            package, runtime = shipped.build_local(Path(tmp), store="mysql")
            env = child_env(server, database, package, runtime)
            print(f"cold starts: {args.runs} interleaved rounds ...", file=sys.stderr, flush=True)
            cold = coldstart.measure(env, runs=args.runs, variants=("none", *VARIANTS))
        [(ours,)] = server.execute("SELECT COUNT(*) FROM receipts", database=database)
        [(floors,)] = server.execute("SELECT COUNT(*) FROM floor_receipts", database=database)
    finally:
        server.remove()
    expected = len(VARIANTS) * (args.runs + 1)  # + the discarded warm-up round
    header = [
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.monotonic() - started:.0f} s;"
        f" MariaDB {server.binary} on 127.0.0.1 (TCP), the same machine.",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']};"
        f" load average {info['load']}.",
        "",
    ]
    block = "\n".join([*header, *table(cold, ours + floors, expected)])
    print(block)
    write_results(block)


def write_results(block: str) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    if BEGIN not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    RESULTS.write_text(f"{before}{BEGIN}\n{block}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")


if __name__ == "__main__":
    main()
