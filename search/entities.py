"""Who and where (issue 13): countries, organisations and people as facets and pages.

The indexer tags each release with ISO country codes, organisation ids and person
ids (the ``country``, ``org`` and ``person`` fields, see docs/search-contract.md);
this module labels those values in both interface languages, counts them as
disjunctive facets, and gathers what an entity's page shows.  Labels come from
the gazetteer (indexer.gazetteer) when it knows the value, else from CLDR for a
country, and for a person from the names stored with the releases naming them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from babel import Locale

from indexer.codec.readers import stored_fields
from search import facets as fc
from search.request import QueryError, SearchRequest

if TYPE_CHECKING:
    from search.archive import Archive


@dataclass(frozen=True)
class EntityKind:
    """One kind of entity: its facet (and index field), request attribute and page path."""

    name: str  # facet name, index field and request parameter: "country", "org", "person"
    attr: str  # SearchRequest attribute: "countries", "orgs", "people"
    path: str  # the pages' folder: "countries", "organisations", "people"


COUNTRY = EntityKind("country", "countries", "countries")
ORG = EntityKind("org", "orgs", "organisations")
PERSON = EntityKind("person", "people", "people")
KINDS: dict[str, EntityKind] = {k.name: k for k in (COUNTRY, ORG, PERSON)}

#: Values a facet lists at most (by count; selected values are always kept).
FACET_SIZE = 20
#: Co-mentioned entities an entity page lists per kind.
CO_MENTIONED = 10
LANGUAGES = ("en", "ru")
#: CLDR "territories" with a two-letter code that are no country: unknown region,
#: European Union, Eurozone, United Nations, outlying Oceania.
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO"})


# ---------------------------------------------------------------- labels

def gazetteer() -> Any:
    """The shared gazetteer, or None where it cannot be loaded (labels fall back)."""
    try:
        from indexer.gazetteer import load_gazetteer
    except ImportError:  # an installation without the gazetteer package
        return None
    try:
        return load_gazetteer()
    except Exception:  # noqa: BLE001 - a broken data file costs labels, never a page
        return None


def known_entity(kind: str, value: str, gaz: Any = None) -> Any:
    """The gazetteer's entity (``gaz``: the gazetteer, when the caller holds it already)."""
    gaz = gaz if gaz is not None else gazetteer()
    if gaz is None:
        return None
    try:
        return gaz.entity(kind, value)
    except Exception:  # noqa: BLE001 - as above
        return None


@lru_cache(maxsize=512)
def country_names(code: str) -> dict[str, str] | None:
    """CLDR's names of an ISO 3166 code in both interface languages; None if it has none."""
    if code in NOT_COUNTRIES:
        return None
    names = {lang: Locale(lang).territories.get(code) for lang in LANGUAGES}
    if not all(names.values()):
        return None
    return {lang: str(name) for lang, name in names.items()}


def entity_label(kind: str, value: str, names: Mapping[str, str] | None = None,
                 gaz: Any = None) -> dict[str, str]:
    """The value's label in both interface languages.  ``names``: a person's names as
    stored with a release naming them (``person_names``); ``gaz``: the gazetteer, read
    once by callers labelling many values (loading it checks its files)."""
    entity = known_entity(kind, value, gaz)
    if entity is not None:
        return {lang: entity.label(lang) or value for lang in LANGUAGES}
    if kind == COUNTRY.name:
        cldr = country_names(value)
        if cldr:
            return cldr
    if names:
        found = {lang: str(names.get(lang) or "") for lang in LANGUAGES}
        fallback = found["en"] or found["ru"] or value
        return {lang: found[lang] or fallback for lang in LANGUAGES}
    return {lang: value for lang in LANGUAGES}


def is_known(kind: str, value: str) -> bool:
    """Whether the gazetteer (or CLDR, for a country) knows the value."""
    if known_entity(kind, value) is not None:
        return True
    return kind == COUNTRY.name and country_names(value) is not None


def split(value: Any) -> list[str]:
    """A stored comma-separated field as its values."""
    return [v for v in str(value or "").split(",") if v]


class _PersonNames:
    """Per facet table: each person's names, read from the newest release naming them.

    Read lazily for the values a page shows (a facet lists twenty at most), and kept
    in the table's memo: its generation never changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def lookup(self, table: fc.DocTable, searcher: Any, person: str) -> dict[str, str]:
        with self._lock:
            cache = table.memo.setdefault("person_names", {})
            if person in cache:
                return cache[person]
        names: dict[str, str] = {}
        mask = table.postings.get(PERSON.name, {}).get(person)
        if mask is not None and searcher is not None:
            newest = table.newest_first(mask)
            if len(newest):
                stored = stored_fields(searcher, int(newest[0]))
                names = _names_of(stored.get("person_names"), person)
        with self._lock:
            cache[person] = names
        return names


def _names_of(stored: Any, person: str) -> dict[str, str]:
    """One person's names from a release's stored ``person_names`` (any shape tolerated:
    a value already in the index never breaks a page)."""
    if not isinstance(stored, Mapping):
        return {}
    names = stored.get(person)
    if not isinstance(names, Mapping):
        return {}
    return {lang: str(names[lang]) for lang in LANGUAGES if names.get(lang)}


PERSON_NAMES = _PersonNames()


def labeller(kind: str, table: fc.DocTable, searcher: Any) -> Callable[[str], dict[str, str]]:
    """The labels of one facet's values, people's names read from the index."""
    # Once per generation, not per facet: loading checks the data files' times
    # (3 stats, a third of a millisecond a page); a retag is a new generation.
    memo = table.memo
    if "gazetteer" not in memo:
        memo["gazetteer"] = gazetteer()
    gaz = memo["gazetteer"]
    if kind != PERSON.name:
        def make(value: str) -> dict[str, str]:
            return entity_label(kind, value, gaz=gaz)
    else:
        def make(value: str) -> dict[str, str]:
            return entity_label(kind, value, gaz=gaz, names=(
                None if known_entity(kind, value, gaz)
                else PERSON_NAMES.lookup(table, searcher, value)))
    # A value's label is the same on every page of the generation (gazetteer and
    # stored names alike); making it again per value per page was half the facets.
    labels: dict[str, dict[str, str]] = memo.setdefault(("labels", kind, searcher is None), {})

    def label(value: str) -> dict[str, str]:
        found = labels.get(value)
        if found is None:
            found = labels[value] = make(value)
        return dict(found)  # the page's own copy: a caller may add to it
    return label


# ---------------------------------------------------------------- facets

def entity_facet(kind: str, table: fc.DocTable, filters: fc.FilterSets, query_docs: np.ndarray,
                 request: SearchRequest, searcher: Any) -> list[dict[str, Any]]:
    """A disjunctive facet: counts under every filter but the facet's own, the FACET_SIZE
    most frequent values and every selected one."""
    selected = set(getattr(request, KINDS[kind].attr))
    # A selected value keeps its count even when it is not among the most frequent.
    kept = top_counts(table, kind, filters.apply(query_docs, skip=(kind,)), FACET_SIZE,
                      selected)
    label = labeller(kind, table, searcher)
    if not selected:
        # ``top_counts`` made them in ``facet_values``' order (most first, then by value):
        # three facets a page need not sort them again.
        return [{"value": v, "label": label(v), "count": n, "selected": False}
                for v, n in kept.items()]
    return fc.facet_values(kept, selected, label, "count")


def top_counts(table: fc.DocTable, kind: str, docs: np.ndarray, limit: int,
               also: set[str] | frozenset[str] = frozenset()) -> Counter[str]:
    """The ``limit`` values of ``kind`` most frequent among ``docs`` (ties by value), and
    the counts of the values in ``also``; values at 0 left out.

    ``search.facets.count_values`` counted alike, but made a dict entry for every
    value: thousands of people, where a page shows twenty.
    """
    if kind not in table.pairs or not docs.any():
        return Counter()
    values, pair_docs, pair_values = table.pairs[kind]
    tally = np.bincount(pair_values[docs[pair_docs]], minlength=len(values))
    found = np.flatnonzero(tally)
    if len(found) > limit:
        # Everything counting at least the limit-th best, ties at the edge included.
        edge = np.partition(tally[found], len(found) - limit)[len(found) - limit]
        found = found[tally[found] >= edge]
    # Plain ints to sort: a numpy scalar read per comparison key was most of the facet.
    best = sorted(zip(found.tolist(), tally[found].tolist(), strict=True),
                  key=lambda item: (-item[1], values[item[0]]))[:limit]
    out: Counter[str] = Counter()
    # dict's own update: Counter's checks its argument against the Mapping ABC first.
    dict.update(out, [(values[n], count) for n, count in best])
    for value in also:  # a few selected values: a look-up each
        try:
            n = values.index(value)
        except ValueError:
            continue
        if tally[n]:
            out[value] = int(tally[n])
    return out


def release_entities(stored: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A release's countries, organisations and people with their labels (release page)."""
    names = stored.get("person_names")
    gaz = gazetteer()
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        out[kind] = [
            {"value": value,
             "label": entity_label(kind, value, _names_of(names, value) if kind == "person"
                                   else None, gaz)}
            for value in split(stored.get(kind))
        ]
    return out


# ---------------------------------------------------------------- entity pages

def entity_request(kind: str, value: str, page: int = 1, per_page: int = 10,
                   prefer: str | None = None) -> SearchRequest:
    """The search listing an entity's releases, newest first; QueryError for a value no
    request may hold."""
    return SearchRequest(sort="newest", page=page, per_page=per_page, prefer=prefer,
                         **{KINDS[kind].attr: (value,)})


def valid_value(kind: str, value: str) -> bool:
    try:
        entity_request(kind, value)
    except QueryError:
        return False
    return True


def entity_page(archive: Archive, kind: str, value: str, page: int = 1, per_page: int = 10,
                prefer: str | None = None) -> dict[str, Any] | None:
    """What an entity's page shows; None for an entity neither indexed nor known.

    The releases and their years come from the search filtered by the entity (so the
    page agrees with the search it links to); the co-mentioned entities are counted
    over all its releases at once on the facet table.
    """
    if kind not in KINDS or not valid_value(kind, value):
        return None
    searcher, table = archive.facet_table()
    mask = table.with_value(kind, [value])
    if not mask.any() and not is_known(kind, value):
        return None
    found = archive.search(entity_request(kind, value, page, per_page, prefer))
    label = labeller(kind, table, searcher)
    co_mentioned = {}
    for other in KINDS:
        # One more than shown: an entity is not mentioned "together" with itself.
        counts = top_counts(table, other, mask, CO_MENTIONED + 1)
        counts.pop(value, None)
        best = sorted(counts, key=lambda v: (-counts[v], v))[:CO_MENTIONED]
        other_label = labeller(other, table, searcher)
        co_mentioned[other] = [{"value": v, "label": other_label(v), "count": counts[v]}
                               for v in best]
    years = {item["value"]: item["count"] for item in found.facets.get("year", [])}
    data = found.to_dict()
    return {
        "kind": kind,
        "id": value,
        "names": label(value),
        "total": data["total"],
        "page": data["page"],
        "per_page": data["per_page"],
        "pages": data["pages"],
        "past_end": data["past_end"],
        "years": [{"value": y, "count": n} for y, n in zero_filled(years)],
        "hits": data["hits"],
        "co_mentioned": co_mentioned,
        "partial": data["partial"],
    }


def zero_filled(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Counts per year from the first year to the last, missing years at 0 (a chart's axis)."""
    years = [int(y) for y, n in counts.items() if n and y.isdigit()]
    if not years:
        return []
    return [(str(y), counts.get(str(y), 0)) for y in range(min(years), max(years) + 1)]
