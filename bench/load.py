"""Bounded load on `serve` over loopback: zero errors, throughput, p50/p99 latency, server memory.

    python bench/load.py [--seconds 30] [--connections 8] [--store sqlite:///...]

Starts `python -m voice_receipts serve` on a free loopback port, sends distinct receipts on
keep-alive connections for a fixed time, samples the server's RSS once a second, stops the server,
prints one table, and exits 1 on any error or on memory that keeps growing.
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

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(port: int, store: str, env: dict) -> subprocess.Popen:
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
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("serve did not start")


def worker(port: int, n: int, stop_at: float, latencies: list, errors: list, token: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
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
            conn.request("POST", f"/voice/callback?token={token}", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
            ok = resp.status == 200 and json.loads(payload) == {"result": 0, "errmsg": "OK"}
        except (OSError, http.client.HTTPException, ValueError) as exc:
            ok, payload = False, repr(exc).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(payload[:200])
    conn.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--store", default=None)
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="vr-load-")
    store = args.store or f"sqlite:///{tmp}/load.db"
    token = "load-token"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VOICE_RECEIPTS_TOKEN": token,
        "VOICE_RECEIPTS_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    server = start_server(port, store, env)
    latencies: list[float] = []
    errors: list[bytes] = []
    rss: list[int] = []
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=worker, args=(port, n, stop_at, latencies, errors, token))
        for n in range(args.connections)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() < stop_at:
        rss.append(rss_kib(server.pid))
        time.sleep(1)
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    server.terminate()
    server.wait(10)

    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    third = max(len(rss) // 3, 1)
    early, late = statistics.median(rss[:third]), statistics.median(rss[-third:])
    growth = (late - early) / early if early else 0.0
    print(f"load on serve ({store.split(':')[0]}), {args.connections} connections, {elapsed:.0f} s, loopback")
    print("| requests | errors | req/s | p50 ms | p99 ms | RSS start MiB | RSS end MiB | RSS growth |")
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
