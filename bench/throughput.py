"""Replay throughput: receipts per second through voice_receipts.tools.replay into one store.

    python bench/throughput.py --store URL [--count N]

Writes N distinct voicecode receipts (bare bodies, as `replay` reads them) to a JSON Lines file in
a temp dir, then replays them with the production App and replay(), one at a time (concurrency 1,
as `python -m voice_receipts replay` does), logging at WARNING as the CLI does without -v. Prints
one JSON object: count, accepted, seconds, per_second.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice_receipts import logs  # noqa: E402
from voice_receipts.app import App  # noqa: E402
from voice_receipts.config import load_settings  # noqa: E402
from voice_receipts.stores import open_store  # noqa: E402
from voice_receipts.tools.replay import replay  # noqa: E402


def receipts(n: int) -> str:
    run = uuid.uuid4().hex[:8]
    lines = []
    for i in range(n):
        callback = {
            "result": "0",
            "accept_time": str(1764201607 + i),
            "call_from": "075583763333",
            "callid": f"tp-{run}-{i:06d}",
            "end_calltime": str(1764201619 + i),
            "fee": "1",
            "mobile": f"138{i % 100000000:08d}",
            "nationcode": "86",
            "start_calltime": str(1764201598 + i),
        }
        lines.append(json.dumps({"voicecode_callback": callback}))
    return "\n".join(lines) + "\n"


def measure(store_url: str, count: int) -> dict[str, float]:
    logs.configure("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        if store_url == "sqlite":
            store_url = f"sqlite:///{tmp}/receipts.db"
        path = Path(tmp) / "receipts.jsonl"
        path.write_text(receipts(count), encoding="utf-8")
        settings = load_settings({"VOICE_RECEIPTS_STORE": store_url})
        app = App.configured(settings, open_store(settings.store, settings))
        try:
            started = time.perf_counter()
            accepted = sum(1 for result in replay(app, [path]) if result.outcome == "stored")
            seconds = time.perf_counter() - started
        finally:
            app.store.close()
    return {"count": count, "accepted": accepted, "seconds": seconds, "per_second": count / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="'sqlite' (a file in a temp dir) or a store URL")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(measure(args.store, args.count)))


if __name__ == "__main__":
    main()
