"""BestOf: union matching, best-alternative scoring, stable under top-N pruning."""

from __future__ import annotations

from whoosh import fields, scoring
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from search.matching import TIEBREAK, BestOf


def build_index():
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT)
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="both", body="lemma surface filler")
        w.add_document(id="lemma", body="lemma filler filler")
        w.add_document(id="surface", body="surface filler other")
        # Enough varied postings for the collector to prune with replace().
        for n in range(400):
            words = ["lemma"] * (n % 4) + ["surface"] * (n % 3 == 0) + ["filler"] * (1 + n % 5)
            w.add_document(id=f"f{n}", body=" ".join(words + [f"x{n}"] * (n % 7)))
    return ix


def scores(searcher, q, limit=None):
    return {hit["id"]: hit.score for hit in searcher.search(q, limit=limit)}


def test_best_of_matches_the_union_and_scores_the_best_alternative() -> None:
    ix = build_index()
    with ix.searcher(weighting=scoring.BM25F()) as s:
        lemma = scores(s, wq.Term("body", "lemma"))
        surface = scores(s, wq.Term("body", "surface"))
        best = scores(s, BestOf([wq.Term("body", "lemma"), wq.Term("body", "surface")]))
        assert set(best) == set(lemma) | set(surface)
        hi, lo = max(lemma["both"], surface["both"]), min(lemma["both"], surface["both"])
        assert abs(best["both"] - (hi + TIEBREAK * lo)) < 1e-9
        assert abs(best["lemma"] - lemma["lemma"]) < 1e-9
        assert best["both"] > best["lemma"]


def test_best_of_scores_do_not_depend_on_the_page_size() -> None:
    ix = build_index()
    q = wq.And([BestOf([wq.Term("body", "lemma"), wq.Term("body", "surface")]),
                wq.Term("body", "filler")])
    with ix.searcher(weighting=scoring.BM25F()) as s:
        full = scores(s, q)
        for limit in (1, 2, 3, 5):
            top = scores(s, q, limit=limit)
            assert all(abs(top[k] - full[k]) < 1e-9 for k in top)
