"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no network).

Readable on a phone: a viewport meta, one column, charts that scale to the width. The numbers are
also embedded as JSON (<script type="application/json" id="report-data">) for tools and tests.
Everything from a receipt is escaped: a failure reason is text VMS sent, not markup.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import voice_receipts.tools.report.charts as charts
from voice_receipts import __version__
from voice_receipts.states import ENDED, MEANING, STATES

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC",
       "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 820px; padding: 12px; color: #222; }
h1 { font-size: 1.4em; margin: 0.2em 0; } h2 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
.period { color: #555; margin: 0 0 0.8em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 8px; }
.card { background: #f4f6f8; border-radius: 8px; padding: 8px 10px; }
.card b { display: block; font-size: 1.5em; }
figure { margin: 0; } svg { max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e0e0e0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #666; font-size: 0.85em; }
"""


UNIT_WORDS = {"day": "day", "week": "week (from Monday)", "month": "month", "year": "year"}


def render(summary: dict[str, Any], source: str) -> str:
    t = summary["totals"]
    rate = "–" if t["answer_rate"] is None else f"{t['answer_rate']:g}%"
    cards = [
        ("calls", t["calls"]),
        ("answered", rate),
        ("failed", t["states"]["failed"]),
        ("billed minutes", t["billed_minutes"]),
    ]
    period = summary["period"]
    unit = UNIT_WORDS[summary["bucket"]]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Voice receipts, {escape(period['since'][:10])} to {escape(period['until'][:10])}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Voice receipts</h1>",
        f'<p class="period" id="period">{escape(_when(period["since"]))} to '
        f"{escape(_when(period['until']))}, days in {escape(summary['zone'])} · from {escape(source)}</p>",
        '<div class="cards">',
        *(
            f'<div class="card" id="card-{k.replace(" ", "-")}">{escape(k)}<b>{escape(str(v))}</b></div>'
            for k, v in cards
        ),
        "</div>",
        f'<p class="note" id="definitions">Calls: every call placed in the period (its status receipt\'s'
        " start, else its first receipt's arrival). Answered: answered ÷ calls that ended"
        f" ({_ENDED}); {t['states']['in_progress'] + t['states']['sent']} still in progress or only sent"
        " are not in the rate. Failed: calls with a failure receipt, whatever their status said.</p>",
    ]
    if not t["calls"]:
        parts.append('<p id="no-calls"><b>No calls</b> in this period.</p>')
    else:
        parts += _charts(summary, unit)
    parts += [
        f'<p class="note">voice-receipts {escape(__version__)}.'
        f" A call is counted on the {escape(unit)} it was placed, in the zone above.</p>",
        f'<script type="application/json" id="report-data">{_json(summary)}</script>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


_ENDED = ", ".join(s.words for s in ENDED)


def _charts(summary: dict[str, Any], unit: str) -> list[str]:
    return [
        f"<h2>Calls per {escape(unit)}, by final state</h2>",
        f"<figure>{charts.calls_by_state(summary['days'])}</figure>",
        '<table id="states" class="note">'
        + "".join(
            f"<tr><td>{escape(s.words)}</td><td class='n'>{summary['totals']['states'][s.value]}</td>"
            f"<td>{escape(MEANING[s])}</td></tr>"
            for s in STATES
        )
        + "</table>",
        f"<h2>Answer rate per {escape(unit)}</h2>",
        f"<figure>{charts.answer_rate(summary['days'])}</figure>",
        '<p class="note">answered ÷ calls that ended; a gap where none ended.</p>',
        "<h2>Failures by code</h2>",
        _failures(summary["failures"]),
        "<h2>Ringing and talking time</h2>",
        f"<figure>{charts.durations(summary['ring_seconds'], summary['talk_seconds'])}</figure>",
        '<p class="note">Ringing: start to answer (answered) or to the end (not answered).'
        " Talking: answered calls, answer to end. Only calls whose times VMS reported.</p>",
        "<h2>Keys pressed per notification call</h2>",
        f"<figure>{charts.keys_per_call(summary['keys_per_notification'])}</figure>",
        _keys(summary["keys"]),
        f"<h2>Billed minutes per {escape(unit)}</h2>",
        f"<figure>{charts.billed_minutes(summary['days'])}</figure>",
        _days_table(summary["days"], unit),
    ]


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _json(data: Any) -> str:
    # "<" escaped: no text from a receipt can close the script element early
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _failures(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p id="failures">No failed calls in this period.</p>'
    body = "".join(
        f"<tr><td class='n'>{escape('–' if r['code'] is None else str(r['code']))}</td>"
        f"<td lang='zh'>{escape(r['zh'])}</td>"
        f"<td>{escape(r['en'])}</td><td class='n'>{r['calls']}</td><td class='n'>{r['share']:g}%</td></tr>"
        for r in rows
    )
    head = (
        "<tr><th class='n'>code</th><th>原因</th><th>reason</th>"
        "<th class='n'>calls</th><th class='n'>share</th></tr>"
    )
    return f'<table id="failures">{head}{body}</table>'


def _keys(keys: dict[str, int]) -> str:
    if not keys:
        return '<p id="keys" class="note">No key was pressed.</p>'
    cells = "".join(f"<tr><td>{escape(k)}</td><td class='n'>{n}</td></tr>" for k, n in keys.items())
    head = '<tr><th>key (keypad order)</th><th class="n">presses</th></tr>'
    return f'<table id="keys">{head}{cells}</table>'


def _days_table(days: list[dict[str, Any]], unit: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(d['label'])}</td><td class='n'>{d['calls']}</td>"
        f"<td class='n'>{'–' if d['answer_rate'] is None else format(d['answer_rate'], 'g') + '%'}</td>"
        f"<td class='n'>{d['billed_minutes']}</td></tr>"
        for d in days
    )
    head = (
        f"<tr><th>{escape(unit)}</th><th class='n'>calls</th><th class='n'>answered</th>"
        "<th class='n'>billed min</th></tr>"
    )
    return f'<table id="days">{head}{rows}</table>'
