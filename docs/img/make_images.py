"""Redraw the README's two pictures: docs/img/report.png and docs/img/dashboard.png.

report.png: `report` over events/ plus the tests' generated week, screenshot by headless Chromium
at a phone's width. dashboard.png: the CloudWatch dashboard's layout as deploy/aws/dashboard.js
builds it (positions, sizes, titles, metric labels), drawn with illustrative data: it shows where
things are, not a real account's numbers.

    .venv/bin/python docs/img/make_images.py      (needs node, chromium and requirements-report.txt)
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

from tests.helpers import find_browser, screenshot  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def report_png(out: Path) -> None:
    """The whole page, top to bottom: a tall shot cropped below the last thing drawn. The store is
    named relative to the folder the report runs in, so no temporary path shows in the picture."""
    from PIL import Image

    from tests.e2e.test_report import generate_week
    from voice_receipts.stores.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory() as tmp:
        generate_week(SQLiteStore(Path(tmp) / "receipts.db"))
        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        run = [sys.executable, "-m", "voice_receipts"]
        store = ["--store", "sqlite:///receipts.db"]
        # exit 1: events/invalid is rejected, as it should be
        subprocess.run([*run, "replay", str(ROOT / "events"), *store], env=env, cwd=tmp, capture_output=True)
        subprocess.run(
            [*run, "report", "--since", "8d", "--out", "report.html", *store], env=env, cwd=tmp, check=True
        )
        browser = find_browser()
        if browser is None:
            raise SystemExit("no chromium on PATH (Debian: apt-get install chromium)")
        tall = Path(tmp) / "tall.png"
        screenshot(browser, Path(tmp) / "report.html", tall, 412, 6000)
        image = Image.open(tall).convert("RGB")
        ink = Image.eval(image.convert("L"), lambda v: 255 if v < 250 else 0).getbbox()
        image.crop((0, 0, 412, min(image.height, (ink[3] if ink else image.height) + 16))).save(out)


def dashboard_png(out: Path) -> None:
    body = json.loads(
        subprocess.run(
            ["node", "-e", "console.log(JSON.stringify(require('./deploy/aws/dashboard.js').body()))"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    fig = plt.figure(figsize=(12, 9))
    fig.suptitle("CloudWatch dashboard voice-receipts-STAGE: layout (illustrative data)", fontsize=12)
    rows = max(w["y"] + w["height"] for w in body["widgets"])
    for n, w in enumerate(body["widgets"]):
        p = w["properties"]
        ax = fig.add_axes(
            [
                0.03 + w["x"] / 24 * 0.95,
                0.92 - (w["y"] + w["height"]) / rows * 0.88 + 0.04,
                w["width"] / 24 * 0.95 - 0.05,
                w["height"] / rows * 0.88 - 0.09,
            ]
        )
        ax.set_title(p["title"], fontsize=9, loc="left")
        series = [m for m in p["metrics"] if not (isinstance(m[-1], dict) and m[-1].get("visible") is False)]
        xs = list(range(48))
        bottom = [0.0] * len(xs)
        for k, m in enumerate(series):
            opts = m[-1] if isinstance(m[-1], dict) else {}
            label = opts.get("label") or (m[0].get("label") if isinstance(m[0], dict) else m[1])
            ys = [max(0.0, (6 - k) * (1 + 0.5 * math.sin((x + 7 * k + n) / 5))) for x in xs]
            if "Answer rate" in p["title"]:
                ys = [75 + 10 * math.sin(x / 6) for x in xs]
            if p.get("stacked"):
                ax.fill_between(
                    xs, bottom, [b + y for b, y in zip(bottom, ys, strict=True)], label=label, step="mid"
                )
                bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
            else:
                ax.plot(xs, ys, label=label)
        ax.legend(fontsize=6, ncols=3, loc="upper left", frameon=False)
        ax.tick_params(labelsize=6)
        ax.set_xticks([])
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    dashboard_png(here / "dashboard.png")
    report_png(here / "report.png")
    print("wrote", here / "dashboard.png", here / "report.png")
