"""A best-of query for a word's alternative terms.

Whoosh 2.7.4's ``DisjunctionMax`` ignores its tie-break when scoring, and its
matcher's ``replace()`` turns into a NullMatcher as soon as one alternative's
postings run out, silently dropping matches during top-N collection.  This
query unions the alternatives like ``Or`` (so no match is lost) and scores a
document by its best alternative plus a small share of the others.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as wq

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
        if new_a is not a or new_b is not b:
            return self.__class__(new_a, new_b)
        self._id = None
        return self

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


class BestOf(wq.Or):
    """Matches like ``Or``; scores like a disjunction-max with a tie-break."""

    JOINT = " BEST "

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(subs, BestOfMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader))
