"""Query evaluation as array arithmetic over the postings of one index generation.

Whoosh scores a query by walking its matcher tree one posting at a time in
Python: a word found in every release costs tens of milliseconds at 20,000
releases, a three-word query over four fields a few hundred.  Here each
term's postings are decoded once per index generation into two arrays (the
document numbers and their BM25F scores, with the very formula and statistics
of ``whoosh.scoring.BM25F``), and a query tree is evaluated as arrays: a
union adds, an intersection adds where both match, a best-of takes the larger
score plus a share of the smaller.  Rare terms stay sorted document numbers
with their scores (``Sparse``); common ones become per-document arrays
(``Matches``).

Phrases need positions: their candidates (the documents holding every word)
come from the arrays; adjacent words are checked on cached occurrence arrays
and scored as Whoosh's span matcher scores them, other sequences by Whoosh's
matcher on the candidates.  Query types this module does not know are run
through Whoosh's matcher whole, so every query gets an answer.

The decoded, cached postings are ``search.postings.Postings``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from search.matching import TIEBREAK, BestOf, weighted_tree
from search.postings import Postings

#: Occurrence keys of phrases: document number × this + start position.
_PHRASE_KEY = 1 << 32
#: Phrase candidates checked between two looks at the clock.
CLOCK_EVERY = 256


@dataclass
class Matches:
    """The documents a (sub)query matches and their scores (0.0 where unmatched)."""

    mask: np.ndarray  # bool, one per document number
    scores: np.ndarray  # float64, one per document number

    @classmethod
    def none(cls, size: int) -> Matches:
        return cls(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float64))

    def boosted(self, boost: float) -> Matches:
        return self if boost == 1.0 else Matches(self.mask, self.scores * boost)

    def dense(self, size: int) -> Matches:
        return self


@dataclass
class Sparse:
    """A subquery's matches as sorted, distinct document numbers and their scores.

    A rare word is in a few hundred of 20,000 releases: arrays that size cost
    less to combine than a pair of per-document arrays.  Never changed in
    place (the scores may be the postings cache's own array).
    """

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def none(cls) -> Sparse:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def boosted(self, boost: float) -> Sparse:
        return self if boost == 1.0 else Sparse(self.ids, self.scores * boost)

    def dense(self, size: int) -> Matches:
        out = Matches.none(size)
        out.mask[self.ids] = True
        out.scores[self.ids] = self.scores
        return out

    def at(self, ids: np.ndarray) -> np.ndarray:
        """Scores at ``ids``, every one of which this matches."""
        return self.scores[np.searchsorted(self.ids, ids)]


Found = Matches | Sparse
#: A result stays sparse while it holds at most one document in this many.
SPARSE_SHARE = 16


def _terms_of(q: wq.Query) -> list[tuple[str, bytes]] | None:
    """(field, term bytes) of a phrase part made of terms (a Term or a BestOf of Terms)."""
    subs = q.subqueries if type(q) is BestOf else [q]
    if not subs or any(type(sub) is not wq.Term for sub in subs):
        return None
    return [(sub.fieldname, sub.text.encode("utf-8") if isinstance(sub.text, str) else sub.text)
            for sub in subs]


# ---------------------------------------------------------------- evaluation


def union_of(parts: list[Found], size: int) -> Found:
    """Documents any part matches, scores summed in the parts' order (the parts may be
    remembered subtrees: they are not changed)."""
    if all(type(p) is Sparse for p in parts):
        held = sum(len(p.ids) for p in parts)
        if held * SPARSE_SHARE <= size:
            ids = _sorted_distinct([p.ids for p in parts])
            scores = np.zeros(len(ids), dtype=np.float64)
            for p in parts:
                scores[np.searchsorted(ids, p.ids)] += p.scores
            return Sparse(ids, scores)
    mask = np.zeros(size, dtype=bool)
    scores = np.zeros(size, dtype=np.float64)
    for part in parts:
        if type(part) is Sparse:
            mask[part.ids] = True
            scores[part.ids] += part.scores
        else:
            mask |= part.mask
            scores += part.scores
    return Matches(mask, scores)


def intersection_of(parts: list[Found], size: int) -> Found:
    """Documents every part matches, scores summed in the parts' order."""
    sparse = [p for p in parts if type(p) is Sparse]
    if not sparse:
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            mask &= part.mask
            scores += part.scores
        scores[~mask] = 0.0
        return Matches(mask, scores)
    ids = min(sparse, key=lambda p: len(p.ids)).ids
    for part in parts:
        if not len(ids):
            break
        ids = _members(ids, part.ids) if type(part) is Sparse else ids[part.mask[ids]]
    scores = np.zeros(len(ids), dtype=np.float64)
    for part in parts:
        scores += part.at(ids) if type(part) is Sparse else part.scores[ids]
    return Sparse(ids, scores)


def without(positive: Found, negative: Found, size: int) -> Found:
    """Documents ``positive`` matches and ``negative`` does not, with positive's scores."""
    if type(positive) is Sparse:
        ids = positive.ids
        dropped = (_found_in(ids, negative.ids) if type(negative) is Sparse
                   else negative.mask[ids])
        return Sparse(ids[~dropped], positive.scores[~dropped])
    negative = negative.dense(size)
    mask = positive.mask & ~negative.mask
    return Matches(mask, np.where(mask, positive.scores, 0.0))


def best_of(a: Found, b: Found, size: int) -> Found:
    """``search.matching.BestOfMatcher``'s score: the larger plus a share of the smaller."""
    if type(a) is Sparse and type(b) is Sparse:
        ids = _sorted_distinct([a.ids, b.ids])
        at_b = np.searchsorted(ids, b.ids)
        sa = np.zeros(len(ids), dtype=np.float64)
        sb = np.zeros(len(ids), dtype=np.float64)
        sa[np.searchsorted(ids, a.ids)] = a.scores
        sb[at_b] = b.scores
        both = np.zeros(len(ids), dtype=bool)
        both[at_b] = _found_in(b.ids, a.ids)
        return Sparse(ids, _best_scores(sa, sb, both))
    a, b = a.dense(size), b.dense(size)
    return Matches(a.mask | b.mask, _best_scores(a.scores, b.scores, a.mask & b.mask))


def _best_scores(sa: np.ndarray, sb: np.ndarray, both: np.ndarray) -> np.ndarray:
    scores = sa + sb
    if both.any():
        x, y = sa[both], sb[both]
        scores[both] = np.maximum(x, y) + TIEBREAK * np.minimum(x, y)
    return scores


def _sorted_distinct(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct values of sorted arrays, sorted (one term's occurrence keys are
    already sorted: documents ascend, positions ascend within each)."""
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    merged = arrays[0] if len(arrays) == 1 else np.sort(np.concatenate(arrays))
    if len(merged) < 2:
        return merged
    keep = np.empty(len(merged), dtype=bool)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged if keep.all() else merged[keep]


def _members(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """The ``values`` found in ``among`` (both sorted)."""
    return values[_found_in(values, among)]


def _found_in(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Per value, whether ``among`` (sorted) has it: a binary search per value,
    cheaper than sorting both together when ``values`` is the shorter."""
    if not len(values) or not len(among):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(among, values), len(among) - 1)
    return among[at] == values


class Evaluator:
    """Evaluates Whoosh queries for one request: a searcher of a generation and its postings."""

    def __init__(self, searcher: Any, postings: Postings, live: np.ndarray,
                 expired: Callable[[], bool]) -> None:
        self.searcher = searcher
        self.postings = postings
        self.live = live
        self.size = postings.size
        self.expired = expired
        #: Set when the clock stopped a phrase check: the matches are incomplete.
        self.cut_short = False
        self._context = None
        # The main query and its per-language twins share their per-field
        # subtrees: each is evaluated once per request.  Keys are built from
        # the terms up (a term's text, then a compound's kind and its parts'
        # results): Whoosh hashes a query tree anew at every level.
        self._memo: dict[tuple, Found] = {}
        #: Document frequency of each term evaluated (Whoosh's ``estimate_size``).
        self._frequency: dict[tuple, int] = {}
        #: Undeleted documents of the reader (the bound of a union's estimate).
        self._doc_count: int | None = None

    def matches(self, q: wq.Query) -> Matches:
        """Documents ``q`` matches (live ones only) and their scores."""
        found = self._eval(q)
        if type(found) is Sparse:
            live = self.live[found.ids]
            return Sparse(found.ids[live], found.scores[live]).dense(self.size)
        mask = found.mask & self.live
        return Matches(mask, np.where(mask, found.scores, 0.0))

    def _eval(self, q: wq.Query) -> Found:
        kind = type(q)
        if kind is wq.Term:
            key = (kind, q.fieldname, q.text, q.boost)
            found = self._memo.get(key)
            if found is None:
                found = self._memo[key] = self._term(q)
            return found
        if q is wq.NullQuery or kind is type(wq.NullQuery):
            return Sparse.none()
        if kind is wq.Every:
            return Matches(self.live.copy(), np.where(self.live, 1.0, 0.0))
        if kind is wq.AndNot:
            return without(self._eval(q.a), self._eval(q.b), self.size)
        if kind not in (wq.And, wq.Or, BestOf, wq.Sequence):
            return self._by_whoosh(q, None)
        subs = q.subqueries
        if not subs:
            return Sparse.none()
        if len(subs) == 1:
            # Whoosh's CompoundQuery.matcher: a lone child, without the parent's boost.
            return self._eval(subs[0])
        parts = [self._eval(sub) for sub in subs]
        key = (kind, q.boost, *map(id, parts))  # the parts live in the memo: ids stay theirs
        if kind is wq.Sequence:
            key += (q.slop, q.ordered, *(tuple(t or ()) for t in map(_terms_of, subs)))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._combine(q, parts)
        return found

    def _combine(self, q: wq.Query, parts: list[Found]) -> Found:
        kind = type(q)
        if kind is wq.Sequence:
            return self._sequence(q, parts)
        if kind is BestOf:
            size = self.size
            if len(parts) == 2:
                # ``best_of`` is symmetric: two parts need no weights to be ordered by
                # (most best-ofs: a word's lemma and surface form, a text and its name key).
                found = best_of(parts[0], parts[1], size)
            else:
                found = weighted_tree([(self._estimate(sub), p)
                                       for sub, p in zip(q.subqueries, parts, strict=True)],
                                      lambda a, b: best_of(a, b, size))
        elif kind is wq.And:
            found = intersection_of(parts, self.size)
        else:
            found = union_of(parts, self.size)
        return found.boosted(q.boost)

    def _estimate(self, q: wq.Query) -> int:
        """Whoosh's ``estimate_size``: a term's document frequency, deleted documents
        included; a union's the sum of its parts' (at most the documents), an
        intersection's or a phrase's the least.  Read from the terms' frequencies
        noted when evaluated: Whoosh's own walk looks every term up again, and a
        word's name-key alternative made this a tenth of a page's evaluation."""
        kind = type(q)
        if kind is wq.Term:
            found = self._frequency.get((q.fieldname, q.text))
            if found is not None:
                return found
        elif kind is wq.Or or kind is BestOf:
            total = sum(self._estimate(sub) for sub in q.subqueries)
            if self._doc_count is None:
                self._doc_count = self.searcher.reader().doc_count()
            return min(total, self._doc_count)
        elif (kind is wq.And or kind is wq.Sequence) and q.subqueries:
            return min(self._estimate(sub) for sub in q.subqueries)
        return q.estimate_size(self.searcher.reader())

    def _term(self, q: wq.Term) -> Found:
        searcher = self.searcher
        if q.fieldname not in searcher.schema:
            return Sparse.none()
        try:
            text = searcher.schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return Sparse.none()
        if self.expired():
            # Out of time: the words not yet read count as absent (a partial page).
            self.cut_short = True
            return Sparse.none()
        ids, scores = self.postings.term(searcher, q.fieldname, text)
        self._frequency[q.fieldname, q.text] = len(ids)
        found = Sparse(ids, scores).boosted(q.boost)
        return found if len(ids) * SPARSE_SHARE <= self.size else found.dense(self.size)

    def _sequence(self, q: wq.Sequence, parts: list[Found]) -> Found:
        """A phrase: candidates (every word present) from the arrays, then positions.

        Adjacent, ordered words (Whoosh's ``Sequence`` with slop 1) are checked
        here on the candidates' decoded positions and scored as Whoosh's span
        matcher does (the sum of the words' scores); other sequences go to
        Whoosh's matcher, on the candidates only.
        """
        every = intersection_of(parts, self.size)
        if type(every) is Sparse:
            docs = every.ids[self.live[every.ids]]
        else:
            docs = np.flatnonzero(every.mask & self.live)
        alternatives = [_terms_of(sub) for sub in q.subqueries]
        if not q.ordered or q.slop != 1 or any(a is None for a in alternatives):
            return self._by_whoosh(q, docs)
        if not len(docs):
            return Sparse.none()
        found = self._adjacent(alternatives, docs)
        # Whoosh's span matcher scores a phrase as the sum of its words' scores.
        total = every.at(found) if type(every) is Sparse else every.scores[found]
        return Sparse(found, total).boosted(q.boost)

    def _adjacent(self, alternatives: list[list[tuple[str, bytes]]],
                  docs: np.ndarray) -> np.ndarray:
        """The ``docs`` where some term of each part stands right after one of the last.

        Each occurrence becomes one number, document × 2³² + the position its
        phrase would start at; a phrase is found where every part has the number.
        """
        candidates = np.zeros(self.size, dtype=bool)
        candidates[docs] = True
        parts = []
        for i, terms in enumerate(alternatives):
            keys = []
            for fieldname, text in terms:
                where, at = self.postings.occurrences(self.searcher, fieldname, text)
                inside = candidates[where]
                keys.append(where[inside].astype(np.int64) * _PHRASE_KEY
                            + (at[inside].astype(np.int64) - i))
            parts.append(_sorted_distinct(keys))
            if self.expired():
                self.cut_short = True
                return np.zeros(0, dtype=np.int64)
        # The rarest part first: each step keeps what the next part also has.
        parts.sort(key=len)
        starts = parts[0] if parts else np.zeros(0, dtype=np.int64)
        for part in parts[1:]:
            starts = _members(starts, part)
        return _sorted_distinct([starts // _PHRASE_KEY])

    def _by_whoosh(self, q: wq.Query, docnums: np.ndarray | None) -> Matches:
        """Matches of ``q`` by its own Whoosh matcher: over ``docnums`` (sorted), or all."""
        out = Matches.none(self.size)
        if docnums is not None and not len(docnums):
            return out
        if self._context is None:
            self._context = self.searcher.context(needs_current=True)
        wanted = None if docnums is None else docnums.tolist()
        checked = 0
        for sub, offset in self.searcher.leaf_searchers():
            end = offset + sub.doc_count_all()
            matcher = q.matcher(sub, self._context)
            if wanted is None:
                while matcher.is_active():
                    docnum = matcher.id() + offset
                    out.mask[docnum] = True
                    out.scores[docnum] = matcher.score()
                    matcher.next()
                    checked += 1
                    if checked % CLOCK_EVERY == 0 and self.expired():
                        self.cut_short = True
                        return out
                continue
            for docnum in wanted:
                if not offset <= docnum < end:
                    continue
                if not matcher.is_active():
                    break
                local = docnum - offset
                if matcher.id() < local:
                    matcher.skip_to(local)
                if matcher.is_active() and matcher.id() == local:
                    out.mask[docnum] = True
                    out.scores[docnum] = matcher.score()
                checked += 1
                if checked % CLOCK_EVERY == 0 and self.expired():
                    self.cut_short = True
                    return out
        return out
