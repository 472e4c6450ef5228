"""`report`: one self-contained HTML page of a period's calls (data.py counts, charts.py draws,
page.py lays out, source.py reads). A tool for a person: the function never imports it."""

from __future__ import annotations

from datetime import datetime, tzinfo

from voice_receipts.stores.facts import Aggregates
from voice_receipts.tools.report.data import summarise


def build(
    counted: Aggregates, since: datetime, until: datetime, zone: tzinfo, zone_name: str, source: str
) -> tuple[str, dict]:
    """(the HTML page, the numbers it shows), from the store's aggregates of the period; `zone`
    as tools/when.parse_zone gives it."""
    from voice_receipts.tools.report import page  # matplotlib: imported only when a page is drawn

    summary = summarise(counted, since, until, zone, zone_name)
    return page.render(summary, source), summary
