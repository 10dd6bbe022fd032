"""Export of whole result sets: every match in every format, flat memory, spreadsheet-safe CSV,
RIS and BibTeX read back by independent parsers (rispy's reader, bibtexparser)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
from pathlib import Path

import bibtexparser
import pytest
import rispy

from indexer.release import Release, Version
from indexer.store import Store
from search import Archive, SearchRequest
from search.export import FORMATS, export_chunks, safe_cell

#: Releases in the generated corpus: more than the 1,000-hit paging window.
CORPUS_SIZE = 2400
BASE = "https://pressroom.example"
#: Titles a spreadsheet or a CSV reader could trip on.
AWKWARD_TITLES = [
    'Переговоры, "кавычки" и запятые',
    "Line one\nline two, with a comma",
    "=HYPERLINK(\"http://evil.example\")",
    "+7 (495) phone",
    "-minus first",
    "@SUM(A1:A2)",
    "\tTabbed start",
]


def generated(n: int) -> list[Release]:
    """n small bilingual releases over 2000-2023, every one containing "archive"/"архив"."""
    out = []
    for i in range(n):
        day = dt.date(2000 + i % 24, 1 + i % 12, 1 + i % 28)
        special = AWKWARD_TITLES[i % len(AWKWARD_TITLES)] if i < 70 else ""
        out.append(Release(
            versions={
                "en": Version("en", special or f"Archive note {i}",
                              f"Archive body {i}: the ministry published note {i}."),
                "ru": Version("ru", special or f"Архивная заметка {i}",
                              f"Текст архива {i}: министерство опубликовало заметку {i}."),
            },
            date=day, number=f"{i + 1}/{day.year % 100:02d}",
            url=f"https://mfa.example/news/{i + 1}", topics=["energy" if i % 2 else "culture"],
        ))
    return out


@pytest.fixture(scope="module")
def big_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export-index")
    summary = Store(root).add_releases(generated(CORPUS_SIZE))
    assert summary.added == CORPUS_SIZE, summary.report()
    return root


@pytest.fixture(scope="module")
def archive(big_index):
    with Archive(big_index, time_limit=60) as archive:
        yield archive


def export_text(archive, fmt: str, text: bool = False, **params) -> str:
    return "".join(export_chunks(archive, SearchRequest.from_params(params), fmt, BASE, text))


def all_ids(archive) -> set[str]:
    searcher, order, _ = archive.all_matches(SearchRequest())
    return {searcher.stored_fields(int(d))["id"] for d in order}


def test_every_format_returns_every_match_beyond_the_paging_window(archive):
    expected = all_ids(archive)
    assert len(expected) == CORPUS_SIZE > 1000
    text = export_text(archive, "csv", q="archive").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["id"] for r in rows} == expected and len(rows) == CORPUS_SIZE
    lines = export_text(archive, "jsonl", q="архив").splitlines()
    assert {json.loads(line)["id"] for line in lines} == expected and len(lines) == CORPUS_SIZE
    ris = rispy.loads(export_text(archive, "ris", q="archive"))
    assert {e["id"] for e in ris} == expected and len(ris) == CORPUS_SIZE
    bib = bibtexparser.parse_string(export_text(archive, "bibtex", q="archive"))
    assert not bib.failed_blocks
    assert len(bib.entries) == CORPUS_SIZE
    assert {e.key for e in bib.entries} == {f"pressroom-{i}" for i in expected}


def test_export_follows_the_search_order_and_filters(archive):
    request = SearchRequest.from_params({"q": "archive", "sort": "oldest", "topic": "energy"})
    rows = list(csv.DictReader(io.StringIO(
        "".join(export_chunks(archive, request, "csv", BASE)).lstrip("\ufeff"))))
    assert len(rows) == CORPUS_SIZE // 2
    assert all(r["topics"] == "energy" for r in rows)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    # The first page of the same search shows the same releases first.
    page = archive.search(request.replace(per_page=20))
    assert [h["id"] for h in page.hits] == [r["id"] for r in rows[:20]]


def test_relevance_order_matches_the_result_pages(archive):
    request = SearchRequest.from_params({"q": "note 7"})
    rows = [json.loads(x) for x in
            "".join(export_chunks(archive, request, "jsonl", BASE)).splitlines()]
    page = archive.search(request.replace(per_page=50))
    assert [h["id"] for h in page.hits] == [r["id"] for r in rows[:50]]
    assert len(rows) == page.total


def _peak(archive, request: SearchRequest) -> tuple[int, int]:
    """Peak traced memory while exporting ``request`` as CSV, and the bytes produced."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    size = 0
    for chunk in export_chunks(archive, request, "csv", BASE, text=True):
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size


def test_memory_stays_flat_whatever_the_number_of_matches(archive):
    half = SearchRequest.from_params({"q": "archive", "to": "2011-12-31"})
    everything = SearchRequest.from_params({"q": "archive"})
    archive.search(everything)  # tables and postings are built before measuring
    small_peak, small_size = _peak(archive, half)
    big_peak, big_size = _peak(archive, everything)
    assert big_size > 1.8 * small_size  # twice the records went out...
    # ...in the same memory: only the order of the matches (8 bytes each) grows.
    assert big_peak < small_peak * 1.25 + 16 * CORPUS_SIZE, (small_peak, big_peak)


def test_csv_round_trips_cyrillic_commas_quotes_and_newlines(archive):
    text = export_text(archive, "csv", True, q="archive", sort="oldest")
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    by_title = {r["title_ru"]: r for r in rows}
    assert 'Переговоры, "кавычки" и запятые' in by_title
    assert "Line one\nline two, with a comma" in by_title
    row = by_title['Переговоры, "кавычки" и запятые']
    assert row["title_en"] == 'Переговоры, "кавычки" и запятые'
    assert row["languages"] == "en;ru"
    assert row["url"].startswith("https://mfa.example/news/")
    assert row["permalink"] == f"{BASE}/releases/{row['id']}"
    assert row["text_ru"].startswith("Текст архива")
    assert set(rows[0]) == {"id", "number", "date", "languages", "topics", "title_en",
                            "title_ru", "url", "permalink", "text_en", "text_ru"}


def test_formula_injection_is_neutralised(archive):
    text = export_text(archive, "csv", q="archive")
    titles = {r["title_en"] for r in csv.DictReader(io.StringIO(text[1:], newline=""))}
    for dangerous in ('=HYPERLINK("http://evil.example")', "+7 (495) phone", "-minus first",
                      "@SUM(A1:A2)", "\tTabbed start"):
        assert dangerous not in titles
        assert "'" + dangerous in titles
    # Every cell of the file is safe, not only titles.
    for row in csv.reader(io.StringIO(text[1:], newline="")):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("2017-11-21") == "2017-11-21"


def test_ris_records_carry_the_right_fields(archive):
    entries = rispy.loads(export_text(archive, "ris", q="archive", sort="oldest"))
    first = entries[0]
    searcher, order, _ = archive.all_matches(SearchRequest(sort="oldest"))
    stored = searcher.stored_fields(int(order[0]))
    assert first["type_of_reference"] == "PRESS"
    assert first["id"] == stored["id"]
    assert first["title"] == stored["title_en"]
    assert first["translated_title"] == stored["title_ru"]
    assert first["number"] == stored["number"]
    assert first["date"] == stored["date"].replace("-", "/")
    assert first["urls"] == [stored["url"], f"{BASE}/releases/{stored['id']}"]
    assert first["keywords"] == stored["topics"].split(",")
    assert first["authors"] == ["Ministry of Foreign Affairs of the Republic of Azerbaijan"]


def test_bibtex_entries_carry_the_right_fields(archive):
    library = bibtexparser.parse_string(export_text(archive, "bibtex", q="archive",
                                                    sort="oldest"))
    assert not library.failed_blocks
    entry = library.entries[0]
    searcher, order, _ = archive.all_matches(SearchRequest(sort="oldest"))
    stored = searcher.stored_fields(int(order[0]))
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "misc"
    assert entry.key == f"pressroom-{stored['id']}"
    assert fields["title"] == stored["title_en"]
    assert fields["number"] == stored["number"]
    assert fields["date"] == stored["date"] and fields["year"] == stored["date"][:4]
    assert fields["url"] == stored["url"]
    assert fields["author"] == "{Ministry of Foreign Affairs of the Republic of Azerbaijan}"
    titles = {f.value for e in library.entries for f in e.fields if f.key == "title"}
    assert 'Переговоры, "кавычки" и запятые' in titles
    assert "Line one line two, with a comma" in titles  # one line: BibTeX fields are text


def test_export_over_http_streams_every_match(tmp_path, big_index):
    from webui import create_app

    app = create_app({"TESTING": True, "INDEX": str(big_index), "ZERO_RESULTS_LOG": False})
    client = app.test_client()
    response = client.get("/api/export?format=csv&q=archive&topic=culture")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:], newline="")))
    assert len(rows) == CORPUS_SIZE // 2
    assert rows[0]["permalink"].startswith("http://localhost/releases/")
    for fmt in FORMATS:
        assert client.get(f"/api/export?format={fmt}&q=archive&year=2001").status_code == 200
    bad = client.get("/api/export?format=xlsx")
    assert bad.status_code == 400 and bad.get_json()["error"]["status"] == 400
    assert client.get("/api/export?format=csv&year=12").status_code == 400


def test_cli_export_writes_every_match(big_index, tmp_path):
    from click.testing import CliRunner

    from webui.cli import cli

    out = tmp_path / "all.ris"
    result = CliRunner().invoke(cli, ["export", "--index", str(big_index), "--format", "ris",
                                      "--topic", "energy", "-o", str(out), "archive"])
    assert result.exit_code == 0, result.output
    assert len(rispy.loads(out.read_text(encoding="utf-8"))) == CORPUS_SIZE // 2
    bad = CliRunner().invoke(cli, ["export", "--index", str(big_index), "--year", "x", "a"])
    assert bad.exit_code == 2


def test_an_export_cut_short_by_the_time_limit_says_so(big_index):
    with Archive(big_index, time_limit=0.0) as hurried:
        export = export_chunks(hurried, SearchRequest(q="archive note"), "csv", BASE)
        rows = "".join(export).count("\r\n") - 1
    assert export.partial
    assert rows == export.total
