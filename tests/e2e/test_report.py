"""`report`: the HTML page of events/ plus a generated week, its numbers checked, and a look at it
in headless Chromium (skipped, with the reason, where no browser is installed)."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta, timezone
from html import escape
from zoneinfo import ZoneInfo

import pytest

from tests import samples
from tests.helpers import find_browser, run_cli, screenshot
from voice_receipts import codes
from voice_receipts.callbacks import parse_callback
from voice_receipts.receipt import build_receipt
from voice_receipts.stores.sqlite import SQLiteStore

ZONE = ZoneInfo("Asia/Shanghai")
FEE = 2  # billed minutes of each generated answered call
# the week: k days ago, k answered calls, one not answered on odd days, one failed every third
WEEK = {k: {"answered": k, "not_answered": k % 2, "failed": int(k % 3 == 0)} for k in range(1, 8)}
# what events/ makes of its calls (read off its files: see events/expected.toml): ten calls placed
# on 2025-11-27 in Shanghai (their start_calltime), and one failure receipt alone, placed when it
# arrives (today). An archive lands on its own days, whenever it is replayed.
ARCHIVE_DAY = "2025-11-27"
EVENTS = {
    "calls": 10,
    "answered": 7,
    "not_answered": 1,
    # states.py's partition: a failure receipt makes the call failed, whatever its status said
    "call_error": 0,
    "undocumented": 0,
    # vf-91c2aa07-0001 (result 2 and failure 8), vp-5d1e0b44-0002 (result "7" and failure 99)
    "failed": 2,
    "billed": 7,
    "ring": [9, 9, 9, 10, 12, 15, 15, 40],  # seconds, start to answer (or to the end, unanswered)
    "talk": [12, 12, 12, 18, 30, 30, 40],
    "keys": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "9": 1},
}
TODAYS_EVENT = {"failed": 1, "code": 5}  # vc-gw-tapigw-0001: a failure receipt alone


def binned(values: list[int]) -> list[int]:
    """The report's histogram of these seconds (data.BINS), as a person would count them."""
    from voice_receipts.tools.report.data import BINS

    edges = [*BINS[1:], float("inf")]
    return [sum(1 for v in values if lo <= v < hi) for lo, hi in zip(BINS, edges, strict=True)]


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def generate_week(store: SQLiteStore) -> None:
    today = datetime.now(ZONE).date()
    for k, counts in WEEK.items():
        noon = datetime.combine(today - timedelta(days=k), time(12), ZONE)  # unmistakably that day
        start = int(noon.timestamp())
        n = 0
        for state, many in counts.items():
            for _ in range(many):
                n += 1
                callid, at = f"gen-{k}-{n}", noon + timedelta(minutes=n)
                if state == "failed":
                    code = 5 if k % 2 else 1  # k = 3 and 6: one of each
                    bodies = [
                        samples.body(
                            "voice_failure_callback", callid=callid, failure_code=code, failure_reason="x"
                        )
                    ]
                else:
                    answered = state == "answered"
                    status = samples.body(
                        "voiceprompt_callback",
                        callid=callid,
                        result="0" if answered else "1",
                        start_calltime=str(start),
                        accept_time=str(start + 10) if answered else "",
                        end_calltime=str(start + 70 if answered else start + 25),
                        fee=str(FEE if answered else 0),
                    )
                    keys = (
                        [samples.body("voicekey_callback", callid=callid, keypress="1")] if answered else []
                    )
                    bodies = [status, *keys]
                for i, body in enumerate(bodies):
                    store.put(build_receipt(parse_callback(body), received_at=iso(at + timedelta(seconds=i))))


def report_data(html: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html).group(1)
    )


def run_report(folder, store, *args):
    done = run_cli("report", *args, "--tz", "Asia/Shanghai", "--out", "r.html", "--store", store, cwd=folder)
    assert done.returncode == 0, done.stderr
    html = (folder / "r.html").read_text(encoding="utf-8")
    return folder / "r.html", html, report_data(html), done.stdout, done.stderr


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    db = folder / "r.db"
    generate_week(SQLiteStore(db))
    store = f"sqlite:///{db}"
    replayed = run_cli("replay", str(samples.EVENTS), "--store", store, cwd=folder)
    assert "19 stored" in replayed.stdout, replayed.stdout
    return folder, store


@pytest.fixture(scope="module")
def report(stored):
    return run_report(*stored, "--since", "8d")


@pytest.fixture(scope="module")
def archive(stored):
    """The issue's own example: last year's November, replayed today."""
    return run_report(*stored, "--since", "2025-11-01", "--until", "2025-12-01")


def test_the_numbers_per_day_are_the_generated_ones(report):
    _, _, data, _, _ = report
    days = {d["day"]: d for d in data["days"]}
    today = datetime.now(ZONE).date()
    assert data["bucket"] == "day"
    assert len(data["days"]) == 9 and data["days"][-1]["day"] == today.isoformat()  # 8 days back, both ends
    for k, counts in WEEK.items():
        day = days[(today - timedelta(days=k)).isoformat()]
        assert {s: day["states"][s] for s in counts} == counts, k
        assert day["calls"] == sum(counts.values())
        assert day["billed_minutes"] == FEE * counts["answered"]
        assert day["answer_rate"] == round(100 * k / sum(counts.values()), 1)
    # the archive's calls are not today's: only the failure receipt that came alone is
    assert days[today.isoformat()]["calls"] == 1 and days[today.isoformat()]["states"]["failed"] == 1


def test_an_archive_replayed_today_lands_on_its_own_days(archive):
    _, _, data, stdout, _ = archive
    days = {d["day"]: d for d in data["days"]}
    assert days[ARCHIVE_DAY]["calls"] == EVENTS["calls"]
    assert sum(d["calls"] for d in data["days"]) == EVENTS["calls"]
    for state in ("answered", "not_answered", "call_error", "undocumented", "failed"):
        assert days[ARCHIVE_DAY]["states"][state] == EVENTS[state], state
    assert days[ARCHIVE_DAY]["billed_minutes"] == EVENTS["billed"]
    assert [b["calls"] for b in data["ring_seconds"]["bins"]] == binned(EVENTS["ring"])
    assert [b["calls"] for b in data["talk_seconds"]["bins"]] == binned(EVENTS["talk"])
    assert data["keys"] == EVENTS["keys"] and list(data["keys"]) == ["1", "2", "3", "4", "5", "9"]
    assert data["keys_per_notification"] == {"0": 2, "1": 1, "2": 1, "3+": 1}
    assert f"{EVENTS['calls']} calls" in stdout


def test_the_totals_failures_durations_and_keys(report):
    _, _, data, stdout, _ = report
    answered = sum(c["answered"] for c in WEEK.values())
    t = data["totals"]
    assert t["calls"] == TODAYS_EVENT["failed"] + sum(sum(c.values()) for c in WEEK.values())
    assert t["states"]["answered"] == answered
    assert sum(t["states"].values()) == t["calls"]  # a partition
    assert t["billed_minutes"] == FEE * answered
    assert t["answer_rate"] == round(100 * t["states"]["answered"] / t["calls"], 1)
    failures = {f["code"]: f for f in data["failures"]}
    assert failures[5]["calls"] == 2  # the third day's, and today's lone failure receipt
    assert failures[1]["calls"] == 1  # the sixth day's
    assert sum(f["calls"] for f in data["failures"]) == t["states"]["failed"]  # the card is the table
    not_answered = sum(c["not_answered"] for c in WEEK.values())
    assert [b["calls"] for b in data["ring_seconds"]["bins"]] == binned([10] * answered + [25] * not_answered)
    assert [b["calls"] for b in data["talk_seconds"]["bins"]] == binned([60] * answered)
    assert data["keys"] == {"1": answered}
    assert data["keys_per_notification"]["1"] == answered
    assert f"{t['calls']} calls" in stdout and f"{t['answer_rate']:g}% answered" in stdout


def test_failure_texts_are_the_specs_else_what_vms_sent(archive):
    _, html, data, _, _ = archive
    failures = {f["code"]: f for f in data["failures"]}
    assert (failures[8]["zh"], failures[8]["en"]) == (
        "空号",
        codes.FAILURE_CODES_EN[8],
    )  # the spec's, in both
    assert failures[99]["en"] == "not in the spec's list" and failures[99]["zh"] == "未知"  # as VMS sent it
    assert f"<td lang='zh'>空号</td><td>{escape(codes.FAILURE_CODES_EN[8])}</td>" in html


def test_the_page_shows_the_numbers_and_needs_nothing_from_the_network(report):
    _, html, data, _, _ = report
    t = data["totals"]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f'id="card-calls">calls<b>{t["calls"]}</b>' in html
    assert f'id="card-answered">answered<b>{t["answer_rate"]:g}%</b>' in html
    assert f'id="card-billed-minutes">billed minutes<b>{t["billed_minutes"]}</b>' in html
    assert "Asia/Shanghai" in re.search(r'<p class="period" id="period">(.*?)</p>', html).group(1)
    assert html.count("<svg") == 5 and 'style="width:100%;height:auto"' in html
    assert not re.search(r"<link|<img|<iframe|\ssrc=|@import|url\((?!#)", html)  # url(#clip) is in-page
    # every URL left is an XML namespace name, never fetched
    assert set(re.findall(r'https?://[^"\s<>]+', html)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "13800138000" not in html  # numbers never reach the page


def test_the_page_is_not_blank_in_headless_chromium(report, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium); the page itself is tested above")
    from PIL import Image  # matplotlib's own dependency, so there whenever `report` runs

    page, _, _, _, _ = report
    shot = tmp_path / "shot.png"
    screenshot(browser, page, shot, 412, 2200)  # a phone's width
    image = Image.open(shot).convert("RGB")
    assert image.size == (412, 2200)
    pixels = list(image.get_flattened_data())
    inked = sum(1 for p in pixels if sum(p) < 600) / len(pixels)  # anything clearly not white
    colours = {p for p in pixels}
    assert inked > 0.03, f"only {inked:.1%} of the screenshot is drawn on"
    assert len(colours) > 50, "a page of charts has more than a few colours"
    # the charts' own colours are on screen: answered green and the accent blue
    assert any(abs(r - 0x2E) < 12 and abs(g - 0x7D) < 12 and abs(b - 0x32) < 12 for r, g, b in colours)
    assert any(abs(r - 0x15) < 12 and abs(g - 0x65) < 12 and abs(b - 0xC0) < 12 for r, g, b in colours)
