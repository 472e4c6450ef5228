"""Issue 19's misleading answers, each tried as a new user would: an archive's calls on their own
days in `show` too, a report whose size does not grow with the period or the calls, an empty
period that says so, whole-number counts, a legend a phone can read, every state accepted."""

from __future__ import annotations

import re

import pytest

from tests import samples
from tests.helpers import run_cli
from voice_receipts.states import MEANING, STATES

PHONE_WIDTH = 412 - 2 * 12  # a phone's CSS width, less the page's padding (page.py)


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answers")
    store = f"sqlite:///{folder}/r.db"
    assert "19 stored" in run_cli("replay", str(samples.EVENTS), "--store", store, cwd=folder).stdout
    return folder, store


def report(events, *args):
    folder, store = events
    done = run_cli("report", *args, "--out", "r.html", "--store", store, cwd=folder)
    assert done.returncode == 0, done.stderr
    return (folder / "r.html").read_text(encoding="utf-8"), done


def test_show_since_counts_a_call_when_it_was_placed_not_when_it_was_replayed(events):
    folder, store = events
    done = run_cli("show", "--since", "24h", "--store", store, cwd=folder)
    # events/ is last year's archive: only the failure receipt that came alone has no time of its own
    assert done.stdout.startswith("1 calls, newest first (since 24h)"), done.stdout
    assert "vc-gw-tapigw-0001" in done.stdout and "vp-5d1e0b44-0001" not in done.stdout
    listed = run_cli("show", "--store", store, cwd=folder).stdout.splitlines()[2:]
    times = [line[:19] for line in listed]
    assert times == sorted(times, reverse=True) and times[-1].startswith("2025-11-27")  # by Call.at


def test_an_empty_period_says_no_calls_without_charts_or_warnings(events):
    html, done = report(events, "--since", "2001-01-01", "--until", "2001-02-01")
    assert 'id="no-calls"' in html and "<svg" not in html
    assert done.stderr == "" and "Warning" not in done.stdout
    assert "0 calls" in done.stdout


@pytest.mark.parametrize(
    ("since", "bucket", "label"), [("3650d", "month", r"\d{4}-\d\d"), ("1971-01-01", "year", r"\d{4}")]
)
def test_a_long_period_buckets_by_month_or_year_and_the_page_stays_small(events, since, bucket, label):
    html, _ = report(events, "--since", since)
    data = re.search(r'id="report-data">(.*?)</script>', html).group(1)
    import json

    summary = json.loads(data)
    assert summary["bucket"] == bucket and len(summary["days"]) <= 125
    assert all(re.fullmatch(label, d["label"]) for d in summary["days"])
    assert summary["totals"]["calls"] == 11  # last year's archive and today's lone failure
    assert len(html.encode()) < 300_000


def test_count_axes_have_whole_number_ticks_and_the_legend_is_legible_on_a_phone(events):
    html, _ = report(events, "--since", "2025-11-20", "--until", "2025-12-01")
    numbers = re.findall(r"<text[^>]*>(-?[0-9.]+)</text>", html)
    assert numbers and not [n for n in numbers if "." in n]  # answer rates carry a "%"
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        width = float(re.search(r'viewBox="0 0 ([0-9.]+)', svg).group(1))
        sizes = [float(s) for s in re.findall(r"font-size: ([0-9.]+)px", svg)]
        assert min(sizes) * PHONE_WIDTH / width >= 10, "text under 10 px at 412 px wide"


def test_the_page_states_each_figures_definition(events):
    html, _ = report(events, "--since", "2025-11-20", "--until", "2025-12-01")
    assert "answered ÷ calls that ended" in html and "still in progress" in html
    assert "Failed: calls with a failure receipt" in html
    for state in STATES:  # the partition the cards and the table use, with what each includes
        assert MEANING[state] in html


def test_show_accepts_every_state_and_says_what_each_includes(events):
    folder, store = events
    helped = run_cli("show", "--help", cwd=folder).stdout
    for state in STATES:
        assert state.value in helped
        done = run_cli("show", "--state", state.value, "--store", store, cwd=folder)
        assert done.returncode == 0, done.stderr
    assert " ".join(MEANING[STATES[-1]].split()[:3]) in " ".join(helped.split())


def test_show_phone_says_what_was_searched(events):
    folder, store = events
    done = run_cli("show", "--phone", "+86 138 0013 8000", "--store", store, cwd=folder)
    assert done.returncode == 0 and "calls to +86 138******00" in done.stdout
