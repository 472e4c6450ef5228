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
from matplotlib.ticker import MaxNLocator  # noqa: E402

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
ACCENT = "#1565c0"

# 5 inches (360 pt) wide: at a phone's 412 px the SVG is drawn at ~1.08 px per pt, so 10 pt
# text (legends, labels) stays ~11 px high; on a desktop it grows with the column
WIDTH = 5.0
SMALL = 10  # legend and bar labels, pt
RATE_LABELS_UP_TO = 7
BAR_LABELS_UP_TO = 14  # bars: more than this and the numbers would overlap; the table has them

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "voice-receipts",  # stable element ids: the same data gives the same file
        "font.size": 11,
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


def _counts(ax) -> None:
    """A count axis: whole numbers only, from zero."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_ylim(bottom=0)


def _buckets(ax, days: list[dict[str, Any]]) -> list[int]:
    """x positions of the buckets, labelled as data.py names them; at most ~8 labels."""
    xs = list(range(len(days)))
    step = max(1, -(-len(days) // 8))
    ax.set_xticks(xs[::step], [d["label"] for d in days][::step])
    ax.set_xlim(-0.6, len(days) - 0.4)
    return xs


def calls_by_state(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    labels, bottom = _buckets(ax, days), [0] * len(days)
    for state in STATES:
        values = [d["states"][state] for d in days]
        if any(values):
            ax.bar(labels, values, bottom=bottom, color=COLOURS[state], label=WORDS[state])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("calls")
    _counts(ax)
    ax.legend(fontsize=SMALL, ncols=2, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _svg(fig)


def answer_rate(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    labels = _buckets(ax, days)
    rates = [d["answer_rate"] for d in days]
    ax.plot(labels, [float("nan") if r is None else r for r in rates], marker="o", color=ACCENT)
    if len(days) <= RATE_LABELS_UP_TO:  # more would overlap at a phone's width; the table has them
        for x, r in zip(labels, rates, strict=True):
            if r is not None:
                ax.annotate(
                    f"{r:g}%", (x, r), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=SMALL
                )
    ax.set_ylim(0, 110)
    ax.set_ylabel("% answered")
    return _svg(fig)


def billed_minutes(days: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    labels, minutes = _buckets(ax, days), [d["billed_minutes"] for d in days]
    bars = ax.bar(labels, minutes, color=ACCENT)
    if len(days) <= BAR_LABELS_UP_TO:
        ax.bar_label(bars, fontsize=SMALL)
    ax.set_ylabel("minutes")
    _counts(ax)
    ax.margins(y=0.2)
    return _svg(fig)


def durations(ring: dict[str, Any], talk: dict[str, Any]) -> str:
    """Two binned histograms (data.BINS): bars of equal width, each labelled by its range."""
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 4.6))
    for ax, hist, title, colour in (
        (axes[0], ring, "ringing", "#f9a825"),
        (axes[1], talk, "talking", ACCENT),
    ):
        bins = hist["bins"]
        while len(bins) > 1 and bins[-1]["calls"] == 0:  # the empty long tail says nothing
            bins = bins[:-1]
        xs = list(range(len(bins)))
        ax.bar(xs, [b["calls"] for b in bins], color=colour, width=0.9)
        names = [f"{b['from']}+" if b["to"] is None else f"{b['from']}-{b['to']}" for b in bins]
        ax.set_xticks(xs, names, rotation=45, ha="right", fontsize=SMALL)
        ax.set_title(f"{title} (s), {hist['calls']} calls", fontsize=SMALL + 1)
        ax.set_ylabel("calls")
        _counts(ax)
    fig.tight_layout()
    return _svg(fig)


def keys_per_call(counts: dict[str, int]) -> str:
    fig, ax = plt.subplots(figsize=(WIDTH, 2.4))
    bars = ax.bar([f"{k} key{'s' if k != '1' else ''}" for k in counts], list(counts.values()), color=ACCENT)
    ax.bar_label(bars, fontsize=SMALL)
    ax.set_ylabel("calls")
    _counts(ax)
    ax.margins(y=0.2)
    return _svg(fig)
