"""Disjunctive facet counts on the bundled sample corpus, against brute force.

The brute force reads every release's stored text and decides matches by
comparing analyzer terms in Python, without Whoosh's query machinery; then it
counts each facet with every filter applied except the facet's own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pytest
from whoosh import index as whoosh_index

from indexer.analysis import PlainAnalyzer, default_analyzer
from indexer.location import live_index_dir
from indexer.release import ANALYZED_LANGUAGES
from search import Archive, SearchRequest

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")


@dataclass(frozen=True)
class Doc:
    id: str
    date: str
    year: str
    topics: frozenset[str]
    languages: frozenset[str]
    #: field language → every index term of that language's title and body
    terms: dict


def terms_of(text: str, lang: str = "en") -> frozenset[str]:
    analyzer = default_analyzer() if lang in ANALYZED_LANGUAGES else PlainAnalyzer()
    return frozenset(t.text for t in analyzer(text, mode="index"))


def field_lang(lang: str) -> str:
    return lang if lang in ANALYZED_LANGUAGES else "other"


@lru_cache(maxsize=1)
def corpus(root: str) -> tuple[Doc, ...]:
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        docs = []
        for stored in searcher.all_stored_fields():
            terms = {lang: terms_of(f"{stored.get(f'title_{lang}', '')}\n"
                                    f"{stored.get(f'body_{lang}', '')}", lang)
                     for lang in (*ANALYZED_LANGUAGES, "other")}
            docs.append(Doc(stored["id"], stored["date"], stored["year"],
                            frozenset(filter(None, stored["topics"].split(","))),
                            frozenset(filter(None, stored["languages"].split(","))), terms))
    return tuple(docs)


def matches(doc: Doc, q: str, langs: tuple[str, ...]) -> bool:
    """Every word has one of its terms in one of the searched languages' text."""
    searched = {field_lang(lang) for lang in (langs or (*ANALYZED_LANGUAGES, "other"))}
    for word in q.split():
        if not any(terms_of(word, lang) & doc.terms[lang] for lang in searched):
            return False
    return True


def brute_force(docs, q, langs=(), topics=(), year=None, date_from=None, date_to=None):
    def ok(doc: Doc, skip: str) -> bool:
        return ((skip == "topic" or not topics or bool(doc.topics & set(topics)))
                and (skip == "year" or year is None or doc.year == str(year))
                and (not date_from or doc.date >= date_from)
                and (not date_to or doc.date <= date_to))

    def lang_ok(doc: Doc) -> bool:
        return not langs or bool(doc.languages & set(langs))

    hits = [d for d in docs if matches(d, q, langs) and lang_ok(d) and ok(d, "")]
    years = Counter(d.year for d in docs if matches(d, q, langs) and lang_ok(d) and ok(d, "year"))
    topic_counts = Counter(t for d in docs if matches(d, q, langs) and lang_ok(d)
                           and ok(d, "topic") for t in d.topics)
    languages = Counter(lang for d in docs for lang in d.languages
                        if matches(d, q, (lang,)) and ok(d, ""))
    return {"total": len(hits), "year": years, "topic": topic_counts, "language": languages}


CASES = [
    dict(q=""),
    dict(q="министр"),
    dict(q="переговоры", topics=("caspian",)),
    dict(q="Caspian", topics=("caspian", "energy")),
    dict(q="energy", langs=("en",)),
    dict(q="сотрудничество", langs=("ru",), topics=("economy",)),
    dict(q="visit", year=2018),
    dict(q="", topics=("consular",), date_from="2014-01-01", date_to="2020-12-31"),
    dict(q="министерства иностранных дел", year=2012),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_facet_counts_equal_brute_force_on_the_samples(sample_index, case) -> None:
    docs = corpus(str(sample_index))
    expected = brute_force(docs, **case)
    params = {"q": case["q"], "lang": list(case.get("langs", ())),
              "topic": list(case.get("topics", ())), "per_page": "100"}
    if case.get("year"):
        params["year"] = str(case["year"])
    for key, name in (("date_from", "from"), ("date_to", "to")):
        if case.get(key):
            params[name] = case[key]
    with Archive(sample_index) as archive:
        page = archive.search(SearchRequest.from_params(params))
    assert page.total == expected["total"]
    assert not page.partial and not page.facets_timed_out
    for facet in ("year", "topic", "language"):
        got = {v["value"]: v["count"] for v in page.facets[facet] if v["count"]}
        assert got == dict(expected[facet]), facet
    # Disjunctive: a selected topic never zeroes the other topics' counts.
    if case.get("topics"):
        unselected = {v["value"] for v in page.facets["topic"] if not v["selected"]}
        assert unselected == set(expected["topic"]) - set(case["topics"])


def test_the_brute_force_is_not_vacuous(sample_index) -> None:
    docs = corpus(str(sample_index))
    assert len(docs) >= 60
    assert dt.date.fromisoformat(min(d.date for d in docs)).year <= 2012
    counts = brute_force(docs, "переговоры", topics=("caspian",))
    assert 0 < counts["total"] < len(docs)
    assert len(counts["topic"]) > 3
