"""The one word cache (indexer/words.py): what the query side and the highlighter read
from it equals running the analyzer itself."""

from __future__ import annotations

import pytest
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.filedb.filestore import RamStorage

from indexer.analysis import BilingualAnalyzer, PlainAnalyzer
from indexer.fields import build_schema
from indexer.words import positions_of, word_analysis, word_cache
from search.query import QueryCompiler, parse
from tests.indexer.test_fastindex import random_texts, sample_texts

ANALYZERS = {"bilingual": BilingualAnalyzer(), "best": BilingualAnalyzer(lemma_mode="best"),
             "plain": PlainAnalyzer(), "whoosh": StandardAnalyzer(), "stemming": StemmingAnalyzer()}


@pytest.mark.parametrize("name", list(ANALYZERS))
def test_positions_and_terms_equal_the_analyzers_own(name) -> None:
    analyzer = ANALYZERS[name]
    analysis = word_cache(analyzer)
    for text in [*sample_texts()[:40], *random_texts(60)]:
        assert analysis.positions(text) == positions_of(text, analyzer), text[:80]
        assert analysis.emitted(text) == [t.text for t in analyzer(text, mode="query")]
        for word in text.split()[:50]:
            assert analysis.terms(word) == frozenset(t.text for t in analyzer(word))


def test_an_analyzer_without_a_fast_path_is_still_cached_word_by_word() -> None:
    analyzer = ANALYZERS["stemming"]
    assert word_analysis(analyzer) is None and word_cache(analyzer).tokens_of is None
    assert word_cache(analyzer) is word_cache(StemmingAnalyzer())


def test_queries_are_analyzed_with_the_analyzer_stored_in_the_index() -> None:
    schema = build_schema()
    best = BilingualAnalyzer(lemma_mode="best")
    for name in schema.names():
        if name.split("_")[0] in ("title", "body") and not name.endswith("_other"):
            schema[name].analyzer = best
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(id="1", body_en="x", body_ru="стали")
    with index.searcher() as searcher:
        compiled = QueryCompiler(searcher.reader()).compile(parse('"стали"'), ("ru",))
    every = [t for pos in positions_of("стали", BilingualAnalyzer()) for t in pos]
    only = [t for pos in positions_of("стали", best) for t in pos]
    assert len(every) > len(only)  # an ambiguous word: "all" keeps more lemmas
    assert set(compiled.terms["body_ru"]) == set(only)
