"""Facet counts and filters over docnum sets.

Per index generation one ``DocTable`` maps each facet value to the set of
document numbers carrying it and each docnum to its date.  A search computes
its matching docnums once; every facet count is then a set intersection, with
every filter applied but the facet's own (disjunctive facets).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from search.labels import language_label, topic_label
from search.request import SearchRequest

FACET_FIELDS = ("year", "month", "topics", "languages", "other_lang")


@dataclass
class DocTable:
    """Facet postings and dates of one index generation (read-only once built)."""

    live: frozenset[int]
    postings: dict[str, dict[str, frozenset[int]]]
    dates: dict[int, str]
    ids: dict[int, str]

    @classmethod
    def build(cls, searcher) -> DocTable:
        reader = searcher.reader()
        live = frozenset(reader.all_doc_ids())
        postings: dict[str, dict[str, frozenset[int]]] = {}
        for name in FACET_FIELDS:
            values: dict[str, frozenset[int]] = {}
            for raw in reader.lexicon(name):
                value = raw.decode() if isinstance(raw, bytes) else raw
                docs = frozenset(searcher.docs_for_query(wq.Term(name, value))) & live
                if docs:
                    values[value] = docs
            postings[name] = values
        dates = _column(reader, "date", live)
        ids = _column(reader, "id", live)
        return cls(live, postings, dates, ids)

    def with_value(self, name: str, values: tuple[str, ...] | list[str]) -> frozenset[int]:
        table = self.postings.get(name, {})
        out: set[int] = set()
        for v in values:
            out |= table.get(v, frozenset())
        return frozenset(out)

    def in_range(self, date_from: dt.date | None, date_to: dt.date | None) -> frozenset[int]:
        low = date_from.isoformat() if date_from else ""
        high = date_to.isoformat() if date_to else "9999-99-99"
        return frozenset(d for d, value in self.dates.items() if value and low <= value <= high)

    def newest_first(self, docs: set[int] | frozenset[int], reverse: bool = True) -> list[int]:
        """Docnums by date (undated last when newest first), then id, for a stable order."""
        return sorted(docs, key=lambda d: (self.dates.get(d, ""), self.ids.get(d, "")),
                      reverse=reverse)


def _column(reader, name: str, live: frozenset[int]) -> dict[int, str]:
    column = reader.column_reader(name)
    out = {}
    for docnum in live:
        value = column[docnum]
        out[docnum] = value.decode() if isinstance(value, bytes) else (value or "")
    return out


@dataclass
class FilterSets:
    """The request's filters, each as a docnum set (None: not filtering)."""

    topic: frozenset[int] | None = None
    year: frozenset[int] | None = None
    month: frozenset[int] | None = None
    dates: frozenset[int] | None = None

    @classmethod
    def of(cls, table: DocTable, request: SearchRequest) -> FilterSets:
        return cls(
            topic=table.with_value("topics", request.topics) if request.topics else None,
            year=table.with_value("year", [str(request.year)]) if request.year else None,
            month=table.with_value("month", [request.month]) if request.month else None,
            dates=(table.in_range(request.date_from, request.date_to)
                   if request.date_from or request.date_to else None),
        )

    def apply(self, docs: frozenset[int] | set[int], *, skip: tuple[str, ...] = ()) -> set[int]:
        out = set(docs)
        for name in ("topic", "year", "month", "dates"):
            value = getattr(self, name)
            if value is not None and name not in skip:
                out &= value
        return out


@dataclass
class FacetCounts:
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)


def count_values(table: DocTable, name: str, docs: set[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for value, posting in table.postings.get(name, {}).items():
        n = len(posting & docs) if len(posting) < len(docs) else len(docs & posting)
        if n:
            counts[value] = n
    return counts


def facet_values(counts: Counter[str], selected: set[str], label, order: str) -> list[dict]:
    """Facet entries; selected values are kept even at count 0 so they can be cleared."""
    values = set(counts) | selected
    if order == "value-desc":
        keys = sorted(values, reverse=True)
    elif order == "value":
        keys = sorted(values)
    else:
        keys = sorted(values, key=lambda v: (-counts.get(v, 0), v))
    return [
        {"value": v, "label": label(v), "count": counts.get(v, 0), "selected": v in selected}
        for v in keys
    ]


def year_label(value: str) -> dict[str, str]:
    return {"en": value, "ru": value}


def topic_facet(table, filters: FilterSets, query_docs, request, labels) -> list[dict]:
    counts = count_values(table, "topics", filters.apply(query_docs, skip=("topic",)))
    return facet_values(counts, set(request.topics), lambda v: topic_label(v, labels), "count")


def year_facet(table, filters: FilterSets, query_docs, request) -> list[dict]:
    # Picking a year replaces the selected one: the month inside it goes too.
    counts = count_values(table, "year", filters.apply(query_docs, skip=("year", "month")))
    selected = {str(request.year)} if request.year else set()
    return facet_values(counts, selected, year_label, "value-desc")


def month_facet(table, filters: FilterSets, query_docs, request) -> list[dict]:
    counts = count_values(table, "month", filters.apply(query_docs, skip=("month",)))
    selected = {request.month} if request.month else set()
    return facet_values(counts, selected, year_label, "value")


def language_facet(lang_docs: dict[str, set[int]], filters: FilterSets, request) -> list[dict]:
    counts: Counter[str] = Counter()
    for lang, docs in lang_docs.items():
        n = len(filters.apply(docs))
        if n:
            counts[lang] = n
    return facet_values(counts, set(request.langs), language_label, "count")
