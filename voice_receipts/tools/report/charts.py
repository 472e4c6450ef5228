"""The report's charts: matplotlib (Agg, no display) drawn to SVG text, inlined in the page.

Only the `report` command imports this module; the function never does (a plotting library is
tens of MB and a second of import). Text stays text in the SVG (svg.fonttype none): the browser
draws it with its own fonts, the file is smaller, and the numbers in a chart can be searched.
The root <svg> loses its fixed size and keeps its viewBox, so a chart shrinks to a phone's width.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: never a window, works with no display

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

from voice_receipts.states import STATES, WORDS  # noqa: E402

COLOURS = {
    "answered": "#2e7d32",
    "not_answered": "#f9a825",
    "call_error": "#ef6c00",
    "failed": "#c62828",
    "undocumented": "#8e24aa",
    "in_progress": "#90a4ae",
    "sent": "#cfd8dc",
}
LABELS = WORDS
ACCENT = "#1565c0"

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "voice-receipts",  # stable element ids: the same data gives the same file
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 100,
    }
)


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        bbox_inches="tight",
        metadata=dict.fromkeys(("Date", "Creator", "Format", "Type")),
    )
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # the XML declaration and doctype do not belong in HTML
    head, rest = text.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'{head} style="width:100%;height:auto" role="img">{rest}'


def _days(ax, days: list[dict[str, Any]]) -> list[int]:
    """x positions of the days, labelled MM-DD (the year is in the period line); at most ~10
    labels, so a month stays readable on a phone."""
    xs = list(range(len(days)))
    step = max(1, -(-len(days) // 10))
    ax.set_xticks(xs[::step], [d["day"][5:] for d in days][::step])
    ax.set_xlim(-0.6, len(days) - 0.4)
    return xs


def calls_by_state(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    labels, bottom = _days(ax, days), [0] * len(days)
    for state in STATES:
        values = [d["states"][state] for d in days]
        if any(values):
            ax.bar(labels, values, bottom=bottom, color=COLOURS[state], label=LABELS[state])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("calls")
    ax.legend(fontsize=8, ncols=3, frameon=False, loc="upper left")
    ax.margins(y=0.25)
    return _svg(fig)


def answer_rate(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(7, 2.6))
    labels = _days(ax, days)
    rates = [d["answer_rate"] for d in days]
    points = [(x, r) for x, r in zip(labels, rates, strict=True) if r is not None]
    ax.plot(labels, [float("nan") if r is None else r for r in rates], marker="o", color=ACCENT)
    for x, r in points:
        ax.annotate(f"{r:g}%", (x, r), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% answered")
    return _svg(fig)


def billed_minutes(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(7, 2.6))
    labels, minutes = _days(ax, days), [d["billed_minutes"] for d in days]
    bars = ax.bar(labels, minutes, color=ACCENT)
    ax.bar_label(bars, fontsize=8)
    ax.set_ylabel("minutes")
    ax.margins(y=0.2)
    return _svg(fig)


def durations(ring: list[int], talk: list[int]) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(7, 2.6), sharey=False)
    for ax, values, title, colour in (
        (axes[0], ring, "ringing", "#f9a825"),
        (axes[1], talk, "talking", ACCENT),
    ):
        if values:
            ax.hist(values, bins=min(20, max(5, len(set(values)))), color=colour)
        else:
            ax.text(0.5, 0.5, "no calls", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{title} (s), {len(values)} calls", fontsize=10)
        ax.set_ylabel("calls")
    return _svg(fig)


def keys_per_call(counts: dict[str, int]) -> str:
    fig, ax = plt.subplots(figsize=(7, 2.4))
    bars = ax.bar([f"{k} key{'s' if k != '1' else ''}" for k in counts], list(counts.values()), color=ACCENT)
    ax.bar_label(bars, fontsize=8)
    ax.set_ylabel("notification calls")
    ax.margins(y=0.2)
    return _svg(fig)
