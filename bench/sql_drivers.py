"""Which SQL drivers to ship: package size per runtime, and import + first connect per Python.

    .venv/bin/python bench/sql_drivers.py [--runs 7]

Sizes: each driver installed by pip the way deploy/build_package.py installs wheels (for SCF's
Python 3.10 on x86_64 and Lambda's 3.13 on arm64), unpacked bytes and zipped bytes. Start-up:
on this machine's x86_64, for each Python (3.10, 3.13, from pyenv or PATH), a fresh process per
run imports the driver from its own folder (compiled) and connects to a local server (MariaDB,
PostgreSQL: tests/sqlservers.py) with one `SELECT 1`; medians, after a discarded first run.
psycopg's pure-Python build loads the machine's libpq (Debian's, here): on Lambda and SCF there is
none, which is the reason the package ships psycopg-binary. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "deploy")]

import bytecode  # noqa: E402

from tests.sqlservers import ADMIN_PASSWORD, MariaDB, PostgreSQL  # noqa: E402

DRIVERS = {"pymysql": ["PyMySQL==1.2.4"], "psycopg (pure)": ["psycopg==3.3.9"],
           "psycopg-binary": ["psycopg==3.3.9", "psycopg-binary==3.3.9"]}  # fmt: skip
RUNTIMES = {"SCF 3.10 x86_64": ("3.10", "x86_64", "2.17"), "Lambda 3.13 arm64": ("3.13", "aarch64", "2.34")}
CHILD = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "pymysql":
    import pymysql
    t1 = time.perf_counter()
    db = pymysql.connect(host="127.0.0.1", port=int(sys.argv[3]), user="admin", password=sys.argv[4].encode())
    db.cursor().execute("SELECT 1")
else:
    import psycopg
    t1 = time.perf_counter()
    psycopg.connect(host="127.0.0.1", port=int(sys.argv[3]), user="postgres", password=sys.argv[4],
                    dbname="postgres").execute("SELECT 1").fetchall()
    assert psycopg.pq.__impl__ == sys.argv[5], psycopg.pq.__impl__
print(json.dumps([(t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3]))
"""


def install(target: Path, packages: list[str], python: str, cpu: str, glibc: str) -> None:
    major, minor = (int(n) for n in glibc.split("."))
    tags = [f"manylinux_{major}_{m}_{cpu}" for m in range(minor, 16, -1)] + [f"manylinux2014_{cpu}"]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--target", str(target), "--implementation", "cp", "--python-version", python,
         *(a for t in tags for a in ("--platform", t)), "--only-binary=:all:", *packages],
        check=True,
    )  # fmt: skip


def size(folder: Path) -> tuple[int, int]:
    files = [f for f in folder.rglob("*") if f.is_file() and "bin" not in f.relative_to(folder).parts[:1]]
    zipped = folder.with_suffix(".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for f in files:
            zf.write(f, f.relative_to(folder))
    return sum(f.stat().st_size for f in files), zipped.stat().st_size


def start_up(tmp: Path, runs: int, servers: dict) -> dict:
    found = {}
    for version in ("3.10", "3.13"):
        python = bytecode.find_python(version)
        if python is None:
            continue
        folder = tmp / f"local-{version}"
        install(folder, [p for ps in DRIVERS.values() for p in ps], version, "x86_64", "2.28")
        subprocess.run([python, "-m", "compileall", "-q", str(folder)], check=True, capture_output=True)
        for name in DRIVERS:
            kind = "pymysql" if name == "pymysql" else "psycopg"
            impl = "binary" if name == "psycopg-binary" else "python"
            env = {**os.environ, "PSYCOPG_IMPL": impl}
            samples = []
            for _ in range(runs + 1):
                out = subprocess.run(
                    [python, "-c", CHILD, str(folder), kind, str(servers[kind].port), ADMIN_PASSWORD, impl],
                    env=env, capture_output=True, text=True, check=True,
                )  # fmt: skip
                samples.append(json.loads(out.stdout))
            samples = samples[1:]
            found[(version, name)] = tuple(statistics.median(s[i] for s in samples) for i in (0, 1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    servers = {"pymysql": MariaDB(), "psycopg": PostgreSQL()}
    try:
        with tempfile.TemporaryDirectory(prefix="voice-receipts-drivers-") as tmp:
            sizes = {}
            for runtime, (version, cpu, glibc) in RUNTIMES.items():
                for name, packages in DRIVERS.items():
                    folder = Path(tmp) / f"{name}-{version}".replace(" ", "")
                    install(folder, packages, version, cpu, glibc)
                    sizes[(runtime, name)] = size(folder)
            timing = start_up(Path(tmp), args.runs, servers)
    finally:
        for server in servers.values():
            server.remove()
    print("| driver | " + " | ".join(f"{r}: unpacked / zipped" for r in RUNTIMES)
          + " | import, connect + SELECT 1 (ms): 3.10 | 3.13 |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name in DRIVERS:
        cells = [f"{sizes[(r, name)][0] / 1e6:.2f} MB / {sizes[(r, name)][1] / 1e6:.2f} MB" for r in RUNTIMES]
        times = [
            f"{timing[(v, name)][0]:.0f}, {timing[(v, name)][1]:.0f}" if (v, name) in timing else "—"
            for v in ("3.10", "3.13")
        ]
        print(f"| {name} | " + " | ".join(cells + times) + " |")


if __name__ == "__main__":
    main()
