"""The real example release (/work/shared/seed) and the sample corpus (samples/)."""

from __future__ import annotations

import pytest
import search_corpus as sc

from search import Archive, SearchRequest


@pytest.fixture(scope="module")
def archive():
    if sc.seed_release() is None:
        pytest.skip(f"no seed release at {sc.SEED}")
    with Archive(sc.corpus_index()) as archive:
        yield archive


def seed_id() -> str:
    return sc.seed_release().id


@pytest.mark.parametrize("q", ["каспийское море", "министерства иностранных дел", "negotiation",
                               "relationship", "Lavrov каспийском", '"стратегического партнерства"',
                               "332/17", "Mammadyarov", "Мамедъяров~"])
def test_seed_is_found(archive, q) -> None:
    page = archive.search(SearchRequest(q=q, per_page=50))
    assert seed_id() in {h["id"] for h in page.hits}, page.understood


def test_wrong_layout_suggests_minister(archive) -> None:
    page = archive.search(SearchRequest(q="vbybcnh"))
    assert page.suggestion is not None and page.suggestion.q == "министр"
    assert seed_id() in {h["id"] for h in archive.search(SearchRequest(q="министр",
                                                                       per_page=50)).hits}


def test_sample_corpus_searches_and_facets_add_up(sample_index) -> None:
    with Archive(sample_index) as archive:
        everything = archive.search(SearchRequest(per_page=100))
        assert everything.total >= 1
        years = sum(v["count"] for v in everything.facets["year"])
        assert years == sum(1 for h in everything.hits if h["date"]) or everything.total > 100
        for q in ("Azerbaijan", "Азербайджан", "министр", "negotiations", "переговоры"):
            page = archive.search(SearchRequest(q=q))
            assert page.total == 0 or page.hits
