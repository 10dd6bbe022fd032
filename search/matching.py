"""A best-of query for a word's alternative terms.

Whoosh 2.7.4's ``DisjunctionMax`` ignores its tie-break when scoring, and its
matcher's ``replace()`` turns into a NullMatcher as soon as one alternative's
postings run out, silently dropping matches during top-N collection.  This
query unions the alternatives like ``Or`` (so no match is lost) and scores a
document by its best alternative plus a small share of the others.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TypeVar

from whoosh import matching
from whoosh import query as wq

T = TypeVar("T")

#: Share of the weaker alternatives' scores added to the best one, so a
#: document matching an exact surface form besides the lemma ranks first.
TIEBREAK = 0.1


class BestOfMatcher(matching.UnionMatcher):
    """A union whose score is the best child's plus a share of the other's.

    Quality bounds stay the union's sums, which over-estimate a max and so
    stay safe for pruning.  ``replace`` must not use the union's additive
    rewrites (into intersections and and-maybes, which add scores).
    """

    def replace(self, minquality: float = 0):
        a, b = self.a, self.b
        if not a.is_active():
            return b.replace(minquality) if b.is_active() else matching.NullMatcher()
        if not b.is_active():
            return a.replace(minquality)
        # Either side alone may carry a document, so neither is pruned by the
        # bound: children are replaced without one.
        new_a, new_b = a.replace(0), b.replace(0)
        # Always a new union: Whoosh's keeps its current id in a private cache that the
        # children's moves make stale (only indexer.codec touches Whoosh's privates).
        return self.__class__(new_a, new_b)

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        id_a, id_b = a.id(), b.id()
        if id_a < id_b:
            return a.score()
        if id_b < id_a:
            return b.score()
        sa, sb = a.score(), b.score()
        return max(sa, sb) + TIEBREAK * min(sa, sb)


def weighted_tree(weighted: list[tuple[int, T]], combine: Callable[[T, T], T]) -> T:
    """Combines the two lightest items until one is left (a Huffman-like tree).

    Like ``whoosh.util.make_weighted_tree``, but equal weights keep their
    order: Whoosh breaks those ties by comparing matcher objects, whose
    ``__lt__`` is not an order, so the tree (and with three alternatives or
    more, the score) depended on the matchers' classes.  The array evaluator
    (``search.evaluation``) builds the same tree from the same weights.
    """
    heap = [(weight, i, item) for i, (weight, item) in enumerate(weighted)]
    heapq.heapify(heap)
    serial = len(heap)
    while len(heap) > 1:
        w1, _, a = heapq.heappop(heap)
        w2, _, b = heapq.heappop(heap)
        heapq.heappush(heap, (w1 + w2, serial, combine(a, b)))
        serial += 1
    return heap[0][2]


class BestOf(wq.Or):
    """Matches like ``Or``; scores like a disjunction-max with a tie-break."""

    JOINT = " BEST "

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        matchers = [(q.estimate_size(reader), q.matcher(searcher, context)) for q in subs]
        m = weighted_tree(matchers, BestOfMatcher)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, self.boost)
        return m
