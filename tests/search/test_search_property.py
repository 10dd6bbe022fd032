"""Hostile queries: whatever the text, a page or a QueryError.

How long they take under the time limit is a measurement, not an assertion: a
wall-clock bound here passes or fails with the machine's speed and load.
"""

from __future__ import annotations

import search_corpus as sc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Archive, QueryError, SearchPage, SearchRequest

TIME_LIMIT = 1.0
_archive: Archive | None = None

SOUP = list('"*~-+:()|&!^ ') + ["OR", "AND", "NOT", "title:", "body:", "\ud800", "\x00",
                                 "\u202e", "\n", "море", "Lavrov", "332/17", "азерб*", "x~2"]
soup = st.lists(st.sampled_from(SOUP), max_size=40).map(" ".join)
anything = st.text(alphabet=st.characters(codec=None, categories=None), max_size=200)
long_text = st.builds(lambda w, n: (w + " ") * n, st.sampled_from(SOUP), st.integers(500, 2500))
queries = st.one_of(anything, soup, long_text, st.just("\ud800"), st.just("x" * 10_000))


def archive() -> Archive:
    global _archive
    if _archive is None:
        _archive = Archive(sc.corpus_index(), time_limit=TIME_LIMIT)
    return _archive


@settings(max_examples=max(300, settings.default.max_examples), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(q=queries)
def test_any_text_gives_a_page_or_a_query_error(q: str) -> None:
    try:
        page = archive().search(SearchRequest.from_params({"q": q}))
    except QueryError:
        return
    assert isinstance(page, SearchPage)
    page.to_dict()
