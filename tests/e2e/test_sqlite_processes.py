"""Several processes replaying into one SQLite file at once: nothing lost, nothing doubled."""

import json
import subprocess
import sys

from tests import samples
from tests.helpers import cli_env
from voice_receipts.stores.sqlite import SQLiteStore


def test_four_processes_writing_one_file(tmp_path):
    # each process has 150 receipts of its own and 50 it shares with every other process
    shared = [samples.body("voicekey_callback", callid="shared", keypress=str(k)) for k in range(50)]
    files = []
    for p in range(4):
        own = [samples.body("voicekey_callback", callid=f"proc-{p}", keypress=str(k)) for k in range(150)]
        path = tmp_path / f"part-{p}.jsonl"
        path.write_text("\n".join(json.dumps(b) for b in own + shared) + "\n")
        files.append(path)
    db = tmp_path / "shared.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "voice_receipts", "replay", str(f), "--store", f"sqlite:///{db}"],
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-500:] for o in outputs]
    assert all("unavailable" not in out for out, _ in outputs)
    store = SQLiteStore(db)
    assert sorted(store.callids()) == ["proc-0", "proc-1", "proc-2", "proc-3", "shared"]
    assert [len(store.receipts(c)) for c in sorted(store.callids())] == [150, 150, 150, 150, 50]
    stored = sum(line.endswith("  stored") for out, _ in outputs for line in out.splitlines())
    assert stored == 4 * 150 + 50  # every shared receipt stored by exactly one process
    store.close()
