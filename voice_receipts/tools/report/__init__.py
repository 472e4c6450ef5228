"""`report`: one self-contained HTML page of a period's calls (data.py counts, charts.py draws,
page.py lays out, source.py reads). A tool for a person: the function never imports it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from voice_receipts.stores.facts import Aggregates
from voice_receipts.tools.report.data import summarise


def build(counted: Aggregates, since: datetime, until: datetime, zone: str, source: str) -> tuple[str, dict]:
    """(the HTML page, the numbers it shows), from the store's aggregates of the period."""
    from voice_receipts.tools.report import page  # matplotlib: imported only when a page is drawn

    summary = summarise(counted, since, until, ZoneInfo(zone), zone)
    return page.render(summary, source), summary
