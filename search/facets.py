"""Facet counts and filters over docnum sets.

Per index generation one ``DocTable`` maps each facet value to the mask of
document numbers carrying it and each docnum to its date.  A search computes
its matching documents once; every facet count is then a mask intersection,
with every filter applied but the facet's own (disjunctive facets).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from babel.dates import format_date

from indexer.codec.readers import postings_of
from search.labels import language_label, topic_label
from search.request import SearchRequest

FACET_FIELDS = ("year", "month", "topics", "languages", "other_lang")
#: Entity fields (issue 13): absent from indexes built before them (then no values).
ENTITY_FIELDS = ("country", "org", "person")


@dataclass
class DocTable:
    """Facet postings and dates of one index generation (read-only once built).

    Document sets are boolean arrays indexed by document number: a facet
    count is one ``&`` and a count of set bits, whatever the number of matches.
    """

    size: int
    live: np.ndarray
    postings: dict[str, dict[str, np.ndarray]]
    dates: np.ndarray  # ISO date per docnum ("" when undated or deleted)
    chronological: np.ndarray  # live docnums by (date, id)
    #: Per facet: its values, and every (live docnum, value number) pair carrying one.
    pairs: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: Values derived from the table on demand and kept with it (search.entities).
    memo: dict = field(default_factory=dict)

    @classmethod
    def build(cls, searcher) -> DocTable:
        reader = searcher.reader()
        size = reader.doc_count_all()
        live = np.zeros(size, dtype=bool)
        live[list(reader.all_doc_ids())] = True
        postings: dict[str, dict[str, np.ndarray]] = {}
        schema = searcher.schema
        for name in FACET_FIELDS + ENTITY_FIELDS:
            values: dict[str, np.ndarray] = {}
            if name not in schema:
                postings[name] = values
                continue
            for raw in reader.lexicon(name):
                value = raw.decode() if isinstance(raw, bytes) else raw
                mask = np.zeros(size, dtype=bool)
                mask[postings_of(searcher, name, raw)[0]] = True
                mask &= live
                if mask.any():
                    values[value] = mask
            postings[name] = values
        dates = _column(reader, "date", live)
        ids = _column(reader, "id", live)
        alive = np.flatnonzero(live).tolist()
        chronological = np.array(sorted(alive, key=lambda d: (dates[d], ids[d])), dtype=np.int64)
        return cls(size, live, postings, np.array(dates, dtype=str), chronological,
                   {name: _pairs(values) for name, values in postings.items()})

    def empty(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def with_value(self, name: str, values: tuple[str, ...] | list[str]) -> np.ndarray:
        table = self.postings.get(name, {})
        out = self.empty()
        for v in values:
            if v in table:
                out |= table[v]
        return out

    def in_range(self, date_from: dt.date | None, date_to: dt.date | None) -> np.ndarray:
        low = date_from.isoformat() if date_from else ""
        high = date_to.isoformat() if date_to else "9999-99-99"
        dates = self.dates
        return (dates != "") & (dates >= low) & (dates <= high) & self.live

    def newest_first(self, docs: np.ndarray, reverse: bool = True) -> np.ndarray:
        """Docnums in ``docs`` by date (undated last when newest first), then id."""
        order = self.chronological[docs[self.chronological]]
        return order[::-1] if reverse else order


def _pairs(values: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = list(values)
    docs = [np.flatnonzero(mask) for mask in values.values()]
    numbers = [np.full(len(d), i, dtype=np.int64) for i, d in enumerate(docs)]
    if not docs:
        return names, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return names, np.concatenate(docs), np.concatenate(numbers)


def _column(reader, name: str, live: np.ndarray) -> list[str]:
    column = reader.column_reader(name)
    out = [""] * len(live)
    for docnum in np.flatnonzero(live).tolist():
        value = column[docnum]
        out[docnum] = value.decode() if isinstance(value, bytes) else (value or "")
    return out


@dataclass
class FilterSets:
    """The request's filters, each as a document mask (None: not filtering)."""

    topic: np.ndarray | None = None
    year: np.ndarray | None = None
    month: np.ndarray | None = None
    dates: np.ndarray | None = None
    country: np.ndarray | None = None
    org: np.ndarray | None = None
    person: np.ndarray | None = None

    @classmethod
    def of(cls, table: DocTable, request: SearchRequest) -> FilterSets:
        return cls(
            topic=table.with_value("topics", request.topics) if request.topics else None,
            year=(table.with_value("year", [str(y) for y in request.selected_years])
                  if request.selected_years else None),
            month=table.with_value("month", [request.month]) if request.month else None,
            dates=(table.in_range(request.date_from, request.date_to)
                   if request.date_from or request.date_to else None),
            country=table.with_value("country", request.countries) if request.countries else None,
            org=table.with_value("org", request.orgs) if request.orgs else None,
            person=table.with_value("person", request.people) if request.people else None,
        )

    def apply(self, docs: np.ndarray, *, skip: tuple[str, ...] = ()) -> np.ndarray:
        out = docs
        for name in ("topic", "year", "month", "dates", *ENTITY_FIELDS):
            value = getattr(self, name)
            if value is not None and name not in skip:
                out = out & value
        return out


def count_values(table: DocTable, name: str, docs: np.ndarray) -> Counter[str]:
    """How many of ``docs`` carry each value of facet ``name`` (values at 0 left out)."""
    counts: Counter[str] = Counter()
    if name not in table.pairs or not docs.any():
        return counts
    # One pass over the (document, value) pairs instead of a mask per value:
    # a facet of a hundred topics cost a hundred 20,000-wide intersections.
    values, pair_docs, pair_values = table.pairs[name]
    tally = np.bincount(pair_values[docs[pair_docs]], minlength=len(values))
    for number in np.flatnonzero(tally).tolist():
        counts[values[number]] = int(tally[number])
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


#: The interface languages labels are made in (webui.i18n.UI_LANGUAGES says the same).
LABEL_LANGUAGES = ("en", "ru")


def year_label(value: str) -> dict[str, str]:
    return {"en": value, "ru": value}


def month_label(value: str) -> dict[str, str]:
    """ "2017-11" in both interface languages ("November 2017", "ноябрь 2017"); a value
    that is no month (from an old index) as it is: no request selects it."""
    try:
        first = dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return year_label(value)
    return {lang: format_date(first, "LLLL y", locale=lang) for lang in LABEL_LANGUAGES}


def topic_facet(table, filters: FilterSets, query_docs, request, labels) -> list[dict]:
    counts = count_values(table, "topics", filters.apply(query_docs, skip=("topic",)))
    return facet_values(counts, set(request.topics), lambda v: topic_label(v, labels), "count")


def year_facet(table, filters: FilterSets, query_docs, request) -> list[dict]:
    # Years combine with OR (counts disjunctive, as for topics); the month goes with them.
    counts = count_values(table, "year", filters.apply(query_docs, skip=("year", "month")))
    selected = {str(y) for y in request.selected_years}
    return facet_values(counts, selected, year_label, "value-desc")


def month_facet(table, filters: FilterSets, query_docs, request) -> list[dict]:
    counts = count_values(table, "month", filters.apply(query_docs, skip=("month",)))
    selected = {request.month} if request.month else set()
    return facet_values(counts, selected, month_label, "value")


#: The language facet's entry for hits no single version matches (see ``across_versions``).
ACROSS = "across"


def across_versions(lang_docs: dict[str, np.ndarray], filters: FilterSets,
                    query_docs: np.ndarray) -> list[dict]:
    """The hits that match only across two versions ("public" in the English text, "сша" in
    the Russian): counted under no language, they get an entry of their own, so that the
    language facet accounts for every hit.  It is not a filter (no language finds them)."""
    hits = filters.apply(query_docs)
    for docs in lang_docs.values():
        hits = hits & ~filters.apply(docs)
    count = int(np.count_nonzero(hits))
    if not count:
        return []
    return [{"value": ACROSS, "count": count, "selected": False,
             "label": {"en": "across two versions only", "ru": "только в двух версиях вместе"}}]


def language_facet(lang_docs: dict[str, np.ndarray], filters: FilterSets,
                   request) -> list[dict]:
    counts: Counter[str] = Counter()
    for lang, docs in lang_docs.items():
        n = int(np.count_nonzero(filters.apply(docs)))
        if n:
            counts[lang] = n
    return facet_values(counts, set(request.langs), language_label, "count")
