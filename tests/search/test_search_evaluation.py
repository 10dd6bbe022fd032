"""The array evaluator gives exactly Whoosh's matches and scores.

Whoosh's own matchers (a full ``searcher.search`` with no limit) are the
reference: same documents, same BM25F scores, for the real bilingual schema
and compiled queries of every kind, and across segments with deletions.
"""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import fields, scoring
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from indexer.location import live_index_dir
from search import evaluation
from search.answers import top_scores
from search.archive import WEIGHTING
from search.evaluation import Evaluator, Postings
from search.matching import BestOf
from search.query import QueryCompiler, parse

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")

QUERIES = [
    "министр",
    "каспийского моря",
    "negotiations",
    "Lavrov каспийском",
    '"стратегического партнерства"',
    '"foreign minister"',
    "energy OR энергетика",
    "переговоры -Армения",
    "азерб*",
    "Mamedyarov~",
    "title:visit",
    "332/17",
    "the of and",
    "zzzzqqq",
]


@pytest.fixture(autouse=True, params=["mixed", "sparse", "dense"])
def representation(request, monkeypatch) -> str:
    """Every comparison runs with the evaluator's usual choice between sorted-id and
    per-document arrays, with ids wherever possible, and with per-document arrays only."""
    share = {"mixed": evaluation.SPARSE_SHARE, "sparse": 1, "dense": 10**9}[request.param]
    monkeypatch.setattr(evaluation, "SPARSE_SHARE", share)
    return request.param


def whoosh_scores(searcher, q) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def evaluated(searcher, q) -> dict[int, float]:
    live = np.zeros(searcher.doc_count_all(), dtype=bool)
    live[list(searcher.reader().all_doc_ids())] = True
    found = Evaluator(searcher, Postings(searcher, searcher.weighting), live,
                      lambda: False).matches(q)
    return {int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)}


def assert_same(got: dict[int, float], expected: dict[int, float]) -> None:
    assert got.keys() == expected.keys()
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12), docnum


@pytest.mark.parametrize("text", QUERIES)
def test_compiled_queries_match_whoosh(sample_index, text) -> None:
    ix = whoosh_index.open_dir(str(live_index_dir(sample_index)))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        for langs in (("en", "ru", "other"), ("ru",)):
            compiled = QueryCompiler(searcher.reader()).compile(parse(text), langs)
            if compiled.query is None:
                continue
            assert_same(evaluated(searcher, compiled.query),
                        whoosh_scores(searcher, compiled.query))


def test_one_evaluator_answers_a_request_s_queries_like_fresh_ones(sample_index) -> None:
    """A request evaluates the main query, then its per-language twins, which share
    subtrees with it: remembered subtrees must give what a fresh evaluator gives."""
    ix = whoosh_index.open_dir(str(live_index_dir(sample_index)))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        live = np.ones(searcher.doc_count_all(), dtype=bool)
        shared = Evaluator(searcher, Postings(searcher, searcher.weighting), live, lambda: False)
        for text in QUERIES:
            for langs in (("en", "ru", "other"), ("en",), ("ru",), ("other",)):
                q = QueryCompiler(searcher.reader()).compile(parse(text), langs).query
                if q is None:
                    continue
                found = shared.matches(q)
                assert_same({int(d): float(found.scores[d]) for d in np.flatnonzero(found.mask)},
                            evaluated(searcher, q))
        assert len(shared._memo) > len(QUERIES)


def test_the_samples_give_the_evaluator_something_to_do(sample_index) -> None:
    ix = whoosh_index.open_dir(str(live_index_dir(sample_index)))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        q = QueryCompiler(searcher.reader()).compile(parse("министр"), ("ru",)).query
        assert len(evaluated(searcher, q)) > 10


@pytest.fixture(scope="module")
def segmented_index():
    schema = fields.Schema(id=fields.ID(stored=True, unique=True), body=fields.TEXT,
                           title=fields.TEXT)
    ix = RamStorage().create_index(schema)
    for batch in range(3):  # three segments
        with ix.writer(merge=False) as w:
            for n in range(150):
                words = (["lemma"] * (n % 4) + ["surface"] * (n % 3 == 0)
                         + ["filler"] * (1 + n % 5) + ["rare"] * (n == 77))
                w.add_document(id=f"{batch}-{n}", body=" ".join(words + [f"x{n}"] * (n % 7)),
                               title="lemma title" if n % 10 == 0 else "other title")
    with ix.writer(merge=False) as w:
        for n in range(0, 150, 9):
            w.delete_by_term("id", f"1-{n}")
    return ix


SEGMENT_QUERIES = [
    wq.Term("body", "lemma"),
    wq.Term("body", "lemma", boost=0.5),
    BestOf([wq.Term("body", "lemma"), wq.Term("body", "surface"), wq.Term("body", "rare")]),
    BestOf([wq.Term("body", "lemma"), wq.Term("body", "surface")], boost=2.0),
    wq.And([wq.Term("body", "lemma"), wq.Or([wq.Term("body", "surface"),
                                              wq.Term("title", "lemma", boost=3.0)])]),
    wq.AndNot(wq.Term("body", "filler"), wq.Term("body", "surface")),
    wq.Sequence([wq.Term("body", "lemma"), wq.Term("body", "surface")]),
    wq.Sequence([wq.Term("body", "surface"), wq.Term("body", "lemma")]),  # order counts
    wq.Sequence([wq.Term("body", "lemma"), wq.Term("body", "lemma"), wq.Term("body", "filler")]),
    wq.Sequence([wq.Term("body", "lemma"), wq.Term("body", "filler")], slop=2),  # by Whoosh
    wq.Sequence([BestOf([wq.Term("body", "lemma"), wq.Term("body", "x1")]),
                 wq.Term("body", "filler")], boost=1.5),
    wq.Or([wq.Term("body", "absent"), wq.Term("body", "rare")]),
    wq.Or([wq.Term("title", "lemma")], boost=4.0),  # a lone child: Whoosh drops the boost
    wq.Phrase("body", ["lemma", "surface"]),  # no array form: run by Whoosh's matcher
]


@pytest.mark.parametrize("q", SEGMENT_QUERIES, ids=str)
def test_queries_match_whoosh_across_segments_with_deletions(segmented_index, q) -> None:
    ix = segmented_index
    with ix.searcher(weighting=scoring.BM25F(B=0.5, K1=1.2)) as searcher:
        assert not searcher.is_atomic() and searcher.reader().has_deletions()
        assert_same(evaluated(searcher, q), whoosh_scores(searcher, q))


def test_top_scores_order_like_whoosh_ties_by_docnum() -> None:
    mask = np.array([True, True, False, True, True, True])
    scores = np.array([1.0, 3.0, 9.0, 3.0, 2.0, 3.0])
    assert top_scores(mask, scores, 2) == [(1, 3.0), (3, 3.0)]
    assert top_scores(mask, scores, 10) == [(1, 3.0), (3, 3.0), (5, 3.0), (4, 2.0), (0, 1.0)]
    assert top_scores(mask & False, scores, 3) == []


def test_a_stopped_clock_marks_the_matches_incomplete(segmented_index) -> None:
    ix = segmented_index
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        live = np.ones(searcher.doc_count_all(), dtype=bool)
        evaluator = Evaluator(searcher, Postings(searcher, searcher.weighting), live,
                              lambda: True)
        found = evaluator.matches(wq.Term("body", "lemma"))
        assert evaluator.cut_short and not found.mask.any()


def _subqueries(q: wq.Query) -> list[wq.Query]:
    out = [q]
    for sub in getattr(q, "subqueries", ()):
        out += _subqueries(sub)
    return out


@pytest.mark.parametrize("text", QUERIES)
def test_size_estimates_are_whoosh_s(sample_index, text) -> None:
    """The evaluator reads a best-of's weights from the frequencies it noted, not from
    Whoosh's lookups: every node's estimate must be Whoosh's ``estimate_size``."""
    ix = whoosh_index.open_dir(str(live_index_dir(sample_index)))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        live = np.ones(searcher.doc_count_all(), dtype=bool)
        ev = Evaluator(searcher, Postings(searcher, searcher.weighting), live, lambda: False)
        for langs in (("en", "ru", "other"), ("ru",)):
            q = QueryCompiler(searcher.reader()).compile(parse(text), langs).query
            if q is None:
                continue
            ev.matches(q)
            for sub in _subqueries(q):
                assert ev._estimate(sub) == sub.estimate_size(searcher.reader()), sub


def test_a_best_of_two_is_the_same_either_way_round() -> None:
    """Two parts are combined without weights: ``best_of`` must not care for their order."""
    rng = np.random.default_rng(7)
    size = 64
    for _ in range(50):
        parts = []
        for _ in range(2):
            ids = np.sort(rng.choice(size, int(rng.integers(0, 20)), replace=False))
            found = evaluation.Sparse(ids.astype(np.int64), rng.random(len(ids)))
            parts.append(found if rng.random() < 0.5 else found.dense(size))
        a, b = parts
        ab = evaluation.best_of(a, b, size).dense(size)
        ba = evaluation.best_of(b, a, size).dense(size)
        assert np.array_equal(ab.mask, ba.mask)
        assert np.array_equal(ab.scores, ba.scores)
