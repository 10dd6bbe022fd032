"""The timeline CSV: the search page's year (or month) facet counts, zero-filled, with the
query and filters in its header; and the histogram's table view."""

from __future__ import annotations

import csv
import io
import re

import pytest


def timeline_rows(client, query: str) -> tuple[list[str], dict[str, int]]:
    response = client.get(f"/api/timeline?format=csv&{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    return rows[0], {period: int(count) for period, count in rows[1:]}


@pytest.mark.parametrize("query", ["q=energy", "q=министр&lang=ru", "topic=caspian",
                                   "q=visit&sort=newest", ""])
def test_timeline_csv_equals_the_year_facet_zero_filled(client, query):
    header, counts = timeline_rows(client, query)
    facet = {item["value"]: item["count"]
             for item in client.get(f"/api/search?{query}").get_json()["facets"]["year"]}
    assert header[0] == "year"
    assert {y: n for y, n in counts.items() if n} == facet
    years = [int(y) for y in counts]
    assert years == list(range(min(years), max(years) + 1))  # no gaps: zeros fill them
    assert all(counts[str(y)] == facet.get(str(y), 0) for y in years)


def test_years_without_releases_are_zeros():
    from search.timeline import _months, _years

    assert _years({"2010": 1, "2013": 2}) == [("2010", 1), ("2011", 0), ("2012", 0),
                                              ("2013", 2)]
    assert _years({}) == []
    months = _months(2017, {"2017-04": 3})
    assert len(months) == 12 and months[3] == ("2017-04", 3) and sum(n for _, n in months) == 3


def test_timeline_per_month_inside_a_selected_year(client):
    header, counts = timeline_rows(client, "q=energy&year=2022")
    facet = {item["value"]: item["count"] for item in
             client.get("/api/search?q=energy&year=2022").get_json()["facets"]["month"]}
    assert header == ["month", "releases: q=energy; year=2022"]
    assert list(counts) == [f"2022-{m:02d}" for m in range(1, 13)]
    assert {m: n for m, n in counts.items() if n} == {m: n for m, n in facet.items() if n}
    assert sum(counts.values()) == client.get(
        "/api/search?q=energy&year=2022").get_json()["total"]


def test_timeline_header_names_the_query_and_filters(client):
    header, _ = timeline_rows(client, "q=energy&topic=energy&lang=en&from=2015-01-01")
    assert header == ["year", "releases: q=energy; lang=en; topic=energy; from=2015-01-01"]
    header, _ = timeline_rows(client, "")
    assert header == ["year", "releases (whole archive)"]


def test_whole_archive_timeline_matches_stats(client):
    _, counts = timeline_rows(client, "")
    stats = {item["value"]: item["count"] for item in client.get("/api/stats").get_json()["years"]}
    assert {y: n for y, n in counts.items() if n} == stats
    page = client.get("/stats").get_data(as_text=True)
    assert 'href="/api/timeline?format=csv"' in page


def test_timeline_json_and_errors(client):
    body = client.get("/api/timeline?q=energy").get_json()
    assert body["period"] == "year" and all(set(c) == {"period", "count"} for c in body["counts"])
    assert body["partial"] is False
    assert client.get("/api/timeline?format=xml").status_code == 400
    assert client.get("/api/timeline?year=abc").status_code == 400


def test_results_page_offers_the_timeline_and_a_table_view(client):
    page = client.get("/search?q=energy").get_data(as_text=True)
    assert 'href="/api/timeline?format=csv&amp;q=energy"' in page
    table = re.search(r'<details class="histogram__table">.*?</details>', page, re.S)
    assert table, "the histogram has a table view"
    cells = re.findall(r"<tr><td>(\d{4})</td><td class=\"num\">(\d+)</td></tr>", table.group(0))
    facet = {item["value"]: item["count"]
             for item in client.get("/api/search?q=energy").get_json()["facets"]["year"]}
    assert {y: int(n) for y, n in cells} == facet


def test_a_timeline_cut_short_says_so(sample_index):
    from search import Archive, SearchRequest
    from search.timeline import timeline

    with Archive(sample_index, time_limit=0.0) as hurried:
        assert timeline(hurried, SearchRequest(q="министр OR energy")).partial
