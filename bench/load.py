"""Bounded load over loopback: zero errors, throughput, p50/p99 latency, server memory.

    python bench/load.py [--target serve|offline] [--seconds 30] [--connections 8] [--store URL]

Starts the target on free loopback ports (`python -m voice_receipts serve`, or the offline stack:
moto + serverless-offline via deploy/offline.py), sends distinct receipts on keep-alive
connections for a fixed time, samples the RSS of the target's whole process tree once a second,
stops it, prints one table, and exits 1 on any error or on memory that keeps growing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "load-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(root: int, include_root: bool = True) -> int:
    """RSS of a process's descendants, and of itself unless told not to: offline.py holds moto,
    whose in-memory tables grow with every receipt by design, so the offline run leaves it out."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(children)
        frontier += children
    total = 0
    for pid in tree if include_root else tree - {root}:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def start_serve(store: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_receipts", "serve", "--port", str(port), "--store", store],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}/voice/callback?token={TOKEN}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("serve did not start")


def start_offline(env: dict) -> tuple[subprocess.Popen, str]:
    """deploy/offline.py prints `READY <callback url with its token>` once moto and the gateway answer."""
    ports = {"OFFLINE_HTTP_PORT": free_port(), "OFFLINE_LAMBDA_PORT": free_port(), "MOTO_PORT": free_port()}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "offline.py")],
        cwd=ROOT,
        env={**env, **{k: str(v) for k, v in ports.items()}},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stdout:
        if line.startswith("READY "):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
            return proc, line.split(" ", 1)[1].strip()
    raise SystemExit("the offline stack did not start")


def worker(url: str, n: int, stop_at: float, latencies: list, errors: list) -> None:
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}"
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    i = 0
    while time.monotonic() < stop_at:
        i += 1
        body = json.dumps(
            {
                "voicekey_callback": {
                    "call_from": "",
                    "callid": f"load-{n}-{i // 4}",
                    "keypress": str(i % 4),
                    "mobile": "13800138000",
                    "nationcode": "86",
                }
            }
        ).encode()
        started = time.perf_counter()
        try:
            conn.request("POST", target, body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
            ok = resp.status == 200 and json.loads(payload) == {"result": 0, "errmsg": "OK"}
        except (OSError, http.client.HTTPException, ValueError) as exc:
            ok, payload = False, repr(exc).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(payload[:200])
    conn.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--target", choices=("serve", "offline"), default="serve")
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--store", default=None, help="serve's store (default: SQLite in a temp folder)")
    args = p.parse_args()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VOICE_RECEIPTS_TOKEN": TOKEN,
        "VOICE_RECEIPTS_LOG_LEVEL": "WARNING",
    }
    if args.target == "offline":
        server, url = start_offline(env)
        store = "dynamodb on moto; RSS of serverless-offline and the handler, moto left out"
    else:
        store = args.store or f"sqlite:///{tempfile.mkdtemp(prefix='vr-load-')}/load.db"
        server, url = start_serve(store, env)
    latencies: list[float] = []
    errors: list[bytes] = []
    rss: list[int] = []
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=worker, args=(url, n, stop_at, latencies, errors))
        for n in range(args.connections)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() < stop_at:
        rss.append(rss_kib(server.pid, include_root=args.target == "serve"))
        time.sleep(1)
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    server.terminate()  # offline.py stops moto and serverless-offline on SIGTERM
    server.wait(30)

    q = statistics.quantiles(sorted(latencies), n=100)
    # the first 5 s are warm-up (serverless-offline starts one handler process per concurrent
    # request, 55 MiB each): memory is judged on what follows
    rss = rss[5:] if len(rss) > 10 else rss
    third = max(len(rss) // 3, 1)
    early, late = statistics.median(rss[:third]), statistics.median(rss[-third:])
    growth = (late - early) / early if early else 0.0
    print(
        f"load on {args.target} ({store.split(':')[0]}), {args.connections} connections, "
        f"{elapsed:.0f} s, loopback"
    )
    print("| requests | errors | req/s | p50 ms | p99 ms | RSS warm MiB | RSS end MiB | RSS growth |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {len(latencies)} | {len(errors)} | {len(latencies) / elapsed:.0f} | {q[49] * 1000:.2f} | "
        f"{q[98] * 1000:.2f} | {early / 1024:.1f} | {late / 1024:.1f} | {growth:+.1%} |"
    )
    if errors:
        print("first errors:", errors[:3])
    # memory is steady when the last third of the run sits within 10% of the first third
    return 1 if errors or growth > 0.10 else 0


if __name__ == "__main__":
    sys.exit(main())
