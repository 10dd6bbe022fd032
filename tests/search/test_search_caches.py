"""Per-word caches do not grow with commits (issue 10, 2.13).

Whoosh unpickles a fresh schema, with new analyzer objects, at every refresh
after a commit.  Caches keyed by analyzer object grew by one cache per commit;
here a thousand refreshes (schema unpickles, which is what a refresh does to
the analyzers) and a few dozen real commits leave the counts bounded.
"""

from __future__ import annotations

import pickle

import search_corpus as sc

from indexer import analysis, words
from indexer.store import Store
from indexer.words import word_cache
from search import Archive, SearchRequest, archive
from search import highlight as hl
from search.highlight import highlight_all, match_spans, snippet

REFRESHES = 1_000


def _schema_blob():
    root = sc.corpus_index()
    with Archive(root) as a:
        return pickle.dumps(a._acquire()[0].schema)


def test_a_thousand_refreshed_schemas_share_bounded_word_caches() -> None:
    blob = _schema_blob()
    lookups_before = len(analysis._LOOKUPS)
    caches = set()
    for _ in range(REFRESHES):
        schema = pickle.loads(blob)  # a refresh after a commit
        for name in ("body_en", "title_ru", "body_other"):
            analyzer = schema[name].analyzer
            snippet("The ministers met; министры встретились.", analyzer, {"minist", "министр"})
            highlight_all("Minister", analyzer, {"minist"})
            caches.add(word_cache(analyzer).serial)
    # Two configurations (bilingual, plain), whatever the number of refreshes.
    assert len(caches) == 2
    assert len(words._ANALYSES) <= words._MAX_ANALYSES
    assert hl._decisions.cache_info().currsize <= hl.DECISIONS_KEPT
    # And the lemma caches of the unpickled morphology filters: one per configuration.
    assert len(analysis._LOOKUPS) <= lookups_before + 1


def test_equal_analyzers_share_one_cache_and_others_do_not() -> None:
    blob = _schema_blob()
    a, b = pickle.loads(blob), pickle.loads(blob)
    assert word_cache(a["body_en"].analyzer) is word_cache(b["body_ru"].analyzer)
    assert word_cache(a["body_en"].analyzer) is not word_cache(a["body_other"].analyzer)
    # The plain analyzer does not stem: a cache shared by mistake would.
    plain = a["body_other"].analyzer
    bilingual = a["body_en"].analyzer
    assert match_spans("ministers", bilingual, {"minist"}) == [(0, 9)]
    assert match_spans("ministers", plain, {"minist"}) == []


def test_unpickled_morphology_filters_share_their_lemma_cache() -> None:
    blob = pickle.dumps(analysis.BilingualAnalyzer())
    filters = []
    for _ in range(REFRESHES):
        f = pickle.loads(blob).items[-1]
        f.terms("министрами")
        filters.append(f)
    assert len({id(f._terms_for) for f in filters}) == 1


def test_many_commits_keep_the_archive_bounded(tmp_path) -> None:
    root = tmp_path / "index"
    store = Store(root)
    releases = sc.corpus()
    store.add_releases(releases[:5])
    with Archive(root) as a:
        for i, release in enumerate(releases[5:45]):
            store.add_releases([release])  # one commit
            page = a.search(SearchRequest(q="minister OR министр OR sea"))
            assert page.total and not page.partial, i
        assert len(a._generations) <= archive.TABLES_KEPT
        assert len(a._states) == 1
    assert len(words._ANALYSES) <= words._MAX_ANALYSES
