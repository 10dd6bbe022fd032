"""Phrase words are marked only where the phrase stands (issue 14, item 8)."""

from __future__ import annotations

import datetime as dt

import search_corpus as sc

from indexer.analysis import default_analyzer
from indexer.release import Release, Version
from search import Archive, SearchRequest
from search.highlight import highlight_all, snippet
from search.phrasemarks import MarkTerms
from search.query import positions_of

TEXT = ("Strategic Cooperation was discussed first. Then the strategic partnership "
        "of the two countries, and the partnership in energy.")


def _terms(*atoms: tuple[str, bool]) -> MarkTerms:
    terms = MarkTerms()
    for text, phrase in atoms:
        terms.add_atom(positions_of(text, default_analyzer()), phrase)
    return terms


def test_phrase_words_are_marked_only_inside_the_phrase() -> None:
    marked = highlight_all(TEXT, default_analyzer(), _terms(("strategic partnership", True)))
    assert marked.count("<mark>") == 2
    assert "<mark>strategic</mark> <mark>partnership</mark>" in marked
    assert "<mark>Strategic</mark> Cooperation" not in marked


def test_a_plain_word_beside_the_phrase_is_marked_everywhere() -> None:
    terms = _terms(("strategic partnership", True), ("strategic", False))
    marked = highlight_all(TEXT, default_analyzer(), terms)
    assert "<mark>Strategic</mark> Cooperation" in marked


def test_a_stop_word_inside_the_phrase_does_not_break_it() -> None:
    text = "The Minister of Foreign Affairs spoke; the Minister left; foreign trade grew."
    marked = highlight_all(text, default_analyzer(), _terms(("Minister of Foreign Affairs", True)))
    assert marked.count("<mark>") == 3
    assert "<mark>Minister</mark> of <mark>Foreign</mark> <mark>Affairs</mark>" in marked


def test_search_hits_mark_the_phrase_only(tmp_path) -> None:
    release = Release(
        versions={"en": Version("en", "Strategic Cooperation and strategic partnership", TEXT)},
        date=dt.date(2019, 1, 1), number="1/19", url="https://example.org/1", topics=[])
    with Archive(sc.build_index([release], tmp_path)) as archive:
        hit = archive.search(SearchRequest(q='"strategic partnership"')).hits[0]
    for html in (hit["title"], hit["snippet"]):
        assert "<mark>Strategic</mark> Cooperation" not in html
        assert "<mark>strategic</mark> <mark>partnership</mark>" in html
    assert snippet(TEXT, default_analyzer(), _terms(("strategic partnership", True))).count(
        "<mark>") == 2
