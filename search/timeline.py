"""The timeline of a search: releases per year, or per month inside a selected year,
zero-filled, as data and as CSV.

The counts are the search page's own year (or month) facet, so the timeline a
user downloads is the histogram they see; the periods between the first and
the last with releases (all twelve months of a selected year) are filled with
zeros, which a chart needs and a facet leaves out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from search.archive import Archive
from search.request import SearchRequest


@dataclass(frozen=True)
class Timeline:
    #: "year" or "month"
    period: str
    rows: list[tuple[str, int]]
    #: The query and filters, as written in the CSV header.
    label: str
    #: The search hit its time limit: counts may be low or missing.
    partial: bool = False

    def to_dict(self) -> dict:
        return {"period": self.period, "label": self.label, "partial": self.partial,
                "counts": [{"period": p, "count": c} for p, c in self.rows]}

    def to_csv(self) -> str:
        """UTF-8 CSV text (with a BOM for spreadsheets): ``period,<label>`` then the rows."""
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([self.period, self.label])
        writer.writerows(self.rows)
        return buffer.getvalue()


def describe(request: SearchRequest) -> str:
    """The query and filters of ``request`` in one header cell ("releases: q=…; topic=…")."""
    pairs = [(k, v) for k, v in request.to_params() if k not in ("page", "per_page", "sort")]
    if not pairs:
        return "releases (whole archive)"
    # Starting with a word, the cell never reads as a spreadsheet formula.
    return "releases: " + "; ".join(f"{k}={v}" for k, v in pairs)


def _years(counts: dict[str, int]) -> list[tuple[str, int]]:
    years = [int(y) for y, n in counts.items() if n and y.isdigit()]
    if not years:
        return []
    return [(str(y), counts.get(str(y), 0)) for y in range(min(years), max(years) + 1)]


def _months(year: int, counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(f"{year}-{m:02d}", counts.get(f"{year}-{m:02d}", 0)) for m in range(1, 13)]


def timeline(archive: Archive, request: SearchRequest) -> Timeline:
    """Counts per year of the search, or per month when a year (or month) is selected."""
    year = request.year or (int(request.month[:4]) if request.month else None)
    if year is not None and request.year is None:
        request = request.replace(year=year, month=request.month)
    page = archive.search(request.replace(page=1, per_page=1))
    period = "month" if year is not None else "year"
    partial = page.partial or period in page.facets_timed_out
    counts = {item["value"]: item["count"] for item in page.facets.get(period, [])}
    rows = _months(year, counts) if year is not None else _years(counts)
    return Timeline(period, rows, describe(request), partial)
