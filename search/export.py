"""Export of a whole result set: every match of a search, streamed as CSV, JSON Lines,
RIS or BibTeX.

There is no result window here: ``Archive.all_matches`` gives the document
numbers of every match in the search's sort order, and the stored fields of
one release are read, turned into text and handed on before the next is read,
so memory stays the same whatever the number of matches.  Output comes in
chunks of ``CHUNK_RECORDS`` records (one write per chunk, not per field).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from indexer.codec.readers import stored_fields
from search.archive import Archive
from search.citation import bibtex_entry, ris_entry
from search.page import SearchPage
from search.request import SearchRequest

#: Records turned into text before a chunk is handed on.
CHUNK_RECORDS = 64
#: Languages whose title and text get their own columns.
EXPORT_LANGUAGES = ("en", "ru")
COLUMNS = ("id", "number", "date", "languages", "topics", "title_en", "title_ru", "url",
           "permalink")
TEXT_COLUMNS = ("text_en", "text_ru")
#: A spreadsheet reads a cell starting with one of these as a formula (OWASP's
#: list: tab and carriage return too); a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    #: Whether the plain text of the versions can be included.
    carries_text: bool


FORMATS = {
    f.name: f
    for f in [
        ExportFormat("csv", "text/csv; charset=utf-8", "csv", True),
        ExportFormat("jsonl", "application/jsonl; charset=utf-8", "jsonl", True),
        ExportFormat("ris", "application/x-research-info-systems; charset=utf-8", "ris", False),
        ExportFormat("bibtex", "application/x-bibtex; charset=utf-8", "bib", False),
    ]
}


def permalink(base_url: str, release_id: str) -> str:
    """The Pressroom address of a release: ``base_url`` (the site) + ``/releases/<id>``."""
    return f"{base_url.rstrip('/')}/releases/{quote(release_id, safe='')}"


def release_record(stored: dict[str, Any], base_url: str, text: bool = False) -> dict[str, Any]:
    """One release as an export record (plain text, lists as lists)."""
    record: dict[str, Any] = {
        "id": stored.get("id", ""),
        "number": stored.get("number", "") or "",
        "date": stored.get("date", "") or "",
        "languages": [x for x in (stored.get("languages") or "").split(",") if x],
        "topics": [x for x in (stored.get("topics") or "").split(",") if x],
        "title_en": stored.get("title_en", "") or "",
        "title_ru": stored.get("title_ru", "") or "",
        "url": stored.get("url", "") or "",
        "permalink": permalink(base_url, stored.get("id", "")),
    }
    if text:
        record["text_en"] = stored.get("body_en", "") or ""
        record["text_ru"] = stored.get("body_ru", "") or ""
    return record


@dataclass
class Export:
    """A result set on its way out: how many matched, whether the search was cut short by
    its time limit, and the text chunks (read from the index as they are taken)."""

    total: int
    partial: bool
    chunks: Iterator[str]

    def __iter__(self) -> Iterator[str]:
        return self.chunks


def records(archive: Archive, request: SearchRequest, base_url: str,
            text: bool = False) -> tuple[SearchPage, Iterator[dict[str, Any]]]:
    """The first page of ``request`` (total, notes) and every matching release, in the
    search's order, one record at a time.

    The matches are found now (a bad request raises here, before anything is
    sent); each record is read when it is taken.
    """
    searcher, order, page = archive.all_matches(request)
    return page, (release_record(stored_fields(searcher, int(d)), base_url, text) for d in order)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_row(record: dict[str, Any], columns: tuple[str, ...]) -> list[str]:
    row = []
    for name in columns:
        value = record.get(name, "")
        if isinstance(value, list):
            value = ";".join(value)
        row.append(safe_cell(str(value)))
    return row


def csv_chunks(items: Iterator[dict[str, Any]], text: bool = False) -> Iterator[str]:
    """CSV for spreadsheets: a BOM (Excel then reads UTF-8), a header, one row per release."""
    columns = COLUMNS + (TEXT_COLUMNS if text else ())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    yield from _chunked(items, buffer, lambda r: writer.writerow(csv_row(r, columns)))


def jsonl_chunks(items: Iterator[dict[str, Any]], text: bool = False) -> Iterator[str]:
    buffer = io.StringIO()

    def write(record: dict[str, Any]) -> None:
        buffer.write(json.dumps(record, ensure_ascii=False))
        buffer.write("\n")

    yield from _chunked(items, buffer, write)


def ris_chunks(items: Iterator[dict[str, Any]], text: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    yield from _chunked(items, buffer, lambda r: buffer.write(ris_entry(r)))


def bibtex_chunks(items: Iterator[dict[str, Any]], text: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    yield from _chunked(items, buffer, lambda r: buffer.write(bibtex_entry(r) + "\n"))


def _chunked(items: Iterator[dict[str, Any]], buffer: io.StringIO,
             write: Callable[[dict[str, Any]], Any]) -> Iterator[str]:
    count = 0
    for record in items:
        write(record)
        count += 1
        if count % CHUNK_RECORDS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest


WRITERS: dict[str, Callable[..., Iterator[str]]] = {
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "ris": ris_chunks,
    "bibtex": bibtex_chunks,
}


def export_chunks(archive: Archive, request: SearchRequest, fmt: str, base_url: str,
                  text: bool = False) -> Export:
    """The whole result set of ``request`` in format ``fmt``; iterate it for the text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    text = text and FORMATS[fmt].carries_text
    page, items = records(archive, request, base_url, text)
    return Export(page.total, page.partial, WRITERS[fmt](items, text))
