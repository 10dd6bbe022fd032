"""Countries, organisations and people as filters and disjunctive facets (issue 13).

The counts are checked against brute force: each release's stored ``country``,
``org``, ``person``, ``topics`` and ``year`` fields read in Python, the matches
of the words taken from the archive (without filters), and every facet counted
under every filter but its own.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.location import live_index_dir
from search import Archive, SearchRequest
from search import entities as en
from search.request import MAX_VALUES, QueryError

KINDS = ("country", "org", "person")
#: Facet name → (stored field, request parameter); all are repeatable, any of them.
FILTERS = {"topic": ("topics", "topic"), "year": ("year", "year"),
           **{k: (k, k) for k in KINDS}}


@pytest.fixture(scope="module")
def archive(entity_index: Path):
    with Archive(entity_index) as archive:
        yield archive


@lru_cache(maxsize=1)
def stored(root: str) -> tuple[dict, ...]:
    """Every release's filter values, from its stored fields."""
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        return tuple(
            {"id": doc["id"],
             **{facet: set(filter(None, str(doc.get(field) or "").split(",")))
                for facet, (field, _) in FILTERS.items()}}
            for doc in searcher.all_stored_fields())


def matching_ids(archive: Archive, q: str) -> set[str]:
    """The releases the words match, filters aside (the archive's own matching)."""
    searcher, order, _ = archive.all_matches(SearchRequest(q=q))
    return {searcher.stored_fields(int(d))["id"] for d in order}


def brute_counts(docs, ids: set[str], chosen: dict[str, list[str]], facet: str) -> Counter:
    counts: Counter = Counter()
    for doc in docs:
        if doc["id"] not in ids:
            continue
        if all(not values or doc[name] & set(values)
               for name, values in chosen.items() if name != facet):
            counts.update(doc[facet])
    return counts


CASES = [
    ("", {}),
    ("", {"country": ["AZ"]}),
    ("", {"country": ["AZ", "GE"]}),
    ("", {"country": ["AZ"], "person": ["elmar-mammadyarov"]}),
    ("", {"org": ["un"], "year": ["2012", "2015"]}),
    ("министр", {"country": ["RU"], "topic": ["caspian"]}),
    ("foreign minister", {"person": ["sergey-lavrov", "ilham-aliyev"], "org": ["osce"]}),
]


@pytest.mark.parametrize(("q", "chosen"), CASES)
def test_entity_facets_equal_brute_force_counts(archive, entity_index, q, chosen):
    docs = stored(str(entity_index))
    ids = matching_ids(archive, q)
    params = {"q": q, **{FILTERS[name][1]: values for name, values in chosen.items()}}
    page = archive.search(SearchRequest.from_params(params))
    expected_total = sum(1 for doc in docs if doc["id"] in ids and all(
        doc[name] & set(values) for name, values in chosen.items()))
    assert page.total == expected_total
    for facet in (*KINDS, "topic"):
        expected = brute_counts(docs, ids, chosen, facet)
        got = {item["value"]: item["count"] for item in page.facets[facet]}
        selected = set(chosen.get(facet, []))
        top = sorted(expected, key=lambda v: (-expected[v], v))
        if facet in KINDS:
            top = top[:en.FACET_SIZE]
        assert got == {v: expected.get(v, 0) for v in set(top) | selected}, facet
        assert {i["value"] for i in page.facets[facet] if i["selected"]} == selected


def test_the_sample_corpus_has_entities_to_count(archive):
    """The cases above are not vacuous: every kind has values, several co-occur."""
    page = archive.search(SearchRequest())
    assert all(len(page.facets[kind]) >= 2 for kind in KINDS)
    assert archive.search(SearchRequest(countries=("AZ",), people=("elmar-mammadyarov",))).total


def test_facet_lists_are_capped_but_keep_what_is_selected(archive, monkeypatch):
    full = {i["value"]: i["count"] for i in archive.search(SearchRequest()).facets["country"]}
    monkeypatch.setattr(en, "FACET_SIZE", 1)
    page = archive.search(SearchRequest(countries=("IR",)))
    counts = {item["value"]: item["count"] for item in page.facets["country"]}
    assert counts == {"AZ": full["AZ"], "IR": full["IR"]} and full["IR"] > 0


def test_labels_are_in_both_languages():
    assert en.entity_label("country", "AZ") == {"en": "Azerbaijan", "ru": "Азербайджан"}
    # A person's names come from the release; a missing script falls back to the other.
    assert en.entity_label("person", "x-y", {"en": "X Y"}) == {"en": "X Y", "ru": "X Y"}
    assert en.entity_label("org", "nowhere-known") == {"en": "nowhere-known",
                                                       "ru": "nowhere-known"}
    assert en.country_names("ZZ") is None  # CLDR's "Unknown Region" is no country


def test_person_labels_come_from_stored_names(archive):
    page = archive.search(SearchRequest(people=("sergey-lavrov",)))
    (lavrov,) = [i for i in page.facets["person"] if i["value"] == "sergey-lavrov"]
    assert lavrov["label"] == {"en": "Sergey Lavrov", "ru": "Сергей Лавров"}


@pytest.mark.parametrize("params", [
    {"country": "Azerbaijan"}, {"country": "A"}, {"country": "Аз"}, {"country": "A1"},
    {"org": "OSCE!"}, {"org": "-osce"}, {"person": "sergey_lavrov"}, {"person": "x" * 81},
    {"person": "лавров"}, {"country": [f"A{chr(65 + i)}" for i in range(MAX_VALUES + 1)]},
])
def test_bad_entity_filters_are_query_errors(params):
    with pytest.raises(QueryError) as caught:
        SearchRequest.from_params(params)
    assert caught.value.ru and str(caught.value) != caught.value.ru  # both languages


def test_entity_filters_are_normalised_and_round_trip():
    req = SearchRequest.from_params({"country": ["az", "AZ", " ru "], "org": "OSCE",
                                     "person": "Sergey-Lavrov"})
    assert (req.countries, req.orgs, req.people) == (("AZ", "RU"), ("osce",), ("sergey-lavrov",))
    assert SearchRequest.from_params(dict_of(req.to_params())) == req
    assert req.to_dict()["country"] == ["AZ", "RU"]


def dict_of(pairs):
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def test_an_index_without_entity_fields_has_empty_entity_facets(tmp_path):
    """An index written before the entity fields (tests/data/legacy-index) searches as before."""
    import shutil

    root = tmp_path / "index"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "legacy-index", root)
    with Archive(root) as archive:
        page = archive.search(SearchRequest(countries=("AZ",)))
        assert page.total == 0
        assert page.facets["country"] == [
            {"value": "AZ", "label": {"en": "Azerbaijan", "ru": "Азербайджан"}, "count": 0,
             "selected": True}]
        assert page.facets["person"] == [] and page.facets["org"] == []
        assert archive.release(archive.search(SearchRequest()).hits[0]["id"])["entities"] == {
            "country": [], "org": [], "person": []}


def test_entity_filter_that_empties_a_search_is_named(archive):
    page = archive.search(SearchRequest(q="Caspian", people=("sergey-lavrov",),
                                        countries=("GE",)))
    assert page.total == 0
    assert {e.filter for e in page.emptied_by} >= {"country"}


def test_entity_page_data(archive):
    data = en.entity_page(archive, "person", "sergey-lavrov")
    assert data["names"] == {"en": "Sergey Lavrov", "ru": "Сергей Лавров"}
    assert data["total"] == len(data["hits"]) >= 1
    co = {item["value"]: item["count"] for item in data["co_mentioned"]["country"]}
    assert co.get("RU") == data["total"]
    assert "sergey-lavrov" not in {i["value"] for i in data["co_mentioned"]["person"]}
    assert sum(item["count"] for item in data["years"]) == data["total"]


def test_entity_page_counts_co_mentions_of_its_own_kind(archive, entity_index):
    data = en.entity_page(archive, "country", "AZ", per_page=5)
    docs = [d for d in stored(str(entity_index)) if "AZ" in d["country"]]
    expected = Counter(c for d in docs for c in d["country"] if c != "AZ")
    best = sorted(expected, key=lambda v: (-expected[v], v))[:en.CO_MENTIONED]
    assert [(i["value"], i["count"]) for i in data["co_mentioned"]["country"]] == [
        (v, expected[v]) for v in best]
    assert data["total"] == len(docs) and len(data["hits"]) == 5 and data["pages"] > 1
    dates = [hit["date"] for hit in data["hits"]]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_unknown_or_malformed_entities_have_no_page(archive):
    assert en.entity_page(archive, "person", "no-such-person") is None
    assert en.entity_page(archive, "country", "ZZ") is None
    assert en.entity_page(archive, "country", "az") is None  # codes are capitals
    assert en.entity_page(archive, "org", "../etc") is None
    # A country CLDR knows has a page even with no release naming it.
    assert en.entity_page(archive, "country", "NZ")["total"] == 0


def test_entity_facets_out_of_time_degrade_alone(archive, monkeypatch):
    """A deadline that expires while the country facet counts drops the later facets,
    not the page (the clock is told to expire: no timing)."""
    from search.deadline import Deadline

    expired = {"now": False}

    def count_then_expire(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            expired["now"] = True

    original = en.entity_facet
    monkeypatch.setattr(en, "entity_facet", count_then_expire)
    monkeypatch.setattr(Deadline, "expired", lambda self: expired["now"])
    page = archive.search(SearchRequest(countries=("AZ",)))
    assert page.total and page.hits and "country" in page.facets
    assert page.facets_timed_out == ["org", "person"] and page.partial


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
def test_top_counts_equal_brute_force_with_ties(limit):
    """Many values tied at the edge: the cut keeps the lowest values among them."""
    import numpy as np

    from search import facets as fc

    rng = np.random.default_rng(limit)
    names = [f"p{i:02d}" for i in range(30)]
    masks = {name: rng.random(40) < 0.15 for name in names}
    masks = {name: mask for name, mask in masks.items() if mask.any()}
    table = fc.DocTable(40, np.ones(40, dtype=bool), {"person": masks}, np.array([""] * 40),
                        np.arange(40), {"person": fc._pairs(masks)})
    docs = rng.random(40) < 0.7
    expected = Counter({n: int(np.count_nonzero(m & docs)) for n, m in masks.items()})
    expected = +expected  # values at 0 left out
    best = sorted(expected, key=lambda v: (-expected[v], v))[:limit]
    also = {names[-1], "nobody"}
    got = en.top_counts(table, "person", docs, limit, also)
    assert got == {v: expected[v] for v in {*best, *(also & set(expected))}}
